//! ISCED-F 2013 fields of education and training (broad, narrow and detailed), with English and
//! Chinese names. The list is data (`isced_f_2013.tsv`), compiled in.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const DATA: &str = include_str!("isced_f_2013.tsv");

struct Entry {
    code: &'static str,
    en: &'static str,
    zh: &'static str,
}

fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries: Vec<Entry> = DATA
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let mut parts = l.split('\t');
                let (Some(code), Some(en), Some(zh)) = (parts.next(), parts.next(), parts.next())
                else {
                    panic!("bad ISCED line {l:?}");
                };
                Entry { code, en, zh }
            })
            .collect();
        entries.sort_by(|a, b| a.code.cmp(b.code));
        entries
    })
}

/// A field code from ISCED-F 2013 such as `04` (broad), `042` (narrow) or `0421` (detailed,
/// Law); the only way to build one is `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IscedCode(&'static str);

impl IscedCode {
    pub fn parse(code: &str) -> Option<IscedCode> {
        let code = code.trim();
        let t = table();
        t.binary_search_by(|e| e.code.cmp(code))
            .ok()
            .map(|i| IscedCode(t[i].code))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    fn entry(&self) -> &'static Entry {
        let t = table();
        let i = t
            .binary_search_by(|e| e.code.cmp(self.0))
            .expect("parsed codes exist");
        &t[i]
    }

    pub fn name_en(&self) -> &'static str {
        self.entry().en
    }

    pub fn name_zh(&self) -> &'static str {
        self.entry().zh
    }

    pub fn name(&self, chinese: bool) -> &'static str {
        if chinese {
            self.name_zh()
        } else {
            self.name_en()
        }
    }

    /// `broad`, `narrow` or `detailed`.
    pub fn level(&self) -> &'static str {
        match self.0.len() {
            2 => "broad",
            3 => "narrow",
            _ => "detailed",
        }
    }

    /// Every code, in code order.
    pub fn all() -> impl Iterator<Item = IscedCode> {
        table().iter().map(|e| IscedCode(e.code))
    }
}

impl std::fmt::Display for IscedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl TryFrom<String> for IscedCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IscedCode::parse(&value).ok_or_else(|| format!("{value:?} is not an ISCED-F 2013 code"))
    }
}

impl From<IscedCode> for String {
    fn from(c: IscedCode) -> String {
        c.0.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn law_is_there_in_both_languages() {
        let law = IscedCode::parse("0421").unwrap();
        assert_eq!(law.name_en(), "Law");
        assert_eq!(law.name_zh(), "法学");
        assert_eq!(law.level(), "detailed");
        assert_eq!(IscedCode::parse(" 04 ").unwrap().level(), "broad");
    }

    #[test]
    fn the_full_list_is_shipped_and_well_formed() {
        let all: Vec<_> = IscedCode::all().collect();
        assert!(all.len() >= 120, "{}", all.len());
        for c in &all {
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_digit()));
            assert!((2..=4).contains(&c.as_str().len()));
            assert!(!c.name_en().is_empty() && !c.name_zh().is_empty());
            // every narrow and detailed field sits under its broad (and narrow) field
            if c.as_str().len() > 2 {
                assert!(IscedCode::parse(&c.as_str()[..c.as_str().len() - 1]).is_some());
            }
        }
        assert!(IscedCode::parse("0420").is_none());
        assert!(IscedCode::parse("law").is_none());
    }
}
