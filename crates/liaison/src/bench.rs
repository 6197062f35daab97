//! `liaison-bench`: serves a generated directory with the release `liaison` binary and measures it
//! from a second process with 16 concurrent keep-alive connections. Prints req/s and latency
//! percentiles per endpoint and each endpoint's throughput as a ratio of `/healthz`, plus cold
//! start time and idle memory. Build first: `cargo build --release`, then
//! `target/release/liaison-bench [--quick] [--search]`.

mod bench_http;

use bench_http::{add_bench_user, connect, credentials, send, start_server, CONNECTIONS, PASSWORD};
use std::time::{Duration, Instant};

use liaison_storage::{Actor, Db};

struct Sizes {
    list_rows: usize,
    search_rows: usize,
    seconds: f64,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--search`: only the search run, beside its own /healthz reference (to study search alone).
    let search_only = std::env::args().any(|a| a == "--search");
    let sizes = if quick {
        Sizes {
            list_rows: 2_000,
            search_rows: 10_000,
            seconds: 1.0,
        }
    } else {
        Sizes {
            list_rows: 10_000,
            search_rows: 100_000,
            seconds: 5.0,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    if search_only {
        runtime.block_on(run_search_only(sizes));
    } else {
        runtime.block_on(run(sizes));
    }
}

async fn build_db(path: &std::path::Path, rows: usize) -> (String, Vec<String>) {
    let url = format!("sqlite://{}", path.display());
    let drafts = liaison_demo::generated_institutions(rows, 7);
    if path.exists() {
        eprintln!("  reusing {}", path.display());
        return (url, search_queries(&drafts));
    }
    let db = Db::connect(&url).await.expect("open bench database");
    db.migrate().await.expect("migrate");
    let started = Instant::now();
    for chunk in drafts.chunks(5_000) {
        db.create_institutions(&Actor::system("bench"), chunk)
            .await
            .expect("insert");
    }
    eprintln!(
        "  built {rows} institutions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    add_bench_user(&db).await;
    db.close().await;
    (url, search_queries(&drafts))
}

fn search_queries(drafts: &[liaison_domain::InstitutionDraft]) -> Vec<String> {
    // Realistic searches: pieces of real names in both languages, most matching a handful of rows.
    // Each is distinct; the search server runs without the page cache, so repeats read the database.
    let mut seen = std::collections::HashSet::new();
    let mut queries = Vec::new();
    for d in drafts {
        if let Some(en) = &d.name.en {
            let words: Vec<&str> = en.split_whitespace().collect();
            queries.push(words.iter().take(2).copied().collect::<Vec<_>>().join(" "));
        }
        if let Some(zh) = &d.name.zh {
            queries.push(zh.chars().take(3).collect());
        }
    }
    queries.retain(|q| seen.insert(q.clone()));
    queries
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

async fn get_json(addr: &str, headers: &[(String, String)], path: &str) -> serde_json::Value {
    let mut s = connect(addr).await;
    let (status, _, body) = send(&mut s, "GET", path, headers, "").await;
    assert_eq!(status, 200, "{path}");
    serde_json::from_slice(&body).unwrap()
}

async fn first_id(addr: &str, headers: &[(String, String)], path: &str) -> String {
    get_json(addr, headers, path).await["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: no item"))
        .to_string()
}

async fn total(addr: &str, headers: &[(String, String)], path: &str) -> i64 {
    get_json(addr, headers, path).await["total"]
        .as_i64()
        .unwrap_or(0)
}

/// Sequential sign-ins through the token endpoint: (median, max) in milliseconds. Password
/// hashing dominates, on purpose.
async fn login_latency(addr: &str, n: usize) -> (f64, f64) {
    let mut s = connect(addr).await;
    let json = [("content-type".to_string(), "application/json".to_string())];
    let body = format!(r#"{{"email":"bench@liaison.example","password":"{PASSWORD}"}}"#);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, _, _) = send(&mut s, "POST", "/api/v1/auth/token", &json, &body).await;
        assert_eq!(status, 200);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (times[n / 2], times[n - 1])
}

struct Result {
    name: String,
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
}

/// Runs `paths` round-robin from 16 connections for `seconds`; latencies in milliseconds.
async fn load(
    name: &str,
    addr: &str,
    paths: Vec<String>,
    headers: Vec<(String, String)>,
    seconds: f64,
) -> Result {
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS {
        let (addr, paths, headers) = (addr.to_string(), paths.clone(), headers.clone());
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&addr).await;
            let mut latencies = Vec::new();
            let mut i = worker;
            // Warm-up: a few requests per connection are not counted.
            for _ in 0..5 {
                send(&mut sender, "GET", &paths[i % paths.len()], &headers, "").await;
                i += CONNECTIONS;
            }
            // Each connection measures for `seconds` after its own warm-up.
            let deadline = Instant::now() + Duration::from_secs_f64(seconds);
            while Instant::now() < deadline {
                let t = Instant::now();
                let (status, _, _) =
                    send(&mut sender, "GET", &paths[i % paths.len()], &headers, "").await;
                assert_eq!(status, 200, "{}", paths[i % paths.len()]);
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                // The connections take turns through `paths`: each path once before any repeats.
                i += CONNECTIONS;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert!(!all.is_empty(), "{name}: no request finished");
    let elapsed = seconds;
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Result {
        name: name.into(),
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
    }
}

/// The reference every other throughput is compared with.
async fn healthz(addr: &str, seconds: f64) -> Result {
    load("/healthz", addr, vec!["/healthz".into()], vec![], seconds).await
}

/// The first row is the reference the others are compared with.
fn print(results: &[Result]) {
    print_against(results[0].rps, results);
}

fn print_against(reference: f64, results: &[Result]) {
    println!(
        "{:<44} {:>10} {:>9} {:>9} {:>9} {:>12}",
        "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "vs /healthz"
    );
    for r in results {
        println!(
            "{:<44} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>11.1}%",
            r.name,
            r.rps,
            r.p50,
            r.p95,
            r.p99,
            100.0 * r.rps / reference
        );
    }
}

async fn run(sizes: Sizes) {
    let dir = tempfile::tempdir().unwrap();
    println!(
        "liaison-bench: {CONNECTIONS} concurrent connections, {} s per endpoint, SQLite",
        sizes.seconds
    );

    eprintln!("building the {}-row directory…", sizes.list_rows);
    let (url, _) = build_db(&dir.path().join("list.db"), sizes.list_rows).await;
    let server = start_server(&url, &[]);
    let idle_rss = rss_mib(server.child.id());
    let (token, session) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let cookie = vec![("cookie".to_string(), session)];
    let login = login_latency(&server.addr, 20).await;
    let health = healthz(&server.addr, sizes.seconds).await;
    let api = load(
        &format!(
            "GET /api/v1/institutions ({}k rows, 50/page)",
            sizes.list_rows / 1000
        ),
        &server.addr,
        vec!["/api/v1/institutions?page=1&per_page=50".into()],
        bearer.clone(),
        sizes.seconds,
    )
    .await;
    let html = load(
        &format!("GET /institutions HTML ({}k rows)", sizes.list_rows / 1000),
        &server.addr,
        vec!["/institutions".into()],
        cookie,
        sizes.seconds,
    )
    .await;
    let loaded_rss = rss_mib(server.child.id());
    let reference_rps = health.rps;
    let cold = server.cold_start;
    drop(server);

    // The same page from a server that reads it from the database every time: what the first
    // request after a change costs, and what every request cost before the page cache.
    let server = start_server(&url, &["--no-page-cache"]);
    let (token, _) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let api_uncached = load(
        "  the same, read from the database every time",
        &server.addr,
        vec!["/api/v1/institutions?page=1&per_page=50".into()],
        bearer,
        sizes.seconds,
    )
    .await;
    drop(server);

    let (search, distinct) = search_run(&sizes).await;

    eprintln!("loading the bilingual demo data for the agreement and event pages…");
    let demo_url = format!("sqlite://{}", dir.path().join("demo.db").display());
    {
        let db = Db::connect(&demo_url).await.expect("open demo database");
        db.migrate().await.expect("migrate");
        liaison_demo::load(&db).await.expect("demo data");
        add_bench_user(&db).await;
        db.close().await;
    }
    let server = start_server(&demo_url, &[]);
    let (token, session) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let cookie = vec![("cookie".to_string(), session)];
    let symposium = first_id(&server.addr, &bearer, "/api/v1/events?q=SCO&per_page=1").await;
    let agreement_total = total(&server.addr, &bearer, "/api/v1/agreements?per_page=1").await;
    let event_total = total(&server.addr, &bearer, "/api/v1/events?per_page=1").await;
    let demo = [
        load(
            &format!("GET /api/v1/agreements ({agreement_total} in demo, 50/page)"),
            &server.addr,
            vec!["/api/v1/agreements?page=1&per_page=50".into()],
            bearer.clone(),
            sizes.seconds,
        )
        .await,
        load(
            "GET /agreements HTML",
            &server.addr,
            vec!["/agreements".into()],
            cookie.clone(),
            sizes.seconds,
        )
        .await,
        load(
            &format!("GET /api/v1/events ({event_total} in demo, 50/page)"),
            &server.addr,
            vec!["/api/v1/events?page=1&per_page=50".into()],
            bearer.clone(),
            sizes.seconds,
        )
        .await,
        load(
            "GET /events/{id} HTML (the SCO symposium)",
            &server.addr,
            vec![format!("/events/{symposium}")],
            cookie,
            sizes.seconds,
        )
        .await,
    ];
    drop(server);

    println!();
    let search_rps = search.rps;
    print(&[health, api, api_uncached, html, search]);
    println!();
    let searches = (search_rps * sizes.seconds) as usize + 5 * CONNECTIONS;
    println!(
        "search: {searches} requests over {distinct} distinct queries, from a server without the \
         page cache (every search reads the database)"
    );
    println!();
    println!("On the demo data (same 16 connections; ratios to the /healthz above):");
    print_against(reference_rps, &demo);
    println!();
    println!(
        "cold start to /healthz: {:.0} ms",
        cold.as_secs_f64() * 1000.0
    );
    println!("idle RSS after start:  {idle_rss:.1} MiB; after the list runs: {loaded_rss:.1} MiB");
    println!(
        "sign-in (POST /api/v1/auth/token, argon2id m=19 MiB t=2 p=1), one at a time: p50 {:.1} ms, max {:.1} ms",
        login.0, login.1
    );
}

async fn run_search_only(sizes: Sizes) {
    let (search, distinct) = search_run(&sizes).await;
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = build_db(&dir.path().join("list.db"), 1_000).await;
    let server = start_server(&url, &[]);
    let health = healthz(&server.addr, sizes.seconds).await;
    drop(server);
    print(&[health, search]);
    println!("search: {distinct} distinct queries, without the page cache");
}

/// Searches on the large directory: each connection steps through distinct queries. Returns the
/// result and how many distinct queries there were.
async fn search_run(sizes: &Sizes) -> (Result, usize) {
    let dir = tempfile::tempdir().unwrap();
    eprintln!(
        "building the {}-row directory for search…",
        sizes.search_rows
    );
    // LIAISON_BENCH_KEEP=DIR keeps the large directory there and reuses it on the next run.
    let path = match std::env::var_os("LIAISON_BENCH_KEEP") {
        Some(keep) => {
            std::path::PathBuf::from(keep).join(format!("search-{}.db", sizes.search_rows))
        }
        None => dir.path().join("search.db"),
    };
    let (url, queries) = build_db(&path, sizes.search_rows).await;
    // Without the page cache: every search reads the database, even when the run comes back to a
    // query it has asked before (at a few thousand searches a second it goes through them all).
    let server = start_server(&url, &["--no-page-cache"]);
    let (token, _) = credentials(&server.addr).await;
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let paths: Vec<String> = queries
        .iter()
        .map(|q| {
            format!(
                "/api/v1/institutions?per_page=50&q={}",
                form_urlencoded_encode(q)
            )
        })
        .collect();
    let distinct = paths.len();
    let search = load(
        &format!(
            "GET /api/v1/institutions?q= ({}k rows)",
            sizes.search_rows / 1000
        ),
        &server.addr,
        paths,
        bearer,
        sizes.seconds,
    )
    .await;
    drop(server);
    (search, distinct)
}

fn form_urlencoded_encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
