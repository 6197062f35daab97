//! Uploaded documents and photos: which kinds are accepted, recognised by their content (never
//! by the name or the type the client claims), and what a stored file name may be.

string_enum!(
    /// The file types Liaison accepts, as media types.
    MediaType, "media-type" {
        Pdf => "application/pdf",
        Jpeg => "image/jpeg",
        Png => "image/png",
        Webp => "image/webp",
    }
);

impl MediaType {
    /// Recognises a file by its first bytes (16 are enough).
    pub fn sniff(head: &[u8]) -> Option<MediaType> {
        if head.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(MediaType::Webp)
        } else {
            None
        }
    }

    /// The file name extensions that go with the type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Pdf => &["pdf"],
            MediaType::Jpeg => &["jpg", "jpeg"],
            MediaType::Png => &["png"],
            MediaType::Webp => &["webp"],
        }
    }

    pub fn is_image(self) -> bool {
        self != MediaType::Pdf
    }
}

pub const FILE_NAME_MAX: usize = 200;

/// Cleans a client's file name for display and downloads: the last path segment, without
/// control characters, trimmed, at most [`FILE_NAME_MAX`] characters. `None` if nothing is left.
pub fn clean_file_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return None;
    }
    Some(cleaned.chars().take(FILE_NAME_MAX).collect())
}

/// Whether a name's extension fits the detected type. A name without an extension fits any type;
/// one with another extension (a PNG named `.pdf`, an `.exe`) does not.
pub fn name_matches(name: &str, media_type: MediaType) -> bool {
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => media_type
            .extensions()
            .contains(&ext.to_ascii_lowercase().as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(
            MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(MediaType::Png)
        );
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(
            MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(MediaType::Webp)
        );
        assert_eq!(MediaType::sniff(b"MZ\x90\0"), None);
        assert_eq!(MediaType::sniff(b""), None);
    }

    #[test]
    fn names_are_cleaned_and_checked() {
        assert_eq!(
            clean_file_name("C:\\scans\\协议 签字版.PDF").as_deref(),
            Some("协议 签字版.PDF")
        );
        assert_eq!(
            clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(clean_file_name("  "), None);
        assert_eq!(clean_file_name(".."), None);
        assert!(name_matches("协议 签字版.PDF", MediaType::Pdf));
        assert!(name_matches("photo.JPEG", MediaType::Jpeg));
        assert!(name_matches("scan", MediaType::Png));
        assert!(!name_matches("photo.pdf", MediaType::Png));
        assert!(!name_matches("setup.exe", MediaType::Pdf));
    }
}
