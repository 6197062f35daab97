//! `liaison allocate` (C4): reads students' preferences and programmes' places and rankings from
//! a JSON file, and writes the student-optimal stable assignment (student-proposing deferred
//! acceptance, `liaison-allocation`) to another; `--explain` adds each programme's cut-off and,
//! for each student, why they did not get the programmes they preferred.
//!
//! The input is read into memory once and streamed through serde straight into the engine's
//! interner: ids are borrowed from the buffer (copied only when they contain JSON escapes), and
//! no per-student or per-programme value is built; reading the JSON and interning run on two
//! threads. Bad input exits with code 2 and names the
//! entry; the output goes to a temporary file beside the target, renamed into place only when
//! complete, so a failed run leaves no file behind and never clobbers an existing one.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use clap::Args;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tracing::info;

use liaison_allocation::{allocate, Allocation, Id, InputBuilder, Problem, Reason};

use super::Failure;

/// Inputs at least this large get progress lines on stderr.
const LARGE_INPUT: usize = 8 << 20;

#[derive(Args)]
pub struct AllocateArgs {
    /// The input: {"students": [{"id", "prefs": [programme ids, most wanted first]}],
    /// "programs": [{"id", "capacity", "ranking": [student ids, best first]}]}.
    #[arg(long, value_name = "IN.json")]
    input: PathBuf,
    /// Where to write {"assignment": {student id: programme id or null}}; replaced only when the
    /// run succeeds.
    #[arg(long, value_name = "OUT.json")]
    output: PathBuf,
    /// Also write each programme's cut-off and, for each student, why they did not get each
    /// programme they preferred to the one they got.
    #[arg(long)]
    explain: bool,
}

pub fn run(args: AllocateArgs) -> Result<(), Failure> {
    let started = Instant::now();
    huge_pages::ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    let bytes = fs::read(&args.input)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", args.input.display())))?;
    let large = bytes.len() >= LARGE_INPUT;
    if large {
        info!(
            bytes = bytes.len(),
            seconds = started.elapsed().as_secs_f64(),
            "read {}",
            args.input.display()
        );
    }
    let problem =
        parse(&bytes).map_err(|e| Failure::input(format!("{}: {e}", args.input.display())))?;
    let inst = &problem.instance;
    if large {
        info!(
            students = inst.students(),
            programmes = inst.programs(),
            seconds = started.elapsed().as_secs_f64(),
            "parsed and checked the input"
        );
    }
    let alloc = allocate(inst);
    if large {
        info!(seconds = started.elapsed().as_secs_f64(), "allocated");
    }
    write_atomically(&args.output, |w| {
        write_result(w, &problem, &alloc, args.explain)
    })
    .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", args.output.display())))?;
    let placed = alloc.placed();
    info!(
        students = inst.students(),
        programmes = inst.programs(),
        placed,
        unplaced = inst.students() - placed,
        seconds = started.elapsed().as_secs_f64(),
        "wrote {}",
        args.output.display()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Where the reader is, to name the entry in a JSON error.
#[derive(Default)]
struct Location<'de> {
    section: Option<&'static str>,
    index: usize,
    id: Option<Cow<'de, str>>,
    field: Option<&'static str>,
    item: Option<usize>,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(section) = self.section else {
            return Ok(());
        };
        write!(f, "{section}[{}]", self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id {:?})", id.as_ref())?;
        }
        match (self.field, self.item) {
            (Some(field), Some(item)) => write!(f, ", {field}[{item}]")?,
            (Some(field), None) => write!(f, ", {field}")?,
            _ => {}
        }
        write!(f, ": ")
    }
}

/// Parses and checks the input; the error names the offending entry (and, for JSON errors, the
/// line and column).
///
/// Two threads share the work: this one reads the JSON and hands students and programmes over in
/// batches; the other feeds them to the interner (the costlier half on large inputs, being bound
/// by memory latency). A JSON error stops both; the interner then gives up without checking.
fn parse(bytes: &[u8]) -> Result<Problem<'_>, String> {
    let (to_builder, from_parser) = mpsc::sync_channel::<Batch<'_>>(4);
    let (recycle, recycled) = mpsc::channel::<Batch<'_>>();
    std::thread::scope(|scope| {
        let builder = scope.spawn(move || {
            // A student takes at least ~100 bytes of JSON with a few choices and their rankings;
            // sizing the table for that saves its growth steps (a hint: it grows if needed).
            let mut builder = InputBuilder::with_expected_students(bytes.len() / 200);
            let mut complete = false;
            for mut batch in from_parser {
                if batch.last {
                    complete = true;
                }
                batch.apply(&mut builder);
                let _ = recycle.send(batch);
            }
            complete.then(|| builder.finish())
        });
        let mut loc = Location::default();
        let mut sink = Sink {
            batch: Batch::default(),
            to_builder,
            recycled,
        };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let top = Top {
            sink: &mut sink,
            loc: &mut loc,
        };
        let parsed = de.deserialize_map(top).and_then(|()| de.end());
        if parsed.is_ok() {
            sink.batch.last = true;
            sink.send();
        }
        drop(sink);
        let built = builder.join().expect("the interner thread does not panic");
        if let Err(e) = parsed {
            return Err(format!("{loc}{e}"));
        }
        built
            .expect("a complete input is finished")
            .map_err(|errors| {
                let count = errors.errors.len() + errors.more;
                if count == 1 {
                    errors.to_string()
                } else {
                    format!(
                        "{count} problems:\n  {}",
                        errors.to_string().replace('\n', "\n  ")
                    )
                }
            })
    })
}

/// Students and programmes read but not yet interned. Each event's ids are the slice of `ids`
/// after the previous event's: its list, then its own id.
#[derive(Default)]
struct Batch<'de> {
    events: Vec<Event>,
    ids: Vec<Id<'de>>,
    /// The input's last batch.
    last: bool,
}

#[derive(Clone, Copy)]
enum Event {
    Student { end: usize },
    Program { capacity: i64, end: usize },
}

impl Event {
    fn end(self) -> usize {
        match self {
            Event::Student { end } | Event::Program { end, .. } => end,
        }
    }
}

/// How many students or programmes ahead the interner's table slots for their lists are
/// prefetched, and for at most how many ids of each list.
const LOOKAHEAD: usize = 4;
const LOOKAHEAD_IDS: usize = 16;

impl<'de> Batch<'de> {
    fn apply(&mut self, builder: &mut InputBuilder<'de>) {
        let mut start = 0;
        for (k, &event) in self.events.iter().enumerate() {
            if let Some(&ahead) = self.events.get(k + LOOKAHEAD) {
                let from = self.events[k + LOOKAHEAD - 1].end();
                let list = &self.ids[from..(ahead.end() - 1).min(from + LOOKAHEAD_IDS)];
                match ahead {
                    Event::Student { .. } => builder.prefetch_programs(list),
                    Event::Program { .. } => builder.prefetch_students(list),
                }
            }
            let end = event.end();
            let (list, id) = (&self.ids[start..end - 1], self.ids[end - 1].clone());
            match event {
                Event::Student { .. } => builder.add_student(id, list),
                Event::Program { capacity, .. } => builder.add_program(id, capacity, list),
            }
            start = end;
        }
        self.events.clear();
        self.ids.clear();
    }
}

/// Collects events into batches and sends them to the interner thread.
struct Sink<'de> {
    batch: Batch<'de>,
    to_builder: mpsc::SyncSender<Batch<'de>>,
    recycled: mpsc::Receiver<Batch<'de>>,
}

impl Sink<'_> {
    /// After each student or programme: send the batch once it is big enough.
    fn entry_done(&mut self) {
        if self.batch.events.len() >= 2048 || self.batch.ids.len() >= 8192 {
            self.send();
        }
    }

    fn send(&mut self) {
        let next = self.recycled.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        // The interner only stops early if it panicked, which `parse` reports.
        let _ = self.to_builder.send(full);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Student,
    Program,
}

/// The top-level object: `students` and `programs`, in either order; other keys are ignored.
struct Top<'a, 'de> {
    sink: &'a mut Sink<'de>,
    loc: &'a mut Location<'de>,
}

impl<'de> Visitor<'de> for Top<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with \"students\" and \"programs\" arrays")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut students, mut programs) = (false, false);
        while let Some(key) = map.next_key_seed(IdSeed)? {
            let (kind, seen) = match key.as_ref() {
                "students" => (Kind::Student, &mut students),
                "programs" => (Kind::Program, &mut programs),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if *seen {
                return Err(de::Error::custom(format_args!("{key:?} appears twice")));
            }
            *seen = true;
            map.next_value_seed(Section {
                kind,
                sink: &mut *self.sink,
                loc: &mut *self.loc,
            })?;
        }
        if !students {
            return Err(de::Error::missing_field("students"));
        }
        if !programs {
            return Err(de::Error::missing_field("programs"));
        }
        Ok(())
    }
}

/// The `students` or `programs` array.
struct Section<'a, 'de> {
    kind: Kind,
    sink: &'a mut Sink<'de>,
    loc: &'a mut Location<'de>,
}

impl<'de> DeserializeSeed<'de> for Section<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Section<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.kind {
            Kind::Student => f.write_str("an array of students"),
            Kind::Program => f.write_str("an array of programmes"),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let section = match self.kind {
            Kind::Student => "students",
            Kind::Program => "programs",
        };
        for index in 0.. {
            *self.loc = Location {
                section: Some(section),
                index,
                ..Location::default()
            };
            let entry = Entry {
                kind: self.kind,
                sink: &mut *self.sink,
                loc: &mut *self.loc,
            };
            if seq.next_element_seed(entry)?.is_none() {
                break;
            }
            self.sink.entry_done();
        }
        self.loc.section = None;
        Ok(())
    }
}

/// One student (`id`, `prefs`) or programme (`id`, `capacity`, `ranking`); other keys are ignored.
struct Entry<'a, 'de> {
    kind: Kind,
    sink: &'a mut Sink<'de>,
    loc: &'a mut Location<'de>,
}

impl<'de> DeserializeSeed<'de> for Entry<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Entry<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.kind {
            Kind::Student => f.write_str("a student: {\"id\": …, \"prefs\": […]}"),
            Kind::Program => {
                f.write_str("a programme: {\"id\": …, \"capacity\": …, \"ranking\": […]}")
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let list_name = match self.kind {
            Kind::Student => "prefs",
            Kind::Program => "ranking",
        };
        let mut capacity: Option<i64> = None;
        let mut list = false;
        while let Some(key) = map.next_key_seed(IdSeed)? {
            match key.as_ref() {
                "id" => {
                    if self.loc.id.is_some() {
                        return Err(de::Error::duplicate_field("id"));
                    }
                    self.loc.id = Some(map.next_value_seed(IdSeed)?);
                }
                name if name == list_name => {
                    if list {
                        return Err(de::Error::duplicate_field(list_name));
                    }
                    list = true;
                    self.loc.field = Some(list_name);
                    map.next_value_seed(List {
                        ids: &mut self.sink.batch.ids,
                        loc: &mut *self.loc,
                    })?;
                    self.loc.field = None;
                }
                "capacity" if self.kind == Kind::Program => {
                    if capacity.is_some() {
                        return Err(de::Error::duplicate_field("capacity"));
                    }
                    self.loc.field = Some("capacity");
                    capacity = Some(map.next_value_seed(Capacity)?);
                    self.loc.field = None;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let id = self
            .loc
            .id
            .clone()
            .ok_or_else(|| de::Error::missing_field("id"))?;
        if !list {
            return Err(de::Error::missing_field(list_name));
        }
        let capacity = match self.kind {
            Kind::Program => Some(capacity.ok_or_else(|| de::Error::missing_field("capacity"))?),
            Kind::Student => None,
        };
        self.sink.batch.ids.push(Id::new(id));
        let end = self.sink.batch.ids.len();
        let event = match capacity {
            None => Event::Student { end },
            Some(capacity) => Event::Program { capacity, end },
        };
        self.sink.batch.events.push(event);
        Ok(())
    }
}

/// A `prefs` or `ranking` array of ids, appended to the batch (hashed here, on the reading
/// thread, to spare the interner thread).
struct List<'a, 'de> {
    ids: &'a mut Vec<Id<'de>>,
    loc: &'a mut Location<'de>,
}

impl<'de> DeserializeSeed<'de> for List<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for List<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of ids")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for item in 0.. {
            self.loc.item = Some(item);
            match seq.next_element_seed(IdSeed)? {
                Some(id) => self.ids.push(Id::new(id)),
                None => break,
            }
        }
        self.loc.item = None;
        Ok(())
    }
}

/// An id (or key): borrowed from the input unless it contains escapes.
struct IdSeed;

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IdSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string id")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A capacity: any integer (negative ones are reported by the builder, naming the programme).
struct Capacity;

impl<'de> DeserializeSeed<'de> for Capacity {
    type Value = i64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_i64(self)
    }
}

impl Visitor<'_> for Capacity {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number of places")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        Ok(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes the result: compact JSON with one entry per line, students and programmes in input
/// order, so the same input always gives the same bytes.
fn write_result<W: Write>(
    w: &mut W,
    problem: &Problem,
    alloc: &Allocation,
    explain: bool,
) -> io::Result<()> {
    let students = &problem.student_ids;
    let programs = &problem.program_ids;
    w.write_all(b"{\"assignment\":{")?;
    for (s, id) in students.iter().enumerate() {
        w.write_all(if s == 0 { b"\n" } else { b",\n" })?;
        write_str(w, id)?;
        w.write_all(b":")?;
        match alloc.assignment(s) {
            Some(p) => write_str(w, &programs[p as usize])?,
            None => w.write_all(b"null")?,
        }
    }
    w.write_all(b"\n}")?;
    if explain {
        w.write_all(b",\n\"cutoffs\":{")?;
        for (p, id) in programs.iter().enumerate() {
            w.write_all(if p == 0 { b"\n" } else { b",\n" })?;
            write_str(w, id)?;
            match alloc.cutoff(p) {
                Some(c) => write!(w, ":{c}")?,
                None => w.write_all(b":null")?,
            }
        }
        w.write_all(b"\n},\n\"explanations\":{")?;
        for (s, id) in students.iter().enumerate() {
            w.write_all(if s == 0 { b"\n" } else { b",\n" })?;
            write_str(w, id)?;
            w.write_all(b":[")?;
            for (i, e) in alloc.explain(&problem.instance, s).enumerate() {
                w.write_all(if i == 0 {
                    b"{\"program\":"
                } else {
                    b",{\"program\":"
                })?;
                write_str(w, &programs[e.program as usize])?;
                match e.reason {
                    Reason::NotRanked => w.write_all(b",\"reason\":\"not_ranked\"}")?,
                    Reason::NoPlaces => w.write_all(b",\"reason\":\"no_places\"}")?,
                    Reason::Full { cutoff, rank } => write!(
                        w,
                        ",\"reason\":\"full\",\"cutoff\":{cutoff},\"your_rank\":{rank}}}"
                    )?,
                }
            }
            w.write_all(b"]")?;
        }
        w.write_all(b"\n}")?;
    }
    w.write_all(b"}\n")
}

/// Writes `s` as a JSON string; ids that need no escaping (nearly all) are copied as they are.
fn write_str<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        w.write_all(b"\"")
    } else {
        serde_json::to_writer(w, s).map_err(io::Error::from)
    }
}

/// Writes `path` through a temporary file in the same directory, renamed over `path` only once
/// complete and flushed to disk; on any error the temporary file is removed and `path` untouched.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(input: &str, explain: bool) -> Result<String, String> {
        let problem = parse(input.as_bytes())?;
        let alloc = allocate(&problem.instance);
        let mut out = Vec::new();
        write_result(&mut out, &problem, &alloc, explain).unwrap();
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_contract_example_shape() {
        let input = r#"{"students": [{"id": "s1", "prefs": ["p3", "p1"]}, {"id": "s2", "prefs": ["p1"]}, {"prefs": [], "id": "s7"}],
                        "programs": [{"id": "p1", "capacity": 1, "ranking": ["s7", "s2"]}, {"ranking": ["s1"], "capacity": 0, "id": "p3", "note": 1}]}"#;
        assert_eq!(
            run_str(input, false).unwrap(),
            "{\"assignment\":{\n\"s1\":null,\n\"s2\":\"p1\",\n\"s7\":null\n}}\n"
        );
        let explained = run_str(input, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&explained).unwrap();
        assert_eq!(v["cutoffs"], serde_json::json!({"p1": 2, "p3": null}));
        assert_eq!(
            v["explanations"]["s1"],
            serde_json::json!([{"program": "p3", "reason": "no_places"}, {"program": "p1", "reason": "not_ranked"}])
        );
    }

    #[test]
    fn escaped_and_unicode_ids_round_trip() {
        let input = r#"{"programs": [{"id": "p\"1", "capacity": 1, "ranking": ["学生\n1"]}], "students": [{"id": "学生\u000a1", "prefs": ["p\u00221"]}]}"#;
        let out = run_str(input, false).unwrap();
        assert_eq!(out, "{\"assignment\":{\n\"学生\\n1\":\"p\\\"1\"\n}}\n");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["assignment"]["学生\n1"], "p\"1");
    }

    #[test]
    fn json_errors_name_the_entry() {
        let err = |input: &str| parse(input.as_bytes()).map(|_| ()).unwrap_err();
        assert!(err(r#"{"students": [{"id": "s1", "prefs": ["p1", 5]}], "programs": []}"#)
            .starts_with(r#"students[0] (id "s1"), prefs[1]: invalid type: integer `5`, expected a string id at line 1"#));
        assert!(err(r#"{"students": [], "programs": [{"id": "p1", "capacity": 1.5, "ranking": []}]}"#)
            .starts_with(r#"programs[0] (id "p1"), capacity: invalid type: floating point `1.5`, expected a whole number of places"#));
        assert!(err(r#"{"students": [{"prefs": []}], "programs": []}"#)
            .starts_with("students[0]: missing field `id`"));
        assert!(err(r#"{"students": [{"id": "s", "prefs": []}]}"#)
            .starts_with("missing field `programs`"));
        assert!(
            err(r#"{"students": [], "programs": [{"id": "p", "ranking": []}]}"#)
                .starts_with(r#"programs[0] (id "p"): missing field `capacity`"#)
        );
        assert!(err(r#"[1]"#).starts_with("invalid type: sequence, expected an object with"));
        assert!(err(r#"{"students": [], "programs": []} x"#).starts_with("trailing characters"));
        assert!(err(r#"{"students": [], "programs": [], "students": []}"#)
            .starts_with(r#""students" appears twice"#));
        assert!(
            err(r#"{"students": [{"id": "a", "id": "b", "prefs": []}], "programs": []}"#)
                .contains("duplicate field `id`")
        );
    }

    #[test]
    fn several_problems_are_listed() {
        let e = parse(br#"{"students": [{"id": "s1", "prefs": ["px", "py"]}], "programs": []}"#)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e,
            "2 problems:\n  students[0] (id \"s1\"): prefs lists unknown programme \"px\"\n  students[0] (id \"s1\"): prefs lists unknown programme \"py\""
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

/// The process's allocator: the system allocator, except that while `liaison allocate` runs,
/// large blocks (the input, the id tables, the engine's arrays) are marked for transparent huge
/// pages. Its random accesses over hundreds of megabytes then miss the TLB far less often and the
/// kernel maps memory in 2 MiB steps instead of 4 KiB ones: about 15% faster on a million
/// students. Everything else in the binary is unaffected (the switch is off by default), and on
/// systems without transparent huge pages the hint is simply ignored.
mod huge_pages {
    use std::alloc::{GlobalAlloc, Layout};

    /// The allocator underneath: mimalloc's per-thread heaps instead of glibc's locked arenas,
    /// which the server's many short-lived allocations (rows, JSON, headers) from several
    /// threads contend on.
    use mimalloc::MiMalloc as System;
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static ENABLED: AtomicBool = AtomicBool::new(false);

    /// Blocks at least this large are advised.
    const MIN_BLOCK: usize = 8 << 20;

    pub struct HugePages;

    // SAFETY: every call is forwarded to the underlying allocator unchanged; `advise` only gives the
    // kernel a hint about memory the block already owns, which does not change its contents.
    unsafe impl GlobalAlloc for HugePages {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let block = unsafe { System.alloc(layout) };
            advise(block, layout.size());
            block
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let block = unsafe { System.alloc_zeroed(layout) };
            advise(block, layout.size());
            block
        }

        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            unsafe { System.dealloc(block, layout) }
        }

        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let block = unsafe { System.realloc(block, layout, new_size) };
            advise(block, new_size);
            block
        }
    }

    fn advise(block: *mut u8, size: usize) {
        #[cfg(target_os = "linux")]
        if size >= MIN_BLOCK && !block.is_null() && ENABLED.load(Ordering::Relaxed) {
            const HUGE: usize = 2 << 20;
            let start = (block as usize).next_multiple_of(HUGE);
            let end = (block as usize + size) & !(HUGE - 1);
            if end > start {
                // SAFETY: [start, end) lies inside the block just allocated; MADV_HUGEPAGE only
                // changes how the kernel backs those pages, never their contents. Failure is
                // harmless and ignored.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE)
                };
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (block, size, ENABLED.load(Ordering::Relaxed), MIN_BLOCK);
    }
}

#[global_allocator]
static ALLOCATOR: huge_pages::HugePages = huge_pages::HugePages;
