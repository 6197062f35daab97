//! Liaison's domain: the vocabulary of an international and industry cooperation office as Rust
//! types, the rules that keep records valid, and the permission table.
//!
//! Invariant: no I/O, no async, no database or HTTP types. Everything here is a plain value that
//! can be unit-tested in isolation; storage and web depend on this crate, never the reverse.

#[macro_use]
mod string_enum;

pub mod access;
pub mod account;
pub mod action_item;
pub mod agreement;
pub mod campaign;
pub mod checklist;
pub mod country;
mod country_table;
pub mod document;
pub mod enterprise;
pub mod event;
pub mod exchange;
pub mod institution;
pub mod isced;
pub mod matching;
pub mod mobility;
pub mod news;
pub mod nomination;
pub mod org_unit;
pub mod paging;
pub mod password;
pub mod person;
pub mod programme;
pub mod search;
pub mod text;
pub mod validation;

pub use access::{Action, Role, Scope};
pub use action_item::{ActionItem, ActionItemDraft, ActionStatus};
pub use agreement::{
    Agreement, AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft, CooperationCondition,
};
pub use campaign::{Campaign, CampaignDraft, Channel};
pub use country::CountryCode;
pub use enterprise::{
    EmploymentOutcome, EmploymentOutcomeDraft, Placement, PlacementDraft, PlacementStatus,
    Position, PositionDraft, PositionKind, PositionStatus, SkillProfile, SkillProfileDraft,
};
pub use event::{
    Event, EventDraft, EventKind, Honour, Participant, ParticipantCounts, ParticipantRole,
};
pub use exchange::{
    ApplicantFacts, Application, ApplicationDraft, ApplicationStatus, Call, CallDraft, CallPlace,
    CallWindow, EligibilityRules, ExplanationLine, FailedRule, ScoringRule,
};
pub use institution::{
    Institution, InstitutionDraft, InstitutionKind, RegionTag, RelationshipStatus,
};
pub use isced::IscedCode;
pub use mobility::{Mobility, MobilityDirection, MobilityDraft, MobilityStatus};
pub use news::{Credit, CreditRole, NewsDraft, NewsItem, NewsStatus, PublishedVersion};
pub use org_unit::{OrgUnit, OrgUnitDraft, OrgUnitKind};
pub use paging::{PageRequest, Sort};
pub use person::{Person, PersonDraft};
pub use programme::{ProgrammeLine, ProgrammeLineDraft, ProgrammeLineKind, ProgrammeLineStatus};
pub use text::LocalizedText;
pub use validation::{FieldError, FieldErrors};

/// A record's identifier. Stored as an integer, shown to the outside world as a string (C6).
pub type Id = i64;

/// Serialises an integer id as a JSON string, as contract C6 asks, and accepts either on input.
pub mod id_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Number(i64),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(n),
            Either::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }

    /// The same for an optional id.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(id: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match id {
                Some(id) => s.collect_str(id),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Either {
                Text(String),
                Number(i64),
            }
            match Option::<Either>::deserialize(d)? {
                None => Ok(None),
                Some(Either::Number(n)) => Ok(Some(n)),
                Some(Either::Text(t)) => t.parse().map(Some).map_err(serde::de::Error::custom),
            }
        }
    }
}
