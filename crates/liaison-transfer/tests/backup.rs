//! A backup of the demo data restores to identical tables: SQLite → SQLite, and (with
//! `LIAISON_TEST_POSTGRES_URL`) PostgreSQL → PostgreSQL and SQLite → PostgreSQL (the way from
//! the embedded database to a server).

use liaison_domain::document::MediaType;
use liaison_domain::Scope;
use liaison_storage::{Actor, Db, FileStore, NewDocument, OwnerKind, ReportFilter, TableDump};
use liaison_transfer::backup::{read_backup, write_backup};

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\nnot decoded here";

async fn sqlite(dir: &std::path::Path, name: &str) -> Db {
    Db::connect(&format!("sqlite://{}", dir.join(name).display()))
        .await
        .unwrap()
}

/// A fresh PostgreSQL schema, when a server is configured.
async fn postgres(name: &str) -> Option<Db> {
    let admin = std::env::var("LIAISON_TEST_POSTGRES_URL").ok()?;
    let schema = format!("backup_{name}_{}", std::process::id());
    let db = Db::connect(&admin).await.unwrap();
    db.execute_raw(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))
    .await
    .unwrap();
    db.close().await;
    let sep = if admin.contains('?') { '&' } else { '?' };
    Some(
        Db::connect(&format!("{admin}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .unwrap(),
    )
}

async fn tables(db: &Db) -> Vec<TableDump> {
    let mut out = Vec::new();
    db.snapshot(|t| {
        out.push(t);
        Ok(())
    })
    .await
    .unwrap();
    out
}

/// The demo data plus one stored photo.
async fn source(db: &Db, files: &FileStore) {
    db.migrate().await.unwrap();
    liaison_demo::load(db).await.unwrap();
    let (sha, _) = files.put(PHOTO).await.unwrap();
    let events = db
        .events(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "start_on",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap();
    db.create_document(
        &Actor::system("test"),
        &NewDocument {
            owner_kind: OwnerKind::Event,
            owner_id: events.items[0].id,
            file_name: "photo.png".into(),
            media_type: MediaType::Png,
            size: PHOTO.len() as i64,
            sha256: sha,
            thumbnail_sha256: None,
        },
    )
    .await
    .unwrap();
}

async fn round_trip(from: &Db, to: &Db, dir: &std::path::Path) {
    let from_files = FileStore::new(dir.join("from-files"));
    let to_files = FileStore::new(dir.join("to-files"));
    source(from, &from_files).await;
    let archive = dir.join("backup.zip");
    let made = write_backup(from, &from_files, &archive).await.unwrap();
    assert_eq!(made.files, 1);
    let restored = read_backup(to, &to_files, &archive).await.unwrap();
    assert_eq!(restored.rows, made.rows);
    let (a, b) = (tables(from).await, tables(to).await);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.name, y.name);
        assert_eq!(x.columns, y.columns, "{}", x.name);
        assert_eq!(x.rows.len(), y.rows.len(), "{}", x.name);
        assert!(x.rows == y.rows, "{}: rows differ", x.name);
    }
    assert!(a
        .iter()
        .any(|t| t.name == "agreements" && t.rows.len() > 500));
    // The report's count tables are not in the backup: the triggers refilled them from the
    // restored stays, once.
    assert!(a.iter().all(|t| !t.name.starts_with("mobility_counts")));
    let years = ReportFilter {
        first_year: Some(2019),
        last_year: Some(2026),
        ..Default::default()
    };
    let ours = from.report(&Scope::All, &years).await.unwrap();
    assert!(ours.total > 1000, "{}", ours.total);
    assert_eq!(to.report(&Scope::All, &years).await.unwrap(), ours);
    assert_eq!(
        to.report_from_mobilities(&Scope::All, &years)
            .await
            .unwrap(),
        ours
    );
    let documents = a.iter().find(|t| t.name == "documents").unwrap();
    let owner = documents
        .columns
        .iter()
        .position(|c| c == "owner_id")
        .unwrap();
    let owner = documents.rows[0][owner].as_i64().unwrap();
    let doc = to.documents_of(OwnerKind::Event, owner).await.unwrap();
    let path = to_files.path_of(&doc[0].sha256).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), PHOTO);
    // The search index came back too (rebuilt by its triggers on SQLite).
    let found = to
        .institutions(
            &liaison_domain::Scope::All,
            &liaison_storage::InstitutionFilter {
                q: Some("讯飞".into()),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "name",
                descending: false,
            },
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    // A restore into a database with data is refused and changes nothing.
    let again = read_backup(to, &to_files, &archive).await;
    assert!(
        matches!(&again, Err(liaison_storage::BackupError::Refused(m)) if m.contains("not empty")),
        "{again:?}"
    );
    let c = tables(to).await;
    assert!(b.iter().zip(&c).all(|(x, y)| x.rows.len() == y.rows.len()));
}

#[tokio::test]
async fn sqlite_to_sqlite_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (
        sqlite(dir.path(), "from.db").await,
        sqlite(dir.path(), "to.db").await,
    );
    round_trip(&from, &to, dir.path()).await;
}

#[tokio::test]
async fn postgres_to_postgres_and_sqlite_to_postgres_is_identical() {
    let Some(to) = postgres("pg_to").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let from = postgres("pg_from").await.unwrap();
    round_trip(&from, &to, dir.path()).await;

    let dir = tempfile::tempdir().unwrap();
    let from = sqlite(dir.path(), "from.db").await;
    let to = postgres("pg_from_sqlite").await.unwrap();
    round_trip(&from, &to, dir.path()).await;
}

/// The migration that adds the report's count tables fills them from the stays already there.
/// The demo needs today's schema, so the older database is made the way an office would have one:
/// the demo's rows as they were at schema version 12 (tables and columns of that version only),
/// restored as a version-12 backup, which then migrates to the newest version with the rows in.
async fn counts_filled_by_the_migration(db: &Db, demo: &Db) {
    db.migrate_to(Some(12)).await.unwrap();
    let old_schema = tables(db).await;
    let mut old: Vec<TableDump> = Vec::new();
    for dump in tables(demo).await {
        let Some(then) = old_schema.iter().find(|t| t.name == dump.name) else {
            continue;
        };
        let keep: Vec<usize> = (0..dump.columns.len())
            .filter(|&i| then.columns.contains(&dump.columns[i]))
            .collect();
        old.push(TableDump {
            name: dump.name,
            columns: keep.iter().map(|&i| dump.columns[i].clone()).collect(),
            rows: dump
                .rows
                .iter()
                .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        });
    }
    let mut old = old.into_iter();
    db.restore(12, || Ok(old.next())).await.unwrap();
    assert_eq!(
        db.schema_version().await.unwrap(),
        liaison_storage::newest_version()
    );
    for filter in [
        ReportFilter::default(),
        ReportFilter {
            first_year: Some(2020),
            last_year: Some(2024),
            region: Some(liaison_domain::RegionTag::BeltAndRoad),
            ..Default::default()
        },
    ] {
        let counted = db.report(&Scope::All, &filter).await.unwrap();
        assert!(counted.total > 100, "{}", counted.total);
        assert_eq!(
            counted,
            db.report_from_mobilities(&Scope::All, &filter)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_report_counts_are_filled_when_an_older_database_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let demo = sqlite(dir.path(), "demo.db").await;
    demo.migrate().await.unwrap();
    liaison_demo::load(&demo).await.unwrap();
    counts_filled_by_the_migration(&sqlite(dir.path(), "old.db").await, &demo).await;
    if let Some(db) = postgres("old_counts").await {
        counts_filled_by_the_migration(&db, &demo).await;
    }
}
