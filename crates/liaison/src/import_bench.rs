//! `liaison-import-bench`: importing 100,000 institutions from an XLSX workbook (C8, issue 8).
//!
//! Writes a deterministic workbook of new institutions (English and Chinese names, country, city,
//! status, region tags, a unique `hei_id`, website), then imports it into an empty SQLite
//! database (and, with `--postgres URL` or `LIAISON_BENCH_POSTGRES_URL`, PostgreSQL) exactly as
//! `liaison import` does: read, check every row, write all in one audited transaction. Prints the
//! time of each stage and the whole, and the ratio against merely reading the same file with
//! Python's openpyxl 3.1.5 (read-only mode, every cell value), installed by pip into a venv under
//! `target/` on first use. Goal: the whole import under 5 s.
//!
//! Usage: `liaison-import-bench [--rows N] [--postgres URL] [--python PYTHON]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use liaison_storage::{Actor, Db};
use liaison_transfer::{Entity, Format, Progress, Stage};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const OPENPYXL: &str = "3.1.5";
const COUNTRIES: &[&str] = &[
    "KZ", "UZ", "KG", "TJ", "RU", "DE", "FR", "GB", "US", "JP", "KR", "SG", "MY", "TH", "VN",
];
const CITIES: &[(&str, &str)] = &[
    ("Almaty", "阿拉木图"),
    ("Tashkent", "塔什干"),
    ("Bishkek", "比什凯克"),
    ("Moscow", "莫斯科"),
    ("Berlin", "柏林"),
    ("Paris", "巴黎"),
];
const STATUSES: &[&str] = &["prospect", "active", "active", "dormant"];
const TAGS: &[&str] = &[
    "",
    "sco",
    "belt_and_road",
    "sco;belt_and_road",
    "eu",
    "asean",
];

fn workbook(rows: usize) -> Vec<u8> {
    let header: Vec<String> = [
        "kind",
        "name.en",
        "name.zh",
        "country",
        "city.en",
        "city.zh",
        "website",
        "status",
        "region_tags",
        "hei_id",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let data: Vec<Vec<String>> = (0..rows)
        .map(|i| {
            let (city, city_zh) = CITIES[i % CITIES.len()];
            vec![
                if i % 5 == 0 {
                    "enterprise"
                } else {
                    "university"
                }
                .into(),
                format!("Partner University No. {i}"),
                format!("合作大学{i}号"),
                COUNTRIES[i % COUNTRIES.len()].into(),
                city.into(),
                city_zh.into(),
                format!("https://partner{i}.example.org"),
                STATUSES[i % STATUSES.len()].into(),
                TAGS[i % TAGS.len()].into(),
                format!("partner{i}.example.org"),
            ]
        })
        .collect();
    liaison_transfer::table_file(Entity::Institutions.as_str(), &header, &data, Format::Xlsx)
}

/// The venv's Python with openpyxl, made under `target/` on first use.
fn python_with_openpyxl(base: Option<String>) -> Option<PathBuf> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let venv = Path::new(&target).join("openpyxl-venv");
    let python = venv.join("bin/python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import openpyxl; print(openpyxl.__version__)"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == OPENPYXL)
    };
    if ready(&python) {
        return Some(python);
    }
    let base = base.unwrap_or_else(|| "python3".into());
    eprintln!("installing openpyxl=={OPENPYXL} into {}", venv.display());
    let made = Command::new(&base)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("openpyxl=={OPENPYXL}"),
            ])
            .status()
            .is_ok_and(|s| s.success());
    (made && ready(&python)).then_some(python)
}

const READ_PY: &str = r#"
import sys, time
from openpyxl import load_workbook
best = None
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    book = load_workbook(sys.argv[1], read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    took = time.perf_counter() - t
    best = took if best is None else min(best, took)
print(len(rows) - 1, best)
"#;

/// openpyxl's best time (of `runs`) to read every cell value of the file.
fn openpyxl_read(python: &Path, file: &Path, runs: usize) -> Option<(usize, f64)> {
    let out = Command::new(python)
        .args(["-c", READ_PY])
        .arg(file)
        .arg(runs.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("openpyxl failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

struct Timing {
    read: Duration,
    checked: Duration,
    /// When the last row was written (before the bulk search index and the commit).
    rows_written: Duration,
    total: Duration,
}

async fn import(db: &Db, bytes: &[u8], rows: usize) -> Timing {
    db.migrate().await.expect("migrations");
    let start = Instant::now();
    let marks = Mutex::new((Duration::ZERO, Duration::ZERO, Duration::ZERO));
    let progress = |p: Progress| {
        let mut m = marks.lock().unwrap();
        match p.stage {
            Stage::Read => m.0 = start.elapsed(),
            Stage::Checked => m.1 = start.elapsed(),
            Stage::Written => m.2 = start.elapsed(),
        }
    };
    let outcome = liaison_transfer::import_with_progress(
        db,
        &Actor::system("bench"),
        Entity::Institutions,
        bytes,
        false,
        &progress,
    )
    .await
    .unwrap_or_else(|e| panic!("import failed: {e:?}"));
    let total = start.elapsed();
    assert_eq!(outcome.created, rows, "every row created");
    let (read, checked, rows_written) = *marks.lock().unwrap();
    Timing {
        read,
        checked,
        rows_written,
        total,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rows = 100_000usize;
    let mut postgres = std::env::var("LIAISON_BENCH_POSTGRES_URL").ok();
    let mut python = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--postgres" => postgres = args.next(),
            "--python" => python = args.next(),
            other => {
                panic!("unknown argument {other}; use --rows N, --postgres URL, --python PYTHON")
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("institutions.xlsx");
    let bytes = workbook(rows);
    std::fs::write(&file, &bytes).expect("write the workbook");
    println!(
        "Import of {rows} institutions from XLSX ({:.1} MB), as `liaison import` does it\n",
        bytes.len() as f64 / 1e6
    );

    let openpyxl = python_with_openpyxl(python).and_then(|p| openpyxl_read(&p, &file, 3));
    match openpyxl {
        Some((n, _)) => assert_eq!(n, rows, "openpyxl read every row"),
        None => println!("(openpyxl {OPENPYXL} not available: no ratio)\n"),
    }

    println!("| engine | read XLSX s | + check s | + write rows s | + index, commit s | whole import s | openpyxl read only s | import ÷ openpyxl |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut results = Vec::new();
    let sqlite = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .expect("sqlite");
    results.push(("SQLite", import(&sqlite, &bytes, rows).await));
    sqlite.close().await;
    if let Some(url) = postgres {
        let schema = format!("import_bench_{}", std::process::id());
        let admin = Db::connect(&url).await.expect("postgres");
        admin
            .execute_raw(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        let db = Db::connect(&format!("{url}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .expect("postgres schema");
        results.push(("PostgreSQL", import(&db, &bytes, rows).await));
        db.close().await;
        admin
            .execute_raw(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop schema");
        admin.close().await;
    }
    for (engine, t) in &results {
        let (py, ratio) = match openpyxl {
            Some((_, s)) => (
                format!("{s:.2}"),
                format!("{:.2}", t.total.as_secs_f64() / s),
            ),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {engine} | {} | {} | {} | {} | {} | {py} | {ratio} |",
            secs(t.read),
            secs(t.checked - t.read),
            secs(t.rows_written - t.checked),
            secs(t.total - t.rows_written),
            secs(t.total),
        );
    }
    println!();
    for (engine, t) in &results {
        let verdict = if t.total < Duration::from_secs(5) {
            "met"
        } else {
            "NOT met"
        };
        println!(
            "{engine}: {rows} rows in {} s, goal < 5 s {verdict}",
            secs(t.total)
        );
    }
}
