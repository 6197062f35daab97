//! The exchange cycle (issue 7): calls for exchange places and students' applications, with the
//! application status machine and the deterministic ranking used by allocation runs.

use std::borrow::Cow;

use liaison_allocation::{allocate, Id as EngineId, InputBuilder, Reason};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::agreement::parse_academic_year;
pub use crate::agreement::CefrLevel;
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
            // A student's change before the deadline submits again (checked again).
            Eligible => &[Submitted, Ineligible, Allocated, Unplaced, Withdrawn],
            Ineligible => &[Submitted, Eligible, Withdrawn],
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

    /// Whether the student may still change their choices and facts (before the deadline):
    /// until an allocation has been published.
    pub fn is_editable_by_student(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Draft
                | ApplicationStatus::Submitted
                | ApplicationStatus::Eligible
                | ApplicationStatus::Ineligible
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

pub const DESCRIPTION_MAX: usize = 10_000;
pub const RULE_TEXT_MAX: usize = 100;
pub const RULE_LIST_MAX: usize = 50;
pub const YEAR_OF_STUDY_MAX: i64 = 8;

/// Who may apply: every rule given must hold; an empty list or `None` does not restrict.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRules {
    /// The lowest grade point average accepted (on the call's GPA scale).
    #[serde(default)]
    pub min_gpa: Option<f64>,
    /// The lowest CEFR level accepted in the teaching language.
    #[serde(default)]
    pub min_language_level: Option<CefrLevel>,
    /// The language certificates accepted as proof of the level (e.g. IELTS, TOEFL, CET-6);
    /// empty: any certificate.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// The years of study that may apply (1 = first year); empty: any.
    #[serde(default)]
    pub years_of_study: Vec<i64>,
    /// The majors that may apply; empty: any.
    #[serde(default)]
    pub majors: Vec<String>,
}

/// How an application's total score (0–100, in hundredths) is made: weighted parts that add up
/// to 100. See [`ScoringRule::score`] and [`ranking`] for the tie-break.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRule {
    pub gpa_weight: i64,
    pub language_weight: i64,
    pub interview_weight: i64,
    /// The top of the GPA scale (4.0, 5.0 or 100).
    pub gpa_max: f64,
}

impl Default for ScoringRule {
    fn default() -> Self {
        ScoringRule {
            gpa_weight: 50,
            language_weight: 20,
            interview_weight: 30,
            gpa_max: 4.0,
        }
    }
}

/// What a student states when applying, which the rules and the score read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApplicantFacts {
    #[serde(default)]
    pub gpa: Option<f64>,
    #[serde(default)]
    pub language_level: Option<CefrLevel>,
    #[serde(default)]
    pub certificate: Option<String>,
    #[serde(default)]
    pub year_of_study: Option<i64>,
    #[serde(default)]
    pub major: Option<String>,
}

/// One eligibility rule an application does not meet, with what the call asks and what the
/// student gave (`None`: not given). `message_key` names its sentence in the catalogues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum FailedRule {
    MinGpa {
        required: f64,
        actual: Option<f64>,
    },
    LanguageLevel {
        required: CefrLevel,
        actual: Option<CefrLevel>,
    },
    Certificate {
        accepted: Vec<String>,
        actual: Option<String>,
    },
    YearOfStudy {
        allowed: Vec<i64>,
        actual: Option<i64>,
    },
    Major {
        allowed: Vec<String>,
        actual: Option<String>,
    },
}

impl FailedRule {
    pub fn message_key(&self) -> &'static str {
        match self {
            FailedRule::MinGpa { .. } => "exchange-rule-min-gpa",
            FailedRule::LanguageLevel { .. } => "exchange-rule-language-level",
            FailedRule::Certificate { .. } => "exchange-rule-certificate",
            FailedRule::YearOfStudy { .. } => "exchange-rule-year-of-study",
            FailedRule::Major { .. } => "exchange-rule-major",
        }
    }

    /// The values the message shows: `(required, actual)` as text (`actual` empty: not given).
    pub fn values(&self) -> (String, String) {
        fn opt<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map(|v| v.to_string()).unwrap_or_default()
        }
        match self {
            FailedRule::MinGpa { required, actual } => (
                format!("{required:.2}"),
                actual.map(|a| format!("{a:.2}")).unwrap_or_default(),
            ),
            FailedRule::LanguageLevel { required, actual } => (required.to_string(), opt(actual)),
            FailedRule::Certificate { accepted, actual } => (accepted.join(", "), opt(actual)),
            FailedRule::YearOfStudy { allowed, actual } => (
                allowed
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                opt(actual),
            ),
            FailedRule::Major { allowed, actual } => (allowed.join(", "), opt(actual)),
        }
    }
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Trims each entry, drops empty ones, refuses repeats (case-insensitive) and long entries.
fn clean_list(list: &mut Vec<String>, field: &str, errors: &mut FieldErrors) {
    let raw = std::mem::take(list);
    for v in raw {
        let v = v.trim().to_string();
        if v.is_empty() {
            continue;
        }
        if v.chars().count() > RULE_TEXT_MAX {
            errors.push_limit(field, "too-long", RULE_TEXT_MAX);
        }
        if list.iter().any(|w| same_text(w, &v)) {
            errors.push(field, "duplicate");
            continue;
        }
        list.push(v);
    }
    if list.len() > RULE_LIST_MAX {
        errors.push_limit(field, "too-many", RULE_LIST_MAX);
    }
}

/// GPA in hundredths, for exact comparisons.
fn centi(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

impl EligibilityRules {
    fn validate(&mut self, gpa_max: f64, errors: &mut FieldErrors) {
        if let Some(g) = self.min_gpa {
            if !g.is_finite() || g < 0.0 || g > gpa_max {
                errors.push("rules.min_gpa", "gpa-range");
            } else {
                self.min_gpa = Some(centi(g) as f64 / 100.0);
            }
        }
        clean_list(&mut self.certificates, "rules.certificates", errors);
        clean_list(&mut self.majors, "rules.majors", errors);
        self.years_of_study.sort_unstable();
        self.years_of_study.dedup();
        if self
            .years_of_study
            .iter()
            .any(|y| !(1..=YEAR_OF_STUDY_MAX).contains(y))
        {
            errors.push("rules.years_of_study", "year-of-study-range");
        }
    }

    /// Every rule the facts do not meet, in the order the rules are listed; empty: eligible.
    pub fn check(&self, facts: &ApplicantFacts) -> Vec<FailedRule> {
        let mut failed = Vec::new();
        if let Some(required) = self.min_gpa {
            if facts.gpa.is_none_or(|g| centi(g) < centi(required)) {
                failed.push(FailedRule::MinGpa {
                    required,
                    actual: facts.gpa,
                });
            }
        }
        if let Some(required) = self.min_language_level {
            if facts.language_level.is_none_or(|l| l < required) {
                failed.push(FailedRule::LanguageLevel {
                    required,
                    actual: facts.language_level,
                });
            }
            if !self.certificates.is_empty()
                && !facts
                    .certificate
                    .as_deref()
                    .is_some_and(|c| self.certificates.iter().any(|a| same_text(a, c)))
            {
                failed.push(FailedRule::Certificate {
                    accepted: self.certificates.clone(),
                    actual: facts.certificate.clone(),
                });
            }
        }
        if !self.years_of_study.is_empty()
            && !facts
                .year_of_study
                .is_some_and(|y| self.years_of_study.contains(&y))
        {
            failed.push(FailedRule::YearOfStudy {
                allowed: self.years_of_study.clone(),
                actual: facts.year_of_study,
            });
        }
        if !self.majors.is_empty()
            && !facts
                .major
                .as_deref()
                .is_some_and(|m| self.majors.iter().any(|a| same_text(a, m)))
        {
            failed.push(FailedRule::Major {
                allowed: self.majors.clone(),
                actual: facts.major.clone(),
            });
        }
        failed
    }
}

/// Points (in hundredths, 0–10000) of a CEFR level: A1 1/6 of the scale … C2 all of it.
pub fn language_points(level: Option<CefrLevel>) -> i64 {
    let rank = level
        .and_then(|l| CefrLevel::ALL.iter().position(|c| *c == l))
        .map_or(0, |p| p as i64 + 1);
    (rank * 10_000 + 3) / 6
}

impl ScoringRule {
    fn validate(&mut self, errors: &mut FieldErrors) {
        for (field, w) in [
            ("scoring.gpa_weight", self.gpa_weight),
            ("scoring.language_weight", self.language_weight),
            ("scoring.interview_weight", self.interview_weight),
        ] {
            if !(0..=100).contains(&w) {
                errors.push(field, "weight-range");
            }
        }
        if self.gpa_weight + self.language_weight + self.interview_weight != 100 {
            errors.push("scoring", "weights-sum");
        }
        if !self.gpa_max.is_finite() || self.gpa_max <= 0.0 || self.gpa_max > 100.0 {
            errors.push("scoring.gpa_max", "gpa-range");
        }
    }

    /// The total score in hundredths of a point (0–10000):
    /// `(gpa_weight × GPA/gpa_max + language_weight × level/6 + interview_weight × interview/100)`
    /// with each part on 0–100; a missing GPA, level or interview counts 0. Rounded half up.
    pub fn score(&self, facts: &ApplicantFacts, interview: Option<i64>) -> i64 {
        let gpa = facts
            .gpa
            .map_or(0, |g| (g / self.gpa_max * 10_000.0).round() as i64)
            .clamp(0, 10_000);
        let language = language_points(facts.language_level);
        let interview = interview.unwrap_or(0).clamp(0, SCORE_MAX) * 100;
        let weighted = self.gpa_weight * gpa
            + self.language_weight * language
            + self.interview_weight * interview;
        (weighted + 50) / 100
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallDraft {
    pub title: LocalizedText,
    /// What the call offers and asks, shown to students.
    #[serde(default)]
    pub description: LocalizedText,
    /// `2025/2026`.
    pub academic_year: String,
    /// From when students may apply (none: at once).
    #[serde(with = "iso_date::option", default)]
    pub opens_on: Option<time::Date>,
    /// The last day students may apply or change their application.
    #[serde(with = "iso_date::option", default)]
    pub deadline: Option<time::Date>,
    /// How many ranked choices an application may hold.
    pub max_choices: i64,
    pub places: Vec<CallPlace>,
    #[serde(default)]
    pub rules: EligibilityRules,
    #[serde(default)]
    pub scoring: ScoringRule,
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

/// Whether students may apply or change an application on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallWindow {
    NotYetOpen,
    Open,
    Closed,
}

impl CallDraft {
    pub fn validate(mut self) -> Result<CallDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        self.description = self.description.normalized();
        self.description
            .check("description", DESCRIPTION_MAX, &mut errors);
        self.academic_year = self.academic_year.trim().to_string();
        if parse_academic_year(&self.academic_year).is_none() {
            errors.push("academic_year", "invalid-academic-year");
        }
        if let (Some(o), Some(d)) = (self.opens_on, self.deadline) {
            if d < o {
                errors.push("deadline", "end-before-start");
            }
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
        self.scoring.validate(&mut errors);
        let gpa_max = self.scoring.gpa_max;
        self.rules.validate(gpa_max, &mut errors);
        errors.into_result(self)
    }

    pub fn offers(&self, condition_id: Id) -> bool {
        self.places.iter().any(|p| p.condition_id == condition_id)
    }

    pub fn places_of(&self, condition_id: Id) -> i64 {
        self.places
            .iter()
            .find(|p| p.condition_id == condition_id)
            .map_or(0, |p| p.places)
    }

    /// Open from `opens_on` through `deadline`, both days included.
    pub fn window(&self, today: time::Date) -> CallWindow {
        if self.opens_on.is_some_and(|o| today < o) {
            CallWindow::NotYetOpen
        } else if self.deadline.is_some_and(|d| today > d) {
            CallWindow::Closed
        } else {
            CallWindow::Open
        }
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
    /// What the student states (GPA, language level and certificate, year of study, major).
    #[serde(flatten)]
    pub facts: ApplicantFacts,
    /// The interview score (0–100) staff enter.
    #[serde(default)]
    pub interview_score: Option<i64>,
    /// The total score from the call's scoring rule, in hundredths (JSON: a number with two
    /// decimals, 0–100). Computed, never entered.
    #[serde(with = "centi_score", default)]
    pub score: Option<i64>,
    pub status: ApplicationStatus,
    /// A reason staff give when they mark an application ineligible by hand.
    pub ineligible_reason: Option<String>,
}

/// Hundredths stored as integers, shown as numbers with two decimals.
mod centi_score {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_f64(*v as f64 / 100.0),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.map(|v| (v * 100.0).round() as i64))
    }
}

/// `87.25` from hundredths.
pub fn format_score(centi: i64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
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
    /// The rules of the call this application does not meet (empty: eligible by the rules).
    #[serde(default)]
    pub failed_rules: Vec<FailedRule>,
    /// The place (condition id) the last published allocation gave, if any.
    #[serde(with = "crate::id_as_string::option", default)]
    pub allocated_condition_id: Option<Id>,
    /// Why the student did not get each place they preferred to the one they got (published).
    pub explanation: Vec<ExplanationLine>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub const CERTIFICATE_MAX: usize = 100;
pub const MAJOR_MAX: usize = 200;

impl ApplicationDraft {
    /// Checks the fields against the call: choices among its places, none twice, at most its
    /// maximum; the facts in range; the interview score 0–100; an application marked ineligible
    /// by hand names its reason.
    pub fn validate(mut self, call: &CallDraft) -> Result<ApplicationDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.choices.is_empty() && self.status != ApplicationStatus::Draft {
            errors.push("choices", "required");
        }
        if self.choices.len() as i64 > call.max_choices {
            errors.push_limit("choices", "too-many", call.max_choices as usize);
        }
        for (i, c) in self.choices.iter().enumerate() {
            if self.choices[..i].contains(c) {
                errors.push(format!("choices.{i}"), "duplicate");
            } else if !call.offers(*c) {
                errors.push(format!("choices.{i}"), "not-in-call");
            }
        }
        if let Some(g) = self.facts.gpa {
            if !g.is_finite() || g < 0.0 || g > call.scoring.gpa_max {
                errors.push("gpa", "gpa-range");
            } else {
                self.facts.gpa = Some(centi(g) as f64 / 100.0);
            }
        }
        if self
            .facts
            .year_of_study
            .is_some_and(|y| !(1..=YEAR_OF_STUDY_MAX).contains(&y))
        {
            errors.push("year_of_study", "year-of-study-range");
        }
        self.facts.certificate = crate::validation::clean(self.facts.certificate.as_deref());
        if let Some(c) = &self.facts.certificate {
            crate::validation::check_len("certificate", c, CERTIFICATE_MAX, &mut errors);
        }
        self.facts.major = crate::validation::clean(self.facts.major.as_deref());
        if let Some(m) = &self.facts.major {
            crate::validation::check_len("major", m, MAJOR_MAX, &mut errors);
        }
        if self
            .interview_score
            .is_some_and(|s| !(0..=SCORE_MAX).contains(&s))
        {
            errors.push("interview_score", "score-range");
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
            errors.push_limit("ineligible_reason", "too-long", REASON_MAX);
        }
        if self.status == ApplicationStatus::Ineligible
            && self.ineligible_reason.is_none()
            && call.rules.check(&self.facts).is_empty()
        {
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

/// The automatic review of a (validated) application: the rules it fails and its score. A
/// submitted application becomes eligible when it fails no rule, ineligible otherwise; other
/// statuses (a staff decision, an allocation) stay.
pub fn assess(
    call: &CallDraft,
    mut draft: ApplicationDraft,
) -> (ApplicationDraft, Vec<FailedRule>) {
    let failed = call.rules.check(&draft.facts);
    draft.score = Some(call.scoring.score(&draft.facts, draft.interview_score));
    if draft.status == ApplicationStatus::Submitted {
        draft.status = if failed.is_empty() {
            ApplicationStatus::Eligible
        } else {
            ApplicationStatus::Ineligible
        };
    }
    (draft, failed)
}

/// What the ranking compares, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankKey {
    pub id: Id,
    /// Total score in hundredths; missing counts 0.
    pub score: i64,
    pub interview: i64,
    /// GPA as a share of the scale, in hundredths of a percent.
    pub gpa: i64,
    pub language: i64,
}

impl RankKey {
    pub fn of(a: &ApplicationDraft, id: Id, scoring: &ScoringRule) -> RankKey {
        RankKey {
            id,
            score: a.score.unwrap_or(0),
            interview: a.interview_score.unwrap_or(0),
            gpa: a
                .facts
                .gpa
                .map_or(0, |g| (g / scoring.gpa_max * 10_000.0).round() as i64),
            language: language_points(a.facts.language_level),
        }
    }
}

/// The order in which every place ranks the eligible applicants: higher total score first; a
/// tie goes to the higher interview score, then the higher GPA, then the higher language level,
/// and last to the earlier application (lower id). Deterministic: the same applications always
/// give the same order, whatever order they come in.
pub fn ranking(keys: &[RankKey]) -> Vec<Id> {
    let mut v = keys.to_vec();
    v.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.interview.cmp(&a.interview))
            .then(b.gpa.cmp(&a.gpa))
            .then(b.language.cmp(&a.language))
            .then(a.id.cmp(&b.id))
    });
    v.into_iter().map(|k| k.id).collect()
}

/// An allocation run's frozen input and result, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunData {
    /// The engine's input (C4 shape: students `a<application id>`, programs `c<condition id>`).
    pub input: Value,
    /// The round, the call version it started from, the scoring rule, each place's capacity
    /// and each taking-part application's id, version, score and choices.
    pub frozen: Value,
    /// `assignment` (application → condition or null), `cutoffs` (condition → rank of the last
    /// student admitted, or null), `cutoff_scores` (the total score at that rank) and
    /// `explanations` (application → lines).
    pub result: Value,
}

fn student_key(id: Id) -> String {
    format!("a{id}")
}

fn program_key(id: Id) -> String {
    format!("c{id}")
}

/// Runs the allocation over `apps` (those taking part) and each place's capacity: the
/// applicants propose along their choices (student-proposing deferred acceptance) and every
/// place ranks them by [`ranking`]. Deterministic: the same input gives the same output. An
/// error names input the engine refuses.
pub fn allocation_run(
    apps: &[Application],
    capacities: &[(Id, i64)],
    scoring: &ScoringRule,
    round: i64,
    call_version: i64,
) -> Result<RunData, String> {
    let keys: Vec<RankKey> = apps
        .iter()
        .map(|a| RankKey::of(&a.draft, a.id, scoring))
        .collect();
    let order = ranking(&keys);
    let score_of = |id: Id| {
        apps.iter()
            .find(|a| a.id == id)
            .and_then(|a| a.draft.score)
            .unwrap_or(0)
    };
    let students: Vec<Value> = apps
        .iter()
        .map(|a| {
            json!({"id": student_key(a.id),
                   "prefs": a.draft.choices.iter().map(|c| program_key(*c)).collect::<Vec<_>>()})
        })
        .collect();
    let ranking_keys: Vec<String> = order.iter().map(|id| student_key(*id)).collect();
    let programs: Vec<Value> = capacities
        .iter()
        .map(|(c, cap)| json!({"id": program_key(*c), "capacity": cap, "ranking": ranking_keys}))
        .collect();
    let input = json!({"students": students, "programs": programs});
    let frozen = json!({
        "round": round,
        "call_version": call_version,
        "scoring": scoring,
        "capacities": capacities.iter().map(|(c, n)| (c.to_string(), json!(n))).collect::<Map<_, _>>(),
        "applications": apps.iter().map(|a| json!({
            "id": a.id.to_string(), "version": a.version, "person_id": a.draft.person_id.to_string(),
            "score": a.draft.score, "interview_score": a.draft.interview_score,
            "choices": a.draft.choices.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });

    let mut builder = InputBuilder::new();
    let eid = |s: String| EngineId::new(Cow::Owned(s));
    for a in apps {
        let prefs: Vec<EngineId> = a
            .draft
            .choices
            .iter()
            .map(|c| eid(program_key(*c)))
            .collect();
        builder.add_student(eid(student_key(a.id)), &prefs);
    }
    let ranked: Vec<EngineId> = ranking_keys.iter().map(|k| eid(k.clone())).collect();
    for (c, cap) in capacities {
        builder.add_program(eid(program_key(*c)), *cap, &ranked);
    }
    let problem = builder.finish().map_err(|e| format!("{e:?}"))?;
    let alloc = allocate(&problem.instance);
    let program_id = |p: u32| -> Id {
        problem.program_ids[p as usize][1..]
            .parse()
            .expect("program keys are c<id>")
    };
    let mut assignment = Map::new();
    let mut explanations = Map::new();
    for (s, key) in problem.student_ids.iter().enumerate() {
        let got = alloc.assignment(s).map(program_id);
        assignment.insert(
            key.to_string(),
            got.map_or(Value::Null, |c| Value::String(c.to_string())),
        );
        let lines: Vec<ExplanationLine> = alloc
            .explain(&problem.instance, s)
            .map(|e| {
                let (reason, cutoff, your_rank) = match e.reason {
                    Reason::NotRanked => ("not_ranked", None, None),
                    Reason::NoPlaces => ("no_places", None, None),
                    Reason::Full { cutoff, rank } => ("full", Some(cutoff), Some(rank)),
                };
                ExplanationLine {
                    condition_id: program_id(e.program),
                    reason: reason.into(),
                    cutoff,
                    your_rank,
                }
            })
            .collect();
        explanations.insert(key.to_string(), json!(lines));
    }
    let mut cutoffs = Map::new();
    let mut cutoff_scores = Map::new();
    for p in 0..problem.program_ids.len() {
        let c = program_id(p as u32).to_string();
        let cutoff = alloc.cutoff(p);
        cutoffs.insert(c.clone(), cutoff.map_or(Value::Null, |c| json!(c)));
        // The score of the last student admitted (the ranking is the same for every place).
        let score = cutoff
            .and_then(|r| order.get(r as usize - 1))
            .map(|id| score_of(*id) as f64 / 100.0);
        cutoff_scores.insert(c, score.map_or(Value::Null, |s| json!(s)));
    }
    let result = json!({"assignment": assignment, "cutoffs": cutoffs,
        "cutoff_scores": cutoff_scores, "explanations": explanations});
    Ok(RunData {
        input,
        frozen,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;

    fn call() -> CallDraft {
        CallDraft {
            title: LocalizedText::bilingual("Exchange 2025/26", "2025/26 交换项目"),
            description: LocalizedText::default(),
            academic_year: "2025/2026".into(),
            opens_on: None,
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
            rules: EligibilityRules::default(),
            scoring: ScoringRule::default(),
        }
    }

    fn app(choices: Vec<Id>) -> ApplicationDraft {
        ApplicationDraft {
            call_id: 1,
            person_id: 1,
            choices,
            facts: ApplicantFacts::default(),
            interview_score: Some(80),
            score: None,
            status: Submitted,
            ineligible_reason: None,
        }
    }

    fn facts(gpa: f64, level: CefrLevel, cert: &str, year: i64, major: &str) -> ApplicantFacts {
        ApplicantFacts {
            gpa: Some(gpa),
            language_level: Some(level),
            certificate: Some(cert.into()),
            year_of_study: Some(year),
            major: Some(major.into()),
        }
    }

    fn rules() -> EligibilityRules {
        EligibilityRules {
            min_gpa: Some(3.0),
            min_language_level: Some(CefrLevel::B2),
            certificates: vec!["IELTS".into(), "TOEFL".into()],
            years_of_study: vec![2, 3],
            majors: vec!["Computer Science".into(), "Civil Engineering".into()],
        }
    }

    #[test]
    fn status_machine() {
        assert!(Draft.may_become(Submitted));
        assert!(Submitted.may_become(Eligible));
        assert!(Eligible.may_become(Allocated));
        assert!(Eligible.may_become(Submitted));
        assert!(Allocated.may_become(Nominated));
        assert!(Nominated.may_become(Rejected));
        assert!(!Draft.may_become(Allocated));
        assert!(!Withdrawn.may_become(Submitted));
        assert!(!Allocated.may_become(Submitted));
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
    fn hand_marked_ineligible_needs_a_reason_and_interview_scores_are_bounded() {
        let mut a = app(vec![1]);
        a.status = Ineligible;
        assert_eq!(
            a.validate(&call()).unwrap_err().0[0].field,
            "ineligible_reason"
        );
        // A failed rule is reason enough.
        let mut c = call();
        c.rules.min_gpa = Some(3.0);
        let mut a = app(vec![1]);
        a.status = Ineligible;
        assert!(a.validate(&c).is_ok());
        for bad in [-1, 101] {
            let mut a = app(vec![1]);
            a.interview_score = Some(bad);
            let e = a.validate(&call()).unwrap_err();
            assert_eq!(
                (e.0[0].field.as_str(), e.0[0].code),
                ("interview_score", "score-range")
            );
        }
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
    fn every_failed_rule_is_named() {
        let r = rules();
        assert!(r
            .check(&facts(3.0, CefrLevel::B2, "ielts ", 2, "computer science"))
            .is_empty());
        let failed = r.check(&facts(2.99, CefrLevel::B1, "CET-6", 1, "History"));
        let keys: Vec<&str> = failed.iter().map(|f| f.message_key()).collect();
        assert_eq!(
            keys,
            [
                "exchange-rule-min-gpa",
                "exchange-rule-language-level",
                "exchange-rule-certificate",
                "exchange-rule-year-of-study",
                "exchange-rule-major"
            ]
        );
        assert_eq!(failed[0].values(), ("3.00".into(), "2.99".into()));
        assert_eq!(failed[2].values(), ("IELTS, TOEFL".into(), "CET-6".into()));
        // Facts not given fail the rules that need them.
        let none = r.check(&ApplicantFacts::default());
        assert_eq!(none.len(), 5);
        assert_eq!(none[3].values(), ("2, 3".into(), String::new()));
        // No rules: everyone is eligible.
        assert!(EligibilityRules::default()
            .check(&ApplicantFacts::default())
            .is_empty());
        let json = serde_json::to_value(&failed[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"rule": "language_level", "required": "B2", "actual": "B1"})
        );
    }

    #[test]
    fn scores_are_weighted_parts_in_hundredths() {
        let s = ScoringRule::default(); // 50 GPA (of 4.0), 20 language, 30 interview
        let f = facts(3.6, CefrLevel::C1, "IELTS", 2, "x");
        // 50 × 90 % + 20 × 5/6 + 30 × 85 % = 45 + 16.67 + 25.5 = 87.17
        assert_eq!(s.score(&f, Some(85)), 8717);
        assert_eq!(format_score(8717), "87.17");
        assert_eq!(s.score(&f, None), 6167);
        assert_eq!(s.score(&ApplicantFacts::default(), None), 0);
        let all = facts(4.0, CefrLevel::C2, "", 1, "");
        assert_eq!(s.score(&all, Some(100)), 10_000);
        let interview_only = ScoringRule {
            gpa_weight: 0,
            language_weight: 0,
            interview_weight: 100,
            gpa_max: 4.0,
        };
        assert_eq!(interview_only.score(&f, Some(73)), 7300);
    }

    #[test]
    fn assess_decides_submitted_applications_only() {
        let mut c = call();
        c.rules = rules();
        let mut a = app(vec![1]);
        a.facts = facts(3.5, CefrLevel::C1, "TOEFL", 3, "Civil Engineering");
        let (ok, failed) = assess(&c, a.clone());
        assert_eq!(ok.status, Eligible);
        assert!(failed.is_empty());
        assert!(ok.score.is_some());
        a.facts.gpa = Some(2.5);
        let (bad, failed) = assess(&c, a.clone());
        assert_eq!(bad.status, Ineligible);
        assert_eq!(failed.len(), 1);
        // Staff kept it eligible by hand: the rules are listed, the decision stays.
        a.status = Eligible;
        let (kept, failed) = assess(&c, a);
        assert_eq!((kept.status, failed.len()), (Eligible, 1));
    }

    #[test]
    fn ranking_breaks_ties_by_interview_gpa_language_then_earlier_application() {
        let k = |id, score, interview, gpa, language| RankKey {
            id,
            score,
            interview,
            gpa,
            language,
        };
        let keys = [
            k(5, 7000, 60, 8000, 5000),
            k(3, 9000, 10, 1000, 1000),
            k(4, 7000, 70, 7000, 5000),
            k(9, 0, 0, 0, 0),
            k(6, 7000, 60, 8000, 6667),
            k(2, 7000, 60, 8000, 5000),
        ];
        assert_eq!(ranking(&keys), vec![3, 4, 6, 2, 5, 9]);
        let mut reversed = keys;
        reversed.reverse();
        assert_eq!(ranking(&reversed), ranking(&keys));
    }

    #[test]
    fn calls_refuse_a_place_twice_and_bad_rules() {
        let mut c = call();
        c.places[1].condition_id = 1;
        assert_eq!(
            c.validate().unwrap_err().0[0].field,
            "places.1.condition_id"
        );
        let mut c = call();
        c.scoring.interview_weight = 40;
        let e = c.validate().unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code),
            ("scoring", "weights-sum")
        );
        let mut c = call();
        c.rules.min_gpa = Some(4.5);
        c.rules.years_of_study = vec![0];
        c.rules.certificates = vec!["IELTS".into(), " ielts".into(), "  ".into()];
        let e = c.validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rules.min_gpa",
                "rules.certificates",
                "rules.years_of_study"
            ]
        );
        let mut c = call();
        c.rules.certificates = vec![" IELTS ".into(), "".into()];
        assert_eq!(c.validate().unwrap().rules.certificates, ["IELTS"]);
    }

    #[test]
    fn the_window_is_open_from_opening_through_deadline() {
        let d = |s| iso_date::parse(s).unwrap();
        let mut c = call();
        c.opens_on = Some(d("2025-02-01"));
        c.deadline = Some(d("2025-03-31"));
        assert_eq!(c.window(d("2025-01-31")), CallWindow::NotYetOpen);
        assert_eq!(c.window(d("2025-02-01")), CallWindow::Open);
        assert_eq!(c.window(d("2025-03-31")), CallWindow::Open);
        assert_eq!(c.window(d("2025-04-01")), CallWindow::Closed);
        c.deadline = Some(d("2025-01-01"));
        assert_eq!(c.validate().unwrap_err().0[0].field, "deadline");
    }
}
