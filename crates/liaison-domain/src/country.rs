//! ISO 3166-1 alpha-2 country codes with English and Chinese names.

use serde::{Deserialize, Serialize};

use crate::country_table::COUNTRIES;

/// A valid ISO 3166-1 alpha-2 code such as `CN` or `KZ`; the only way to build one is `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Accepts upper or lower case; rejects codes that ISO 3166-1 does not assign.
    pub fn parse(code: &str) -> Option<CountryCode> {
        let upper = code.trim().to_ascii_uppercase();
        let index = COUNTRIES
            .binary_search_by(|(c, _, _)| c.cmp(&upper.as_str()))
            .ok()?;
        let bytes = COUNTRIES[index].0.as_bytes();
        Some(CountryCode([bytes[0], bytes[1]]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }

    fn entry(&self) -> &'static (&'static str, &'static str, &'static str) {
        let code = self.as_str();
        let index = COUNTRIES
            .binary_search_by(|(c, _, _)| c.cmp(&code))
            .expect("parsed codes exist");
        &COUNTRIES[index]
    }

    pub fn name_en(&self) -> &'static str {
        self.entry().1
    }

    pub fn name_zh(&self) -> &'static str {
        self.entry().2
    }

    pub fn name(&self, chinese: bool) -> &'static str {
        if chinese {
            self.name_zh()
        } else {
            self.name_en()
        }
    }

    /// Every assigned code, in code order.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        COUNTRIES
            .iter()
            .map(|(c, _, _)| CountryCode::parse(c).expect("table codes are valid"))
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CountryCode::parse(&value)
            .ok_or_else(|| format!("{value:?} is not an ISO 3166-1 alpha-2 code"))
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_assigned_codes_only() {
        let kz = CountryCode::parse("kz").unwrap();
        assert_eq!(kz.as_str(), "KZ");
        assert_eq!(kz.name_en(), "Kazakhstan");
        assert_eq!(kz.name_zh(), "哈萨克斯坦");
        assert!(CountryCode::parse("XX").is_none());
        assert!(CountryCode::parse("CHN").is_none());
        assert!(CountryCode::parse("").is_none());
    }
}
