//! Text a person types in several languages.

use serde::{Deserialize, Serialize};

use crate::validation::{check_len, FieldErrors};

/// A name or phrase in English, Chinese and optionally the partner's local language (C6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
}

impl LocalizedText {
    pub fn new(en: Option<&str>, zh: Option<&str>, local: Option<&str>) -> Self {
        let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        LocalizedText {
            en: clean(en),
            zh: clean(zh),
            local: clean(local),
        }
    }

    pub fn en(text: &str) -> Self {
        Self::new(Some(text), None, None)
    }

    pub fn bilingual(en: &str, zh: &str) -> Self {
        Self::new(Some(en), Some(zh), None)
    }

    /// Trims every language and drops the empty ones, so that "  " never counts as a name.
    pub fn normalized(&self) -> Self {
        Self::new(
            self.en.as_deref(),
            self.zh.as_deref(),
            self.local.as_deref(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.normalized() == LocalizedText::default()
    }

    /// The text in the viewer's language, falling back to the other languages.
    pub fn display(&self, prefer_chinese: bool) -> &str {
        let order = if prefer_chinese {
            [&self.zh, &self.en, &self.local]
        } else {
            [&self.en, &self.zh, &self.local]
        };
        order
            .into_iter()
            .flatten()
            .next()
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Checks each language against a length limit, reporting `field.en`, `field.zh`, ...
    pub fn check(&self, field: &str, max_chars: usize, errors: &mut FieldErrors) {
        for (lang, value) in [("en", &self.en), ("zh", &self.zh), ("local", &self.local)] {
            if let Some(v) = value {
                check_len(&format!("{field}.{lang}"), v, max_chars, errors);
            }
        }
    }

    pub fn all(&self) -> impl Iterator<Item = &str> {
        [&self.en, &self.zh, &self.local]
            .into_iter()
            .flatten()
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_falls_back_to_the_other_language() {
        let only_zh = LocalizedText::new(None, Some("科大讯飞"), None);
        assert_eq!(only_zh.display(false), "科大讯飞");
        let both = LocalizedText::bilingual("iFLYTEK", "科大讯飞");
        assert_eq!(both.display(false), "iFLYTEK");
        assert_eq!(both.display(true), "科大讯飞");
    }

    #[test]
    fn blank_languages_are_dropped() {
        let t = LocalizedText::new(Some("  "), Some(" 哈工大 "), None);
        assert_eq!(t.en, None);
        assert_eq!(t.zh.as_deref(), Some("哈工大"));
        assert!(LocalizedText::new(Some(" "), None, Some("")).is_empty());
    }
}
