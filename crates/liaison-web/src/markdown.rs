//! Markdown of news stories → HTML that is safe to put in a page: pulldown-cmark renders (raw
//! HTML in the source passes through it), then ammonia keeps only a short list of tags and
//! attributes. No script, style, iframe, form or event-handler attribute survives; links and
//! images keep only `http`, `https` and `mailto` URLs or relative ones (no `javascript:`, no
//! `data:`); links get `rel="noopener noreferrer nofollow"`. The site's CSP forbids inline
//! scripts and styles as a second line.

use std::collections::HashSet;
use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "a",
            "abbr",
            "blockquote",
            "br",
            "code",
            "del",
            "em",
            "h2",
            "h3",
            "h4",
            "hr",
            "img",
            "li",
            "ol",
            "p",
            "pre",
            "strong",
            "sub",
            "sup",
            "table",
            "tbody",
            "td",
            "th",
            "thead",
            "tr",
            "ul",
        ]
        .into_iter()
        .collect();
        let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
        let mut b = ammonia::Builder::default();
        b.tags(tags)
            .generic_attributes(HashSet::from(["title"]))
            .tag_attributes(
                [
                    ("a", HashSet::from(["href"])),
                    ("img", HashSet::from(["src", "alt"])),
                    ("abbr", HashSet::from(["title"])),
                    ("th", HashSet::from(["align"])),
                    ("td", HashSet::from(["align"])),
                ]
                .into_iter()
                .collect(),
            )
            .url_schemes(schemes)
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer nofollow"));
        b
    })
}

/// Renders Markdown and sanitises the result.
pub fn render(source: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(source, options));
    sanitize(&html)
}

/// Sanitises HTML from any source with the same rules.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

/// Plain text of Markdown (for summaries in meta tags and feeds): the text events only.
pub fn plain_text(source: &str, max_chars: usize) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::new();
    for event in Parser::new(source) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => {
                out.push(' ');
            }
            _ => {}
        }
        if out.chars().count() > max_chars {
            break;
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > max_chars {
        let cut: String = out.chars().take(max_chars).collect();
        format!("{}…", cut.trim_end())
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let html = render("# Title\n\nSome *text* and [a link](https://example.org).");
        assert!(html.contains("<em>text</em>"));
        assert!(html.contains("href=\"https://example.org\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(!html.contains("<h1>"), "h1 is the page's own title");
    }

    #[test]
    fn hostile_input_is_made_harmless() {
        let hostile = r#"<script>alert(1)</script>
[click](javascript:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)
<img src="x" onerror="alert(3)"> <a href="JaVaScRiPt:alert(4)">x</a>
<iframe src="https://evil.example"></iframe><p style="color:red" onclick="alert(5)">p</p>
<svg onload="alert(6)"></svg><style>body{}</style><form action="/x"><input></form>

![img](javascript:alert(7)) <a href="  javascript:alert(8)">y</a> ![d](data:image/png;base64,AAAA)

<object data="x.swf"></object><embed src="x"><base href="https://evil.example/">"#;
        let html = render(hostile).to_lowercase();
        assert!(html.contains("<img"), "plain images stay: {html}");
        for bad in [
            "<script",
            "=\"javascript:",
            "=\"  javascript:",
            "=\"data:",
            "<object",
            "<embed",
            "<base",
            "onerror",
            "onclick",
            "onload",
            "<iframe",
            "style=",
            "<style",
            "<svg",
            "<form",
            "<input",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn plain_text_is_short() {
        assert_eq!(plain_text("A **b** c", 100), "A b c");
        assert_eq!(plain_text("abcdef", 3), "abc…");
    }
}
