//! Recruitment campaigns with partners. Partner and enterprise contacts reach the campaigns run
//! with their institution (filtered in SQL); every change is audited.

use sqlx::any::AnyRow;

use crate::enterprise::must_exist;
use crate::query::{self, Arg, Conditions};
use crate::table::{has_id, versioned, Table};
use crate::{Actor, Db, Page, StoreError, StoreResult};
use liaison_domain::event::iso_date;
use liaison_domain::{Campaign, CampaignDraft, Channel, Id, PageRequest, Scope, Sort};

pub const CAMPAIGN_SORTS: &[&str] = &["start_on", "name", "leads", "conversions", "updated_at"];

#[derive(Debug, Default, Clone)]
pub struct CampaignFilter {
    pub q: Option<String>,
    pub institution_id: Option<Id>,
    pub channel: Option<Channel>,
    /// Campaigns aimed at this country.
    pub country: Option<String>,
}

/// Whether `scope` reaches a campaign.
pub fn campaign_visible(scope: &Scope, c: &Campaign) -> bool {
    match scope {
        Scope::All | Scope::Units(_) => true,
        Scope::Institution(own) => c.draft.institution_id == *own,
        Scope::Nothing => false,
    }
}

const COLUMNS: &str = "id, institution_id, title_en, title_zh, title_local, channel, \
    target_countries, start_on, end_on, leads, conversions, notes_en, notes_zh, notes_local, \
    version, created_at, updated_at";

const CAMPAIGNS: Table<Campaign> = Table {
    name: "recruitment_campaigns",
    entity: "recruitment_campaign",
    columns: COLUMNS,
    write_columns: &[
        "institution_id",
        "title_en",
        "title_zh",
        "title_local",
        "channel",
        "target_countries",
        "start_on",
        "end_on",
        "leads",
        "conversions",
        "notes_en",
        "notes_zh",
        "notes_local",
        "search_text",
        "sort_name",
    ],
    from_row,
};

versioned!(Campaign);
has_id!(Campaign);

fn date(row: &AnyRow, column: &str) -> StoreResult<Option<time::Date>> {
    match query::opt_text(row, column)? {
        None => Ok(None),
        Some(raw) => iso_date::parse(&raw)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("{column} = {raw:?}"))),
    }
}

fn from_row(row: &AnyRow) -> StoreResult<Campaign> {
    let countries = query::text(row, "target_countries")?;
    Ok(Campaign {
        id: query::int(row, "id")?,
        draft: CampaignDraft {
            institution_id: query::int(row, "institution_id")?,
            title: query::localized(row, "title")?,
            channel: query::parse_enum(row, "channel", Channel::parse)?,
            target_countries: serde_json::from_str(&countries)
                .map_err(|e| StoreError::Corrupt(format!("target_countries: {e}")))?,
            start_on: date(row, "start_on")?,
            end_on: date(row, "end_on")?,
            leads: query::int(row, "leads")?,
            conversions: query::int(row, "conversions")?,
            notes: query::localized(row, "notes")?,
        },
        version: query::int(row, "version")?,
        created_at: query::text(row, "created_at")?,
        updated_at: query::text(row, "updated_at")?,
    })
}

fn args(d: &CampaignDraft) -> Vec<Arg> {
    vec![
        Arg::Int(d.institution_id),
        Arg::OptText(d.title.en.clone()),
        Arg::OptText(d.title.zh.clone()),
        Arg::OptText(d.title.local.clone()),
        Arg::Text(d.channel.as_str().into()),
        Arg::Text(serde_json::to_string(&d.target_countries).expect("codes serialise")),
        Arg::OptText(d.start_on.map(iso_date::format)),
        Arg::OptText(d.end_on.map(iso_date::format)),
        Arg::Int(d.leads),
        Arg::Int(d.conversions),
        Arg::OptText(d.notes.en.clone()),
        Arg::OptText(d.notes.zh.clone()),
        Arg::OptText(d.notes.local.clone()),
        Arg::Text(d.search_text()),
        Arg::Text(query::sort_name(&d.title)),
    ]
}

fn conditions(scope: &Scope, f: &CampaignFilter) -> Conditions {
    let mut c = Conditions::default();
    match scope {
        Scope::All | Scope::Units(_) => {}
        Scope::Institution(own) => c.add("institution_id = ?", Arg::Int(*own)),
        Scope::Nothing => c.raw("1 = 0"),
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        c.add(
            "search_text LIKE ? ESCAPE '\\'",
            Arg::Text(liaison_domain::search::like_pattern(q)),
        );
    }
    if let Some(i) = f.institution_id {
        c.add("institution_id = ?", Arg::Int(i));
    }
    if let Some(ch) = f.channel {
        c.add("channel = ?", Arg::Text(ch.as_str().into()));
    }
    if let Some(country) = &f.country {
        c.add(
            "target_countries LIKE ?",
            Arg::Text(format!("%\"{}\"%", country.to_ascii_uppercase())),
        );
    }
    c
}

/// Leads and conversions added up over the campaigns a filter selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CampaignTotals {
    pub campaigns: i64,
    pub leads: i64,
    pub conversions: i64,
}

impl Db {
    pub async fn campaigns(
        &self,
        scope: &Scope,
        filter: &CampaignFilter,
        sort: &Sort,
        page: &PageRequest,
    ) -> StoreResult<Page<Campaign>> {
        query::page(
            &self.pool,
            "recruitment_campaigns",
            COLUMNS,
            &conditions(scope, filter),
            sort,
            page,
            from_row,
        )
        .await
    }

    pub async fn campaign_totals(
        &self,
        scope: &Scope,
        filter: &CampaignFilter,
    ) -> StoreResult<CampaignTotals> {
        use sqlx::Row;
        let c = conditions(scope, filter);
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(leads), 0) AS BIGINT) AS leads, \
             CAST(COALESCE(SUM(conversions), 0) AS BIGINT) AS conversions \
             FROM recruitment_campaigns{}",
            c.where_sql()
        );
        let row = query::bind_all(sqlx::query(&sql), &c.args)
            .fetch_one(&self.pool)
            .await?;
        Ok(CampaignTotals {
            campaigns: row.try_get::<i64, _>("n")?,
            leads: row.try_get::<i64, _>("leads")?,
            conversions: row.try_get::<i64, _>("conversions")?,
        })
    }

    pub async fn campaign(&self, id: Id) -> StoreResult<Campaign> {
        CAMPAIGNS.get(&self.pool, id).await
    }

    pub async fn create_campaign(&self, actor: &Actor, d: &CampaignDraft) -> StoreResult<Campaign> {
        let mut tx = self.write().await?;
        must_exist(
            &mut tx,
            "institution_id",
            "institutions",
            Some(d.institution_id),
        )
        .await?;
        let created = CAMPAIGNS.insert(&mut tx, actor, args(d)).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
        d: &CampaignDraft,
    ) -> StoreResult<Campaign> {
        let mut tx = self.write().await?;
        let before = CAMPAIGNS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        must_exist(
            &mut tx,
            "institution_id",
            "institutions",
            Some(d.institution_id),
        )
        .await?;
        let after = CAMPAIGNS.update(&mut tx, actor, &before, args(d)).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_campaign(
        &self,
        actor: &Actor,
        id: Id,
        expected_version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before = CAMPAIGNS
            .lock_version(self, &mut tx, id, expected_version)
            .await?;
        CAMPAIGNS.delete(&mut tx, actor, &before).await?;
        tx.commit().await?;
        Ok(())
    }
}
