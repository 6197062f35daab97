//! Who may do what: the one permission table every route goes through.
//!
//! Deny by default: an action a role is not listed for is refused. Scopes (a coordinator's units,
//! a partner's institution) narrow what a permitted role sees; they are applied by storage.

string_enum!(
    /// The roles of DESIGN.md (C2 wire names).
    Role, "role" {
        Admin => "admin",
        Staff => "staff",
        Coordinator => "coordinator",
        Editor => "editor",
        Student => "student",
        Partner => "partner",
        Enterprise => "enterprise",
    }
);

/// Something a signed-in user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the dashboard and own profile; every signed-in user may.
    UseApp,
    /// Browse partners, their units and contacts.
    ReadDirectory,
    /// Create, edit and delete partners, units and contacts.
    EditDirectory,
    /// Manage user accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// Export or anonymise one person's personal data.
    ManagePersonalData,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::UseApp,
        Action::ReadDirectory,
        Action::EditDirectory,
        Action::ManageUsers,
        Action::ReadAudit,
        Action::ManagePersonalData,
    ];
}

/// The permission table. Later issues add rows (and scope rules) here and nowhere else.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        UseApp => true,
        ReadDirectory | EditDirectory => matches!(role, Admin | Staff),
        ManageUsers => role == Admin,
        ReadAudit => matches!(role, Admin | Staff),
        ManagePersonalData => role == Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_office_roles_edit_the_directory() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Admin | Role::Staff);
            assert_eq!(allows(*role, Action::EditDirectory), expected, "{role}");
        }
        assert!(!allows(Role::Staff, Action::ManageUsers));
        assert!(allows(Role::Admin, Action::ManageUsers));
    }
}
