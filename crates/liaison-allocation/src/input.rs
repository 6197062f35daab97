//! From ids to indexes: [`InputBuilder`] takes students and programmes one by one, as the JSON
//! reader meets them, interns every id to a dense integer, checks the input (duplicate ids,
//! duplicate list entries, negative capacities, unknown ids) and yields a [`Problem`].
//!
//! Ids may be referenced before they are defined (a ranking may name a student listed later, and
//! the `programs` array may come after `students`), so every name gets a *symbol* when first seen;
//! `finish` maps symbols to students and programmes, in input order.
//!
//! Interning is the costliest part of reading a large input: a million students listed five times
//! each in rankings, in score order, means millions of lookups at random places in a large table.
//! So the table is built to cost about one cache miss per lookup, and to overlap those misses:
//! open addressing with 32-byte slots that hold short ids inline (no pointer to follow to compare
//! keys) together with the symbol and the duplicate-detection stamp; and a whole list (or a batch
//! of definitions) is hashed and its slots prefetched before any of it is looked up.

use std::borrow::Cow;
use std::fmt;
use std::hash::Hasher;

use crate::hash::IdHasher;
use crate::lists::{indexes_fit, LIMITS};
use crate::prefetch::prefetch;
use crate::{Instance, NONE};

/// How many problems are kept in detail; the rest are only counted.
const MAX_ERRORS: usize = 100;

/// Ids up to this many bytes are stored in the table itself.
const INLINE: usize = 19;

/// `Slot::len` of an id longer than `INLINE`, compared through `Names::names`.
const LONG: u8 = u8::MAX;

/// Definitions are interned in batches of this many, their slots prefetched together.
const BATCH: usize = 32;

/// A checked problem: the instance plus the ids of its students and programmes, by index.
#[derive(Clone, Debug)]
pub struct Problem<'a> {
    pub instance: Instance,
    pub student_ids: Vec<Cow<'a, str>>,
    pub program_ids: Vec<Cow<'a, str>>,
}

/// One problem with the input, naming the offending entry by its position in the `students` or
/// `programs` array (0-based, as in `students[3]`) and by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    DuplicateStudentId {
        index: usize,
        id: String,
        first: usize,
    },
    DuplicateProgramId {
        index: usize,
        id: String,
        first: usize,
    },
    DuplicatePref {
        index: usize,
        id: String,
        program: String,
    },
    DuplicateRanked {
        index: usize,
        id: String,
        student: String,
    },
    NegativeCapacity {
        index: usize,
        id: String,
        capacity: i64,
    },
    UnknownProgram {
        index: usize,
        id: String,
        program: String,
    },
    UnknownStudent {
        index: usize,
        id: String,
        student: String,
    },
    TooLarge,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::DuplicateStudentId { index, id, first } => {
                write!(
                    f,
                    "duplicate student id {id:?} at students[{index}] (first at students[{first}])"
                )
            }
            InputError::DuplicateProgramId { index, id, first } => {
                write!(f, "duplicate programme id {id:?} at programs[{index}] (first at programs[{first}])")
            }
            InputError::DuplicatePref { index, id, program } => {
                write!(
                    f,
                    "students[{index}] (id {id:?}): prefs lists {program:?} twice"
                )
            }
            InputError::DuplicateRanked { index, id, student } => {
                write!(
                    f,
                    "programs[{index}] (id {id:?}): ranking lists {student:?} twice"
                )
            }
            InputError::NegativeCapacity {
                index,
                id,
                capacity,
            } => {
                write!(
                    f,
                    "programs[{index}] (id {id:?}): capacity {capacity} is negative"
                )
            }
            InputError::UnknownProgram { index, id, program } => {
                write!(
                    f,
                    "students[{index}] (id {id:?}): prefs lists unknown programme {program:?}"
                )
            }
            InputError::UnknownStudent { index, id, student } => {
                write!(
                    f,
                    "programs[{index}] (id {id:?}): ranking lists unknown student {student:?}"
                )
            }
            InputError::TooLarge => {
                write!(f, "the input is too large ({LIMITS})")
            }
        }
    }
}

/// Every problem found in an input (the first [`MAX_ERRORS`] in detail), in input order: first
/// those found while reading, then unknown ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    /// How many more problems there were beyond `errors`.
    pub more: usize,
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.more > 0 {
            write!(f, "\n… and {} more problem(s)", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

/// An id as the table stores it: short ids (up to `INLINE` bytes) zero-padded with their length
/// in the last byte, so that comparing two keys is comparing 20 bytes; longer ids are all zeros
/// and `LONG`, compared through `Names::names`.
type Key = [u8; INLINE + 1];

fn key_of(bytes: &[u8]) -> Key {
    let mut key = [0u8; INLINE + 1];
    let n = bytes.len();
    if n > INLINE {
        key[INLINE] = LONG;
        return key;
    }
    // Whole 8-byte words, then single bytes: plain moves, no call to `memcpy` for a few bytes.
    let mut done = 0;
    while done + 8 <= n {
        key[done..done + 8].copy_from_slice(&bytes[done..done + 8]);
        done += 8;
    }
    key[done..n].copy_from_slice(&bytes[done..n]);
    key[INLINE] = n as u8;
    key
}

fn hash_of(key: &Key, bytes: &[u8]) -> u64 {
    let mut h = IdHasher::default();
    if key[INLINE] == LONG {
        h.write(bytes);
    } else {
        h.write_u64(u64::from_le_bytes(key[..8].try_into().expect("8 bytes")));
        h.write_u64(u64::from_le_bytes(key[8..16].try_into().expect("8 bytes")));
        h.write_u32(u32::from_le_bytes(key[16..].try_into().expect("4 bytes")));
    }
    h.finish()
}

/// An id, with what the interner needs to look it up computed in advance, so that a reader
/// thread can do that work while another interns.
#[derive(Clone, Debug)]
pub struct Id<'a> {
    name: Cow<'a, str>,
    hash: u64,
    key: Key,
}

impl<'a> Id<'a> {
    /// Prepares `name` for interning (hashes it).
    pub fn new(name: Cow<'a, str>) -> Id<'a> {
        let key = key_of(name.as_bytes());
        Id {
            hash: hash_of(&key, name.as_bytes()),
            key,
            name,
        }
    }

    /// The id itself.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl<'a> From<&'a str> for Id<'a> {
    fn from(name: &'a str) -> Id<'a> {
        Id::new(Cow::Borrowed(name))
    }
}

impl From<String> for Id<'_> {
    fn from(name: String) -> Id<'static> {
        Id::new(Cow::Owned(name))
    }
}

/// One slot of the open-addressing table: half a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    /// The high half of the id's hash.
    tag: u32,
    /// The symbol, or `NONE` for an empty slot.
    sym: u32,
    /// `list + 1` when last seen in list `list`, to find an id listed twice.
    stamp: u32,
    key: Key,
}

const EMPTY: Slot = Slot {
    tag: 0,
    sym: NONE,
    stamp: 0,
    key: [0; INLINE + 1],
};

/// How many list entries ahead of the lookup their slots are prefetched.
const AHEAD: usize = 16;

/// Problems found so far.
#[derive(Default)]
struct Errors {
    list: Vec<InputError>,
    more: usize,
}

impl Errors {
    fn push(&mut self, e: InputError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Student,
    Program,
}

/// One namespace of ids (students or programmes).
struct Names<'a> {
    kind: Kind,
    /// Power-of-two sized, at most half full.
    slots: Vec<Slot>,
    /// Per symbol: its id.
    names: Vec<Cow<'a, str>>,
    /// Per symbol: the student/programme (position in the input array) defining it, or `NONE`.
    entity: Vec<u32>,
    /// Per definition, in input order: its symbol.
    defs: Vec<u32>,
    /// Definitions not interned yet.
    pending: Vec<Id<'a>>,
}

impl<'a> Names<'a> {
    fn new(kind: Kind) -> Names<'a> {
        Names {
            kind,
            slots: vec![EMPTY; 1024],
            names: Vec::new(),
            entity: Vec::new(),
            defs: Vec::new(),
            pending: Vec::with_capacity(BATCH),
        }
    }

    /// Number of definitions, interned or pending.
    fn defined(&self) -> usize {
        self.defs.len() + self.pending.len()
    }

    #[inline]
    fn home(&self, h: u64) -> usize {
        h as usize & (self.slots.len() - 1)
    }

    #[inline]
    fn same(&self, slot: &Slot, key: &Key, name: &str) -> bool {
        slot.key == *key && (key[INLINE] != LONG || self.names[slot.sym as usize] == name)
    }

    /// The slot holding `name`, or the empty slot where it belongs.
    #[inline]
    fn probe(&self, name: &str, h: u64, key: &Key) -> (usize, bool) {
        let tag = (h >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = &self.slots[i];
            if slot.sym == NONE {
                return (i, false);
            }
            if slot.tag == tag && self.same(slot, key, name) {
                return (i, true);
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot of `id`, giving it a new symbol if it has none yet.
    #[inline]
    fn intern(&mut self, id: &Id<'a>) -> usize {
        let (i, found) = self.probe(&id.name, id.hash, &id.key);
        if found {
            return i;
        }
        let sym = self.names.len() as u32;
        self.slots[i] = Slot {
            tag: (id.hash >> 32) as u32,
            sym,
            stamp: 0,
            key: id.key,
        };
        self.names.push(id.name.clone());
        self.entity.push(NONE);
        if self.names.len() * 2 > self.slots.len() {
            self.grow();
            return self.probe(&id.name, id.hash, &id.key).0;
        }
        i
    }

    /// Starts loading the slots of `ids`, to be interned soon.
    fn prefetch(&self, ids: &[Id<'a>]) {
        for id in ids {
            prefetch(&self.slots[self.home(id.hash)]);
        }
    }

    fn grow(&mut self) {
        let bigger = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.sym != NONE) {
            let long = if slot.key[INLINE] == LONG {
                self.names[slot.sym as usize].as_bytes()
            } else {
                &[]
            };
            let h = hash_of(&slot.key, long);
            let mut i = h as usize & mask;
            while self.slots[i].sym != NONE {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Interns every id of one list (list number `stamp - 1`), appending their symbols to `out`;
    /// ids already seen in this list go to `twice` instead. Slots are prefetched `AHEAD` entries
    /// before they are looked up, so that the cache misses of a long ranking overlap.
    fn intern_list(
        &mut self,
        list: &[Id<'a>],
        stamp: u32,
        out: &mut Vec<u32>,
        twice: &mut Vec<Cow<'a, str>>,
    ) {
        self.prefetch(&list[..list.len().min(AHEAD)]);
        for (k, id) in list.iter().enumerate() {
            if let Some(ahead) = list.get(k + AHEAD) {
                prefetch(&self.slots[self.home(ahead.hash)]);
            }
            let i = self.intern(id);
            let slot = &mut self.slots[i];
            if slot.stamp == stamp {
                twice.push(id.name.clone());
            } else {
                slot.stamp = stamp;
                out.push(slot.sym);
            }
        }
    }

    /// Queues the definition of the next student/programme.
    fn define(&mut self, id: Id<'a>, errors: &mut Errors) {
        prefetch(&self.slots[self.home(id.hash)]);
        self.pending.push(id);
        if self.pending.len() >= BATCH {
            self.flush(errors);
        }
    }

    /// Interns the queued definitions, in order, reporting ids defined twice.
    fn flush(&mut self, errors: &mut Errors) {
        let mut pending = std::mem::take(&mut self.pending);
        for id in pending.drain(..) {
            let index = self.defs.len();
            let i = self.intern(&id);
            let sym = self.slots[i].sym;
            match self.entity[sym as usize] {
                NONE => self.entity[sym as usize] = index as u32,
                first => {
                    let (index, id, first) = (index, id.name.into_owned(), first as usize);
                    errors.push(match self.kind {
                        Kind::Student => InputError::DuplicateStudentId { index, id, first },
                        Kind::Program => InputError::DuplicateProgramId { index, id, first },
                    });
                }
            }
            self.defs.push(sym);
        }
        self.pending = pending;
    }

    /// The id of definition `index`.
    fn id(&self, index: usize) -> String {
        self.names[self.defs[index] as usize].to_string()
    }

    /// The ids in definition order (once every definition is interned and none is duplicated).
    fn into_ids(mut self) -> Vec<Cow<'a, str>> {
        if self
            .defs
            .iter()
            .enumerate()
            .all(|(i, &sym)| i == sym as usize)
            && self.defs.len() == self.names.len()
        {
            return self.names;
        }
        self.defs
            .iter()
            .map(|&sym| std::mem::take(&mut self.names[sym as usize]))
            .collect()
    }
}

/// Collects the input and checks it; see the module documentation.
pub struct InputBuilder<'a> {
    students: Names<'a>,
    programs: Names<'a>,
    /// Preference lists and rankings as symbols, until `finish` maps them to indexes.
    pref_start: Vec<u32>,
    prefs: Vec<u32>,
    capacity: Vec<u32>,
    rank_start: Vec<u32>,
    ranking: Vec<u32>,
    errors: Errors,
    /// Scratch: ids listed twice in the current list.
    twice: Vec<Cow<'a, str>>,
    too_large: bool,
}

impl Default for InputBuilder<'_> {
    fn default() -> Self {
        InputBuilder::new()
    }
}

impl<'a> InputBuilder<'a> {
    /// A builder whose student table starts with room for about `students` students: a hint,
    /// saving the table's growth steps when the count is known or guessed from the input's size.
    pub fn with_expected_students(students: usize) -> InputBuilder<'a> {
        let mut builder = InputBuilder::new();
        let slots = (students.saturating_mul(2))
            .clamp(1024, 1 << 31)
            .next_power_of_two();
        builder.students.slots = vec![EMPTY; slots];
        builder
    }

    /// An empty builder.
    pub fn new() -> InputBuilder<'a> {
        InputBuilder {
            students: Names::new(Kind::Student),
            programs: Names::new(Kind::Program),
            pref_start: vec![0],
            prefs: Vec::new(),
            capacity: Vec::new(),
            rank_start: vec![0],
            ranking: Vec::new(),
            errors: Errors::default(),
            twice: Vec::new(),
            too_large: false,
        }
    }

    /// Number of students added so far.
    pub fn students(&self) -> usize {
        self.students.defined()
    }

    /// Number of programmes added so far.
    pub fn programs(&self) -> usize {
        self.programs.defined()
    }

    /// Number of problems found so far (ids defined twice may be found a little late).
    pub fn error_count(&self) -> usize {
        self.errors.list.len() + self.errors.more
    }

    /// Hint: programmes with these ids are about to be listed (by a coming student); their table
    /// slots are loaded ahead. Purely a speed-up for long inputs.
    pub fn prefetch_programs(&self, ids: &[Id<'a>]) {
        self.programs.prefetch(ids);
    }

    /// Hint: students with these ids are about to be listed (by a coming programme).
    pub fn prefetch_students(&self, ids: &[Id<'a>]) {
        self.students.prefetch(ids);
    }

    /// Adds the next student of the `students` array: its id and its programmes, most wanted first.
    pub fn add_student(&mut self, id: Id<'a>, prefs: &[Id<'a>]) {
        let index = self.students.defined();
        if !indexes_fit(index + 1, self.prefs.len() + prefs.len()) {
            self.too_large = true;
            return;
        }
        self.students.define(id.clone(), &mut self.errors);
        // Programmes defined so far get their symbols first, in input order.
        self.programs.flush(&mut self.errors);
        self.programs
            .intern_list(prefs, index as u32 + 1, &mut self.prefs, &mut self.twice);
        if !self.twice.is_empty() {
            // Report in input order: any duplicate student id up to this one comes first.
            self.students.flush(&mut self.errors);
            for program in self.twice.drain(..) {
                let e = InputError::DuplicatePref {
                    index,
                    id: id.as_str().to_string(),
                    program: program.into_owned(),
                };
                self.errors.push(e);
            }
        }
        self.pref_start.push(self.prefs.len() as u32);
    }

    /// Adds the next programme of the `programs` array: its id, number of places and ranking of
    /// students, best first.
    pub fn add_program(&mut self, id: Id<'a>, capacity: i64, ranking: &[Id<'a>]) {
        let index = self.programs.defined();
        if index + 1 >= NONE as usize || self.ranking.len() + ranking.len() >= NONE as usize {
            self.too_large = true;
            return;
        }
        self.programs.define(id.clone(), &mut self.errors);
        if capacity < 0 {
            // Report in input order: pending definitions (students first: their section came
            // earlier) before this programme's problems.
            self.students.flush(&mut self.errors);
            self.programs.flush(&mut self.errors);
            self.errors.push(InputError::NegativeCapacity {
                index,
                id: id.as_str().to_string(),
                capacity,
            });
        }
        self.capacity
            .push(u32::try_from(capacity.max(0)).unwrap_or(u32::MAX));
        self.students.flush(&mut self.errors);
        self.students.intern_list(
            ranking,
            index as u32 + 1,
            &mut self.ranking,
            &mut self.twice,
        );
        if !self.twice.is_empty() {
            self.programs.flush(&mut self.errors);
            for student in self.twice.drain(..) {
                let e = InputError::DuplicateRanked {
                    index,
                    id: id.as_str().to_string(),
                    student: student.into_owned(),
                };
                self.errors.push(e);
            }
        }
        self.rank_start.push(self.ranking.len() as u32);
    }

    /// Checks that every listed id exists and returns the problem, or every problem found.
    pub fn finish(mut self) -> Result<Problem<'a>, InputErrors> {
        if self.too_large {
            return Err(InputErrors {
                errors: vec![InputError::TooLarge],
                more: 0,
            });
        }
        self.students.flush(&mut self.errors);
        self.programs.flush(&mut self.errors);
        let (students, programs) = (&self.students, &self.programs);
        if programs.entity.contains(&NONE) {
            for s in 0..students.defs.len() {
                for &p in &self.prefs[self.pref_start[s] as usize..self.pref_start[s + 1] as usize]
                {
                    if programs.entity[p as usize] == NONE {
                        let program = programs.names[p as usize].to_string();
                        self.errors.push(InputError::UnknownProgram {
                            index: s,
                            id: students.id(s),
                            program,
                        });
                    }
                }
            }
        }
        if students.entity.contains(&NONE) {
            for p in 0..programs.defs.len() {
                for &s in
                    &self.ranking[self.rank_start[p] as usize..self.rank_start[p + 1] as usize]
                {
                    if students.entity[s as usize] == NONE {
                        let student = students.names[s as usize].to_string();
                        self.errors.push(InputError::UnknownStudent {
                            index: p,
                            id: programs.id(p),
                            student,
                        });
                    }
                }
            }
        }
        if !self.errors.is_empty() {
            return Err(InputErrors {
                errors: self.errors.list,
                more: self.errors.more,
            });
        }
        let InputBuilder {
            students,
            programs,
            pref_start,
            mut prefs,
            capacity,
            rank_start,
            mut ranking,
            ..
        } = self;
        for p in &mut prefs {
            *p = programs.entity[*p as usize];
        }
        // When students come before the rankings (the usual layout), symbols are already indexes.
        if students
            .entity
            .iter()
            .enumerate()
            .any(|(i, &e)| i != e as usize)
        {
            for s in &mut ranking {
                *s = students.entity[*s as usize];
            }
        }
        let instance = Instance::from_checked(pref_start, prefs, capacity, rank_start, ranking);
        Ok(Problem {
            instance,
            student_ids: students.into_ids(),
            program_ids: programs.into_ids(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&'static str]) -> Vec<Id<'static>> {
        list.iter().map(|&s| Id::from(s)).collect()
    }

    fn build(
        students: &[(&'static str, &[&'static str])],
        programs: &[(&'static str, i64, &[&'static str])],
    ) -> Result<Problem<'static>, InputErrors> {
        let mut b = InputBuilder::new();
        for (id, prefs) in students {
            b.add_student(Id::from(*id), &ids(prefs));
        }
        for (id, cap, ranking) in programs {
            b.add_program(Id::from(*id), *cap, &ids(ranking));
        }
        b.finish()
    }

    fn messages(r: Result<Problem<'static>, InputErrors>) -> Vec<String> {
        r.unwrap_err()
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn ids_become_indexes_in_input_order() {
        let p = build(
            &[("s1", &["p2", "p1"]), ("s2", &["p1"])],
            &[("p1", 3, &["s2", "s1"]), ("p2", 1, &["s1"])],
        )
        .unwrap();
        assert_eq!(p.student_ids, ["s1", "s2"]);
        assert_eq!(p.program_ids, ["p1", "p2"]);
        assert_eq!(
            p.instance,
            Instance::new(&[vec![1, 0], vec![0]], &[(3, vec![1, 0]), (1, vec![0])]).unwrap()
        );
    }

    #[test]
    fn programmes_may_come_first_and_ids_may_be_escaped() {
        let mut b = InputBuilder::new();
        b.add_program(Id::from("p\"1".to_string()), 1, &ids(&["s1"]));
        b.add_student(Id::from("s1"), &[Id::from("p\"1".to_string())]);
        let p = b.finish().unwrap();
        assert_eq!(
            p.instance,
            Instance::new(&[vec![0]], &[(1, vec![0])]).unwrap()
        );
    }

    #[test]
    fn every_problem_names_its_entry() {
        let got = messages(build(
            &[("s1", &["p1", "p1"]), ("s2", &["px"]), ("s1", &[])],
            &[("p1", -1, &["s2", "s9", "s2"]), ("p1", 0, &[])],
        ));
        assert_eq!(
            got,
            vec![
                r#"students[0] (id "s1"): prefs lists "p1" twice"#,
                r#"duplicate student id "s1" at students[2] (first at students[0])"#,
                r#"programs[0] (id "p1"): capacity -1 is negative"#,
                r#"programs[0] (id "p1"): ranking lists "s2" twice"#,
                r#"duplicate programme id "p1" at programs[1] (first at programs[0])"#,
                r#"students[1] (id "s2"): prefs lists unknown programme "px""#,
                r#"programs[0] (id "p1"): ranking lists unknown student "s9""#,
            ]
        );
    }

    #[test]
    fn many_problems_are_counted_beyond_the_first_hundred() {
        let mut b = InputBuilder::new();
        for i in 0..150 {
            b.add_student(Id::from(format!("s{i}")), &[Id::from(format!("p{i}"))]);
        }
        assert_eq!(b.students(), 150);
        assert_eq!(b.programs(), 0);
        let e = b.finish().unwrap_err();
        assert_eq!((e.errors.len(), e.more), (100, 50));
        assert!(e.to_string().ends_with("… and 50 more problem(s)"));
    }

    #[test]
    fn long_ids_and_a_growing_table() {
        // Ids longer than the inline key, sharing a long prefix, enough to grow the table
        // several times; programmes first, so students are referenced before they are defined.
        let long = |i: usize| format!("exchange-student-number-{i:08}");
        let short = |i: usize| format!("s{i}");
        let mut b = InputBuilder::new();
        let ranked: Vec<Id<'_>> = (0..5_000)
            .rev()
            .map(|i| Id::from(if i % 2 == 0 { long(i) } else { short(i) }))
            .collect();
        b.prefetch_students(&ranked);
        b.add_program(Id::from("a-programme-with-a-rather-long-code"), 10, &ranked);
        for i in 0..5_000 {
            let id = Id::from(if i % 2 == 0 { long(i) } else { short(i) });
            let prefs = [Id::from("a-programme-with-a-rather-long-code")];
            b.prefetch_programs(&prefs);
            b.add_student(id, &prefs);
        }
        let p = b.finish().unwrap();
        assert_eq!(p.student_ids.len(), 5_000);
        assert_eq!(p.student_ids[4], long(4));
        assert_eq!(p.student_ids[7], short(7));
        assert_eq!(p.instance.ranking(0)[0], 4_999);
        assert_eq!(p.instance.prefs(123), &[0]);
        let mut b = InputBuilder::new();
        b.add_student(Id::from(long(1)), &[]);
        b.add_student(Id::from(long(1)), &[]);
        assert_eq!(
            messages_of(b),
            vec![format!(
                "duplicate student id {:?} at students[1] (first at students[0])",
                long(1)
            )]
        );
    }

    fn messages_of(b: InputBuilder<'_>) -> Vec<String> {
        b.finish()
            .unwrap_err()
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn huge_capacities_saturate() {
        let p = build(&[("s", &["p"])], &[("p", i64::MAX, &["s"])]).unwrap();
        assert_eq!(p.instance.capacity(0), u32::MAX);
    }
}
