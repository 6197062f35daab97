//! `liaison allocate` (C4), run as the office would: good input gives the student-optimal stable
//! assignment, byte for byte the same every time; `--explain` adds cut-offs and explanations;
//! every kind of bad input exits with code 2, names the entry, and leaves no file behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use liaison_allocation::synthetic::{generate, Params};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_liaison");

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The names of the files in the directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn allocate(input: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("LIAISON_LOG")
        .env_remove("LIAISON_LOG_FORMAT")
        .env("NO_COLOR", "1");
    cmd.arg("allocate")
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Three students compete for two programmes; s4 lists a programme that does not rank them, and
/// p9 has no places.
const EXAMPLE: &str = r#"{
  "students": [
    {"id": "s1", "prefs": ["p3", "p1"]},
    {"id": "s2", "prefs": ["p1", "p3"]},
    {"id": "s7", "prefs": ["p1"]},
    {"id": "s4", "prefs": ["p9", "p3", "p1"]}
  ],
  "programs": [
    {"id": "p1", "capacity": 1, "ranking": ["s7", "s2", "s1", "s4"]},
    {"id": "p3", "capacity": 1, "ranking": ["s2", "s1"]},
    {"id": "p9", "capacity": 0, "ranking": ["s4"]}
  ]
}"#;

#[test]
fn good_input_gives_the_student_optimal_stable_assignment() {
    let dir = Dir::new();
    let input = dir.write("in.json", EXAMPLE);
    let output = dir.path("out.json");
    let out = allocate(&input, &output, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // s7 is p1's first choice; s2 falls back to p3 and displaces s1; s4 is not ranked by p3
    // and loses p1 to s7.
    assert_eq!(
        read_json(&output),
        json!({"assignment": {"s1": null, "s2": "p3", "s7": "p1", "s4": null}})
    );
    // Students appear in input order, one per line.
    let text = std::fs::read_to_string(&output).unwrap();
    assert_eq!(
        text,
        "{\"assignment\":{\n\"s1\":null,\n\"s2\":\"p3\",\n\"s7\":\"p1\",\n\"s4\":null\n}}\n"
    );
    assert!(stderr(&out).contains("placed=2"), "{}", stderr(&out));
    assert_eq!(dir.files(), vec!["in.json", "out.json"]);
}

#[test]
fn explain_adds_cutoffs_and_reasons() {
    let dir = Dir::new();
    let input = dir.write("in.json", EXAMPLE);
    let output = dir.path("out.json");
    let out = allocate(&input, &output, &["--explain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = read_json(&output);
    assert_eq!(
        v["assignment"],
        json!({"s1": null, "s2": "p3", "s7": "p1", "s4": null})
    );
    assert_eq!(v["cutoffs"], json!({"p1": 1, "p3": 1, "p9": null}));
    assert_eq!(
        v["explanations"],
        json!({
            "s1": [
                {"program": "p3", "reason": "full", "cutoff": 1, "your_rank": 2},
                {"program": "p1", "reason": "full", "cutoff": 1, "your_rank": 3}
            ],
            "s2": [{"program": "p1", "reason": "full", "cutoff": 1, "your_rank": 2}],
            "s7": [],
            "s4": [
                {"program": "p9", "reason": "no_places"},
                {"program": "p3", "reason": "not_ranked"},
                {"program": "p1", "reason": "full", "cutoff": 1, "your_rank": 4}
            ]
        })
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let inst = generate(&Params::new(3_000, 17));
    let mut students = Vec::new();
    for s in 0..inst.students() {
        students.push(json!({"id": format!("s{s}"), "prefs": inst.prefs(s).iter().map(|p| format!("p{p}")).collect::<Vec<_>>()}));
    }
    let mut programs = Vec::new();
    for p in 0..inst.programs() {
        let ranking: Vec<String> = inst.ranking(p).iter().map(|s| format!("s{s}")).collect();
        programs
            .push(json!({"id": format!("p{p}"), "capacity": inst.capacity(p), "ranking": ranking}));
    }
    let dir = Dir::new();
    let input = dir.write(
        "in.json",
        &json!({"students": students, "programs": programs}).to_string(),
    );
    for extra in [&[][..], &["--explain"][..]] {
        let (a, b) = (dir.path("a.json"), dir.path("b.json"));
        assert!(allocate(&input, &a, extra).status.success());
        assert!(allocate(&input, &b, extra).status.success());
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{extra:?}"
        );
    }
    // And it is the engine's result.
    let expected = liaison_allocation::allocate(&inst);
    let got = read_json(&dir.path("a.json"));
    for (s, p) in expected.assignments().enumerate() {
        assert_eq!(
            got["assignment"][format!("s{s}")],
            p.map_or(Value::Null, |p| json!(format!("p{p}")))
        );
    }
}

#[test]
fn an_existing_output_is_replaced_on_success() {
    let dir = Dir::new();
    let input = dir.write("in.json", EXAMPLE);
    let output = dir.write("out.json", "old");
    assert!(allocate(&input, &output, &[]).status.success());
    assert_eq!(read_json(&output)["assignment"]["s2"], "p3");
    assert_eq!(dir.files(), vec!["in.json", "out.json"]);
}

#[test]
fn bad_input_exits_2_names_the_entry_and_writes_nothing() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "malformed JSON",
            r#"{"students": [{"id": "s1", "prefs": ["p1"]}"#,
            "EOF while parsing",
        ),
        (
            "not an object",
            r#"[]"#,
            "expected an object with \"students\" and \"programs\" arrays",
        ),
        (
            "missing programs",
            r#"{"students": []}"#,
            "missing field `programs`",
        ),
        (
            "unknown programme",
            r#"{"students": [{"id": "s1", "prefs": ["px"]}], "programs": []}"#,
            r#"students[0] (id "s1"): prefs lists unknown programme "px""#,
        ),
        (
            "unknown student",
            r#"{"students": [], "programs": [{"id": "p1", "capacity": 1, "ranking": ["s7"]}]}"#,
            r#"programs[0] (id "p1"): ranking lists unknown student "s7""#,
        ),
        (
            "duplicate student id",
            r#"{"students": [{"id": "s1", "prefs": []}, {"id": "s1", "prefs": []}], "programs": []}"#,
            r#"duplicate student id "s1" at students[1] (first at students[0])"#,
        ),
        (
            "duplicate programme id",
            r#"{"students": [], "programs": [{"id": "p1", "capacity": 1, "ranking": []}, {"id": "p1", "capacity": 2, "ranking": []}]}"#,
            r#"duplicate programme id "p1" at programs[1] (first at programs[0])"#,
        ),
        (
            "duplicate preference",
            r#"{"students": [{"id": "s9", "prefs": ["p1", "p1"]}], "programs": [{"id": "p1", "capacity": 1, "ranking": []}]}"#,
            r#"students[0] (id "s9"): prefs lists "p1" twice"#,
        ),
        (
            "duplicate ranking entry",
            r#"{"students": [{"id": "s1", "prefs": []}], "programs": [{"id": "p4", "capacity": 1, "ranking": ["s1", "s1"]}]}"#,
            r#"programs[0] (id "p4"): ranking lists "s1" twice"#,
        ),
        (
            "negative capacity",
            r#"{"students": [], "programs": [{"id": "p0", "capacity": 1, "ranking": []}, {"id": "p4", "capacity": -1, "ranking": []}]}"#,
            r#"programs[1] (id "p4"): capacity -1 is negative"#,
        ),
        (
            "capacity not a number",
            r#"{"students": [], "programs": [{"id": "p4", "capacity": "3", "ranking": []}]}"#,
            r#"programs[0] (id "p4"), capacity: invalid type: string "3", expected a whole number of places"#,
        ),
        (
            "id not a string",
            r#"{"students": [{"id": "s1", "prefs": []}, {"id": 2, "prefs": []}], "programs": []}"#,
            "students[1]: invalid type: integer `2`, expected a string id at line 1 column",
        ),
        (
            "missing prefs",
            r#"{"students": [{"id": "s1"}], "programs": []}"#,
            r#"students[0] (id "s1"): missing field `prefs`"#,
        ),
    ];
    for (what, content, expected) in cases {
        for existing in [false, true] {
            let dir = Dir::new();
            let input = dir.write("in.json", content);
            let output = dir.path("out.json");
            if existing {
                std::fs::write(&output, "previous result").unwrap();
            }
            let out = allocate(&input, &output, &["--explain"]);
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(expected),
                "{what}: expected {expected:?} in {:?}",
                stderr(&out)
            );
            if existing {
                assert_eq!(
                    std::fs::read_to_string(&output).unwrap(),
                    "previous result",
                    "{what}: output clobbered"
                );
                assert_eq!(dir.files(), vec!["in.json", "out.json"], "{what}");
            } else {
                assert_eq!(
                    dir.files(),
                    vec!["in.json"],
                    "{what}: a file was left behind"
                );
            }
        }
    }
}

#[test]
fn every_problem_is_listed() {
    let dir = Dir::new();
    let input = dir.write(
        "in.json",
        r#"{"students": [{"id": "s1", "prefs": ["p1", "px"]}, {"id": "s1", "prefs": []}],
            "programs": [{"id": "p1", "capacity": -2, "ranking": ["s1"]}]}"#,
    );
    let out = allocate(&input, &dir.path("out.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("3 problems:"), "{err}");
    for line in [
        r#"duplicate student id "s1" at students[1] (first at students[0])"#,
        r#"programs[0] (id "p1"): capacity -2 is negative"#,
        r#"students[0] (id "s1"): prefs lists unknown programme "px""#,
    ] {
        assert!(err.contains(line), "{line:?} missing from {err}");
    }
    assert_eq!(dir.files(), vec!["in.json"]);
}

#[test]
fn unreadable_input_is_bad_input_and_unwritable_output_a_failure() {
    let dir = Dir::new();
    let missing = allocate(&dir.path("nope.json"), &dir.path("out.json"), &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read"),
        "{}",
        stderr(&missing)
    );

    let input = dir.write("in.json", EXAMPLE);
    let nowhere = allocate(&input, &dir.path("no-such-dir/out.json"), &[]);
    assert_eq!(nowhere.status.code(), Some(1));
    assert!(
        stderr(&nowhere).contains("cannot write"),
        "{}",
        stderr(&nowhere)
    );

    // Output onto an existing directory: the rename fails and the temporary file is removed.
    std::fs::create_dir(dir.path("taken")).unwrap();
    let onto_dir = allocate(&input, &dir.path("taken"), &[]);
    assert_eq!(onto_dir.status.code(), Some(1));
    assert_eq!(dir.files(), vec!["in.json", "taken"]);
}

#[test]
fn help_documents_the_flags() {
    let top = Command::new(BIN).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&top.stdout).contains("allocate"));
    let help = Command::new(BIN)
        .args(["allocate", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--input", "--output", "--explain"] {
        assert!(text.contains(flag), "{flag} missing from allocate --help");
    }
}
