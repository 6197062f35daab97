//! The password policy: long enough, not absurdly long, and not one of the passwords every
//! attacker tries first. Length beats composition rules (NIST SP 800-63B), so there are none.

use crate::FieldError;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 10;
/// Most characters a password may have (argon2 hashes anything, but a limit bounds the work).
pub const MAX_CHARS: usize = 256;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Checks a new password; the error names `field` with code `password-too-short`,
/// `password-too-long` (both with the limit) or `password-common`.
pub fn check(field: &str, password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(FieldError {
            field: field.into(),
            code: "password-too-short",
            limit: Some(MIN_CHARS),
        });
    }
    if chars > MAX_CHARS {
        return Err(FieldError {
            field: field.into(),
            code: "password-too-long",
            limit: Some(MAX_CHARS),
        });
    }
    if is_common(password) {
        return Err(FieldError::new(field, "password-common"));
    }
    Ok(())
}

/// Whether the password, ignoring case, is on the shipped list of common passwords (or is one
/// character repeated).
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if first.is_some() && chars.all(|c| Some(c) == first) {
        return true;
    }
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert_eq!(
            check("password", "short").unwrap_err().code,
            "password-too-short"
        );
        assert_eq!(
            check("password", &"x".repeat(300)).unwrap_err().code,
            "password-too-long"
        );
        assert_eq!(
            check("password", "Password123").unwrap_err().code,
            "password-common"
        );
        assert_eq!(
            check("password", "aaaaaaaaaaaa").unwrap_err().code,
            "password-common"
        );
        assert!(check("password", "correct horse battery").is_ok());
        assert!(check("password", "交换生项目申请密码很长").is_ok());
    }
}
