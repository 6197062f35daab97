//! People the office deals with: partner contacts, staff, students, visitors.

use serde::{Deserialize, Serialize};

use crate::text::LocalizedText;
use crate::validation::{check_len, is_email, is_language_code, is_phone, FieldErrors};
use crate::Id;

pub const TITLE_MAX: usize = 200;
pub const LIST_MAX: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub name: LocalizedText,
    /// Job title or role, e.g. "Vice President" / "副校长".
    pub title: LocalizedText,
    #[serde(with = "crate::id_as_string::option", default)]
    pub institution_id: Option<Id>,
    #[serde(with = "crate::id_as_string::option", default)]
    pub org_unit_id: Option<Id>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// ISO 639-1 codes of the languages the person works in.
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: PersonDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn clean_list(list: &mut Vec<String>, lower: bool) {
    let mut out: Vec<String> = Vec::new();
    for item in list.drain(..) {
        let item = item.trim();
        let item = if lower {
            item.to_lowercase()
        } else {
            item.to_string()
        };
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    *list = out;
}

impl PersonDraft {
    pub fn validate(mut self) -> Result<PersonDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.name = self.name.normalized();
        self.title = self.title.normalized();
        clean_list(&mut self.emails, true);
        clean_list(&mut self.phones, false);
        clean_list(&mut self.languages, true);
        if self.name.is_empty() {
            errors.push("name", "required");
        }
        self.name
            .check("name", crate::institution::NAME_MAX, &mut errors);
        self.title.check("title", TITLE_MAX, &mut errors);
        if self.org_unit_id.is_some() && self.institution_id.is_none() {
            errors.push("institution_id", "required");
        }
        for (field, list, ok) in [
            ("emails", &self.emails, is_email as fn(&str) -> bool),
            ("phones", &self.phones, is_phone),
            ("languages", &self.languages, is_language_code),
        ] {
            if list.len() > LIST_MAX {
                errors.push_limit(field, "too-many", LIST_MAX);
            }
            for (i, item) in list.iter().enumerate() {
                let name = format!("{field}.{i}");
                check_len(&name, item, 254, &mut errors);
                if !ok(item) {
                    let code = match field {
                        "emails" => "invalid-email",
                        "phones" => "invalid-phone",
                        _ => "invalid-language",
                    };
                    errors.push(name, code);
                }
            }
        }
        errors.into_result(self)
    }

    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.name.all().collect();
        parts.extend(self.emails.iter().map(String::as_str));
        crate::search::normalize(&parts.join("\u{1f}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lists_are_cleaned_and_checked() {
        let d = PersonDraft {
            name: LocalizedText::bilingual("Wang Fang", "王芳"),
            title: LocalizedText::default(),
            institution_id: Some(1),
            org_unit_id: None,
            emails: vec![
                " Wang.Fang@Example.edu ".into(),
                "wang.fang@example.edu".into(),
            ],
            phones: vec!["+86 551 1234 5678".into()],
            languages: vec!["zh".into(), "EN".into()],
        };
        let d = d.validate().unwrap();
        assert_eq!(d.emails, ["wang.fang@example.edu"]);
        assert_eq!(d.languages, ["zh", "en"]);
    }

    #[test]
    fn bad_email_is_named_by_position() {
        let d = PersonDraft {
            name: LocalizedText::en("A"),
            title: LocalizedText::default(),
            institution_id: None,
            org_unit_id: Some(2),
            emails: vec!["ok@example.org".into(), "nope".into()],
            phones: vec![],
            languages: vec![],
        };
        let e = d.validate().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["institution_id", "emails.1"]);
    }
}
