//! The newsroom and the public news site: the workflow and its role gating, hostile Markdown,
//! public vs. draft visibility, Atom feeds and pages in both languages, photos, stories from
//! events.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;
use liaison_domain::Role;

fn story(title_en: &str, title_zh: &str) -> Value {
    json!({
        "title": {"en": title_en, "zh": title_zh},
        "summary": {"en": "A short summary.", "zh": "简短摘要。"},
        "body": {"en": "The **English** story.", "zh": "中文**正文**。"},
        "tags": ["Malaysia", "delegation"],
        "credits": [
            {"role": "author", "name": "Lin Qing"},
            {"role": "translator", "name": "赵雨涵"},
            {"role": "photographer", "name": "Chen Mo"}
        ]
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .api("POST", "/api/v1/news", Some(token), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

async fn step(
    app: &TestApp,
    token: &str,
    item: &Value,
    to: &str,
    comment: Option<&str>,
) -> crate::support::Reply {
    let id = item["id"].as_str().unwrap();
    app.api(
        "POST",
        &format!("/api/v1/news/{id}/status"),
        Some(token),
        Some(json!({"status": to, "version": item["version"], "comment": comment})),
    )
    .await
}

/// Moves a story written by an editor all the way to published (staff review and publish).
async fn publish(app: &TestApp, editor: &str, staff: &str, mut item: Value) -> Value {
    for (to, token) in [
        ("translated", editor),
        ("proofread", editor),
        ("reviewed", staff),
        ("published", staff),
    ] {
        let r = step(app, token, &item, to, None).await;
        assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.body);
        item = r.json();
    }
    item
}

#[tokio::test]
async fn workflow_moves_step_by_step_and_is_gated_by_role() {
    let app = TestApp::new().await;
    let editor = app.token(Role::Editor).await;
    let staff = app.token(Role::Staff).await;
    let staff_email = app.user(Role::Staff).await;
    let other_staff = app.token_for(&staff_email).await;
    let student = app.token(Role::Student).await;

    // Students cannot even see the newsroom; coordinators read it but cannot write.
    let r = app.api("GET", "/api/v1/news", Some(&student), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let coordinator = app.token(Role::Coordinator).await;
    assert_eq!(
        app.api("GET", "/api/v1/news", Some(&coordinator), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .api(
            "POST",
            "/api/v1/news",
            Some(&coordinator),
            Some(story("x", "y")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let item = create(
        &app,
        &editor,
        story("IUKL delegation visits", "吉隆坡建设大学代表团来访"),
    )
    .await;
    assert_eq!(item["status"], "draft");
    assert_eq!(item["slug"], "iukl-delegation-visits");
    assert_eq!(item["tags"], json!(["malaysia", "delegation"]));
    assert!(item["published"].is_null());

    // No skipping steps.
    let r = step(&app, &staff, &item, "published", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"][0]["allowed"],
        json!(["translated"])
    );

    let item = step(&app, &editor, &item, "translated", None).await.json();
    let item = step(&app, &editor, &item, "proofread", None).await.json();
    assert_eq!(item["status"], "proofread");
    // An editor neither reviews nor publishes.
    let r = step(&app, &editor, &item, "reviewed", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Back to draft needs a comment.
    let r = step(&app, &staff, &item, "draft", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["comment"]);
    let item = step(
        &app,
        &staff,
        &item,
        "draft",
        Some("Check the delegation's names"),
    )
    .await
    .json();
    assert_eq!(item["status"], "draft");
    // Stale version: 409.
    let mut stale = item.clone();
    stale["version"] = json!(1);
    assert_eq!(
        step(&app, &editor, &stale, "translated", None).await.status,
        StatusCode::CONFLICT
    );

    let item = publish(&app, &editor, &staff, item).await;
    assert_eq!(item["status"], "published");
    assert_eq!(item["published"]["title"]["en"], "IUKL delegation visits");
    assert!(
        item["published_on"].is_string(),
        "the dateline defaults to the publication day"
    );

    // Four eyes: a staff member may not review a story they wrote.
    let own = create(&app, &other_staff, story("Staff story", "员工稿件")).await;
    let own = step(&app, &other_staff, &own, "translated", None)
        .await
        .json();
    let own = step(&app, &other_staff, &own, "proofread", None)
        .await
        .json();
    let r = step(&app, &other_staff, &own, "reviewed", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        step(&app, &staff, &own, "reviewed", None).await.status,
        StatusCode::OK
    );

    // Translated needs both languages.
    let english = create(
        &app,
        &editor,
        json!({"title": {"en": "English only"}, "body": {"en": "text"}}),
    )
    .await;
    let r = step(&app, &editor, &english, "translated", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["title.zh", "body.zh"]);

    // Withdrawing a published story needs the right to publish.
    let id = item["id"].as_str().unwrap();
    assert_eq!(
        step(&app, &editor, &item, "draft", Some("oops"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/news/{id}?version={}", item["version"]),
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "editors do not delete published stories"
    );

    // The history says who moved each step, when, with the comment.
    let h = app
        .api(
            "GET",
            &format!("/api/v1/news/{id}/history"),
            Some(&coordinator),
            None,
        )
        .await
        .json();
    let steps: Vec<(&str, &str)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "draft"),
            ("status", "translated"),
            ("status", "proofread"),
            ("status", "draft"),
            ("status", "translated"),
            ("status", "proofread"),
            ("status", "reviewed"),
            ("status", "published"),
        ]
    );
    assert_eq!(h["items"][3]["comment"], "Check the delegation's names");
    assert!(h["items"][3]["actor"]
        .as_str()
        .unwrap()
        .starts_with("staff-"));
    // Every change is audited.
    let audit = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity=news&entity_id={id}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    assert!(
        audit.json()["total"].as_i64().unwrap() >= 8,
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn drafts_and_unpublished_versions_are_invisible_to_the_public() {
    let app = TestApp::new().await;
    let editor = app.token(Role::Editor).await;
    let staff = app.token(Role::Staff).await;
    let mut visitor = app.anonymous();
    let item = create(&app, &editor, story("Secret draft story", "秘密草稿")).await;
    let id = item["id"].as_str().unwrap().to_string();
    for path in [
        "/news/secret-draft-story".to_string(),
        format!("/news/{id}"),
        "/news/no-such-story".to_string(),
        "/news/999999".to_string(),
        "/news/..%2F..%2Fetc".to_string(),
    ] {
        let r = visitor.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains("Secret draft"), "{path}");
    }
    for path in [
        "/news",
        "/news/feed.atom",
        "/sitemap.xml",
        "/news?lang=zh-CN",
    ] {
        let r = visitor.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !r.body.contains("Secret draft") && !r.body.contains("秘密草稿"),
            "{path}"
        );
    }

    let item = publish(&app, &editor, &staff, item).await;
    let r = visitor.get("/news/secret-draft-story").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Secret draft story"));
    assert_eq!(
        visitor.get(&format!("/news/{id}")).await.status,
        StatusCode::OK,
        "by id too"
    );
    assert!(visitor
        .get("/sitemap.xml")
        .await
        .body
        .contains("/news/secret-draft-story"));

    // A new version is invisible until it is published.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/news/{id}"),
            Some(&editor),
            Some(json!({"version": item["version"], "title": {"en": "Unpublished new headline", "zh": "未发布的新标题"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let edited = r.json();
    assert_eq!(
        edited["status"], "draft",
        "editing a published story starts a new version"
    );
    for path in [
        "/news/secret-draft-story?lang=en",
        "/news?lang=en",
        "/news/feed.atom?lang=en",
    ] {
        let body = visitor.get(path).await.body;
        assert!(
            body.contains("Secret draft story"),
            "{path} keeps the published version: {body}"
        );
        assert!(!body.contains("Unpublished new headline"), "{path}");
    }
    // Published → draft (by staff, with a comment) withdraws it.
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/news/{id}"),
            Some(&staff),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "stale version");
    let published = publish(&app, &editor, &staff, edited).await;
    assert!(visitor
        .get("/news/secret-draft-story?lang=en")
        .await
        .body
        .contains("Unpublished new headline"));
    let r = step(
        &app,
        &staff,
        &published,
        "draft",
        Some("Withdrawn at the partner's request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        visitor.get("/news/secret-draft-story").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!visitor.get("/news/feed.atom").await.body.contains("secret"));
}

#[tokio::test]
async fn hostile_markdown_and_html_are_rendered_harmless() {
    let app = TestApp::new().await;
    let editor = app.token(Role::Editor).await;
    let staff = app.token(Role::Staff).await;
    let hostile = "<script>alert('body')</script>\n\n\
        [click me](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n\
        <img src=\"x\" onerror=\"alert(2)\"><a href=\"jAvAsCrIpT:alert(3)\" onclick=\"alert(4)\">x</a>\n\n\
        <iframe src=\"https://evil.example\"></iframe>\n\n\
        <p style=\"position:fixed;top:0\">styled</p><style>body{display:none}</style>\n\n\
        <svg onload=\"alert(5)\"></svg><form action=\"https://evil.example\"><button>go</button></form>\n\n\
        ![x](javascript:alert(6)) **still bold**";
    let title = "\"><script>alert('title')</script>";
    let item = create(
        &app,
        &editor,
        json!({
            "title": {"en": title, "zh": "恶意标题<script>"},
            "summary": {"en": "<b onmouseover=alert(7)>summary</b>"},
            "body": {"en": hostile, "zh": hostile},
            "credits": [{"role": "author", "name": "<img src=x onerror=alert(8)>"}]
        }),
    )
    .await;
    assert_eq!(
        item["slug"], "script-alert-title-script",
        "slugs keep only a-z, 0-9 and hyphens"
    );
    let item = publish(&app, &editor, &staff, item).await;
    let id = item["id"].as_str().unwrap();
    let mut visitor = app.anonymous();
    let mut staff_browser = app.browser(Role::Staff).await;
    let pages = [
        visitor.get(&format!("/news/{id}?lang=en")).await,
        visitor.get(&format!("/news/{id}?lang=zh-CN")).await,
        visitor.get("/news").await,
        staff_browser.get(&format!("/newsroom/{id}")).await,
        staff_browser.get("/newsroom").await,
    ];
    for page in &pages {
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body.to_lowercase();
        for bad in [
            "<script",
            "=\"javascript:",
            "href=\"data:",
            "src=\"data:",
            "onerror=\"",
            "onclick=\"",
            "onload=\"",
            "<b onmouseover",
            "<iframe",
            "<svg",
            "style=\"",
            "<style",
            "action=\"https://evil",
        ] {
            assert!(!body.contains(bad), "{bad} in {}", page.body);
        }
        assert!(page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
    }
    assert!(
        pages[0].body.contains("<strong>still bold</strong>"),
        "Markdown still renders"
    );
    assert!(
        pages[0].body.contains("&lt;script&gt;"),
        "the hostile title is shown as text"
    );
    // The feed's HTML content is sanitised the same way (escaped once more inside the XML).
    let feed = visitor.get("/news/feed.atom").await.body;
    let parsed = atom_syndication::Feed::read_from(feed.as_bytes()).expect("valid Atom");
    let content = parsed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .value
        .clone()
        .unwrap()
        .to_lowercase();
    for bad in ["<script", "javascript:", "onerror", "<iframe", "style="] {
        assert!(!content.contains(bad), "{bad} in feed content: {content}");
    }
}

#[tokio::test]
async fn atom_feeds_are_valid_in_both_languages() {
    let app = TestApp::new().await;
    let editor = app.token(Role::Editor).await;
    let staff = app.token(Role::Staff).await;
    let mut ids = Vec::new();
    for (en, zh, day) in [
        ("First story", "第一篇", "2024-05-08"),
        ("Second story", "第二篇", "2024-07-04"),
    ] {
        let mut body = story(en, zh);
        body["published_on"] = json!(day);
        let item = create(&app, &editor, body).await;
        ids.push(item["id"].as_str().unwrap().to_string());
        publish(&app, &editor, &staff, item).await;
    }
    create(&app, &editor, story("Draft story", "草稿")).await;
    let mut visitor = app.anonymous();
    for (lang, titles, other) in [
        ("en", ["Second story", "First story"], "第一篇"),
        ("zh-CN", ["第二篇", "第一篇"], "First story"),
    ] {
        let path = if lang == "en" {
            "/news/feed.atom".to_string()
        } else {
            format!("/news/feed.atom?lang={lang}")
        };
        let r = visitor.get(&path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml"));
        assert!(
            r.body.starts_with("<?xml") && r.body.contains("xmlns=\"http://www.w3.org/2005/Atom\"")
        );
        let feed = atom_syndication::Feed::read_from(r.body.as_bytes()).expect("valid Atom 1.0");
        assert_eq!(feed.lang.as_deref(), Some(lang));
        assert!(feed.id.starts_with("http://"), "{}", feed.id);
        assert!(feed
            .links
            .iter()
            .any(|l| l.rel == "self" && l.href.ends_with(&format!("feed.atom?lang={lang}"))));
        assert!(!feed.authors.is_empty());
        let entry_titles: Vec<&str> = feed
            .entries
            .iter()
            .map(|e| e.title.value.as_str())
            .collect();
        assert_eq!(
            entry_titles, titles,
            "published only, newest dateline first, in {lang}"
        );
        assert!(
            !r.body.contains(other),
            "no text of the other language's titles"
        );
        let mut seen = std::collections::HashSet::new();
        for (e, id) in feed.entries.iter().zip(ids.iter().rev()) {
            assert!(seen.insert(e.id.clone()), "entry ids are unique");
            assert!(e.id.ends_with(&format!("/news/{id}")), "{}", e.id);
            assert!(e.updated >= e.published.unwrap());
            assert!(feed.updated >= e.updated);
            let link = &e.links[0];
            assert_eq!(link.rel, "alternate");
            assert!(
                link.href.ends_with(&format!("?lang={lang}")),
                "{}",
                link.href
            );
            assert_eq!(e.authors[0].name, "Lin Qing");
            assert!(e
                .content
                .as_ref()
                .unwrap()
                .value
                .as_ref()
                .unwrap()
                .contains("<strong>"));
            // The link leads to the story in that language.
            let path = link.href.split_once("://").unwrap().1;
            let page = visitor.get(&path[path.find('/').unwrap()..]).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
            assert!(page.body.contains(&e.title.value));
        }
    }
}

#[tokio::test]
async fn public_pages_show_demo_stories_in_both_languages_with_credits() {
    let app = TestApp::with_demo().await;
    let mut visitor = app.anonymous();
    let en = visitor.get("/news?lang=en").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(
        en.body
            .contains("Xuteli College discusses training top talent"),
        "{}",
        en.body
    );
    assert!(en.body.contains("rel=\"next\""), "paging");
    let zh = visitor.get("/news?lang=zh-CN").await;
    assert!(zh.body.contains("<html lang=\"zh-CN\">"));
    assert!(zh.body.contains("徐特立学院召开拔尖人才国际化培养座谈会"));
    assert!(!zh.body.contains('⟦'));
    let page2 = visitor.get("/news?page=2&lang=en").await;
    assert_eq!(page2.status, StatusCode::OK);
    assert_ne!(page2.body, en.body);

    let tagged = visitor.get("/news?tag=sco&lang=en").await;
    assert!(tagged
        .body
        .contains("27 universities from 7 countries meet in Astana"));
    assert!(
        !tagged.body.contains("Xuteli College"),
        "the tag filter narrows the list"
    );

    for (lang, title, credit_label, author) in [
        (
            "en",
            "27 universities from 7 countries meet in Astana",
            "Translator",
            "Credits",
        ),
        ("zh-CN", "七国27所高校齐聚阿斯塔纳", "翻译", "署名"),
    ] {
        let r = visitor
            .get(&format!(
                "/news/sco-higher-education-symposium-astana-2024?lang={lang}"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&format!("<html lang=\"{lang}\">")));
        assert!(r.body.contains(&format!("<h1>{title}</h1>")), "{}", r.body);
        assert!(r
            .body
            .contains(&format!("property=\"og:title\" content=\"{title}\"")));
        assert!(r.body.contains("property=\"og:type\" content=\"article\""));
        assert!(r.body.contains("property=\"og:url\""));
        assert!(r.body.contains("hreflang=\"zh-CN\"") && r.body.contains("hreflang=\"en\""));
        assert!(r.body.contains(credit_label) && r.body.contains(author));
        assert!(!r.body.contains('⟦'), "missing translation: {}", r.body);
        assert!(r.body.contains("application/atom+xml"));
    }
    let sitemap = visitor.get("/sitemap.xml").await;
    assert!(sitemap.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    assert!(sitemap
        .body
        .contains("/news/iukl-delegation-visit-2024?lang=en"));
    assert!(sitemap.body.contains("hreflang=\"zh-CN\""));
    // Drafts of the demo stay out of the public site.
    let token = app.token(Role::Staff).await;
    let drafts = app
        .api(
            "GET",
            "/api/v1/news?status=draft&per_page=500",
            Some(&token),
            None,
        )
        .await
        .json();
    assert!(
        drafts["total"].as_i64().unwrap() > 0,
        "the demo has stories in the workflow"
    );
    let draft_id = drafts["items"][0]["id"].as_str().unwrap();
    if drafts["items"][0]["published"].is_null() {
        assert_eq!(
            visitor.get(&format!("/news/{draft_id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

/// A tiny PNG for uploads.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(400, 300, image::Rgb([30, 90, 200]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn photos_carry_captions_and_show_only_with_published_stories() {
    let app = TestApp::new().await;
    let editor = app.token(Role::Editor).await;
    let staff = app.token(Role::Staff).await;
    let item = create(&app, &editor, story("Photo story", "图片新闻")).await;
    let id = item["id"].as_str().unwrap().to_string();
    let r = app
        .api_raw(
            "POST",
            &format!("/api/v1/news/{id}/photos?filename=team.png&caption_en=The%20team&caption_zh=%E5%90%88%E5%BD%B1&photographer=Ma%20Xiaowen"),
            &editor,
            png(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let photo = r.json();
    assert_eq!(photo["caption"]["zh"], "合影");
    assert!(photo["thumbnail_sha256"].is_string(), "a thumbnail is made");
    let photo_id = photo["id"].as_str().unwrap();
    let pdf = app
        .api_raw(
            "POST",
            &format!("/api/v1/news/{id}/photos?filename=a.pdf"),
            &editor,
            b"%PDF-1.4\n%%EOF".to_vec(),
        )
        .await;
    assert_eq!(
        pdf.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "photos only"
    );
    let long = "x".repeat(600);
    let r = app
        .api_raw(
            "POST",
            &format!("/api/v1/news/{id}/photos?filename=a.png&caption_en={long}"),
            &editor,
            png(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut visitor = app.anonymous();
    assert_eq!(
        visitor
            .get(&format!("/news/photos/{photo_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    publish(&app, &editor, &staff, item).await;
    let full = visitor.get(&format!("/news/photos/{photo_id}")).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.headers["content-type"], "image/png");
    let thumb = visitor
        .get(&format!("/news/photos/{photo_id}/thumbnail"))
        .await;
    assert_eq!(thumb.headers["content-type"], "image/jpeg");
    let page = visitor.get(&format!("/news/{id}?lang=zh-CN")).await.body;
    assert!(
        page.contains("合影") && page.contains("Ma Xiaowen"),
        "caption and photographer credit"
    );
    assert!(page.contains(&format!(
        "property=\"og:image\" content=\"http://localhost/news/photos/{photo_id}\""
    )));
    // An event's documents are not reachable through the public photo route.
    let list = app
        .api(
            "GET",
            &format!("/api/v1/news/{id}/photos"),
            Some(&editor),
            None,
        )
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn newsroom_pages_run_the_workflow_and_an_event_becomes_a_story() {
    let app = TestApp::new().await;
    let staff_token = app.token(Role::Staff).await;
    let inst = app
        .api(
            "POST",
            "/api/v1/institutions",
            Some(&staff_token),
            Some(json!({"kind": "university", "country": "MY", "name": {"en": "Infrastructure University Kuala Lumpur", "zh": "吉隆坡建设大学"}})),
        )
        .await
        .json();
    let event = app
        .api(
            "POST",
            "/api/v1/events",
            Some(&staff_token),
            Some(json!({"kind": "incoming_visit", "start_on": "2024-05-08",
                "title": {"en": "IUKL delegation", "zh": "吉隆坡建设大学代表团"},
                "participants": [{"institution_id": inst["id"], "role": "head_of_delegation"}]})),
        )
        .await
        .json();
    let event_id = event["id"].as_str().unwrap();
    let mut staff = app.browser(Role::Staff).await;
    let page = staff.get(&format!("/events/{event_id}")).await;
    assert!(
        page.body
            .contains(&format!("/newsroom/new?event_id={event_id}")),
        "the button"
    );
    let form = staff
        .get(&format!("/newsroom/new?event_id={event_id}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("value=\"IUKL delegation\""),
        "title pre-filled"
    );
    assert!(form.body.contains("value=\"吉隆坡建设大学代表团\""));
    assert!(
        form.body.contains("value=\"2024-05-08\""),
        "date pre-filled"
    );
    assert!(
        form.body.contains(&format!("value=\"{event_id}\"")),
        "event linked"
    );
    assert!(
        form.body.contains("Infrastructure University Kuala Lumpur"),
        "participants in the body"
    );

    // An editor writes a story through the forms.
    let editor_email = app.user(Role::Editor).await;
    let mut editor = app.browser_for(&editor_email).await;
    let bad = editor
        .post(
            "/newsroom",
            &[("title_en", ""), ("credits", "painter, , X")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created = editor
        .post(
            "/newsroom",
            &[
                ("title_en", "IUKL delegation visits"),
                ("title_zh", "吉隆坡建设大学代表团来访"),
                ("body_en", "A *warm* welcome."),
                ("body_zh", "热烈欢迎。"),
                ("event_ids", event_id),
                ("tags", "malaysia, delegation"),
                ("credits", "author, , Lin Qing\nphotographer, , Chen Mo"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let at = created.location().to_string();
    let id = at.rsplit('/').next().unwrap().to_string();
    let show = editor.get(&at).await;
    assert!(show.body.contains("<em>warm</em>"), "preview renders");
    assert!(
        show.body.contains("value=\"translated\""),
        "the next step is offered"
    );
    assert!(!show.body.contains("value=\"published\""));
    let version = |body: &str| {
        let i = body.find("name=\"version\" value=\"").unwrap() + 22;
        body[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    for to in ["translated", "proofread"] {
        let v = version(&editor.get(&at).await.body);
        let r = editor
            .post(
                &format!("/newsroom/{id}/status"),
                &[("status", to), ("version", &v)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
    }
    let v = version(&editor.get(&at).await.body);
    let r = editor
        .post(
            &format!("/newsroom/{id}/status"),
            &[("status", "reviewed"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "editors do not review");
    let r = staff
        .post(
            &format!("/newsroom/{id}/status"),
            &[("status", "draft"), ("version", &v)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "comment required"
    );
    for to in ["reviewed", "published"] {
        let v = version(&staff.get(&at).await.body);
        let r = staff
            .post(
                &format!("/newsroom/{id}/status"),
                &[("status", to), ("version", &v)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
    }
    let show = staff.get(&at).await.body;
    assert!(
        show.contains("/news/iukl-delegation-visits"),
        "link to the public page"
    );
    assert!(
        show.contains(&editor_email) && show.contains("Published"),
        "history shows who moved it"
    );
    assert_eq!(
        app.anonymous()
            .get("/news/iukl-delegation-visits")
            .await
            .status,
        StatusCode::OK
    );
}
