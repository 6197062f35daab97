//! The exchange cycle (issue 7): calls for exchange places and students' applications, with the
//! application status machine and the deterministic ranking used by allocation runs.

use serde::{Deserialize, Serialize};

use crate::agreement::parse_academic_year;
use crate::event::iso_date;
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::Id;

string_enum!(
    /// Where an application stands (DESIGN.md: draft → submitted → eligible/ineligible →
    /// allocated/unplaced → nominated → accepted/rejected by partner; withdrawn).
    ApplicationStatus, "application-status" {
        Draft => "draft",
        Submitted => "submitted",
        Eligible => "eligible",
        Ineligible => "ineligible",
        Allocated => "allocated",
        Unplaced => "unplaced",
        Nominated => "nominated",
        Accepted => "accepted",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
    }
);

impl ApplicationStatus {
    /// The statuses an application may move to from this one.
    pub fn next(self) -> &'static [ApplicationStatus] {
        use ApplicationStatus::*;
        match self {
            Draft => &[Submitted, Withdrawn],
            Submitted => &[Eligible, Ineligible, Withdrawn],
            Eligible => &[Ineligible, Allocated, Unplaced, Withdrawn],
            Ineligible => &[Eligible, Withdrawn],
            // A new allocation run may move an allocated student to another outcome.
            Allocated => &[Unplaced, Nominated, Withdrawn],
            Unplaced => &[Allocated, Withdrawn],
            Nominated => &[Accepted, Rejected, Withdrawn],
            Accepted => &[Withdrawn],
            Rejected => &[],
            Withdrawn => &[],
        }
    }

    pub fn may_become(self, to: ApplicationStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Whether the student may still change their choices.
    pub fn is_editable_by_student(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Draft | ApplicationStatus::Submitted
        )
    }

    /// Taking part in an allocation run.
    pub fn is_allocatable(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Eligible
                | ApplicationStatus::Allocated
                | ApplicationStatus::Unplaced
        )
    }
}

pub const TITLE_MAX: usize = 300;
pub const REASON_MAX: usize = 1000;
pub const CHOICES_MAX: i64 = 10;
pub const PLACES_MAX: i64 = 10_000;
pub const SCORE_MAX: i64 = 100;

/// One programme a call offers: a cooperation condition and its places for the call's year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallPlace {
    #[serde(with = "crate::id_as_string")]
    pub condition_id: Id,
    pub places: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallDraft {
    pub title: LocalizedText,
    /// `2025/2026`.
    pub academic_year: String,
    #[serde(with = "iso_date::option", default)]
    pub deadline: Option<time::Date>,
    /// How many ranked choices an application may hold.
    pub max_choices: i64,
    pub places: Vec<CallPlace>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: CallDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl CallDraft {
    pub fn validate(mut self) -> Result<CallDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        self.academic_year = self.academic_year.trim().to_string();
        if parse_academic_year(&self.academic_year).is_none() {
            errors.push("academic_year", "invalid-academic-year");
        }
        if !(1..=CHOICES_MAX).contains(&self.max_choices) {
            errors.push("max_choices", "invalid-number");
        }
        if self.places.is_empty() {
            errors.push("places", "required");
        }
        for (i, p) in self.places.iter().enumerate() {
            if !(0..=PLACES_MAX).contains(&p.places) {
                errors.push(format!("places.{i}.places"), "invalid-number");
            }
            if self.places[..i]
                .iter()
                .any(|q| q.condition_id == p.condition_id)
            {
                errors.push(format!("places.{i}.condition_id"), "duplicate");
            }
        }
        errors.into_result(self)
    }

    pub fn offers(&self, condition_id: Id) -> bool {
        self.places.iter().any(|p| p.condition_id == condition_id)
    }

    pub fn search_text(&self) -> String {
        crate::search::normalize(&self.title.all().collect::<Vec<_>>().join("\u{1f}"))
    }
}

/// Why a student did not get a place they preferred to the one they got (from the engine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationLine {
    #[serde(with = "crate::id_as_string")]
    pub condition_id: Id,
    /// `not_ranked`, `no_places` or `full`.
    pub reason: String,
    /// For `full`: the rank of the last student admitted and this student's rank (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub your_rank: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    #[serde(with = "crate::id_as_string")]
    pub call_id: Id,
    #[serde(with = "crate::id_as_string")]
    pub person_id: Id,
    /// Condition ids of the call's places, most wanted first.
    #[serde(serialize_with = "ids_out", deserialize_with = "ids_in")]
    pub choices: Vec<Id>,
    /// The total score (0–100) the office computed; allocation ranks by it.
    pub score: Option<i64>,
    pub status: ApplicationStatus,
    pub ineligible_reason: Option<String>,
}

fn ids_out<S: serde::Serializer>(ids: &[Id], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(|id| id.to_string()))
}

fn ids_in<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Id>, D::Error> {
    let raw: Vec<String> = Vec::deserialize(d)?;
    raw.iter()
        .map(|s| s.parse().map_err(serde::de::Error::custom))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: ApplicationDraft,
    /// The place (condition id) the last allocation run gave, if any.
    #[serde(with = "crate::id_as_string::option", default)]
    pub allocated_condition_id: Option<Id>,
    /// Why the student did not get each place they preferred to the one they got.
    pub explanation: Vec<ExplanationLine>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ApplicationDraft {
    /// Checks the fields against the call: choices among its places, none twice, at most its
    /// maximum; score in range; an ineligible application names its reason.
    pub fn validate(mut self, call: &CallDraft) -> Result<ApplicationDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.choices.is_empty() && self.status != ApplicationStatus::Draft {
            errors.push("choices", "required");
        }
        if self.choices.len() as i64 > call.max_choices {
            errors.push("choices", "too-many");
        }
        for (i, c) in self.choices.iter().enumerate() {
            if self.choices[..i].contains(c) {
                errors.push(format!("choices.{i}"), "duplicate");
            } else if !call.offers(*c) {
                errors.push(format!("choices.{i}"), "not-in-call");
            }
        }
        if self.score.is_some_and(|s| !(0..=SCORE_MAX).contains(&s)) {
            errors.push("score", "invalid-number");
        }
        self.ineligible_reason = self
            .ineligible_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(String::from);
        if self
            .ineligible_reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > REASON_MAX)
        {
            errors.push("ineligible_reason", "too-long");
        }
        if self.status == ApplicationStatus::Ineligible && self.ineligible_reason.is_none() {
            errors.push("ineligible_reason", "required");
        }
        errors.into_result(self)
    }

    /// Validates a change: the fields, and that the status may move so.
    pub fn validate_change(
        self,
        before: &ApplicationDraft,
        call: &CallDraft,
    ) -> Result<ApplicationDraft, FieldErrors> {
        let status_ok = before.status.may_become(self.status);
        let mut result = self.validate(call);
        if !status_ok {
            let mut e = result.err().unwrap_or_default();
            e.push("status", "invalid-transition");
            result = Err(e);
        }
        result
    }
}

/// The order in which a place ranks the eligible applicants: higher score first; ties (and
/// missing scores, which count as 0) broken by the earlier application (lower id). Deterministic:
/// the same applications always give the same order.
pub fn ranking(applications: &[(Id, Option<i64>)]) -> Vec<Id> {
    let mut v: Vec<(Id, i64)> = applications
        .iter()
        .map(|(id, s)| (*id, s.unwrap_or(0)))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(id, _)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;

    fn call() -> CallDraft {
        CallDraft {
            title: LocalizedText::bilingual("Exchange 2025/26", "2025/26 交换项目"),
            academic_year: "2025/2026".into(),
            deadline: None,
            max_choices: 3,
            places: vec![
                CallPlace {
                    condition_id: 1,
                    places: 2,
                },
                CallPlace {
                    condition_id: 2,
                    places: 1,
                },
            ],
        }
    }

    fn app(choices: Vec<Id>) -> ApplicationDraft {
        ApplicationDraft {
            call_id: 1,
            person_id: 1,
            choices,
            score: Some(80),
            status: Submitted,
            ineligible_reason: None,
        }
    }

    #[test]
    fn status_machine() {
        assert!(Draft.may_become(Submitted));
        assert!(Submitted.may_become(Eligible));
        assert!(Eligible.may_become(Allocated));
        assert!(Allocated.may_become(Nominated));
        assert!(Nominated.may_become(Rejected));
        assert!(!Draft.may_become(Allocated));
        assert!(!Withdrawn.may_become(Submitted));
        for s in ApplicationStatus::ALL {
            assert!(s.may_become(*s));
            assert!(!s.next().contains(s));
        }
    }

    #[test]
    fn choices_are_checked_against_the_call() {
        assert!(app(vec![2, 1]).validate(&call()).is_ok());
        let e = app(vec![1, 1]).validate(&call()).unwrap_err();
        assert_eq!(e.0[0].field, "choices.1");
        assert_eq!(e.0[0].code, "duplicate");
        let e = app(vec![1, 9]).validate(&call()).unwrap_err();
        assert_eq!(e.0[0].field, "choices.1");
        assert_eq!(e.0[0].code, "not-in-call");
    }

    #[test]
    fn ineligible_needs_a_reason_and_scores_are_bounded() {
        let mut a = app(vec![1]);
        a.status = Ineligible;
        assert_eq!(
            a.validate(&call()).unwrap_err().0[0].field,
            "ineligible_reason"
        );
        let mut a = app(vec![1]);
        a.score = Some(101);
        assert_eq!(a.validate(&call()).unwrap_err().0[0].field, "score");
        let e = app(vec![1])
            .validate_change(
                &ApplicationDraft {
                    status: Withdrawn,
                    ..app(vec![1])
                },
                &call(),
            )
            .unwrap_err();
        assert_eq!(e.0[0].field, "status");
    }

    #[test]
    fn ranking_is_by_score_then_earlier_application() {
        assert_eq!(
            ranking(&[(5, Some(70)), (3, Some(90)), (4, Some(70)), (9, None)]),
            vec![3, 4, 5, 9]
        );
    }

    #[test]
    fn calls_refuse_a_place_twice() {
        let mut c = call();
        c.places[1].condition_id = 1;
        assert_eq!(
            c.validate().unwrap_err().0[0].field,
            "places.1.condition_id"
        );
    }
}
