//! One pagination and sorting shape for every list (C6).

use crate::validation::FieldErrors;

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// Parses `page` and `per_page` query values; `per_page` above the cap is capped, not refused.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<PageRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut parse = |field: &str, value: Option<&str>, default: u32| match value.map(str::trim)
        {
            None | Some("") => default,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    errors.push(field, "invalid-number");
                    default
                }
            },
        };
        let page = parse("page", page, 1);
        let per_page = parse("per_page", per_page, DEFAULT_PER_PAGE).min(MAX_PER_PAGE);
        // Offsets past ~2^31 rows are nonsense and would overflow some engines' LIMIT arithmetic.
        if u64::from(page) * u64::from(per_page) > i32::MAX as u64 {
            errors.push("page", "invalid-number");
        }
        errors.into_result(PageRequest { page, per_page })
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn page_count(&self, total: i64) -> u32 {
        let pages = (total + i64::from(self.per_page) - 1) / i64::from(self.per_page);
        pages.max(1) as u32
    }
}

/// A sort on one whitelisted field; `-field` sorts descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub descending: bool,
}

impl Sort {
    /// Accepts only names in `allowed`; the first allowed name is the default.
    pub fn parse(value: Option<&str>, allowed: &[&'static str]) -> Result<Sort, FieldErrors> {
        let value = value.map(str::trim).unwrap_or("");
        if value.is_empty() {
            return Ok(Sort {
                field: allowed[0],
                descending: false,
            });
        }
        let (name, descending) = match value.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (value, false),
        };
        match allowed.iter().find(|a| **a == name) {
            Some(field) => Ok(Sort { field, descending }),
            None => {
                let mut e = FieldErrors::default();
                e.push("sort", "invalid-choice");
                Err(e)
            }
        }
    }

    pub fn as_param(&self) -> String {
        if self.descending {
            format!("-{}", self.field)
        } else {
            self.field.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        let p = PageRequest::parse(Some("3"), Some("20")).unwrap();
        assert_eq!(p.offset(), 40);
        assert_eq!(
            PageRequest::parse(None, Some("9999")).unwrap().per_page,
            MAX_PER_PAGE
        );
        assert_eq!(
            PageRequest::parse(Some("0"), None).unwrap_err().0[0].field,
            "page"
        );
        assert_eq!(
            PageRequest::parse(Some("x"), None).unwrap_err().0[0].field,
            "page"
        );
        assert_eq!(p.page_count(41), 3);
        assert_eq!(p.page_count(0), 1);
    }

    #[test]
    fn sorts() {
        let s = Sort::parse(Some("-country"), &["name", "country"]).unwrap();
        assert_eq!((s.field, s.descending), ("country", true));
        assert!(Sort::parse(Some("password"), &["name"]).is_err());
    }
}
