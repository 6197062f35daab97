//! The per-user iCalendar feed (C9): `GET /calendar/{secret}.ics`. The secret in the URL is the
//! key (calendar apps cannot sign in); it is shown on the profile page and rotating it revokes
//! the old URL. Events are all-day entries over their dates, action items all-day entries on their
//! due date, agreement ends all-day entries on the end date.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, EventLike, Property};

use crate::AppState;
use liaison_domain::event::iso_date;
use liaison_domain::LocalizedText;
use liaison_storage::CalendarData;

fn ical_date(d: time::Date) -> String {
    iso_date::format(d).replace('-', "")
}

fn all_day(event: &mut icalendar::Event, start: time::Date, end_inclusive: time::Date) {
    let end = end_inclusive.next_day().unwrap_or(end_inclusive);
    let mut s = Property::new("DTSTART", ical_date(start));
    s.add_parameter("VALUE", "DATE");
    let mut e = Property::new("DTEND", ical_date(end));
    e.add_parameter("VALUE", "DATE");
    event.append_property(s);
    event.append_property(e);
}

fn both(text: &LocalizedText) -> String {
    let en = text.display(false);
    let zh = text.display(true);
    if en == zh {
        en.to_string()
    } else {
        format!("{en} / {zh}")
    }
}

/// The feed as text: one VEVENT per event, action item due date and agreement end.
pub fn render(data: &CalendarData, host: &str, base_url: &str) -> String {
    let mut cal = Calendar::new();
    cal.name("Liaison");
    for e in &data.events {
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("event-{}@{host}", e.id))
            .summary(&both(&e.draft.title))
            .url(&format!("{base_url}/events/{}", e.id));
        if !e.draft.venue.is_empty() {
            ev.location(&both(&e.draft.venue));
        }
        if !e.draft.summary.is_empty() {
            ev.description(&both(&e.draft.summary));
        }
        all_day(&mut ev, e.draft.start_on, e.draft.end_on);
        ev.add_property("CATEGORIES", e.draft.kind.as_str());
        cal.push(ev.done());
    }
    for a in &data.action_items {
        let Some(due) = a.draft.due_on else { continue };
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("action-item-{}@{host}", a.id))
            .summary(&format!("⏰ {}", both(&a.draft.title)))
            .url(&format!("{base_url}/action-items"));
        ev.add_property("CATEGORIES", "action_item");
        ev.add_property("X-LIAISON-STATUS", a.draft.status.as_str());
        all_day(&mut ev, due, due);
        cal.push(ev.done());
    }
    for a in &data.agreement_ends {
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("agreement-end-{}@{host}", a.id))
            .summary(&format!("⌛ {}", both(&a.title)))
            .url(&format!("{base_url}/agreements/{}", a.id));
        ev.add_property("CATEGORIES", "agreement_end");
        all_day(&mut ev, a.end_on, a.end_on);
        cal.push(ev.done());
    }
    cal.done().to_string()
}

pub async fn feed(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such calendar").into_response();
    let Some(secret) = file.strip_suffix(".ics") else {
        return not_found();
    };
    if secret.len() < 16 || secret.len() > 128 {
        return not_found();
    }
    let user = match state.db.user_by_ical_secret(secret).await {
        Ok(Some(u)) => u,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "calendar lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let data = match state.db.calendar_for(&user).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "calendar data failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let base = match &state.config.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or("liaison")
        .split('/')
        .next()
        .unwrap_or("liaison")
        .to_string();
    let body = render(&data, &host, &base);
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    r
}
