//! Public machine-readable views of the news: the Atom 1.0 feed (C9, `/news/feed.atom`,
//! `?lang=zh-CN` for Chinese) and `/sitemap.xml`. Both show published versions only.

use std::collections::HashMap;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{CreditRole, Id, LocalizedText, NewsItem};
use liaison_storage::NamedTable;

/// How many stories the feed carries.
pub const FEED_ENTRIES: i64 = 50;

fn time(text: &str) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(text).unwrap_or_default()
}

/// The names printed for a story's credits of one role.
pub fn credit_names(
    item: &liaison_domain::NewsDraft,
    role: CreditRole,
    people: &HashMap<Id, LocalizedText>,
    zh: bool,
) -> Vec<String> {
    item.credits_of(role)
        .filter_map(|c| {
            c.name.clone().or_else(|| {
                c.person_id
                    .and_then(|p| people.get(&p))
                    .map(|n| n.display(zh).to_string())
            })
        })
        .collect()
}

/// The people named in the published versions' credits.
pub async fn credited_people(
    state: &AppState,
    items: &[&liaison_domain::NewsDraft],
) -> Result<HashMap<Id, LocalizedText>, liaison_storage::StoreError> {
    let ids: Vec<Id> = items
        .iter()
        .flat_map(|d| d.credits.iter().filter_map(|c| c.person_id))
        .collect();
    state.db.names_of(NamedTable::People, &ids).await
}

fn lang_query(zh: bool) -> &'static str {
    if zh {
        "?lang=zh-CN"
    } else {
        "?lang=en"
    }
}

/// The public address of a story.
pub fn article_url(base: &str, item: &NewsItem, zh: bool) -> String {
    format!("{base}/news/{}{}", item.path_key(), lang_query(zh))
}

pub fn build_feed(
    ctx: &Ctx,
    base: &str,
    items: &[NewsItem],
    people: &HashMap<Id, LocalizedText>,
) -> Feed {
    let zh = ctx.lang.is_chinese();
    let office = ctx.t("news-feed-author");
    let mut entries = Vec::new();
    for item in items {
        let Some(p) = &item.published else { continue };
        let d = &p.content;
        let mut authors: Vec<Person> = credit_names(d, CreditRole::Author, people, zh)
            .into_iter()
            .map(|name| Person {
                name,
                ..Default::default()
            })
            .collect();
        if authors.is_empty() {
            authors.push(Person {
                name: office.clone(),
                ..Default::default()
            });
        }
        let body = d.body.display(zh);
        let summary = {
            let s = d.summary.display(zh);
            if s.is_empty() {
                crate::markdown::plain_text(body, 300)
            } else {
                s.to_string()
            }
        };
        entries.push(Entry {
            title: Text::plain(d.title.display(zh)),
            id: format!("{base}/news/{}", item.id),
            updated: time(&p.published_at),
            published: Some(time(&p.first_published_at)),
            authors,
            links: vec![Link {
                href: article_url(base, item, zh),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                hreflang: Some(ctx.lang.tag().into()),
                ..Default::default()
            }],
            summary: Some(Text::plain(summary)),
            content: Some(Content {
                value: Some(crate::markdown::render(body)),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            categories: d
                .tags
                .iter()
                .map(|t| atom_syndication::Category {
                    term: t.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        });
    }
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| time("2024-01-01T00:00:00Z"));
    Feed {
        title: Text::plain(ctx.t("news-feed-title")),
        id: format!("{base}/news/feed.atom{}", lang_query(zh)),
        updated,
        authors: vec![Person {
            name: office,
            ..Default::default()
        }],
        links: vec![
            Link {
                href: format!("{base}/news/feed.atom{}", lang_query(zh)),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: format!("{base}/news{}", lang_query(zh)),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        lang: Some(ctx.lang.tag().into()),
        entries,
        ..Default::default()
    }
}

fn server_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// `GET /news/feed.atom`
pub async fn atom(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let items = match state.db.published_news(FEED_ENTRIES).await {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "reading the news feed failed");
            return server_error();
        }
    };
    let drafts: Vec<_> = items
        .iter()
        .filter_map(|i| i.published.as_ref().map(|p| &p.content))
        .collect();
    let people = match credited_people(&state, &drafts).await {
        Ok(p) => p,
        Err(_) => return server_error(),
    };
    let base = crate::mail::base_url(&state, &headers);
    let feed = build_feed(&ctx, &base, &items, &people);
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        feed.to_string(),
    )
        .into_response()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /sitemap.xml`: the news list and every published story, in both languages.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let items = match state.db.published_news(10_000).await {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "reading the sitemap failed");
            return server_error();
        }
    };
    let base = crate::mail::base_url(&state, &headers);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let mut url = |loc: String, lastmod: Option<&str>| {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&xml_escape(&format!("{loc}?lang=en")));
        xml.push_str("</loc>\n");
        if let Some(m) = lastmod {
            xml.push_str(&format!(
                "    <lastmod>{}</lastmod>\n",
                &m[..10.min(m.len())]
            ));
        }
        for (lang, q) in [("en", "?lang=en"), ("zh-CN", "?lang=zh-CN")] {
            xml.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}\"/>\n",
                xml_escape(&format!("{loc}{q}"))
            ));
        }
        xml.push_str("  </url>\n");
    };
    url(format!("{base}/news"), None);
    for item in &items {
        if let Some(p) = &item.published {
            url(
                format!("{base}/news/{}", item.path_key()),
                Some(&p.published_at),
            );
        }
    }
    xml.push_str("</urlset>\n");
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        xml,
    )
        .into_response()
}
