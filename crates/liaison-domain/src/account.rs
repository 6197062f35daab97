//! User accounts: which scope each role takes (contract C2), the languages a user may prefer, and
//! the checks on what an administrator or an invitee types. The same rules serve `liaison user
//! add`, the admin pages and `/api/v1/users`.

use crate::access::Role;
use crate::validation::{check_len, clean, is_email, FieldErrors};
use crate::Id;

/// Longest display name.
pub const DISPLAY_NAME_MAX: usize = 200;

/// The interface languages a user may prefer (the tags of `?lang=`).
pub const LANGS: [&str; 2] = ["en", "zh-CN"];

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;
/// How long a password-reset link stays valid.
pub const RESET_DAYS: i64 = 1;

/// What a scoped role is limited to. Which part applies depends on the role:
/// partner and enterprise contacts speak for one institution, a coordinator looks after one or
/// more org units, a student account may be linked to its person record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountScope {
    pub institution_id: Option<Id>,
    pub unit_ids: Vec<Id>,
    pub person_id: Option<Id>,
}

impl AccountScope {
    /// Only the parts that `role` uses; the rest is dropped (forms offer every part at once).
    pub fn for_role(&self, role: Role) -> AccountScope {
        AccountScope {
            institution_id: self.institution_id.filter(|_| uses_institution(role)),
            unit_ids: if role == Role::Coordinator {
                self.unit_ids.clone()
            } else {
                Vec::new()
            },
            person_id: self.person_id.filter(|_| role == Role::Student),
        }
    }
}

fn uses_institution(role: Role) -> bool {
    matches!(role, Role::Partner | Role::Enterprise)
}

/// Checks the scope against the role: partner and enterprise need `institution_id`, a coordinator
/// at least one of `unit_ids`, `person_id` is for students only; a part the role does not use is
/// refused (`scope-not-allowed`) rather than silently kept.
pub fn check_scope(role: Role, scope: &AccountScope) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if uses_institution(role) {
        if scope.institution_id.is_none() {
            errors.push("institution_id", "required");
        }
    } else if scope.institution_id.is_some() {
        errors.push("institution_id", "scope-not-allowed");
    }
    if role == Role::Coordinator {
        if scope.unit_ids.is_empty() {
            errors.push("unit_ids", "required");
        }
    } else if !scope.unit_ids.is_empty() {
        errors.push("unit_ids", "scope-not-allowed");
    }
    if role != Role::Student && scope.person_id.is_some() {
        errors.push("person_id", "scope-not-allowed");
    }
    if scope.unit_ids.len() > 50 {
        errors.push_limit("unit_ids", "too-many", 50);
    }
    errors.into_result(())
}

/// A trimmed display name, `None` when blank; too long is an error on `field`.
pub fn display_name(field: &str, raw: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    let name = clean(raw);
    if let Some(n) = &name {
        check_len(field, n, DISPLAY_NAME_MAX, errors);
    }
    name
}

/// A lower-cased, trimmed e-mail address, or an error on `field`.
pub fn email(field: &str, raw: &str, errors: &mut FieldErrors) -> String {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        errors.push(field, "required");
    } else if !is_email(&email) {
        errors.push(field, "invalid-email");
    }
    email
}

/// `en` or `zh-CN` (case-insensitive), as stored.
pub fn parse_lang(raw: &str) -> Option<&'static str> {
    LANGS
        .iter()
        .find(|l| l.eq_ignore_ascii_case(raw.trim()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(inst: Option<Id>, units: &[Id], person: Option<Id>) -> AccountScope {
        AccountScope {
            institution_id: inst,
            unit_ids: units.to_vec(),
            person_id: person,
        }
    }

    fn codes(r: Result<(), FieldErrors>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| e.0.into_iter().map(|e| (e.field, e.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn each_role_takes_its_own_scope() {
        assert!(check_scope(Role::Partner, &scope(Some(1), &[], None)).is_ok());
        assert!(check_scope(Role::Enterprise, &scope(Some(1), &[], None)).is_ok());
        assert!(check_scope(Role::Coordinator, &scope(None, &[1, 2], None)).is_ok());
        assert!(check_scope(Role::Student, &scope(None, &[], Some(3))).is_ok());
        assert!(check_scope(Role::Student, &scope(None, &[], None)).is_ok());
        assert!(check_scope(Role::Staff, &AccountScope::default()).is_ok());
        assert_eq!(
            codes(check_scope(Role::Partner, &AccountScope::default())),
            [("institution_id".to_string(), "required")]
        );
        assert_eq!(
            codes(check_scope(Role::Coordinator, &AccountScope::default())),
            [("unit_ids".to_string(), "required")]
        );
        assert_eq!(
            codes(check_scope(Role::Admin, &scope(Some(1), &[2], Some(3)))),
            [
                ("institution_id".to_string(), "scope-not-allowed"),
                ("unit_ids".to_string(), "scope-not-allowed"),
                ("person_id".to_string(), "scope-not-allowed")
            ]
        );
    }

    #[test]
    fn for_role_keeps_only_the_fitting_part() {
        let all = scope(Some(1), &[2], Some(3));
        assert_eq!(all.for_role(Role::Partner), scope(Some(1), &[], None));
        assert_eq!(all.for_role(Role::Coordinator), scope(None, &[2], None));
        assert_eq!(all.for_role(Role::Student), scope(None, &[], Some(3)));
        assert_eq!(all.for_role(Role::Staff), AccountScope::default());
    }

    #[test]
    fn languages_and_inputs() {
        assert_eq!(parse_lang("zh-cn"), Some("zh-CN"));
        assert_eq!(parse_lang("en"), Some("en"));
        assert_eq!(parse_lang("fr"), None);
        let mut e = FieldErrors::default();
        assert_eq!(email("email", " Li@Example.ORG ", &mut e), "li@example.org");
        assert!(e.is_empty());
        email("email", "nope", &mut e);
        assert_eq!(e.0[0].code, "invalid-email");
        let mut e = FieldErrors::default();
        assert_eq!(display_name("display_name", Some("  "), &mut e), None);
        display_name("display_name", Some(&"x".repeat(201)), &mut e);
        assert_eq!(e.0[0].code, "too-long");
    }
}
