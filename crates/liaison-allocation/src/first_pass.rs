//! The engine's first pass over the programmes' rankings: every preference entry's rank (the
//! programme's rank of the student, which each proposal needs), and, in the same pass, every
//! student's proposal to their first choice.
//!
//! Finding an entry's rank means finding, for ranking entry `(p, r, s)`, the slot of `s`'s list
//! that names `p`: one scattered access per ranking entry (to `s`'s line, see [`crate::lists`]),
//! which is what the pass costs; the eight slots are compared at once. Walking a programme's
//! ranking best first also settles the first round of proposals: the students who put `p` first
//! are met in `p`'s order, so `p` holds the first of them up to its places and turns the others
//! away, which is what `p` would end the round with whichever order they proposed in. Doing it
//! here, without a branch per student, spares the engine a round of proposals whose outcome
//! (hold, displace, refuse) it cannot predict.
//!
//! On large instances two threads share the pass: each builds half the lines, then goes through
//! the rankings of about half the ranking entries.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Barrier;

use crate::engine::{Place, Prog};
use crate::instance::Instance;
use crate::lists::{Line, Lists, LINE};
use crate::prefetch::prefetch;
use crate::NONE;

/// What the first pass leaves for the engine.
pub(crate) struct FirstPass {
    /// Every student's list, with every entry's rank.
    pub(crate) lists: Lists,
    /// One bit per ranking entry, set while the programme holds that student.
    pub(crate) held: Vec<u64>,
    /// Per student: the place they hold (their first choice, or nothing yet).
    pub(crate) places: Vec<Place>,
    /// Whether the first choices were proposed (a student with no place then goes on from their
    /// second entry); they are not when lists are long (see [`ranks_by_student`]).
    pub(crate) first_choices_proposed: bool,
}

/// How many ranking entries ahead the students' lines are prefetched.
const AHEAD: usize = 16;

/// From this many ranking entries on, the pass runs on two threads (below, starting one costs
/// more than it saves).
const PARALLEL_FROM: usize = 100_000;

/// Runs the first pass: `progs` (one per programme, nothing held) get their first-round students.
///
/// When every list fits one line (the usual case: a handful of choices), each ranking entry finds
/// its student's slot in one pass over the rankings, and first choices are proposed on the way.
/// Otherwise the ranks come from a counting sort and the engine proposes every first choice
/// itself: `O(entries)` either way, no hashing.
pub(crate) fn first_pass(inst: &Instance, progs: &mut [Prog]) -> FirstPass {
    let parallel = inst.ranking.len() >= PARALLEL_FROM
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    first_pass_on(inst, progs, parallel)
}

/// [`first_pass`], on two threads or one.
fn first_pass_on(inst: &Instance, progs: &mut [Prog], parallel: bool) -> FirstPass {
    let mut held = vec![0u64; inst.ranking.len() / 64 + 1];
    if !Lists::fit_one_line_each(inst) {
        let mut lists = Lists::new(inst);
        ranks_by_student(inst, &mut lists);
        return FirstPass {
            lists,
            held,
            places: vec![Place::NOTHING; inst.students()],
            first_choices_proposed: false,
        };
    }
    let students = inst.students();
    let mut lines: Vec<Line> = Vec::with_capacity(students);
    let mut places = vec![Place::NOTHING; students];
    let raw = Raw {
        lines: lines.as_mut_ptr(),
        places: places.as_mut_ptr(),
        students,
        held: held.as_mut_ptr(),
        held_len: held.len(),
    };
    if !parallel {
        // SAFETY: `lines` has room for `students` lines, all written before they are shared;
        // none of the vectors is touched otherwise until the pass is over.
        unsafe {
            raw.build(inst, 0..students);
            scan_rankings(inst, 0..inst.programs(), progs, &raw.shared());
            raw.place_held(inst, 0..inst.programs());
        }
    } else {
        // Each thread builds half the lines, then (once both halves are built) goes through about
        // half the ranking entries. They write disjoint cells: entry `j` only gets a rank from
        // the programme it names, and the bit words they share, at most one, are or-ed in.
        let half = inst.ranking.len() as u32 / 2;
        let mid = inst
            .rank_start
            .partition_point(|&start| start < half)
            .min(inst.programs());
        let (low, high) = progs.split_at_mut(mid);
        let built = Barrier::new(2);
        // SAFETY: `lines` has room for `students` lines; each thread writes its own half, and
        // only reads lines (or writes ranks and bits, through atomics) once the barrier has seen
        // both halves written; each writes the places of the students its own programmes hold.
        // None of the vectors is touched otherwise until both threads are done.
        std::thread::scope(|scope| {
            let built = &built;
            scope.spawn(move || unsafe {
                raw.build(inst, students / 2..students);
                built.wait();
                scan_rankings(inst, mid..inst.programs(), high, &raw.shared());
                raw.place_held(inst, mid..inst.programs());
            });
            unsafe {
                raw.build(inst, 0..students / 2);
                built.wait();
                scan_rankings(inst, 0..mid, low, &raw.shared());
                raw.place_held(inst, 0..mid);
            }
        });
    }
    // SAFETY: every line up to `students` was written above.
    unsafe { lines.set_len(students) };
    FirstPass {
        lists: Lists::one_line_each(lines),
        held,
        places,
        first_choices_proposed: true,
    }
}

/// The first pass's arrays while it builds and shares them: room for one line per student, the
/// places and the held bits.
#[derive(Clone, Copy)]
struct Raw {
    lines: *mut Line,
    places: *mut Place,
    students: usize,
    held: *mut u64,
    held_len: usize,
}

// SAFETY: the threads that share it write disjoint lines and places, and share lines and bits only
// through atomics (see `Raw::shared`).
unsafe impl Send for Raw {}
unsafe impl Sync for Raw {}

impl Raw {
    /// Writes the lines of `students`, every rank `NONE`.
    ///
    /// # Safety
    /// Nothing else may access those lines meanwhile.
    unsafe fn build(self, inst: &Instance, students: Range<usize>) {
        assert!(students.end <= self.students);
        let ends = inst.pref_start[students.start..=students.end].windows(2);
        for (s, w) in students.zip(ends) {
            self.lines
                .add(s)
                .write(Line::new(&inst.prefs, w[0] as usize, w[1] as usize));
        }
    }

    /// The lines and bits as threads share them.
    ///
    /// # Safety
    /// Every line must be written, and nothing but shared views may access lines or bits while
    /// this one lives.
    unsafe fn shared<'a>(self) -> Shared<'a> {
        // `SharedLine` has the layout of `Line` (`repr(C)`; `AtomicU32` has the size and
        // alignment of `u32`), and `AtomicU64` that of `u64`.
        Shared {
            lines: std::slice::from_raw_parts(self.lines.cast::<SharedLine>(), self.students),
            held: std::slice::from_raw_parts(self.held.cast::<AtomicU64>(), self.held_len),
        }
    }

    /// Records the place of every student that the `programs` hold once they are through the
    /// scan (each student at their first choice, so each place is written once, by one thread).
    ///
    /// # Safety
    /// Nothing else may access the places meanwhile but this for other programmes.
    unsafe fn place_held(self, inst: &Instance, programs: Range<usize>) {
        let held = self.shared().held;
        for p in programs {
            let (from, to) = (inst.rank_start[p] as usize, inst.rank_start[p + 1] as usize);
            let mut word = from / 64;
            while word * 64 < to {
                // This programme's bits of the word (it may share the word with its neighbours).
                let low = from.saturating_sub(word * 64).min(64);
                let high = (to - word * 64).min(64);
                let mask = (u64::MAX >> (64 - high)) & !((1u64 << low) - 1);
                let mut bits = held[word].load(Ordering::Relaxed) & mask;
                while bits != 0 {
                    let s = inst.ranking[word * 64 + bits.trailing_zeros() as usize] as usize;
                    assert!(s < self.students);
                    self.places.add(s).write(Place {
                        program: p as u32,
                        entry: (s * LINE) as u32,
                    });
                    bits &= bits - 1;
                }
                word += 1;
            }
        }
    }
}

/// A [`Line`] whose ranks two threads can write (different slots) at once.
#[repr(C, align(64))]
struct SharedLine {
    programs: [u32; LINE],
    ranks: [AtomicU32; LINE],
}

/// The first pass's arrays as two threads share them.
struct Shared<'a> {
    lines: &'a [SharedLine],
    held: &'a [AtomicU64],
}

/// The first pass over the rankings of the programmes in `programs` (whose states are `progs`),
/// when student `s`'s list is line `s`: finds the programme in each ranked student's line, records
/// the rank, and holds the student if the programme is their first choice and still has a free
/// place.
fn scan_rankings(inst: &Instance, programs: Range<usize>, progs: &mut [Prog], out: &Shared) {
    let ranking = &inst.ranking[..inst.rank_start[programs.end] as usize];
    // The held bits of ranking entries `64 * word..`, or-ed in when the pass moves past them.
    let mut word = inst.rank_start[programs.start] as usize / 64;
    let mut bits = 0u64;
    for (p, prog) in programs.zip(progs) {
        let (from, to) = (inst.rank_start[p] as usize, inst.rank_start[p + 1] as usize);
        let (mut filled, mut worst) = (0u32, 0u32);
        for (r, &s) in ranking[from..to].iter().enumerate() {
            let i = from + r;
            if let Some(&t) = ranking.get(i + AHEAD) {
                prefetch(out.lines.as_ptr().wrapping_add(t as usize));
            }
            let r = r as u32;
            let line = &out.lines[s as usize];
            // Which slot names `p`, as a bit mask: compared all at once, no branch per slot.
            let slots = slots_naming(&line.programs, p as u32);
            if slots == 0 {
                continue;
            }
            let k = slots.trailing_zeros() as usize;
            line.ranks[k].store(r, Ordering::Relaxed);
            let hold = (k == 0) & (filled < prog.slots);
            filled += hold as u32;
            worst = if hold { r } else { worst };
            if i / 64 != word {
                out.held[word].fetch_or(bits, Ordering::Relaxed);
                (word, bits) = (i / 64, 0);
            }
            bits |= (hold as u64) << (i % 64);
        }
        prog.filled = filled;
        prog.worst = worst;
    }
    out.held[word].fetch_or(bits, Ordering::Relaxed);
}

/// Every entry's rank by counting sort, for instances with long lists: the ranking entries are
/// bucketed by student, and each student stamps their rankings into a programme-indexed array and
/// reads their own entries back from it.
fn ranks_by_student(inst: &Instance, out: &mut Lists) {
    let students = inst.students();
    let mut start = vec![0u32; students + 1];
    for &s in &inst.ranking {
        start[s as usize + 1] += 1;
    }
    for i in 0..students {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut by_student = vec![(0u32, 0u32); inst.ranking.len()];
    for p in 0..inst.programs() {
        for (rank, &s) in inst.ranking(p).iter().enumerate() {
            let slot = &mut fill[s as usize];
            by_student[*slot as usize] = (p as u32, rank as u32);
            *slot += 1;
        }
    }
    drop(fill);
    // mark[p] = (student, rank): the rank p gave the student being processed.
    let mut mark = vec![(NONE, 0u32); inst.programs()];
    for s in 0..students {
        for &(p, rank) in &by_student[start[s] as usize..start[s + 1] as usize] {
            mark[p as usize] = (s as u32, rank);
        }
        let from = out.start(s);
        for (k, &p) in inst.prefs(s).iter().enumerate() {
            let (who, rank) = mark[p as usize];
            if who == s as u32 {
                out.set_rank(from + k as u32, rank);
            }
        }
    }
}

/// The slots of a line that name programme `p`, as a bit mask: all compared at once, no branch per
/// slot.
#[inline(always)]
fn slots_naming(programs: &[u32; LINE], p: u32) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_castsi128_ps, _mm_cmpeq_epi32, _mm_loadu_si128, _mm_movemask_ps,
            _mm_set1_epi32,
        };
        let halves: &[[u32; 4]; 2] = programs.as_chunks().0.try_into().unwrap();
        // SAFETY: each half is 16 readable bytes (`loadu` needs no alignment); SSE2 is part of
        // the x86_64 baseline.
        let mask = |half: &[u32; 4]| unsafe {
            let v = _mm_loadu_si128(half.as_ptr().cast::<__m128i>());
            let needle = _mm_set1_epi32(p as i32);
            _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v, needle))) as u32
        };
        mask(&halves[0]) | mask(&halves[1]) << 4
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut slots = 0u32;
        for (k, &program) in programs.iter().enumerate() {
            slots |= ((program == p) as u32) << k;
        }
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{generate, Params};

    /// Programme `p`'s rank of student `s`, found the slow way.
    fn rank_of(inst: &Instance, p: u32, s: usize) -> u32 {
        inst.ranking(p as usize)
            .iter()
            .position(|&t| t as usize == s)
            .map_or(NONE, |r| r as u32)
    }

    /// Checks that every entry of `lists` carries its programme's rank of the student.
    fn check_ranks(inst: &Instance, lists: &Lists) {
        for s in 0..inst.students() {
            let start = lists.start(s);
            for (k, &p) in inst.prefs(s).iter().enumerate() {
                let entry = lists.entry(start + k as u32);
                assert_eq!(entry.program, p, "student {s}, choice {k}");
                assert_eq!(entry.rank, rank_of(inst, p, s), "student {s}, choice {k}");
            }
        }
    }

    /// Programmes ranking students who did not apply, students no programme ranks, empty lists
    /// and rankings, no places: the ranks on every path, and the same first round on one thread
    /// and two.
    #[test]
    fn every_path_finds_every_rank() {
        let odd = Instance::new(
            &[vec![2, 0, 1], vec![], vec![1], vec![0, 3], vec![3, 2, 1, 0]],
            &[
                (1, vec![4, 0, 2]),
                (0, vec![2, 4, 0]),
                (2, vec![1, 3]),
                (5, vec![]),
            ],
        )
        .unwrap();
        let generated = generate(&Params::new(3_000, 7));
        for inst in [&odd, &generated] {
            let mut one = Prog::all(inst);
            let pass = first_pass_on(inst, &mut one, false);
            assert!(pass.first_choices_proposed);
            check_ranks(inst, &pass.lists);
            let mut two = Prog::all(inst);
            let parallel = first_pass_on(inst, &mut two, true);
            assert_eq!(parallel.lists, pass.lists);
            assert_eq!(parallel.held, pass.held);
            assert_eq!(parallel.places, pass.places);
            assert_eq!(two, one);
            let mut counted = Lists::new(inst);
            ranks_by_student(inst, &mut counted);
            assert_eq!(counted, pass.lists);
        }
    }

    #[test]
    fn long_lists_take_more_lines_and_the_counting_sort() {
        let programs = 12u32;
        let prefs = vec![(0..programs).rev().collect::<Vec<_>>(), vec![3, 1], vec![]];
        let rankings: Vec<(u32, Vec<u32>)> = (0..programs)
            .map(|p| (1, if p % 3 == 0 { vec![] } else { vec![1, 0] }))
            .collect();
        let inst = Instance::new(&prefs, &rankings).unwrap();
        let pass = first_pass_on(&inst, &mut Prog::all(&inst), true);
        assert!(!pass.first_choices_proposed);
        assert_eq!((pass.lists.start(1), pass.lists.end(1)), (16, 24));
        assert_eq!(pass.lists.lines.len(), 4, "two lines, then one each");
        check_ranks(&inst, &pass.lists);
    }

    /// A programme with two places meets, in its order, students 3 (who put it second), 1 and 0
    /// (first), then 2 (first): it holds 1 and 0.
    #[test]
    fn first_choices_are_held_in_the_programmes_order() {
        let inst = Instance::new(
            &[vec![0], vec![0, 1], vec![0], vec![1, 0]],
            &[(2, vec![3, 1, 0, 2]), (1, vec![3])],
        )
        .unwrap();
        for parallel in [false, true] {
            let mut progs = Prog::all(&inst);
            let pass = first_pass_on(&inst, &mut progs, parallel);
            assert_eq!((progs[0].filled, progs[0].worst), (2, 2));
            assert_eq!((progs[1].filled, progs[1].worst), (1, 0));
            // Ranking entries 1 and 2 (students 1 and 0) of programme 0, entry 0 of programme 1
            // (student 3, at flat index 4).
            assert_eq!(pass.held, vec![0b10110]);
            let place = |program, entry| Place { program, entry };
            assert_eq!(
                pass.places,
                vec![place(0, 0), place(0, 8), Place::NOTHING, place(1, 24)]
            );
        }
    }
}
