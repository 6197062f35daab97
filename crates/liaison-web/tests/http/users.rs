//! User management and e-mail: invitations, scopes, disabling, password resets, the profile, the
//! outbox and the SMTP worker (against a tiny fake SMTP server).

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::support::{TestApp, PASSWORD};
use liaison_domain::Role;
use liaison_storage::{MailStatus, OutboxMessage};

const NEW_PASSWORD: &str = "a long and fresh passphrase";

/// The newest outbox message to `to`.
async fn mail_to(app: &TestApp, to: &str) -> OutboxMessage {
    app.db
        .outbox(None, &Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.to_addr == to)
        .unwrap_or_else(|| panic!("no e-mail to {to}"))
}

/// The path of the one-time link (`/invitations/…` or `/password-reset/…`) in a text.
fn link_path(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
        .collect()
}

/// An institution with one unit, created through the API; returns their ids.
async fn institution_and_unit(app: &TestApp, admin: &str) -> (String, String) {
    let inst = app
        .api(
            "POST",
            "/api/v1/institutions",
            Some(admin),
            Some(json!({"kind": "university", "name": {"en": "Anhui Xinhua University", "zh": "安徽新华学院"}, "country": "CN"})),
        )
        .await;
    assert_eq!(inst.status, StatusCode::CREATED, "{}", inst.body);
    let inst = inst.json()["id"].as_str().unwrap().to_string();
    let unit = app
        .api(
            "POST",
            "/api/v1/org-units",
            Some(admin),
            Some(json!({"institution_id": inst, "kind": "school", "name": {"en": "School of Engineering"}})),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.body);
    (inst, unit.json()["id"].as_str().unwrap().to_string())
}

async fn user_json(app: &TestApp, admin: &str, email: &str) -> serde_json::Value {
    let list = app
        .api(
            "GET",
            &format!("/api/v1/users?q={}", email.replace('@', "%40")),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.json()["items"].as_array().unwrap().clone();
    items
        .into_iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no account {email}"))
}

#[tokio::test]
async fn invite_accept_and_sign_in_with_the_chosen_role_and_scope() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let (_, unit) = institution_and_unit(&app, &token).await;
    let mut admin = app.browser(Role::Admin).await;
    let form = admin.get("/users/invite").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"_csrf\""));

    let email = "li.wei@axhu.edu.cn";
    let sent = admin
        .post(
            "/users/invite",
            &[
                ("email", "Li.Wei@AXHU.edu.cn"),
                ("role", "coordinator"),
                ("unit_ids", &unit),
                ("institution_id", ""),
                ("lang", "zh-CN"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let shown = link_path(&sent.body, "/invitations/");
    let mail = mail_to(&app, email).await;
    assert_eq!(mail.status, MailStatus::Queued);
    assert_eq!(mail.lang, "zh-CN");
    assert!(mail.subject.contains("邀请"), "{}", mail.subject);
    let link = link_path(&mail.body_text, "/invitations/");
    assert_eq!(link, shown, "the page shows the link the e-mail carries");
    assert!(
        app.db
            .users()
            .await
            .unwrap()
            .iter()
            .all(|u| u.email != email),
        "no account before the link is used"
    );

    // The invitation shows up as pending; the audit log has it, without any token.
    let users_page = admin.get("/users").await;
    assert!(users_page.body.contains(email), "pending invitation listed");
    let audit = app
        .api("GET", "/api/v1/audit?entity=invitation", Some(&token), None)
        .await;
    assert!(audit.body.contains(email));
    let token_part = link.rsplit('/').next().unwrap();
    assert!(
        !audit.body.contains(token_part),
        "no token in the audit log"
    );

    let mut invitee = app.anonymous();
    let page = invitee.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(email));
    let weak = invitee
        .post(
            &link,
            &[
                ("display_name", "Li Wei 李伟"),
                ("password", "password1"),
                ("password_confirm", "password1"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("李伟"), "the typed name is kept");
    assert!(
        !weak.body.contains("password1"),
        "passwords are never echoed"
    );
    assert!(app
        .db
        .users()
        .await
        .unwrap()
        .iter()
        .all(|u| u.email != email));
    let mismatch = invitee
        .post(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);

    let done = invitee
        .post(
            &link,
            &[
                ("display_name", "Li Wei 李伟"),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/login");
    invitee.sign_in(email, NEW_PASSWORD).await;
    let home = invitee.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Li Wei 李伟"));
    assert_eq!(
        invitee.get("/users").await.status,
        StatusCode::FORBIDDEN,
        "a coordinator is no administrator"
    );
    let account = user_json(&app, &token, email).await;
    assert_eq!(account["role"], "coordinator");
    assert_eq!(account["unit_ids"], json!([unit]));
    assert_eq!(account["preferred_lang"], "zh-CN");
    assert!(account.get("password_hash").is_none());

    // The link works once.
    let users_before = app.db.count_users().await.unwrap();
    let again = app.anonymous().get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    let reuse = app
        .anonymous()
        .post(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reuse.status, StatusCode::GONE);
    assert_eq!(app.db.count_users().await.unwrap(), users_before);
}

#[tokio::test]
async fn expired_unknown_and_taken_invitations_change_nothing() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let invited = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"email": "guest@partner.example", "role": "staff"})),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let body = invited.json();
    assert_eq!(body["role"], "staff");
    assert!(body.get("token_hash").is_none());
    let link = link_path(body["link"].as_str().unwrap(), "/invitations/");
    let id: i64 = body["id"].as_str().unwrap().parse().unwrap();
    app.db
        .set_link_expiry(id, "2000-01-01T00:00:00.000000Z")
        .await
        .unwrap();
    let users_before = app.db.count_users().await.unwrap();
    let mut visitor = app.anonymous();
    let expired = visitor.get(&link).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("expired"));
    let post = visitor
        .post(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::GONE);
    assert_eq!(app.db.count_users().await.unwrap(), users_before);

    let unknown = visitor
        .get("/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        visitor.get("/password-reset/not-a-token").await.status,
        StatusCode::NOT_FOUND
    );
    // An invitation link is not a reset link.
    let wrong = visitor
        .get(&link.replace("/invitations/", "/password-reset/"))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    // An address that already has an account is refused at invite time, on both faces.
    let existing = app.user(Role::Staff).await;
    let api = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"email": existing, "role": "editor"})),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.error_fields(), ["email"]);
    assert_eq!(api.json()["error"]["details"][0]["code"], "taken");
    let mut admin = app.browser(Role::Admin).await;
    let html = admin
        .post(
            "/users/invite",
            &[("email", &existing), ("role", "editor"), ("lang", "en")],
        )
        .await;
    assert_eq!(html.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html
        .body
        .contains("Another record already uses this value."));
    assert!(html.body.contains(&format!("value=\"{existing}\"")));
}

#[tokio::test]
async fn unknown_roles_and_scopes_that_do_not_fit_are_422() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let invite =
        |body: serde_json::Value| app.api("POST", "/api/v1/users", Some(&token), Some(body));
    let r = invite(json!({"email": "x@example.org", "role": "wizard"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["role"]);
    let r = invite(json!({"email": "x@example.org", "role": "partner"})).await;
    assert_eq!(r.error_fields(), ["institution_id"]);
    let r = invite(json!({"email": "x@example.org", "role": "coordinator"})).await;
    assert_eq!(r.error_fields(), ["unit_ids"]);
    let r = invite(json!({"email": "x@example.org", "role": "staff", "person_id": "1"})).await;
    assert_eq!(r.error_fields(), ["person_id"]);
    let r =
        invite(json!({"email": "x@example.org", "role": "partner", "institution_id": "999"})).await;
    assert_eq!(r.error_fields(), ["institution_id"], "{}", r.body);
    let r = invite(json!({"email": "not an address", "role": "staff", "extra": 1})).await;
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["email", "extra"]);
    let outbox = app.db.outbox(None, &Default::default()).await.unwrap();
    assert_eq!(outbox.total, 0, "nothing was queued");

    let staff = app.user(Role::Staff).await;
    let account = user_json(&app, &token, &staff).await;
    let path = format!("/api/v1/users/{}", account["id"].as_str().unwrap());
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&token),
            Some(json!({"role": "wizard", "version": account["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_fields(), ["role"]);
    let r = app
        .api(
            "PATCH",
            &path,
            Some(&token),
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(r.error_fields(), ["version"]);

    let mut admin = app.browser(Role::Admin).await;
    let html = admin
        .post(
            "/users/invite",
            &[
                ("email", "y@example.org"),
                ("role", "wizard"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(html.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.body.contains("value=\"y@example.org\""));
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_tokens_and_sign_in() {
    let app = TestApp::new().await;
    let admin_token = app.token(Role::Admin).await;
    let email = app.user(Role::Staff).await;
    let mut victim = app.anonymous();
    victim.sign_in(&email, PASSWORD).await;
    assert_eq!(victim.get("/institutions").await.status, StatusCode::OK);
    let their_token = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.api("GET", "/api/v1/institutions", Some(&their_token), None)
            .await
            .status,
        StatusCode::OK
    );

    let account = user_json(&app, &admin_token, &email).await;
    let id = account["id"].as_str().unwrap().to_string();
    let mut admin = app.browser(Role::Admin).await;
    let page = admin.get(&format!("/users/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let version = account["version"].as_i64().unwrap().to_string();
    let saved = admin
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("version", &version),
                ("display_name", "Zhang San"),
                ("role", "staff"),
                ("disabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let home = victim.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "session ended");
    assert!(home.location().starts_with("/login"));
    assert_eq!(
        app.api("GET", "/api/v1/institutions", Some(&their_token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let mut again = app.anonymous();
    again.get("/login").await;
    let login = again
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    let token = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(token.status, StatusCode::UNAUTHORIZED);

    // Enabled again through the API: signing in works, old sessions stay ended.
    let account = user_json(&app, &admin_token, &email).await;
    assert_eq!(account["disabled"], true);
    assert_eq!(account["display_name"], "Zhang San");
    let r = app
        .api(
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(&admin_token),
            Some(json!({"disabled": false, "version": account["version"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(victim.get("/").await.status, StatusCode::SEE_OTHER);
    victim.sign_in(&email, PASSWORD).await;

    // An administrator cannot lock themselves out.
    let me = app.db.users().await.unwrap();
    let admin_id = me
        .iter()
        .filter(|u| u.role == Role::Admin)
        .map(|u| u.id)
        .max()
        .unwrap();
    let mine = app.db.user(admin_id).await.unwrap();
    let own = admin
        .post(
            &format!("/users/{admin_id}/edit"),
            &[
                ("version", &mine.version.to_string()),
                ("role", "admin"),
                ("disabled", "on"),
            ],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.body.contains("your own"));
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_on_both_faces() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let email = app.user(Role::Editor).await;
    let account = user_json(&app, &token, &email).await;
    let id = account["id"].as_str().unwrap().to_string();
    let v1 = account["version"].as_i64().unwrap();
    let first = app
        .api(
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(&token),
            Some(json!({"display_name": "First", "version": v1})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["version"], v1 + 1);
    let stale = app
        .api(
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(&token),
            Some(json!({"display_name": "Second", "version": v1})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.error_code(), "conflict");
    let mut admin = app.browser(Role::Admin).await;
    let html = admin
        .post(
            &format!("/users/{id}/edit"),
            &[
                ("version", &v1.to_string()),
                ("display_name", "Third"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(html.status, StatusCode::CONFLICT);
    assert!(html.body.contains("changed by someone else"));
    assert!(html.body.contains("value=\"Third\""), "typed values kept");
    let now = app.db.user(id.parse().unwrap()).await.unwrap();
    assert_eq!(now.display_name.as_deref(), Some("First"));

    // Role change through the API: a scope part not sent follows the role.
    let (inst, _) = institution_and_unit(&app, &token).await;
    let partner = app
        .api(
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(&token),
            Some(json!({"role": "partner", "institution_id": inst, "version": now.version})),
        )
        .await;
    assert_eq!(partner.status, StatusCode::OK, "{}", partner.body);
    assert_eq!(partner.json()["institution_id"], json!(inst));
    let back = app
        .api(
            "PATCH",
            &format!("/api/v1/users/{id}"),
            Some(&token),
            Some(json!({"role": "staff", "version": partner.json()["version"]})),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.json()["institution_id"], json!(null));
    let shown = app
        .api("GET", &format!("/api/v1/users/{id}"), Some(&token), None)
        .await;
    assert_eq!(shown.json()["role"], "staff");
}

#[tokio::test]
async fn an_administrator_sends_a_password_reset_link() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let email = app.user(Role::Student).await;
    let mut student = app.anonymous();
    student.sign_in(&email, PASSWORD).await;
    let id = user_json(&app, &token, &email).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut admin = app.browser(Role::Admin).await;
    let sent = admin
        .post(&format!("/users/{id}/reset-password"), &[])
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let mail = mail_to(&app, &email).await;
    assert_eq!(mail.lang, "en");
    let link = link_path(&mail.body_text, "/password-reset/");
    assert_eq!(link, link_path(&sent.body, "/password-reset/"));

    let mut visitor = app.anonymous();
    assert_eq!(visitor.get(&link).await.status, StatusCode::OK);
    let weak = visitor
        .post(
            &link,
            &[("password", "short"), ("password_confirm", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains("at least 10 characters"),
        "{}",
        weak.body
    );
    let done = visitor
        .post(
            &link,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        student.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the reset signed the account out"
    );
    let mut b = app.anonymous();
    b.get("/login").await;
    let old = b
        .post("/login", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    b.sign_in(&email, NEW_PASSWORD).await;
    assert_eq!(
        app.anonymous()
            .post(
                &link,
                &[
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD)
                ]
            )
            .await
            .status,
        StatusCode::GONE
    );
    // A second link replaces the first one.
    admin
        .post(&format!("/users/{id}/reset-password"), &[])
        .await;
    let second = link_path(&mail_to(&app, &email).await.body_text, "/password-reset/");
    assert_ne!(second, link);
    admin
        .post(&format!("/users/{id}/reset-password"), &[])
        .await;
    assert_eq!(app.anonymous().get(&second).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn the_profile_changes_password_language_tokens_and_calendar_link() {
    let app = TestApp::new().await;
    let email = app.user(Role::Partner).await;
    let mut me = app.anonymous();
    me.sign_in(&email, PASSWORD).await;
    let page = me.get("/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&email));

    let wrong = me
        .post(
            "/profile/password",
            &[
                ("current_password", "not my password"),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("not your current password"));
    let common = me
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("password", "password123"),
                ("password_confirm", "password123"),
            ],
        )
        .await;
    assert_eq!(common.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(common.body.contains("too common"));
    let changed = me
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(me
        .get("/profile")
        .await
        .body
        .contains("Your password was changed"));
    let mut elsewhere = app.anonymous();
    elsewhere.sign_in(&email, NEW_PASSWORD).await;

    // API tokens: listed by name, revoked, then refused.
    let token = app
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": email, "password": NEW_PASSWORD, "name": "laptop script"})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = me.get("/profile").await.body;
    assert!(listed.contains("laptop script"));
    let revoke = link_path(&listed, "/profile/tokens/");
    assert!(revoke.ends_with("/revoke"), "{revoke}");
    // Someone else cannot revoke it.
    let mut other = app.browser(Role::Staff).await;
    assert_eq!(other.post(&revoke, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api("GET", "/api/v1/openapi.json", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = me.post(&revoke, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app
        .api("GET", "/api/v1/institutions", Some(&token), None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert!(!me.get("/profile").await.body.contains("laptop script"));

    // Calendar link: created, replaced, the old one stops working.
    assert_eq!(
        me.post("/profile/calendar", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let first = link_path(&me.get("/profile").await.body, "/calendar/");
    me.post("/profile/calendar", &[]).await;
    let second = link_path(&me.get("/profile").await.body, "/calendar/");
    assert_ne!(first, second);
    let secret = |path: &str| {
        path.trim_start_matches("/calendar/")
            .trim_end_matches(".ics")
            .to_string()
    };
    assert!(app
        .db
        .user_by_ical_secret(&secret(&first))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        app.db
            .user_by_ical_secret(&secret(&second))
            .await
            .unwrap()
            .unwrap()
            .email,
        email
    );

    // Language: stored, applied at once and on the next sign-in.
    let lang = me
        .post("/profile/language", &[("preferred_lang", "zh-CN")])
        .await;
    assert_eq!(lang.status, StatusCode::SEE_OTHER);
    assert!(me
        .get("/profile")
        .await
        .body
        .contains("<html lang=\"zh-CN\">"));
    let mut fresh = app.anonymous();
    fresh.sign_in(&email, NEW_PASSWORD).await;
    assert!(fresh.get("/").await.body.contains("<html lang=\"zh-CN\">"));
    let bad = me
        .post("/profile/language", &[("preferred_lang", "fr")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_administrators_manage_users_and_read_the_outbox() {
    let app = TestApp::new().await;
    for role in Role::ALL.iter().filter(|r| **r != Role::Admin) {
        let mut b = app.browser(*role).await;
        for path in [
            "/users",
            "/users/invite",
            "/outbox",
            "/outbox/1",
            "/users/1",
        ] {
            assert_eq!(
                b.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        assert_eq!(
            b.post("/users/invite", &[("email", "a@b.org"), ("role", "admin")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(b.get("/profile").await.status, StatusCode::OK, "{role}");
        let t = app.token(*role).await;
        for (method, path) in [
            ("GET", "/api/v1/users"),
            ("POST", "/api/v1/users"),
            ("GET", "/api/v1/users/1"),
            ("PATCH", "/api/v1/users/1"),
        ] {
            let r = app
                .api(
                    method,
                    path,
                    Some(&t),
                    Some(json!({"email": "a@b.org", "role": "admin"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {method} {path}");
        }
    }
    assert_eq!(
        app.db
            .outbox(None, &Default::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn user_pages_render_in_both_languages() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let invited = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"email": "new@example.org", "role": "editor", "lang": "zh-CN"})),
        )
        .await
        .json();
    let invitation = link_path(invited["link"].as_str().unwrap(), "/invitations/");
    let mut admin = app.browser(Role::Admin).await;
    let someone = app.user(Role::Student).await;
    let id = user_json(&app, &token, &someone).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sent = admin
        .post(&format!("/users/{id}/reset-password"), &[])
        .await;
    let reset = link_path(&sent.body, "/password-reset/");
    let mail = mail_to(&app, &someone).await.id;
    let mut visitor = app.anonymous();
    for lang in ["en", "zh-CN"] {
        for path in [
            "/users".to_string(),
            "/users?role=student&q=student".to_string(),
            "/users/invite".to_string(),
            format!("/users/{id}"),
            "/outbox".to_string(),
            format!("/outbox/{mail}"),
            "/profile".to_string(),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = admin.get(&format!("{path}{sep}lang={lang}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}: {}", r.body);
            assert!(
                r.body.contains(&format!("<html lang=\"{lang}\">")),
                "{path}"
            );
            assert!(
                !r.body.contains('⟦'),
                "missing translation on {path} in {lang}"
            );
        }
        for path in [&invitation, &reset] {
            let r = visitor.get(&format!("{path}?lang={lang}")).await;
            assert_eq!(r.status, StatusCode::OK, "{path} {lang}");
            assert!(r.body.contains(&format!("<html lang=\"{lang}\">")));
            assert!(
                !r.body.contains('⟦'),
                "missing translation on {path} in {lang}"
            );
        }
    }
    let zh = admin.get("/users?lang=zh-CN").await.body;
    assert!(zh.contains("邀请用户") && zh.contains("发件箱"));
    // The invitation e-mail went out in the invitee's language.
    let zh_mail = mail_to(&app, "new@example.org").await;
    assert!(zh_mail.body_text.contains("您好"), "{}", zh_mail.body_text);
    assert!(!zh_mail.body_text.contains('⟦'));
}

/// A fake SMTP server: enough of the protocol for lettre (220, EHLO, MAIL, RCPT, DATA, QUIT).
/// `reject` answers 554 to the end of DATA. Every accepted message's DATA is kept.
struct FakeSmtp {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    async fn start(reject: bool) -> FakeSmtp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 fake.smtp ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.to_ascii_uppercase();
                        let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                            b"250 fake.smtp\r\n"
                        } else if verb.starts_with("DATA") {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            if reject {
                                b"554 5.7.1 rejected by policy\r\n"
                            } else {
                                store.lock().unwrap().push(data);
                                b"250 2.0.0 queued\r\n"
                            }
                        } else if verb.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        FakeSmtp { port, received }
    }

    fn mailer(&self, app: &TestApp) -> liaison_mail::Mailer {
        liaison_mail::Mailer::new(
            app.db.clone(),
            &liaison_mail::MailConfig {
                smtp_url: format!("smtp://127.0.0.1:{}", self.port),
                from: "Liaison <liaison@uni.example>".into(),
                poll: std::time::Duration::from_secs(60),
            },
        )
        .unwrap()
    }
}

#[tokio::test]
async fn the_mail_worker_sends_the_outbox_and_backs_off_on_failure() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    let invited = app
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(json!({"email": "first@example.org", "role": "staff"})),
        )
        .await
        .json();
    let link = link_path(invited["link"].as_str().unwrap(), "/invitations/");

    let smtp = FakeSmtp::start(false).await;
    let mailer = smtp.mailer(&app);
    let report = mailer.run_once().await.unwrap();
    assert_eq!((report.claimed, report.sent, report.failed), (1, 1, 0));
    let received = smtp.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let data = received[0].replace("=\n", "");
    assert!(
        data.contains("Subject: Your invitation to Liaison"),
        "{data}"
    );
    assert!(data.contains("To: first@example.org"), "{data}");
    assert!(data.contains(&link), "the link arrived: {data}");
    let row = mail_to(&app, "first@example.org").await;
    assert_eq!(row.status, MailStatus::Sent);
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    assert_eq!(mailer.run_once().await.unwrap().claimed, 0, "sent once");

    // A relay that refuses: one failed attempt, retried later, not sent.
    app.api(
        "POST",
        "/api/v1/users",
        Some(&token),
        Some(json!({"email": "second@example.org", "role": "editor"})),
    )
    .await;
    let refusing = FakeSmtp::start(true).await;
    let report = refusing.mailer(&app).run_once().await.unwrap();
    assert_eq!((report.claimed, report.sent, report.failed), (1, 0, 1));
    let row = mail_to(&app, "second@example.org").await;
    assert_eq!(row.status, MailStatus::Queued);
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_none());
    assert!(
        row.next_attempt_at > liaison_storage::now(),
        "retried later"
    );
    assert!(
        row.last_error.as_deref().unwrap_or("").contains("554"),
        "{row:?}"
    );
    assert!(refusing.received.lock().unwrap().is_empty());
    assert_eq!(
        refusing.mailer(&app).run_once().await.unwrap().claimed,
        0,
        "not due before its back-off"
    );
    // The outbox page shows both.
    let mut admin = app.browser(Role::Admin).await;
    let page = admin.get("/outbox").await.body;
    assert!(page.contains("first@example.org") && page.contains("second@example.org"));
    assert!(page.contains("Retrying") && page.contains("Sent"));
    let shown = admin.get(&format!("/outbox/{}", row.id)).await.body;
    assert!(shown.contains("554"));
}

#[tokio::test]
async fn a_claimed_message_is_not_claimed_twice() {
    let app = TestApp::new().await;
    let token = app.token(Role::Admin).await;
    for n in 0..3 {
        let r = app
            .api(
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(json!({"email": format!("n{n}@example.org"), "role": "staff"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let lease = time::Duration::minutes(5);
    let (a, b) = tokio::join!(app.db.claim_mail(2, lease), app.db.claim_mail(2, lease));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(b.iter()).map(|m| m.id).collect();
    assert_eq!(ids.len(), 3, "every message claimed once: {a:?} {b:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert!(app.db.claim_mail(10, lease).await.unwrap().is_empty());
    // A lost lease cannot mark the message sent.
    let mut stolen = a[0].clone();
    stolen.locked_until = Some("2000-01-01T00:00:00.000000Z".into());
    assert!(!app.db.mark_mail_sent(&stolen).await.unwrap());
    assert!(app.db.mark_mail_sent(&a[0]).await.unwrap());
}
