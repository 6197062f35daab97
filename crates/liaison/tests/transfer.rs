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
    // Accounts are not part of C8 (a backup carries them): the agreements' owner (the demo's
    // first account) must exist in the target as it would on a real second system.
    let owner = target.add_user("owner@example.org", "admin", "correct horse battery");
    assert!(owner.status.success(), "{}", text(&owner.stderr));
    let files = tempfile::tempdir().unwrap();
    for (entity, format) in [
        ("institutions", "xlsx"),
        ("org-units", "csv"),
        ("people", "xlsx"),
        ("agreements", "xlsx"),
        ("agreement-conditions", "csv"),
        ("events", "csv"),
        ("mobilities", "xlsx"),
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
    assert!(text(&unknown.stderr).contains(
        "use one of: institutions, org-units, people, agreements, agreement-conditions, \
         events, mobilities, employment-outcomes"
    ));
}

/// The first data row of a CSV export, by column name.
fn first_row(path: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let rows = records(path);
    (rows[0].clone(), rows[1].clone())
}

fn csv_line(cells: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn agreements_events_and_mobilities_refuse_bad_rows_and_write_nothing() {
    let db = TestDb::new();
    let demo = db.run(&["demo"], "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let files = tempfile::tempdir().unwrap();
    let snapshot = |name: &str| -> Vec<String> {
        ["agreements", "agreement-conditions", "events", "mobilities"]
            .iter()
            .map(|e| {
                let f = files.path().join(format!("{name}-{e}.csv"));
                export(&db, e, "csv", &f);
                std::fs::read_to_string(&f).unwrap()
            })
            .collect()
    };
    let before = snapshot("before");

    // Each case: a good row taken from the export, changed in one cell, after an untouched row.
    // (entity, column, new value, expected problem)
    let cases = [
        (
            "agreements",
            "parties",
            "1;999999",
            "column parties: refers to a record that does not exist",
        ),
        (
            "agreements",
            "end_on",
            "2025-02-30",
            "column end_on: must be a date YYYY-MM-DD",
        ),
        (
            "agreements",
            "kind",
            "treaty",
            "column kind: is not one of the allowed values",
        ),
        (
            "agreements",
            "status",
            "signed-ish",
            "column status: is not one of the allowed values",
        ),
        (
            "agreement-conditions",
            "agreement_id",
            "999999",
            "column agreement_id: refers to a record that does not exist",
        ),
        (
            "agreement-conditions",
            "first_year",
            "2024-2025",
            "column first_year: must be an academic year such as 2024/2025",
        ),
        (
            "events",
            "start_on",
            "yesterday",
            "column start_on: must be a date YYYY-MM-DD",
        ),
        (
            "events",
            "agreement_ids",
            "999999",
            "column agreement_ids: refers to a record that does not exist",
        ),
        (
            "events",
            "participants",
            "[{\"person\": 1}]",
            "column participants: has the wrong type",
        ),
        (
            "mobilities",
            "person_id",
            "999999",
            "column person_id: refers to a record that does not exist",
        ),
        (
            "mobilities",
            "host_institution_id",
            "999999",
            "column host_institution_id: refers to a record that does not exist",
        ),
        (
            "mobilities",
            "planned_start",
            "01/09/2024",
            "column planned_start: must be a date YYYY-MM-DD",
        ),
        (
            "mobilities",
            "direction",
            "sideways",
            "column direction: is not one of the allowed values",
        ),
    ];
    for (entity, column, value, expected) in cases {
        let exported = files.path().join(format!("{entity}.csv"));
        export(&db, entity, "csv", &exported);
        let (header, mut row) = first_row(&exported);
        let (_, second) = {
            let rows = records(&exported);
            (rows[0].clone(), rows[2].clone())
        };
        let at = header.iter().position(|h| h == column).unwrap();
        row[at] = value.to_string();
        let file = files.path().join("bad.csv");
        std::fs::write(
            &file,
            format!(
                "{}{}{}",
                csv_line(&header),
                csv_line(&second),
                csv_line(&row)
            ),
        )
        .unwrap();
        for dry_run in [true, false] {
            let run = import(&db, entity, &file, dry_run);
            assert_eq!(
                run.status.code(),
                Some(2),
                "{entity} {column}: {}",
                text(&run.stderr)
            );
            let err = text(&run.stderr);
            assert!(
                err.contains(&format!("row 3, {expected}")),
                "{entity} {column}: {expected:?} missing from {err}"
            );
            assert!(err.contains("nothing was written"), "{err}");
        }
    }

    // A duplicate id, and an illegal status change of an existing record.
    for (entity, column, value, expected) in [
        (
            "agreements",
            "",
            "",
            "row 3, column id: repeats an earlier entry",
        ),
        (
            "mobilities",
            "",
            "",
            "row 3, column id: repeats an earlier entry",
        ),
    ] {
        let _ = (column, value);
        let exported = files.path().join(format!("{entity}.csv"));
        export(&db, entity, "csv", &exported);
        let (header, row) = first_row(&exported);
        let file = files.path().join("dup.csv");
        std::fs::write(
            &file,
            format!("{}{}{}", csv_line(&header), csv_line(&row), csv_line(&row)),
        )
        .unwrap();
        let run = import(&db, entity, &file, false);
        assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
        assert!(
            text(&run.stderr).contains(expected),
            "{}",
            text(&run.stderr)
        );
    }
    let exported = files.path().join("m.csv");
    export(&db, "mobilities", "csv", &exported);
    let rows = records(&exported);
    let status = rows[0].iter().position(|h| h == "status").unwrap();
    let recognised = rows
        .iter()
        .position(|r| r[status] == "recognised")
        .expect("a recognised stay in the demo data");
    let mut row = rows[recognised].clone();
    row[status] = "nominated".into();
    let file = files.path().join("back.csv");
    std::fs::write(&file, format!("{}{}", csv_line(&rows[0]), csv_line(&row))).unwrap();
    let run = import(&db, "mobilities", &file, false);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("row 2, column status: is not an allowed next status"),
        "{}",
        text(&run.stderr)
    );

    assert_eq!(
        before,
        snapshot("after"),
        "a refused file changed the database"
    );
}

#[test]
fn an_import_reports_its_progress_on_stderr() {
    let db = TestDb::new();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("many.csv");
    let mut csv = String::from("kind,name.en,country,status\n");
    for i in 0..1203 {
        csv.push_str(&format!("school,School {i},KZ,prospect\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let dry = import(&db, "institutions", &file, true);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let err = text(&dry.stderr);
    assert!(err.contains("read 1203 rows\nchecked 1203 rows\n"), "{err}");
    assert!(err.contains("tried 1203 of 1203 rows"), "{err}");
    let done = import(&db, "institutions", &file, false);
    let err = text(&done.stderr);
    assert!(err.contains("read 1203 rows\nchecked 1203 rows\n"), "{err}");
    // The first batch is always shown, the last count always ends the report.
    assert!(err.contains("written 500 of 1203 rows\n"), "{err}");
    assert!(
        err.trim_end().ends_with("written 1203 of 1203 rows"),
        "{err}"
    );
    assert!(err.lines().count() <= 5, "{err}");
    assert!(
        text(&done.stdout).contains("imported institutions: 1203 created"),
        "{}",
        text(&done.stdout)
    );
}

#[test]
fn a_large_file_of_new_and_existing_records_is_written_whole() {
    let db = TestDb::new();
    let files = tempfile::tempdir().unwrap();
    let first = files.path().join("first.csv");
    std::fs::write(
        &first,
        "kind,name.en,country,status,hei_id\n\
         university,Old North,KZ,active,north.kz\n\
         university,Old South,KZ,active,south.kz\n",
    )
    .unwrap();
    let run = import(&db, "institutions", &first, false);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let exported = files.path().join("existing.csv");
    export(&db, "institutions", "csv", &exported);
    let rows = records(&exported);
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (id, name) = (column("id"), column("name.en"));
    let id_of = |wanted: &str| {
        rows.iter()
            .find(|r| r[name] == wanted)
            .map(|r| r[id].clone())
            .unwrap()
    };
    let (north, south) = (id_of("Old North"), id_of("Old South"));

    // 2,400 new rows (three statements of new records, each built while the one before is
    // written), with the two existing records updated in between.
    let mut csv = String::from("id,kind,name.en,country,status,hei_id\n");
    for i in 0..2400 {
        if i == 700 {
            csv.push_str(&format!(
                "{south},university,New South,KZ,active,south2.kz\n"
            ));
        }
        if i == 1700 {
            csv.push_str(&format!(
                "{north},university,New North,KZ,active,north2.kz\n"
            ));
        }
        csv.push_str(&format!(",school,School {i},KZ,prospect,school{i}.kz\n"));
    }
    let file = files.path().join("large.csv");
    std::fs::write(&file, csv).unwrap();
    let done = import(&db, "institutions", &file, false);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(
        text(&done.stdout).contains("imported institutions: 2400 created, 2 updated"),
        "{}",
        text(&done.stdout)
    );
    let after = files.path().join("after.csv");
    export(&db, "institutions", "csv", &after);
    let rows = records(&after);
    assert_eq!(rows.len(), 1 + 2 + 2400);
    let hei = column("hei_id");
    let by_name = |wanted: &str| rows.iter().find(|r| r[name] == wanted).cloned();
    assert_eq!(by_name("New North").unwrap()[hei], "north2.kz");
    assert_eq!(by_name("New South").unwrap()[hei], "south2.kz");
    for i in [0, 999, 1000, 1999, 2000, 2399] {
        let row = by_name(&format!("School {i}")).unwrap_or_else(|| panic!("School {i} missing"));
        assert_eq!(row[hei], format!("school{i}.kz"));
    }
}
