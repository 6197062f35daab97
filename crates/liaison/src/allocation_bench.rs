//! `liaison-allocation-bench`: measures the allocation engine and `liaison allocate` on
//! deterministic instances of 1k, 10k, 100k and 1M students × 5 choices (programmes = students /
//! 20, Zipf-skewed popularity, rankings by a common score plus per-programme noise; see
//! `liaison_allocation::synthetic`), against the plain-Python implementation of the same
//! algorithm in `crates/liaison-allocation/bench/reference.py`, run in the same process tree.
//!
//! Per size it prints: the engine time in process (`allocate` on the interned instance, best of
//! several runs; it includes building the rank tables, as Python's `allocate` does), the end-to-end CLI time (spawning the release `liaison allocate` on the JSON
//! file, best of 3) with and without `--explain`, the CLI's peak resident memory (`wait4`
//! rusage), the Python time end to end and for its algorithm alone (best of 5), and the ratios:
//! every time compared is the best of its runs, on both sides, so that noise from other work on
//! the machine (which only ever adds time) affects the ratio as little as possible. Below the
//! table, a breakdown of the engine per size: its first pass (every preference entry's rank, and
//! the first choices), the later proposals and the result. It also checks that the result is
//! stable and that Python wrote the same bytes.
//!
//! Build first: `cargo build --release -p liaison --bins`, then
//! `target/release/liaison-allocation-bench [--quick] [--python-all] [--python PYTHON] [--keep DIR]`.
//! `--quick` stops at 100k students; Python runs up to 100k students unless `--python-all`;
//! `--keep DIR` leaves the generated inputs and outputs in DIR.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use liaison_allocation::synthetic::{generate, Params};
use liaison_allocation::{allocate, allocate_with_phases, verify, Instance};

const SEED: u64 = 2024;

/// Runs of the Python implementation per size (the best counts).
const PYTHON_RUNS: usize = 5;

/// The allocator under `liaison allocate` (mimalloc; the CLI adds a huge-page hint for blocks of
/// 8 MB and more), so that the engine timed in process allocates its arrays from it, not from
/// glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Options {
    sizes: Vec<usize>,
    python_max: usize,
    python: String,
    reference: PathBuf,
    /// Keep the generated files here instead of a temporary directory.
    keep: Option<PathBuf>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let quick = args.iter().any(|a| a == "--quick");
    let python_all = args.iter().any(|a| a == "--python-all");
    let default_reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../liaison-allocation/bench/reference.py"
    );
    Options {
        sizes: if quick {
            vec![1_000, 10_000, 100_000]
        } else {
            vec![1_000, 10_000, 100_000, 1_000_000]
        },
        python_max: if python_all { usize::MAX } else { 100_000 },
        python: value("--python")
            .or_else(|| std::env::var("PYTHON").ok())
            .unwrap_or_else(|| "python3".into()),
        reference: PathBuf::from(value("--reference").unwrap_or_else(|| default_reference.into())),
        keep: value("--keep").map(PathBuf::from),
    }
}

/// One measured child process: wall time, peak resident memory, success.
struct Run {
    wall: Duration,
    peak_kib: u64,
}

/// Runs `cmd` to completion, measuring wall time and (through `wait4`) its peak RSS.
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which std does not offer"
)]
fn measure(cmd: &mut Command) -> Run {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it and reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(
        reaped,
        pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed (status {status})"
    );
    Run {
        wall,
        peak_kib: usage.ru_maxrss as u64,
    }
}

fn best(xs: &[Duration]) -> Duration {
    xs.iter().copied().min().expect("at least one run")
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Writes the instance as C4 JSON, one student or programme per line.
fn write_input(inst: &Instance, path: &Path) {
    let mut w =
        BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create input"));
    w.write_all(b"{\"students\":[").unwrap();
    for s in 0..inst.students() {
        write!(
            w,
            "{}{{\"id\":\"s{s}\",\"prefs\":[",
            if s == 0 { "\n" } else { ",\n" }
        )
        .unwrap();
        for (i, p) in inst.prefs(s).iter().enumerate() {
            write!(w, "{}\"p{p}\"", if i == 0 { "" } else { "," }).unwrap();
        }
        w.write_all(b"]}").unwrap();
    }
    w.write_all(b"\n],\n\"programs\":[").unwrap();
    for p in 0..inst.programs() {
        write!(
            w,
            "{}{{\"id\":\"p{p}\",\"capacity\":{},\"ranking\":[",
            if p == 0 { "\n" } else { ",\n" },
            inst.capacity(p)
        )
        .unwrap();
        for (i, s) in inst.ranking(p).iter().enumerate() {
            write!(w, "{}\"s{s}\"", if i == 0 { "" } else { "," }).unwrap();
        }
        w.write_all(b"]}").unwrap();
    }
    w.write_all(b"\n]}\n").unwrap();
    w.flush().unwrap();
}

/// The CLI's output for this assignment, with the benchmark's ids.
fn expected_output(assignment: &[Option<u32>]) -> Vec<u8> {
    let mut out = b"{\"assignment\":{".to_vec();
    for (s, p) in assignment.iter().enumerate() {
        out.extend_from_slice(if s == 0 { b"\n" } else { b",\n" });
        match p {
            Some(p) => out.extend_from_slice(format!("\"s{s}\":\"p{p}\"").as_bytes()),
            None => out.extend_from_slice(format!("\"s{s}\":null").as_bytes()),
        }
    }
    out.extend_from_slice(b"\n}}\n");
    out
}

fn python_timings(path: &Path) -> (f64, f64) {
    let text = std::fs::read_to_string(path).expect("Python timings");
    let v: serde_json::Value = serde_json::from_str(&text).expect("timings JSON");
    (
        v["parse"].as_f64().unwrap_or(0.0),
        v["engine"].as_f64().unwrap_or(0.0),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// Milliseconds to two decimals, for the phases of a run of a few milliseconds.
fn ms_fine(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn main() {
    let opts = options();
    let exe = std::env::current_exe().unwrap().with_file_name("liaison");
    assert!(
        exe.exists(),
        "{} not found; run `cargo build --release -p liaison --bins` first",
        exe.display()
    );
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = opts.keep.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).expect("benchmark directory");
    println!("allocation benchmark: students × 5 choices, programmes = students / 20, Zipf 1, 0.8 places per student");
    println!("engine = deferred acceptance in process on a built instance (best of 31, of 3 at 1M); CLI = `liaison allocate` end to end (best of 3), peak RSS via wait4");
    println!(
        "Python = crates/liaison-allocation/bench/reference.py, end to end and algorithm only (best of {PYTHON_RUNS})"
    );
    println!();
    row(&HEADERS.map(String::from));
    println!("|{}|", HEADERS.map(|h| "-".repeat(h.len() + 2)).join("|"));
    let mut summary = Vec::new();
    let mut goals = Vec::new();
    let mut breakdown = Vec::new();
    for &n in &opts.sizes {
        let inst = generate(&Params::new(n, SEED));
        let input = dir.join(format!("in-{n}.json"));
        write_input(&inst, &input);
        let input_mb = std::fs::metadata(&input).unwrap().len() as f64 / 1e6;

        // A run takes milliseconds below 1M students: many of them cost nothing and keep the
        // best one clear of the machine's noise, as Python's several runs do for it.
        let runs = if n >= 1_000_000 { 3 } else { 31 };
        let mut engine = Vec::new();
        let mut result = None;
        for _ in 0..runs {
            // Each run starts as the first did, with the last run's result freed (not still
            // holding its memory while the next one allocates).
            drop(result.take());
            let started = Instant::now();
            let alloc = allocate(&inst);
            engine.push(started.elapsed());
            result = Some(alloc);
        }
        let engine = best(&engine);
        let alloc = result.unwrap();
        // The same work again, phase by phase, for the breakdown.
        let (mut first_pass, mut proposals, mut result_phase) =
            (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let (again, phases) = allocate_with_phases(&inst);
            assert!(again == alloc, "the engine is deterministic");
            first_pass.push(phases.first_pass);
            proposals.push(phases.proposals);
            result_phase.push(phases.result);
        }
        let (first_pass, proposals, result_phase) =
            (best(&first_pass), best(&proposals), best(&result_phase));
        let assignment: Vec<Option<u32>> = alloc.assignments().collect();
        verify::check_stable(&inst, &assignment).expect("the engine's result is stable");

        let out = dir.join(format!("out-{n}.json"));
        let cli = |explain: bool| {
            let mut cmd = Command::new(&exe);
            cmd.args(["allocate", "--input"])
                .arg(&input)
                .arg("--output")
                .arg(&out)
                .env("LIAISON_LOG", "warn")
                .stderr(Stdio::inherit());
            if explain {
                cmd.arg("--explain");
            }
            measure(&mut cmd)
        };
        let mut walls = Vec::new();
        let mut peak = 0;
        for _ in 0..3 {
            let r = cli(false);
            walls.push(r.wall);
            peak = peak.max(r.peak_kib);
        }
        let cli_wall = best(&walls);
        let cli_median = median(walls);
        let cli_bytes = std::fs::read(&out).unwrap();
        assert!(
            cli_bytes == expected_output(&assignment),
            "liaison allocate disagrees with the engine on {n} students"
        );
        let explain_wall = best(&(0..3).map(|_| cli(true).wall).collect::<Vec<_>>());

        let (mut py_cell, mut py_engine_cell, mut ratio_cell, mut engine_ratio_cell) = (
            "skipped".to_string(),
            "-".to_string(),
            "-".to_string(),
            "-".to_string(),
        );
        if n <= opts.python_max {
            let py_out = dir.join(format!("py-{n}.json"));
            let timings = dir.join(format!("py-{n}-timings.json"));
            let mut cmd = Command::new(&opts.python);
            cmd.arg(&opts.reference)
                .arg(&input)
                .arg(&py_out)
                .arg("--timings")
                .arg(&timings)
                .stderr(Stdio::inherit());
            let (mut py_wall, mut py_engine) = (Duration::MAX, f64::INFINITY);
            for _ in 0..PYTHON_RUNS {
                py_wall = py_wall.min(measure(&mut cmd).wall);
                py_engine = py_engine.min(python_timings(&timings).1);
                assert!(
                    std::fs::read(&py_out).unwrap() == cli_bytes,
                    "Python and liaison disagree on {n} students"
                );
            }
            py_cell = ms(py_wall);
            py_engine_cell = format!("{:.1}", py_engine * 1e3);
            let ratio = py_wall.as_secs_f64() / cli_wall.as_secs_f64();
            let engine_ratio = py_engine / engine.as_secs_f64();
            ratio_cell = format!("{ratio:.0}×");
            engine_ratio_cell = format!("{engine_ratio:.0}×");
            summary.push((n, ratio, engine_ratio));
        }
        breakdown.push(format!(
            "breakdown at {n} (best of each): first pass (every entry's rank, first choices) {} ms, later proposals {} ms, result {} ms",
            ms_fine(first_pass),
            ms_fine(proposals),
            ms_fine(result_phase)
        ));
        row(&[
            n.to_string(),
            inst.programs().to_string(),
            format!("{input_mb:.1}"),
            ms_fine(engine),
            ms(cli_wall),
            ms(explain_wall),
            format!("{:.1}", peak as f64 / 1024.0),
            py_cell,
            py_engine_cell,
            ratio_cell,
            engine_ratio_cell,
        ]);
        if n == 1_000_000 {
            let ok = cli_median < Duration::from_secs(1) && peak < 1024 * 1024;
            let verdict = if ok { "met" } else { "NOT met" };
            let mib = peak as f64 / 1024.0;
            goals.push(format!(
                "goal: 1M students end to end < 1 s and < 1 GiB: {} ms (median of 3), {mib:.0} MiB — {verdict}",
                ms(cli_median)
            ));
        }
        if opts.keep.is_none() {
            let _ = std::fs::remove_file(&input);
        }
    }
    for (n, ratio, engine_ratio) in summary.iter().filter(|(n, ..)| *n == 100_000) {
        // Like for like: Python's `allocate` and the engine both start from the parsed problem
        // and build their rank tables as part of the algorithm.
        let verdict = if *engine_ratio >= 200.0 {
            "met"
        } else {
            "NOT met"
        };
        goals.push(format!("goal: ≥ 200× Python on {n} students, the algorithm with its rank tables on both sides: {engine_ratio:.0}× — {verdict} (end to end, with parsing and writing: {ratio:.0}×)"));
    }
    println!();
    for line in breakdown {
        println!("{line}");
    }
    for goal in goals {
        println!("{goal}");
    }
}

const HEADERS: [&str; 11] = [
    "students",
    "programmes",
    "input MB",
    "engine ms",
    "CLI ms",
    "CLI --explain ms",
    "CLI peak MiB",
    "Python ms",
    "Python engine ms",
    "Python/CLI",
    "Python/engine",
];

/// One table row, each cell right-aligned to its header.
fn row(cells: &[String; 11]) {
    let cells: Vec<String> = cells
        .iter()
        .zip(HEADERS)
        .map(|(c, h)| format!(" {c:>w$} ", w = h.len()))
        .collect();
    println!("|{}|", cells.join("|"));
}
