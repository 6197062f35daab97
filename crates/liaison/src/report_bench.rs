//! `liaison-report-bench`: the leadership dashboard's aggregates on a large database (issue 8).
//!
//! Generates deterministic mobilities (default 1,000,000) over 2,000 partner institutions in 80
//! countries and 40 units, 2019–2026, then times `Db::report` (every figure of the report page:
//! per year × direction × group, per partner with country and region, per unit, per agreement
//! type, read from the summary tables the triggers of migration 14 keep) against the floor of one
//! bare `GROUP BY` over the mobilities, on SQLite and, with `--postgres URL` (or
//! `LIAISON_BENCH_POSTGRES_URL`), on PostgreSQL. Also times the same figures computed from the
//! mobilities (`Db::report_from_mobilities`) and checks that both agree. Prints the median of 5
//! runs and the ratio. Goal: the report under 200 ms on each engine.
//!
//! Usage: `liaison-report-bench [--rows N] [--postgres URL]`

use std::time::{Duration, Instant};

use liaison_demo::Rng;
use liaison_domain::Scope;
use liaison_storage::{Db, ReportFilter};

const PARTNERS: usize = 2_000;
const UNITS: usize = 40;
const PEOPLE: usize = 5_000;
const COUNTRIES: &[&str] = &[
    "AE", "AR", "AT", "AU", "BD", "BE", "BG", "BR", "BY", "CA", "CH", "CL", "CN", "CO", "CZ", "DE",
    "DK", "EG", "ES", "ET", "FI", "FR", "GB", "GE", "GR", "HK", "HU", "ID", "IE", "IL", "IN", "IR",
    "IT", "JP", "KE", "KG", "KR", "KZ", "LA", "LK", "MA", "MM", "MN", "MO", "MX", "MY", "NG", "NL",
    "NO", "NP", "NZ", "PE", "PH", "PK", "PL", "PT", "QA", "RO", "RS", "RU", "SA", "SE", "SG", "SK",
    "TH", "TJ", "TM", "TR", "TW", "TZ", "UA", "US", "UZ", "VN", "ZA", "ZM", "EE", "LV", "LT", "SI",
];
const TAGS: &[&str] = &[
    "",
    ",sco,",
    ",belt_and_road,",
    ",eu,",
    ",asean,",
    ",sco,belt_and_road,",
];
const TYPES: &[&str] = &[
    "student_studies",
    "student_studies",
    "student_studies",
    "student_traineeship",
    "staff_teaching",
    "staff_training",
];
const STATUSES: &[&str] = &[
    "recognised",
    "returned",
    "returned",
    "abroad",
    "preparing",
    "cancelled",
];

async fn fill(db: &Db, rows: usize) {
    db.migrate().await.expect("migrations");
    let now = "2026-01-01T00:00:00.000000Z";
    let mut sql = String::from("BEGIN;\n");
    sql.push_str(
        "INSERT INTO institutions (kind, name_en, country, status, region_tags, search_text, \
         sort_name, created_at, updated_at) VALUES ('university', 'Home University', 'CN', \
         'active', '', 'home', 'home', '{now}', '{now}');\n",
    );
    for i in 0..PARTNERS {
        sql.push_str(&format!(
            "INSERT INTO institutions (kind, name_en, country, status, region_tags, search_text, \
             sort_name, created_at, updated_at) VALUES ('university', 'Partner {i}', '{}', \
             'active', '{}', 'partner {i}', 'partner {i}', '{now}', '{now}');\n",
            COUNTRIES[i % COUNTRIES.len()],
            TAGS[i % TAGS.len()]
        ));
    }
    for u in 0..UNITS {
        sql.push_str(&format!(
            "INSERT INTO org_units (institution_id, kind, name_en, search_text, sort_name, \
             created_at, updated_at) VALUES (1, 'school', 'School {u}', 'school {u}', \
             'school {u}', '{now}', '{now}');\n"
        ));
    }
    for p in 0..PEOPLE {
        sql.push_str(&format!(
            "INSERT INTO people (name_en, search_text, sort_name, created_at, updated_at) \
             VALUES ('Person {p}', 'person {p}', 'person {p}', '{now}', '{now}');\n"
        ));
    }
    sql.push_str("COMMIT;\n");
    db.execute_raw(&sql).await.expect("directory rows");

    // The demo data's generator (SplitMix64), so every run measures the same data.
    let mut rng = Rng::new(2026);
    let started = Instant::now();
    let chunk = 2_000;
    let mut done = 0;
    while done < rows {
        let n = chunk.min(rows - done);
        let mut sql = String::from(
            "INSERT INTO mobilities (person_id, direction, mobility_type, level, \
             home_institution_id, host_institution_id, org_unit_id, academic_year, planned_start, \
             planned_end, start_on, end_on, status, search_text, created_at, updated_at) VALUES ",
        );
        for k in 0..n {
            let outgoing = rng.below(3) != 0;
            let partner = 2 + rng.below(PARTNERS) as i64;
            let (home, host) = if outgoing { (1, partner) } else { (partner, 1) };
            let year = 2019 + rng.below(8) as i32;
            let month = 1 + rng.below(12);
            let kind = TYPES[rng.below(TYPES.len())];
            let level = if kind.starts_with("student") {
                "'bachelor'"
            } else {
                "NULL"
            };
            let unit = 1 + rng.below(UNITS);
            let start = format!("{year}-{month:02}-01");
            let end = format!("{}-{month:02}-01", year + 1);
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "({}, '{}', '{kind}', {level}, {home}, {host}, {unit}, '{year}/{}', '{start}', \
                 '{end}', '{start}', '{end}', '{}', 'm', '{now}', '{now}')",
                1 + rng.below(PEOPLE),
                if outgoing { "outgoing" } else { "incoming" },
                year + 1,
                STATUSES[rng.below(STATUSES.len())]
            ));
        }
        db.execute_raw(&sql).await.expect("mobility rows");
        done += n;
    }
    db.execute_raw("ANALYZE").await.expect("analyze");
    eprintln!(
        "  generated {rows} mobilities in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn measure(name: &str, db: &Db) -> (Duration, Duration) {
    let filter = ReportFilter {
        first_year: Some(2019),
        last_year: Some(2026),
        ..Default::default()
    };
    let mut report_times = Vec::new();
    let mut direct_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let r = db.report(&Scope::All, &filter).await.expect("report");
        report_times.push(t.elapsed());
        total = r.total;
        let t = Instant::now();
        let direct = db
            .report_from_mobilities(&Scope::All, &filter)
            .await
            .expect("report from the mobilities");
        direct_times.push(t.elapsed());
        assert_eq!(r, direct, "the summary tables give the mobilities' numbers");
        let t = Instant::now();
        db.execute_raw("SELECT direction, COUNT(*) FROM mobilities GROUP BY direction")
            .await
            .expect("floor");
        floor_times.push(t.elapsed());
    }
    let (report, direct, floor) = (
        median(report_times),
        median(direct_times),
        median(floor_times),
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {total} | {:.1} | {:.1} | {:.1} | {:.2}× |",
        ms(report),
        ms(direct),
        ms(floor),
        report.as_secs_f64() / floor.as_secs_f64()
    );
    (report, floor)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rows = 1_000_000usize;
    let mut postgres = std::env::var("LIAISON_BENCH_POSTGRES_URL").ok();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--postgres" => postgres = args.next(),
            other => panic!("unknown argument {other}; use --rows N, --postgres URL"),
        }
    }
    println!("Leadership report on {rows} mobilities (median of 5)\n");
    println!(
        "| engine | counted (not cancelled) | report ms | same from the mobilities ms | \
         bare GROUP BY ms | report / GROUP BY |"
    );
    println!("|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .expect("sqlite");
    fill(&db, rows).await;
    measure("SQLite", &db).await;
    db.close().await;
    if let Some(url) = postgres {
        let schema = format!("report_bench_{}", std::process::id());
        let admin = Db::connect(&url).await.expect("postgres");
        admin
            .execute_raw(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        let db = Db::connect(&format!("{url}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .expect("postgres schema");
        fill(&db, rows).await;
        measure("PostgreSQL", &db).await;
        db.close().await;
        admin
            .execute_raw(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop schema");
        admin.close().await;
    }
}
