//! How free text is matched: one normalisation for stored text and for queries, so that `q`
//! finds a record by any language of its name, Chinese substrings included.

/// Lower-cases (Unicode-aware) and collapses runs of whitespace.
pub fn normalize(text: &str) -> String {
    let lowered = text.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut last_space = false;
    for c in lowered.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out.trim().to_string()
}

/// A `LIKE` pattern matching `query` anywhere, with `\` as the escape character.
pub fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in normalize(query).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            normalize("  Astana  IT\tUniversity "),
            "astana it university"
        );
        assert_eq!(normalize("ÉCOLE"), "école");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern("讯飞"), "%讯飞%");
    }
}
