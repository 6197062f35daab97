//! Recruitment campaigns with partners (招生宣传): promoting study at the university to
//! international students through a partner, like "Study at HIT" with the OpenAtom Foundation —
//! channel, target countries, period, leads and conversions.

use serde::{Deserialize, Serialize};

use crate::event::iso_date;
use crate::text::LocalizedText;
use crate::validation::FieldErrors;
use crate::{CountryCode, Id};

string_enum!(
    /// How a campaign reaches students.
    Channel, "campaign-channel" {
        InfoSession => "info_session",
        EducationFair => "education_fair",
        SocialMedia => "social_media",
        Website => "website",
        PartnerNetwork => "partner_network",
        Agent => "agent",
        Other => "other",
    }
);

pub const TITLE_MAX: usize = 300;
pub const NOTES_MAX: usize = 5000;
pub const COUNTRIES_MAX: usize = 60;
/// The largest leads or conversions figure.
pub const FIGURE_MAX: i64 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignDraft {
    /// The partner the campaign is run with.
    #[serde(with = "crate::id_as_string")]
    pub institution_id: Id,
    pub title: LocalizedText,
    pub channel: Channel,
    #[serde(default)]
    pub target_countries: Vec<CountryCode>,
    #[serde(with = "iso_date::option", default)]
    pub start_on: Option<time::Date>,
    #[serde(with = "iso_date::option", default)]
    pub end_on: Option<time::Date>,
    /// Prospective students who showed interest.
    #[serde(default)]
    pub leads: i64,
    /// Leads who applied (or enrolled).
    #[serde(default)]
    pub conversions: i64,
    #[serde(default)]
    pub notes: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: CampaignDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl CampaignDraft {
    pub fn validate(mut self) -> Result<CampaignDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.normalized();
        self.notes = self.notes.normalized();
        if self.title.is_empty() {
            e.push("title", "required");
        }
        self.title.check("title", TITLE_MAX, &mut e);
        self.notes.check("notes", NOTES_MAX, &mut e);
        if self.target_countries.len() > COUNTRIES_MAX {
            e.push_limit("target_countries", "too-many", COUNTRIES_MAX);
        }
        let mut seen = Vec::new();
        for (i, c) in self.target_countries.iter().enumerate() {
            if seen.contains(c) {
                e.push(format!("target_countries.{i}"), "duplicate");
            }
            seen.push(*c);
        }
        if let (Some(s), Some(end)) = (self.start_on, self.end_on) {
            if end < s {
                e.push("end_on", "end-before-start");
            }
        }
        for (field, v) in [("leads", self.leads), ("conversions", self.conversions)] {
            if !(0..=FIGURE_MAX).contains(&v) {
                e.push(field, "invalid-number");
            }
        }
        if self.conversions > self.leads {
            e.push("conversions", "more-than-leads");
        }
        e.into_result(self)
    }

    /// Conversions per hundred leads (none without leads).
    pub fn conversion_percent(&self) -> Option<i64> {
        (self.leads > 0).then(|| self.conversions * 100 / self.leads)
    }

    pub fn search_text(&self) -> String {
        let parts: Vec<&str> = self.title.all().collect();
        crate::search::normalize(&parts.join("\u{1f}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign() -> CampaignDraft {
        CampaignDraft {
            institution_id: 1,
            title: LocalizedText::bilingual("Study at HIT", "留学哈工大"),
            channel: Channel::InfoSession,
            target_countries: vec![CountryCode::parse("KZ").unwrap()],
            start_on: iso_date::parse("2024-09-01"),
            end_on: iso_date::parse("2025-06-30"),
            leads: 200,
            conversions: 30,
            notes: LocalizedText::default(),
        }
    }

    #[test]
    fn conversions_cannot_exceed_leads_and_periods_run_forward() {
        let ok = campaign().validate().unwrap();
        assert_eq!(ok.conversion_percent(), Some(15));
        let mut bad = campaign();
        bad.conversions = 201;
        bad.end_on = iso_date::parse("2024-01-01");
        bad.target_countries.push(CountryCode::parse("kz").unwrap());
        bad.title = LocalizedText::default();
        let e = bad.validate().unwrap_err();
        for f in ["conversions", "end_on", "target_countries.1", "title"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
