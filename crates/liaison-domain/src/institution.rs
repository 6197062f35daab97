//! Partner institutions: universities, enterprises, foundations, government bodies, alliances.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::text::LocalizedText;
use crate::validation::{check_len, clean, is_code, is_web_url, FieldErrors};
use crate::Id;

string_enum!(
    /// What sort of organisation a partner is (C6 wire names).
    InstitutionKind, "kind" {
        University => "university",
        Enterprise => "enterprise",
        Foundation => "foundation",
        Government => "government",
        Alliance => "alliance",
        School => "school",
    }
);

string_enum!(
    /// Where the office stands with a partner.
    RelationshipStatus, "status" {
        Prospect => "prospect",
        Active => "active",
        Dormant => "dormant",
        Ended => "ended",
    }
);

string_enum!(
    /// Regional and policy groupings offices report by.
    RegionTag, "region" {
        Sco => "sco",
        BeltAndRoad => "belt_and_road",
        Eu => "eu",
        Asean => "asean",
        Brics => "brics",
    }
);

pub const NAME_MAX: usize = 200;
pub const CITY_MAX: usize = 100;
pub const PROFILE_MAX: usize = 5000;
pub const URL_MAX: usize = 500;
pub const CODE_MAX: usize = 64;

/// What a person submits to create or replace an institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstitutionDraft {
    pub kind: InstitutionKind,
    pub name: LocalizedText,
    pub country: CountryCode,
    pub city: LocalizedText,
    pub website: Option<String>,
    pub status: RelationshipStatus,
    pub region_tags: Vec<RegionTag>,
    /// SCHAC code used as EWP `hei_id`, e.g. `xjtu.edu.cn`.
    pub hei_id: Option<String>,
    pub erasmus_code: Option<String>,
    /// China's unified social credit code (统一社会信用代码) for Chinese organisations.
    pub social_credit_code: Option<String>,
    pub profile: LocalizedText,
}

/// A stored institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    #[serde(flatten)]
    pub draft: InstitutionDraft,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl InstitutionDraft {
    /// Normalises (trims, dedups tags, lower-cases hei_id) and checks every field.
    pub fn validate(mut self) -> Result<InstitutionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        self.name = self.name.normalized();
        self.city = self.city.normalized();
        self.profile = self.profile.normalized();
        self.website = clean(self.website.as_deref());
        self.hei_id = clean(self.hei_id.as_deref()).map(|s| s.to_lowercase());
        self.erasmus_code = clean(self.erasmus_code.as_deref());
        self.social_credit_code =
            clean(self.social_credit_code.as_deref()).map(|s| s.to_uppercase());
        self.region_tags.sort();
        self.region_tags.dedup();

        if self.name.is_empty() {
            errors.push("name", "required");
        }
        self.name.check("name", NAME_MAX, &mut errors);
        self.city.check("city", CITY_MAX, &mut errors);
        self.profile.check("profile", PROFILE_MAX, &mut errors);
        if let Some(url) = &self.website {
            check_len("website", url, URL_MAX, &mut errors);
            if !is_web_url(url) {
                errors.push("website", "invalid-url");
            }
        }
        for (field, value) in [
            ("hei_id", &self.hei_id),
            ("erasmus_code", &self.erasmus_code),
            ("social_credit_code", &self.social_credit_code),
        ] {
            if let Some(v) = value {
                check_len(field, v, CODE_MAX, &mut errors);
                if !is_code(v) {
                    errors.push(field, "invalid-code");
                }
            }
        }
        errors.into_result(self)
    }

    /// The text `q` searches: every language of every name-like field.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.name.all().collect();
        parts.extend(self.city.all());
        parts.extend(self.hei_id.as_deref());
        parts.extend(self.erasmus_code.as_deref());
        crate::search::normalize(&parts.join("\u{1f}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> InstitutionDraft {
        InstitutionDraft {
            kind: InstitutionKind::University,
            name: LocalizedText::bilingual("Xi'an Jiaotong University", "西安交通大学"),
            country: CountryCode::parse("CN").unwrap(),
            city: LocalizedText::bilingual("Xi'an", "西安"),
            website: Some(" https://www.xjtu.edu.cn ".into()),
            status: RelationshipStatus::Active,
            region_tags: vec![RegionTag::Sco, RegionTag::BeltAndRoad, RegionTag::Sco],
            hei_id: Some("XJTU.edu.cn".into()),
            erasmus_code: None,
            social_credit_code: None,
            profile: LocalizedText::default(),
        }
    }

    #[test]
    fn valid_draft_is_normalised() {
        let d = draft().validate().unwrap();
        assert_eq!(d.website.as_deref(), Some("https://www.xjtu.edu.cn"));
        assert_eq!(d.hei_id.as_deref(), Some("xjtu.edu.cn"));
        assert_eq!(d.region_tags, vec![RegionTag::Sco, RegionTag::BeltAndRoad]);
    }

    #[test]
    fn a_name_in_some_language_is_required() {
        let mut d = draft();
        d.name = LocalizedText::new(Some(" "), None, None);
        let errors = d.validate().unwrap_err();
        assert_eq!(errors.0[0].field, "name");
        assert_eq!(errors.0[0].code, "required");
    }

    #[test]
    fn bad_website_and_long_name_are_both_reported() {
        let mut d = draft();
        d.website = Some("www.example.com".into());
        d.name.zh = Some("长".repeat(NAME_MAX + 1));
        let errors = d.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name.zh", "website"]);
    }

    #[test]
    fn search_text_holds_every_language() {
        let text = draft().search_text();
        assert!(text.contains("xi'an jiaotong"));
        assert!(text.contains("交通大学"));
    }
}
