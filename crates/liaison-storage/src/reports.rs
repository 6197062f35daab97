//! Figures for the leadership dashboard and report pages (issue 8), computed by SQL aggregates.
//! Only aggregated rows come back (one per year × direction × group, per partner, per unit, per
//! agreement type), never the mobilities themselves.
//!
//! A mobility counts in the calendar year its stay starts (`start_on`: actual start, else
//! planned); cancelled ones never count. "Partner" is the other side: the host for an outgoing
//! stay, the home institution for an incoming one; its country and region tags place it on the map
//! and in the regions.
//!
//! The figures are read from two summary tables that triggers keep in step with every write to
//! `mobilities` (migration 14): `mobility_counts_by_unit` (year × direction × type × level × unit ×
//! agreement) and `mobility_counts_by_partner` (the same with the partner instead of the unit).
//! Each query reads the smaller one that has the columns it groups and filters by; only a
//! combination neither has (a unit with a partner or a region) reads the mobilities themselves.
//! [`Db::report_from_mobilities`] computes everything from the mobilities, to check the summaries.

use std::collections::BTreeMap;

use liaison_domain::agreement::{MobilityType, StudyLevel};
use liaison_domain::mobility::MobilityDirection;
use liaison_domain::{Id, RegionTag, Scope};
use sqlx::Row;

use crate::db::Db;
use crate::query::{self, bind_all, Arg, Conditions};
use crate::StoreResult;

/// Students or staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Students,
    Staff,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Students => "students",
            Group::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Group> {
        match s {
            "students" => Some(Group::Students),
            "staff" => Some(Group::Staff),
            _ => None,
        }
    }
}

/// What the report pages may be narrowed by.
#[derive(Debug, Default, Clone)]
pub struct ReportFilter {
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    pub org_unit_id: Option<Id>,
    pub direction: Option<MobilityDirection>,
    pub group: Option<Group>,
    pub level: Option<StudyLevel>,
    /// One of the four mobility types (narrower than `group`).
    pub mobility_type: Option<MobilityType>,
    /// Partners carrying this region tag.
    pub region: Option<RegionTag>,
}

/// Mobilities starting in one year, in one direction, of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearCount {
    pub year: i32,
    pub direction: MobilityDirection,
    pub group: Group,
    pub count: i64,
}

/// Every figure of the dashboard for one filter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub by_year: Vec<YearCount>,
    /// Partner institution id and count, largest first.
    pub by_partner: Vec<(Id, i64)>,
    /// ISO alpha-2 country of the partner and count, largest first.
    pub by_country: Vec<(String, i64)>,
    /// Region tag (`sco`, `belt_and_road`, `eu`, `asean`, …) and count, largest first.
    pub by_region: Vec<(String, i64)>,
    /// Org unit (none: not assigned to one) and count, largest first.
    pub by_unit: Vec<(Option<Id>, i64)>,
    /// Agreement type (none: no agreement) and count, largest first.
    pub by_agreement_kind: Vec<(Option<String>, i64)>,
    pub total: i64,
}

fn largest_first<K: Ord>(map: BTreeMap<K, i64>) -> Vec<(K, i64)> {
    let mut v: Vec<(K, i64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

const STUDENT_TYPES: &str = "('student_studies', 'student_traineeship')";

/// Where a report query reads its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `mobility_counts_by_unit`: has the unit and the agreement.
    ByUnit,
    /// `mobility_counts_by_partner`: has the partner and the agreement.
    ByPartner,
    /// The mobilities themselves: have everything.
    Mobilities,
}

impl Source {
    /// The smallest source with a unit column (when `unit`) and a partner column (when `partner`).
    fn with(unit: bool, partner: bool, direct: bool) -> Source {
        match (unit, partner) {
            _ if direct => Source::Mobilities,
            (true, true) => Source::Mobilities,
            (false, true) => Source::ByPartner,
            (_, false) => Source::ByUnit,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Source::ByUnit => "mobility_counts_by_unit",
            Source::ByPartner => "mobility_counts_by_partner",
            Source::Mobilities => "mobilities",
        }
    }

    fn year(self) -> &'static str {
        match self {
            Source::Mobilities => "CAST(substr(start_on, 1, 4) AS BIGINT)",
            _ => "year",
        }
    }

    fn partner(self) -> &'static str {
        match self {
            Source::ByPartner => "partner_id",
            _ => "CASE WHEN direction = 'outgoing' THEN host_institution_id ELSE home_institution_id END",
        }
    }

    /// The unit, 0 for none. On the mobilities an expression: grouping by the bare column would
    /// steer SQLite to the per-unit index and a visit to every row instead of the covering
    /// report index.
    fn unit(self) -> &'static str {
        match self {
            Source::Mobilities => "COALESCE(org_unit_id, 0)",
            _ => "org_unit_id",
        }
    }

    /// The agreement, 0 for none.
    fn agreement(self) -> &'static str {
        match self {
            Source::Mobilities => "COALESCE(agreement_id, 0)",
            _ => "agreement_id",
        }
    }

    fn count(self) -> &'static str {
        match self {
            Source::Mobilities => "COUNT(*)",
            _ => "CAST(SUM(n) AS BIGINT)",
        }
    }
}

/// Whether the scope or the filter names units, and whether the filter needs the partner.
fn needs(scope: &Scope, f: &ReportFilter) -> (bool, bool) {
    (
        f.org_unit_id.is_some() || !matches!(scope, Scope::All),
        f.region.is_some(),
    )
}

fn conditions(source: Source, scope: &Scope, f: &ReportFilter) -> Conditions {
    let mut c = Conditions::default();
    if source == Source::Mobilities {
        c.raw("status <> 'cancelled'");
    }
    match scope {
        Scope::All => {}
        Scope::Units(units) => c.add_in("org_unit_id", units),
        Scope::Institution(_) | Scope::Nothing => c.raw("1 = 0"),
    }
    match source {
        Source::Mobilities => {
            if let Some(y) = f.first_year {
                c.add("start_on >= ?", Arg::Text(format!("{y:04}-01-01")));
            }
            if let Some(y) = f.last_year {
                c.add("start_on < ?", Arg::Text(format!("{:04}-01-01", y + 1)));
            }
        }
        _ => {
            if let Some(y) = f.first_year {
                c.add("year >= ?", Arg::Int(y.into()));
            }
            if let Some(y) = f.last_year {
                c.add("year <= ?", Arg::Int(y.into()));
            }
        }
    }
    if let Some(u) = f.org_unit_id {
        c.add("org_unit_id = ?", Arg::Int(u));
    }
    if let Some(d) = f.direction {
        c.add("direction = ?", Arg::Text(d.as_str().into()));
    }
    match f.group {
        Some(Group::Students) => c.raw(&format!("mobility_type IN {STUDENT_TYPES}")),
        Some(Group::Staff) => c.raw(&format!("mobility_type NOT IN {STUDENT_TYPES}")),
        None => {}
    }
    if let Some(l) = f.level {
        c.add("level = ?", Arg::Text(l.as_str().into()));
    }
    if let Some(t) = f.mobility_type {
        c.add("mobility_type = ?", Arg::Text(t.as_str().into()));
    }
    if let Some(tag) = f.region {
        c.add(
            &format!(
                "{} IN (SELECT id FROM institutions WHERE region_tags LIKE ?)",
                source.partner()
            ),
            Arg::Text(format!("%,{},%", tag.as_str())),
        );
    }
    c
}

impl Db {
    /// The dashboard's figures for what `scope` reaches (all for office staff, their units for a
    /// coordinator, nothing for other roles), read from the summary tables.
    pub async fn report(&self, scope: &Scope, filter: &ReportFilter) -> StoreResult<Report> {
        self.report_with(scope, filter, false).await
    }

    /// [`Db::report`] computed from the mobilities themselves, not from the summary tables: the
    /// same numbers, slower; tests and the benchmark compare the two.
    pub async fn report_from_mobilities(
        &self,
        scope: &Scope,
        filter: &ReportFilter,
    ) -> StoreResult<Report> {
        self.report_with(scope, filter, true).await
    }

    async fn report_with(
        &self,
        scope: &Scope,
        filter: &ReportFilter,
        direct: bool,
    ) -> StoreResult<Report> {
        let (unit, partner) = needs(scope, filter);
        let mut report = Report {
            by_year: self.by_year(scope, filter, direct).await?,
            ..Report::default()
        };
        report.total = report.by_year.iter().map(|c| c.count).sum();

        // Partners with their country and tags: one row per partner, folded here.
        let source = Source::with(unit, true, direct);
        let c = conditions(source, scope, filter);
        let sql = format!(
            "SELECT g.partner, g.n, i.country, i.region_tags FROM (\
             SELECT {} AS partner, {} AS n FROM {}{} GROUP BY 1) g \
             JOIN institutions i ON i.id = g.partner",
            source.partner(),
            source.count(),
            source.table(),
            c.where_sql()
        );
        let mut countries: BTreeMap<String, i64> = BTreeMap::new();
        let mut regions: BTreeMap<String, i64> = BTreeMap::new();
        let mut partners: BTreeMap<Id, i64> = BTreeMap::new();
        for row in bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
        {
            let n: i64 = row.try_get("n")?;
            partners.insert(query::int(&row, "partner")?, n);
            *countries.entry(query::text(&row, "country")?).or_default() += n;
            for tag in query::text(&row, "region_tags")?
                .split(',')
                .filter(|t| !t.is_empty())
            {
                *regions.entry(tag.to_string()).or_default() += n;
            }
        }
        report.by_partner = largest_first(partners);
        report.by_country = largest_first(countries);
        report.by_region = largest_first(regions);

        let source = Source::with(true, partner, direct);
        let c = conditions(source, scope, filter);
        let sql = format!(
            "SELECT {} AS org_unit_id, {} AS n FROM {}{} GROUP BY 1",
            source.unit(),
            source.count(),
            source.table(),
            c.where_sql()
        );
        let mut units = BTreeMap::new();
        for row in bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
        {
            let id = query::int(&row, "org_unit_id")?;
            units.insert((id != 0).then_some(id), row.try_get("n")?);
        }
        report.by_unit = largest_first(units);

        let source = Source::with(unit, partner, direct);
        let c = conditions(source, scope, filter);
        let sql = format!(
            "SELECT a.kind, CAST(SUM(g.n) AS BIGINT) AS n FROM (SELECT {} AS agreement_id, \
             {} AS n FROM {}{} GROUP BY 1) g \
             LEFT JOIN agreements a ON a.id = g.agreement_id GROUP BY a.kind",
            source.agreement(),
            source.count(),
            source.table(),
            c.where_sql()
        );
        let mut kinds = BTreeMap::new();
        for row in bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
        {
            kinds.insert(query::opt_text(&row, "kind")?, row.try_get("n")?);
        }
        report.by_agreement_kind = largest_first(kinds);
        Ok(report)
    }

    /// Only the counts per year × direction × group (the dashboard's lines): one small read.
    pub async fn report_by_year(
        &self,
        scope: &Scope,
        filter: &ReportFilter,
    ) -> StoreResult<Vec<YearCount>> {
        self.by_year(scope, filter, false).await
    }

    async fn by_year(
        &self,
        scope: &Scope,
        filter: &ReportFilter,
        direct: bool,
    ) -> StoreResult<Vec<YearCount>> {
        let (unit, partner) = needs(scope, filter);
        let source = Source::with(unit, partner, direct);
        let c = conditions(source, scope, filter);
        let sql = format!(
            "SELECT {} AS year, direction, \
             CASE WHEN mobility_type IN {STUDENT_TYPES} THEN 'students' ELSE 'staff' END AS grp, \
             {} AS n FROM {}{} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            source.year(),
            source.count(),
            source.table(),
            c.where_sql()
        );
        let mut out = Vec::new();
        for row in bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
        {
            let direction = query::parse_enum(&row, "direction", MobilityDirection::parse)?;
            let group = query::parse_enum(&row, "grp", Group::parse)?;
            let count: i64 = row.try_get("n")?;
            out.push(YearCount {
                year: query::int(&row, "year")? as i32,
                direction,
                group,
                count,
            });
        }
        Ok(out)
    }
}

impl Db {
    /// The org units that have mobilities in `scope`, for the report filter.
    pub async fn report_units(&self, scope: &Scope) -> StoreResult<Vec<Id>> {
        let mut c = conditions(Source::ByUnit, scope, &ReportFilter::default());
        c.raw("org_unit_id <> 0");
        let sql = format!(
            "SELECT DISTINCT org_unit_id FROM mobility_counts_by_unit{}",
            c.where_sql()
        );
        bind_all(sqlx::query(&sql), &c.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| query::int(r, "org_unit_id"))
            .collect()
    }
}
