//! Loads the demo data into a fresh SQLite database.

use liaison_domain::{PageRequest, Sort};
use liaison_storage::{Db, PersonFilter};

#[tokio::test]
async fn loads_into_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("demo.db").display()
    ))
    .await
    .unwrap();
    db.migrate().await.unwrap();

    let started = std::time::Instant::now();
    let summary = liaison_demo::load(&db).await.unwrap();
    eprintln!(
        "loaded {summary:?} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        summary,
        liaison_demo::summarize(&liaison_demo::demo_partners())
    );
    assert_eq!(
        db.count_institutions().await.unwrap() as usize,
        summary.institutions
    );
    assert_eq!(
        db.count_users().await.unwrap(),
        0,
        "no accounts are created"
    );

    let sort = Sort {
        field: "name",
        descending: false,
    };
    let people = db
        .people(
            &liaison_domain::Scope::All,
            &PersonFilter::default(),
            &sort,
            &PageRequest::default(),
        )
        .await
        .unwrap();
    // Contacts of the partners plus the generated students of the cooperation data set.
    assert_eq!(
        people.total as usize,
        summary.people + liaison_demo::DEMO_STUDENTS
    );

    assert!(matches!(
        liaison_demo::load(&db).await,
        Err(liaison_demo::DemoError::NotEmpty)
    ));
    db.close().await;
}
