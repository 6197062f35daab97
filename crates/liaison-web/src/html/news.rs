//! The public news site (no sign-in): the list with paging and a tag filter, article pages in
//! both languages (C7) with the credits block, photos and Open Graph tags, and the photos of
//! published stories. Only published versions are shown; anything else is 404.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::auth::Ctx;
use crate::feeds::{credit_names, credited_people};
use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::{CreditRole, Id, LocalizedText, NewsDraft, NewsItem, PageRequest};
use liaison_storage::{NewsPhoto, StoreError};

/// Stories per page of the public list.
pub const PER_PAGE: u32 = 10;

/// The current URL with `lang` set.
fn with_lang(ctx: &Ctx, lang: &str) -> String {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.push(("lang".into(), lang.into()));
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{}?{query}", ctx.path)
}

/// The public site's layout: the office's masthead, the language switch, extra `<head>` tags.
pub fn public_layout(ctx: &Ctx, title: &str, head: Markup, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.t("news-site-name")) }
                link rel="stylesheet" href="/static/app.css";
                link rel="alternate" type="application/atom+xml" title=(ctx.t("news-feed-title"))
                    href=(format!("/news/feed.atom?lang={}", ctx.lang.tag()));
                (head)
            }
            body.public {
                a.skip href="#main" { (ctx.t("skip-to-content")) }
                header.top {
                    a.brand href=(format!("/news?lang={}", ctx.lang.tag())) { (ctx.t("news-site-name")) }
                    div.tools {
                        span.langs aria-label=(ctx.t("language-switch")) {
                            a href=(with_lang(ctx, "en")) lang="en" hreflang="en" aria-current=[(!ctx.lang.is_chinese()).then_some("true")] { "English" }
                            " | "
                            a href=(with_lang(ctx, "zh-CN")) lang="zh-CN" hreflang="zh-CN" aria-current=[ctx.lang.is_chinese().then_some("true")] { "中文" }
                        }
                        " "
                        a href=(format!("/news/feed.atom?lang={}", ctx.lang.tag())) { (ctx.t("news-feed-link")) }
                        @if ctx.user.is_some() { " " a href="/newsroom" { (ctx.t("nav-newsroom")) } }
                    }
                }
                main #main tabindex="-1" { (content) }
                footer { (ctx.t("footer")) }
            }
        }
    }
}

fn not_found(ctx: &Ctx) -> Response {
    super::html_response(
        StatusCode::NOT_FOUND,
        public_layout(
            ctx,
            &ctx.t("page-not-found"),
            html! {},
            html! {
                h1 { (ctx.t("page-not-found")) }
                p { a href="/news" { (ctx.t("news-back")) } }
            },
        ),
    )
}

fn server_error(ctx: &Ctx, e: StoreError) -> Response {
    tracing::error!(error = %e, "public news page failed");
    super::error_page(ctx, StatusCode::INTERNAL_SERVER_ERROR, "page-internal")
}

fn dateline(d: &NewsDraft) -> String {
    d.published_on.map(iso_date::format).unwrap_or_default()
}

fn tag_link(ctx: &Ctx, tag: &str) -> Markup {
    let q: String = form_urlencoded::byte_serialize(tag.as_bytes()).collect();
    html! { a.tag href=(format!("/news?tag={q}&lang={}", ctx.lang.tag())) { "#" (tag) } }
}

/// `GET /news?page=N&tag=T`
pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let mut page_no = None;
    let mut tag = None;
    for (k, v) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "page" => page_no = Some(v.into_owned()),
            "tag" if !v.trim().is_empty() => tag = Some(v.into_owned()),
            _ => {}
        }
    }
    let page = PageRequest {
        page: page_no
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1),
        per_page: PER_PAGE,
    };
    let result = match state.db.public_news(tag.as_deref(), &page).await {
        Ok(r) => r,
        Err(e) => return server_error(&ctx, e),
    };
    let zh = ctx.lang.is_chinese();
    let title = ctx.t("news-title");
    let body = html! {
        h1 { (title) }
        @if let Some(t) = &tag {
            p.filter-note { (ctx.t_args("news-tagged", &[("tag", FluentValue::from(t.as_str()))])) " " a href=(format!("/news?lang={}", ctx.lang.tag())) { (ctx.t("filter-clear")) } }
        }
        @if result.items.is_empty() {
            div.empty { p { (ctx.t("news-empty")) } }
        } @else {
            ol.news-list { @for item in &result.items { @if let Some(p) = &item.published {
                li.news-card {
                    h2 { a href=(format!("/news/{}?lang={}", item.path_key(), ctx.lang.tag())) { (p.content.title.display(zh)) } }
                    p.dateline { time datetime=(dateline(&p.content)) { (dateline(&p.content)) } }
                    @let summary = p.content.summary.display(zh);
                    @if !summary.is_empty() { p { (summary) } }
                    @else { p { (crate::markdown::plain_text(p.content.body.display(zh), 240)) } }
                    @if !p.content.tags.is_empty() { p.tags { @for t in &p.content.tags { (tag_link(&ctx, t)) " " } } }
                }
            } } }
            (super::pager(&ctx, &page, result.total))
        }
    };
    super::html_response(StatusCode::OK, public_layout(&ctx, &title, html! {}, body))
}

/// Loads a published story by slug or id; `None` for anything the public may not see.
async fn published(state: &AppState, key: &str) -> Result<Option<NewsItem>, StoreError> {
    match state.db.news_by_key(key).await {
        Ok(item) if item.published.is_some() => Ok(Some(item)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The credits block: each role with its names, in the viewer's language.
pub fn credits_block(
    ctx: &Ctx,
    d: &NewsDraft,
    people: &HashMap<Id, LocalizedText>,
    photos: &[NewsPhoto],
) -> Markup {
    let zh = ctx.lang.is_chinese();
    let mut rows: Vec<(CreditRole, Vec<String>)> = Vec::new();
    for role in CreditRole::ALL {
        let mut names = credit_names(d, *role, people, zh);
        if *role == CreditRole::Photographer {
            for p in photos {
                if let Some(n) = &p.photographer {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
            }
        }
        if !names.is_empty() {
            rows.push((*role, names));
        }
    }
    html! {
        @if !rows.is_empty() {
            section.credits aria-labelledby="credits-title" {
                h2 #credits-title { (ctx.t("news-credits")) }
                dl.credits { @for (role, names) in &rows {
                    div { dt { (ctx.t(&role.message_key())) } dd { (names.join(" · ")) } }
                } }
            }
        }
    }
}

/// `GET /news/{slug-or-id}`
pub async fn article(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    let item = match published(&state, &key).await {
        Ok(Some(i)) => i,
        Ok(None) => return not_found(&ctx),
        Err(e) => return server_error(&ctx, e),
    };
    let p = item.published.as_ref().expect("published");
    let d = &p.content;
    let zh = ctx.lang.is_chinese();
    let people = match credited_people(&state, &[d]).await {
        Ok(p) => p,
        Err(e) => return server_error(&ctx, e),
    };
    let photos = match state.db.news_photos(item.id).await {
        Ok(p) => p,
        Err(e) => return server_error(&ctx, e),
    };
    let partners = match state.db.institutions_by_ids(&d.institution_ids).await {
        Ok(p) => p,
        Err(e) => return server_error(&ctx, e),
    };
    let mut events = Vec::new();
    for id in &d.event_ids {
        match state.db.event(*id).await {
            Ok(e) => events.push(e),
            Err(StoreError::NotFound) => {}
            Err(e) => return server_error(&ctx, e),
        }
    }
    let base = crate::mail::base_url(&state, &headers);
    let title = d.title.display(zh).to_string();
    let description = {
        let s = d.summary.display(zh);
        if s.is_empty() {
            crate::markdown::plain_text(d.body.display(zh), 200)
        } else {
            s.to_string()
        }
    };
    let url = crate::feeds::article_url(&base, &item, zh);
    let signed_in = ctx.user.is_some();
    let head = html! {
        meta name="description" content=(description);
        link rel="canonical" href=(url);
        link rel="alternate" hreflang="en" href=(crate::feeds::article_url(&base, &item, false));
        link rel="alternate" hreflang="zh-CN" href=(crate::feeds::article_url(&base, &item, true));
        meta property="og:type" content="article";
        meta property="og:site_name" content=(ctx.t("news-site-name"));
        meta property="og:title" content=(title);
        meta property="og:description" content=(description);
        meta property="og:url" content=(url);
        meta property="og:locale" content=(if zh { "zh_CN" } else { "en_US" });
        meta property="og:locale:alternate" content=(if zh { "en_US" } else { "zh_CN" });
        @if let Some(photo) = photos.first() {
            meta property="og:image" content=(format!("{base}/news/photos/{}", photo.document.id));
        }
        meta property="article:published_time" content=(p.first_published_at);
        meta property="article:modified_time" content=(p.published_at);
        @for t in &d.tags { meta property="article:tag" content=(t); }
    };
    let body_md = d.body.display(zh);
    let body = html! {
        p.breadcrumb { a href=(format!("/news?lang={}", ctx.lang.tag())) { (ctx.t("news-title")) } }
        article.news-article {
            header {
                h1 { (title) }
                p.dateline { time datetime=(dateline(d)) { (dateline(d)) } }
                @let other = d.title.display(!zh);
                @if other != title && !other.is_empty() {
                    p.other-lang-title {
                        a href=(crate::feeds::article_url("", &item, !zh)) hreflang=(if zh { "en" } else { "zh-CN" }) { (ctx.t("news-read-other-language")) ": " (other) }
                    }
                }
            }
            @let summary = d.summary.display(zh);
            @if !summary.is_empty() { p.lede { (summary) } }
            @if let Some(first) = photos.first() { (figure(&ctx, first)) }
            div.prose.news-body { (PreEscaped(crate::markdown::render(body_md))) }
            @if photos.len() > 1 {
                section.news-photos { h2 { (ctx.t("news-photos")) } div.photo-grid { @for ph in &photos[1..] { (figure(&ctx, ph)) } } }
            }
            (credits_block(&ctx, d, &people, &photos))
            @if !partners.is_empty() || !events.is_empty() {
                section.related {
                    @if !partners.is_empty() {
                        h2 { (ctx.t("news-partners")) }
                        ul { @for i in &partners { li {
                            @if signed_in { a href=(format!("/institutions/{}", i.id)) { (i.draft.name.display(zh)) } }
                            @else { (i.draft.name.display(zh)) }
                            " " span.other-lang { "(" (i.draft.country.name(zh)) ")" }
                        } } }
                    }
                    @if !events.is_empty() {
                        h2 { (ctx.t("news-events")) }
                        ul { @for e in &events { li {
                            @if signed_in { a href=(format!("/events/{}", e.id)) { (e.draft.title.display(zh)) } }
                            @else { (e.draft.title.display(zh)) }
                            " · " (iso_date::format(e.draft.start_on))
                        } } }
                    }
                }
            }
            @if !d.tags.is_empty() { p.tags { @for t in &d.tags { (tag_link(&ctx, t)) " " } } }
        }
    };
    super::html_response(StatusCode::OK, public_layout(&ctx, &title, head, body))
}

fn figure(ctx: &Ctx, p: &NewsPhoto) -> Markup {
    let zh = ctx.lang.is_chinese();
    let caption = p.caption.display(zh);
    html! {
        figure.news-photo {
            a href=(format!("/news/photos/{}", p.document.id)) {
                img src=(format!("/news/photos/{}/thumbnail", p.document.id))
                    alt=(if caption.is_empty() { p.document.file_name.as_str() } else { caption }) width="320" loading="lazy";
            }
            @if !caption.is_empty() || p.photographer.is_some() {
                figcaption {
                    (caption)
                    @if let Some(by) = &p.photographer { " " span.photo-credit { (ctx.t("news-photo-by")) " " (by) } }
                }
            }
        }
    }
}

async fn serve_photo(state: &AppState, ctx: &Ctx, id: &str, thumbnail: bool) -> Response {
    let Some(id) = super::parse_path_id(id) else {
        return not_found(ctx);
    };
    let doc = match state.db.document(id).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return not_found(ctx),
        Err(e) => return server_error(ctx, e),
    };
    if doc.owner_kind != liaison_storage::OwnerKind::News || !doc.media_type.is_image() {
        return not_found(ctx);
    }
    match state.db.news_item(doc.owner_id).await {
        Ok(item) if item.published.is_some() => {}
        Ok(_) | Err(StoreError::NotFound) => return not_found(ctx),
        Err(e) => return server_error(ctx, e),
    }
    let (sha, media) = match (&doc.thumbnail_sha256, thumbnail) {
        (Some(t), true) => (t.as_str(), "image/jpeg"),
        _ => (doc.sha256.as_str(), doc.media_type.as_str()),
    };
    crate::uploads::serve_file(state, sha, media, &doc.file_name, true).await
}

/// `GET /news/photos/{id}`: a photo of a published story.
pub async fn photo(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    serve_photo(&state, &ctx, &id, false).await
}

/// `GET /news/photos/{id}/thumbnail`
pub async fn photo_thumbnail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Response {
    serve_photo(&state, &ctx, &id, true).await
}
