//! Who may do what: the one permission table every route goes through.
//!
//! Deny by default: an action a role is not listed for is refused. Scopes (a coordinator's units,
//! a partner's institution) narrow what a permitted role sees; they are applied by storage.

use crate::Id;

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
    /// Browse partners, their units and contacts (within the caller's [`Scope`]).
    ReadDirectory,
    /// Create, edit and delete partner institutions.
    EditPartners,
    /// Create, edit and delete org units and contacts (within the caller's [`Scope`]).
    EditContacts,
    /// Manage user accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// Export or anonymise one person's personal data.
    ManagePersonalData,
    /// See events (partner and enterprise contacts: only those their institution took part in).
    ReadEvents,
    /// Create, edit and delete events, their documents and action items.
    EditEvents,
    /// See agreements (partner and enterprise contacts: only those their institution is party to).
    ReadAgreements,
    /// Create, edit, renew and delete agreements and their cooperation conditions.
    EditAgreements,
    /// See the newsroom: every story in every state, its history (the public site needs no right).
    ReadNews,
    /// Write stories, upload their photos, mark them translated and proofread, send back to draft.
    EditNews,
    /// Review and publish stories, withdraw published ones (see `news::check_step`).
    PublishNews,
    /// See positions (enterprise contacts: their own; students: open ones).
    ReadPositions,
    /// Create and edit positions (enterprise contacts: their own; opening one is vetting, staff only).
    EditPositions,
    /// See skill profiles and placements and move placements on (enterprise contacts: consenting
    /// students and their own positions' placements; students: their own).
    ReadTalent,
    /// Keep skill profiles and apply to positions (students: their own), place students (staff).
    EditTalent,
    /// See the ranked candidates of a position (enterprise contacts: of their own positions).
    ReadCandidates,
    /// See and record graduates' employment outcomes.
    ManageOutcomes,
    /// See exchange calls and their places (students: to apply).
    ReadCalls,
    /// Create calls, review applications (eligibility, scores) and run allocations.
    ManageCalls,
    /// Apply to calls and see applications (students: their own).
    Apply,
    /// See mobility records (coordinators: their units'; partner contacts: their institution's;
    /// students: their own).
    ReadMobilities,
    /// Create, edit, move along the lifecycle and delete mobility records (coordinators: their units').
    EditMobilities,
    /// See the report pages (coordinators: their units' figures).
    ViewReports,
    /// Confirm checklist items of a stay and attach their files; students also confirm their own
    /// arrival and return (students: their own stays; coordinators: their units').
    TickChecklist,
    /// Edit the checklist templates new stays get.
    ManageChecklists,
    /// Accept or reject a nomination for the host (partner contacts: nominations to their
    /// institution).
    AnswerNominations,
    /// Nominate someone to come to us under a place (partner contacts: from their institution).
    NominateIncoming,
    /// Place a group of students on a field-trip position at once (the office).
    PlaceGroups,
    /// See recruitment campaigns (partner and enterprise contacts: those run with their
    /// institution).
    ReadCampaigns,
    /// Create, edit and delete recruitment campaigns and their figures.
    EditCampaigns,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::UseApp,
        Action::ReadDirectory,
        Action::EditPartners,
        Action::EditContacts,
        Action::ManageUsers,
        Action::ReadAudit,
        Action::ManagePersonalData,
        Action::ReadEvents,
        Action::EditEvents,
        Action::ReadAgreements,
        Action::EditAgreements,
        Action::ReadNews,
        Action::EditNews,
        Action::PublishNews,
        Action::ReadPositions,
        Action::EditPositions,
        Action::ReadTalent,
        Action::EditTalent,
        Action::ReadCandidates,
        Action::ManageOutcomes,
        Action::ReadCalls,
        Action::ManageCalls,
        Action::Apply,
        Action::ReadMobilities,
        Action::EditMobilities,
        Action::ViewReports,
        Action::TickChecklist,
        Action::ManageChecklists,
        Action::AnswerNominations,
        Action::NominateIncoming,
        Action::PlaceGroups,
        Action::ReadCampaigns,
        Action::EditCampaigns,
    ];
}

/// The permission table. Later issues add rows (and scope rules) here and nowhere else.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        UseApp => true,
        ReadDirectory => matches!(role, Admin | Staff | Coordinator | Partner | Enterprise),
        EditPartners => matches!(role, Admin | Staff),
        EditContacts => matches!(role, Admin | Staff | Coordinator),
        ManageUsers => role == Admin,
        ReadAudit => matches!(role, Admin | Staff),
        ManagePersonalData => role == Admin,
        ReadEvents => matches!(role, Admin | Staff | Coordinator | Partner | Enterprise),
        EditEvents => matches!(role, Admin | Staff),
        ReadAgreements => matches!(role, Admin | Staff | Coordinator | Partner | Enterprise),
        EditAgreements => matches!(role, Admin | Staff),
        ReadNews => matches!(role, Admin | Staff | Editor | Coordinator),
        EditNews => matches!(role, Admin | Staff | Editor),
        PublishNews => matches!(role, Admin | Staff),
        ReadPositions => matches!(role, Admin | Staff | Coordinator | Student | Enterprise),
        EditPositions => matches!(role, Admin | Staff | Enterprise),
        ReadTalent => matches!(role, Admin | Staff | Student | Enterprise),
        EditTalent => matches!(role, Admin | Staff | Student),
        ReadCandidates => matches!(role, Admin | Staff | Enterprise),
        ManageOutcomes => matches!(role, Admin | Staff),
        ReadCalls => matches!(role, Admin | Staff | Coordinator | Student),
        ManageCalls => matches!(role, Admin | Staff),
        Apply => matches!(role, Admin | Staff | Student),
        ReadMobilities => matches!(role, Admin | Staff | Coordinator | Student | Partner),
        EditMobilities => matches!(role, Admin | Staff | Coordinator),
        ViewReports => matches!(role, Admin | Staff | Coordinator),
        TickChecklist => matches!(role, Admin | Staff | Coordinator | Student),
        ManageChecklists => matches!(role, Admin | Staff),
        AnswerNominations => matches!(role, Admin | Staff | Partner),
        NominateIncoming => matches!(role, Admin | Staff | Partner),
        PlaceGroups => matches!(role, Admin | Staff),
        ReadCampaigns => matches!(role, Admin | Staff | Coordinator | Partner | Enterprise),
        EditCampaigns => matches!(role, Admin | Staff),
    }
}

/// Which records a user's role reaches. The route guard checks the action (`allows`); the scope
/// narrows it to records: storage filters lists by it in SQL, handlers check single records with
/// the `may_*` methods (404 when the record is not visible at all, 403 when visible but not
/// editable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record (admin, staff).
    All,
    /// A coordinator: these org units and every unit below them (already expanded).
    Units(Vec<Id>),
    /// A partner or enterprise contact: the institution they speak for.
    Institution(Id),
    /// No directory record (students, editors, or a scoped role without its scope).
    Nothing,
}

impl Scope {
    /// The scope of a role, given the account's institution and its (expanded) units.
    pub fn of(role: Role, institution_id: Option<Id>, units: Vec<Id>) -> Scope {
        match role {
            Role::Admin | Role::Staff => Scope::All,
            Role::Coordinator if !units.is_empty() => Scope::Units(units),
            Role::Partner | Role::Enterprise => {
                institution_id.map_or(Scope::Nothing, Scope::Institution)
            }
            _ => Scope::Nothing,
        }
    }

    fn has_unit(&self, unit: Option<Id>) -> bool {
        matches!((self, unit), (Scope::Units(units), Some(u)) if units.contains(&u))
    }

    /// Coordinators browse every partner (they work with all of them); partner and enterprise
    /// contacts see only their own institution.
    pub fn may_read_institution(&self, institution_id: Id) -> bool {
        match self {
            Scope::All | Scope::Units(_) => true,
            Scope::Institution(own) => *own == institution_id,
            Scope::Nothing => false,
        }
    }

    pub fn may_read_unit(&self, institution_id: Id) -> bool {
        self.may_read_institution(institution_id)
    }

    /// A coordinator edits their own units and those below them, and may add units below them.
    pub fn may_edit_unit(&self, unit_id: Id) -> bool {
        matches!(self, Scope::All) || self.has_unit(Some(unit_id))
    }

    /// A coordinator sees the contacts of their own units only.
    pub fn may_read_person(&self, institution_id: Option<Id>, org_unit_id: Option<Id>) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(_) => self.has_unit(org_unit_id),
            Scope::Institution(own) => institution_id == Some(*own),
            Scope::Nothing => false,
        }
    }

    /// A coordinator creates and edits contacts attached to their own units.
    pub fn may_edit_person(&self, org_unit_id: Option<Id>) -> bool {
        matches!(self, Scope::All) || self.has_unit(org_unit_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_office_roles_edit_partners() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Admin | Role::Staff);
            assert_eq!(allows(*role, Action::EditPartners), expected, "{role}");
        }
        assert!(allows(Role::Coordinator, Action::EditContacts));
        assert!(!allows(Role::Partner, Action::EditContacts));
        assert!(!allows(Role::Student, Action::ReadDirectory));
        assert!(!allows(Role::Editor, Action::ReadDirectory));
        assert!(!allows(Role::Staff, Action::ManageUsers));
        assert!(allows(Role::Admin, Action::ManageUsers));
    }

    #[test]
    fn scopes_narrow_records() {
        let coordinator = Scope::of(Role::Coordinator, None, vec![7, 8]);
        assert!(coordinator.may_read_institution(1));
        assert!(coordinator.may_edit_unit(8));
        assert!(!coordinator.may_edit_unit(9));
        assert!(coordinator.may_read_person(Some(1), Some(7)));
        assert!(!coordinator.may_read_person(Some(1), None));
        assert!(!coordinator.may_edit_person(Some(9)));

        let partner = Scope::of(Role::Partner, Some(3), vec![]);
        assert!(partner.may_read_institution(3));
        assert!(!partner.may_read_institution(4));
        assert!(partner.may_read_person(Some(3), None));
        assert!(!partner.may_edit_person(None));
        assert!(!partner.may_edit_unit(1));

        assert_eq!(Scope::of(Role::Coordinator, None, vec![]), Scope::Nothing);
        assert_eq!(Scope::of(Role::Student, Some(3), vec![1]), Scope::Nothing);
        assert_eq!(Scope::of(Role::Staff, None, vec![]), Scope::All);
    }
}
