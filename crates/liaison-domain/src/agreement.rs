//! Agreements with partners: kinds, the status lifecycle (a state machine), parties,
//! signatories, subject areas (ISCED-F 2013), dates, and cooperation conditions (the quotas).
//!
//! The shape follows the EWP IIA: each party is an institution (its `hei_id` lives on the
//! institution) with an optional org unit (`ounit_id`), and each condition names a mobility type,
//! sending and receiving parties, academic years, places and months/days, study level, subject
//! areas and a language requirement.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::isced::IscedCode;
use crate::text::LocalizedText;
use crate::validation::{check_len, clean, is_code, is_language_code, FieldErrors};
use crate::Id;

string_enum!(
    /// What an agreement is about (C6 wire names).
    AgreementKind, "agreement-kind" {
        Mou => "mou",
        StudentExchange => "student_exchange",
        StaffExchange => "staff_exchange",
        JointDegree => "joint_degree",
        Progression => "progression",
        InternshipBase => "internship_base",
        Research => "research",
        EnterpriseProgramme => "enterprise_programme",
    }
);

string_enum!(
    /// Where an agreement is in its life; changes go through [`transition`].
    AgreementStatus, "agreement-status" {
        Draft => "draft",
        Negotiating => "negotiating",
        Approved => "approved",
        Signed => "signed",
        Active => "active",
        Expiring => "expiring",
        Expired => "expired",
        Terminated => "terminated",
        Renewed => "renewed",
    }
);

impl AgreementStatus {
    /// The states this one may change to. `renewed` is reached by renewing (which also creates
    /// the successor), `terminated` and `renewed` are final.
    pub fn next(self) -> &'static [AgreementStatus] {
        use AgreementStatus::*;
        match self {
            Draft => &[Negotiating, Terminated],
            Negotiating => &[Draft, Approved, Terminated],
            Approved => &[Negotiating, Signed, Terminated],
            Signed => &[Active, Terminated],
            Active => &[Expiring, Expired, Terminated, Renewed],
            Expiring => &[Active, Expired, Terminated, Renewed],
            Expired => &[Renewed],
            Terminated | Renewed => &[],
        }
    }

    /// Whether an agreement in this state may be renewed.
    pub fn renewable(self) -> bool {
        self.next().contains(&AgreementStatus::Renewed)
    }

    /// Whether the agreement is in force (counts for "expiring soon").
    pub fn in_force(self) -> bool {
        matches!(
            self,
            AgreementStatus::Signed | AgreementStatus::Active | AgreementStatus::Expiring
        )
    }
}

/// An illegal status change; the message names the allowed next states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub from: AgreementStatus,
    pub to: AgreementStatus,
    pub allowed: &'static [AgreementStatus],
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
pub fn transition(from: AgreementStatus, to: AgreementStatus) -> Result<(), TransitionError> {
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

pub const TITLE_MAX: usize = 300;
pub const SUMMARY_MAX: usize = 5000;
pub const PARTIES_MAX: usize = 50;
pub const LIST_MAX: usize = 50;
pub const NOTES_MAX: usize = 2000;

/// One party: an institution, optionally narrowed to one of its units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    #[serde(with = "crate::id_as_string")]
    pub institution_id: Id,
    #[serde(with = "crate::id_as_string::option", default)]
    pub org_unit_id: Option<Id>,
}

/// What a person submits to create or replace an agreement (the status is not part of it: it
/// changes through the state machine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementDraft {
    pub kind: AgreementKind,
    pub title: LocalizedText,
    pub summary: LocalizedText,
    pub parties: Vec<Party>,
    /// People who sign (ids of `people` records).
    #[serde(with = "ids_as_strings")]
    pub signatories: Vec<Id>,
    /// ISCED-F 2013 codes.
    pub subject_areas: Vec<String>,
    #[serde(with = "date_opt")]
    pub signed_on: Option<Date>,
    #[serde(with = "date_opt")]
    pub start_on: Option<Date>,
    #[serde(with = "date_opt")]
    pub end_on: Option<Date>,
    pub auto_renew: bool,
    /// The EWP IIA id once the agreement is exchanged over EWP.
    pub iia_id: Option<String>,
    /// The user who looks after the agreement (gets the expiry reminder).
    #[serde(with = "crate::id_as_string::option", default)]
    pub owner_user_id: Option<Id>,
}

/// A stored agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    pub status: AgreementStatus,
    #[serde(flatten)]
    pub draft: AgreementDraft,
    /// The agreement this one renews.
    #[serde(with = "crate::id_as_string::option", default)]
    pub previous_id: Option<Id>,
    pub reminded_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl AgreementDraft {
    /// The next version of this agreement: the same parties, signatories, subject areas and terms,
    /// not yet signed, starting the day after this one ends (or `today` when it has no end) and
    /// lasting as long as this one did.
    pub fn renewal(&self, today: Date) -> AgreementDraft {
        let mut d = self.clone();
        d.signed_on = None;
        let start = self.end_on.and_then(|e| e.next_day()).unwrap_or(today);
        d.end_on = match (self.start_on, self.end_on) {
            (Some(s), Some(e)) => start.checked_add(e - s),
            _ => None,
        };
        d.start_on = Some(start);
        d
    }

    /// Normalises (trims, drops duplicate signatories and subject areas) and checks every field.
    pub fn validate(mut self) -> Result<AgreementDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        self.summary = self.summary.normalized();
        self.iia_id = clean(self.iia_id.as_deref());
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        self.summary.check("summary", SUMMARY_MAX, &mut errors);

        if self.parties.len() < 2 {
            errors.push_limit("parties", "too-few", 2);
        } else if self.parties.len() > PARTIES_MAX {
            errors.push_limit("parties", "too-many", PARTIES_MAX);
        }
        for (i, p) in self.parties.iter().enumerate() {
            if self.parties[..i]
                .iter()
                .any(|q| q.institution_id == p.institution_id)
            {
                errors.push(format!("parties.{i}.institution_id"), "party-twice");
            }
        }

        let mut seen = Vec::new();
        self.signatories.retain(|id| {
            let new = !seen.contains(id);
            seen.push(*id);
            new
        });
        if self.signatories.len() > LIST_MAX {
            errors.push_limit("signatories", "too-many", LIST_MAX);
        }

        self.subject_areas = check_subjects("subject_areas", &self.subject_areas, &mut errors);

        if let (Some(start), Some(end)) = (self.start_on, self.end_on) {
            if end < start {
                errors.push("end_on", "end-before-start");
            }
        }
        if let Some(iia) = &self.iia_id {
            check_len("iia_id", iia, 64, &mut errors);
            if !is_code(iia) {
                errors.push("iia_id", "invalid-code");
            }
        }
        errors.into_result(self)
    }

    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.title.all().collect();
        parts.extend(self.iia_id.as_deref());
        crate::search::normalize(&parts.join("\u{1f}"))
    }

    pub fn institution_ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.parties.iter().map(|p| p.institution_id)
    }
}

/// Checks a list of ISCED codes (field `{field}.{i}`), returning them trimmed and deduplicated.
fn check_subjects(field: &str, codes: &[String], errors: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if codes.len() > LIST_MAX {
        errors.push_limit(field, "too-many", LIST_MAX);
    }
    for (i, code) in codes.iter().enumerate() {
        match IscedCode::parse(code) {
            Some(c) => {
                if !out.iter().any(|o| o == c.as_str()) {
                    out.push(c.as_str().to_string());
                }
            }
            None => errors.push(format!("{field}.{i}"), "invalid-isced"),
        }
    }
    out
}

string_enum!(
    /// The four EWP mobility types.
    MobilityType, "mobility-type" {
        StudentStudies => "student_studies",
        StudentTraineeship => "student_traineeship",
        StaffTeaching => "staff_teaching",
        StaffTraining => "staff_training",
    }
);

impl MobilityType {
    pub fn is_student(self) -> bool {
        matches!(
            self,
            MobilityType::StudentStudies | MobilityType::StudentTraineeship
        )
    }
}

string_enum!(
    /// Seen from our university, when the sending and receiving parties are not named.
    Direction, "direction" {
        Outgoing => "outgoing",
        Incoming => "incoming",
        Both => "both",
    }
);

string_enum!(
    /// Study level, with its EQF level.
    StudyLevel, "study-level" {
        ShortCycle => "short_cycle",
        Bachelor => "bachelor",
        Master => "master",
        Doctoral => "doctoral",
    }
);

impl StudyLevel {
    pub fn eqf(self) -> u8 {
        match self {
            StudyLevel::ShortCycle => 5,
            StudyLevel::Bachelor => 6,
            StudyLevel::Master => 7,
            StudyLevel::Doctoral => 8,
        }
    }

    /// Accepts the wire name or an EQF level (`6`, `eqf6`, `EQF 6`).
    pub fn parse_any(value: &str) -> Option<StudyLevel> {
        let v = value.trim().to_ascii_lowercase().replace(' ', "");
        if let Some(level) = StudyLevel::parse(&v) {
            return Some(level);
        }
        let digits = v.strip_prefix("eqf").unwrap_or(&v);
        StudyLevel::ALL
            .iter()
            .copied()
            .find(|l| digits == l.eqf().to_string())
    }
}

string_enum!(
    /// Common European Framework of Reference for Languages.
    CefrLevel, "cefr" {
        A1 => "A1",
        A2 => "A2",
        B1 => "B1",
        B2 => "B2",
        C1 => "C1",
        C2 => "C2",
    }
);

/// One quota of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionDraft {
    pub mobility_type: MobilityType,
    /// Used when the sending and receiving institutions are not given.
    pub direction: Option<Direction>,
    #[serde(with = "crate::id_as_string::option", default)]
    pub sending_institution_id: Option<Id>,
    #[serde(with = "crate::id_as_string::option", default)]
    pub receiving_institution_id: Option<Id>,
    /// Academic years such as `2024/2025`.
    pub first_year: Option<String>,
    pub last_year: Option<String>,
    pub places_per_year: i64,
    /// Students: months per place.
    pub months_per_place: Option<f64>,
    /// Staff: days per place.
    pub days_per_place: Option<i64>,
    pub study_level: Option<StudyLevel>,
    pub subject_areas: Vec<String>,
    /// ISO 639-1 code of the language of instruction required.
    pub language: Option<String>,
    pub language_level: Option<CefrLevel>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CooperationCondition {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(with = "crate::id_as_string")]
    pub agreement_id: Id,
    #[serde(flatten)]
    pub draft: ConditionDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Parses an academic year `2024/2025` (the second year must follow the first); returns the first.
pub fn parse_academic_year(value: &str) -> Option<i32> {
    let (a, b) = value.trim().split_once('/')?;
    if a.len() != 4 || b.len() != 4 {
        return None;
    }
    let a: i32 = a.parse().ok()?;
    let b: i32 = b.parse().ok()?;
    (b == a + 1 && (1900..=2200).contains(&a)).then_some(a)
}

pub const PLACES_MAX: i64 = 10_000;

impl ConditionDraft {
    pub fn validate(mut self) -> Result<ConditionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.first_year = clean(self.first_year.as_deref());
        self.last_year = clean(self.last_year.as_deref());
        self.language = clean(self.language.as_deref()).map(|l| l.to_lowercase());
        self.notes = clean(self.notes.as_deref());

        match (self.sending_institution_id, self.receiving_institution_id) {
            (Some(s), Some(r)) if s == r => errors.push("receiving_institution_id", "party-twice"),
            (Some(_), Some(_)) => {}
            (Some(_), None) => errors.push("receiving_institution_id", "required"),
            (None, Some(_)) => errors.push("sending_institution_id", "required"),
            (None, None) if self.direction.is_none() => errors.push("direction", "required"),
            (None, None) => {}
        }
        let mut years = [None, None];
        for (i, (field, value)) in [
            ("first_year", &self.first_year),
            ("last_year", &self.last_year),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = value {
                years[i] = parse_academic_year(v);
                if years[i].is_none() {
                    errors.push(field, "invalid-academic-year");
                }
            }
        }
        if let [Some(first), Some(last)] = years {
            if last < first {
                errors.push("last_year", "end-before-start");
            }
        }
        if !(0..=PLACES_MAX).contains(&self.places_per_year) {
            errors.push("places_per_year", "invalid-number");
        }
        if self.mobility_type.is_student() {
            if self.days_per_place.is_some() {
                errors.push("days_per_place", "not-for-students");
            }
            if let Some(m) = self.months_per_place {
                if !(m.is_finite() && m > 0.0 && m <= 60.0) {
                    errors.push("months_per_place", "invalid-number");
                }
            }
        } else {
            if self.months_per_place.is_some() {
                errors.push("months_per_place", "not-for-staff");
            }
            if let Some(d) = self.days_per_place {
                if !(1..=366).contains(&d) {
                    errors.push("days_per_place", "invalid-number");
                }
            }
        }
        self.subject_areas = check_subjects("subject_areas", &self.subject_areas, &mut errors);
        if let Some(l) = &self.language {
            if !is_language_code(l) {
                errors.push("language", "invalid-language");
            }
        }
        if self.language_level.is_some() && self.language.is_none() {
            errors.push("language", "required");
        }
        if let Some(n) = &self.notes {
            check_len("notes", n, NOTES_MAX, &mut errors);
        }
        errors.into_result(self)
    }
}

/// `YYYY-MM-DD` dates.
pub fn parse_date(value: &str) -> Option<Date> {
    Date::parse(
        value.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

pub fn format_date(date: Date) -> String {
    date.format(time::macros::format_description!("[year]-[month]-[day]"))
        .expect("dates format")
}

/// Optional `YYYY-MM-DD` dates in JSON.
pub mod date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => super::parse_date(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD")),
        }
    }
}

/// A list of ids as JSON strings.
pub mod ids_as_strings {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ids: &[i64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ids.iter().map(|i| i.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "crate::id_as_string")] i64);
        Ok(Vec::<Wrap>::deserialize(d)?
            .into_iter()
            .map(|w| w.0)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgreementStatus::*;

    #[test]
    fn every_legal_transition_is_allowed() {
        let legal = [
            (Draft, Negotiating),
            (Draft, Terminated),
            (Negotiating, Draft),
            (Negotiating, Approved),
            (Negotiating, Terminated),
            (Approved, Negotiating),
            (Approved, Signed),
            (Approved, Terminated),
            (Signed, Active),
            (Signed, Terminated),
            (Active, Expiring),
            (Active, Expired),
            (Active, Terminated),
            (Active, Renewed),
            (Expiring, Active),
            (Expiring, Expired),
            (Expiring, Terminated),
            (Expiring, Renewed),
            (Expired, Renewed),
        ];
        for (from, to) in legal {
            assert_eq!(transition(from, to), Ok(()), "{from} -> {to}");
        }
        // ... and nothing else is
        let mut count = 0;
        for from in AgreementStatus::ALL {
            for to in AgreementStatus::ALL {
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
        let e = transition(Draft, Active).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot change status from draft to active; allowed: negotiating, terminated"
        );
        assert_eq!(e.allowed, &[Negotiating, Terminated]);
        let e = transition(Terminated, Active).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot change status from terminated to active; terminated is final"
        );
        for (from, to) in [
            (Draft, Signed),
            (Signed, Draft),
            (Expired, Active),
            (Renewed, Active),
            (Active, Active),
            (Approved, Active),
        ] {
            assert!(transition(from, to).is_err(), "{from} -> {to}");
        }
        assert!(Expired.renewable() && !Draft.renewable());
    }

    pub(crate) fn draft() -> AgreementDraft {
        AgreementDraft {
            kind: AgreementKind::StudentExchange,
            title: LocalizedText::bilingual(
                " XJTU–KAZNU student exchange in international law ",
                "西安交通大学—哈萨克国立大学国际法学生交换协议",
            ),
            summary: LocalizedText::default(),
            parties: vec![
                Party {
                    institution_id: 1,
                    org_unit_id: Some(3),
                },
                Party {
                    institution_id: 2,
                    org_unit_id: None,
                },
            ],
            signatories: vec![5, 6, 5],
            subject_areas: vec![" 0421".into(), "0421".into()],
            signed_on: parse_date("2024-07-04"),
            start_on: parse_date("2024-09-01"),
            end_on: parse_date("2029-08-31"),
            auto_renew: false,
            iia_id: Some(" ".into()),
            owner_user_id: None,
        }
    }

    #[test]
    fn a_valid_draft_is_normalised() {
        let d = draft().validate().unwrap();
        assert_eq!(d.signatories, [5, 6]);
        assert_eq!(d.subject_areas, ["0421"]);
        assert_eq!(d.iia_id, None);
        assert!(d.title.en.as_deref().unwrap().starts_with("XJTU"));
        assert!(d.search_text().contains("international law"));
    }

    #[test]
    fn bad_drafts_name_their_fields() {
        let mut d = draft();
        d.title = LocalizedText::default();
        d.parties[1].institution_id = 1;
        d.subject_areas = vec!["0421".into(), "9876".into()];
        d.end_on = parse_date("2020-01-01");
        let e = d.validate().unwrap_err();
        let fields: Vec<(&str, &str)> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("title", "required"),
                ("parties.1.institution_id", "party-twice"),
                ("subject_areas.1", "invalid-isced"),
                ("end_on", "end-before-start"),
            ]
        );
        let mut d = draft();
        d.parties.truncate(1);
        assert_eq!(d.validate().unwrap_err().0[0].code, "too-few");
    }

    #[test]
    fn drafts_travel_as_c6_json() {
        let d = draft().validate().unwrap();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["signed_on"], "2024-07-04");
        assert_eq!(json["signatories"][0], "5");
        assert_eq!(json["parties"][0]["institution_id"], "1");
        let back: AgreementDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
    }

    fn condition() -> ConditionDraft {
        ConditionDraft {
            mobility_type: MobilityType::StudentStudies,
            direction: Some(Direction::Both),
            sending_institution_id: None,
            receiving_institution_id: None,
            first_year: Some("2024/2025".into()),
            last_year: Some("2028/2029".into()),
            places_per_year: 4,
            months_per_place: Some(5.0),
            days_per_place: None,
            study_level: Some(StudyLevel::Bachelor),
            subject_areas: vec!["0421".into()],
            language: Some("EN".into()),
            language_level: Some(CefrLevel::B2),
            notes: None,
        }
    }

    #[test]
    fn conditions_are_checked() {
        let c = condition().validate().unwrap();
        assert_eq!(c.language.as_deref(), Some("en"));

        let mut c = condition();
        c.direction = None;
        c.first_year = Some("2024/2026".into());
        c.last_year = Some("2023/2024".into());
        c.places_per_year = -1;
        c.days_per_place = Some(10);
        c.subject_areas = vec!["x".into()];
        let e = c.validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "direction",
                "first_year",
                "places_per_year",
                "days_per_place",
                "subject_areas.0"
            ]
        );

        let mut c = condition();
        c.mobility_type = MobilityType::StaffTeaching;
        c.direction = None;
        c.sending_institution_id = Some(1);
        c.receiving_institution_id = Some(1);
        let e = c.validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["receiving_institution_id", "months_per_place"]);
    }

    #[test]
    fn study_levels_and_years() {
        assert_eq!(StudyLevel::parse_any("EQF 7"), Some(StudyLevel::Master));
        assert_eq!(StudyLevel::parse_any("6"), Some(StudyLevel::Bachelor));
        assert_eq!(
            StudyLevel::parse_any("doctoral"),
            Some(StudyLevel::Doctoral)
        );
        assert_eq!(StudyLevel::parse_any("9"), None);
        assert_eq!(parse_academic_year("2024/2025"), Some(2024));
        assert_eq!(parse_academic_year("2024-2025"), None);
        assert_eq!(parse_academic_year("2024/2026"), None);
    }
}
