//! Calls for exchange places, applications and allocation runs (issue 7).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table, Tx};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::exchange::assess;
use liaison_domain::{
    ApplicantFacts, Application, ApplicationDraft, ApplicationStatus, Call, CallDraft, CallPlace,
    EligibilityRules, ExplanationLine, FailedRule, FieldError, FieldErrors, Id, LocalizedText,
    PageRequest, ScoringRule, Sort,
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

/// One allocation run: its frozen input (the engine's C4 input and, in `frozen`, each taking
/// part application's version and score and each place's capacity) and the engine's result, as
/// JSON. A run is a preview until published; publishing sets the applications' outcomes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AllocationRun {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    #[serde(with = "liaison_domain::id_as_string")]
    pub call_id: Id,
    /// 1 for the first allocation; later rounds share the places freed since.
    pub round: i64,
    pub input: serde_json::Value,
    pub frozen: serde_json::Value,
    pub result: serde_json::Value,
    /// The call's version once the run was stored: publishing needs it unchanged.
    pub call_version: i64,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
}

/// One cooperation condition's places in an academic year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuotaLine {
    #[serde(with = "liaison_domain::id_as_string")]
    pub condition_id: Id,
    #[serde(with = "liaison_domain::id_as_string")]
    pub agreement_id: Id,
    pub agreement_title: LocalizedText,
    pub academic_year: String,
    /// The places for the year: the override if staff set one, else the condition's per year.
    pub places: i64,
    pub places_per_year: i64,
    pub override_reason: Option<String>,
    /// Allocated, nominated or accepted applications at this condition in calls of the year.
    pub used: i64,
    pub remaining: i64,
}

/// A staff override of a condition's places for one academic year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuotaOverride {
    #[serde(with = "liaison_domain::id_as_string")]
    pub id: Id,
    #[serde(with = "liaison_domain::id_as_string")]
    pub condition_id: Id,
    pub academic_year: String,
    pub places: i64,
    pub reason: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The statuses that hold a place.
const HOLDING: &str = "('allocated', 'nominated', 'accepted')";

const CALL_COLUMNS: &str = "id, title_en, title_zh, title_local, description_en, \
    description_zh, description_local, academic_year, opens_on, deadline, max_choices, places, \
    rules, scoring, version, created_at, updated_at";
const CALL_WRITE: &[&str] = &[
    "title_en",
    "title_zh",
    "title_local",
    "description_en",
    "description_zh",
    "description_local",
    "academic_year",
    "opens_on",
    "deadline",
    "max_choices",
    "places",
    "rules",
    "scoring",
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

const APP_COLUMNS: &str = "id, call_id, person_id, choices, facts, interview_score, score, \
    status, ineligible_reason, failed_rules, allocated_condition_id, explanation, version, \
    created_at, updated_at";
const APP_WRITE: &[&str] = &[
    "call_id",
    "person_id",
    "choices",
    "facts",
    "interview_score",
    "score",
    "status",
    "ineligible_reason",
    "failed_rules",
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

fn date(row: &AnyRow, column: &str) -> StoreResult<Option<time::Date>> {
    match query::opt_text(row, column)? {
        None => Ok(None),
        Some(raw) => Ok(Some(
            iso_date::parse(&raw).ok_or_else(|| corrupt(column, &raw))?,
        )),
    }
}

fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
    serde_json::from_str(&query::text(row, column)?).map_err(|e| corrupt(column, e))
}

fn call_from_row(row: &AnyRow) -> StoreResult<Call> {
    let places: Vec<CallPlace> = json(row, "places")?;
    let rules: EligibilityRules = json(row, "rules")?;
    let scoring: ScoringRule = json(row, "scoring")?;
    Ok(Call {
        id: query::int(row, "id")?,
        draft: CallDraft {
            title: query::localized(row, "title")?,
            description: query::localized(row, "description")?,
            academic_year: query::text(row, "academic_year")?,
            opens_on: date(row, "opens_on")?,
            deadline: date(row, "deadline")?,
            max_choices: query::int(row, "max_choices")?,
            places,
            rules,
            scoring,
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
        Arg::OptText(d.description.en.clone()),
        Arg::OptText(d.description.zh.clone()),
        Arg::OptText(d.description.local.clone()),
        Arg::Text(d.academic_year.clone()),
        Arg::OptText(d.opens_on.map(iso_date::format)),
        Arg::OptText(d.deadline.map(iso_date::format)),
        Arg::Int(d.max_choices),
        Arg::Text(serde_json::to_string(&d.places).expect("places serialise")),
        Arg::Text(serde_json::to_string(&d.rules).expect("rules serialise")),
        Arg::Text(serde_json::to_string(&d.scoring).expect("scoring serialises")),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

fn app_from_row(row: &AnyRow) -> StoreResult<Application> {
    let choices: Vec<Id> = query::json_list(row, "choices")?
        .iter()
        .map(|s| s.parse().map_err(|e| corrupt("choices", e)))
        .collect::<StoreResult<_>>()?;
    let explanation: Vec<ExplanationLine> = json(row, "explanation")?;
    let facts: ApplicantFacts = json(row, "facts")?;
    let failed_rules: Vec<FailedRule> = json(row, "failed_rules")?;
    Ok(Application {
        id: query::int(row, "id")?,
        draft: ApplicationDraft {
            call_id: query::int(row, "call_id")?,
            person_id: query::int(row, "person_id")?,
            choices,
            facts,
            interview_score: query::opt_int(row, "interview_score")?,
            score: query::opt_int(row, "score")?,
            status: query::parse_enum(row, "status", ApplicationStatus::parse)?,
            ineligible_reason: query::opt_text(row, "ineligible_reason")?,
        },
        failed_rules,
        allocated_condition_id: query::opt_int(row, "allocated_condition_id")?,
        explanation,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn app_args(
    d: &ApplicationDraft,
    failed: &[FailedRule],
    allocated: Option<Id>,
    explanation: &[ExplanationLine],
) -> Vec<Arg> {
    let choices: Vec<String> = d.choices.iter().map(|c| c.to_string()).collect();
    vec![
        Arg::Int(d.call_id),
        Arg::Int(d.person_id),
        Arg::Text(serde_json::to_string(&choices).expect("choices serialise")),
        Arg::Text(serde_json::to_string(&d.facts).expect("facts serialise")),
        Arg::OptInt(d.interview_score),
        Arg::OptInt(d.score),
        Arg::Text(d.status.as_str().to_string()),
        Arg::OptText(d.ineligible_reason.clone()),
        Arg::Text(serde_json::to_string(failed).expect("rules serialise")),
        Arg::OptInt(allocated),
        Arg::Text(serde_json::to_string(explanation).expect("explanation serialises")),
    ]
}

fn invalid(field: impl Into<String>, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::from(FieldError::new(field, code)))
}

/// A person's applications, newest first (personal data export).
pub(crate) async fn of_person(tx: &mut Tx, person_id: Id) -> StoreResult<Vec<Application>> {
    APPLICATIONS.all_where(tx, "person_id", person_id).await
}

/// Inside a person's anonymisation: their applications lose what they stated (GPA, language
/// level and certificate, year of study, major), the reason for ineligibility and the failed
/// rules that repeat those values; choices, score, status and outcome stay (allocations and
/// quotas keep adding up). Audited per application like any edit.
pub(crate) async fn anonymise_person_applications(
    tx: &mut Tx,
    actor: &Actor,
    person_id: Id,
) -> StoreResult<()> {
    for before in APPLICATIONS.all_where(tx, "person_id", person_id).await? {
        let mut draft = before.draft.clone();
        draft.facts = ApplicantFacts::default();
        draft.ineligible_reason = None;
        APPLICATIONS
            .update(
                tx,
                actor,
                &before,
                app_args(
                    &draft,
                    &[],
                    before.allocated_condition_id,
                    &before.explanation,
                ),
            )
            .await?;
    }
    Ok(())
}

/// A condition's places for a year (the override if any) and whether it is in force then.
struct ConditionYear {
    places: i64,
    in_force: bool,
}

async fn condition_year(
    conn: &mut sqlx::AnyConnection,
    condition_id: Id,
    year: &str,
) -> StoreResult<Option<ConditionYear>> {
    let row = sqlx::query(
        "SELECT c.places_per_year, c.first_year, c.last_year, o.places AS override_places \
         FROM cooperation_conditions c LEFT JOIN quota_overrides o \
         ON o.condition_id = c.id AND o.academic_year = $2 WHERE c.id = $1",
    )
    .bind(condition_id)
    .bind(year.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let first = query::opt_text(&row, "first_year")?;
    let last = query::opt_text(&row, "last_year")?;
    // Academic years `2025/2026` order as text.
    let in_force =
        first.is_none_or(|f| f.as_str() <= year) && last.is_none_or(|l| l.as_str() >= year);
    let places = match query::opt_int(&row, "override_places")? {
        Some(p) => p,
        None => query::int(&row, "places_per_year")?,
    };
    Ok(Some(ConditionYear { places, in_force }))
}

/// Each place must name an existing condition in force in the call's year, and offer no more
/// places than the condition has for that year.
async fn check_conditions(tx: &mut Tx, draft: &CallDraft) -> StoreResult<()> {
    let mut errors = FieldErrors::default();
    for (i, p) in draft.places.iter().enumerate() {
        match condition_year(tx, p.condition_id, &draft.academic_year).await? {
            None => errors.push(format!("places.{i}.condition_id"), "not-found"),
            Some(c) if !c.in_force => {
                errors.push(format!("places.{i}.condition_id"), "outside-years")
            }
            Some(c) if p.places > c.places => errors.push_limit(
                format!("places.{i}.places"),
                "exceeds-quota",
                c.places.max(0) as usize,
            ),
            Some(_) => {}
        }
    }
    errors.into_result(()).map_err(StoreError::Invalid)
}

/// Places held (allocated, nominated, accepted) per condition in calls of `year`: `(elsewhere,
/// here)` where here is the call `call_id`.
async fn usage(
    conn: &mut sqlx::AnyConnection,
    year: &str,
    call_id: Id,
) -> StoreResult<std::collections::BTreeMap<Id, (i64, i64)>> {
    let rows = sqlx::query(&format!(
        "SELECT a.allocated_condition_id AS cid, a.call_id AS call_id, COUNT(*) AS n \
         FROM applications a JOIN calls c ON c.id = a.call_id \
         WHERE c.academic_year = $1 AND a.status IN {HOLDING} \
         AND a.allocated_condition_id IS NOT NULL \
         GROUP BY a.allocated_condition_id, a.call_id"
    ))
    .bind(year.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = std::collections::BTreeMap::new();
    for r in &rows {
        let e: &mut (i64, i64) = out.entry(query::int(r, "cid")?).or_default();
        if query::int(r, "call_id")? == call_id {
            e.1 += query::int(r, "n")?;
        } else {
            e.0 += query::int(r, "n")?;
        }
    }
    Ok(out)
}

fn run_from_row(row: &AnyRow) -> StoreResult<AllocationRun> {
    Ok(AllocationRun {
        id: query::int(row, "id")?,
        call_id: query::int(row, "call_id")?,
        round: query::int(row, "round")?,
        input: json(row, "input")?,
        frozen: json(row, "frozen")?,
        result: json(row, "result")?,
        call_version: query::int(row, "call_version")?,
        created_by: query::text(row, "created_by")?,
        created_at: query::text(row, "created_at")?,
        published_at: query::opt_text(row, "published_at")?,
        published_by: query::opt_text(row, "published_by")?,
    })
}

const RUN_COLUMNS: &str = "id, call_id, round, input, frozen, result, call_version, created_by, \
    created_at, published_at, published_by";

/// What an allocation run starts from: the call (at its version), the applications that take
/// part (eligible or unplaced) and each place's capacity: the call's places, at most what the
/// condition has left for the year after other calls, less the places this call's students
/// already hold (a later round shares only the places freed since).
#[derive(Debug, Clone)]
pub struct AllocationInputs {
    pub call: Call,
    pub round: i64,
    pub applications: Vec<Application>,
    /// `(condition id, capacity)` in the call's order.
    pub capacities: Vec<(Id, i64)>,
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

    pub async fn update_call(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        draft: &CallDraft,
    ) -> StoreResult<Call> {
        let mut tx = self.write().await?;
        let before = CALLS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        check_conditions(&mut tx, draft).await?;
        let after = CALLS
            .update(&mut tx, actor, &before, call_args(draft))
            .await?;
        tx.commit().await?;
        Ok(after)
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

    /// Stores a new application (validated against its call, then checked by the call's rules
    /// and scored); one per student and call.
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
        let (draft, failed) = assess(&call.draft, draft);
        let created = APPLICATIONS
            .insert(&mut tx, actor, app_args(&draft, &failed, None, &[]))
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces an application's fields; the status change must be one the machine allows. The
    /// rules are checked again and the score recomputed (a resubmission is decided again).
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
        let (draft, failed) = assess(&call.draft, draft);
        let after = APPLICATIONS
            .update(
                &mut tx,
                actor,
                &before,
                app_args(
                    &draft,
                    &failed,
                    before.allocated_condition_id,
                    &before.explanation,
                ),
            )
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What a new allocation run of the call starts from (see [`AllocationInputs`]).
    pub async fn allocation_inputs(&self, call_id: Id) -> StoreResult<AllocationInputs> {
        let call = CALLS.get(&self.pool, call_id).await?;
        let published: i64 = sqlx::query(
            "SELECT COUNT(*) FROM allocation_runs WHERE call_id = $1 AND published_at IS NOT NULL",
        )
        .bind(call_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let applications: Vec<Application> = self
            .call_applications(call_id)
            .await?
            .into_iter()
            .filter(|a| {
                matches!(
                    a.draft.status,
                    ApplicationStatus::Eligible | ApplicationStatus::Unplaced
                )
            })
            .collect();
        let mut conn = self.pool.acquire().await?;
        let used = usage(&mut conn, &call.draft.academic_year, call_id).await?;
        let mut capacities = Vec::new();
        for p in &call.draft.places {
            let quota = condition_year(&mut conn, p.condition_id, &call.draft.academic_year)
                .await?
                .map_or(0, |c| c.places);
            let (elsewhere, here) = used.get(&p.condition_id).copied().unwrap_or((0, 0));
            let cap = p.places.min(quota - elsewhere) - here;
            capacities.push((p.condition_id, cap.max(0)));
        }
        Ok(AllocationInputs {
            call,
            round: published + 1,
            applications,
            capacities,
        })
    }

    /// Stores an allocation run as a preview (the applications do not change yet). The run was
    /// computed from the call at `call_version`: if the call moved on since (another run, an
    /// edit), nothing is stored and the answer is a conflict — two runs started at once for one
    /// call cannot both commit. Storing moves the call's version on.
    pub async fn store_allocation_run(
        &self,
        actor: &Actor,
        call_id: Id,
        call_version: i64,
        input: &serde_json::Value,
        frozen: &serde_json::Value,
        result: &serde_json::Value,
    ) -> StoreResult<AllocationRun> {
        let mut tx = self.write().await?;
        CALLS
            .lock_version(self, &mut tx, call_id, call_version)
            .await?;
        let moved =
            sqlx::query("UPDATE calls SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(call_id)
                .bind(call_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if moved != 1 {
            let current = CALLS.lock(self, &mut tx, call_id).await?.version;
            return Err(StoreError::Conflict { current });
        }
        let published: i64 = sqlx::query(
            "SELECT COUNT(*) FROM allocation_runs WHERE call_id = $1 AND published_at IS NOT NULL",
        )
        .bind(call_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let now = crate::now();
        let row = sqlx::query(&format!(
            "INSERT INTO allocation_runs (call_id, round, input, frozen, result, call_version, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {RUN_COLUMNS}"
        ))
        .bind(call_id)
        .bind(published + 1)
        .bind(input.to_string())
        .bind(frozen.to_string())
        .bind(result.to_string())
        .bind(call_version + 1)
        .bind(actor.label.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let run = run_from_row(&row)?;
        crate::audit::record(
            &mut tx,
            actor,
            "create",
            "allocation_run",
            run.id,
            None,
            Some(&run),
        )
        .await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Publishes a preview: every application in the run gets its place (allocated) or none
    /// (unplaced) and its explanation, which the student then sees. Refused as a conflict when
    /// the run is not the call's latest, is published already, or its inputs changed since
    /// (the call or an application moved on); refused as invalid when places held meanwhile by
    /// other calls would make a condition exceed its places for the year. Nothing changes then.
    pub async fn publish_allocation_run(
        &self,
        actor: &Actor,
        call_id: Id,
        run_id: Id,
    ) -> StoreResult<AllocationRun> {
        let mut tx = self.write().await?;
        let call = CALLS.lock(self, &mut tx, call_id).await?;
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM allocation_runs WHERE id = $1 AND call_id = $2{}",
            self.for_update()
        ))
        .bind(run_id)
        .bind(call_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = run_from_row(&row)?;
        if before.published_at.is_some() || call.version != before.call_version {
            return Err(StoreError::Conflict {
                current: call.version,
            });
        }
        let frozen: Vec<(Id, i64)> = before.frozen["applications"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| Some((v["id"].as_str()?.parse().ok()?, v["version"].as_i64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let mut taken: std::collections::BTreeMap<Id, i64> = Default::default();
        let mut changes = Vec::new();
        for (app_id, version) in frozen {
            let app = APPLICATIONS.lock(self, &mut tx, app_id).await?;
            if app.version != version {
                return Err(StoreError::Conflict {
                    current: call.version,
                });
            }
            let key = format!("a{app_id}");
            let got: Option<Id> = before.result["assignment"][&key]
                .as_str()
                .and_then(|c| c.parse().ok());
            let lines: Vec<ExplanationLine> =
                serde_json::from_value(before.result["explanations"][&key].clone())
                    .map_err(|e| corrupt("result", e))?;
            if let Some(c) = got {
                *taken.entry(c).or_default() += 1;
            }
            changes.push((app, got, lines));
        }
        // The quota, once more inside the lock: other calls may have published since.
        let used = usage(&mut tx, &call.draft.academic_year, call_id).await?;
        let mut errors = FieldErrors::default();
        for (i, p) in call.draft.places.iter().enumerate() {
            let new = taken.get(&p.condition_id).copied().unwrap_or(0);
            if new == 0 {
                continue;
            }
            let quota = condition_year(&mut tx, p.condition_id, &call.draft.academic_year)
                .await?
                .map_or(0, |c| c.places);
            let (elsewhere, here) = used.get(&p.condition_id).copied().unwrap_or((0, 0));
            if elsewhere + here + new > quota || here + new > p.places {
                errors.push_limit(
                    format!("places.{i}.places"),
                    "exceeds-quota",
                    (quota - elsewhere).min(p.places).max(0) as usize,
                );
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        for (app, got, lines) in changes {
            let mut draft = app.draft.clone();
            draft.status = if got.is_some() {
                ApplicationStatus::Allocated
            } else {
                ApplicationStatus::Unplaced
            };
            APPLICATIONS
                .update(
                    &mut tx,
                    actor,
                    &app,
                    app_args(&draft, &app.failed_rules, got, &lines),
                )
                .await?;
        }
        let now = crate::now();
        let row = sqlx::query(&format!(
            "UPDATE allocation_runs SET published_at = $1, published_by = $2 WHERE id = $3 \
             RETURNING {RUN_COLUMNS}"
        ))
        .bind(now)
        .bind(actor.label.clone())
        .bind(run_id)
        .fetch_one(&mut *tx)
        .await?;
        let after = run_from_row(&row)?;
        // Publishing moves the call on too: a run computed before cannot be published after.
        sqlx::query("UPDATE calls SET version = version + 1 WHERE id = $1")
            .bind(call_id)
            .execute(&mut *tx)
            .await?;
        crate::audit::record(
            &mut tx,
            actor,
            "publish",
            "allocation_run",
            run_id,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A label for each of a call's places: the agreement's title.
    pub async fn place_labels(&self, call: &Call) -> StoreResult<Vec<(Id, LocalizedText)>> {
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
                None => LocalizedText::en(&format!("#{}", p.condition_id)),
            };
            out.push((p.condition_id, label));
        }
        Ok(out)
    }

    /// The call's latest allocation run, if any.
    pub async fn latest_allocation_run(&self, call_id: Id) -> StoreResult<Option<AllocationRun>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM allocation_runs WHERE call_id = $1 ORDER BY id DESC LIMIT 1"
        ))
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// The call's latest published run, if any.
    pub async fn published_allocation_run(
        &self,
        call_id: Id,
    ) -> StoreResult<Option<AllocationRun>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM allocation_runs WHERE call_id = $1 \
             AND published_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        ))
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Every cooperation condition in force in `year` with its places, the places held in calls
    /// of that year and what remains, ordered by agreement title.
    pub async fn quotas(&self, year: &str) -> StoreResult<Vec<QuotaLine>> {
        let rows = sqlx::query(
            "SELECT c.id, c.agreement_id, c.places_per_year, a.title_en, a.title_zh, a.title_local, \
             o.places AS override_places, o.reason FROM cooperation_conditions c \
             JOIN agreements a ON a.id = c.agreement_id \
             LEFT JOIN quota_overrides o ON o.condition_id = c.id AND o.academic_year = $1 \
             WHERE (c.first_year IS NULL OR c.first_year <= $1) \
             AND (c.last_year IS NULL OR c.last_year >= $1) ORDER BY a.sort_name, c.id",
        )
        .bind(year.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let used = usage(&mut conn, year, 0).await?;
        rows.iter()
            .map(|r| {
                let id = query::int(r, "id")?;
                let per_year = query::int(r, "places_per_year")?;
                let places = query::opt_int(r, "override_places")?.unwrap_or(per_year);
                let used = used.get(&id).map_or(0, |u| u.0 + u.1);
                Ok(QuotaLine {
                    condition_id: id,
                    agreement_id: query::int(r, "agreement_id")?,
                    agreement_title: query::localized(r, "title")?,
                    academic_year: year.to_string(),
                    places,
                    places_per_year: per_year,
                    override_reason: query::opt_text(r, "reason")?,
                    used,
                    remaining: places - used,
                })
            })
            .collect()
    }

    /// Sets (or replaces) a condition's places for one academic year, with the reason; audited.
    /// `expected_version`: the override's version when replacing one (None: a new override).
    pub async fn set_quota_override(
        &self,
        actor: &Actor,
        condition_id: Id,
        year: &str,
        places: i64,
        reason: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<QuotaOverride> {
        let mut errors = FieldErrors::default();
        if liaison_domain::agreement::parse_academic_year(year).is_none() {
            errors.push("academic_year", "invalid-academic-year");
        }
        if !(0..=liaison_domain::exchange::PLACES_MAX).contains(&places) {
            errors.push("places", "invalid-number");
        }
        let reason = reason.trim();
        if reason.is_empty() {
            errors.push("reason", "required");
        }
        liaison_domain::validation::check_len(
            "reason",
            reason,
            liaison_domain::exchange::REASON_MAX,
            &mut errors,
        );
        errors.into_result(()).map_err(StoreError::Invalid)?;
        let mut tx = self.write().await?;
        if condition_year(&mut tx, condition_id, year).await?.is_none() {
            return Err(invalid("condition_id", "not-found"));
        }
        let existing = sqlx::query(&format!(
            "SELECT {OVERRIDE_COLUMNS} FROM quota_overrides WHERE condition_id = $1 AND academic_year = $2{}",
            self.for_update()
        ))
        .bind(condition_id)
        .bind(year.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let before = existing.as_ref().map(override_from_row).transpose()?;
        let now = crate::now();
        let row = match &before {
            Some(b) => {
                if expected_version != Some(b.version) {
                    return Err(StoreError::Conflict { current: b.version });
                }
                sqlx::query(&format!(
                    "UPDATE quota_overrides SET places = $1, reason = $2, updated_at = $3, \
                     version = version + 1 WHERE id = $4 RETURNING {OVERRIDE_COLUMNS}"
                ))
                .bind(places)
                .bind(reason.to_string())
                .bind(now)
                .bind(b.id)
                .fetch_one(&mut *tx)
                .await?
            }
            None => {
                if expected_version.is_some() {
                    return Err(StoreError::Conflict { current: 0 });
                }
                sqlx::query(&format!(
                    "INSERT INTO quota_overrides (condition_id, academic_year, places, reason, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {OVERRIDE_COLUMNS}"
                ))
                .bind(condition_id)
                .bind(year.to_string())
                .bind(places)
                .bind(reason.to_string())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let after = override_from_row(&row)?;
        crate::audit::record(
            &mut tx,
            actor,
            if before.is_some() { "update" } else { "create" },
            "quota_override",
            after.id,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The override of a condition's places for a year, if staff set one.
    pub async fn quota_override(
        &self,
        condition_id: Id,
        year: &str,
    ) -> StoreResult<Option<QuotaOverride>> {
        let row = sqlx::query(&format!(
            "SELECT {OVERRIDE_COLUMNS} FROM quota_overrides WHERE condition_id = $1 AND academic_year = $2"
        ))
        .bind(condition_id)
        .bind(year.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(override_from_row).transpose()
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
            app_args(
                &draft,
                &before.failed_rules,
                before.allocated_condition_id,
                &before.explanation,
            ),
        )
        .await
}

const OVERRIDE_COLUMNS: &str =
    "id, condition_id, academic_year, places, reason, version, created_at, updated_at";

fn override_from_row(row: &AnyRow) -> StoreResult<QuotaOverride> {
    Ok(QuotaOverride {
        id: query::int(row, "id")?,
        condition_id: query::int(row, "condition_id")?,
        academic_year: query::text(row, "academic_year")?,
        places: query::int(row, "places")?,
        reason: query::text(row, "reason")?,
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}
