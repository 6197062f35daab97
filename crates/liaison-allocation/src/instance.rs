//! The problem as flat arrays of dense indexes: students `0..students()`, programmes
//! `0..programs()`.

use std::fmt;

use crate::lists::{indexes_fit, LIMITS};
use crate::NONE;

/// An allocation problem. Student `s` lists `prefs(s)` (programme indexes, most wanted first);
/// programme `p` has `capacity(p)` places and ranks `ranking(p)` (student indexes, best first).
/// Lists are strict: no index appears twice in one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    pub(crate) pref_start: Vec<u32>,
    pub(crate) prefs: Vec<u32>,
    pub(crate) capacity: Vec<u32>,
    pub(crate) rank_start: Vec<u32>,
    pub(crate) ranking: Vec<u32>,
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
                write!(
                    f,
                    "student {student} lists programme {program}, which does not exist"
                )
            }
            InstanceError::UnknownStudent { program, student } => {
                write!(
                    f,
                    "programme {program} ranks student {student}, who does not exist"
                )
            }
            InstanceError::DuplicatePref { student, program } => {
                write!(f, "student {student} lists programme {program} twice")
            }
            InstanceError::DuplicateRanked { program, student } => {
                write!(f, "programme {program} ranks student {student} twice")
            }
            InstanceError::TooLarge => write!(f, "the problem is too large ({LIMITS})"),
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
        if !indexes_fit(students, prefs.len())
            || programs >= NONE as usize
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
        Ok(Instance::from_checked(
            pref_start, prefs, capacity, rank_start, ranking,
        ))
    }

    /// The instance of flat arrays already checked (as [`Instance::from_flat`] checks them).
    pub(crate) fn from_checked(
        pref_start: Vec<u32>,
        prefs: Vec<u32>,
        capacity: Vec<u32>,
        rank_start: Vec<u32>,
        ranking: Vec<u32>,
    ) -> Instance {
        Instance {
            pref_start,
            prefs,
            capacity,
            rank_start,
            ranking,
        }
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

    /// Total length of all rankings.
    pub fn ranking_entries(&self) -> usize {
        self.ranking.len()
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
