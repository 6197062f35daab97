//! `/api/v1/audit`: the audit log, read only. No route edits or deletes an entry.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use super::ListBody;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use liaison_domain::{FieldError, FieldErrors, PageRequest};
use liaison_storage::{AuditEntry, AuditFilter, AuditSearch};

/// The filters the audit list, page and CSV export accept.
pub const FILTERS: &[&str] = &["actor", "entity", "entity_id", "action", "from", "to"];

const FILTER_MAX: usize = 320;

/// Query parameters of the audit list, read leniently: `errors` names each bad parameter and the
/// search leaves that parameter out (the page shows the rest, the API refuses with 422).
pub struct AuditQuery {
    pub search: AuditSearch,
    pub page: PageRequest,
    /// The raw filter values, to refill the filter form.
    pub values: Vec<(String, String)>,
    pub errors: FieldErrors,
}

fn parse_date(raw: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &format).ok()
}

impl AuditQuery {
    pub fn parse(raw: Option<&str>) -> AuditQuery {
        let mut errors = FieldErrors::default();
        let mut values: Vec<(String, String)> = Vec::new();
        let mut page = None;
        let mut per_page = None;
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "page" => page = Some(v.into_owned()),
                "per_page" => per_page = Some(v.into_owned()),
                "lang" => {}
                key if FILTERS.contains(&key) => {
                    values.retain(|(name, _)| name != key);
                    let v = v.trim();
                    // No engine stores NUL; nothing real is this long.
                    if v.chars().any(char::is_control) {
                        errors.push(key, "invalid-type");
                    } else if v.chars().count() > FILTER_MAX {
                        errors.push_limit(key, "too-long", FILTER_MAX);
                    } else {
                        values.push((key.to_string(), v.to_string()));
                    }
                }
                _ => errors.push(k.into_owned(), "unknown-field"),
            }
        }
        let page = PageRequest::parse(page.as_deref(), per_page.as_deref()).unwrap_or_else(|e| {
            errors.0.extend(e.0);
            PageRequest::default()
        });
        let get = |name: &str| {
            values
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let mut date = |name: &str| {
            let raw = get(name)?;
            let parsed = parse_date(&raw);
            if parsed.is_none() {
                errors.push(name, "invalid-date");
            }
            parsed
        };
        let from = date("from");
        let mut to = date("to");
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push("to", "invalid-date-range");
                to = None;
            }
        }
        let search = AuditSearch {
            filter: AuditFilter {
                entity: get("entity"),
                entity_id: get("entity_id"),
                actor: get("actor").map(|a| a.to_lowercase()),
            },
            action: get("action"),
            from,
            to,
        };
        AuditQuery {
            search,
            page,
            values,
            errors,
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A 422 in the C3 shape naming each bad parameter.
pub fn invalid(errors: &FieldErrors) -> ApiError {
    let message = |e: &FieldError| match e.code {
        "invalid-date" => format!("{} must be a date in the form YYYY-MM-DD", e.field),
        "invalid-date-range" => format!("{} must not be before from", e.field),
        _ => e.message(),
    };
    let details: Vec<Value> = errors
        .0
        .iter()
        .map(|e| json!({"field": e.field, "code": e.code, "message": message(e)}))
        .collect();
    let summary: Vec<String> = errors.0.iter().map(message).collect();
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        message: summary.join("; "),
        details: json!(details),
    }
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ListBody<AuditEntry>>> {
    let query = AuditQuery::parse(raw.as_deref());
    if !query.errors.is_empty() {
        return Err(invalid(&query.errors));
    }
    let page = state.db.audit_search(&query.search, &query.page).await?;
    Ok(Json(ListBody {
        items: page.items,
        total: page.total,
        page: query.page.page,
        per_page: query.page.per_page,
    }))
}

/// One CSV cell: quoted when it holds a quote, comma or line break; a leading `= + - @` is
/// defused so spreadsheets do not run it as a formula.
fn csv_cell(out: &mut String, value: &str) {
    let defuse = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if defuse || value.contains(['"', ',', '\n', '\r']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

pub const CSV_HEADER: &str = "at,actor,action,entity,entity_id,before,after\r\n";

/// One entry as a CSV line (RFC 4180, CRLF); before and after as compact JSON.
pub fn csv_line(out: &mut String, e: &AuditEntry) {
    let json = |v: &Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
    let cells = [
        e.at.clone(),
        e.actor.clone(),
        e.action.clone(),
        e.entity.clone(),
        e.entity_id.clone(),
        json(&e.before),
        json(&e.after),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// The matching entries as CSV, newest first, read in batches; at most `AUDIT_EXPORT_MAX` rows.
/// Also says whether rows were left out.
pub async fn csv(
    state: &AppState,
    search: &AuditSearch,
) -> Result<(String, bool), liaison_storage::StoreError> {
    const BATCH: i64 = 1000;
    let max = liaison_storage::AUDIT_EXPORT_MAX;
    let mut out = String::from(CSV_HEADER);
    let mut before = None;
    let mut rows = 0usize;
    loop {
        let batch = state.db.audit_batch(search, before, BATCH).await?;
        for e in &batch {
            if rows == max {
                return Ok((out, true));
            }
            csv_line(&mut out, e);
            rows += 1;
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == BATCH => before = Some(last.id),
            _ => return Ok((out, false)),
        }
    }
}

/// Whether `path` is documented by `openapi` below rather than by the generic resource rules.
pub fn documents(path: &str) -> bool {
    path == "/api/v1/audit"
}

/// The OpenAPI operation details of `GET /api/v1/audit`.
pub fn openapi(_method: &str, parameters: &mut Vec<Value>, responses: &mut Map<String, Value>) {
    for (name, ty) in [("page", "integer"), ("per_page", "integer")] {
        parameters.push(json!({"name": name, "in": "query", "schema": {"type": ty, "minimum": 1}}));
    }
    for name in ["actor", "entity", "entity_id", "action"] {
        parameters.push(json!({"name": name, "in": "query", "schema": {"type": "string"}}));
    }
    for (name, what) in [
        ("from", "first day (UTC)"),
        ("to", "last day (UTC), inclusive"),
    ] {
        parameters.push(json!({"name": name, "in": "query", "description": what,
            "schema": {"type": "string", "format": "date"}}));
    }
    responses.insert(
        "200".into(),
        json!({"description": "one page of entries, newest first",
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
                "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}}}}}}),
    );
    responses.insert(
        "422".into(),
        json!({"description": "invalid or unknown query parameter",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
    );
}

/// The `AuditEntry` schema.
pub fn entry_schema() -> Value {
    json!({"type": "object", "required": ["id", "at", "actor", "action", "entity", "entity_id"],
        "properties": {
            "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
            "actor": {"type": "string"}, "action": {"type": "string"},
            "entity": {"type": "string"}, "entity_id": {"type": "string"},
            "before": {"type": ["object", "null"]}, "after": {"type": ["object", "null"]}}})
}
