//! Student-proposing deferred acceptance over flat arrays.
//!
//! The [first pass](crate::first_pass) over the programmes' rankings finds every preference
//! entry's rank (the programme's rank of the student, or "not ranked") and settles every student's
//! proposal to their first choice. The students it leaves without a place then propose down their
//! lists. A proposal is held if the programme has a free place, or if it beats the worst student
//! the programme holds, who is then freed and goes on down their own list. Each programme's
//! students are one bit per entry of its ranking (one shared bit array), plus the rank of the
//! worst one held: once a programme is full its worst student held only ever gets better, so
//! finding the next worst by scanning down its bits costs `O(ranking length / 64)` for the whole
//! run, and the run is `O(entries)`. Every student proposes to each programme at most once.
//!
//! Proposal order does not change the outcome (the student-optimal stable matching is unique, and
//! every student proposes exactly down to their final programme whatever the order), so students
//! propose in input order and displaced students join a queue; on large instances the cost is
//! memory latency (a displaced student's list is anywhere), so a displaced student is queued as
//! their ranking entry (no load on the proposal's path), and the queue's next students, their
//! list entries and programmes are prefetched.

use crate::prefetch::prefetch;
use std::time::{Duration, Instant};

use crate::first_pass::{first_pass, FirstPass};
use crate::lists::{Entry, Lists, LINE};
use crate::{Instance, NONE};

/// How many students ahead in the queue their state is prefetched.
const AHEAD: usize = 8;

/// The result of [`allocate`]: the student-optimal stable matching, cut-offs and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Per student: the place they got, or [`Place::NOTHING`].
    places: Vec<Place>,
    /// Every student's list, with the ranks (for explanations).
    lists: Lists,
    /// Per programme: the number of students admitted.
    filled: Vec<u32>,
    /// Per programme: the 0-based rank of the last student admitted when the programme is full
    /// (and has places), otherwise `NONE`.
    cutoff: Vec<u32>,
}

/// The place a student holds: the programme and the index of its entry in the [`Lists`] (a
/// displaced student resumes just after it). Both are recorded together when the
/// proposal is accepted, so that reading the result out is one sequential pass, not a scattered
/// lookup of every student's entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(8))]
pub(crate) struct Place {
    pub(crate) program: u32,
    pub(crate) entry: u32,
}

impl Place {
    pub(crate) const NOTHING: Place = Place {
        program: NONE,
        entry: NONE,
    };
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
        Some(self.places[s].program).filter(|&p| p != NONE)
    }

    /// Every student's programme, in student order.
    pub fn assignments(&self) -> impl ExactSizeIterator<Item = Option<u32>> + '_ {
        self.places
            .iter()
            .map(|place| Some(place.program).filter(|&p| p != NONE))
    }

    /// Number of students who got a place.
    pub fn placed(&self) -> usize {
        self.places
            .iter()
            .filter(|place| place.program != NONE)
            .count()
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
        let start = self.lists.start(s);
        let end = match self.places[s].entry {
            NONE => self.lists.end(s),
            entry => entry,
        };
        (start..end).filter_map(move |j| {
            let Entry { program, rank } = self.lists.entry(j);
            if program == NONE {
                return None; // a slot past the end of the list
            }
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
            Some(Explanation { program, reason })
        })
    }
}

/// A programme's state during the run: where its ranking starts in the flat ranking array (and
/// so in the bit set of students held), how many places it can fill (its places, but never more
/// than the students it ranks), how many are filled, and the rank of the worst student held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prog {
    base: u32,
    pub(crate) slots: u32,
    pub(crate) filled: u32,
    pub(crate) worst: u32,
}

impl Prog {
    /// Every programme of `inst`, holding nobody.
    pub(crate) fn all(inst: &Instance) -> Vec<Prog> {
        (0..inst.programs())
            .map(|p| Prog {
                base: inst.rank_start[p],
                slots: (inst.rank_start[p + 1] - inst.rank_start[p]).min(inst.capacity[p]),
                filled: 0,
                worst: 0,
            })
            .collect()
    }
}

/// How long each phase of [`allocate`] took (for the benchmark's breakdown).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// The first pass: every entry's rank, and the first choices.
    pub first_pass: Duration,
    /// Every later proposal, to the last displaced student.
    pub proposals: Duration,
    /// The assignment and cut-offs read out of the final state.
    pub result: Duration,
}

/// Runs student-proposing deferred acceptance: the student-optimal stable matching, with cut-offs
/// and the data for explanations.
pub fn allocate(inst: &Instance) -> Allocation {
    allocate_with_phases(inst).0
}

/// [`allocate`], timing its phases.
#[doc(hidden)]
pub fn allocate_with_phases(inst: &Instance) -> (Allocation, Phases) {
    let started = Instant::now();
    let students = inst.students();
    let mut progs = Prog::all(inst);
    let FirstPass {
        lists,
        // One bit per ranking entry: set while the programme holds that student. A programme's
        // worst student held only ever gets better once it is full, so finding the next worst by
        // scanning down its bits costs `O(ranking length / 64)` over the whole run.
        mut held,
        mut places,
        first_choices_proposed,
    } = first_pass(inst, &mut progs);
    let first_passed = Instant::now();
    // Students displaced and waiting to propose again, each as the ranking entry (index into
    // the flat ranking array) of the programme that displaced them: reading the student out of
    // the ranking is left to when the queue gets near them, so that it can be prefetched
    // instead of stalling the proposal. Knowing who comes next lets their scattered state be
    // prefetched while others propose.
    let mut queue: Vec<u32> = Vec::with_capacity(students);
    let ranking = &inst.ranking[..];
    let state = &mut State {
        lists: &lists,
        progs: &mut progs,
        held: &mut held,
        queue: &mut queue,
    };
    // The students the first pass left without a place, gathered without a branch on which
    // (about half of them, at random).
    let mut waiting: Vec<u32> = vec![0; students];
    let mut count = 0;
    for (s, place) in places.iter().enumerate() {
        waiting[count] = s as u32;
        count += (place.program == NONE) as usize;
    }
    // They propose on down their lists, in input order (their lines are read in order), then
    // the displaced students do, first come first served.
    let skip = first_choices_proposed as u32;
    for &s in &waiting[..count] {
        places[s as usize] = state.propose(s, lists.start(s as usize) + skip);
    }
    drop(waiting);
    let mut head = 0;
    while head < state.queue.len() {
        let queue = &state.queue;
        if let Some(&k) = queue.get(head + 3 * AHEAD) {
            prefetch(&ranking[k as usize]);
        }
        if let Some(&k) = queue.get(head + 2 * AHEAD) {
            prefetch(&places[ranking[k as usize] as usize]);
        }
        if let Some(&k) = queue.get(head + AHEAD) {
            let j = places[ranking[k as usize] as usize].entry as usize + 1;
            if let Some(line) = lists.lines.get(j / LINE) {
                prefetch(line);
            }
        }
        if let Some(&k) = queue.get(head + AHEAD / 2) {
            let j = places[ranking[k as usize] as usize].entry as usize + 1;
            if let Some(line) = lists.lines.get(j / LINE) {
                if let Some(prog) = state.progs.get(line.programs[j % LINE] as usize) {
                    prefetch(prog);
                }
            }
        }
        let s = ranking[queue[head] as usize];
        head += 1;
        let from = places[s as usize].entry + 1;
        places[s as usize] = state.propose(s, from);
    }
    drop((queue, held));
    let proposed = Instant::now();

    let cutoff = progs
        .iter()
        .zip(&inst.capacity)
        .map(|(prog, &cap)| {
            if cap > 0 && prog.filled == cap {
                prog.worst
            } else {
                NONE
            }
        })
        .collect();
    let filled = progs.iter().map(|prog| prog.filled).collect();
    let alloc = Allocation {
        places,
        lists,
        filled,
        cutoff,
    };
    let phases = Phases {
        first_pass: first_passed - started,
        proposals: proposed - first_passed,
        result: proposed.elapsed(),
    };
    (alloc, phases)
}

/// The engine's state while students propose.
struct State<'a> {
    lists: &'a Lists,
    progs: &'a mut [Prog],
    held: &'a mut [u64],
    queue: &'a mut Vec<u32>,
}

impl State<'_> {
    /// Student `s` proposes down their list from entry `from`: returns the place that holds
    /// them, or [`Place::NOTHING`]; a student they displace joins the queue (as their ranking
    /// entry).
    #[inline(always)]
    fn propose(&mut self, s: u32, from: u32) -> Place {
        let end = self.lists.end(s as usize);
        let held = &mut *self.held;
        let mut j = from;
        while j < end {
            let Entry { program: p, rank } = self.lists.entry(j);
            j += 1;
            if rank == NONE {
                continue;
            }
            let prog = &mut self.progs[p as usize];
            let bit = (prog.base + rank) as usize;
            if prog.filled < prog.slots {
                held[bit / 64] |= 1 << (bit % 64);
                prog.filled += 1;
                prog.worst = prog.worst.max(rank);
                return Place {
                    program: p,
                    entry: j - 1,
                };
            }
            if rank < prog.worst {
                let worst = (prog.base + prog.worst) as usize;
                self.queue.push(worst as u32);
                held[worst / 64] &= !(1 << (worst % 64));
                held[bit / 64] |= 1 << (bit % 64);
                prog.worst = (highest_below(held, worst) - prog.base as usize) as u32;
                return Place {
                    program: p,
                    entry: j - 1,
                };
            }
        }
        Place::NOTHING
    }
}

/// The highest set bit of `bits` below bit `pos`; there must be one.
#[inline]
fn highest_below(bits: &[u64], pos: usize) -> usize {
    let mut w = pos / 64;
    let mut word = bits[w] & ((1u64 << (pos % 64)) - 1);
    while word == 0 {
        w -= 1;
        word = bits[w];
    }
    w * 64 + 63 - word.leading_zeros() as usize
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

    /// Lists longer than a line go another way (ranks by counting sort, first choices proposed by
    /// the engine): padding every list with programmes that do not rank the student changes
    /// nobody's place, and only adds "not ranked" to explanations.
    #[test]
    fn long_lists_give_the_same_matching() {
        let short = crate::synthetic::generate(&crate::synthetic::Params::new(2_000, 3));
        let prefs: Vec<Vec<u32>> = (0..short.students())
            .map(|s| {
                let list = short.prefs(s);
                let unranked = (0..short.programs() as u32).filter(|&p| {
                    !list.contains(&p) && !short.ranking(p as usize).contains(&(s as u32))
                });
                list.iter().copied().chain(unranked.take(6)).collect()
            })
            .collect();
        let programs: Vec<(u32, Vec<u32>)> = (0..short.programs())
            .map(|p| (short.capacity(p), short.ranking(p).to_vec()))
            .collect();
        let (long, padded) = run(&prefs, &programs);
        assert!(prefs.iter().all(|list| list.len() > LINE));
        let a = allocate(&short);
        assert_eq!(
            padded.assignments().collect::<Vec<_>>(),
            a.assignments().collect::<Vec<_>>()
        );
        for p in 0..short.programs() {
            assert_eq!(padded.cutoff(p), a.cutoff(p));
        }
        for s in 0..short.students() {
            let extra: Vec<_> = padded
                .explain(&long, s)
                .skip(a.explain(&short, s).count())
                .collect();
            let expected = if a.assignment(s).is_some() { 0 } else { 6 };
            assert_eq!(extra.len(), expected, "student {s}");
            assert!(extra.iter().all(|e| e.reason == Reason::NotRanked));
        }
    }
}
