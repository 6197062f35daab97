//! A completed exchange call (issue 7): the first two student-study conditions of the demo
//! agreements in force in 2025/2026, offered for that year with eligibility rules and a scoring
//! rule; 120 applications from the generated students (checked by the rules, interviewed), a
//! published allocation run, and nominations of the allocated students (one accepted, one not
//! yet nominated). Deterministic: the same data give the same call and result.

use crate::DemoError;
use liaison_domain::agreement::MobilityType;
use liaison_domain::agreement::StudyLevel;
use liaison_domain::enterprise::Viewer;
use liaison_domain::exchange::CefrLevel;
use liaison_domain::nomination::NominationInput;
use liaison_domain::{
    ApplicantFacts, ApplicationDraft, ApplicationStatus, CallDraft, CallPlace, EligibilityRules,
    Id, LocalizedText, PageRequest, ScoringRule, Sort,
};
use liaison_storage::{Actor, Db};

/// Applications to the demo call.
pub const DEMO_APPLICATIONS: u32 = 120;

const YEAR: &str = "2025/2026";

pub async fn store(db: &Db, actor: &Actor, agreement_ids: &[Id]) -> Result<(), DemoError> {
    let mut places = Vec::new();
    for id in agreement_ids {
        for c in db.agreement_conditions(*id).await? {
            let d = &c.draft;
            let in_force = d.first_year.as_deref().is_none_or(|f| f <= YEAR)
                && d.last_year.as_deref().is_none_or(|l| l >= YEAR);
            if d.mobility_type == MobilityType::StudentStudies
                && in_force
                && d.places_per_year > 0
                && places.len() < 2
            {
                places.push(CallPlace {
                    condition_id: c.id,
                    places: d.places_per_year.min(3),
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
        description: LocalizedText::bilingual(
            "One semester at a partner university, credits recognised at home.",
            "赴合作高校交流学习一学期，学分回校认定。",
        ),
        academic_year: YEAR.into(),
        opens_on: liaison_domain::event::iso_date::parse("2025-02-15"),
        deadline: liaison_domain::event::iso_date::parse("2025-03-31"),
        max_choices: 3,
        places,
        rules: EligibilityRules {
            min_gpa: Some(3.0),
            min_language_level: Some(CefrLevel::B2),
            certificates: vec!["IELTS".into(), "TOEFL".into(), "CET-6".into()],
            years_of_study: vec![2, 3],
            majors: Vec::new(),
        },
        scoring: ScoringRule::default(),
    }
    .validate()?;
    let call = db.create_call(actor, &draft).await?;
    let students = db
        .skill_profiles(
            &Viewer::Office,
            &Default::default(),
            &Sort {
                field: "created_at",
                descending: false,
            },
            &PageRequest {
                page: 1,
                per_page: DEMO_APPLICATIONS,
            },
        )
        .await?
        .items;
    let ids: Vec<Id> = call.draft.places.iter().map(|p| p.condition_id).collect();
    let levels = [CefrLevel::B1, CefrLevel::B2, CefrLevel::C1, CefrLevel::C2];
    let certificates = ["IELTS", "TOEFL", "CET-6", "DELF"];
    for (i, profile) in students.iter().enumerate() {
        let choices = match (i % 3, ids.len()) {
            (_, 1) => vec![ids[0]],
            (0, _) => vec![ids[0], ids[1]],
            (1, _) => vec![ids[1], ids[0]],
            _ => vec![ids[i % 2]],
        };
        let draft = ApplicationDraft {
            call_id: call.id,
            person_id: profile.draft.person_id,
            choices,
            facts: ApplicantFacts {
                gpa: Some(2.6 + ((i * 37) % 140) as f64 / 100.0),
                language_level: Some(levels[i % 4]),
                certificate: Some(certificates[(i / 4) % 4].into()),
                year_of_study: Some(1 + (i % 4) as i64),
                major: None,
            },
            interview_score: None,
            score: None,
            status: ApplicationStatus::Submitted,
            ineligible_reason: None,
        };
        let a = db.create_application(actor, &draft).await?;
        if a.draft.status == ApplicationStatus::Eligible {
            let mut scored = a.draft.clone();
            scored.interview_score = Some(50 + ((i * 53) % 51) as i64);
            db.update_application(actor, a.id, a.version, &scored)
                .await?;
        }
    }
    let inputs = db.allocation_inputs(call.id).await?;
    let run = liaison_domain::exchange::allocation_run(
        &inputs.applications,
        &inputs.capacities,
        &inputs.call.draft.scoring,
        inputs.round,
        inputs.call.version,
    )
    .map_err(DemoError::Invalid)?;
    let stored = db
        .store_allocation_run(
            actor,
            call.id,
            inputs.call.version,
            &run.input,
            &run.frozen,
            &run.result,
        )
        .await?;
    db.publish_allocation_run(actor, call.id, stored.id).await?;
    nominate(db, actor, call.id).await
}

/// The office nominates all but the last allocated student to their partners (each stay with
/// its checklist, linked to its application); the first partner has accepted already. The last
/// one still waits on the nominations list.
async fn nominate(db: &Db, actor: &Actor, call_id: Id) -> Result<(), DemoError> {
    let mut allocated: Vec<_> = db
        .call_applications(call_id)
        .await?
        .into_iter()
        .filter(|a| a.draft.status == ApplicationStatus::Allocated)
        .collect();
    allocated.sort_by_key(|a| a.id);
    allocated.truncate(allocated.len().saturating_sub(1));
    let input = NominationInput {
        planned_start: date("2025-09-01"),
        planned_end: date("2026-01-31"),
        level: Some(StudyLevel::Bachelor),
    };
    for (i, a) in allocated.iter().enumerate() {
        let stay = db.nominate(actor, a.id, a.version, &input).await?;
        if i == 0 {
            db.answer_nomination(actor, stay.id, stay.version, true)
                .await?;
        }
    }
    Ok(())
}

fn date(s: &str) -> time::Date {
    liaison_domain::event::iso_date::parse(s).expect("a valid date")
}
