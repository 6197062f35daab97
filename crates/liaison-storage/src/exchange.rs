//! Calls for exchange places, applications and allocation runs (issue 7).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::{
    Application, ApplicationDraft, ApplicationStatus, Call, CallDraft, CallPlace, ExplanationLine,
    FieldError, FieldErrors, Id, PageRequest, Sort,
};

pub const CALL_SORTS: &[&str] = &["name", "academic_year", "deadline", "updated_at"];
pub const APPLICATION_SORTS: &[&str] = &["score", "status", "created_at", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct CallFilter {
    pub q: Option<String>,
    pub academic_year: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct ApplicationFilter {
    pub call_id: Option<Id>,
    pub person_id: Option<Id>,
    pub status: Option<ApplicationStatus>,
    /// A student account without a linked person sees nothing.
    pub nothing: bool,
}

/// One allocation run: its frozen input and the engine's result, as JSON.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AllocationRun {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    #[serde(with = "liaison_domain::id_as_string")]
    pub call_id: Id,
    pub input: serde_json::Value,
    pub result: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
}

const CALL_COLUMNS: &str = "id, title_en, title_zh, title_local, academic_year, deadline, \
    max_choices, places, version, created_at, updated_at";
const CALL_WRITE: &[&str] = &[
    "title_en",
    "title_zh",
    "title_local",
    "academic_year",
    "deadline",
    "max_choices",
    "places",
    "search_text",
    "sort_name",
];

const CALLS: Table<Call> = Table {
    name: "calls",
    entity: "call",
    columns: CALL_COLUMNS,
    write_columns: CALL_WRITE,
    from_row: call_from_row,
};

const APP_COLUMNS: &str = "id, call_id, person_id, choices, score, status, ineligible_reason, \
    allocated_condition_id, explanation, version, created_at, updated_at";
const APP_WRITE: &[&str] = &[
    "call_id",
    "person_id",
    "choices",
    "score",
    "status",
    "ineligible_reason",
    "allocated_condition_id",
    "explanation",
];

const APPLICATIONS: Table<Application> = Table {
    name: "applications",
    entity: "application",
    columns: APP_COLUMNS,
    write_columns: APP_WRITE,
    from_row: app_from_row,
};

versioned!(Call, Application);
has_id!(Call, Application);

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn call_from_row(row: &AnyRow) -> StoreResult<Call> {
    let deadline = match query::opt_text(row, "deadline")? {
        None => None,
        Some(raw) => Some(iso_date::parse(&raw).ok_or_else(|| corrupt("deadline", &raw))?),
    };
    let places: Vec<CallPlace> =
        serde_json::from_str(&query::text(row, "places")?).map_err(|e| corrupt("places", e))?;
    Ok(Call {
        id: query::int(row, "id")?,
        draft: CallDraft {
            title: query::localized(row, "title")?,
            academic_year: query::text(row, "academic_year")?,
            deadline,
            max_choices: query::int(row, "max_choices")?,
            places,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn call_args(d: &CallDraft) -> Vec<Arg> {
    vec![
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::Text(d.academic_year.clone()),
        Arg::OptText(d.deadline.map(iso_date::format)),
        Arg::Int(d.max_choices),
        Arg::Text(serde_json::to_string(&d.places).expect("places serialise")),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

fn app_from_row(row: &AnyRow) -> StoreResult<Application> {
    let choices: Vec<Id> = query::json_list(row, "choices")?
        .iter()
        .map(|s| s.parse().map_err(|e| corrupt("choices", e)))
        .collect::<StoreResult<_>>()?;
    let explanation: Vec<ExplanationLine> = serde_json::from_str(&query::text(row, "explanation")?)
        .map_err(|e| corrupt("explanation", e))?;
    Ok(Application {
        id: query::int(row, "id")?,
        draft: ApplicationDraft {
            call_id: query::int(row, "call_id")?,
            person_id: query::int(row, "person_id")?,
            choices,
            score: query::opt_int(row, "score")?,
            status: query::parse_enum(row, "status", ApplicationStatus::parse)?,
            ineligible_reason: query::opt_text(row, "ineligible_reason")?,
        },
        allocated_condition_id: query::opt_int(row, "allocated_condition_id")?,
        explanation,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn app_args(
    d: &ApplicationDraft,
    allocated: Option<Id>,
    explanation: &[ExplanationLine],
) -> Vec<Arg> {
    let choices: Vec<String> = d.choices.iter().map(|c| c.to_string()).collect();
    vec![
        Arg::Int(d.call_id),
        Arg::Int(d.person_id),
        Arg::Text(serde_json::to_string(&choices).expect("choices serialise")),
        Arg::OptInt(d.score),
        Arg::Text(d.status.as_str().to_string()),
        Arg::OptText(d.ineligible_reason.clone()),
        Arg::OptInt(allocated),
        Arg::Text(serde_json::to_string(explanation).expect("explanation serialises")),
    ]
}

fn invalid(field: impl Into<String>, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

async fn check_conditions(tx: &mut Tx, draft: &CallDraft) -> StoreResult<()> {
    for (i, p) in draft.places.iter().enumerate() {
        if sqlx::query("SELECT id FROM cooperation_conditions WHERE id = $1")
            .bind(p.condition_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(invalid(format!("places.{i}.condition_id"), "not-found"));
        }
    }
    Ok(())
}

impl Db {
    pub async fn calls(
        &self,
        filter: &CallFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Call>> {
        let mut c = Conditions::default();
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            c.add(
                "search_text LIKE ? ESCAPE '\\'",
                Arg::Text(liaison_domain::search::like_pattern(q)),
            );
        }
        if let Some(y) = &filter.academic_year {
            c.add("academic_year = ?", Arg::Text(y.clone()));
        }
        query::page(
            &self.pool,
            "calls",
            CALL_COLUMNS,
            &c,
            sort,
            page,
            call_from_row,
        )
        .await
    }

    pub async fn call(&self, id: Id) -> StoreResult<Call> {
        CALLS.get(&self.pool, id).await
    }

    pub async fn create_call(&self, actor: &Actor, draft: &CallDraft) -> StoreResult<Call> {
        let mut tx = self.write().await?;
        check_conditions(&mut tx, draft).await?;
        let created = CALLS.insert(&mut tx, actor, call_args(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn applications(
        &self,
        filter: &ApplicationFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Application>> {
        let mut c = Conditions::default();
        if filter.nothing {
            c.raw("1 = 0");
        }
        if let Some(id) = filter.call_id {
            c.add("call_id = ?", Arg::Int(id));
        }
        if let Some(id) = filter.person_id {
            c.add("person_id = ?", Arg::Int(id));
        }
        if let Some(s) = filter.status {
            c.add("status = ?", Arg::Text(s.as_str().into()));
        }
        query::page(
            &self.pool,
            "applications",
            APP_COLUMNS,
            &c,
            sort,
            page,
            app_from_row,
        )
        .await
    }

    pub async fn application(&self, id: Id) -> StoreResult<Application> {
        APPLICATIONS.get(&self.pool, id).await
    }

    /// Every application of a call, oldest first.
    pub async fn call_applications(&self, call_id: Id) -> StoreResult<Vec<Application>> {
        let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE call_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(call_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(app_from_row).collect()
    }

    /// Stores a new application (validated against its call); one per student and call.
    pub async fn create_application(
        &self,
        actor: &Actor,
        draft: &ApplicationDraft,
    ) -> StoreResult<Application> {
        let mut tx = self.write().await?;
        let call = CALLS
            .lock(self, &mut tx, draft.call_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => invalid("call_id", "not-found"),
                e => e,
            })?;
        let draft = draft
            .clone()
            .validate(&call.draft)
            .map_err(StoreError::Invalid)?;
        if sqlx::query("SELECT id FROM people WHERE id = $1")
            .bind(draft.person_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(invalid("person_id", "not-found"));
        }
        if sqlx::query("SELECT id FROM applications WHERE call_id = $1 AND person_id = $2")
            .bind(draft.call_id)
            .bind(draft.person_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(invalid("call_id", "already-applied"));
        }
        let created = APPLICATIONS
            .insert(&mut tx, actor, app_args(&draft, None, &[]))
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces an application's fields; the status change must be one the machine allows.
    pub async fn update_application(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &ApplicationDraft,
    ) -> StoreResult<Application> {
        let mut tx = self.write().await?;
        let before = APPLICATIONS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        let call = CALLS.get(&self.pool, before.draft.call_id).await?;
        let draft = draft
            .clone()
            .validate_change(&before.draft, &call.draft)
            .map_err(StoreError::Invalid)?;
        let after = APPLICATIONS
            .update(
                &mut tx,
                actor,
                &before,
                app_args(&draft, before.allocated_condition_id, &before.explanation),
            )
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Stores an allocation run: the frozen input and result, and each application's outcome
    /// (`outcomes`: application id → allocated condition and explanation). The call row is
    /// locked so that two runs for one call commit one after the other.
    pub async fn store_allocation_run(
        &self,
        actor: &Actor,
        call_id: Id,
        input: &serde_json::Value,
        result: &serde_json::Value,
        outcomes: &[(Id, Option<Id>, Vec<ExplanationLine>)],
    ) -> StoreResult<AllocationRun> {
        let mut tx = self.write().await?;
        CALLS.lock(self, &mut tx, call_id).await?;
        for (app_id, allocated, explanation) in outcomes {
            let before = APPLICATIONS.lock(self, &mut tx, *app_id).await?;
            let mut draft = before.draft.clone();
            draft.status = if allocated.is_some() {
                ApplicationStatus::Allocated
            } else {
                ApplicationStatus::Unplaced
            };
            if before.allocated_condition_id == *allocated
                && before.explanation == *explanation
                && before.draft.status == draft.status
            {
                continue;
            }
            APPLICATIONS
                .update(
                    &mut tx,
                    actor,
                    &before,
                    app_args(&draft, *allocated, explanation),
                )
                .await?;
        }
        let now = crate::now();
        let row = sqlx::query(
            "INSERT INTO allocation_runs (call_id, input, result, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(call_id)
        .bind(input.to_string())
        .bind(result.to_string())
        .bind(actor.label.clone())
        .bind(now.clone())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        tx.commit().await?;
        Ok(AllocationRun {
            id,
            call_id,
            input: input.clone(),
            result: result.clone(),
            created_by: actor.label.clone(),
            created_at: now,
        })
    }

    /// A label for each of a call's places: the agreement's title and the condition's type.
    pub async fn place_labels(
        &self,
        call: &Call,
    ) -> StoreResult<Vec<(Id, liaison_domain::LocalizedText)>> {
        let mut out = Vec::new();
        for p in &call.draft.places {
            let row = sqlx::query(
                "SELECT a.title_en, a.title_zh, a.title_local FROM cooperation_conditions c \
                 JOIN agreements a ON a.id = c.agreement_id WHERE c.id = $1",
            )
            .bind(p.condition_id)
            .fetch_optional(&self.pool)
            .await?;
            let label = match row {
                Some(row) => query::localized(&row, "title")?,
                None => liaison_domain::LocalizedText::en(&format!("#{}", p.condition_id)),
            };
            out.push((p.condition_id, label));
        }
        Ok(out)
    }

    /// The call's latest allocation run, if any.
    pub async fn latest_allocation_run(&self, call_id: Id) -> StoreResult<Option<AllocationRun>> {
        let row = sqlx::query(
            "SELECT id, call_id, input, result, created_by, created_at FROM allocation_runs \
             WHERE call_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let json = |c: &str| -> StoreResult<serde_json::Value> {
            serde_json::from_str(&query::text(&row, c)?).map_err(|e| corrupt(c, e))
        };
        Ok(Some(AllocationRun {
            id: query::int(&row, "id")?,
            call_id: query::int(&row, "call_id")?,
            input: json("input")?,
            result: json("result")?,
            created_by: query::text(&row, "created_by")?,
            created_at: query::text(&row, "created_at")?,
        }))
    }
}

/// Moves an application's status inside another record's transaction (a nomination, the
/// partner's answer to it), audited like any edit. A move the status machine does not allow is
/// `Invalid` when `strict`, else left undone (the application has moved on by other means).
pub(crate) async fn set_status_in(
    tx: &mut Tx,
    db: &Db,
    actor: &Actor,
    id: Id,
    to: ApplicationStatus,
    strict: bool,
) -> StoreResult<Application> {
    let before = APPLICATIONS.lock(db, tx, id).await?;
    if before.draft.status == to {
        return Ok(before);
    }
    if !before.draft.status.may_become(to) {
        if strict {
            return Err(invalid("status", "invalid-transition"));
        }
        return Ok(before);
    }
    let mut draft = before.draft.clone();
    draft.status = to;
    APPLICATIONS
        .update(
            tx,
            actor,
            &before,
            app_args(&draft, before.allocated_condition_id, &before.explanation),
        )
        .await
}
