//! Follow-up actions (后续事项) from events and agreements: an owner, a due date, a status.

use serde::{Deserialize, Serialize};

use crate::event::iso_date;
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::Id;

string_enum!(
    /// Where a follow-up action stands.
    ActionStatus, "action-status" {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
);

impl ActionStatus {
    /// The statuses an item may move to from this one. Finished items can be reopened; a
    /// cancelled one only back to open.
    pub fn next(self) -> &'static [ActionStatus] {
        use ActionStatus::*;
        match self {
            Open => &[InProgress, Done, Cancelled],
            InProgress => &[Open, Done, Cancelled],
            Done => &[InProgress],
            Cancelled => &[Open],
        }
    }

    /// Whether moving from `self` to `to` is allowed (staying put always is).
    pub fn may_become(self, to: ActionStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Still to be done.
    pub fn is_pending(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

pub const TITLE_MAX: usize = 300;
pub const NOTES_MAX: usize = 5000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemDraft {
    pub title: LocalizedText,
    /// The user account responsible (负责人).
    #[serde(with = "crate::id_as_string::option", default)]
    pub owner_user_id: Option<Id>,
    #[serde(with = "iso_date::option", default)]
    pub due_on: Option<time::Date>,
    pub status: ActionStatus,
    /// The event it follows up, if any.
    #[serde(with = "crate::id_as_string::option", default)]
    pub event_id: Option<Id>,
    /// The agreement it follows up, if any.
    #[serde(with = "crate::id_as_string::option", default)]
    pub agreement_id: Option<Id>,
    pub notes: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: ActionItemDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ActionItemDraft {
    pub fn validate(mut self) -> Result<ActionItemDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        self.notes = self.notes.normalized();
        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        self.notes.check("notes", NOTES_MAX, &mut errors);
        errors.into_result(self)
    }

    /// Validates a change of an existing item: the fields, and that the status may move so.
    pub fn validate_change(self, before: &ActionItemDraft) -> Result<ActionItemDraft, FieldErrors> {
        let status_ok = before.status.may_become(self.status);
        match self.validate() {
            Ok(d) if status_ok => Ok(d),
            Ok(_) => Err(status_error()),
            Err(mut e) => {
                if !status_ok {
                    e.0.extend(status_error().0);
                }
                Err(e)
            }
        }
    }

    /// Past its due date and not finished.
    pub fn is_overdue(&self, today: time::Date) -> bool {
        self.status.is_pending() && self.due_on.is_some_and(|d| d < today)
    }

    pub fn search_text(&self) -> String {
        crate::search::normalize(&self.title.all().collect::<Vec<_>>().join("\u{1f}"))
    }
}

fn status_error() -> FieldErrors {
    let mut e = FieldErrors::default();
    e.push("status", "invalid-transition");
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;

    fn draft(status: ActionStatus) -> ActionItemDraft {
        ActionItemDraft {
            title: LocalizedText::bilingual("Explore joint programmes", "探讨联合培养项目"),
            owner_user_id: Some(1),
            due_on: iso_date::parse("2024-06-30"),
            status,
            event_id: Some(2),
            agreement_id: None,
            notes: LocalizedText::default(),
        }
    }

    #[test]
    fn status_machine() {
        assert!(Open.may_become(InProgress));
        assert!(InProgress.may_become(Done));
        assert!(Done.may_become(InProgress));
        assert!(!Done.may_become(Cancelled));
        assert!(!Cancelled.may_become(Done));
        assert!(Cancelled.may_become(Open));
        for s in ActionStatus::ALL {
            assert!(s.may_become(*s));
            assert!(!s.next().contains(s));
        }
    }

    #[test]
    fn illegal_change_names_status() {
        let before = draft(Cancelled);
        let e = draft(Done).validate_change(&before).unwrap_err();
        assert_eq!(e.0[0].field, "status");
        assert_eq!(e.0[0].code, "invalid-transition");
        assert!(draft(Open).validate_change(&before).is_ok());
    }

    #[test]
    fn title_is_required() {
        let mut d = draft(Open);
        d.title = LocalizedText::en(" ");
        assert_eq!(d.validate().unwrap_err().0[0].field, "title");
    }

    #[test]
    fn overdue_only_while_pending() {
        let today = iso_date::parse("2024-07-01").unwrap();
        assert!(draft(Open).is_overdue(today));
        assert!(draft(InProgress).is_overdue(today));
        assert!(!draft(Done).is_overdue(today));
        let mut d = draft(Open);
        d.due_on = None;
        assert!(!d.is_overdue(today));
        assert!(!draft(Open).is_overdue(iso_date::parse("2024-06-30").unwrap()));
    }
}
