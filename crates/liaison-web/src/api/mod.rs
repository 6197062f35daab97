//! The `/api/v1` JSON API (contracts C3 and C6).
//!
//! Request bodies are read as JSON objects and taken apart field by field, so that every problem
//! (unknown field, wrong type, invalid value) is reported with the field's name and nothing is
//! written unless the whole body is valid.

pub mod action_items;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod enterprise;
pub mod enterprise_doc;
pub mod events;
pub mod events_doc;
pub mod exchange;
pub mod field_trips;
pub mod institutions;
pub mod mobilities;
pub mod news;
pub mod org_units;
pub mod people;
pub mod personal_data;
pub mod programme;
pub mod users;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use liaison_domain::{CountryCode, FieldError, FieldErrors, LocalizedText, PageRequest, Sort};

/// A request body that is a JSON object; malformed JSON and oversized bodies are refused here.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the body is larger than 1 MiB",
                )
            } else {
                ApiError::bad_request(format!("could not read the body: {e}"))
            }
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!("malformed JSON: {e}"))),
        }
    }
}

/// Takes typed fields out of a JSON object, collecting a `FieldError` for each problem.
pub struct JsonFields {
    map: Map<String, Value>,
    pub errors: FieldErrors,
}

impl JsonFields {
    /// Every key must be in `allowed`; the others are reported as unknown fields.
    pub fn new(JsonObject(map): JsonObject, allowed: &[&str]) -> JsonFields {
        let mut errors = FieldErrors::default();
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                errors.push(key.clone(), "unknown-field");
            }
        }
        JsonFields { map, errors }
    }

    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// The field's value if present and of the right type; `null` counts as present for `Option`s.
    pub fn take<T: DeserializeOwned>(&mut self, field: &str) -> Option<T> {
        let value = self.map.remove(field)?;
        match serde_json::from_value(value) {
            Ok(v) => Some(v),
            Err(_) => {
                self.errors.push(field, "invalid-type");
                None
            }
        }
    }

    pub fn text(&mut self, field: &str) -> Option<LocalizedText> {
        let value = self.map.remove(field)?;
        match value {
            Value::Null => Some(LocalizedText::default()),
            Value::Object(obj) => {
                let mut text = LocalizedText::default();
                for (lang, v) in obj {
                    let slot = match lang.as_str() {
                        "en" => &mut text.en,
                        "zh" => &mut text.zh,
                        "local" => &mut text.local,
                        _ => {
                            self.errors.push(format!("{field}.{lang}"), "unknown-field");
                            continue;
                        }
                    };
                    match v {
                        Value::String(s) => *slot = Some(s),
                        Value::Null => *slot = None,
                        _ => self.errors.push(format!("{field}.{lang}"), "invalid-type"),
                    }
                }
                Some(text)
            }
            _ => {
                self.errors.push(field, "invalid-type");
                None
            }
        }
    }

    pub fn choice<T>(&mut self, field: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let raw: String = self.take(field)?;
        let parsed = parse(&raw);
        if parsed.is_none() {
            self.errors.push(field, "invalid-choice");
        }
        parsed
    }

    pub fn choices<T>(&mut self, field: &str, parse: fn(&str) -> Option<T>) -> Option<Vec<T>> {
        let raw: Vec<String> = self.take(field)?;
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            match parse(r) {
                Some(v) => out.push(v),
                None => self.errors.push(format!("{field}.{i}"), "invalid-choice"),
            }
        }
        Some(out)
    }

    pub fn country(&mut self, field: &str) -> Option<CountryCode> {
        let raw: String = self.take(field)?;
        let parsed = CountryCode::parse(&raw);
        if parsed.is_none() {
            self.errors.push(field, "invalid-country");
        }
        parsed
    }

    /// An id given as a string (as the API returns them) or a number; `null` clears it.
    pub fn id(&mut self, field: &str) -> Option<Option<i64>> {
        let value = self.map.remove(field)?;
        match value {
            Value::Null => Some(None),
            Value::Number(n) if n.as_i64().is_some() => Some(n.as_i64()),
            Value::String(s) if s.parse::<i64>().is_ok() => Some(s.parse().ok()),
            _ => {
                self.errors.push(field, "invalid-type");
                None
            }
        }
    }

    pub fn require(&mut self, field: &str, present: bool) {
        if !present && !self.errors.0.iter().any(|e| e.field == field) {
            self.errors.push(field, "required");
        }
    }

    /// The `version` a PATCH must send.
    pub fn version(&mut self) -> Option<i64> {
        let v = self.take::<i64>("version");
        self.require("version", v.is_some());
        v
    }

    pub fn finish(self) -> Result<(), FieldErrors> {
        self.errors.into_result(())
    }
}

/// The C6 list envelope.
#[derive(Serialize)]
pub struct ListBody<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One page from storage in the C6 envelope, with the paging the caller asked for.
pub fn list_body<T>(page: liaison_storage::Page<T>, query: &ListQuery) -> axum::Json<ListBody<T>> {
    axum::Json(ListBody {
        items: page.items,
        total: page.total,
        page: query.page.page,
        per_page: query.page.per_page,
    })
}

/// A page the database already wrote as JSON, in the same C6 envelope as [`list_body`]: the
/// items' array text is sent as it is, between the envelope's two ends, so no record is parsed,
/// serialised or even copied here.
pub fn list_body_json(
    page: liaison_storage::JsonPage,
    query: &ListQuery,
) -> axum::response::Response {
    let tail = format!(
        ",\"total\":{},\"page\":{},\"per_page\":{}}}",
        page.total, query.page.page, query.page.per_page
    );
    let body = Chunks::new([
        bytes::Bytes::from_static(b"{\"items\":"),
        page.items,
        bytes::Bytes::from(tail),
    ]);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        axum::body::Body::new(body),
    )
        .into_response()
}

/// A response body of a few buffers sent one after another, with its exact length known (so it
/// goes out with a `Content-Length`, not chunked).
struct Chunks {
    parts: std::collections::VecDeque<bytes::Bytes>,
    remaining: u64,
}

impl Chunks {
    fn new<const N: usize>(parts: [bytes::Bytes; N]) -> Chunks {
        let remaining = parts.iter().map(|p| p.len() as u64).sum();
        Chunks {
            parts: parts.into_iter().filter(|p| !p.is_empty()).collect(),
            remaining,
        }
    }
}

impl http_body::Body for Chunks {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        let next = self.parts.pop_front();
        if let Some(part) = &next {
            self.remaining -= part.len() as u64;
        }
        std::task::Poll::Ready(next.map(|part| Ok(http_body::Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

/// `page`, `per_page`, `q`, `sort` and the resource's own filters, parsed from a query string.
pub struct ListQuery {
    pub page: PageRequest,
    pub sort: Sort,
    pub q: Option<String>,
    pub filters: HashMap<String, String>,
}

impl ListQuery {
    pub fn parse(
        raw: Option<&str>,
        sorts: &[&'static str],
        filters: &[&str],
    ) -> Result<ListQuery, FieldErrors> {
        let mut values: HashMap<String, String> = HashMap::new();
        let mut errors = FieldErrors::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let known = ["page", "per_page", "q", "sort", "lang"].contains(&k.as_ref())
                || filters.contains(&k.as_ref());
            if !known {
                errors.push(k.to_string(), "unknown-field");
            }
            values.insert(k.into_owned(), v.into_owned());
        }
        let page = PageRequest::parse(
            values.get("page").map(String::as_str),
            values.get("per_page").map(String::as_str),
        )
        .map_err(|e| errors.0.extend(e.0));
        let sort = Sort::parse(values.get("sort").map(String::as_str), sorts)
            .map_err(|e| errors.0.extend(e.0));
        if !errors.is_empty() {
            return Err(errors);
        }
        let q = values.remove("q").filter(|q| !q.trim().is_empty());
        if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(FieldErrors::from(FieldError {
                field: "q".into(),
                code: "too-long",
                limit: Some(200),
            }));
        }
        if q.as_deref()
            .is_some_and(liaison_domain::validation::has_control_characters)
        {
            return Err(FieldErrors::from(FieldError::new(
                "q",
                "control-characters",
            )));
        }
        let filters = values
            .into_iter()
            .filter(|(k, _)| filters.contains(&k.as_str()))
            .collect();
        Ok(ListQuery {
            page: page.expect("checked"),
            sort: sort.expect("checked"),
            q,
            filters,
        })
    }

    /// A filter value parsed by `parse`; an unparsable value is a 422 naming the parameter.
    pub fn filter<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        errors: &mut FieldErrors,
    ) -> Option<T> {
        let raw = self.filters.get(name)?;
        if raw.is_empty() {
            return None;
        }
        let v = parse(raw);
        if v.is_none() {
            errors.push(name, "invalid-choice");
        }
        v
    }
}

pub fn parse_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// The `version` of a DELETE: `?version=N` or a JSON body `{"version": N}`.
pub fn delete_version(query: Option<&str>, body: &[u8]) -> ApiResult<i64> {
    let from_query = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.into_owned());
    let from_body = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("version").cloned());
    let version = match (from_query, from_body) {
        (Some(q), _) => q.parse::<i64>().ok(),
        (None, Some(v)) => v.as_i64(),
        (None, None) => {
            return Err(FieldErrors::from(FieldError::new("version", "required")).into())
        }
    };
    version.ok_or_else(|| FieldErrors::from(FieldError::new("version", "invalid-type")).into())
}

/// Combines the errors found while reading fields with the domain's validation of the result.
/// A field that could not be read is reported once, not again as, say, missing.
pub fn merge<T>(
    mut errors: FieldErrors,
    validated: Result<T, FieldErrors>,
) -> Result<T, FieldErrors> {
    match validated {
        Ok(v) if errors.is_empty() => Ok(v),
        Ok(_) => Err(errors),
        Err(e) => {
            let read: Vec<String> = errors.0.iter().map(|e| e.field.clone()).collect();
            let root = |f: &str| f.split('.').next().unwrap_or(f).to_string();
            errors.0.extend(
                e.0.into_iter()
                    .filter(|e| !read.iter().any(|r| root(r) == root(&e.field))),
            );
            Err(errors)
        }
    }
}

/// A record-level access check after the route guard: 404 when the caller's scope does not reach
/// the record at all (its existence does not leak), 403 when they may see it but not change it.
pub fn check_record(visible: bool, permitted: bool) -> ApiResult<()> {
    if !visible {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such record",
        ));
    }
    if !permitted {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this record is outside what your account may change",
        ));
    }
    Ok(())
}
