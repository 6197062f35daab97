//! Mobility records (issue 7, "whole-process service"): one person's stay abroad (outgoing) or
//! with us (incoming), from nomination to credit recognition, with its lifecycle as a state
//! machine, planned and actual dates, arrival and return confirmations and an emergency contact.
//!
//! Student mobilities (studies, traineeship) carry a study level; staff mobilities (teaching,
//! training) do not. The type names are those of the cooperation conditions (`MobilityType`).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::agreement::{parse_academic_year, MobilityType, StudyLevel};
use crate::event::iso_date;
use crate::validation::{check_len, clean, is_phone, FieldErrors};
use crate::Id;

string_enum!(
    /// Seen from our university: a person of ours going to a partner, or a partner's coming to us.
    /// (Catalogue keys are shared with the conditions' directions.)
    MobilityDirection, "direction" {
        Outgoing => "outgoing",
        Incoming => "incoming",
    }
);

string_enum!(
    /// Where a stay is (DESIGN.md: nominated → accepted → preparing → abroad → returned →
    /// recognised; or cancelled). Changes go through [`transition`].
    MobilityStatus, "mobility-status" {
        Nominated => "nominated",
        Accepted => "accepted",
        Preparing => "preparing",
        Abroad => "abroad",
        Returned => "returned",
        Recognised => "recognised",
        Cancelled => "cancelled",
    }
);

impl MobilityStatus {
    /// The states this one may change to; `recognised` and `cancelled` are final. A stay that has
    /// begun cannot be cancelled: it ends by returning (early, if need be).
    pub fn next(self) -> &'static [MobilityStatus] {
        use MobilityStatus::*;
        match self {
            Nominated => &[Accepted, Cancelled],
            Accepted => &[Preparing, Cancelled],
            Preparing => &[Abroad, Cancelled],
            Abroad => &[Returned],
            Returned => &[Recognised],
            Recognised | Cancelled => &[],
        }
    }

    /// Whether the stay has begun (the person is or was abroad).
    pub fn has_started(self) -> bool {
        matches!(
            self,
            MobilityStatus::Abroad | MobilityStatus::Returned | MobilityStatus::Recognised
        )
    }
}

/// An illegal status change; the message names the allowed next states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub from: MobilityStatus,
    pub to: MobilityStatus,
    pub allowed: &'static [MobilityStatus],
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot change status from {} to {}; ",
            self.from, self.to
        )?;
        if self.allowed.is_empty() {
            write!(f, "{} is final", self.from)
        } else {
            let names: Vec<&str> = self.allowed.iter().map(|s| s.as_str()).collect();
            write!(f, "allowed: {}", names.join(", "))
        }
    }
}

impl std::error::Error for TransitionError {}

/// The lifecycle state machine.
pub fn transition(from: MobilityStatus, to: MobilityStatus) -> Result<(), TransitionError> {
    if from.next().contains(&to) {
        Ok(())
    } else {
        Err(TransitionError {
            from,
            to,
            allowed: from.next(),
        })
    }
}

pub const NAME_MAX: usize = 200;
pub const PHONE_MAX: usize = 50;
pub const NOTES_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MobilityDraft {
    /// The person who goes (a student or staff member; for incoming stays, the partner's).
    #[serde(with = "crate::id_as_string")]
    pub person_id: Id,
    pub direction: MobilityDirection,
    pub mobility_type: MobilityType,
    /// Students only.
    pub level: Option<StudyLevel>,
    /// Where the person comes from (ours for outgoing stays).
    #[serde(with = "crate::id_as_string")]
    pub home_institution_id: Id,
    /// Where the stay takes place (ours for incoming stays).
    #[serde(with = "crate::id_as_string")]
    pub host_institution_id: Id,
    /// The unit that looks after the stay (e.g. the sending college); a unit of home or host.
    #[serde(with = "crate::id_as_string::option", default)]
    pub org_unit_id: Option<Id>,
    #[serde(with = "crate::id_as_string::option", default)]
    pub agreement_id: Option<Id>,
    /// The cooperation condition (quota) the stay counts against; one of the agreement's.
    #[serde(with = "crate::id_as_string::option", default)]
    pub condition_id: Option<Id>,
    /// `2024/2025`.
    pub academic_year: String,
    #[serde(with = "iso_date")]
    pub planned_start: Date,
    #[serde(with = "iso_date")]
    pub planned_end: Date,
    #[serde(with = "iso_date::option", default)]
    pub actual_start: Option<Date>,
    #[serde(with = "iso_date::option", default)]
    pub actual_end: Option<Date>,
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub emergency_contact_relation: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mobility {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: MobilityDraft,
    pub status: MobilityStatus,
    /// When the arrival was confirmed (the move to `abroad`), UTC RFC 3339.
    pub arrival_confirmed_at: Option<String>,
    /// When the return was confirmed (the move to `returned`).
    pub return_confirmed_at: Option<String>,
    /// The exchange application the stay was nominated from, if any (the nomination).
    #[serde(with = "crate::id_as_string::option", default)]
    pub application_id: Option<Id>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn optional_text(field: &str, value: &mut Option<String>, max: usize, errors: &mut FieldErrors) {
    *value = clean(value.as_deref());
    if let Some(v) = value {
        check_len(field, v, max, errors);
    }
}

impl MobilityDraft {
    pub fn validate(mut self) -> Result<MobilityDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.host_institution_id == self.home_institution_id {
            errors.push("host_institution_id", "same-institution");
        }
        match (self.mobility_type.is_student(), self.level) {
            (true, None) => errors.push("level", "required"),
            (false, Some(_)) => errors.push("level", "not-for-staff"),
            _ => {}
        }
        if self.condition_id.is_some() && self.agreement_id.is_none() {
            errors.push("agreement_id", "required");
        }
        self.academic_year = self.academic_year.trim().to_string();
        if parse_academic_year(&self.academic_year).is_none() {
            errors.push("academic_year", "invalid-academic-year");
        }
        if self.planned_end < self.planned_start {
            errors.push("planned_end", "end-before-start");
        }
        if let (Some(s), Some(e)) = (self.actual_start, self.actual_end) {
            if e < s {
                errors.push("actual_end", "end-before-start");
            }
        }
        if self.actual_end.is_some() && self.actual_start.is_none() {
            errors.push("actual_start", "required");
        }
        optional_text(
            "emergency_contact_name",
            &mut self.emergency_contact_name,
            NAME_MAX,
            &mut errors,
        );
        optional_text(
            "emergency_contact_relation",
            &mut self.emergency_contact_relation,
            NAME_MAX,
            &mut errors,
        );
        self.emergency_contact_phone = clean(self.emergency_contact_phone.as_deref());
        if let Some(p) = &self.emergency_contact_phone {
            if p.chars().count() > PHONE_MAX {
                errors.push_limit("emergency_contact_phone", "too-long", PHONE_MAX);
            } else if !is_phone(p) {
                errors.push("emergency_contact_phone", "invalid-phone");
            }
        }
        optional_text("notes", &mut self.notes, NOTES_MAX, &mut errors);
        errors.into_result(self)
    }

    /// The first day of the stay: actual if known, else planned.
    pub fn start_on(&self) -> Date {
        self.actual_start.unwrap_or(self.planned_start)
    }

    /// The last day of the stay: actual if known, else planned.
    pub fn end_on(&self) -> Date {
        self.actual_end.unwrap_or(self.planned_end)
    }

    /// The partner's side: the host of an outgoing stay, the home of an incoming one.
    pub fn partner_institution_id(&self) -> Id {
        match self.direction {
            MobilityDirection::Outgoing => self.host_institution_id,
            MobilityDirection::Incoming => self.home_institution_id,
        }
    }
}

/// What a status change also records: the arrival (actual start, confirmation) on the move to
/// `abroad` and the return (actual end, confirmation) on the move to `returned`. `on` is the day
/// given by the caller, `today` the default. The actual dates already recorded are kept.
pub fn dates_after(
    draft: &MobilityDraft,
    to: MobilityStatus,
    on: Option<Date>,
    today: Date,
) -> Result<MobilityDraft, FieldErrors> {
    let mut d = draft.clone();
    let day = on.unwrap_or(today);
    match to {
        MobilityStatus::Abroad if d.actual_start.is_none() || on.is_some() => {
            d.actual_start = Some(day);
        }
        MobilityStatus::Returned => {
            if d.actual_end.is_none() || on.is_some() {
                d.actual_end = Some(day);
            }
            if d.actual_start.is_none() {
                d.actual_start = Some(d.planned_start.min(day));
            }
            if d.actual_start.is_some_and(|s| day < s) && on.is_some() {
                let mut e = FieldErrors::default();
                e.push("on", "before-start");
                return Err(e);
            }
        }
        _ => {}
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MobilityStatus::*;

    fn date(s: &str) -> Date {
        iso_date::parse(s).unwrap()
    }

    fn draft() -> MobilityDraft {
        MobilityDraft {
            person_id: 1,
            direction: MobilityDirection::Outgoing,
            mobility_type: MobilityType::StudentStudies,
            level: Some(StudyLevel::Bachelor),
            home_institution_id: 1,
            host_institution_id: 2,
            org_unit_id: None,
            agreement_id: None,
            condition_id: None,
            academic_year: "2024/2025".into(),
            planned_start: date("2024-09-01"),
            planned_end: date("2025-01-31"),
            actual_start: None,
            actual_end: None,
            emergency_contact_name: Some("  Wang Fang ".into()),
            emergency_contact_phone: Some("+86 138 0000 0000".into()),
            emergency_contact_relation: Some("mother".into()),
            notes: None,
        }
    }

    fn fields(e: FieldErrors) -> Vec<(String, &'static str)> {
        e.0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_valid_draft_is_cleaned() {
        let d = draft().validate().unwrap();
        assert_eq!(d.emergency_contact_name.as_deref(), Some("Wang Fang"));
        assert_eq!(d.start_on(), date("2024-09-01"));
        assert_eq!(d.partner_institution_id(), 2);
    }

    #[test]
    fn errors_name_the_field() {
        let mut d = draft();
        d.host_institution_id = 1;
        d.planned_end = date("2024-08-01");
        d.academic_year = "2024/2026".into();
        d.emergency_contact_phone = Some("call me".into());
        assert_eq!(
            fields(d.validate().unwrap_err()),
            vec![
                ("host_institution_id".into(), "same-institution"),
                ("academic_year".into(), "invalid-academic-year"),
                ("planned_end".into(), "end-before-start"),
                ("emergency_contact_phone".into(), "invalid-phone"),
            ]
        );
        let mut d = draft();
        d.actual_start = Some(date("2024-09-03"));
        d.actual_end = Some(date("2024-09-02"));
        assert_eq!(
            fields(d.validate().unwrap_err()),
            vec![("actual_end".into(), "end-before-start")]
        );
    }

    #[test]
    fn level_is_for_students_and_a_condition_needs_its_agreement() {
        let mut d = draft();
        d.level = None;
        d.condition_id = Some(4);
        assert_eq!(
            fields(d.validate().unwrap_err()),
            vec![
                ("level".into(), "required"),
                ("agreement_id".into(), "required")
            ]
        );
        let mut d = draft();
        d.mobility_type = MobilityType::StaffTeaching;
        assert_eq!(
            fields(d.clone().validate().unwrap_err()),
            vec![("level".into(), "not-for-staff")]
        );
        d.level = None;
        assert!(d.validate().is_ok());
    }

    #[test]
    fn every_legal_transition_is_allowed_and_nothing_else() {
        let legal = [
            (Nominated, Accepted),
            (Nominated, Cancelled),
            (Accepted, Preparing),
            (Accepted, Cancelled),
            (Preparing, Abroad),
            (Preparing, Cancelled),
            (Abroad, Returned),
            (Returned, Recognised),
        ];
        for (from, to) in legal {
            assert_eq!(transition(from, to), Ok(()), "{from} -> {to}");
        }
        let mut count = 0;
        for from in MobilityStatus::ALL {
            for to in MobilityStatus::ALL {
                if transition(*from, *to).is_ok() {
                    count += 1;
                    assert!(legal.contains(&(*from, *to)), "{from} -> {to}");
                }
            }
        }
        assert_eq!(count, legal.len());
    }

    #[test]
    fn illegal_transitions_name_the_allowed_ones() {
        let e = transition(Nominated, Abroad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot change status from nominated to abroad; allowed: accepted, cancelled"
        );
        let e = transition(Recognised, Abroad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot change status from recognised to abroad; recognised is final"
        );
        assert!(Abroad.has_started() && !Preparing.has_started());
    }

    #[test]
    fn arrival_and_return_record_the_actual_dates() {
        let today = date("2024-09-05");
        let d = dates_after(&draft(), Abroad, None, today).unwrap();
        assert_eq!(d.actual_start, Some(today));
        let d = dates_after(&d, Returned, Some(date("2025-01-20")), today).unwrap();
        assert_eq!(d.actual_end, Some(date("2025-01-20")));
        assert_eq!(d.actual_start, Some(today));
        let e = dates_after(&d, Returned, Some(date("2024-09-01")), today).unwrap_err();
        assert_eq!(fields(e), vec![("on".into(), "before-start")]);
        // Other moves change no date.
        assert_eq!(
            dates_after(&draft(), Accepted, None, today).unwrap(),
            draft()
        );
    }
}
