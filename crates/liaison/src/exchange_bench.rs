//! `liaison-exchange-bench`: the two figures of issue 7, against `/healthz` in the same run.
//!
//! 1. **Allocation run on the demo call.** Loads the demo data (a completed call with 120
//!    applications and a published run), puts the call back where it stood before its first run
//!    (the runs deleted, its allocated and unplaced applications eligible again: exactly the
//!    inputs the demo allocated from), then times `POST /api/v1/calls/{id}/allocate` on the release
//!    server, one request after another (each stores a new preview run, round 1), against
//!    `GET /healthz` on the same connection. Also times, in process, the inputs read from the
//!    database (`Db::allocation_inputs`) and the engine alone (`exchange::allocation_run`).
//! 2. **Mobility lists at 10,000 mobilities.** Fills a database with 10,000 generated stays
//!    (200 partners, 2,000 people, 2019–2026, every direction and state) and measures
//!    `GET /api/v1/mobilities` (50 a page) and the `/mobilities` HTML page from 16 concurrent
//!    keep-alive connections, with req/s, p50/p95 and the throughput as a share of `/healthz`.
//!
//! Both on SQLite and, with `--postgres URL` (or `LIAISON_BENCH_POSTGRES_URL`), on PostgreSQL.
//! Build first: `cargo build --release -p liaison --bins`, then
//! `target/release/liaison-exchange-bench [--rows N] [--seconds S] [--postgres URL]`.

mod bench_http;

use bench_http::{add_bench_user, connect, credentials, send, start_server, Sender, CONNECTIONS};
use std::time::{Duration, Instant};

use liaison_demo::Rng;
use liaison_storage::Db;

const ALLOCATION_RUNS: usize = 15;
const PARTNERS: usize = 200;
const PEOPLE: usize = 2_000;
const COUNTRIES: &[&str] = &["MY", "KZ", "RU", "TH", "DE", "FR", "GB", "KR", "JP", "US"];
const TYPES: &[&str] = &[
    "student_studies",
    "student_studies",
    "student_traineeship",
    "staff_teaching",
    "staff_training",
];
const STATUSES: &[&str] = &[
    "nominated",
    "accepted",
    "preparing",
    "abroad",
    "returned",
    "recognised",
    "recognised",
    "cancelled",
];

/// A fresh database on the engine: a temp SQLite file, or a new schema in PostgreSQL.
struct Target {
    url: String,
    schema: Option<(String, String)>,
}

async fn target(dir: &std::path::Path, postgres: Option<&str>, name: &str) -> Target {
    match postgres {
        None => Target {
            url: format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
            schema: None,
        },
        Some(admin) => {
            let schema = format!("exchange_bench_{name}_{}", std::process::id());
            let db = Db::connect(admin).await.expect("postgres");
            db.execute_raw(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("schema");
            db.close().await;
            let sep = if admin.contains('?') { '&' } else { '?' };
            Target {
                url: format!("{admin}{sep}options=-c%20search_path%3D{schema}"),
                schema: Some((admin.to_string(), schema)),
            }
        }
    }
}

impl Target {
    async fn drop_schema(&self) {
        if let Some((admin, schema)) = &self.schema {
            let db = Db::connect(admin).await.expect("postgres");
            db.execute_raw(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .expect("drop schema");
            db.close().await;
        }
    }
}

/// The demo data, with the demo call put back before its first run. Returns the call's id.
async fn demo_before_allocation(db: &Db) -> i64 {
    db.migrate().await.expect("migrate");
    let started = Instant::now();
    liaison_demo::load(db).await.expect("demo data");
    eprintln!(
        "  loaded the demo data in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    add_bench_user(db).await;
    let calls = db
        .calls(
            &Default::default(),
            &liaison_domain::Sort {
                field: "updated_at",
                descending: true,
            },
            &Default::default(),
        )
        .await
        .expect("calls");
    let call = calls.items.first().expect("the demo call").id;
    db.execute_raw(&format!(
        "DELETE FROM allocation_runs WHERE call_id = {call}; \
         UPDATE applications SET status = 'eligible', allocated_condition_id = NULL, \
         explanation = '[]' WHERE call_id = {call} \
         AND status IN ('allocated', 'unplaced', 'nominated', 'accepted')"
    ))
    .await
    .expect("reset the demo call");
    call
}

async fn fill_mobilities(db: &Db, rows: usize) {
    db.migrate().await.expect("migrate");
    add_bench_user(db).await;
    let now = "2026-01-01T00:00:00.000000Z";
    let mut sql = String::from("BEGIN;\n");
    sql.push_str(&format!(
        "INSERT INTO institutions (kind, name_en, name_zh, country, status, region_tags, \
         search_text, sort_name, created_at, updated_at) VALUES ('university', \
         'Anhui Xinhua University', '安徽新华学院', 'CN', 'active', '', 'anhui xinhua', \
         'anhui xinhua', '{now}', '{now}');\n"
    ));
    for i in 0..PARTNERS {
        sql.push_str(&format!(
            "INSERT INTO institutions (kind, name_en, country, status, region_tags, search_text, \
             sort_name, created_at, updated_at) VALUES ('university', 'Partner University {i}', \
             '{}', 'active', '', 'partner university {i}', 'partner university {i}', '{now}', \
             '{now}');\n",
            COUNTRIES[i % COUNTRIES.len()]
        ));
    }
    for p in 0..PEOPLE {
        sql.push_str(&format!(
            "INSERT INTO people (name_en, search_text, sort_name, created_at, updated_at) \
             VALUES ('Student {p}', 'student {p}', 'student {p}', '{now}', '{now}');\n"
        ));
    }
    sql.push_str("COMMIT;\n");
    db.execute_raw(&sql).await.expect("directory rows");
    // The demo data's generator (SplitMix64), so every run measures the same data.
    let mut rng = Rng::new(7);
    let mut done = 0;
    while done < rows {
        let n = 1_000.min(rows - done);
        let mut sql = String::from(
            "INSERT INTO mobilities (person_id, direction, mobility_type, level, \
             home_institution_id, host_institution_id, academic_year, planned_start, \
             planned_end, start_on, end_on, status, search_text, created_at, updated_at) VALUES ",
        );
        for k in 0..n {
            let outgoing = rng.below(3) != 0;
            let partner = 2 + rng.below(PARTNERS) as i64;
            let (home, host) = if outgoing { (1, partner) } else { (partner, 1) };
            let year = 2019 + rng.below(8) as i32;
            let kind = TYPES[rng.below(TYPES.len())];
            let level = if kind.starts_with("student") {
                "'bachelor'"
            } else {
                "NULL"
            };
            let person = 1 + rng.below(PEOPLE);
            let (start, end) = (format!("{year}-09-01"), format!("{}-01-31", year + 1));
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "({person}, '{}', '{kind}', {level}, {home}, {host}, '{year}/{}', '{start}', \
                 '{end}', '{start}', '{end}', '{}', 'student {person} partner university {}', \
                 '{now}', '{now}')",
                if outgoing { "outgoing" } else { "incoming" },
                year + 1,
                STATUSES[rng.below(STATUSES.len())],
                partner - 2
            ));
        }
        db.execute_raw(&sql).await.expect("mobility rows");
        done += n;
    }
    db.execute_raw("ANALYZE").await.expect("analyze");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `n` requests one after another on one connection: sorted latencies in milliseconds.
async fn sequential(
    sender: &mut Sender,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    expect: u16,
    n: usize,
) -> Vec<f64> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, _, body) = send(sender, method, path, headers, "").await;
        assert_eq!(status, expect, "{path}: {}", String::from_utf8_lossy(&body));
        times.push(ms(t.elapsed()));
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times
}

async fn allocation(engine: &str, target: &Target) {
    let db = Db::connect(&target.url).await.expect("database");
    let call = demo_before_allocation(&db).await;
    let inputs = db.allocation_inputs(call).await.expect("inputs");
    let applications = inputs.applications.len();
    let places: i64 = inputs.capacities.iter().map(|(_, c)| c).sum();
    // In process: reading the inputs, and the engine alone.
    let mut read = Vec::new();
    let mut engine_times = Vec::new();
    for _ in 0..ALLOCATION_RUNS {
        let t = Instant::now();
        let inputs = db.allocation_inputs(call).await.expect("inputs");
        read.push(ms(t.elapsed()));
        let t = Instant::now();
        let run = liaison_domain::exchange::allocation_run(
            &inputs.applications,
            &inputs.capacities,
            &inputs.call.draft.scoring,
            inputs.round,
            inputs.call.version,
        )
        .expect("allocation");
        engine_times.push(ms(t.elapsed()));
        assert_eq!(inputs.round, 1);
        std::hint::black_box(run);
    }
    read.sort_by(|a, b| a.partial_cmp(b).unwrap());
    engine_times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    db.close().await;

    let server = start_server(&target.url, &[]);
    let (token, _) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let mut s = connect(&server.addr).await;
    // Warm-up, not counted.
    sequential(&mut s, "GET", "/healthz", &[], 200, 20).await;
    let health = sequential(&mut s, "GET", "/healthz", &[], 200, 200).await;
    let path = format!("/api/v1/calls/{call}/allocate");
    let runs = sequential(&mut s, "POST", &path, &bearer, 201, ALLOCATION_RUNS).await;
    let (_, _, body) = send(
        &mut s,
        "GET",
        &format!("/api/v1/calls/{call}/allocation"),
        &bearer,
        "",
    )
    .await;
    let latest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let assigned = latest["result"]["assignment"]
        .as_object()
        .map(|a| a.values().filter(|v| !v.is_null()).count())
        .unwrap_or(0);
    drop(server);
    println!(
        "| {engine} | {applications} | {places} ({assigned} given) | {:.1} | {:.1} | {:.1} | {:.1} | {:.3} | {:.0}× |",
        percentile(&runs, 0.5),
        percentile(&runs, 1.0),
        percentile(&read, 0.5),
        percentile(&engine_times, 0.5),
        percentile(&health, 0.5),
        percentile(&runs, 0.5) / percentile(&health, 0.5)
    );
}

struct Load {
    name: String,
    rps: f64,
    p50: f64,
    p95: f64,
}

/// Runs `path` from 16 connections for `seconds` (after a short warm-up each).
async fn load(
    name: &str,
    addr: &str,
    path: &str,
    headers: &[(String, String)],
    seconds: f64,
) -> Load {
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (addr, path, headers) = (addr.to_string(), path.to_string(), headers.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&addr).await;
            for _ in 0..3 {
                send(&mut sender, "GET", &path, &headers, "").await;
            }
            let mut latencies = Vec::new();
            let deadline = Instant::now() + Duration::from_secs_f64(seconds);
            while Instant::now() < deadline {
                let t = Instant::now();
                let (status, _, _) = send(&mut sender, "GET", &path, &headers, "").await;
                assert_eq!(status, 200, "{path}");
                latencies.push(ms(t.elapsed()));
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(!all.is_empty(), "{name}: no request finished");
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Load {
        name: name.into(),
        rps: all.len() as f64 / seconds,
        p50: percentile(&all, 0.5),
        p95: percentile(&all, 0.95),
    }
}

async fn lists(engine: &str, target: &Target, rows: usize, seconds: f64) {
    let db = Db::connect(&target.url).await.expect("database");
    let started = Instant::now();
    fill_mobilities(&db, rows).await;
    eprintln!(
        "  generated {rows} mobilities in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    db.close().await;
    let server = start_server(&target.url, &[]);
    let (token, session) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let cookie = vec![("cookie".to_string(), session)];
    let mut s = connect(&server.addr).await;
    let (_, _, body) = send(&mut s, "GET", "/api/v1/mobilities?per_page=1", &bearer, "").await;
    let total = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["total"]
        .as_i64()
        .unwrap_or(0);
    assert_eq!(total as usize, rows, "every generated stay is listed");
    let health = load("GET /healthz", &server.addr, "/healthz", &[], seconds).await;
    let api = load(
        "GET /api/v1/mobilities (50/page)",
        &server.addr,
        "/api/v1/mobilities?page=1&per_page=50",
        &bearer,
        seconds,
    )
    .await;
    let html = load(
        "GET /mobilities HTML",
        &server.addr,
        "/mobilities",
        &cookie,
        seconds,
    )
    .await;
    drop(server);
    for r in [&health, &api, &html] {
        println!(
            "| {engine} | {} | {:.0} | {:.2} | {:.2} | {:.1}% |",
            r.name,
            r.rps,
            r.p50,
            r.p95,
            100.0 * r.rps / health.rps
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rows = 10_000usize;
    let mut seconds = 2.0f64;
    let mut postgres = std::env::var("LIAISON_BENCH_POSTGRES_URL").ok();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--seconds S")
            }
            "--postgres" => postgres = args.next(),
            other => {
                panic!("unknown argument {other}; use --rows N, --seconds S, --postgres URL")
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut engines: Vec<(&str, Option<&str>)> = vec![("SQLite", None)];
    if let Some(url) = postgres.as_deref() {
        engines.push(("PostgreSQL", Some(url)));
    }

    println!(
        "Allocation run on the demo call, round 1, {ALLOCATION_RUNS} runs one after another \
         (ms; /healthz: 200 requests on the same connection)\n"
    );
    println!(
        "| engine | applications | places | POST allocate p50 | max | inputs read p50 | \
         engine p50 | /healthz p50 | allocate / /healthz |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (engine, pg) in &engines {
        let t = target(dir.path(), *pg, "demo").await;
        allocation(engine, &t).await;
        t.drop_schema().await;
    }

    println!(
        "\nMobility lists at {rows} mobilities, {CONNECTIONS} connections, {seconds} s each \
         (ms; last column: throughput as a share of /healthz)\n"
    );
    println!("| engine | endpoint | req/s | p50 | p95 | vs /healthz |");
    println!("|---|---|---|---|---|---|");
    for (engine, pg) in &engines {
        let t = target(dir.path(), *pg, "lists").await;
        lists(engine, &t, rows, seconds).await;
        t.drop_schema().await;
    }
}
