//! The `liaison` command line, run as an operator would (C1, C2).

mod common;

use common::{http, TestDb, BIN};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_every_subcommand_and_flag() {
    let top = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    let out = text(&top.stdout);
    for sub in ["serve", "migrate", "demo", "user"] {
        assert!(out.contains(sub), "{sub} missing from --help");
    }
    let serve = text(
        &std::process::Command::new(BIN)
            .args(["serve", "--help"])
            .output()
            .unwrap()
            .stdout,
    );
    for flag in [
        "--addr",
        "--data-dir",
        "--database-url",
        "--demo",
        "LIAISON_DATABASE_URL",
        "--smtp-url",
        "LIAISON_SMTP_URL",
        "--mail-from",
    ] {
        assert!(serve.contains(flag), "{flag} missing from serve --help");
    }
    let add = text(
        &std::process::Command::new(BIN)
            .args(["user", "add", "--help"])
            .output()
            .unwrap()
            .stdout,
    );
    for flag in [
        "--email",
        "--role",
        "--password-stdin",
        "--institution",
        "--unit",
        "--person",
    ] {
        assert!(add.contains(flag), "{flag} missing from user add --help");
    }
}

#[test]
fn migrate_applies_once_then_reports_up_to_date() {
    let db = TestDb::new();
    let first = db.run(&["migrate"], "");
    assert!(first.status.success(), "{}", text(&first.stderr));
    // Versions may have gaps while parallel work lands (0012 before 0011): count and last differ.
    let count = liaison_storage::MIGRATION_COUNT;
    let n = liaison_storage::newest_version();
    assert!(
        text(&first.stdout).contains(&format!("applied {count} migration(s); schema version {n}")),
        "{}",
        text(&first.stdout)
    );
    let second = db.run(&["migrate"], "");
    assert!(second.status.success());
    assert!(text(&second.stdout).contains(&format!("up to date (schema version {n})")));
}

#[test]
fn migrate_with_an_unreachable_database_fails_clearly() {
    let out = std::process::Command::new(BIN)
        .args(["migrate", "--database-url", "mysql://nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn user_add_creates_accounts_and_refuses_bad_input() {
    let db = TestDb::new();
    let ok = db.add_user("Li.Na@AXHU.example.cn", "admin", "a-long-password");
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("created admin account li.na@axhu.example.cn"));

    let again = db.add_user("li.na@axhu.example.cn", "staff", "a-long-password");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("email is already used"),
        "{}",
        text(&again.stderr)
    );

    let role = db.add_user("x@example.org", "janitor", "a-long-password");
    assert_eq!(role.status.code(), Some(2));
    assert!(text(&role.stderr).contains("unknown role \"janitor\""));

    let short = db.add_user("y@example.org", "staff", "short");
    assert_eq!(short.status.code(), Some(2));
    assert!(text(&short.stderr).contains("at least 10 characters"));

    let common = db.add_user("y@example.org", "staff", "Password123");
    assert_eq!(common.status.code(), Some(2));
    assert!(text(&common.stderr).contains("too common"));

    let partner = db.add_user("p@example.org", "partner", "a-long-password");
    assert_eq!(partner.status.code(), Some(2));
    assert!(text(&partner.stderr).contains("--institution"));

    let missing = db.run(
        &[
            "user",
            "add",
            "--email",
            "p@example.org",
            "--role",
            "partner",
            "--institution",
            "999",
            "--password-stdin",
        ],
        "a-long-password\n",
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("institution_id refers to a record that does not exist"));

    let bad_email = db.add_user("not-an-email", "staff", "a-long-password");
    assert_eq!(bad_email.status.code(), Some(2));
}

#[test]
fn serve_answers_health_and_api_then_stops_cleanly_on_sigterm() {
    let db = TestDb::new();
    assert!(db
        .add_user("staff@axhu.example.cn", "staff", "a-long-password")
        .status
        .success());
    let server = db.serve(&[]);
    let health = http(&server.addr, "GET", "/healthz", &[], "");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    let token = http(
        &server.addr,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        r#"{"email": "staff@axhu.example.cn", "password": "a-long-password"}"#,
    );
    assert_eq!(token.status, 200, "{}", token.body);
    let token: serde_json::Value = serde_json::from_str(&token.body).unwrap();
    let auth = format!("Bearer {}", token["token"].as_str().unwrap());
    let list = http(
        &server.addr,
        "GET",
        "/api/v1/institutions",
        &[("Authorization", &auth)],
        "",
    );
    assert_eq!(list.status, 200);
    assert!(list.body.contains("\"total\":0"));
    let anonymous = http(&server.addr, "GET", "/api/v1/institutions", &[], "");
    assert_eq!(anonymous.status, 401);

    let (status, log) = server.stop();
    assert!(status.success(), "exit status {status}\n{log}");
    assert!(log.contains("SIGTERM received"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn demo_loads_into_an_empty_database_only() {
    let db = TestDb::new();
    let first = db.run(&["demo"], "");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stderr).contains("loaded the demo data set"));
    let again = db.run(&["demo"], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already holds data"));

    // serve --demo on a filled database says so and serves anyway; the demo admin can sign in.
    let server = db.serve(&["--demo"]);
    let token = http(
        &server.addr,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        r#"{"email": "admin@demo.liaison.example", "password": "liaison-demo"}"#,
    );
    assert_eq!(token.status, 200, "{}", token.body);
    let token: serde_json::Value = serde_json::from_str(&token.body).unwrap();
    let auth = format!("Bearer {}", token["token"].as_str().unwrap());
    let found = http(
        &server.addr,
        "GET",
        "/api/v1/institutions?q=%E8%AE%AF%E9%A3%9E",
        &[("Authorization", &auth)],
        "",
    );
    assert!(found.body.contains("iFLYTEK"), "{}", found.body);
    let all: serde_json::Value = serde_json::from_str(
        &http(
            &server.addr,
            "GET",
            "/api/v1/institutions?per_page=1",
            &[("Authorization", &auth)],
            "",
        )
        .body,
    )
    .unwrap();
    assert!(all["total"].as_i64().unwrap() >= 300);
    let get = |path: &str| -> serde_json::Value {
        let r = http(&server.addr, "GET", path, &[("Authorization", &auth)], "");
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    };
    // Renewed demo agreements have their successors: the history shows the chain.
    let renewed = get("/api/v1/agreements?status=renewed&per_page=5");
    assert!(renewed["total"].as_i64().unwrap() >= 10, "{renewed}");
    let first = renewed["items"][0]["id"].as_str().unwrap();
    let history = get(&format!("/api/v1/agreements/{first}/history"));
    let versions = history["items"].as_array().unwrap();
    assert!(versions.len() >= 2, "{history}");
    assert!(versions.iter().any(|v| v["previous_id"] == first));
    // Agreements expiring soon have an owner, who is the one reminded.
    let expiring = get("/api/v1/agreements?expiring_within_days=180&per_page=50");
    assert!(expiring["total"].as_i64().unwrap() > 0);
    for a in expiring["items"].as_array().unwrap() {
        assert!(a["owner_user_id"].is_string(), "{a}");
    }
    let (_, log) = server.stop();
    assert!(
        log.contains("already holds data; demo data not loaded"),
        "{log}"
    );
}
