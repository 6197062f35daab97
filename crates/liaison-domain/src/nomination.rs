//! Nominations (issue 7): after allocation the office nominates each placed student to the
//! partner; the nomination *is* the stay's record in status `nominated`, linked to its
//! application. The partner accepts (the stay and the application move on) or rejects (the stay is
//! cancelled, the application rejected).

use time::Date;

use crate::agreement::{Agreement, CooperationCondition, StudyLevel};
use crate::exchange::{Application, ApplicationStatus, Call};
use crate::mobility::{MobilityDirection, MobilityDraft, MobilityStatus};
use crate::person::Person;
use crate::validation::FieldErrors;

/// What the office adds when it nominates: the planned dates, and the level when the place does
/// not fix one.
#[derive(Debug, Clone, PartialEq)]
pub struct NominationInput {
    pub planned_start: Date,
    pub planned_end: Date,
    pub level: Option<StudyLevel>,
}

/// The stay a nomination records: the student from their home institution (and unit) to the
/// place's receiving institution (or the agreement's other party), for the call's year.
pub fn nominated_stay(
    application: &Application,
    call: &Call,
    person: &Person,
    condition: &CooperationCondition,
    agreement: &Agreement,
    input: &NominationInput,
) -> Result<MobilityDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    if application.draft.status != ApplicationStatus::Allocated {
        errors.push("status", "not-allocated");
    }
    let Some(home) = person.draft.institution_id else {
        errors.push("person_id", "no-institution");
        return Err(errors);
    };
    let host = condition
        .draft
        .receiving_institution_id
        .filter(|r| *r != home)
        .or_else(|| {
            agreement
                .draft
                .parties
                .iter()
                .map(|p| p.institution_id)
                .find(|i| *i != home)
        });
    let Some(host) = host else {
        errors.push("condition_id", "no-partner");
        return Err(errors);
    };
    let level = if condition.draft.mobility_type.is_student() {
        input.level.or(condition.draft.study_level)
    } else {
        None
    };
    let draft = MobilityDraft {
        person_id: person.id,
        direction: MobilityDirection::Outgoing,
        mobility_type: condition.draft.mobility_type,
        level,
        home_institution_id: home,
        host_institution_id: host,
        org_unit_id: person.draft.org_unit_id,
        agreement_id: Some(agreement.id),
        condition_id: Some(condition.id),
        academic_year: call.draft.academic_year.clone(),
        planned_start: input.planned_start,
        planned_end: input.planned_end,
        actual_start: None,
        actual_end: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        emergency_contact_relation: None,
        notes: None,
    };
    match draft.validate() {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.0.extend(e.0);
            Err(errors)
        }
    }
}

/// What a partner (or the office) gives when nominating someone to come to us.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingInput {
    pub academic_year: String,
    pub planned_start: Date,
    pub planned_end: Date,
    pub level: Option<StudyLevel>,
}

/// The partner institution that sends under a place: its sending institution. A place without one
/// does not take incoming nominations.
pub fn sending_partner(condition: &CooperationCondition) -> Option<crate::Id> {
    condition.draft.sending_institution_id
}

/// An incoming stay: the partner's person from the place's sending institution to its receiving
/// institution (or the agreement's other party).
pub fn incoming_stay(
    person_id: crate::Id,
    condition: &CooperationCondition,
    agreement: &Agreement,
    input: &IncomingInput,
) -> Result<MobilityDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(home) = sending_partner(condition) else {
        errors.push("condition_id", "no-partner");
        return Err(errors);
    };
    let host = condition
        .draft
        .receiving_institution_id
        .filter(|r| *r != home)
        .or_else(|| {
            agreement
                .draft
                .parties
                .iter()
                .map(|p| p.institution_id)
                .find(|i| *i != home)
        });
    let Some(host) = host else {
        errors.push("condition_id", "no-partner");
        return Err(errors);
    };
    let level = if condition.draft.mobility_type.is_student() {
        input.level.or(condition.draft.study_level)
    } else {
        None
    };
    MobilityDraft {
        person_id,
        direction: MobilityDirection::Incoming,
        mobility_type: condition.draft.mobility_type,
        level,
        home_institution_id: home,
        host_institution_id: host,
        org_unit_id: None,
        agreement_id: Some(agreement.id),
        condition_id: Some(condition.id),
        academic_year: input.academic_year.clone(),
        planned_start: input.planned_start,
        planned_end: input.planned_end,
        actual_start: None,
        actual_end: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        emergency_contact_relation: None,
        notes: None,
    }
    .validate()
}

/// The partner's answer to a nomination: where the stay and its application go.
pub fn partner_answer(accepted: bool) -> (MobilityStatus, ApplicationStatus) {
    if accepted {
        (MobilityStatus::Accepted, ApplicationStatus::Accepted)
    } else {
        (MobilityStatus::Cancelled, ApplicationStatus::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{MobilityType, Party};
    use crate::text::LocalizedText;
    use time::macros::date;

    fn fixtures() -> (Application, Call, Person, CooperationCondition, Agreement) {
        let application: Application = serde_json::from_value(serde_json::json!({
            "id": "5", "call_id": "2", "person_id": "7", "choices": ["11"], "score": 80,
            "status": "allocated", "ineligible_reason": null, "allocated_condition_id": "11",
            "explanation": [], "version": 3, "created_at": "", "updated_at": ""
        }))
        .unwrap();
        let call: Call = serde_json::from_value(serde_json::json!({
            "id": "2", "title": {"en": "Exchange 2027/2028"}, "academic_year": "2027/2028",
            "deadline": null, "max_choices": 3, "places": [{"condition_id": "11", "places": 2}],
            "version": 1, "created_at": "", "updated_at": ""
        }))
        .unwrap();
        let person: Person = serde_json::from_value(serde_json::json!({
            "id": "7", "name": {"en": "Li Mingyu", "zh": "李明宇"}, "title": {}, "institution_id": "1",
            "org_unit_id": "4", "emails": [], "phones": [], "languages": [],
            "version": 1, "created_at": "", "updated_at": ""
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let condition: CooperationCondition = serde_json::from_value(serde_json::json!({
            "id": "11", "agreement_id": "9", "mobility_type": "student_studies",
            "places_per_year": 2, "subject_areas": [], "direction": null,
            "first_year": null, "last_year": null, "months_per_place": null,
            "days_per_place": null, "study_level": null, "language": null,
            "language_level": null, "notes": null, "version": 1,
            "created_at": "", "updated_at": ""
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut agreement: Agreement = serde_json::from_value(serde_json::json!({
            "id": "9", "kind": "student_exchange", "title": {"en": "Exchange"}, "summary": {},
            "parties": [], "signatories": [], "subject_areas": [], "status": "active",
            "signed_on": null, "start_on": null, "end_on": null, "auto_renew": false,
            "iia_id": null, "reminded_at": null,
            "version": 1, "created_at": "", "updated_at": ""
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        agreement.draft.parties = vec![
            Party {
                institution_id: 1,
                org_unit_id: None,
            },
            Party {
                institution_id: 3,
                org_unit_id: None,
            },
        ];
        (application, call, person, condition, agreement)
    }

    fn input() -> NominationInput {
        NominationInput {
            planned_start: date!(2027 - 09 - 01),
            planned_end: date!(2028 - 01 - 31),
            level: Some(StudyLevel::Bachelor),
        }
    }

    #[test]
    fn the_stay_goes_from_the_student_s_home_to_the_other_party() {
        let (a, c, p, cond, agr) = fixtures();
        let d = nominated_stay(&a, &c, &p, &cond, &agr, &input()).unwrap();
        assert_eq!((d.home_institution_id, d.host_institution_id), (1, 3));
        assert_eq!(d.org_unit_id, Some(4));
        assert_eq!(d.academic_year, "2027/2028");
        assert_eq!(d.mobility_type, MobilityType::StudentStudies);
        assert_eq!(d.level, Some(StudyLevel::Bachelor));
        assert_eq!((d.agreement_id, d.condition_id), (Some(9), Some(11)));
        assert_eq!(
            p.draft.name,
            LocalizedText::bilingual("Li Mingyu", "李明宇")
        );
    }

    #[test]
    fn only_allocated_students_with_dates_in_order_are_nominated() {
        let (mut a, c, p, cond, agr) = fixtures();
        a.draft.status = ApplicationStatus::Eligible;
        let mut bad = input();
        bad.planned_end = date!(2027 - 08 - 01);
        bad.level = None;
        let e = nominated_stay(&a, &c, &p, &cond, &agr, &bad).unwrap_err();
        for field in ["status", "planned_end", "level"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn an_incoming_stay_comes_from_the_sending_partner() {
        let (_, _, _, mut cond, agr) = fixtures();
        let input = IncomingInput {
            academic_year: "2027/2028".into(),
            planned_start: date!(2027 - 09 - 01),
            planned_end: date!(2028 - 01 - 31),
            level: Some(StudyLevel::Master),
        };
        assert!(incoming_stay(12, &cond, &agr, &input)
            .unwrap_err()
            .get("condition_id")
            .is_some());
        cond.draft.sending_institution_id = Some(3);
        let d = incoming_stay(12, &cond, &agr, &input).unwrap();
        assert_eq!(d.direction, MobilityDirection::Incoming);
        assert_eq!((d.home_institution_id, d.host_institution_id), (3, 1));
        assert_eq!(d.level, Some(StudyLevel::Master));
    }

    #[test]
    fn a_rejection_cancels_the_stay() {
        assert_eq!(
            partner_answer(false),
            (MobilityStatus::Cancelled, ApplicationStatus::Rejected)
        );
        assert_eq!(
            partner_answer(true),
            (MobilityStatus::Accepted, ApplicationStatus::Accepted)
        );
    }
}
