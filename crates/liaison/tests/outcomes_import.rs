//! `liaison import --entity employment-outcomes` (C8): a graduate survey spreadsheet in, all or
//! nothing, and the export read back; on SQLite or PostgreSQL.

mod common;

use common::TestDb;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_survey_spreadsheet_imports_all_or_nothing() {
    let db = TestDb::new();
    let files = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| db.run(args, "");
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        "cohort,destination,employer.en,sector\n2024,employed,iFLYTEK,ai_speech\n2024,employed,,\n1800,further_study_home,,\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        "--entity",
        "employment-outcomes",
        "--input",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("row 3, column employer.en: is required"),
        "{err}"
    );
    assert!(
        err.contains("row 4, column cohort: must be a year such as 2024"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");

    let good = files.path().join("good.csv");
    std::fs::write(
        &good,
        "cohort,destination,employer.en,employer.zh,sector,city.en,country,major\n\
         2024,employed,iFLYTEK,科大讯飞,ai_speech,Hefei,CN,journalism\n\
         2025,further_study_abroad,,,,Kuala Lumpur,MY,communication\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        "--entity",
        "employment-outcomes",
        "--input",
        good.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let back = files.path().join("back.csv");
    let out = run(&[
        "export",
        "--entity",
        "employment-outcomes",
        "--format",
        "csv",
        "--output",
        back.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&back).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("2024,employed,iFLYTEK,科大讯飞"), "{csv}");
    assert!(csv.contains("2025,further_study_abroad"), "{csv}");
}
