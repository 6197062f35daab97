//! Field-level validation results shared by every entity.
//!
//! An error names the field (dotted path such as `name.en`) and a stable `code`; the web layer turns
//! the code into a sentence in the viewer's language (catalogue key `error-{code}`), the API returns
//! both the code and an English message.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    /// A number the message needs (a length limit), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        FieldError {
            field: field.into(),
            code,
            limit: None,
        }
    }

    /// The English sentence used in API errors and logs.
    pub fn message(&self) -> String {
        let what = match self.code {
            "required" => "is required".to_string(),
            "too-long" => format!("must be at most {} characters", self.limit.unwrap_or(0)),
            "control-characters" => "must not contain control characters such as NUL".to_string(),
            "invalid-country" => "is not an ISO 3166-1 alpha-2 country code".to_string(),
            "invalid-url" => "must be an http:// or https:// address".to_string(),
            "invalid-email" => "is not a valid e-mail address".to_string(),
            "invalid-choice" => "is not one of the allowed values".to_string(),
            "invalid-type" => "has the wrong type".to_string(),
            "unknown-field" => "is not a known field".to_string(),
            "not-found" => "refers to a record that does not exist".to_string(),
            "invalid-parent" => "must be another unit of the same institution, not itself or one of its own sub-units".to_string(),
            "invalid-number" => "must be a positive whole number".to_string(),
            "too-many" => format!("may hold at most {} entries", self.limit.unwrap_or(0)),
            "invalid-language" => "must be an ISO 639-1 language code such as en or zh".to_string(),
            "invalid-phone" => "may hold only digits, spaces and + - ( ) .".to_string(),
            "cannot-change" => "cannot be changed once set".to_string(),
            "wrong-institution" => "must be a unit of the chosen institution".to_string(),
            "taken" => "is already used by another record".to_string(),
            "invalid-code" => "may hold only letters, digits and . - _ /".to_string(),
            "scope-not-allowed" => "does not apply to this role".to_string(),
            "wrong-password" => "is not the current password".to_string(),
            "too-few" => format!("needs at least {} entries", self.limit.unwrap_or(0)),
            "invalid-isced" => "is not an ISCED-F 2013 field code".to_string(),
            "invalid-academic-year" => "must be an academic year such as 2024/2025".to_string(),
            "not-for-students" => "applies to staff mobility only".to_string(),
            "not-for-staff" => "applies to student mobility only".to_string(),
            "not-party" => "must be a party to the agreement".to_string(),
            "party-twice" => "names the same institution twice".to_string(),
            "end-before-start" => "must not be before the start".to_string(),
            "status-not-allowed" => "is not an allowed next status".to_string(),
            "used-by-condition" => "must keep the institutions a cooperation condition names".to_string(),
            "before-start" => "must not be before the start date".to_string(),
            "duplicate" => "repeats an earlier entry".to_string(),
            "invalid-transition" => "cannot change to this status from the current one".to_string(),
            "invalid-date" => "must be a date YYYY-MM-DD".to_string(),
            "same-institution" => "must differ from the home institution".to_string(),
            "score-range" => "must be a whole number from 0 to 100".to_string(),
            "gpa-range" => "must be a GPA from 0 to the top of the call's GPA scale".to_string(),
            "year-of-study-range" => "must be a year of study from 1 to 8".to_string(),
            "weight-range" => "must be a weight from 0 to 100".to_string(),
            "weights-sum" => "weights must add up to 100".to_string(),
            "exceeds-quota" => "exceeds the places the cooperation condition has left for the year".to_string(),
            "outside-years" => "is not in force in the call's academic year".to_string(),
            "deadline-passed" => "cannot change after the call's deadline".to_string(),
            "not-open-yet" => "cannot be used before the call opens".to_string(),
            "not-enterprise-agreement" => "must be a university–enterprise agreement (enterprise_programme or internship_base)".to_string(),
            "invalid-year" => "must be a year such as 2024".to_string(),
            "event-only-for-field-trips" => "may be set on field trips only".to_string(),
            "office-only" => "may be changed by the office only".to_string(),
            "more-than-leads" => "must not be more than the leads".to_string(),
            "owner-not-staff" => "must be an office staff account".to_string(),
            other => other.to_string(),
        };
        format!("{} {}", self.field, what)
    }
}

/// Every problem found in one input, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    pub fn push_limit(&mut self, field: impl Into<String>, code: &'static str, limit: usize) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            limit: Some(limit),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0
            .iter()
            .find(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        FieldErrors(vec![e])
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(FieldError::message).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Checks a typed text: at most `max_chars` characters and no control characters other than line
/// breaks and tabs (a NUL cannot even be stored by PostgreSQL).
pub fn check_len(field: &str, value: &str, max_chars: usize, errors: &mut FieldErrors) {
    if value.chars().count() > max_chars {
        errors.push_limit(field, "too-long", max_chars);
    } else if has_control_characters(value) {
        errors.push(field, "control-characters");
    }
}

/// Whether `value` holds a control character other than a line break or a tab.
pub fn has_control_characters(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A pragmatic e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.len() <= 254
}

/// An absolute http(s) URL with a host.
pub fn is_web_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host.split(':').next().unwrap_or("");
    !host_name.is_empty()
        && host_name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn is_phone(value: &str) -> bool {
    !value.is_empty()
        && value.chars().any(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

pub fn is_code(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/ ".contains(c))
}

pub fn is_language_code(value: &str) -> bool {
    let v = value.split('-').next().unwrap_or("");
    (v.len() == 2 || v.len() == 3) && v.chars().all(|c| c.is_ascii_lowercase())
}

/// Trims and turns an empty string into `None`.
pub fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("li.wei@axhu.edu.cn"));
        assert!(!is_email("li.wei@axhu"));
        assert!(!is_email("li wei@axhu.edu.cn"));
        assert!(!is_email("@axhu.edu.cn"));
    }

    #[test]
    fn urls() {
        assert!(is_web_url("https://www.iflytek.com/"));
        assert!(is_web_url("http://xjtu.edu.cn/en?x=1"));
        assert!(is_web_url("https://哈工大.cn"));
        assert!(!is_web_url("ftp://x.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("javascript:alert(1)"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut e = FieldErrors::default();
        check_len("name.zh", "安徽新华学院", 6, &mut e);
        assert!(e.is_empty());
        check_len("name.zh", "安徽新华学院", 5, &mut e);
        assert_eq!(e.0[0].message(), "name.zh must be at most 5 characters");
    }
}
