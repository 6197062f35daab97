//! One end-to-end run in headless Chromium (Debian's chromium + chromium-driver), through a tiny
//! W3C WebDriver client: sign in, create a partner with a Chinese name, find it by a Chinese
//! substring, and keep a screenshot under `target/browser/`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use base64::Engine;
use common::{http, TestDb};
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    addr: String,
    session: String,
}

impl Driver {
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if method == "GET" || method == "DELETE" {
            String::new()
        } else {
            body.to_string()
        };
        let reply = http(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            &[("Content-Type", "application/json")],
            &body,
        );
        let value: Value = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("WebDriver said {e}: {}", reply.body));
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.body);
        value["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({"url": url}));
    }

    /// Finds an element, waiting (implicit wait) until it appears.
    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.call(
            "POST",
            &format!("/element/{el}/value"),
            json!({"text": text}),
        );
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.call("POST", &format!("/element/{el}/click"), json!({}));
    }

    fn text(&self, css: &str) -> String {
        let el = self.find(css);
        self.call("GET", &format!("/element/{el}/text"), json!({}))
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// Signs in through the JSON API: the `Authorization` header value for setting up a test.
fn bearer(addr: &str, email: &str, password: &str) -> String {
    let body = json!({"email": email, "password": password}).to_string();
    let r = http(
        addr,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(r.status, 200, "sign-in of {email}: {}", r.body);
    let token: Value = serde_json::from_str(&r.body).unwrap();
    format!("Bearer {}", token["token"].as_str().unwrap())
}

/// `POST`s `body` as JSON with `auth` and expects 201 Created: the created record.
fn create(addr: &str, auth: &str, path: &str, body: &Value) -> Value {
    let r = http(
        addr,
        "POST",
        path,
        &[
            ("Authorization", auth),
            ("Content-Type", "application/json"),
        ],
        &body.to_string(),
    );
    assert_eq!(r.status, 201, "{path}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// Starts ChromeDriver and a headless Chromium session with an implicit wait (so that `find`
/// waits for elements instead of the test sleeping).
fn start_browser() -> (std::process::Child, Driver, tempfile::TempDir) {
    let driver_path =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let mut chromedriver = Command::new(&driver_path)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{driver_path} does not start ({e}); `scripts/test` installs chromium-driver")
        });
    // ChromeDriver announces its port once it accepts connections.
    let mut out = BufReader::new(chromedriver.stdout.take().unwrap());
    let port = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "chromedriver exited");
        if let Some(rest) = line.split("started successfully on port ").nth(1) {
            break rest.trim().trim_end_matches('.').to_string();
        }
    };
    let driver_addr = format!("127.0.0.1:{port}");
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())]}}}});
    let created = http(
        &driver_addr,
        "POST",
        "/session",
        &[("Content-Type", "application/json")],
        &caps.to_string(),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let session: Value = serde_json::from_str(&created.body).unwrap();
    let driver = Driver {
        addr: driver_addr,
        session: session["value"]["sessionId"].as_str().unwrap().to_string(),
    };
    driver.call(
        "POST",
        "/timeouts",
        json!({"implicit": 10000, "pageLoad": 30000}),
    );
    (chromedriver, driver, profile)
}

#[test]
fn sign_in_create_a_partner_with_a_chinese_name_and_find_it() {
    let db = TestDb::new();
    assert!(db
        .add_user("admin@axhu.example.cn", "admin", "a-long-password")
        .status
        .success());
    let server = db.serve(&[]);
    let base = format!("http://{}", server.addr);

    let (mut chromedriver, driver, _profile) = start_browser();

    driver.go(&format!("{base}/login?lang=zh-CN"));
    // The implicit wait lets `find` wait for the page, where reading the source would not.
    driver.find("html[lang='zh-CN'] #email");
    driver.type_into("#email", "admin@axhu.example.cn");
    driver.type_into("#password", "a-long-password");
    driver.click("form[action='/login'] button[type=submit]");
    // Wait (implicitly) for something only a signed-in page has, so that the heading read next
    // is the dashboard's and not the login page's.
    driver.find("form[action='/logout']");
    assert_eq!(driver.text("main h1"), "概览");

    driver.go(&format!("{base}/institutions/new"));
    driver.type_into("#name_en", "OpenAtom Foundation");
    driver.type_into("#name_zh", "开放原子开源基金会");
    driver.click("#kind option[value=foundation]");
    driver.click("#status option[value=active]");
    driver.click("#country option[value=CN]");
    driver.type_into("#city_zh", "北京");
    driver.type_into("#website", "https://www.openatom.org");
    driver.click("form.record button[type=submit]");
    // The flash message exists only on the page after the redirect.
    assert!(driver.text("p.flash").contains("已创建"));
    assert!(driver.text("main h1").contains("开放原子开源基金会"));

    driver.go(&format!("{base}/institutions"));
    driver.type_into("#q", "原子开源");
    driver.click("form.filters button[type=submit]");
    // The results page renders the query back into the field's value attribute.
    driver.find("form.filters #q[value='原子开源']");
    let link = driver.text("table tbody tr td a");
    assert!(link.contains("开放原子开源基金会"), "search result: {link}");

    screenshot(&driver, "institution-search.png");

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}

/// Saves a screenshot under `target/browser/`.
fn screenshot(driver: &Driver, name: &str) {
    let png = driver.call("GET", "/screenshot", json!({}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().unwrap())
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), &bytes).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
}

/// The public news site of the demo, signed out: an article in Chinese with its credits, then
/// the same story in English through the language switch.
#[test]
fn a_published_demo_story_reads_in_both_languages() {
    let db = TestDb::new();
    let server = db.serve(&["--demo"]);
    let base = format!("http://{}", server.addr);
    let (mut chromedriver, driver, _profile) = start_browser();

    driver.go(&format!("{base}/news?lang=zh-CN"));
    driver.find("html[lang='zh-CN'] ol.news-list");
    driver.go(&format!(
        "{base}/news/sco-higher-education-symposium-astana-2024?lang=zh-CN"
    ));
    driver.find("html[lang='zh-CN'] article.news-article section.credits");
    assert_eq!(driver.text("article h1"), "七国27所高校齐聚阿斯塔纳");
    let credits = driver.text("section.credits");
    assert!(
        credits.contains("撰稿") && credits.contains("翻译"),
        "{credits}"
    );
    assert!(driver.text("div.news-body").contains("27所高校"));
    screenshot(&driver, "news-article.png");

    driver.click("span.langs a[lang='en']");
    // Wait for the English page before reading it.
    driver.find("html[lang='en'] article.news-article");
    assert_eq!(
        driver.text("article h1"),
        "27 universities from 7 countries meet in Astana"
    );
    assert!(driver.text("section.credits").contains("Translator"));

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}

/// Staff attach the signed copy to an agreement from a real browser (a multipart upload with
/// the CSRF token in the form's URL), mark it active with its status button, and find it among
/// the agreements expiring soon on the dashboard.
#[test]
fn staff_upload_a_signed_copy_and_see_the_agreement_expire_soon() {
    let db = TestDb::new();
    assert!(db
        .add_user("staff@axhu.example.cn", "staff", "a-long-password")
        .status
        .success());
    let server = db.serve(&[]);
    let base = format!("http://{}", server.addr);
    let auth = bearer(&server.addr, "staff@axhu.example.cn", "a-long-password");
    let post = |path: &str, body: Value| create(&server.addr, &auth, path, &body);
    let mut parties = Vec::new();
    for (en, zh, country) in [
        ("Anhui Xinhua University", "安徽新华学院", "CN"),
        ("iFLYTEK", "科大讯飞", "CN"),
    ] {
        let kind = if parties.is_empty() {
            "university"
        } else {
            "enterprise"
        };
        let i = post(
            "/api/v1/institutions",
            json!({"kind": kind, "name": {"en": en, "zh": zh}, "country": country}),
        );
        parties.push(json!({"institution_id": i["id"]}));
    }
    let today = time::OffsetDateTime::now_utc().date();
    let end = today + time::Duration::days(60);
    let start = end - time::Duration::days(3 * 365);
    let agreement = post(
        "/api/v1/agreements",
        json!({"kind": "enterprise_programme", "status": "signed",
               "title": {"en": "AXHU–iFLYTEK cooperation programme", "zh": "安徽新华学院—科大讯飞合作项目"},
               "parties": parties, "start_on": start.to_string(), "end_on": end.to_string(),
               "signed_on": start.to_string()}),
    );
    let id = agreement["id"].as_str().unwrap();

    let scan = tempfile::tempdir().unwrap();
    let pdf_path = scan.path().join("合作协议-签字版.pdf");
    std::fs::write(
        &pdf_path,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();

    let (mut chromedriver, driver, _profile) = start_browser();
    driver.go(&format!("{base}/login?lang=zh-CN"));
    driver.type_into("#email", "staff@axhu.example.cn");
    driver.type_into("#password", "a-long-password");
    driver.click("form[action='/login'] button[type=submit]");
    driver.find("form[action='/logout']");

    driver.go(&format!("{base}/agreements/{id}"));
    driver.find("html[lang='zh-CN'] form.upload");
    // WebDriver "types" a local path into a file input; the browser sends the file.
    driver.type_into("#file", pdf_path.to_str().unwrap());
    driver.click("form.upload button[type=submit]");
    // The flash exists only on the page after the redirect.
    assert!(
        driver.text("p.flash").contains("已上传"),
        "{}",
        driver.text("p.flash")
    );
    assert!(driver.text("ul.documents").contains("合作协议-签字版.pdf"));

    driver.click("section.status-actions form input[name=status][value=active] ~ button");
    driver.find("p.flash");
    assert!(
        driver.text("dl.details").contains("生效中"),
        "{}",
        driver.text("dl.details")
    );

    driver.go(&format!("{base}/"));
    let expiring = driver.text("section.expiring");
    assert!(
        expiring.contains("安徽新华学院—科大讯飞合作项目"),
        "{expiring}"
    );
    screenshot(&driver, "dashboard-expiring.png");

    let docs = http(
        &server.addr,
        "GET",
        &format!("/api/v1/agreements/{id}/documents"),
        &[("Authorization", &auth)],
        "",
    );
    let docs: Value = serde_json::from_str(&docs.body).unwrap();
    assert_eq!(docs["items"][0]["file_name"], "合作协议-签字版.pdf");
    assert_eq!(docs["items"][0]["media_type"], "application/pdf");

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}

/// Leadership's report page on the demo data, in Chinese: the headline, the charts and the world
/// map drawn on the server, kept as a screenshot.
#[test]
fn the_report_page_on_the_demo_data() {
    let db = TestDb::new();
    let server = db.serve(&["--demo"]);
    let base = format!("http://{}", server.addr);
    let (mut chromedriver, driver, _profile) = start_browser();
    driver.go(&format!("{base}/login?lang=zh-CN"));
    driver.type_into("#email", "admin@demo.liaison.example");
    driver.type_into("#password", "liaison-demo");
    driver.click("form[action='/login'] button[type=submit]");
    driver.find("form[action='/logout']");

    driver.go(&format!(
        "{base}/reports?from=2019&to=2024&direction=outgoing"
    ));
    let headline = driver.text("p.headline");
    assert!(
        headline.contains("2024 年派出师生") && headline.contains("较 2019 年"),
        "{headline}"
    );
    driver.find("figure#countries svg path.wm-q5");
    driver.find("figure#years svg rect.s1");
    // The numbers behind a chart open as a table.
    driver.click("figure#years details.chart-data summary");
    assert!(driver.text("figure#years table").contains("2024"));
    screenshot(&driver, "reports.png");

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}

/// The university–enterprise journey (issue 10) in one browser, one user after another: an
/// enterprise contact posts a position in Chinese (it waits for vetting), staff open it, a
/// consenting student finds it and applies, and the enterprise shortlists them.
#[test]
fn enterprise_posts_staff_vet_a_student_applies_and_the_enterprise_shortlists() {
    let db = TestDb::new();
    assert!(db
        .add_user("staff@axhu.example.cn", "staff", "a-long-password")
        .status
        .success());
    let server = db.serve(&[]);
    let base = format!("http://{}", server.addr);
    let auth = bearer(&server.addr, "staff@axhu.example.cn", "a-long-password");
    let post = |path: &str, body: Value| create(&server.addr, &auth, path, &body);
    let home = post(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Anhui Xinhua University", "zh": "安徽新华学院"}, "country": "CN"}),
    );
    let iflytek = post(
        "/api/v1/institutions",
        json!({"kind": "enterprise", "name": {"en": "iFLYTEK", "zh": "科大讯飞"}, "country": "CN"}),
    );
    let student = post(
        "/api/v1/people",
        json!({"name": {"en": "Wang Yutong", "zh": "王雨桐"}, "institution_id": home["id"]}),
    );
    post(
        "/api/v1/skill-profiles",
        json!({"person_id": student["id"], "skills": [{"skill": "speech", "level": 3}],
               "languages": [{"language": "zh", "level": "C2"}], "consent": true}),
    );
    let add = |email: &str, role: &str, flag: &str, id: &str| {
        let out = db.run(
            &[
                "user",
                "add",
                "--email",
                email,
                "--role",
                role,
                flag,
                id,
                "--password-stdin",
            ],
            "a-long-password\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    add(
        "hr@iflytek.example.cn",
        "enterprise",
        "--institution",
        iflytek["id"].as_str().unwrap(),
    );
    add(
        "wang@axhu.example.cn",
        "student",
        "--person",
        student["id"].as_str().unwrap(),
    );

    let (mut chromedriver, driver, _profile) = start_browser();
    let sign_in = |email: &str, lang: &str| {
        driver.go(&format!("{base}/login?lang={lang}"));
        driver.find(&format!("html[lang='{lang}'] #email"));
        driver.type_into("#email", email);
        driver.type_into("#password", "a-long-password");
        driver.click("form[action='/login'] button[type=submit]");
        driver.find("form[action='/logout']");
    };
    let sign_out = || {
        driver.click("form[action='/logout'] button[type=submit]");
        driver.find("form[action='/login']");
    };

    // 1. The enterprise contact posts a position, in Chinese; it waits for vetting.
    sign_in("hr@iflytek.example.cn", "zh-CN");
    driver.go(&format!("{base}/positions/new"));
    driver.find("html[lang='zh-CN'] fieldset.skill-picker");
    driver.type_into("#title_en", "Speech data intern");
    driver.type_into("#title_zh", "语音数据实习生");
    driver.click("#pick_skill_0 option[value=speech]");
    driver.click("#pick_level_0 option[value='2']");
    let seats = driver.find("#seats");
    driver.call("POST", &format!("/element/{seats}/clear"), json!({}));
    driver.type_into("#seats", "3");
    driver.click("#status option[value=pending]");
    driver.click("form.record button[type=submit]");
    assert!(driver.text("p.flash").contains("岗位已创建"));
    assert!(driver.text("main h1").contains("语音数据实习生"));
    assert!(driver.text("main h1").contains("待审核"));
    assert!(driver.text("p.notice").contains("等待办公室审核"));
    let url = driver.call("GET", "/url", json!({}));
    let position = url
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    screenshot(&driver, "enterprise-position-pending.png");
    sign_out();

    // 2. Staff vet it: open it to students.
    sign_in("staff@axhu.example.cn", "en");
    driver.go(&format!("{base}/positions/{position}/edit"));
    driver.find("html[lang='en'] form.record");
    driver.click("#status option[value=open]");
    driver.click("form.record button[type=submit]");
    driver.find("p.flash");
    assert!(
        driver.text("main h1").contains("Open"),
        "{}",
        driver.text("main h1")
    );
    sign_out();

    // 3. The consenting student finds it among open positions and applies.
    sign_in("wang@axhu.example.cn", "en");
    driver.go(&format!("{base}/positions"));
    assert!(driver.text("main table").contains("Speech data intern"));
    driver.go(&format!("{base}/positions/{position}"));
    driver.click(&format!(
        "form[action='/positions/{position}/apply'] button"
    ));
    assert!(driver.text("p.flash").contains("Application sent."));
    assert!(driver.text("main table").contains("Applied"));
    sign_out();

    // 4. The enterprise shortlists the applicant, in Chinese.
    sign_in("hr@iflytek.example.cn", "zh-CN");
    driver.go(&format!("{base}/placements?position_id={position}"));
    driver.find("html[lang='zh-CN'] main table");
    assert!(driver.text("main table").contains("王雨桐"));
    assert!(driver.text("main table").contains("已申请"));
    driver.click("main form.inline select[name=status] option[value=shortlisted]");
    driver.click("main form.inline button[type=submit]");
    assert!(driver.text("p.flash").contains("更改已保存"));
    assert!(driver.text("main table").contains("入围"));
    screenshot(&driver, "enterprise-shortlist.png");

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}

/// The exchange cycle (issue 7) once through the browser, one user after another: a student
/// applies to a call, staff score the interview, run the allocation (a preview), publish it and
/// nominate the student; the host's contact accepts, in Chinese; staff follow the stay through
/// its states; the student sees the outcome in Chinese. Setup (partners, agreement, place, call,
/// accounts) goes through the JSON API and the CLI.
#[test]
fn a_student_applies_is_allocated_nominated_accepted_and_followed_until_recognition() {
    let db = TestDb::new();
    assert!(db
        .add_user("staff@axhu.example.cn", "staff", "a-long-password")
        .status
        .success());
    let server = db.serve(&[]);
    let base = format!("http://{}", server.addr);
    let auth = bearer(&server.addr, "staff@axhu.example.cn", "a-long-password");
    let post = |path: &str, body: Value| create(&server.addr, &auth, path, &body);
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    let home = post(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Anhui Xinhua University", "zh": "安徽新华学院"}, "country": "CN"}),
    );
    let host = post(
        "/api/v1/institutions",
        json!({"kind": "university", "name": {"en": "Infrastructure University Kuala Lumpur", "zh": "吉隆坡建设大学"}, "country": "MY"}),
    );
    let agreement = post(
        "/api/v1/agreements",
        json!({"kind": "student_exchange",
            "title": {"en": "Student exchange with IUKL", "zh": "与吉隆坡建设大学的学生交换协议"},
            "parties": [{"institution_id": home["id"]}, {"institution_id": host["id"]}],
            "signed_on": "2024-07-04", "start_on": "2024-09-01", "end_on": "2029-08-31"}),
    );
    let condition = post(
        &format!("/api/v1/agreements/{}/conditions", id(&agreement)),
        json!({"mobility_type": "student_studies", "sending_institution_id": home["id"],
            "receiving_institution_id": host["id"], "first_year": "2024/2025",
            "last_year": "2028/2029", "places_per_year": 2, "study_level": "bachelor"}),
    );
    let call = post(
        "/api/v1/calls",
        json!({"title": {"en": "Semester exchange 2025/2026", "zh": "2025/2026 学年交换项目"},
            "academic_year": "2025/2026", "deadline": "2099-03-31", "max_choices": 1,
            "places": [{"condition_id": id(&condition), "places": 2}]}),
    );
    let (call, condition) = (id(&call), id(&condition));
    let student = post(
        "/api/v1/people",
        json!({"name": {"en": "Wang Yutong", "zh": "王雨桐"}, "institution_id": home["id"]}),
    );
    let add = |email: &str, role: &str, flag: &str, id: &str| {
        let out = db.run(
            &[
                "user",
                "add",
                "--email",
                email,
                "--role",
                role,
                flag,
                id,
                "--password-stdin",
            ],
            "a-long-password\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    add("wang@axhu.example.cn", "student", "--person", &id(&student));
    add(
        "intl@iukl.example.my",
        "partner",
        "--institution",
        &id(&host),
    );

    let (mut chromedriver, driver, _profile) = start_browser();
    let sign_in = |email: &str, lang: &str| {
        driver.go(&format!("{base}/login?lang={lang}"));
        driver.find(&format!("html[lang='{lang}'] #email"));
        driver.type_into("#email", email);
        driver.type_into("#password", "a-long-password");
        driver.click("form[action='/login'] button[type=submit]");
        driver.find("form[action='/logout']");
    };
    let sign_out = || {
        driver.click("form[action='/logout'] button[type=submit]");
        driver.find("form[action='/login']");
    };
    let last_segment = || {
        let url = driver.call("GET", "/url", json!({}));
        url.as_str()
            .unwrap()
            .split(['?', '#'])
            .next()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };

    // 1. The student finds the open call and applies with their first choice.
    sign_in("wang@axhu.example.cn", "en");
    driver.go(&format!("{base}/calls"));
    driver.click(&format!("main table a[href='/calls/{call}']"));
    driver.click(&format!("a.button[href='/calls/{call}/apply']"));
    driver.type_into("#gpa", "3.6");
    driver.click("#language_level option[value=B2]");
    driver.click(&format!(
        "select[name=choice_1] option[value='{condition}']"
    ));
    driver.click(&format!(
        "form[action='/calls/{call}/apply'] button[type=submit]"
    ));
    assert!(
        driver
            .text("p.flash")
            .contains("meets every eligibility rule"),
        "{}",
        driver.text("p.flash")
    );
    assert_eq!(driver.text("main p strong"), "Eligible");
    let application = last_segment();
    screenshot(&driver, "exchange-application.png");
    sign_out();

    // 2. Staff score the interview, run the allocation (a preview) and publish it.
    sign_in("staff@axhu.example.cn", "en");
    driver.go(&format!("{base}/calls/{call}"));
    driver.type_into(&format!("#interview-{application}"), "85");
    driver.click(&format!(
        "form[action='/applications/{application}/interview'] button[type=submit]"
    ));
    assert!(driver.text("p.flash").contains("Changes saved"));
    driver.go(&format!("{base}/calls/{call}"));
    driver.click(&format!(
        "form[action='/calls/{call}/allocate'] button[type=submit]"
    ));
    // The run block exists only once a run is stored.
    let run = driver.text("div.run h3");
    assert!(
        run.contains("preview, not yet visible to students"),
        "{run}"
    );
    assert!(driver.text("div.run table").contains("Wang Yutong"));
    // A fresh load without the allocation's flash, so that the flash read next is the publish's.
    driver.go(&format!("{base}/calls/{call}"));
    driver.click(&format!(
        "form[action='/calls/{call}/publish'] button[type=submit]"
    ));
    assert!(
        driver.text("p.flash").contains("The result is published"),
        "{}",
        driver.text("p.flash")
    );
    assert!(driver.text("div.run h3").contains("published"));
    let row = driver.text(&format!("tr#application-{application}"));
    assert!(row.contains("Allocated"), "{row}");

    // 3. Staff nominate the allocated student to the host; the stay is recorded.
    driver.go(&format!("{base}/nominations"));
    assert!(driver.text("main table").contains("Wang Yutong"));
    driver.click(&format!(
        "a.button[href='/applications/{application}/nominate']"
    ));
    driver.find("form.record #planned_start[value='2025-09-01']");
    driver.click("form.record button[type=submit]");
    assert_eq!(
        driver.text("dl.details span.mobility-status-nominated"),
        "Nominated"
    );
    let stay = last_segment();
    assert!(driver
        .text("dl.details")
        .contains("Infrastructure University Kuala Lumpur"));
    sign_out();

    // 4. The host's contact accepts the nomination, in Chinese.
    sign_in("intl@iukl.example.my", "zh-CN");
    driver.go(&format!("{base}/mobilities/{stay}"));
    driver.find("html[lang='zh-CN'] section.nomination");
    assert_eq!(driver.text("dl.details span.badge"), "已提名");
    driver.click(&format!(
        "form[action='/mobilities/{stay}/answer'] input[value=accept] ~ button"
    ));
    assert_eq!(
        driver.text("dl.details span.mobility-status-accepted"),
        "对方已接收"
    );
    screenshot(&driver, "exchange-accepted-zh.png");
    sign_out();

    // 5. Staff follow the stay through its states; each page shows the new state.
    sign_in("staff@axhu.example.cn", "en");
    driver.go(&format!("{base}/mobilities/{stay}"));
    for (status, text) in [
        ("preparing", "Preparing"),
        ("abroad", "Abroad"),
        ("returned", "Returned"),
        ("recognised", "Credits recognised"),
    ] {
        driver.click(&format!(
            "section.status-actions form input[name=status][value={status}] ~ button"
        ));
        // The badge with the new state's class exists only on the page after the change.
        assert_eq!(
            driver.text(&format!("dl.details span.mobility-status-{status}")),
            text
        );
        if status == "abroad" {
            let details = driver.text("dl.details");
            assert!(details.contains("Arrival confirmed"), "{details}");
        }
    }
    assert!(driver.text("p.flash").contains("Changes saved"));
    screenshot(&driver, "exchange-recognised.png");
    sign_out();

    // 6. The student sees the outcome and their stay, in Chinese.
    sign_in("wang@axhu.example.cn", "zh-CN");
    driver.go(&format!("{base}/applications/{application}"));
    driver.find("html[lang='zh-CN'] main p strong");
    assert_eq!(driver.text("main p strong"), "对方院校已接收");
    driver.go(&format!("{base}/mobilities"));
    let mine = driver.text("main table");
    assert!(
        mine.contains("学分已认定") && mine.contains("吉隆坡建设大学"),
        "{mine}"
    );
    driver.click(&format!("main table a[href='/mobilities/{stay}']"));
    assert_eq!(
        driver.text("dl.details span.mobility-status-recognised"),
        "学分已认定"
    );

    driver.call("DELETE", "", json!({}));
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    server.stop();
}
