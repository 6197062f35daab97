//! The students' preference lists as the engine reads them: each student's list starts on its own
//! cache line, eight entries (programme and rank) to a line.
//!
//! Both the first pass (once per ranking entry) and the engine (once per displaced student) jump
//! to a student's list at random. With one line per student, which is every student when lists
//! hold at most eight choices, the list of student `s` is line `s`: one memory access, with no
//! offsets array to read first and no list split across two lines.

use crate::{Instance, NONE};

/// Entries per line.
pub(crate) const LINE: usize = 8;

/// Whether `students` lists of `entries` entries in all have entry indexes (`8 * line + slot`)
/// that fit the engine's `u32`s (with `NONE` left over): each list takes at most one line more
/// than its entries fill.
pub(crate) fn indexes_fit(students: usize, entries: usize) -> bool {
    (students + entries / LINE + 1)
        .checked_mul(LINE)
        .is_some_and(|slots| slots < NONE as usize)
}

/// The limits [`indexes_fit`] and the flat arrays' `u32` offsets put on a problem, as told to
/// users.
pub(crate) const LIMITS: &str = "at most 536,870,910 students (fewer the longer their lists), \
    4,294,967,294 programmes and 4,294,967,294 entries in all lists together";

/// Up to eight entries of one student's list, programmes first: slot `k` is the student's choice
/// `8 * i + k` on the `i`-th line of their list; slots past the end of the list hold `NONE`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Line {
    pub(crate) programs: [u32; LINE],
    /// The programme's 0-based rank of the student, `NONE` when it does not rank them.
    pub(crate) ranks: [u32; LINE],
}

impl Line {
    /// The line of the list `prefs[start..end]` (at most eight programmes), every rank `NONE`.
    #[inline(always)]
    pub(crate) fn new(prefs: &[u32], start: usize, end: usize) -> Line {
        let len = end - start;
        debug_assert!(len <= LINE);
        let programs = match prefs.get(start..start + LINE) {
            // Eight entries read at once, those past the list masked off: no branch per entry.
            Some(window) => std::array::from_fn(|k| if k < len { window[k] } else { NONE }),
            None => std::array::from_fn(|k| if k < len { prefs[start + k] } else { NONE }),
        };
        Line {
            programs,
            ranks: [NONE; LINE],
        }
    }
}

/// One preference entry: the programme a student lists and its rank of the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) program: u32,
    pub(crate) rank: u32,
}

/// Every student's list, in lines. An entry's index is `8 * line + slot`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lists {
    pub(crate) lines: Vec<Line>,
    /// Per student (and one past the last), their first line; `None` when every student has one
    /// line (lists of at most eight), so that student `s`'s line is `s`.
    line_start: Option<Vec<u32>>,
}

impl Lists {
    /// The lists of `inst`, every rank `NONE`.
    pub(crate) fn new(inst: &Instance) -> Lists {
        let students = inst.students();
        if Lists::fit_one_line_each(inst) {
            let lines = (0..students)
                .map(|s| {
                    let (start, end) = (inst.pref_start[s], inst.pref_start[s + 1]);
                    Line::new(&inst.prefs, start as usize, end as usize)
                })
                .collect();
            return Lists::one_line_each(lines);
        }
        // Every student takes as many lines as their list fills, and at least one.
        let mut line_start = Vec::with_capacity(students + 1);
        line_start.push(0u32);
        for w in inst.pref_start.windows(2) {
            let lines = ((w[1] - w[0]) as usize).div_ceil(LINE).max(1);
            line_start.push(line_start[line_start.len() - 1] + lines as u32);
        }
        let empty = Line {
            programs: [NONE; LINE],
            ranks: [NONE; LINE],
        };
        let mut lines = vec![empty; line_start[students] as usize];
        for (s, &first) in line_start[..students].iter().enumerate() {
            let chunks = inst.prefs(s).chunks(LINE);
            for (chunk, line) in chunks.zip(&mut lines[first as usize..]) {
                line.programs[..chunk.len()].copy_from_slice(chunk);
            }
        }
        Lists {
            lines,
            line_start: Some(line_start),
        }
    }

    /// Whether every list of `inst` fits one line.
    pub(crate) fn fit_one_line_each(inst: &Instance) -> bool {
        inst.pref_start
            .windows(2)
            .all(|w| w[1] - w[0] <= LINE as u32)
    }

    /// The lists of one line per student, line `s` being student `s`'s.
    pub(crate) fn one_line_each(lines: Vec<Line>) -> Lists {
        Lists {
            lines,
            line_start: None,
        }
    }

    /// The index of student `s`'s first entry.
    #[inline(always)]
    pub(crate) fn start(&self, s: usize) -> u32 {
        match &self.line_start {
            None => (s * LINE) as u32,
            Some(start) => start[s] * LINE as u32,
        }
    }

    /// One past the index of student `s`'s last slot (the slots between the end of their list and
    /// this hold `NONE`).
    #[inline(always)]
    pub(crate) fn end(&self, s: usize) -> u32 {
        self.start(s + 1)
    }

    /// Entry `j`.
    #[inline(always)]
    pub(crate) fn entry(&self, j: u32) -> Entry {
        let line = &self.lines[j as usize / LINE];
        let k = j as usize % LINE;
        Entry {
            program: line.programs[k],
            rank: line.ranks[k],
        }
    }

    /// Sets entry `j`'s rank.
    pub(crate) fn set_rank(&mut self, j: u32, rank: u32) {
        self.lines[j as usize / LINE].ranks[j as usize % LINE] = rank;
    }
}
