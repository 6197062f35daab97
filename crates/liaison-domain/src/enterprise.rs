//! University–enterprise cooperation (校企合作): positions (岗位) that enterprises offer, students'
//! skill profiles (技能档案) with their consent to be shown to enterprises, placements (实习安排)
//! from application to completion, and graduates' employment outcomes (就业去向).
//!
//! The talent-matching score lives in [`crate::matching`].

use serde::{Deserialize, Serialize};

use crate::event::iso_date;
use crate::text::LocalizedText;
use crate::validation::{check_len, has_control_characters, is_language_code, FieldErrors};
use crate::{CountryCode, Id, Role};

string_enum!(
    /// What an enterprise offers.
    PositionKind, "position-kind" {
        Internship => "internship",
        Job => "job",
        FieldTrip => "field_trip",
        PracticalTraining => "practical_training",
    }
);

string_enum!(
    /// Where a position stands. Staff vet a position (pending → open) before students see it.
    PositionStatus, "position-status" {
        Draft => "draft",
        Pending => "pending",
        Open => "open",
        Closed => "closed",
        Filled => "filled",
    }
);

impl PositionStatus {
    pub fn next(self) -> &'static [PositionStatus] {
        use PositionStatus::*;
        match self {
            Draft => &[Pending, Closed],
            Pending => &[Draft, Open, Closed],
            Open => &[Closed, Filled],
            Closed => &[Open, Draft],
            Filled => &[Open, Closed],
        }
    }

    pub fn may_become(self, to: PositionStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Opening a position (publishing it to students) is the vetting step, office staff only.
    pub fn needs_vetting(self, to: PositionStatus) -> bool {
        to == PositionStatus::Open && self != PositionStatus::Open
    }
}

string_enum!(
    /// The Common European Framework of Reference levels.
    Cefr, "cefr" {
        A1 => "A1",
        A2 => "A2",
        B1 => "B1",
        B2 => "B2",
        C1 => "C1",
        C2 => "C2",
    }
);

impl Cefr {
    /// 1 (A1) … 6 (C2).
    pub fn rank(self) -> u32 {
        Cefr::ALL.iter().position(|c| *c == self).unwrap_or(0) as u32 + 1
    }
}

/// Skill levels: 1 basic, 2 intermediate, 3 advanced, 4 expert.
pub const LEVEL_MAX: u8 = 4;

/// The shipped skills vocabulary: `(code, English, Chinese)`. Anything else is a free tag.
pub const SKILLS: &[(&str, &str, &str)] = &[
    ("python", "Python", "Python 编程"),
    ("java", "Java", "Java 编程"),
    ("cpp", "C/C++", "C/C++ 编程"),
    ("rust", "Rust", "Rust 编程"),
    ("javascript", "JavaScript", "JavaScript 编程"),
    ("sql", "SQL and databases", "SQL 与数据库"),
    ("linux", "Linux", "Linux 系统"),
    ("git", "Git", "Git 版本管理"),
    ("open_source", "Open-source collaboration", "开源协作"),
    ("machine_learning", "Machine learning", "机器学习"),
    ("deep_learning", "Deep learning", "深度学习"),
    ("nlp", "Natural language processing", "自然语言处理"),
    ("speech", "Speech technology", "语音技术"),
    ("computer_vision", "Computer vision", "计算机视觉"),
    ("data_annotation", "Data annotation", "数据标注"),
    ("data_analysis", "Data analysis", "数据分析"),
    ("statistics", "Statistics", "统计学"),
    ("cloud", "Cloud computing", "云计算"),
    ("embedded", "Embedded systems", "嵌入式系统"),
    ("testing", "Software testing", "软件测试"),
    ("ui_design", "UI design", "界面设计"),
    ("video_editing", "Video editing", "视频剪辑"),
    ("photography", "Photography", "摄影"),
    ("copywriting", "Copywriting", "文案写作"),
    ("new_media", "New media operations", "新媒体运营"),
    ("journalism", "News writing", "新闻写作"),
    ("translation", "Translation", "翻译"),
    ("interpreting", "Interpreting", "口译"),
    ("english", "English communication", "英语沟通"),
    ("public_speaking", "Public speaking", "公众演讲"),
    ("marketing", "Marketing", "市场营销"),
    ("project_management", "Project management", "项目管理"),
    ("teaching", "Teaching", "教学"),
    ("event_planning", "Event planning", "活动策划"),
    ("accounting", "Accounting", "会计"),
    ("cad", "CAD drawing", "CAD 制图"),
];

/// Majors students may hold: `(code, English, Chinese)`.
pub const MAJORS: &[(&str, &str, &str)] = &[
    ("computer_science", "Computer science", "计算机科学与技术"),
    ("software_engineering", "Software engineering", "软件工程"),
    ("data_science", "Data science", "数据科学与大数据技术"),
    (
        "artificial_intelligence",
        "Artificial intelligence",
        "人工智能",
    ),
    (
        "electronic_engineering",
        "Electronic engineering",
        "电子信息工程",
    ),
    ("journalism", "Journalism", "新闻学"),
    ("communication", "Communication studies", "传播学"),
    ("digital_media", "Digital media", "数字媒体艺术"),
    ("english", "English", "英语"),
    ("translation", "Translation and interpreting", "翻译"),
    ("business", "Business administration", "工商管理"),
    (
        "mechanical_engineering",
        "Mechanical engineering",
        "机械工程",
    ),
];

/// The English or Chinese name of a vocabulary skill, else the free tag itself.
pub fn skill_name(code: &str, chinese: bool) -> &str {
    SKILLS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, zh)| if chinese { *zh } else { *en })
        .unwrap_or(code)
}

pub fn major_name(code: &str, chinese: bool) -> &str {
    MAJORS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, zh)| if chinese { *zh } else { *en })
        .unwrap_or(code)
}

pub fn is_vocabulary_skill(code: &str) -> bool {
    SKILLS.iter().any(|(c, _, _)| *c == code)
}

pub fn is_major(code: &str) -> bool {
    MAJORS.iter().any(|(c, _, _)| *c == code)
}

/// A skill a position wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WantedSkill {
    pub skill: String,
    /// The level wanted, 1..=4.
    pub level: u8,
    /// Required (else preferred).
    #[serde(default = "yes")]
    pub required: bool,
    /// A free tag outside the shipped vocabulary, accepted on purpose.
    #[serde(default)]
    pub free_tag: bool,
}

/// A skill a student has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldSkill {
    pub skill: String,
    pub level: u8,
    #[serde(default)]
    pub free_tag: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageSkill {
    /// ISO 639-1 code.
    pub language: String,
    pub level: Cefr,
}

fn yes() -> bool {
    true
}

pub const TITLE_MAX: usize = 300;
pub const TEXT_MAX: usize = 5000;
pub const SKILLS_MAX: usize = 30;
pub const TAG_MAX: usize = 40;

/// Normalises and checks one skill code or tag; `field` is e.g. `skills.2`.
fn check_skill(skill: &mut String, level: u8, free_tag: bool, field: &str, e: &mut FieldErrors) {
    *skill = skill.trim().to_lowercase();
    if skill.is_empty() {
        e.push(format!("{field}.skill"), "required");
    } else if free_tag {
        if skill.chars().count() > TAG_MAX {
            e.push_limit(format!("{field}.skill"), "too-long", TAG_MAX);
        } else if has_control_characters(skill) {
            e.push(format!("{field}.skill"), "control-characters");
        }
    } else if !is_vocabulary_skill(skill) {
        e.push(format!("{field}.skill"), "unknown-skill");
    }
    if !(1..=LEVEL_MAX).contains(&level) {
        e.push(format!("{field}.level"), "invalid-level");
    }
}

fn check_duplicates<'a>(items: impl Iterator<Item = &'a str>, field: &str, e: &mut FieldErrors) {
    let mut seen: Vec<&str> = Vec::new();
    for (i, s) in items.enumerate() {
        if seen.contains(&s) {
            e.push(format!("{field}.{i}"), "duplicate");
        }
        seen.push(s);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionDraft {
    /// The enterprise (or foundation) offering it.
    #[serde(with = "crate::id_as_string")]
    pub institution_id: Id,
    pub kind: PositionKind,
    pub title: LocalizedText,
    #[serde(default)]
    pub description: LocalizedText,
    pub skills: Vec<WantedSkill>,
    /// Majors wanted (codes of [`MAJORS`]); empty: any.
    #[serde(default)]
    pub majors: Vec<String>,
    pub seats: i64,
    #[serde(with = "iso_date::option", default)]
    pub start_on: Option<time::Date>,
    #[serde(with = "iso_date::option", default)]
    pub end_on: Option<time::Date>,
    #[serde(with = "iso_date::option", default)]
    pub deadline: Option<time::Date>,
    #[serde(default)]
    pub city: LocalizedText,
    #[serde(default)]
    pub country: Option<CountryCode>,
    #[serde(default)]
    pub remote: bool,
    /// Working language (ISO 639-1) and the level wanted.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub language_level: Option<Cefr>,
    pub status: PositionStatus,
    /// Why staff sent it back or have not opened it yet, shown to the enterprise.
    #[serde(default)]
    pub vetting_note: LocalizedText,
    /// A field trip's event (the visit the group makes), set by the office.
    #[serde(with = "crate::id_as_string::option", default)]
    pub event_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: PositionDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl PositionDraft {
    pub fn validate(mut self) -> Result<PositionDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.normalized();
        self.description = self.description.normalized();
        self.city = self.city.normalized();
        self.vetting_note = self.vetting_note.normalized();
        if self.title.is_empty() {
            e.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut e);
        self.description.check("description", TEXT_MAX, &mut e);
        self.city.check("city", TITLE_MAX, &mut e);
        self.vetting_note.check("vetting_note", TEXT_MAX, &mut e);
        if self.skills.is_empty() {
            e.push("skills", "no-skills");
        } else if self.skills.len() > SKILLS_MAX {
            e.push_limit("skills", "too-many", SKILLS_MAX);
        }
        for (i, s) in self.skills.iter_mut().enumerate() {
            check_skill(
                &mut s.skill,
                s.level,
                s.free_tag,
                &format!("skills.{i}"),
                &mut e,
            );
        }
        check_duplicates(
            self.skills.iter().map(|s| s.skill.as_str()),
            "skills",
            &mut e,
        );
        for (i, m) in self.majors.iter_mut().enumerate() {
            *m = m.trim().to_lowercase();
            if !is_major(m) {
                e.push(format!("majors.{i}"), "invalid-choice");
            }
        }
        check_duplicates(self.majors.iter().map(String::as_str), "majors", &mut e);
        if !(1..=10_000).contains(&self.seats) {
            e.push("seats", "invalid-seats");
        }
        if let (Some(s), Some(end)) = (self.start_on, self.end_on) {
            if end < s {
                e.push("end_on", "end-before-start");
            }
        }
        self.language = self
            .language
            .take()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty());
        if let Some(l) = &self.language {
            if !is_language_code(l) {
                e.push("language", "invalid-language");
            }
        }
        if self.language_level.is_some() && self.language.is_none() {
            e.push("language", "required");
        }
        if self.event_id.is_some() && self.kind != PositionKind::FieldTrip {
            e.push("event_id", "event-only-for-field-trips");
        }
        e.into_result(self)
    }

    /// A change of an existing position: the fields, and a status move the machine allows.
    pub fn validate_change(self, before: &PositionDraft) -> Result<PositionDraft, FieldErrors> {
        let ok = before.status.may_become(self.status);
        let mut errors = match self.validate() {
            Ok(d) if ok => return Ok(d),
            Ok(_) => FieldErrors::default(),
            Err(e) => e,
        };
        if !ok {
            errors.push("status", "invalid-transition");
        }
        Err(errors)
    }

    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.title.all().collect();
        parts.extend(self.city.all());
        for s in &self.skills {
            parts.push(&s.skill);
            parts.push(skill_name(&s.skill, false));
            parts.push(skill_name(&s.skill, true));
        }
        crate::search::normalize(&parts.join("\u{1f}"))
    }

    /// Students see open positions only.
    pub fn visible_to_students(&self) -> bool {
        self.status == PositionStatus::Open
    }

    pub fn deadline_passed(&self, today: time::Date) -> bool {
        self.deadline.is_some_and(|d| d < today)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillProfileDraft {
    /// The student (a person record); one profile per person.
    #[serde(with = "crate::id_as_string")]
    pub person_id: Id,
    #[serde(default)]
    pub major: Option<String>,
    #[serde(default)]
    pub year_of_study: Option<i64>,
    #[serde(default)]
    pub skills: Vec<HeldSkill>,
    #[serde(default)]
    pub languages: Vec<LanguageSkill>,
    #[serde(default)]
    pub interests: LocalizedText,
    #[serde(with = "iso_date::option", default)]
    pub available_from: Option<time::Date>,
    /// Whether enterprises may see this profile (revocable at any time).
    #[serde(default)]
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillProfile {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: SkillProfileDraft,
    /// When consent was last given (kept while it holds, cleared when revoked).
    pub consent_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl SkillProfileDraft {
    pub fn validate(mut self) -> Result<SkillProfileDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.interests = self.interests.normalized();
        self.interests.check("interests", TEXT_MAX, &mut e);
        self.major = self
            .major
            .take()
            .map(|m| m.trim().to_lowercase())
            .filter(|m| !m.is_empty());
        if self.major.as_deref().is_some_and(|m| !is_major(m)) {
            e.push("major", "invalid-choice");
        }
        if self.year_of_study.is_some_and(|y| !(1..=8).contains(&y)) {
            e.push("year_of_study", "invalid-number");
        }
        if self.skills.len() > SKILLS_MAX {
            e.push_limit("skills", "too-many", SKILLS_MAX);
        }
        for (i, s) in self.skills.iter_mut().enumerate() {
            check_skill(
                &mut s.skill,
                s.level,
                s.free_tag,
                &format!("skills.{i}"),
                &mut e,
            );
        }
        check_duplicates(
            self.skills.iter().map(|s| s.skill.as_str()),
            "skills",
            &mut e,
        );
        if self.languages.len() > 10 {
            e.push_limit("languages", "too-many", 10);
        }
        for (i, l) in self.languages.iter_mut().enumerate() {
            l.language = l.language.trim().to_lowercase();
            if !is_language_code(&l.language) {
                e.push(format!("languages.{i}.language"), "invalid-language");
            }
        }
        check_duplicates(
            self.languages.iter().map(|l| l.language.as_str()),
            "languages",
            &mut e,
        );
        e.into_result(self)
    }

    pub fn level_of(&self, skill: &str) -> u8 {
        self.skills
            .iter()
            .find(|s| s.skill == skill)
            .map_or(0, |s| s.level)
    }
}

string_enum!(
    /// From application to the end of a placement.
    PlacementStatus, "placement-status" {
        Applied => "applied",
        Shortlisted => "shortlisted",
        Interviewed => "interviewed",
        Offered => "offered",
        Accepted => "accepted",
        Ongoing => "ongoing",
        Completed => "completed",
        Declined => "declined",
        Withdrawn => "withdrawn",
        Cancelled => "cancelled",
    }
);

/// Who moves a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Office,
    Enterprise,
    Student,
}

impl PlacementStatus {
    pub fn next(self) -> &'static [PlacementStatus] {
        use PlacementStatus::*;
        match self {
            Applied => &[Shortlisted, Declined, Withdrawn],
            Shortlisted => &[Interviewed, Offered, Declined, Withdrawn],
            Interviewed => &[Offered, Declined, Withdrawn],
            Offered => &[Accepted, Declined, Withdrawn],
            Accepted => &[Ongoing, Cancelled],
            Ongoing => &[Completed, Cancelled],
            Completed | Declined | Withdrawn | Cancelled => &[],
        }
    }

    pub fn may_become(self, to: PlacementStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Whether `who` may make this (allowed) move: students withdraw or answer an offer;
    /// enterprises take applications up to an offer or decline them; the office does anything.
    pub fn may_move(self, to: PlacementStatus, who: Mover) -> bool {
        use PlacementStatus::*;
        if self == to {
            return true;
        }
        if !self.may_become(to) {
            return false;
        }
        match who {
            Mover::Office => true,
            Mover::Student => {
                matches!(to, Withdrawn) || (self == Offered && matches!(to, Accepted | Declined))
            }
            Mover::Enterprise => {
                matches!(
                    to,
                    Shortlisted | Interviewed | Offered | Declined | Ongoing | Completed
                )
            }
        }
    }

    /// Still in the running or under way.
    pub fn is_active(self) -> bool {
        !matches!(
            self,
            PlacementStatus::Declined | PlacementStatus::Withdrawn | PlacementStatus::Cancelled
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementDraft {
    #[serde(with = "crate::id_as_string")]
    pub position_id: Id,
    /// The student.
    #[serde(with = "crate::id_as_string")]
    pub person_id: Id,
    pub status: PlacementStatus,
    #[serde(with = "iso_date::option", default)]
    pub start_on: Option<time::Date>,
    #[serde(with = "iso_date::option", default)]
    pub end_on: Option<time::Date>,
    #[serde(default)]
    pub enterprise_supervisor: Option<String>,
    #[serde(default)]
    pub university_supervisor: Option<String>,
    /// The evaluation at the end.
    #[serde(default)]
    pub evaluation: LocalizedText,
    /// A field trip is a group placement linked to an event.
    #[serde(with = "crate::id_as_string::option", default)]
    pub event_id: Option<Id>,
    #[serde(default)]
    pub note: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: PlacementDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl PlacementDraft {
    pub fn validate(mut self) -> Result<PlacementDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.evaluation = self.evaluation.normalized();
        self.note = self.note.normalized();
        self.evaluation.check("evaluation", TEXT_MAX, &mut e);
        self.note.check("note", TEXT_MAX, &mut e);
        for (field, value) in [
            ("enterprise_supervisor", &mut self.enterprise_supervisor),
            ("university_supervisor", &mut self.university_supervisor),
        ] {
            *value = crate::validation::clean(value.as_deref());
            if let Some(v) = value {
                check_len(field, v, TITLE_MAX, &mut e);
            }
        }
        if let (Some(s), Some(end)) = (self.start_on, self.end_on) {
            if end < s {
                e.push("end_on", "end-before-start");
            }
        }
        e.into_result(self)
    }

    /// A change by `who`: the fields, and a status move the machine allows for them.
    pub fn validate_change(
        self,
        before: &PlacementDraft,
        who: Mover,
    ) -> Result<PlacementDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.position_id != before.position_id {
            errors.push("position_id", "cannot-change");
        }
        if self.person_id != before.person_id {
            errors.push("person_id", "cannot-change");
        }
        if !before.status.may_become(self.status) {
            errors.push("status", "invalid-transition");
        } else if !before.status.may_move(self.status, who) {
            errors.push("status", "status-not-allowed");
        }
        match self.validate() {
            Ok(d) if errors.is_empty() => Ok(d),
            Ok(_) => Err(errors),
            Err(e) => {
                errors.0.extend(e.0);
                Err(errors)
            }
        }
    }
}

/// Why a student may not apply to a position (empty: they may). `already` is whether they have
/// an active application or placement for it.
pub fn application_errors(
    position: &PositionDraft,
    profile: Option<&SkillProfileDraft>,
    already: bool,
    today: time::Date,
) -> FieldErrors {
    let mut e = FieldErrors::default();
    if position.status != PositionStatus::Open {
        e.push("position_id", "position-not-open");
    } else if position.deadline_passed(today) {
        e.push("position_id", "deadline-passed");
    }
    if !profile.is_some_and(|p| p.consent) {
        e.push("consent", "consent-required");
    }
    if already {
        e.push("position_id", "already-applied");
    }
    e
}

/// Which of the enterprise's records a user reaches in this area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Admin, staff (and, read-only by the permission table, coordinators).
    Office,
    /// An enterprise contact: its own positions, consenting candidates.
    Enterprise(Id),
    /// A student account linked to a person: open positions, own profile and placements.
    Student(Id),
    /// A scoped role without its scope.
    Nobody,
}

impl Viewer {
    pub fn of(role: Role, institution_id: Option<Id>, person_id: Option<Id>) -> Viewer {
        match role {
            Role::Admin | Role::Staff | Role::Coordinator => Viewer::Office,
            Role::Enterprise => institution_id.map_or(Viewer::Nobody, Viewer::Enterprise),
            Role::Student => person_id.map_or(Viewer::Nobody, Viewer::Student),
            _ => Viewer::Nobody,
        }
    }

    pub fn may_read_position(&self, p: &PositionDraft) -> bool {
        match self {
            Viewer::Office => true,
            Viewer::Enterprise(own) => p.institution_id == *own,
            Viewer::Student(_) => p.visible_to_students(),
            Viewer::Nobody => false,
        }
    }

    pub fn may_edit_position(&self, p: &PositionDraft) -> bool {
        match self {
            Viewer::Office => true,
            Viewer::Enterprise(own) => p.institution_id == *own,
            _ => false,
        }
    }

    pub fn may_read_profile(&self, p: &SkillProfileDraft) -> bool {
        match self {
            Viewer::Office => true,
            Viewer::Enterprise(_) => p.consent,
            Viewer::Student(me) => p.person_id == *me,
            Viewer::Nobody => false,
        }
    }

    pub fn may_edit_profile(&self, p: &SkillProfileDraft) -> bool {
        match self {
            Viewer::Office => true,
            Viewer::Student(me) => p.person_id == *me,
            _ => false,
        }
    }

    pub fn mover(&self) -> Mover {
        match self {
            Viewer::Enterprise(_) => Mover::Enterprise,
            Viewer::Student(_) | Viewer::Nobody => Mover::Student,
            Viewer::Office => Mover::Office,
        }
    }
}

string_enum!(
    /// Where a graduate went.
    Destination, "destination" {
        Employed => "employed",
        SelfEmployed => "self_employed",
        FurtherStudyHome => "further_study_home",
        FurtherStudyAbroad => "further_study_abroad",
        Other => "other",
    }
);

string_enum!(
    /// The employer's sector.
    Sector, "sector" {
        It => "it",
        AiSpeech => "ai_speech",
        Media => "media",
        Education => "education",
        Manufacturing => "manufacturing",
        Finance => "finance",
        PublicSector => "public_sector",
        Other => "other",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmploymentOutcomeDraft {
    /// The graduate, if on record.
    #[serde(with = "crate::id_as_string::option", default)]
    pub person_id: Option<Id>,
    /// The graduation year.
    pub cohort: i64,
    pub destination: Destination,
    #[serde(default)]
    pub employer: LocalizedText,
    /// A partner enterprise, when the employer is one.
    #[serde(with = "crate::id_as_string::option", default)]
    pub employer_institution_id: Option<Id>,
    #[serde(default)]
    pub sector: Option<Sector>,
    #[serde(default)]
    pub city: LocalizedText,
    #[serde(default)]
    pub country: Option<CountryCode>,
    #[serde(default)]
    pub major: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentOutcome {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: EmploymentOutcomeDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl EmploymentOutcomeDraft {
    pub fn validate(mut self) -> Result<EmploymentOutcomeDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.employer = self.employer.normalized();
        self.city = self.city.normalized();
        self.employer.check("employer", TITLE_MAX, &mut e);
        self.city.check("city", TITLE_MAX, &mut e);
        if !(1990..=2100).contains(&self.cohort) {
            e.push("cohort", "invalid-year");
        }
        let employed = matches!(
            self.destination,
            Destination::Employed | Destination::SelfEmployed
        );
        if employed && self.employer.is_empty() && self.employer_institution_id.is_none() {
            e.push("employer", "required");
        }
        self.major = self
            .major
            .take()
            .map(|m| m.trim().to_lowercase())
            .filter(|m| !m.is_empty());
        if self.major.as_deref().is_some_and(|m| !is_major(m)) {
            e.push("major", "invalid-choice");
        }
        e.into_result(self)
    }

    pub fn search_text(&self) -> String {
        let parts: Vec<&str> = self.employer.all().chain(self.city.all()).collect();
        crate::search::normalize(&parts.join("\u{1f}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn position() -> PositionDraft {
        PositionDraft {
            institution_id: 1,
            kind: PositionKind::Internship,
            title: LocalizedText::bilingual("Speech data intern", "语音数据实习生"),
            description: LocalizedText::default(),
            skills: vec![WantedSkill {
                skill: "Speech".into(),
                level: 2,
                required: true,
                free_tag: false,
            }],
            majors: vec![],
            seats: 3,
            start_on: iso_date::parse("2024-07-01"),
            end_on: iso_date::parse("2024-08-31"),
            deadline: iso_date::parse("2024-06-15"),
            city: LocalizedText::bilingual("Hefei", "合肥"),
            country: CountryCode::parse("CN"),
            remote: false,
            language: Some("zh".into()),
            language_level: Some(Cefr::B2),
            status: PositionStatus::Draft,
            vetting_note: LocalizedText::default(),
            event_id: None,
        }
    }

    #[test]
    fn a_position_needs_skills_and_seats() {
        let ok = position().validate().unwrap();
        assert_eq!(ok.skills[0].skill, "speech", "normalised");
        let mut p = position();
        p.skills.clear();
        p.seats = 0;
        let e = p.validate().unwrap_err();
        assert!(e.get("skills").is_some());
        assert_eq!(e.get("seats").unwrap().code, "invalid-seats");
    }

    #[test]
    fn unknown_skills_need_a_free_tag() {
        let mut p = position();
        p.skills[0].skill = "kungfu".into();
        assert_eq!(
            p.clone().validate().unwrap_err().0[0].field,
            "skills.0.skill"
        );
        p.skills[0].free_tag = true;
        assert!(p.validate().is_ok());
    }

    #[test]
    fn status_machines() {
        use PlacementStatus::*;
        assert!(PositionStatus::Pending.needs_vetting(PositionStatus::Open));
        assert!(!PositionStatus::Draft.may_become(PositionStatus::Open));
        assert!(Applied.may_move(Shortlisted, Mover::Enterprise));
        assert!(!Applied.may_move(Shortlisted, Mover::Student));
        assert!(Offered.may_move(Accepted, Mover::Student));
        assert!(!Completed.may_become(Ongoing));
        let mut before = PlacementDraft {
            position_id: 1,
            person_id: 2,
            status: Completed,
            start_on: None,
            end_on: None,
            enterprise_supervisor: None,
            university_supervisor: None,
            evaluation: LocalizedText::default(),
            event_id: None,
            note: LocalizedText::default(),
        };
        let mut after = before.clone();
        after.status = Ongoing;
        let e = after.validate_change(&before, Mover::Office).unwrap_err();
        assert_eq!(e.0[0].field, "status");
        before.status = Applied;
        let mut after = before.clone();
        after.status = Offered;
        assert_eq!(
            after.validate_change(&before, Mover::Office).unwrap_err().0[0].code,
            "invalid-transition"
        );
    }

    #[test]
    fn applying_needs_an_open_position_consent_and_no_earlier_application() {
        let today = iso_date::parse("2024-06-01").unwrap();
        let mut p = position();
        p.status = PositionStatus::Open;
        let profile = SkillProfileDraft {
            person_id: 5,
            major: None,
            year_of_study: Some(3),
            skills: vec![],
            languages: vec![],
            interests: LocalizedText::default(),
            available_from: None,
            consent: true,
        };
        assert!(application_errors(&p, Some(&profile), false, today).is_empty());
        assert_eq!(
            application_errors(&p, Some(&profile), true, today).0[0].code,
            "already-applied"
        );
        let late = iso_date::parse("2024-06-16").unwrap();
        assert_eq!(
            application_errors(&p, Some(&profile), false, late).0[0].code,
            "deadline-passed"
        );
        let mut no = profile.clone();
        no.consent = false;
        assert_eq!(
            application_errors(&p, Some(&no), false, today).0[0].field,
            "consent"
        );
        assert_eq!(application_errors(&p, None, false, today).0.len(), 1);
    }

    #[test]
    fn viewers() {
        let p = position();
        assert!(Viewer::of(Role::Enterprise, Some(1), None).may_edit_position(&p));
        assert!(!Viewer::of(Role::Enterprise, Some(2), None).may_read_position(&p));
        assert!(!Viewer::of(Role::Student, None, Some(3)).may_read_position(&p));
        assert_eq!(Viewer::of(Role::Student, None, None), Viewer::Nobody);
    }
}
