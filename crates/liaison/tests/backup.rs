//! `liaison backup` while the server runs and `liaison restore` into an empty database, through
//! the binary: the restored system holds the same records, accounts and files, and a second
//! restore or a damaged archive is refused without changing anything.

mod common;

use common::{http, TestDb};
use serde_json::Value;

const PDF: &str =
    "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn token(addr: &str) -> String {
    let r = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        r#"{"email": "admin@axhu.example.cn", "password": "a-long-password"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    format!("Bearer {}", v["token"].as_str().unwrap())
}

/// Every export the CLI offers, as the files an operator would compare.
fn exports(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for entity in ["institutions", "org-units", "people"] {
        let file = db.dir.path().join(format!("{entity}.csv"));
        let r = db.run(
            &[
                "export",
                "--entity",
                entity,
                "--format",
                "csv",
                "--output",
                file.to_str().unwrap(),
            ],
            "",
        );
        assert!(r.status.success(), "{}", text(&r.stderr));
        out.push(std::fs::read_to_string(&file).unwrap());
    }
    out
}

#[test]
fn backup_while_serving_then_restore_into_an_empty_database() {
    let source = TestDb::new();
    assert!(source
        .add_user("admin@axhu.example.cn", "admin", "a-long-password")
        .status
        .success());
    let server = source.serve(&["--demo"]);
    let auth = token(&server.addr);
    let events: Value = serde_json::from_str(
        &http(
            &server.addr,
            "GET",
            "/api/v1/events?per_page=1",
            &[("Authorization", &auth)],
            "",
        )
        .body,
    )
    .unwrap();
    let event = events["items"][0]["id"].as_str().unwrap().to_string();
    let uploaded = http(
        &server.addr,
        "POST",
        &format!("/api/v1/events/{event}/documents?filename=minutes.pdf"),
        &[("Authorization", &auth)],
        PDF,
    );
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let document: Value = serde_json::from_str(&uploaded.body).unwrap();
    let document = document["id"].as_str().unwrap().to_string();

    // The backup is taken while the server is up.
    let shelf = tempfile::tempdir().unwrap();
    let archive = shelf.path().join("liaison-backup.zip");
    let archive = archive.to_str().unwrap();
    let made = source.run(&["backup", "--output", archive], "");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(
        text(&made.stdout).contains("1 files"),
        "{}",
        text(&made.stdout)
    );
    server.stop();
    let before = exports(&source);

    let target = TestDb::new();
    let restored = target.run(&["restore", "--input", archive], "");
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert!(text(&restored.stdout).starts_with("restored "));
    assert_eq!(exports(&target), before, "the same records");

    // The accounts and the uploaded file came along; new records get new ids.
    let server = target.serve(&[]);
    let auth = token(&server.addr);
    let file = http(
        &server.addr,
        "GET",
        &format!("/api/v1/documents/{document}"),
        &[("Authorization", &auth)],
        "",
    );
    assert_eq!(file.status, 200);
    assert_eq!(file.body, PDF);
    let created = http(
        &server.addr,
        "POST",
        "/api/v1/institutions",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        r#"{"kind": "university", "name": {"en": "After the restore"}, "country": "KZ"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    server.stop();

    // A second restore finds data and refuses; nothing changes.
    let after = exports(&target);
    let again = target.run(&["restore", "--input", archive], "");
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("not empty"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(exports(&target), after);
}

#[test]
fn a_damaged_or_foreign_archive_is_refused_and_changes_nothing() {
    let source = TestDb::new();
    assert!(source
        .add_user("admin@axhu.example.cn", "admin", "a-long-password")
        .status
        .success());
    let shelf = tempfile::tempdir().unwrap();
    let good = shelf.path().join("good.zip");
    let made = source.run(&["backup", "--output", good.to_str().unwrap()], "");
    assert!(made.status.success(), "{}", text(&made.stderr));

    let not_zip = shelf.path().join("notes.txt");
    std::fs::write(&not_zip, "institutions,people\n").unwrap();
    let truncated = shelf.path().join("truncated.zip");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let missing = shelf.path().join("missing.zip");

    let target = TestDb::new();
    for (file, says) in [
        (&not_zip, "not a Liaison backup"),
        (&truncated, "not a Liaison backup"),
        (&missing, "no such file"),
    ] {
        let r = target.run(&["restore", "--input", file.to_str().unwrap()], "");
        assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
        assert!(text(&r.stderr).contains(says), "{}", text(&r.stderr));
    }
    // The target is still empty: the good archive restores into it.
    let ok = target.run(&["restore", "--input", good.to_str().unwrap()], "");
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    // A backup never leaves a half-written file behind.
    let nowhere = shelf.path().join("no-such-folder").join("backup.zip");
    let r = source.run(&["backup", "--output", nowhere.to_str().unwrap()], "");
    assert_eq!(r.status.code(), Some(1));
    assert!(!nowhere.exists());
}
