//! The translation catalogue: every user-visible string is a Fluent message in `locales/`.
//!
//! A missing key renders as `⟦key⟧` (and is logged) instead of failing the page, so a test that
//! renders every page in both languages can find it.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The interface languages (C7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Accepts `en`, `zh-CN` and common variants (`zh`, `zh-Hans`, `en-GB`).
    pub fn parse(value: &str) -> Option<Lang> {
        let v = value.trim().to_ascii_lowercase();
        if v == "en" || v.starts_with("en-") {
            Some(Lang::En)
        } else if v == "zh" || v.starts_with("zh-") {
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// Picks the best language from an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn is_chinese(self) -> bool {
        self == Lang::ZhCn
    }
}

pub struct I18n {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

pub const EN_FTL: &str = include_str!("../locales/en.ftl");
pub const ZH_FTL: &str = include_str!("../locales/zh-CN.ftl");

impl I18n {
    pub fn load() -> I18n {
        let mut bundles = HashMap::new();
        for (lang, source) in [(Lang::En, EN_FTL), (Lang::ZhCn, ZH_FTL)] {
            let resource =
                FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| {
                    panic!("{} catalogue does not parse: {errors:?}", lang.tag())
                });
            let id: LanguageIdentifier = lang.tag().parse().expect("valid language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks around arguments would show up in <title> and in tests.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .expect("catalogue keys are unique");
            bundles.insert(lang, bundle);
        }
        I18n { bundles }
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundles[&lang].has_message(key)
    }

    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.format(lang, key, None)
    }

    pub fn t_args(&self, lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.format(lang, key, Some(&fa))
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &self.bundles[&lang];
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::error!(key, lang = lang.tag(), "missing translation");
            return format!("⟦{key}⟧");
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::error!(key, ?errors, "translation formatting failed");
        }
        text.into_owned()
    }
}

/// Every message id defined in a catalogue source, for the completeness test.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_domain::{InstitutionKind, OrgUnitKind, RegionTag, RelationshipStatus, Role};

    #[test]
    fn both_catalogues_hold_the_same_keys() {
        let mut en = message_ids(EN_FTL);
        let mut zh = message_ids(ZH_FTL);
        en.sort();
        zh.sort();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(only_en.is_empty(), "missing from zh-CN.ftl: {only_en:?}");
        assert!(only_zh.is_empty(), "missing from en.ftl: {only_zh:?}");
        assert!(en.len() > 100);
    }

    #[test]
    fn every_enum_value_and_error_code_has_a_message() {
        let i18n = I18n::load();
        let mut keys: Vec<String> = Vec::new();
        keys.extend(InstitutionKind::ALL.iter().map(|v| v.message_key()));
        keys.extend(RelationshipStatus::ALL.iter().map(|v| v.message_key()));
        keys.extend(RegionTag::ALL.iter().map(|v| v.message_key()));
        keys.extend(OrgUnitKind::ALL.iter().map(|v| v.message_key()));
        keys.extend(Role::ALL.iter().map(|v| v.message_key()));
        for code in [
            "required",
            "too-long",
            "invalid-country",
            "invalid-url",
            "invalid-email",
            "invalid-choice",
            "invalid-type",
            "unknown-field",
            "not-found",
            "invalid-parent",
            "invalid-number",
            "too-many",
            "invalid-language",
            "invalid-phone",
            "invalid-code",
            "taken",
            "cannot-change",
            "wrong-institution",
        ] {
            keys.push(format!("error-{code}"));
        }
        for lang in Lang::ALL {
            for key in &keys {
                assert!(i18n.has(lang, key), "{key} missing in {}", lang.tag());
            }
        }
    }

    #[test]
    fn plurals_and_arguments_format() {
        let i18n = I18n::load();
        assert_eq!(
            i18n.t_args(
                Lang::En,
                "results-count",
                &[("count", FluentValue::from(1))]
            ),
            "One result"
        );
        assert_eq!(
            i18n.t_args(
                Lang::En,
                "results-count",
                &[("count", FluentValue::from(7))]
            ),
            "7 results"
        );
        assert_eq!(
            i18n.t_args(
                Lang::ZhCn,
                "results-count",
                &[("count", FluentValue::from(7))]
            ),
            "共 7 条结果"
        );
        assert_eq!(i18n.t(Lang::ZhCn, "no-such-key"), "⟦no-such-key⟧");
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en-GB;q=0.7, zh;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }
}
