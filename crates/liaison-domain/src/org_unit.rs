//! Schools, colleges, departments and offices inside an institution, nested.

use serde::{Deserialize, Serialize};

use crate::institution::{CODE_MAX, NAME_MAX, URL_MAX};
use crate::text::LocalizedText;
use crate::validation::{check_len, clean, is_code, is_web_url, FieldErrors};
use crate::Id;

string_enum!(
    OrgUnitKind, "unit-kind" {
        School => "school",
        College => "college",
        Department => "department",
        Office => "office",
        Centre => "centre",
        Other => "other",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnitDraft {
    #[serde(with = "crate::id_as_string")]
    pub institution_id: Id,
    #[serde(with = "crate::id_as_string::option", default)]
    pub parent_id: Option<Id>,
    pub kind: OrgUnitKind,
    pub name: LocalizedText,
    /// EWP `ounit_id`, unique within the institution.
    pub ounit_id: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: OrgUnitDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl OrgUnitDraft {
    pub fn validate(mut self) -> Result<OrgUnitDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.name = self.name.normalized();
        self.ounit_id = clean(self.ounit_id.as_deref());
        self.website = clean(self.website.as_deref());
        if self.name.is_empty() {
            errors.push("name", "required");
        }
        self.name.check("name", NAME_MAX, &mut errors);
        if let Some(code) = &self.ounit_id {
            check_len("ounit_id", code, CODE_MAX, &mut errors);
            if !is_code(code) {
                errors.push("ounit_id", "invalid-code");
            }
        }
        if let Some(url) = &self.website {
            check_len("website", url, URL_MAX, &mut errors);
            if !is_web_url(url) {
                errors.push("website", "invalid-url");
            }
        }
        errors.into_result(self)
    }
}

/// A unit may not be its own ancestor. `ancestors` lists the proposed parent's chain, nearest
/// first (the parent itself included).
pub fn parent_would_cycle(unit: Id, ancestors: &[Id]) -> bool {
    ancestors.contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_detected() {
        assert!(parent_would_cycle(3, &[5, 3, 1]));
        assert!(!parent_would_cycle(3, &[5, 1]));
    }

    #[test]
    fn name_required() {
        let d = OrgUnitDraft {
            institution_id: 1,
            parent_id: None,
            kind: OrgUnitKind::School,
            name: LocalizedText::default(),
            ounit_id: Some("bad code!".into()),
            website: None,
        };
        let e = d.validate().unwrap_err();
        assert_eq!(
            e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["name", "ounit_id"]
        );
    }
}
