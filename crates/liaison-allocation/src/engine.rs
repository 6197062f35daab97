//! Student-proposing deferred acceptance over flat arrays.
//!
//! Every preference entry's rank (the programme's rank of the student, or "not ranked") is
//! computed once, when the [`Instance`] is built. Free students then propose down their lists. A
//! proposal is held if the programme has a free place, or if it beats the worst student the
//! programme holds, who is then freed and goes on down their own list. Each programme's students
//! are one bit per entry of its ranking (one shared bit array), plus the rank of the worst one
//! held: once a programme is full its worst student held only ever gets better, so finding the
//! next worst by scanning down its bits costs `O(ranking length / 64)` for the whole run, and the
//! run is `O(entries)`. Every student proposes to each programme at most once.
//!
//! Proposal order does not change the outcome (the student-optimal stable matching is unique, and
//! every student proposes exactly down to their final programme whatever the order), so students
//! propose in input order and displaced students join a queue; on large instances the cost is
//! memory latency (a displaced student's list is anywhere), so a displaced student is queued as
//! their ranking entry (no load on the proposal's path), and the queue's next students, their
//! list entries and programmes are prefetched.

use crate::prefetch::prefetch;
use std::time::{Duration, Instant};

use crate::instance::Entry;
use crate::{Instance, NONE};

/// How many students ahead in the queue their state is prefetched.
const AHEAD: usize = 8;

/// The result of [`allocate`]: the student-optimal stable matching, cut-offs and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Per student: the place they got, or [`Place::NOTHING`].
    places: Vec<Place>,
    /// Per programme: the number of students admitted.
    filled: Vec<u32>,
    /// Per programme: the 0-based rank of the last student admitted when the programme is full
    /// (and has places), otherwise `NONE`.
    cutoff: Vec<u32>,
}

/// The place a student holds: the programme and the index of its entry in the flat preference
/// array (a displaced student resumes just after it). Both are recorded together when the
/// proposal is accepted, so that reading the result out is one sequential pass, not a scattered
/// lookup of every student's entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(8))]
struct Place {
    program: u32,
    entry: u32,
}

impl Place {
    const NOTHING: Place = Place {
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
        let start = inst.pref_start[s] as usize;
        let end = match self.places[s].entry {
            NONE => inst.pref_start[s + 1] as usize,
            entry => entry as usize,
        };
        (start..end).map(move |j| {
            let Entry { program, rank } = inst.entries[j];
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

/// A programme's state during the run: where its ranking starts in the flat ranking array (and
/// so in the bit set of students held), how many places it can fill (its places, but never more
/// than the students it ranks), how many are filled, and the rank of the worst student held.
#[derive(Clone, Copy)]
struct Prog {
    base: u32,
    slots: u32,
    filled: u32,
    worst: u32,
}

/// How long each phase of [`allocate`] took (for the benchmark's breakdown).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Setting up the programmes' state and every proposal, to the last displaced student.
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
    let entries = &inst.entries[..];

    let mut progs: Vec<Prog> = (0..inst.programs())
        .map(|p| Prog {
            base: inst.rank_start[p],
            slots: (inst.rank_start[p + 1] - inst.rank_start[p]).min(inst.capacity[p]),
            filled: 0,
            worst: 0,
        })
        .collect();
    // One bit per ranking entry: set while the programme holds that student. A programme's
    // worst student held only ever gets better once it is full, so finding the next worst by
    // scanning down its bits costs `O(ranking length / 64)` over the whole run.
    let mut held = vec![0u64; inst.ranking.len() / 64 + 1];
    // Per student: the place they hold (a displaced student resumes just after its entry).
    let mut places: Vec<Place> = vec![Place::NOTHING; students];
    // Students displaced and waiting to propose again, each as the ranking entry (index into
    // the flat ranking array) of the programme that displaced them: reading the student out of
    // the ranking is left to when the queue gets near them, so that it can be prefetched
    // instead of stalling the proposal. Knowing who comes next lets their scattered state be
    // prefetched while others propose.
    let mut queue: Vec<u32> = Vec::with_capacity(students);
    let ranking = &inst.ranking[..];
    // Everyone proposes once in input order (their lists are read sequentially), then the
    // displaced students go on down their lists, first come first served.
    for (s, place) in places.iter_mut().enumerate() {
        if let Some(&j) = inst.pref_start.get(s + AHEAD) {
            if let Some(&Entry { program: p, .. }) = entries.get(j as usize) {
                prefetch(&progs[p as usize]);
            }
        }
        *place = propose(
            inst,
            s as u32,
            inst.pref_start[s],
            &mut progs,
            &mut held,
            &mut queue,
        );
    }
    let mut head = 0;
    while head < queue.len() {
        if let Some(&k) = queue.get(head + 3 * AHEAD) {
            prefetch(&ranking[k as usize]);
        }
        if let Some(&k) = queue.get(head + 2 * AHEAD) {
            let t = ranking[k as usize] as usize;
            prefetch(&places[t]);
            prefetch(&inst.pref_start[t + 1]);
        }
        if let Some(&k) = queue.get(head + AHEAD) {
            let j = places[ranking[k as usize] as usize].entry as usize + 1;
            if let Some(entry) = entries.get(j) {
                prefetch(entry);
            }
        }
        if let Some(&k) = queue.get(head + AHEAD / 2) {
            let j = places[ranking[k as usize] as usize].entry as usize + 1;
            if let Some(&Entry { program: p, .. }) = entries.get(j) {
                prefetch(&progs[p as usize]);
            }
        }
        let s = ranking[queue[head] as usize];
        head += 1;
        let from = places[s as usize].entry + 1;
        places[s as usize] = propose(inst, s, from, &mut progs, &mut held, &mut queue);
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
        filled,
        cutoff,
    };
    let phases = Phases {
        proposals: proposed - started,
        result: proposed.elapsed(),
    };
    (alloc, phases)
}

/// Student `s` proposes down their list from entry `from`: returns the place that holds them, or
/// [`Place::NOTHING`]; a student they displace joins `queue` (as their ranking entry).
#[inline(always)]
fn propose(
    inst: &Instance,
    s: u32,
    from: u32,
    progs: &mut [Prog],
    held: &mut [u64],
    queue: &mut Vec<u32>,
) -> Place {
    let end = inst.pref_start[s as usize + 1];
    let mut j = from;
    while j < end {
        let Entry { program: p, rank } = inst.entries[j as usize];
        j += 1;
        if rank == NONE {
            continue;
        }
        let prog = &mut progs[p as usize];
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
            queue.push(worst as u32);
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
}
