//! `liaison export` and `liaison import` (C8), run as an operator would, on SQLite or PostgreSQL.

mod common;

use common::TestDb;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A CSV export without the columns an import does not keep (version and timestamps).
fn records(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let header = rows[0].clone();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !["version", "created_at", "updated_at"].contains(&header[i].as_str()))
        .collect();
    for row in &mut rows {
        *row = keep.iter().map(|&i| row[i].clone()).collect();
    }
    rows
}

fn export(db: &TestDb, entity: &str, format: &str, out: &std::path::Path) {
    let run = db.run(
        &[
            "export",
            "--entity",
            entity,
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
}

fn import(
    db: &TestDb,
    entity: &str,
    input: &std::path::Path,
    dry_run: bool,
) -> std::process::Output {
    let mut args = vec![
        "import",
        "--entity",
        entity,
        "--input",
        input.to_str().unwrap(),
    ];
    if dry_run {
        args.push("--dry-run");
    }
    db.run(&args, "")
}

#[test]
fn export_then_import_into_an_empty_database_gives_the_same_records() {
    let source = TestDb::new();
    let demo = source.run(&["demo"], "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let target = TestDb::new();
    let files = tempfile::tempdir().unwrap();
    for (entity, format) in [
        ("institutions", "xlsx"),
        ("org-units", "csv"),
        ("people", "xlsx"),
    ] {
        let file = files.path().join(format!("{entity}.{format}"));
        export(&source, entity, format, &file);
        let dry = import(&target, entity, &file, true);
        assert!(dry.status.success(), "{}", text(&dry.stderr));
        assert!(
            text(&dry.stdout).contains("would import"),
            "{}",
            text(&dry.stdout)
        );
        let done = import(&target, entity, &file, false);
        assert!(done.status.success(), "{}", text(&done.stderr));
        assert!(
            text(&done.stdout).contains(" created, 0 updated"),
            "{}",
            text(&done.stdout)
        );
        let (a, b) = (
            files.path().join(format!("{entity}-a.csv")),
            files.path().join(format!("{entity}-b.csv")),
        );
        export(&source, entity, "csv", &a);
        export(&target, entity, "csv", &b);
        let (a, b) = (records(&a), records(&b));
        assert!(a.len() > 10, "{entity}: only {} rows", a.len());
        assert_eq!(a, b, "{entity} differs after the round trip");
        // Importing the same file again changes nothing.
        let again = import(&target, entity, &file, false);
        assert!(
            text(&again.stdout).contains(" 0 created, 0 updated"),
            "{}",
            text(&again.stdout)
        );
    }
    // New records after an import get fresh ids (PostgreSQL's generator was moved past them).
    let file = files.path().join("new.csv");
    std::fs::write(
        &file,
        "kind,name.en,country,status\nschool,Fresh School,KZ,prospect\n",
    )
    .unwrap();
    let done = import(&target, "institutions", &file, false);
    assert!(done.status.success(), "{}", text(&done.stderr));
}

#[test]
fn a_bad_file_exits_2_names_rows_and_columns_and_writes_nothing() {
    let db = TestDb::new();
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.csv");
    std::fs::write(
        &good,
        "kind,name.en,name.zh,country,status,region_tags,hei_id\n\
         university,Kazakh National University,哈萨克国立大学,KZ,active,sco;belt_and_road,kaznu.kz\n",
    )
    .unwrap();
    let first = import(&db, "institutions", &good, false);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = files.path().join("before.csv");
    export(&db, "institutions", "csv", &before);

    let long = "x".repeat(201);
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unknown column",
            "kind,name.en,country,status,colour\nschool,A,FR,active,red\n".into(),
            vec!["row 1, column colour: is not a known column"],
        ),
        (
            "invalid country in row 3, over-long name in row 4",
            format!(
                "kind,name.en,country,status\nschool,A,FR,active\nschool,B,XX,active\nschool,{long},DE,active\n"
            ),
            vec![
                "row 3, column country: is not an ISO 3166-1 alpha-2 country code",
                "row 4, column name.en: must be at most 200 characters",
            ],
        ),
        (
            "duplicate hei_id in the file",
            "kind,name.en,country,status,hei_id\nschool,A,FR,active,a.fr\nschool,B,FR,active,a.fr\n".into(),
            vec!["row 3, column hei_id: repeats an earlier entry"],
        ),
        (
            "hei_id already in the database",
            "kind,name.en,country,status,hei_id\nschool,A,FR,active,a.fr\nschool,B,FR,active,KAZNU.kz\n".into(),
            vec!["row 3, column hei_id: is already used by another record"],
        ),
        (
            "not a spreadsheet",
            "PK\u{3}\u{4}garbage".into(),
            vec!["neither a readable XLSX workbook nor UTF-8 CSV"],
        ),
    ];
    for (what, content, expected) in cases {
        let file = files.path().join("bad.csv");
        std::fs::write(&file, content).unwrap();
        for dry_run in [true, false] {
            let run = import(&db, "institutions", &file, dry_run);
            assert_eq!(run.status.code(), Some(2), "{what}: {}", text(&run.stderr));
            let err = text(&run.stderr);
            for line in &expected {
                assert!(err.contains(line), "{what}: {line:?} missing from {err}");
            }
            assert!(err.contains("nothing was written"), "{err}");
        }
    }
    let after = files.path().join("after.csv");
    export(&db, "institutions", "csv", &after);
    assert_eq!(
        std::fs::read_to_string(&before).unwrap(),
        std::fs::read_to_string(&after).unwrap(),
        "a refused file changed the database"
    );
    let unknown = db.run(
        &[
            "export", "--entity", "planets", "--format", "csv", "--output", "x.csv",
        ],
        "",
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr)
        .contains("use one of: institutions, org-units, people, employment-outcomes"));
}
