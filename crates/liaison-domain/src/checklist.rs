//! Whole-process checklists (issue 7): what a stay needs before, during and after it (acceptance
//! letter, visa, insurance, accommodation, pre-departure briefing, arrival and return
//! confirmation, transcript, credit recognition).
//!
//! Staff keep one template per mobility type and direction. A new stay gets its own copy of the
//! template's items, each with a due date counted from the stay's planned start or end, so that a
//! later change to the template never rewrites what a student was already asked to do.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::agreement::MobilityType;
use crate::mobility::{MobilityDirection, MobilityStatus};
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::Id;

string_enum!(
    /// Which planned date an item's due date counts from.
    DueAnchor, "checklist-anchor" {
        Start => "start",
        End => "end",
    }
);

pub const TITLE_MAX: usize = 200;
/// Items fall due at most this many days before or after their anchor date.
pub const OFFSET_MAX: i64 = 365;

/// One item of a template, as staff edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateItemDraft {
    pub mobility_type: MobilityType,
    pub direction: MobilityDirection,
    /// Order within its template (1, 2, …).
    pub position: i64,
    pub title: LocalizedText,
    pub anchor: DueAnchor,
    /// Days after the anchor date (negative: before it).
    pub offset_days: i64,
    /// Whether confirming the item needs an uploaded file (a visa, a transcript).
    pub needs_upload: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateItem {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: TemplateItemDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl TemplateItemDraft {
    pub fn validate(mut self) -> Result<TemplateItemDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        if !(-OFFSET_MAX..=OFFSET_MAX).contains(&self.offset_days) {
            errors.push("offset_days", "invalid-number");
        }
        if !(1..=1000).contains(&self.position) {
            errors.push("position", "invalid-number");
        }
        errors.into_result(self)
    }

    /// The due date of this item for a stay planned from `start` to `end`.
    pub fn due_on(&self, start: Date, end: Date) -> Date {
        let anchor = match self.anchor {
            DueAnchor::Start => start,
            DueAnchor::End => end,
        };
        anchor
            .checked_add(Duration::days(self.offset_days))
            .unwrap_or(anchor)
    }
}

/// One item of one stay's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(with = "crate::id_as_string")]
    pub mobility_id: Id,
    pub position: i64,
    pub title: LocalizedText,
    #[serde(with = "crate::event::iso_date")]
    pub due_on: Date,
    pub needs_upload: bool,
    /// The uploaded file (a document of the stay), if any.
    #[serde(with = "crate::id_as_string::option", default)]
    pub document_id: Option<Id>,
    /// When the item was confirmed; `None` while it is open.
    pub done_at: Option<String>,
    #[serde(with = "crate::id_as_string::option", default)]
    pub done_by: Option<Id>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ChecklistItem {
    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }

    /// Open and past its due date.
    pub fn is_overdue(&self, today: Date) -> bool {
        !self.is_done() && self.due_on < today
    }

    /// Why the item cannot be confirmed yet, if it cannot.
    pub fn confirm_blocker(&self) -> Option<&'static str> {
        if self.needs_upload && self.document_id.is_none() {
            Some("checklist-upload-first")
        } else {
            None
        }
    }
}

/// Days after the planned end within which an end-anchored item belongs to the return itself
/// (return confirmation); later ones belong to recognition (transcript, credits).
pub const RETURN_WINDOW_DAYS: i64 = 14;

/// Whether a stay recorded in `status` (a record of a stay already under way or past) has this
/// item behind it already, so that history does not show up as overdue work. Items belong to a
/// phase: everything counted from the start (departure and arrival) is behind a stay that is
/// abroad; the return (up to [`RETURN_WINDOW_DAYS`] after the end) is behind a returned one;
/// everything is behind a recognised one.
pub fn presumed_done(status: MobilityStatus, item: &TemplateItemDraft) -> bool {
    let reached = match item.anchor {
        DueAnchor::Start => MobilityStatus::Abroad,
        DueAnchor::End if item.offset_days <= RETURN_WINDOW_DAYS => MobilityStatus::Returned,
        DueAnchor::End => MobilityStatus::Recognised,
    };
    let order = |s: MobilityStatus| match s {
        MobilityStatus::Abroad => 1,
        MobilityStatus::Returned => 2,
        MobilityStatus::Recognised => 3,
        _ => 0,
    };
    order(status) >= order(reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn item(anchor: DueAnchor, offset_days: i64) -> TemplateItemDraft {
        TemplateItemDraft {
            mobility_type: MobilityType::StudentStudies,
            direction: MobilityDirection::Outgoing,
            position: 1,
            title: LocalizedText::bilingual("Visa", "签证"),
            anchor,
            offset_days,
            needs_upload: true,
        }
    }

    #[test]
    fn due_dates_count_from_the_anchor() {
        let (start, end) = (date!(2025 - 09 - 01), date!(2026 - 01 - 31));
        assert_eq!(
            item(DueAnchor::Start, -30).due_on(start, end),
            date!(2025 - 08 - 02)
        );
        assert_eq!(
            item(DueAnchor::End, 60).due_on(start, end),
            date!(2026 - 04 - 01)
        );
    }

    #[test]
    fn validation_names_each_bad_field() {
        let mut bad = item(DueAnchor::Start, 400);
        bad.title = LocalizedText::default();
        bad.position = 0;
        let errors = bad.validate().unwrap_err();
        for field in ["title", "offset_days", "position"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(item(DueAnchor::Start, -365).validate().is_ok());
    }

    #[test]
    fn an_upload_item_needs_its_file_before_confirmation() {
        let mut i = ChecklistItem {
            id: 1,
            mobility_id: 1,
            position: 1,
            title: LocalizedText::en("Visa"),
            due_on: date!(2025 - 08 - 01),
            needs_upload: true,
            document_id: None,
            done_at: None,
            done_by: None,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        };
        assert_eq!(i.confirm_blocker(), Some("checklist-upload-first"));
        assert!(i.is_overdue(date!(2025 - 08 - 02)));
        assert!(!i.is_overdue(date!(2025 - 08 - 01)));
        i.document_id = Some(9);
        assert_eq!(i.confirm_blocker(), None);
        i.done_at = Some("2025-07-30T10:00:00Z".into());
        assert!(!i.is_overdue(date!(2025 - 08 - 02)));
    }

    #[test]
    fn history_is_presumed_done() {
        let visa = item(DueAnchor::Start, -30);
        let arrival = item(DueAnchor::Start, 3);
        let back = item(DueAnchor::End, 7);
        let transcript = item(DueAnchor::End, 60);
        assert!(!presumed_done(MobilityStatus::Preparing, &visa));
        assert!(presumed_done(MobilityStatus::Abroad, &visa));
        assert!(presumed_done(MobilityStatus::Abroad, &arrival));
        assert!(!presumed_done(MobilityStatus::Abroad, &back));
        assert!(presumed_done(MobilityStatus::Returned, &back));
        assert!(!presumed_done(MobilityStatus::Returned, &transcript));
        assert!(presumed_done(MobilityStatus::Recognised, &transcript));
        assert!(!presumed_done(MobilityStatus::Cancelled, &visa));
    }
}
