//! A small exchange call (issue 7): the first two student-study conditions of the demo
//! agreements, offered for 2025/2026. Deterministic: the same agreements give the same call.

use crate::DemoError;
use liaison_domain::agreement::MobilityType;
use liaison_domain::{CallDraft, CallPlace, Id, LocalizedText};
use liaison_storage::{Actor, Db};

pub async fn store(db: &Db, actor: &Actor, agreement_ids: &[Id]) -> Result<(), DemoError> {
    let mut places = Vec::new();
    for id in agreement_ids {
        for c in db.agreement_conditions(*id).await? {
            if c.draft.mobility_type == MobilityType::StudentStudies && places.len() < 2 {
                places.push(CallPlace {
                    condition_id: c.id,
                    places: c.draft.places_per_year.clamp(1, 3),
                });
            }
        }
        if places.len() >= 2 {
            break;
        }
    }
    if places.is_empty() {
        return Ok(());
    }
    let draft = CallDraft {
        title: LocalizedText::bilingual(
            "Semester exchange 2025/2026",
            "2025/2026 学年学期交换项目选拔通知",
        ),
        academic_year: "2025/2026".into(),
        deadline: liaison_domain::event::iso_date::parse("2025-03-31"),
        max_choices: 3,
        places,
    }
    .validate()?;
    db.create_call(actor, &draft).await?;
    Ok(())
}
