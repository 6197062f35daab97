//! The problem as flat arrays of dense indexes: students `0..students()`, programmes
//! `0..programs()`.

use std::fmt;

use std::sync::atomic::{AtomicU32, Ordering};

use crate::prefetch::prefetch;
use crate::NONE;

/// An allocation problem. Student `s` lists `prefs(s)` (programme indexes, most wanted first);
/// programme `p` has `capacity(p)` places and ranks `ranking(p)` (student indexes, best first).
/// Lists are strict: no index appears twice in one list.
///
/// Building an instance also inverts the rankings: for every preference entry it records the
/// programme's rank of the student, which is what the engine looks up on every proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    pub(crate) pref_start: Vec<u32>,
    pub(crate) prefs: Vec<u32>,
    pub(crate) capacity: Vec<u32>,
    pub(crate) rank_start: Vec<u32>,
    pub(crate) ranking: Vec<u32>,
    /// Per preference entry `j` (student `s` lists programme `prefs[j]`): the programme and its
    /// 0-based rank of `s` (`NONE` when it does not rank `s`), side by side so that the engine
    /// reads both with one memory access.
    pub(crate) entries: Vec<Entry>,
}

/// One preference entry: the programme a student lists and that programme's rank of the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(8))]
pub(crate) struct Entry {
    pub(crate) program: u32,
    pub(crate) rank: u32,
}

/// Why index lists do not form an [`Instance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceError {
    /// Student `student`'s list names programme `program`, which does not exist.
    UnknownProgram { student: usize, program: u32 },
    /// Programme `program`'s ranking names student `student`, which does not exist.
    UnknownStudent { program: usize, student: u32 },
    /// Student `student` lists programme `program` twice.
    DuplicatePref { student: usize, program: u32 },
    /// Programme `program` ranks student `student` twice.
    DuplicateRanked { program: usize, student: u32 },
    /// More students, programmes or list entries than the engine's 32-bit indexes hold.
    TooLarge,
    /// The offsets of the flat arrays do not match their lengths.
    BadOffsets,
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceError::UnknownProgram { student, program } => {
                write!(f, "student {student} lists programme {program}, which does not exist")
            }
            InstanceError::UnknownStudent { program, student } => {
                write!(f, "programme {program} ranks student {student}, who does not exist")
            }
            InstanceError::DuplicatePref { student, program } => {
                write!(f, "student {student} lists programme {program} twice")
            }
            InstanceError::DuplicateRanked { program, student } => {
                write!(f, "programme {program} ranks student {student} twice")
            }
            InstanceError::TooLarge => write!(f, "the problem is too large (at most 4,294,967,294 students, programmes and list entries)"),
            InstanceError::BadOffsets => write!(f, "list offsets do not match the flat arrays"),
        }
    }
}

impl std::error::Error for InstanceError {}

impl Instance {
    /// Builds an instance from one preference list per student and one `(capacity, ranking)` per
    /// programme, checking every index.
    pub fn new(
        prefs: &[Vec<u32>],
        programs: &[(u32, Vec<u32>)],
    ) -> Result<Instance, InstanceError> {
        let mut pref_start = Vec::with_capacity(prefs.len() + 1);
        let mut flat_prefs = Vec::new();
        pref_start.push(0);
        for list in prefs {
            flat_prefs.extend_from_slice(list);
            pref_start.push(to_u32(flat_prefs.len())?);
        }
        let mut rank_start = Vec::with_capacity(programs.len() + 1);
        let mut capacity = Vec::with_capacity(programs.len());
        let mut ranking = Vec::new();
        rank_start.push(0);
        for (cap, list) in programs {
            capacity.push(*cap);
            ranking.extend_from_slice(list);
            rank_start.push(to_u32(ranking.len())?);
        }
        Instance::from_flat(pref_start, flat_prefs, capacity, rank_start, ranking)
    }

    /// Builds an instance from flat arrays: student `s` lists `prefs[pref_start[s]..pref_start[s+1]]`,
    /// programme `p` ranks `ranking[rank_start[p]..rank_start[p+1]]`. Checks every index.
    pub fn from_flat(
        pref_start: Vec<u32>,
        prefs: Vec<u32>,
        capacity: Vec<u32>,
        rank_start: Vec<u32>,
        ranking: Vec<u32>,
    ) -> Result<Instance, InstanceError> {
        let students = pref_start
            .len()
            .checked_sub(1)
            .ok_or(InstanceError::BadOffsets)?;
        let programs = capacity.len();
        if students >= NONE as usize
            || programs >= NONE as usize
            || prefs.len() >= NONE as usize
            || ranking.len() >= NONE as usize
        {
            return Err(InstanceError::TooLarge);
        }
        let offsets_ok = |start: &[u32], len: usize| {
            start.first() == Some(&0)
                && start.last() == Some(&(len as u32))
                && start.windows(2).all(|w| w[0] <= w[1])
        };
        if rank_start.len() != programs + 1
            || !offsets_ok(&pref_start, prefs.len())
            || !offsets_ok(&rank_start, ranking.len())
        {
            return Err(InstanceError::BadOffsets);
        }
        // `seen[x] == list + 1` when x already appeared in the current list.
        let mut seen = vec![0u32; programs];
        for s in 0..students {
            for &p in &prefs[pref_start[s] as usize..pref_start[s + 1] as usize] {
                let slot = seen
                    .get_mut(p as usize)
                    .ok_or(InstanceError::UnknownProgram {
                        student: s,
                        program: p,
                    })?;
                if *slot == s as u32 + 1 {
                    return Err(InstanceError::DuplicatePref {
                        student: s,
                        program: p,
                    });
                }
                *slot = s as u32 + 1;
            }
        }
        let mut seen = vec![0u32; students];
        for p in 0..programs {
            for &s in &ranking[rank_start[p] as usize..rank_start[p + 1] as usize] {
                let slot = seen
                    .get_mut(s as usize)
                    .ok_or(InstanceError::UnknownStudent {
                        program: p,
                        student: s,
                    })?;
                if *slot == p as u32 + 1 {
                    return Err(InstanceError::DuplicateRanked {
                        program: p,
                        student: s,
                    });
                }
                *slot = p as u32 + 1;
            }
        }
        Ok(Instance::with_ranks(
            pref_start, prefs, capacity, rank_start, ranking,
        ))
    }

    /// The instance of already checked flat arrays, with every preference entry's rank.
    pub(crate) fn with_ranks(
        pref_start: Vec<u32>,
        prefs: Vec<u32>,
        capacity: Vec<u32>,
        rank_start: Vec<u32>,
        ranking: Vec<u32>,
    ) -> Instance {
        let mut inst = Instance {
            pref_start,
            prefs,
            capacity,
            rank_start,
            ranking,
            entries: Vec::new(),
        };
        inst.entries = entry_ranks(&inst);
        inst
    }

    /// Number of students.
    pub fn students(&self) -> usize {
        self.pref_start.len() - 1
    }

    /// Number of programmes.
    pub fn programs(&self) -> usize {
        self.capacity.len()
    }

    /// Student `s`'s programmes, most wanted first.
    pub fn prefs(&self, s: usize) -> &[u32] {
        &self.prefs[self.pref_start[s] as usize..self.pref_start[s + 1] as usize]
    }

    /// Programme `p`'s ranking of students, best first.
    pub fn ranking(&self, p: usize) -> &[u32] {
        &self.ranking[self.rank_start[p] as usize..self.rank_start[p + 1] as usize]
    }

    /// Programme `p`'s number of places.
    pub fn capacity(&self, p: usize) -> u32 {
        self.capacity[p]
    }

    /// Total length of all preference lists.
    pub fn pref_entries(&self) -> usize {
        self.prefs.len()
    }

    /// Recomputes every preference entry's rank, as building the instance does, and returns how
    /// long it took (for the benchmark's breakdown).
    #[doc(hidden)]
    pub fn time_rank_precomputation(&self) -> std::time::Duration {
        let started = std::time::Instant::now();
        let entries = entry_ranks(self);
        let elapsed = started.elapsed();
        assert!(entries == self.entries);
        elapsed
    }

    /// Total length of all rankings.
    pub fn ranking_entries(&self) -> usize {
        self.ranking.len()
    }
}

/// Lists at most this long have their entries' ranks found by scanning the list (see
/// [`entry_ranks`]).
const SHORT_LIST: u32 = 16;

/// How many ranking entries ahead the scattered lists are prefetched.
const AHEAD: usize = 8;

/// For every preference entry `j` (student `s` lists programme `p`): `p` and `p`'s 0-based rank
/// of `s`, or `NONE` when `p` does not rank `s`.
///
/// When every list is short (the usual case: a handful of choices), each ranking entry finds its
/// preference entry by scanning the student's list, without a branch per entry, in one pass over
/// the rankings (on two threads for large instances). Otherwise
/// (that could cost `entries × list length`) the ranking entries are bucketed by student first
/// (a counting sort), and each student stamps their rankings into a programme-indexed array and
/// reads their own entries back from it: `O(entries)` either way, no hashing.
pub(crate) fn entry_ranks(inst: &Instance) -> Vec<Entry> {
    let mut entries: Vec<Entry> = inst
        .prefs
        .iter()
        .map(|&program| Entry {
            program,
            rank: NONE,
        })
        .collect();
    let longest = inst
        .pref_start
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or(0);
    if longest > SHORT_LIST {
        ranks_by_student(inst, &mut entries);
        return entries;
    }
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    // SAFETY: `Entry` is two `u32`s (`repr(C)`), `AtomicU32` has the size and alignment of
    // `u32`, and `entries` stays borrowed (mutably, so by nothing else) for as long as `cells`
    // lives.
    let cells: &[AtomicU32] = unsafe {
        std::slice::from_raw_parts(entries.as_mut_ptr().cast::<AtomicU32>(), 2 * entries.len())
    };
    if !parallel || inst.ranking.len() < 100_000 {
        scan_rankings(inst, 0..inst.programs(), cells);
        return entries;
    }
    // Two threads, each with about half the ranking entries. They write disjoint entries: entry
    // `j` only ever gets the rank from programme `prefs[j]`.
    let half = inst.ranking.len() as u32 / 2;
    let mid = inst
        .rank_start
        .partition_point(|&start| start < half)
        .min(inst.programs());
    std::thread::scope(|scope| {
        scope.spawn(|| scan_rankings(inst, mid..inst.programs(), cells));
        scan_rankings(inst, 0..mid, cells);
    });
    entries
}

/// [`entry_ranks`] for the rankings of the programmes in `programs`, by scanning each ranked
/// student's (short) list for the programme. `cells` are the entries as `u32`s: entry `j`'s
/// programme at `2j`, its rank at `2j + 1`.
fn scan_rankings(inst: &Instance, programs: std::ops::Range<usize>, cells: &[AtomicU32]) {
    let (pref_start, ranking) = (&inst.pref_start[..], &inst.ranking[..]);
    let end = inst.rank_start[programs.end] as usize;
    for p in programs {
        let (from, to) = (inst.rank_start[p] as usize, inst.rank_start[p + 1] as usize);
        for i in from..to {
            if let Some(&t) = ranking[..end].get(i + 2 * AHEAD) {
                prefetch(&pref_start[t as usize]);
            }
            if let Some(&t) = ranking[..end].get(i + AHEAD) {
                if let Some(cell) = cells.get(2 * pref_start[t as usize] as usize) {
                    prefetch(cell);
                }
            }
            let s = ranking[i] as usize;
            let r = (i - from) as u32;
            let (a, b) = (pref_start[s] as usize, pref_start[s + 1] as usize);
            let list = &cells[2 * a..2 * b];
            let program = |pair: &[AtomicU32]| pair[0].load(Ordering::Relaxed) == p as u32;
            // Only the matching entry is written: the other thread may be writing the others.
            if let Some(k) = position(list.chunks_exact(2), program) {
                list[2 * k + 1].store(r, Ordering::Relaxed);
            }
        }
    }
}

/// The position of the last item of a short list that matches, found without branching on the
/// items: which one matches is unpredictable, so a branch per item costs a misprediction.
#[inline(always)]
fn position<T>(list: impl Iterator<Item = T>, matches: impl Fn(T) -> bool) -> Option<usize> {
    let mut found = usize::MAX;
    for (k, item) in list.enumerate() {
        found = if matches(item) { k } else { found };
    }
    (found != usize::MAX).then_some(found)
}

/// [`entry_ranks`] by counting sort, for instances with long lists.
fn ranks_by_student(inst: &Instance, out: &mut [Entry]) {
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
        let from = inst.pref_start[s] as usize;
        for (k, &p) in inst.prefs(s).iter().enumerate() {
            let (who, rank) = mark[p as usize];
            out[from + k].rank = if who == s as u32 { rank } else { NONE };
        }
    }
}

pub(crate) fn to_u32(n: usize) -> Result<u32, InstanceError> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != NONE)
        .ok_or(InstanceError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_follow_the_lists() {
        let inst = Instance::new(&[vec![1, 0], vec![]], &[(1, vec![0]), (0, vec![1, 0])]).unwrap();
        assert_eq!(inst.students(), 2);
        assert_eq!(inst.programs(), 2);
        assert_eq!(inst.prefs(0), &[1, 0]);
        assert!(inst.prefs(1).is_empty());
        assert_eq!(inst.ranking(1), &[1, 0]);
        assert_eq!(inst.capacity(0), 1);
        assert_eq!((inst.pref_entries(), inst.ranking_entries()), (2, 3));
    }

    #[test]
    fn ranks_are_the_same_for_short_and_long_lists() {
        // Student 0 lists every programme (longer than SHORT_LIST): the counting sort path.
        let programs = 40u32;
        let prefs = vec![(0..programs).rev().collect::<Vec<_>>(), vec![3, 1]];
        let list: Vec<(u32, Vec<u32>)> = (0..programs)
            .map(|p| {
                (
                    1,
                    if p % 3 == 0 {
                        vec![]
                    } else if p % 2 == 0 {
                        vec![1, 0]
                    } else {
                        vec![0, 1]
                    },
                )
            })
            .collect();
        let long = Instance::new(&prefs, &list).unwrap();
        let mut by_student: Vec<Entry> = long
            .prefs
            .iter()
            .map(|&program| Entry { program, rank: 0 })
            .collect();
        ranks_by_student(&long, &mut by_student);
        assert_eq!(long.entries, by_student);
        let expected = |p: u32, s: u32| {
            list[p as usize]
                .1
                .iter()
                .position(|&t| t == s)
                .map_or(NONE, |r| r as u32)
        };
        for s in 0..2usize {
            for (k, &p) in long.prefs(s).iter().enumerate() {
                assert_eq!(
                    long.entries[long.pref_start[s] as usize + k].rank,
                    expected(p, s as u32)
                );
            }
        }
        // Without the long list: the scanning path, same ranks for student 1.
        let short = Instance::new(&[vec![], vec![3, 1]], &list).unwrap();
        let ranks = |inst: &Instance| inst.entries.iter().map(|e| e.rank).collect::<Vec<_>>();
        assert_eq!(ranks(&short), vec![expected(3, 1), expected(1, 1)]);
        assert_eq!(&ranks(&long)[programs as usize..], &ranks(&short)[..]);
    }

    #[test]
    fn bad_indexes_and_duplicates_are_refused() {
        assert_eq!(
            Instance::new(&[vec![2]], &[(1, vec![])]),
            Err(InstanceError::UnknownProgram {
                student: 0,
                program: 2
            })
        );
        assert_eq!(
            Instance::new(&[vec![0]], &[(1, vec![3])]),
            Err(InstanceError::UnknownStudent {
                program: 0,
                student: 3
            })
        );
        assert_eq!(
            Instance::new(&[vec![0, 0]], &[(1, vec![])]),
            Err(InstanceError::DuplicatePref {
                student: 0,
                program: 0
            })
        );
        assert_eq!(
            Instance::new(&[vec![], vec![]], &[(1, vec![1]), (1, vec![1, 1])]),
            Err(InstanceError::DuplicateRanked {
                program: 1,
                student: 1
            })
        );
        assert_eq!(
            Instance::from_flat(vec![0, 2], vec![0], vec![1], vec![0, 0], vec![]),
            Err(InstanceError::BadOffsets)
        );
        assert_eq!(
            Instance::from_flat(vec![], vec![], vec![], vec![0], vec![]),
            Err(InstanceError::BadOffsets)
        );
    }
}
