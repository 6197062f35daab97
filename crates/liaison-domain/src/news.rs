//! News items (新闻稿): bilingual stories about cooperation events with the credits the office
//! prints (author, translator, photographer, proofreader, reviewer), and the editorial workflow
//! draft → translated → proofread → reviewed → published, back to draft with a comment.
//!
//! Who may move a story (the rule the web layer asks before storage writes):
//! - editors, office staff and admins write drafts, mark them translated and proofread
//!   ([`Action::EditNews`]);
//! - only office staff and admins review and publish ([`Action::PublishNews`]), and the review
//!   must be done by someone other than the story's author (four eyes): nobody publishes their own
//!   story alone;
//! - any step may go back to draft with a comment saying why; taking a published story back to
//!   draft withdraws it from the public site and needs [`Action::PublishNews`].
//!
//! Editing a published story makes a new, unpublished version (the status goes back to draft);
//! the public keeps seeing the published snapshot until the new version is published.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::access::{allows, Action, Role};
use crate::event::iso_date;
use crate::text::LocalizedText;
use crate::validation::{check_len, FieldErrors};
use crate::Id;

string_enum!(
    /// Where a story stands in the editorial workflow.
    NewsStatus, "news-status" {
        Draft => "draft",
        Translated => "translated",
        Proofread => "proofread",
        Reviewed => "reviewed",
        Published => "published",
    }
);

string_enum!(
    /// The credits printed under a story.
    CreditRole, "credit-role" {
        Author => "author",
        Translator => "translator",
        Photographer => "photographer",
        Proofreader => "proofreader",
        Reviewer => "reviewer",
    }
);

pub const TITLE_MAX: usize = 300;
pub const SUMMARY_MAX: usize = 2_000;
pub const BODY_MAX: usize = 100_000;
pub const SLUG_MAX: usize = 100;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;
pub const CREDITS_MAX: usize = 50;
pub const CREDIT_NAME_MAX: usize = 200;
pub const LINKS_MAX: usize = 50;
pub const COMMENT_MAX: usize = 2_000;
pub const CAPTION_MAX: usize = 500;

impl NewsStatus {
    /// The forward step and the way back to draft.
    pub fn next(self) -> &'static [NewsStatus] {
        use NewsStatus::*;
        match self {
            Draft => &[Translated],
            Translated => &[Proofread, Draft],
            Proofread => &[Reviewed, Draft],
            Reviewed => &[Published, Draft],
            Published => &[Draft],
        }
    }
}

/// A credit: a person in the system, or a name typed as free text (or both: the typed name is
/// then how the person wants to be printed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    pub role: CreditRole,
    #[serde(with = "crate::id_as_string::option", default)]
    pub person_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a person submits to create or replace a story (the status changes through the workflow).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsDraft {
    pub title: LocalizedText,
    pub summary: LocalizedText,
    /// Markdown, rendered and sanitised for display.
    pub body: LocalizedText,
    /// The readable address part (`/news/{slug}`); made from the English title when empty.
    #[serde(default)]
    pub slug: Option<String>,
    /// The dateline; the day of publication when empty.
    #[serde(with = "iso_date::option", default)]
    pub published_on: Option<time::Date>,
    pub tags: Vec<String>,
    #[serde(
        serialize_with = "crate::event::ids_ser",
        deserialize_with = "ids_de",
        default
    )]
    pub event_ids: Vec<Id>,
    #[serde(
        serialize_with = "crate::event::ids_ser",
        deserialize_with = "ids_de",
        default
    )]
    pub institution_ids: Vec<Id>,
    pub credits: Vec<Credit>,
}

fn ids_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Id>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(with = "crate::id_as_string")] Id);
    Ok(Vec::<W>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// What the public sees: the content as it was when last published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedVersion {
    #[serde(flatten)]
    pub content: NewsDraft,
    /// When the story first went public.
    pub first_published_at: String,
    /// When this version went public.
    pub published_at: String,
    /// The record version that was published.
    pub version: i64,
}

/// A stored story: the working copy with its status, and the published version if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsItem {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: NewsDraft,
    pub status: NewsStatus,
    /// The account that created the story (its author for the four-eyes rule).
    #[serde(with = "crate::id_as_string::option")]
    pub author_user_id: Option<Id>,
    pub published: Option<PublishedVersion>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl NewsItem {
    /// The readable address part: the slug, else the id.
    pub fn path_key(&self) -> String {
        self.draft
            .slug
            .clone()
            .unwrap_or_else(|| self.id.to_string())
    }
}

/// Lower-case letters and digits joined by single hyphens, from the English title; `None` when
/// nothing usable remains (a Chinese-only title: the story is then reached by its id).
pub fn slugify(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    is_slug(&out).then_some(out)
}

/// A slug: 1–100 of `a-z 0-9 -`, no hyphen at either end, at least one letter (so that it is
/// never mistaken for an id).
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SLUG_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A tag as stored: trimmed, lower-cased; letters (any script), digits and hyphens.
pub fn normalize_tag(raw: &str) -> Option<String> {
    let t = raw.trim().to_lowercase().replace(' ', "-");
    let ok = !t.is_empty()
        && t.chars().count() <= TAG_MAX
        && t.chars().all(|c| c.is_alphanumeric() || c == '-');
    ok.then_some(t)
}

impl NewsDraft {
    /// Normalises (trims texts, lower-cases tags and slug, drops repeated links) and checks every
    /// field.
    pub fn validate(mut self) -> Result<NewsDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        self.summary = self.summary.normalized();
        self.body = self.body.normalized();
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        self.summary.check("summary", SUMMARY_MAX, &mut errors);
        self.body.check("body", BODY_MAX, &mut errors);

        self.slug = self
            .slug
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        if let Some(s) = &self.slug {
            if !is_slug(s) {
                errors.push("slug", "invalid-slug");
            }
        }

        let mut tags = Vec::new();
        for (i, raw) in self.tags.iter().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            match normalize_tag(raw) {
                Some(t) if !tags.contains(&t) => tags.push(t),
                Some(_) => {}
                None => errors.push(format!("tags.{i}"), "invalid-tag"),
            }
        }
        if tags.len() > TAGS_MAX {
            errors.push_limit("tags", "too-many", TAGS_MAX);
        }
        self.tags = tags;

        for (field, ids) in [
            ("event_ids", &mut self.event_ids),
            ("institution_ids", &mut self.institution_ids),
        ] {
            let mut seen = BTreeSet::new();
            ids.retain(|id| seen.insert(*id));
            if ids.len() > LINKS_MAX {
                errors.push_limit(field, "too-many", LINKS_MAX);
            }
        }

        if self.credits.len() > CREDITS_MAX {
            errors.push_limit("credits", "too-many", CREDITS_MAX);
        }
        let mut seen = BTreeSet::new();
        for (i, c) in self.credits.iter_mut().enumerate() {
            c.name = c
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from);
            if c.person_id.is_none() && c.name.is_none() {
                errors.push(format!("credits.{i}"), "required");
                continue;
            }
            if let Some(n) = &c.name {
                check_len(
                    &format!("credits.{i}.name"),
                    n,
                    CREDIT_NAME_MAX,
                    &mut errors,
                );
            }
            if !seen.insert((c.role, c.person_id, c.name.clone())) {
                errors.push(format!("credits.{i}"), "duplicate");
            }
        }
        errors.into_result(self)
    }

    /// The text `q` searches: every language of the title and the summary.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.title.all().collect();
        parts.extend(self.summary.all());
        crate::search::normalize(&parts.join("\u{1f}"))
    }

    /// A story is translated when its title and body exist in English and in Chinese.
    pub fn missing_translations(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        for (field, text) in [("title", &self.title), ("body", &self.body)] {
            if text.en.is_none() {
                errors.push(format!("{field}.en"), "translation-missing");
            }
            if text.zh.is_none() {
                errors.push(format!("{field}.zh"), "translation-missing");
            }
        }
        errors
    }

    /// The credits of one role.
    pub fn credits_of(&self, role: CreditRole) -> impl Iterator<Item = &Credit> {
        self.credits.iter().filter(move |c| c.role == role)
    }
}

/// Why a workflow step was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// Not a step the workflow has from the current status (422 on `status`).
    NotAllowed {
        from: NewsStatus,
        to: NewsStatus,
        allowed: &'static [NewsStatus],
    },
    /// The caller's role may not take this step (403).
    Forbidden,
    /// The author may not review their own story (403).
    OwnStory,
    /// Going back to draft needs a comment (422 on `comment`).
    CommentRequired,
    /// Translated needs both languages (422 naming the fields).
    Incomplete(FieldErrors),
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::NotAllowed { from, to, allowed } => write!(
                f,
                "a story cannot go from {from} to {to}; allowed: {}",
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            StepError::Forbidden => f.write_str("your role may not take this step"),
            StepError::OwnStory => {
                f.write_str("the author of a story may not review it: ask a colleague")
            }
            StepError::CommentRequired => f.write_str("going back to draft needs a comment"),
            StepError::Incomplete(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StepError {}

/// Whether `role` (the account `user_id`) may move `item` to `to`; `comment` is what they wrote.
pub fn check_step(
    role: Role,
    user_id: Option<Id>,
    item: &NewsItem,
    to: NewsStatus,
    comment: Option<&str>,
) -> Result<(), StepError> {
    let from = item.status;
    if !from.next().contains(&to) {
        return Err(StepError::NotAllowed {
            from,
            to,
            allowed: from.next(),
        });
    }
    let needed = match (from, to) {
        (NewsStatus::Published, NewsStatus::Draft) => Action::PublishNews,
        (_, NewsStatus::Reviewed | NewsStatus::Published) => Action::PublishNews,
        _ => Action::EditNews,
    };
    if !allows(role, needed) {
        return Err(StepError::Forbidden);
    }
    if to == NewsStatus::Reviewed && user_id.is_some() && item.author_user_id == user_id {
        return Err(StepError::OwnStory);
    }
    if to == NewsStatus::Draft && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(StepError::CommentRequired);
    }
    if to == NewsStatus::Translated {
        let missing = item.draft.missing_translations();
        if !missing.is_empty() {
            return Err(StepError::Incomplete(missing));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use NewsStatus::*;

    pub(crate) fn draft() -> NewsDraft {
        NewsDraft {
            title: LocalizedText::bilingual(" IUKL delegation visits ", "吉隆坡建设大学代表团来访"),
            summary: LocalizedText::default(),
            body: LocalizedText::bilingual("A *warm* welcome.", "热烈欢迎。"),
            slug: None,
            published_on: None,
            tags: vec!["Malaysia".into(), "malaysia".into(), " ".into()],
            event_ids: vec![3, 3],
            institution_ids: vec![],
            credits: vec![Credit {
                role: CreditRole::Author,
                person_id: None,
                name: Some(" Lin Qing ".into()),
            }],
        }
    }

    fn item(status: NewsStatus, author: Option<Id>) -> NewsItem {
        NewsItem {
            id: 1,
            draft: draft().validate().unwrap(),
            status,
            author_user_id: author,
            published: None,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn drafts_are_normalised() {
        let d = draft().validate().unwrap();
        assert_eq!(d.title.en.as_deref(), Some("IUKL delegation visits"));
        assert_eq!(d.tags, ["malaysia"]);
        assert_eq!(d.event_ids, [3]);
        assert_eq!(d.credits[0].name.as_deref(), Some("Lin Qing"));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut d = draft();
        d.title = LocalizedText::default();
        d.slug = Some("12".into());
        d.tags.push("no_underscores".into());
        d.credits.push(Credit {
            role: CreditRole::Translator,
            person_id: None,
            name: None,
        });
        let e = d.validate().unwrap_err();
        let fields: Vec<(&str, &str)> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("title", "required"),
                ("slug", "invalid-slug"),
                ("tags.3", "invalid-tag"),
                ("credits.1", "required"),
            ]
        );
    }

    #[test]
    fn slugs_come_from_english_titles() {
        assert_eq!(
            slugify("SCO symposium: 27 universities, 7 countries!").as_deref(),
            Some("sco-symposium-27-universities-7-countries")
        );
        assert_eq!(slugify("上合组织研讨会"), None);
        assert_eq!(slugify("2024"), None, "digits only would look like an id");
        assert!(is_slug("iukl-visit-2024"));
        assert!(!is_slug("-x") && !is_slug("A") && !is_slug("a b"));
    }

    #[test]
    fn the_workflow_goes_forward_one_step_or_back_to_draft() {
        for s in NewsStatus::ALL {
            assert!(!s.next().contains(s));
        }
        assert_eq!(Draft.next(), [Translated]);
        assert!(Published.next() == [Draft]);
        let e = check_step(Role::Staff, Some(9), &item(Draft, Some(1)), Published, None);
        assert!(matches!(e, Err(StepError::NotAllowed { .. })));
    }

    #[test]
    fn steps_are_gated_by_role_and_four_eyes() {
        let editor = Some(1);
        // An editor drafts, translates and proofreads…
        assert!(check_step(Role::Editor, editor, &item(Draft, editor), Translated, None).is_ok());
        assert!(check_step(
            Role::Editor,
            editor,
            &item(Translated, editor),
            Proofread,
            None
        )
        .is_ok());
        // …but neither reviews nor publishes.
        assert_eq!(
            check_step(
                Role::Editor,
                editor,
                &item(Proofread, editor),
                Reviewed,
                None
            ),
            Err(StepError::Forbidden)
        );
        assert_eq!(
            check_step(
                Role::Editor,
                editor,
                &item(Reviewed, editor),
                Published,
                None
            ),
            Err(StepError::Forbidden)
        );
        // Staff review someone else's story, not their own.
        assert!(check_step(
            Role::Staff,
            Some(2),
            &item(Proofread, editor),
            Reviewed,
            None
        )
        .is_ok());
        assert_eq!(
            check_step(
                Role::Staff,
                Some(2),
                &item(Proofread, Some(2)),
                Reviewed,
                None
            ),
            Err(StepError::OwnStory)
        );
        assert!(check_step(
            Role::Admin,
            Some(3),
            &item(Reviewed, editor),
            Published,
            None
        )
        .is_ok());
        // Back to draft needs a comment; withdrawing a published story needs the publish right.
        assert_eq!(
            check_step(
                Role::Editor,
                editor,
                &item(Translated, editor),
                Draft,
                Some(" ")
            ),
            Err(StepError::CommentRequired)
        );
        assert!(check_step(
            Role::Editor,
            editor,
            &item(Translated, editor),
            Draft,
            Some("typo")
        )
        .is_ok());
        assert_eq!(
            check_step(
                Role::Editor,
                editor,
                &item(Published, editor),
                Draft,
                Some("why")
            ),
            Err(StepError::Forbidden)
        );
        assert_eq!(
            check_step(
                Role::Student,
                Some(5),
                &item(Draft, editor),
                Translated,
                None
            ),
            Err(StepError::Forbidden)
        );
    }

    #[test]
    fn translated_needs_both_languages() {
        let mut it = item(Draft, None);
        it.draft.body = LocalizedText::en("English only");
        match check_step(Role::Editor, Some(1), &it, Translated, None) {
            Err(StepError::Incomplete(e)) => assert_eq!(e.0[0].field, "body.zh"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_round_trip() {
        let d = draft().validate().unwrap();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["event_ids"][0], "3");
        let back: NewsDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
    }
}
