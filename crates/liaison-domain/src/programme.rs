//! Cooperation programme lines (合作项目条目): what a university–enterprise agreement commits
//! to in one year — curriculum co-development, a shared lab or training base, joint courses,
//! guest lecturers, internship and employment targets — each with an owner on the staff, a
//! target, the actual figure so far and a status. Rolled up per year for the partner page and
//! the overview.

use serde::{Deserialize, Serialize};

use crate::agreement::AgreementKind;
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::Id;

string_enum!(
    /// What a programme line is about.
    ProgrammeLineKind, "programme-line-kind" {
        Curriculum => "curriculum",
        SharedLab => "shared_lab",
        JointCourse => "joint_course",
        GuestLecturer => "guest_lecturer",
        InternshipTarget => "internship_target",
        EmploymentTarget => "employment_target",
    }
);

string_enum!(
    /// How a programme line stands.
    ProgrammeLineStatus, "programme-line-status" {
        Planned => "planned",
        InProgress => "in_progress",
        Achieved => "achieved",
        Behind => "behind",
        Cancelled => "cancelled",
    }
);

/// The agreement kinds that carry programme lines: the university–enterprise ones.
pub fn carries_lines(kind: AgreementKind) -> bool {
    matches!(
        kind,
        AgreementKind::EnterpriseProgramme | AgreementKind::InternshipBase
    )
}

pub const YEAR_MIN: i64 = 2000;
pub const YEAR_MAX: i64 = 2100;
/// The largest target or actual figure (courses, lecturers, students…).
pub const FIGURE_MAX: i64 = 100_000;
pub const DESCRIPTION_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeLineDraft {
    #[serde(with = "crate::id_as_string")]
    pub agreement_id: Id,
    /// The calendar year the line is for.
    pub year: i64,
    pub kind: ProgrammeLineKind,
    #[serde(default)]
    pub description: LocalizedText,
    /// The staff account responsible.
    #[serde(with = "crate::id_as_string::option", default)]
    pub owner_user_id: Option<Id>,
    pub target: i64,
    #[serde(default)]
    pub actual: i64,
    pub status: ProgrammeLineStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeLine {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: ProgrammeLineDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ProgrammeLineDraft {
    pub fn validate(mut self) -> Result<ProgrammeLineDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.description = self.description.normalized();
        self.description
            .check("description", DESCRIPTION_MAX, &mut e);
        if !(YEAR_MIN..=YEAR_MAX).contains(&self.year) {
            e.push("year", "invalid-year");
        }
        if !(0..=FIGURE_MAX).contains(&self.target) {
            e.push("target", "invalid-number");
        }
        if !(0..=FIGURE_MAX).contains(&self.actual) {
            e.push("actual", "invalid-number");
        }
        e.into_result(self)
    }

    /// The share of the target reached, in percent (none for a zero target).
    pub fn percent(&self) -> Option<i64> {
        (self.target > 0).then(|| self.actual * 100 / self.target)
    }
}

/// One year × kind of the roll-up: how many lines, their targets and actuals added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeRollup {
    pub year: i64,
    pub kind: ProgrammeLineKind,
    pub lines: i64,
    pub target: i64,
    pub actual: i64,
    /// Lines marked achieved.
    pub achieved: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> ProgrammeLineDraft {
        ProgrammeLineDraft {
            agreement_id: 1,
            year: 2024,
            kind: ProgrammeLineKind::InternshipTarget,
            description: LocalizedText::bilingual(" Summer interns ", "暑期实习生"),
            owner_user_id: None,
            target: 20,
            actual: 12,
            status: ProgrammeLineStatus::InProgress,
        }
    }

    #[test]
    fn a_line_needs_a_year_and_sane_figures() {
        let ok = line().validate().unwrap();
        assert_eq!(ok.description.en.as_deref(), Some("Summer interns"));
        assert_eq!(ok.percent(), Some(60));
        let mut bad = line();
        bad.year = 1999;
        bad.target = -1;
        bad.actual = FIGURE_MAX + 1;
        let e = bad.validate().unwrap_err();
        assert_eq!(e.get("year").unwrap().code, "invalid-year");
        assert_eq!(e.get("target").unwrap().code, "invalid-number");
        assert_eq!(e.get("actual").unwrap().code, "invalid-number");
        let mut zero = line();
        zero.target = 0;
        assert_eq!(zero.percent(), None);
    }

    #[test]
    fn only_enterprise_agreements_carry_lines() {
        assert!(carries_lines(AgreementKind::EnterpriseProgramme));
        assert!(carries_lines(AgreementKind::InternshipBase));
        assert!(!carries_lines(AgreementKind::StudentExchange));
    }
}
