//! Student-proposing deferred acceptance over flat arrays.
//!
//! 1. For every entry of every preference list, the programme's rank of that student (or "not
//!    ranked") is computed once: ranking entries are bucketed by student (a counting sort), then
//!    each student stamps their rankings into a programme-indexed scratch array and reads their
//!    own preference entries back from it. `O(entries)`, no hashing.
//! 2. Free students propose down their lists. Each programme keeps the ranks of the students it
//!    holds in a max-heap with one slot per place (in one shared array); a proposal is held if a
//!    place is free, or if it beats the worst student held, who is then freed and goes on down
//!    their own list. Every student proposes to each programme at most once, so the run is
//!    `O(entries × log capacity)`.
//!
//! Proposal order does not change the outcome (the student-optimal stable matching is unique, and
//! every student proposes exactly down to their final programme whatever the order), so students
//! propose in input order and displaced students join a queue; on large instances the cost is
//! memory latency (a displaced student's list is anywhere), so the queue's next students are
//! prefetched, and step 1 runs on two threads.

use crate::prefetch::prefetch;
use crate::{Instance, NONE};

/// How many students ahead in the queue their state is prefetched.
const AHEAD: usize = 16;

/// The result of [`allocate`]: the student-optimal stable matching, cut-offs and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Per student: the programme they got, or `NONE`.
    assigned: Vec<u32>,
    /// Per student: the index (into the flat preference array) of the entry they got, or `NONE`.
    assigned_entry: Vec<u32>,
    /// Per preference entry: the programme and its 0-based rank of the student (`NONE`: not
    /// ranked).
    entries: Vec<(u32, u32)>,
    /// Per programme: the number of students admitted.
    filled: Vec<u32>,
    /// Per programme: the 0-based rank of the last student admitted when the programme is full
    /// (and has places), otherwise `NONE`.
    cutoff: Vec<u32>,
}

/// Why a student did not get a programme they preferred to the one they got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The programme does not rank the student (or the student is not acceptable to it).
    NotRanked,
    /// The programme has no places (capacity 0).
    NoPlaces,
    /// The programme is full and every student it admitted is ranked above this student:
    /// `cutoff` is the rank of the last one admitted, `rank` this student's rank (both 1-based,
    /// `cutoff < rank`).
    Full { cutoff: u32, rank: u32 },
}

/// One line of a student's explanation: a programme they preferred, and why they did not get it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Explanation {
    pub program: u32,
    pub reason: Reason,
}

impl Allocation {
    /// The programme student `s` got, if any.
    pub fn assignment(&self, s: usize) -> Option<u32> {
        Some(self.assigned[s]).filter(|&p| p != NONE)
    }

    /// Every student's programme, in student order.
    pub fn assignments(&self) -> impl ExactSizeIterator<Item = Option<u32>> + '_ {
        self.assigned
            .iter()
            .map(|&p| Some(p).filter(|&p| p != NONE))
    }

    /// Number of students who got a place.
    pub fn placed(&self) -> usize {
        self.assigned.iter().filter(|&&p| p != NONE).count()
    }

    /// Number of students programme `p` admitted.
    pub fn filled(&self, p: usize) -> u32 {
        self.filled[p]
    }

    /// Programme `p`'s cut-off: the 1-based rank of the last student it admitted, when it is full;
    /// `None` when it has free places (or no places at all).
    pub fn cutoff(&self, p: usize) -> Option<u32> {
        Some(self.cutoff[p]).filter(|&c| c != NONE).map(|c| c + 1)
    }

    /// For every programme student `s` listed above the one they got (all of them if they got
    /// none), in their order: why they did not get it.
    pub fn explain<'a>(
        &'a self,
        inst: &'a Instance,
        s: usize,
    ) -> impl Iterator<Item = Explanation> + 'a {
        let start = inst.pref_start[s] as usize;
        let end = match self.assigned_entry[s] {
            NONE => inst.pref_start[s + 1] as usize,
            entry => entry as usize,
        };
        (start..end).map(move |j| {
            let (program, rank) = self.entries[j];
            let reason = if rank == NONE {
                Reason::NotRanked
            } else if inst.capacity[program as usize] == 0 {
                Reason::NoPlaces
            } else {
                let cutoff = self.cutoff[program as usize];
                debug_assert!(
                    cutoff != NONE && cutoff < rank,
                    "a blocking pair: the matching would not be stable"
                );
                Reason::Full {
                    cutoff: cutoff.wrapping_add(1),
                    rank: rank + 1,
                }
            };
            Explanation { program, reason }
        })
    }
}

/// A programme's state during the run: where its heap lives in the shared array, how many slots
/// it has (places, but never more than the students it ranks), how many are filled.
#[derive(Clone, Copy)]
struct Prog {
    heap: u32,
    slots: u32,
    filled: u32,
}

/// Runs student-proposing deferred acceptance: the student-optimal stable matching, with cut-offs
/// and the data for explanations.
pub fn allocate(inst: &Instance) -> Allocation {
    let students = inst.students();
    let programs = inst.programs();
    let entries = entries(inst);

    let mut progs = Vec::with_capacity(programs);
    let mut slots_total = 0u32;
    for p in 0..programs {
        let ranked = inst.rank_start[p + 1] - inst.rank_start[p];
        let slots = ranked.min(inst.capacity[p]);
        progs.push(Prog {
            heap: slots_total,
            slots,
            filled: 0,
        });
        slots_total += slots;
    }
    // Heap items: the programme's rank of the student in the high half, the student in the low
    // half, so the worst student held is on top and known without another lookup.
    let mut heap = vec![0u64; slots_total as usize];
    // Per student: the next entry to propose to, and the end of their list.
    let mut cursor: Vec<(u32, u32)> = inst.pref_start.windows(2).map(|w| (w[0], w[1])).collect();
    // Students waiting to propose: everyone in order, then each student displaced, as they are.
    // Knowing who comes next lets their scattered state be prefetched while others propose.
    let mut queue: Vec<u32> = (0..students as u32).collect();
    let mut head = 0;
    while head < queue.len() {
        if let Some(&t) = queue.get(head + 2 * AHEAD) {
            prefetch(&cursor[t as usize]);
        }
        if let Some(&t) = queue.get(head + AHEAD) {
            if let Some(entry) = entries.get(cursor[t as usize].0 as usize) {
                prefetch(entry);
            }
        }
        if let Some(&t) = queue.get(head + AHEAD / 2) {
            if let Some(&(p, _)) = entries.get(cursor[t as usize].0 as usize) {
                prefetch(&progs[p as usize]);
            }
        }
        if let Some(&t) = queue.get(head + AHEAD / 4) {
            if let Some(&(p, _)) = entries.get(cursor[t as usize].0 as usize) {
                if let Some(top) = heap.get(progs[p as usize].heap as usize) {
                    prefetch(top);
                }
            }
        }
        let s = queue[head];
        head += 1;
        let (mut j, end) = cursor[s as usize];
        while j < end {
            let (p, rank) = entries[j as usize];
            j += 1;
            if rank == NONE {
                continue;
            }
            let prog = &mut progs[p as usize];
            let h = &mut heap[prog.heap as usize..(prog.heap + prog.slots) as usize];
            let item = (u64::from(rank) << 32) | u64::from(s);
            if prog.filled < prog.slots {
                heap_push(h, prog.filled as usize, item);
                prog.filled += 1;
                break;
            }
            if prog.slots > 0 && h[0] > item {
                queue.push(h[0] as u32);
                heap_replace_top(h, item);
                break;
            }
        }
        cursor[s as usize].0 = j;
    }
    drop(queue);

    let mut assigned = vec![NONE; students];
    let mut assigned_entry = vec![NONE; students];
    let mut cutoff = vec![NONE; programs];
    for (p, prog) in progs.iter().enumerate() {
        let held = &heap[prog.heap as usize..(prog.heap + prog.filled) as usize];
        for &item in held {
            let s = item as u32 as usize;
            assigned[s] = p as u32;
            assigned_entry[s] = cursor[s].0 - 1;
        }
        if inst.capacity[p] > 0 && prog.filled == inst.capacity[p] {
            cutoff[p] = (held[0] >> 32) as u32;
        }
    }
    let filled = progs.iter().map(|prog| prog.filled).collect();
    Allocation {
        assigned,
        assigned_entry,
        entries,
        filled,
        cutoff,
    }
}

/// For every preference entry `j` (student `s` lists programme `p`): `(p, p's 0-based rank of s)`,
/// the rank `NONE` when `p` does not rank `s`. Large instances are split in two halves of the
/// students, done on two threads.
fn entries(inst: &Instance) -> Vec<(u32, u32)> {
    let students = inst.students();
    let mut entries = vec![(0u32, NONE); inst.prefs.len()];
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !parallel || inst.prefs.len() + inst.ranking.len() < 200_000 {
        fill_entries(inst, 0..students, &mut entries);
        return entries;
    }
    let mid = students / 2;
    let (left, right) = entries.split_at_mut(inst.pref_start[mid] as usize);
    std::thread::scope(|scope| {
        scope.spawn(|| fill_entries(inst, mid..students, right));
        fill_entries(inst, 0..mid, left);
    });
    entries
}

/// `entries` for the students in `range`, into `out` (their part of the flat preference array).
fn fill_entries(inst: &Instance, range: std::ops::Range<usize>, out: &mut [(u32, u32)]) {
    let (first, count) = (range.start as u32, range.len());
    // Students outside the range count into an extra bucket `count`, whose entries all land on
    // one spare slot at the end: no unpredictable branch in these loops over every ranking.
    let bucket = |s: u32| (s.wrapping_sub(first) as usize).min(count);
    let mut start = vec![0u32; count + 2];
    for &s in &inst.ranking {
        start[bucket(s) + 1] += 1;
    }
    for i in 0..count {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    fill[count] = start[count];
    let mut by_student = vec![(0u32, 0u32); start[count] as usize + 1];
    for p in 0..inst.programs() {
        for (rank, &s) in inst.ranking(p).iter().enumerate() {
            let i = bucket(s);
            let slot = &mut fill[i];
            by_student[*slot as usize] = (p as u32, rank as u32);
            *slot += u32::from(i < count);
        }
    }
    drop(fill);
    // mark[p] = (student, rank): the rank p gave the student being processed.
    let mut mark = vec![(NONE, 0u32); inst.programs()];
    let base = inst.pref_start[range.start] as usize;
    for (i, s) in range.enumerate() {
        for &(p, rank) in &by_student[start[i] as usize..start[i + 1] as usize] {
            mark[p as usize] = (s as u32, rank);
        }
        let from = inst.pref_start[s] as usize;
        for (k, &p) in inst.prefs(s).iter().enumerate() {
            let (who, rank) = mark[p as usize];
            out[from - base + k] = (p, if who == s as u32 { rank } else { NONE });
        }
    }
}

/// Adds `value` to the max-heap `h[..len]` (which has room at `h[len]`).
#[inline]
fn heap_push(h: &mut [u64], len: usize, value: u64) {
    let mut i = len;
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent] >= value {
            break;
        }
        h[i] = h[parent];
        i = parent;
    }
    h[i] = value;
}

/// Replaces the maximum of the full max-heap `h` with `value` and restores the heap.
#[inline]
fn heap_replace_top(h: &mut [u64], value: u64) {
    let len = h.len();
    let mut i = 0;
    loop {
        let left = 2 * i + 1;
        if left >= len {
            break;
        }
        let right = left + 1;
        let child = if right < len && h[right] > h[left] {
            right
        } else {
            left
        };
        if h[child] <= value {
            break;
        }
        h[i] = h[child];
        i = child;
    }
    h[i] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(prefs: &[Vec<u32>], programs: &[(u32, Vec<u32>)]) -> (Instance, Allocation) {
        let inst = Instance::new(prefs, programs).unwrap();
        let alloc = allocate(&inst);
        (inst, alloc)
    }

    #[test]
    fn the_textbook_example() {
        // Three students, two programmes with one place each. Both programmes prefer s2; s0 and s1
        // both want p0 first.
        let (inst, a) = run(
            &[vec![0, 1], vec![0, 1], vec![1]],
            &[(1, vec![1, 0, 2]), (1, vec![2, 0, 1])],
        );
        assert_eq!(
            a.assignments().collect::<Vec<_>>(),
            vec![None, Some(0), Some(1)]
        );
        assert_eq!((a.cutoff(0), a.cutoff(1)), (Some(1), Some(1)));
        assert_eq!(a.placed(), 2);
        let s0: Vec<_> = a.explain(&inst, 0).collect();
        assert_eq!(
            s0,
            vec![
                Explanation {
                    program: 0,
                    reason: Reason::Full { cutoff: 1, rank: 2 }
                },
                Explanation {
                    program: 1,
                    reason: Reason::Full { cutoff: 1, rank: 2 }
                },
            ]
        );
        assert_eq!(a.explain(&inst, 1).count(), 0);
    }

    #[test]
    fn not_ranked_and_no_places_are_explained() {
        let (inst, a) = run(&[vec![0, 1, 2]], &[(1, vec![]), (0, vec![0]), (1, vec![0])]);
        assert_eq!(a.assignment(0), Some(2));
        let why: Vec<_> = a.explain(&inst, 0).map(|e| e.reason).collect();
        assert_eq!(why, vec![Reason::NotRanked, Reason::NoPlaces]);
        assert_eq!(
            (a.cutoff(0), a.cutoff(1), a.cutoff(2)),
            (None, None, Some(1))
        );
        assert_eq!((a.filled(0), a.filled(2)), (0, 1));
    }

    #[test]
    fn a_better_ranked_student_displaces_the_worst_held() {
        // p0 has two places and ranks s2 > s0 > s1; all three want it; s1 falls back to p1.
        let (inst, a) = run(
            &[vec![0, 1], vec![0, 1], vec![0]],
            &[(2, vec![2, 0, 1]), (5, vec![0, 1])],
        );
        assert_eq!(
            a.assignments().collect::<Vec<_>>(),
            vec![Some(0), Some(1), Some(0)]
        );
        assert_eq!(a.cutoff(0), Some(2));
        assert_eq!(a.cutoff(1), None);
        assert_eq!(
            a.explain(&inst, 1).collect::<Vec<_>>(),
            vec![Explanation {
                program: 0,
                reason: Reason::Full { cutoff: 2, rank: 3 }
            }]
        );
    }

    #[test]
    fn empty_and_huge_capacities() {
        let (_, a) = run(&[], &[]);
        assert_eq!(a.assignments().count(), 0);
        let (_, a) = run(&[vec![0], vec![0]], &[(u32::MAX, vec![1, 0])]);
        assert_eq!(a.assignments().collect::<Vec<_>>(), vec![Some(0), Some(0)]);
        assert_eq!(a.cutoff(0), None);
    }

    #[test]
    fn heap_keeps_the_maximum_on_top() {
        let mut h = [0u64; 6];
        for (len, v) in [5, 1, 9, 3, 7, 2].into_iter().enumerate() {
            heap_push(&mut h, len, v);
        }
        assert_eq!(h[0], 9);
        heap_replace_top(&mut h, 4);
        assert_eq!(h[0], 7);
        heap_replace_top(&mut h, 0);
        assert_eq!(h[0], 5);
        let mut sorted = h;
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3, 4, 5]);
    }
}
