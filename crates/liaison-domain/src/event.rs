//! Events: visits and delegations (incoming and outgoing), symposiums, signing ceremonies,
//! seminars, field trips, career fairs and launches, with their participants and outcomes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::Id;

string_enum!(
    /// What sort of event it was (C6 wire names).
    EventKind, "event-kind" {
        IncomingVisit => "incoming_visit",
        OutgoingVisit => "outgoing_visit",
        Symposium => "symposium",
        SigningCeremony => "signing_ceremony",
        Seminar => "seminar",
        FieldTrip => "field_trip",
        CareerFair => "career_fair",
        Launch => "launch",
    }
);

string_enum!(
    /// The part a participant played.
    ParticipantRole, "participant-role" {
        HeadOfDelegation => "head_of_delegation",
        Member => "member",
        Speaker => "speaker",
        Guest => "guest",
        Host => "host",
        CoHost => "co_host",
    }
);

pub const TITLE_MAX: usize = 300;
pub const VENUE_MAX: usize = 300;
pub const SUMMARY_MAX: usize = 10_000;
pub const POINT_MAX: usize = 1_000;
pub const PARTICIPANTS_MAX: usize = 500;
pub const POINTS_MAX: usize = 50;
pub const HONOURS_MAX: usize = 50;
pub const AGREEMENTS_MAX: usize = 50;

/// Dates travel as ISO 8601 `YYYY-MM-DD` text.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");

    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if text.len() != 10 {
            return None;
        }
        Date::parse(text, FORMAT).ok()
    }

    pub fn format(date: Date) -> String {
        date.format(FORMAT).expect("dates always format")
    }

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD"))
    }

    /// The same for an optional date.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) => super::parse(&s)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD")),
            }
        }
    }
}

/// Someone (a person, an institution, or a person speaking for an institution) at an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    #[serde(with = "crate::id_as_string::option", default)]
    pub person_id: Option<Id>,
    /// The institution the participant came from or stood for. Storage fills it in from the
    /// person's record when only a person is given.
    #[serde(with = "crate::id_as_string::option", default)]
    pub institution_id: Option<Id>,
    pub role: ParticipantRole,
}

/// An honour conferred at an event: an honorary professorship, an award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Honour {
    #[serde(with = "crate::id_as_string")]
    pub person_id: Id,
    pub honour: LocalizedText,
    /// The institution that conferred it.
    #[serde(with = "crate::id_as_string::option", default)]
    pub conferred_by: Option<Id>,
}

/// What a person submits to create or replace an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    pub kind: EventKind,
    pub title: LocalizedText,
    #[serde(with = "iso_date")]
    pub start_on: time::Date,
    #[serde(with = "iso_date")]
    pub end_on: time::Date,
    pub venue: LocalizedText,
    /// The home university's unit that hosted or organised it.
    #[serde(with = "crate::id_as_string::option", default)]
    pub host_unit_id: Option<Id>,
    pub summary: LocalizedText,
    pub participants: Vec<Participant>,
    /// Consensus reached (达成共识), one point per entry.
    pub consensus: Vec<LocalizedText>,
    pub honours: Vec<Honour>,
    /// Agreements signed at the event.
    #[serde(serialize_with = "crate::event::ids_ser", deserialize_with = "ids_de")]
    pub agreement_ids: Vec<Id>,
}

pub(crate) fn ids_ser<S: serde::Serializer>(ids: &[Id], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ids.iter().map(|id| id.to_string()))
}

fn ids_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Id>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(with = "crate::id_as_string")] Id);
    Ok(Vec::<W>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// How many distinct institutions and countries took part ("27 universities from 7 countries").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantCounts {
    pub institutions: usize,
    pub countries: usize,
    pub people: usize,
}

impl ParticipantCounts {
    /// Counts from the participants and the country of each institution.
    pub fn of(
        participants: &[Participant],
        country_of: impl Fn(Id) -> Option<CountryCode>,
    ) -> ParticipantCounts {
        let institutions: BTreeSet<Id> = participants
            .iter()
            .filter_map(|p| p.institution_id)
            .collect();
        let countries: BTreeSet<CountryCode> =
            institutions.iter().filter_map(|i| country_of(*i)).collect();
        let people: BTreeSet<Id> = participants.iter().filter_map(|p| p.person_id).collect();
        ParticipantCounts {
            institutions: institutions.len(),
            countries: countries.len(),
            people: people.len(),
        }
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: EventDraft,
    pub counts: ParticipantCounts,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl EventDraft {
    /// Normalises (trims texts, drops empty consensus points and repeated agreements) and checks
    /// every field.
    pub fn validate(mut self) -> Result<EventDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.title = self.title.normalized();
        self.venue = self.venue.normalized();
        self.summary = self.summary.normalized();
        self.consensus = self
            .consensus
            .iter()
            .map(LocalizedText::normalized)
            .filter(|t| !t.is_empty())
            .collect();
        let mut seen = BTreeSet::new();
        self.agreement_ids.retain(|id| seen.insert(*id));

        if self.title.is_empty() {
            errors.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut errors);
        if self.end_on < self.start_on {
            errors.push("end_on", "before-start");
        }
        self.venue.check("venue", VENUE_MAX, &mut errors);
        self.summary.check("summary", SUMMARY_MAX, &mut errors);

        if self.participants.len() > PARTICIPANTS_MAX {
            errors.push_limit("participants", "too-many", PARTICIPANTS_MAX);
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.participants.iter().enumerate() {
            if p.person_id.is_none() && p.institution_id.is_none() {
                errors.push(format!("participants.{i}"), "required");
            } else if !seen.insert((p.person_id, p.institution_id)) {
                errors.push(format!("participants.{i}"), "duplicate");
            }
        }
        if self.consensus.len() > POINTS_MAX {
            errors.push_limit("consensus", "too-many", POINTS_MAX);
        }
        for (i, point) in self.consensus.iter().enumerate() {
            point.check(&format!("consensus.{i}"), POINT_MAX, &mut errors);
        }
        if self.honours.len() > HONOURS_MAX {
            errors.push_limit("honours", "too-many", HONOURS_MAX);
        }
        for (i, h) in self.honours.iter_mut().enumerate() {
            h.honour = h.honour.normalized();
            if h.honour.is_empty() {
                errors.push(format!("honours.{i}.honour"), "required");
            }
            h.honour
                .check(&format!("honours.{i}.honour"), TITLE_MAX, &mut errors);
        }
        if self.agreement_ids.len() > AGREEMENTS_MAX {
            errors.push_limit("agreement_ids", "too-many", AGREEMENTS_MAX);
        }
        errors.into_result(self)
    }

    /// The text `q` searches: every language of the title and the venue.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.title.all().collect();
        parts.extend(self.venue.all());
        crate::search::normalize(&parts.join("\u{1f}"))
    }

    /// The institutions taking part, each once, in order of first appearance.
    pub fn institution_ids(&self) -> Vec<Id> {
        let mut seen = BTreeSet::new();
        self.participants
            .iter()
            .filter_map(|p| p.institution_id)
            .filter(|i| seen.insert(*i))
            .collect()
    }

    /// Whether an institution took part (what a partner contact may see).
    pub fn involves(&self, institution_id: Id) -> bool {
        self.participants
            .iter()
            .any(|p| p.institution_id == Some(institution_id))
    }

    /// Office staff and coordinators see every event; a partner or enterprise contact those
    /// their institution took part in.
    pub fn visible_to(&self, scope: &crate::Scope) -> bool {
        match scope {
            crate::Scope::All | crate::Scope::Units(_) => true,
            crate::Scope::Institution(id) => self.involves(*id),
            crate::Scope::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> time::Date {
        iso_date::parse(s).unwrap()
    }

    pub(crate) fn draft() -> EventDraft {
        EventDraft {
            kind: EventKind::Symposium,
            title: LocalizedText::bilingual(
                " SCO higher-education cooperation symposium ",
                "上合组织高等教育合作研讨会",
            ),
            start_on: date("2024-07-04"),
            end_on: date("2024-07-04"),
            venue: LocalizedText::bilingual("Astana", "阿斯塔纳"),
            host_unit_id: None,
            summary: LocalizedText::default(),
            participants: vec![
                Participant {
                    person_id: None,
                    institution_id: Some(1),
                    role: ParticipantRole::Host,
                },
                Participant {
                    person_id: Some(7),
                    institution_id: Some(2),
                    role: ParticipantRole::CoHost,
                },
            ],
            consensus: vec![
                LocalizedText::en("Student exchange in international law"),
                LocalizedText::en("  "),
            ],
            honours: vec![],
            agreement_ids: vec![3, 3, 4],
        }
    }

    #[test]
    fn valid_draft_is_normalised() {
        let d = draft().validate().unwrap();
        assert_eq!(
            d.title.en.as_deref(),
            Some("SCO higher-education cooperation symposium")
        );
        assert_eq!(d.consensus.len(), 1, "empty points are dropped");
        assert_eq!(d.agreement_ids, [3, 4]);
        assert!(d.involves(2) && !d.involves(3));
        assert!(d.search_text().contains("上合组织"));
    }

    #[test]
    fn end_before_start_names_the_field() {
        let mut d = draft();
        d.end_on = date("2024-07-03");
        let e = d.validate().unwrap_err();
        assert_eq!(e.0[0].field, "end_on");
        assert_eq!(e.0[0].code, "before-start");
    }

    #[test]
    fn title_participants_and_honours_are_checked() {
        let mut d = draft();
        d.title = LocalizedText::default();
        d.participants.push(Participant {
            person_id: None,
            institution_id: None,
            role: ParticipantRole::Guest,
        });
        d.participants.push(d.participants[0].clone());
        d.honours.push(Honour {
            person_id: 7,
            honour: LocalizedText::default(),
            conferred_by: Some(1),
        });
        let e = d.validate().unwrap_err();
        let fields: Vec<(&str, &str)> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("title", "required"),
                ("participants.2", "required"),
                ("participants.3", "duplicate"),
                ("honours.0.honour", "required"),
            ]
        );
    }

    #[test]
    fn counts_distinct_institutions_and_countries() {
        let mut participants = Vec::new();
        // 27 universities from 7 countries, some with several delegates.
        for i in 0..27 {
            for person in 0..2 {
                participants.push(Participant {
                    person_id: Some(i * 10 + person),
                    institution_id: Some(i),
                    role: ParticipantRole::Member,
                });
            }
        }
        participants.push(Participant {
            person_id: Some(999),
            institution_id: None,
            role: ParticipantRole::Guest,
        });
        let codes = ["CN", "KZ", "RU", "KG", "TJ", "UZ", "IN"];
        let counts = ParticipantCounts::of(&participants, |i| {
            CountryCode::parse(codes[(i as usize) % codes.len()])
        });
        assert_eq!(counts.institutions, 27);
        assert_eq!(counts.countries, 7);
        assert_eq!(counts.people, 55);
    }

    #[test]
    fn dates_parse_strictly() {
        assert!(iso_date::parse("2024-02-30").is_none());
        assert!(iso_date::parse("2024-2-3").is_none());
        assert_eq!(iso_date::format(date("2024-03-12")), "2024-03-12");
        let json = serde_json::to_value(draft()).unwrap();
        assert_eq!(json["start_on"], "2024-07-04");
        assert_eq!(json["agreement_ids"][0], "3");
        let back: EventDraft = serde_json::from_value(json).unwrap();
        assert_eq!(back, draft());
    }
}
