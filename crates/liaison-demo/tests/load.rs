//! Loads the demo data into a fresh SQLite database.

use liaison_domain::{PageRequest, Sort};
use liaison_storage::{Db, PersonFilter};

fn sort_by(field: &'static str) -> Sort {
    Sort {
        field,
        descending: false,
    }
}

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
    // Contacts of the partners plus the generated students of the cooperation data set and the
    // people of the mobility records.
    assert_eq!(
        people.total as usize,
        summary.people + liaison_demo::DEMO_STUDENTS + liaison_demo::demo_mobilities()
    );

    // Mobility records: over a thousand, and Xuteli College's undergraduates abroad.
    let all = db
        .mobilities(
            &liaison_storage::MobilityReach::All,
            &Default::default(),
            &sort_by("start_on"),
            &PageRequest::default(),
        )
        .await
        .unwrap();
    // The generated stays, and those of the demo call's nominated students.
    let calls = db
        .calls(
            &Default::default(),
            &sort_by("updated_at"),
            &PageRequest::default(),
        )
        .await
        .unwrap();
    let nominated = db
        .call_applications(calls.items[0].id)
        .await
        .unwrap()
        .iter()
        .filter(|a| {
            matches!(
                a.draft.status,
                liaison_domain::ApplicationStatus::Nominated
                    | liaison_domain::ApplicationStatus::Accepted
            )
        })
        .count();
    assert!(nominated > 0);
    assert_eq!(
        all.total as usize,
        liaison_demo::demo_mobilities() + nominated
    );
    assert!(all.total >= 1000);
    let bit = db
        .institutions(
            &liaison_domain::Scope::All,
            &liaison_storage::InstitutionFilter {
                q: Some("北京理工大学".into()),
                ..Default::default()
            },
            &sort,
            &PageRequest::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let xuteli = db.org_units_of(bit).await.unwrap();
    let xuteli = xuteli
        .iter()
        .find(|u| u.draft.name.zh.as_deref() == Some("徐特立学院（未来精工技术学院）"))
        .unwrap()
        .id;
    let sent = |year: i32| {
        let db = &db;
        async move {
            db.mobilities(
                &liaison_storage::MobilityReach::All,
                &liaison_storage::MobilityFilter {
                    org_unit_id: Some(xuteli),
                    year: Some(year),
                    direction: Some(liaison_domain::MobilityDirection::Outgoing),
                    level: Some(liaison_domain::agreement::StudyLevel::Bachelor),
                    ..Default::default()
                },
                &sort_by("start_on"),
                &PageRequest::default(),
            )
            .await
            .unwrap()
            .total
        }
    };
    // Many stays go under an exchange agreement and count against one of its conditions.
    let mut under_condition = 0;
    for page in 1..=(all.total as u32).div_ceil(100) {
        let items = db
            .mobilities(
                &liaison_storage::MobilityReach::All,
                &Default::default(),
                &sort_by("start_on"),
                &PageRequest {
                    page,
                    per_page: 100,
                },
            )
            .await
            .unwrap()
            .items;
        under_condition += items
            .iter()
            .filter(|m| m.draft.agreement_id.is_some() && m.draft.condition_id.is_some())
            .count();
    }
    assert!(under_condition >= 100, "{under_condition}");
    eprintln!("{under_condition} stays count against a cooperation condition");
    let (in_2019, in_2024) = (sent(2019).await, sent(2024).await);
    assert_eq!((in_2019, in_2024), (70, 133));
    eprintln!(
        "Xuteli College: {in_2019} undergraduates abroad in 2019, {in_2024} in 2024 (+{:.0}%)",
        (in_2024 as f64 / in_2019 as f64 - 1.0) * 100.0
    );

    assert!(matches!(
        liaison_demo::load(&db).await,
        Err(liaison_demo::DemoError::NotEmpty)
    ));
    db.close().await;
}
