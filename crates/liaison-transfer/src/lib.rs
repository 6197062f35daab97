//! Files in and out (C8): the directory (institutions, org units, people), agreements and their
//! cooperation conditions (a second entity, `agreement-conditions`, one row per condition naming
//! its `agreement_id`), events and mobility records, as CSV or XLSX.
//!
//! Columns are the JSON field names of the API: nested text as `name.en`, `name.zh`,
//! `name.local`, lists of values joined with `;` (`region_tags`, `emails`, `signatories`,
//! `agreement_ids`, …; an agreement's `parties` as `institution_id` or
//! `institution_id/org_unit_id`), lists of objects (an event's `participants`, `consensus`,
//! `honours`) as the API's JSON for that field. An export
//! writes `id`, `version`, `created_at` and `updated_at` too; an import reads `id` (a row with an
//! id updates that record or creates it with that id, a row without one creates a new record) and
//! ignores the other three. Import is all or nothing: every row is checked with the domain
//! drafts' `validate()`, every problem is reported as `row N, column C: why` (rows numbered as in
//! a spreadsheet, the header being row 1), and the rows are written in one transaction only if
//! there is none. The format of an input is recognised by its content (XLSX is a ZIP file).

pub mod backup;
mod outcomes;

pub use outcomes::export_outcomes;

use std::collections::HashMap;
use std::io::Cursor;

use liaison_domain::agreement::{
    format_date, CefrLevel, Direction, MobilityType, Party, StudyLevel,
};
use liaison_domain::event::iso_date;
use liaison_domain::EmploymentOutcomeDraft;
use liaison_domain::{
    Agreement, AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft,
    CooperationCondition, CountryCode, Event, EventDraft, EventKind, FieldError, FieldErrors, Id,
    Institution, InstitutionDraft, InstitutionKind, LocalizedText, Mobility, MobilityDirection,
    MobilityDraft, MobilityStatus, OrgUnit, OrgUnitDraft, OrgUnitKind, Person, PersonDraft,
    RegionTag, RelationshipStatus,
};
use liaison_storage::{
    Actor, AgreementImport, ConditionImport, Db, ImportFailure, ImportOutcome, ImportRow,
    MobilityImport, StoreError,
};

/// The entities that can be exported and imported, by their C6 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Institutions,
    OrgUnits,
    People,
    Agreements,
    /// The cooperation conditions (quotas) of agreements, one row each, naming `agreement_id`.
    AgreementConditions,
    Events,
    Mobilities,
    EmploymentOutcomes,
}

impl Entity {
    /// In the order an import of everything takes (records before those that refer to them).
    pub const ALL: [Entity; 8] = [
        Entity::Institutions,
        Entity::OrgUnits,
        Entity::People,
        Entity::Agreements,
        Entity::AgreementConditions,
        Entity::Events,
        Entity::Mobilities,
        Entity::EmploymentOutcomes,
    ];

    pub fn parse(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Institutions => "institutions",
            Entity::OrgUnits => "org-units",
            Entity::People => "people",
            Entity::Agreements => "agreements",
            Entity::AgreementConditions => "agreement-conditions",
            Entity::Events => "events",
            Entity::Mobilities => "mobilities",
            Entity::EmploymentOutcomes => "employment-outcomes",
        }
    }

    /// The columns of an export, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Entity::Institutions => INSTITUTION_COLUMNS,
            Entity::OrgUnits => ORG_UNIT_COLUMNS,
            Entity::People => PERSON_COLUMNS,
            Entity::Agreements => AGREEMENT_COLUMNS,
            Entity::AgreementConditions => CONDITION_COLUMNS,
            Entity::Events => EVENT_COLUMNS,
            Entity::Mobilities => MOBILITY_COLUMNS,
            Entity::EmploymentOutcomes => outcomes::COLUMNS,
        }
    }

    /// Columns an import needs in its header.
    fn required(self) -> &'static [&'static str] {
        match self {
            Entity::Institutions => &["kind", "country", "status"],
            Entity::OrgUnits => &["institution_id", "kind"],
            Entity::People => &[],
            Entity::Agreements => &["kind", "status", "parties"],
            Entity::AgreementConditions => &["agreement_id", "mobility_type", "places_per_year"],
            Entity::Events => &["kind", "start_on", "end_on"],
            Entity::Mobilities => &[
                "person_id",
                "direction",
                "mobility_type",
                "home_institution_id",
                "host_institution_id",
                "academic_year",
                "planned_start",
                "planned_end",
                "status",
            ],
            Entity::EmploymentOutcomes => outcomes::REQUIRED,
        }
    }
}

/// File formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// XLSX files are ZIP archives; anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

const INSTITUTION_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "name.en",
    "name.zh",
    "name.local",
    "country",
    "city.en",
    "city.zh",
    "city.local",
    "website",
    "status",
    "region_tags",
    "hei_id",
    "erasmus_code",
    "social_credit_code",
    "profile.en",
    "profile.zh",
    "profile.local",
    "version",
    "created_at",
    "updated_at",
];

const ORG_UNIT_COLUMNS: &[&str] = &[
    "id",
    "institution_id",
    "parent_id",
    "kind",
    "name.en",
    "name.zh",
    "name.local",
    "ounit_id",
    "website",
    "version",
    "created_at",
    "updated_at",
];

const PERSON_COLUMNS: &[&str] = &[
    "id",
    "name.en",
    "name.zh",
    "name.local",
    "title.en",
    "title.zh",
    "title.local",
    "institution_id",
    "org_unit_id",
    "emails",
    "phones",
    "languages",
    "version",
    "created_at",
    "updated_at",
];

const AGREEMENT_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "status",
    "title.en",
    "title.zh",
    "title.local",
    "summary.en",
    "summary.zh",
    "summary.local",
    "parties",
    "signatories",
    "subject_areas",
    "signed_on",
    "start_on",
    "end_on",
    "auto_renew",
    "iia_id",
    "owner_user_id",
    "previous_id",
    "version",
    "created_at",
    "updated_at",
];

const CONDITION_COLUMNS: &[&str] = &[
    "id",
    "agreement_id",
    "mobility_type",
    "direction",
    "sending_institution_id",
    "receiving_institution_id",
    "first_year",
    "last_year",
    "places_per_year",
    "months_per_place",
    "days_per_place",
    "study_level",
    "subject_areas",
    "language",
    "language_level",
    "notes",
    "version",
    "created_at",
    "updated_at",
];

const EVENT_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "title.en",
    "title.zh",
    "title.local",
    "start_on",
    "end_on",
    "venue.en",
    "venue.zh",
    "venue.local",
    "host_unit_id",
    "summary.en",
    "summary.zh",
    "summary.local",
    "participants",
    "consensus",
    "honours",
    "agreement_ids",
    "version",
    "created_at",
    "updated_at",
];

const MOBILITY_COLUMNS: &[&str] = &[
    "id",
    "person_id",
    "direction",
    "mobility_type",
    "level",
    "home_institution_id",
    "host_institution_id",
    "org_unit_id",
    "agreement_id",
    "condition_id",
    "academic_year",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "arrival_confirmed_at",
    "return_confirmed_at",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relation",
    "notes",
    "version",
    "created_at",
    "updated_at",
];

/// A column whose cells are whole numbers (written as numbers to XLSX).
fn numeric(column: &str) -> bool {
    column == "id"
        || column == "cohort"
        || column == "version"
        || column == "places_per_year"
        || column == "days_per_place"
        || column.ends_with("_id")
            && column != "hei_id"
            && column != "ounit_id"
            && column != "iia_id"
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based, as a spreadsheet shows it; the header is row 1. 0: the file as a whole.
    pub row: usize,
    /// The column's header name; empty for the file as a whole.
    pub column: String,
    /// A stable code: the domain's field-error codes plus `unknown-column`, `duplicate-column`,
    /// `missing-column`, `empty-file`, `unreadable-file`, `formula`.
    pub code: &'static str,
    pub limit: Option<usize>,
}

impl Problem {
    fn new(row: usize, column: &str, code: &'static str) -> Problem {
        Problem {
            row,
            column: column.to_string(),
            code,
            limit: None,
        }
    }

    /// Why, in English.
    pub fn why(&self) -> String {
        match self.code {
            "unknown-column" => "is not a known column".into(),
            "duplicate-column" => "appears twice in the header".into(),
            "missing-column" => "is missing from the header".into(),
            "empty-file" => "the file holds no header row".into(),
            "unreadable-file" => {
                "the file is neither a readable XLSX workbook nor UTF-8 CSV".into()
            }
            "formula" => "holds a formula; only plain values can be imported".into(),
            code => {
                let message = FieldError {
                    field: String::new(),
                    code,
                    limit: self.limit,
                }
                .message();
                message.trim_start().to_string()
            }
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => write!(f, "{}", self.why()),
            (row, true) => write!(f, "row {row}: {}", self.why()),
            (row, false) => write!(f, "row {row}, column {}: {}", self.column, self.why()),
        }
    }
}

/// Why an import did not happen.
#[derive(Debug)]
pub enum ImportError {
    /// The file is wrong; nothing was written.
    Problems(Vec<Problem>),
    /// The database failed; nothing was written.
    Store(StoreError),
}

/// A sheet of text cells: a header and its data rows, with each row's spreadsheet number.
#[derive(Debug, Default)]
struct Sheet {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

// ---------------------------------------------------------------------------------------------
// Export

/// The whole table of `entity` as a file.
pub async fn export(db: &Db, entity: Entity, format: Format) -> Result<Vec<u8>, StoreError> {
    let rows: Vec<Vec<String>> = match entity {
        Entity::Institutions => db
            .all_institutions()
            .await?
            .iter()
            .map(institution_cells)
            .collect(),
        Entity::OrgUnits => db
            .all_org_units()
            .await?
            .iter()
            .map(org_unit_cells)
            .collect(),
        Entity::People => db.all_people().await?.iter().map(person_cells).collect(),
        Entity::Agreements => db
            .all_agreements()
            .await?
            .iter()
            .map(agreement_cells)
            .collect(),
        Entity::AgreementConditions => db
            .all_conditions()
            .await?
            .iter()
            .map(condition_cells)
            .collect(),
        Entity::Events => db.all_events().await?.iter().map(event_cells).collect(),
        Entity::Mobilities => db
            .all_mobilities()
            .await?
            .iter()
            .map(mobility_cells)
            .collect(),
        Entity::EmploymentOutcomes => db
            .all_outcomes()
            .await?
            .iter()
            .map(outcomes::cells)
            .collect(),
    };
    Ok(write(entity, format, &rows))
}

/// Some agreements (a filtered list page) as a file, with the columns of [`export`].
pub fn export_agreements(items: &[Agreement], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(agreement_cells).collect();
    write(Entity::Agreements, format, &rows)
}

/// Some cooperation conditions as a file, with the columns of [`export`].
pub fn export_conditions(items: &[CooperationCondition], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(condition_cells).collect();
    write(Entity::AgreementConditions, format, &rows)
}

/// Some events as a file, with the columns of [`export`].
pub fn export_events(items: &[Event], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(event_cells).collect();
    write(Entity::Events, format, &rows)
}

/// Some mobility records as a file, with the columns of [`export`].
pub fn export_mobilities(items: &[Mobility], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(mobility_cells).collect();
    write(Entity::Mobilities, format, &rows)
}

/// Some institutions (a filtered list page) as a file, with the columns of [`export`].
pub fn export_institutions(items: &[Institution], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(institution_cells).collect();
    write(Entity::Institutions, format, &rows)
}

/// Some org units as a file, with the columns of [`export`].
pub fn export_org_units(items: &[OrgUnit], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(org_unit_cells).collect();
    write(Entity::OrgUnits, format, &rows)
}

/// Some people as a file, with the columns of [`export`].
pub fn export_people(items: &[Person], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(person_cells).collect();
    write(Entity::People, format, &rows)
}

/// Any small table (a chart's numbers) as a file: a header row, then the rows; cells that are
/// whole numbers become numbers in XLSX.
pub fn table_file(sheet: &str, header: &[String], rows: &[Vec<String>], format: Format) -> Vec<u8> {
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(header).expect("writing to memory");
            for row in rows {
                out.write_record(row).expect("writing to memory");
            }
            out.into_inner().expect("writing to memory")
        }
        Format::Xlsx => {
            let book = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
                let mut book = rust_xlsxwriter::Workbook::new();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let ws = book.add_worksheet();
                ws.set_name(sheet)?;
                for (c, name) in header.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, name, &bold)?;
                }
                for (r, row) in rows.iter().enumerate() {
                    for (c, value) in row.iter().enumerate() {
                        match value.parse::<i64>() {
                            Ok(n) => ws.write_number(r as u32 + 1, c as u16, n as f64)?,
                            Err(_) => ws.write_string(r as u32 + 1, c as u16, value)?,
                        };
                    }
                }
                book.save_to_buffer()
            };
            book().expect("writing XLSX to memory")
        }
    }
}

fn write(entity: Entity, format: Format, rows: &[Vec<String>]) -> Vec<u8> {
    let columns = entity.columns();
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(columns).expect("writing to memory");
            for row in rows {
                out.write_record(row).expect("writing to memory");
            }
            out.into_inner().expect("writing to memory")
        }
        Format::Xlsx => write_xlsx(entity, columns, rows).expect("writing XLSX to memory"),
    }
}

fn write_xlsx(
    entity: Entity,
    columns: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(entity.as_str())?;
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            match value.parse::<i64>() {
                Ok(n) if numeric(columns[c]) => sheet.write_number(r, c as u16, n as f64)?,
                _ => sheet.write_string(r, c as u16, value)?,
            };
        }
    }
    book.save_to_buffer()
}

fn text(t: &Option<String>) -> String {
    t.clone().unwrap_or_default()
}

fn localized(t: &LocalizedText) -> [String; 3] {
    [text(&t.en), text(&t.zh), text(&t.local)]
}

fn opt_id(id: Option<Id>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

fn institution_cells(i: &Institution) -> Vec<String> {
    let d = &i.draft;
    let mut out = vec![i.id.to_string(), d.kind.as_str().into()];
    out.extend(localized(&d.name));
    out.push(d.country.as_str().into());
    out.extend(localized(&d.city));
    out.push(text(&d.website));
    out.push(d.status.as_str().into());
    let tags: Vec<&str> = d.region_tags.iter().map(|t| t.as_str()).collect();
    out.push(tags.join(";"));
    out.push(text(&d.hei_id));
    out.push(text(&d.erasmus_code));
    out.push(text(&d.social_credit_code));
    out.extend(localized(&d.profile));
    out.extend([
        i.version.to_string(),
        i.created_at.clone(),
        i.updated_at.clone(),
    ]);
    out
}

fn org_unit_cells(u: &OrgUnit) -> Vec<String> {
    let d = &u.draft;
    let mut out = vec![
        u.id.to_string(),
        d.institution_id.to_string(),
        opt_id(d.parent_id),
        d.kind.as_str().into(),
    ];
    out.extend(localized(&d.name));
    out.push(text(&d.ounit_id));
    out.push(text(&d.website));
    out.extend([
        u.version.to_string(),
        u.created_at.clone(),
        u.updated_at.clone(),
    ]);
    out
}

fn person_cells(p: &Person) -> Vec<String> {
    let d = &p.draft;
    let mut out = vec![p.id.to_string()];
    out.extend(localized(&d.name));
    out.extend(localized(&d.title));
    out.push(opt_id(d.institution_id));
    out.push(opt_id(d.org_unit_id));
    out.push(d.emails.join(";"));
    out.push(d.phones.join(";"));
    out.push(d.languages.join(";"));
    out.extend([
        p.version.to_string(),
        p.created_at.clone(),
        p.updated_at.clone(),
    ]);
    out
}

fn ids(ids: &[Id]) -> String {
    let parts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    parts.join(";")
}

fn date_opt(d: Option<time::Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}

fn meta(version: i64, created_at: &str, updated_at: &str) -> [String; 3] {
    [version.to_string(), created_at.into(), updated_at.into()]
}

/// A party as `institution_id` or `institution_id/org_unit_id`.
fn party_cell(p: &Party) -> String {
    match p.org_unit_id {
        Some(u) => format!("{}/{u}", p.institution_id),
        None => p.institution_id.to_string(),
    }
}

fn agreement_cells(a: &Agreement) -> Vec<String> {
    let d = &a.draft;
    let mut out = vec![
        a.id.to_string(),
        d.kind.as_str().into(),
        a.status.as_str().into(),
    ];
    out.extend(localized(&d.title));
    out.extend(localized(&d.summary));
    let parties: Vec<String> = d.parties.iter().map(party_cell).collect();
    out.push(parties.join(";"));
    out.push(ids(&d.signatories));
    out.push(d.subject_areas.join(";"));
    out.push(date_opt(d.signed_on));
    out.push(date_opt(d.start_on));
    out.push(date_opt(d.end_on));
    out.push(d.auto_renew.to_string());
    out.push(text(&d.iia_id));
    out.push(opt_id(d.owner_user_id));
    out.push(opt_id(a.previous_id));
    out.extend(meta(a.version, &a.created_at, &a.updated_at));
    out
}

fn condition_cells(c: &CooperationCondition) -> Vec<String> {
    let d = &c.draft;
    let mut out = vec![
        c.id.to_string(),
        c.agreement_id.to_string(),
        d.mobility_type.as_str().into(),
        d.direction
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        opt_id(d.sending_institution_id),
        opt_id(d.receiving_institution_id),
        text(&d.first_year),
        text(&d.last_year),
        d.places_per_year.to_string(),
        d.months_per_place
            .map(|m| m.to_string())
            .unwrap_or_default(),
        d.days_per_place.map(|m| m.to_string()).unwrap_or_default(),
        d.study_level
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        d.subject_areas.join(";"),
        text(&d.language),
        d.language_level
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        text(&d.notes),
    ];
    out.extend(meta(c.version, &c.created_at, &c.updated_at));
    out
}

/// Lists of objects (participants, consensus points, honours) as their API JSON; empty if none.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        json(&items)
    }
}

fn event_cells(e: &Event) -> Vec<String> {
    let d = &e.draft;
    let mut out = vec![e.id.to_string(), d.kind.as_str().into()];
    out.extend(localized(&d.title));
    out.push(iso_date::format(d.start_on));
    out.push(iso_date::format(d.end_on));
    out.extend(localized(&d.venue));
    out.push(opt_id(d.host_unit_id));
    out.extend(localized(&d.summary));
    out.push(json_list(&d.participants));
    out.push(json_list(&d.consensus));
    out.push(json_list(&d.honours));
    out.push(ids(&d.agreement_ids));
    out.extend(meta(e.version, &e.created_at, &e.updated_at));
    out
}

fn mobility_cells(m: &Mobility) -> Vec<String> {
    let d = &m.draft;
    let mut out = vec![
        m.id.to_string(),
        d.person_id.to_string(),
        d.direction.as_str().into(),
        d.mobility_type.as_str().into(),
        d.level.map(|x| x.as_str().to_string()).unwrap_or_default(),
        d.home_institution_id.to_string(),
        d.host_institution_id.to_string(),
        opt_id(d.org_unit_id),
        opt_id(d.agreement_id),
        opt_id(d.condition_id),
        d.academic_year.clone(),
        iso_date::format(d.planned_start),
        iso_date::format(d.planned_end),
        date_opt(d.actual_start),
        date_opt(d.actual_end),
        m.status.as_str().into(),
        text(&m.arrival_confirmed_at),
        text(&m.return_confirmed_at),
        text(&d.emergency_contact_name),
        text(&d.emergency_contact_phone),
        text(&d.emergency_contact_relation),
        text(&d.notes),
    ];
    out.extend(meta(m.version, &m.created_at, &m.updated_at));
    out
}

// ---------------------------------------------------------------------------------------------
// Reading files

fn read(bytes: &[u8]) -> Result<Sheet, Vec<Problem>> {
    match Format::sniff(bytes) {
        Format::Xlsx => read_xlsx(bytes),
        Format::Csv => read_csv(bytes),
    }
}

fn unreadable() -> Vec<Problem> {
    vec![Problem::new(0, "", "unreadable-file")]
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() || bytes.contains(&0) {
        return Err(unreadable());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut sheet = Sheet::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| unreadable())?;
        let cells: Vec<String> = record.iter().map(|c| c.to_string()).collect();
        if i == 0 {
            sheet.header = cells;
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            sheet.rows.push((i + 1, cells));
        }
    }
    if sheet.header.is_empty() {
        return Err(vec![Problem::new(0, "", "empty-file")]);
    }
    Ok(sheet)
}

/// A date typed into a spreadsheet (a serial day number counted from 1899-12-30) as
/// `YYYY-MM-DD`; with a time of day, as the number itself (which no date column accepts).
fn excel_date(serial: f64) -> String {
    const DAY_ZERO: i32 = 2_415_019; // Julian day of 1899-12-30
    if serial.fract() == 0.0 && (1.0..2_958_466.0).contains(&serial) {
        if let Ok(d) = time::Date::from_julian_day(DAY_ZERO + serial as i32) {
            return format_date(d);
        }
    }
    serial.to_string()
}

/// Whether a worksheet of the workbook may hold a formula: its XML has an `f` element (with or
/// without a namespace prefix). A plain scan of the inflated XML, far cheaper than reading every
/// cell again; anything unclear (an unreadable entry) counts as "may".
fn may_have_formulas(bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return true;
    };
    let mut xml = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else {
            return true;
        };
        if !entry.name().starts_with("xl/worksheets/") {
            continue;
        }
        xml.clear();
        if entry.read_to_end(&mut xml).is_err() {
            return true;
        }
        let element = |w: &[u8]| {
            matches!(w[0], b'<' | b':') && w[1] == b'f' && matches!(w[2], b'>' | b' ' | b'/')
        };
        if xml.windows(3).any(element) {
            return true;
        }
    }
    false
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Vec<Problem>> {
    use calamine::{DataRef, Reader, ReaderRef};
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(vec![Problem::new(0, "", "empty-file")]);
    };
    let mut problems = Vec::new();
    let mut sheet = Sheet::default();
    // Cells as references into the shared strings (one copy per cell, into the sheet).
    let range = book.worksheet_range_ref(&name).map_err(|_| unreadable())?;
    let Some((top, left)) = range.start() else {
        return Err(vec![Problem::new(0, "", "empty-file")]);
    };
    // Width of the sheet, counted from column A.
    let width = left as usize + range.width();
    for (i, row) in range.rows().enumerate() {
        let mut cells = vec![String::new(); width];
        for (j, cell) in row.iter().enumerate() {
            cells[left as usize + j] = match cell {
                DataRef::Empty => String::new(),
                DataRef::SharedString(s) => s.to_string(),
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
                DataRef::Int(n) => n.to_string(),
                DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
                DataRef::Float(f) => f.to_string(),
                DataRef::Bool(b) => b.to_string(),
                DataRef::DateTime(d) => excel_date(d.as_f64()),
                DataRef::Error(_) => String::new(),
            };
        }
        let number = top as usize + i + 1;
        if number == 1 {
            sheet.header = cells;
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            sheet.rows.push((number, cells));
        }
    }
    if top != 0 {
        return Err(vec![Problem::new(1, "", "missing-column")]);
    }
    // Reading the formulas is a second pass over the whole sheet: only for files that may have one.
    if may_have_formulas(bytes) {
        if let Ok(formulas) = book.worksheet_formula(&name) {
            for (r, c, f) in formulas.used_cells() {
                if !f.is_empty() {
                    let (fr, fc) = formulas.start().unwrap_or((0, 0));
                    let row = fr as usize + r + 1;
                    let col = fc as usize + c;
                    let column = sheet.header.get(col).cloned().unwrap_or_default();
                    problems.push(Problem::new(row, &column, "formula"));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(sheet)
}

// ---------------------------------------------------------------------------------------------
// Parsing rows

/// The cells of one row by column name.
struct Cells<'a> {
    row: usize,
    index: &'a HashMap<&'a str, usize>,
    cells: &'a [String],
    problems: Vec<Problem>,
}

impl<'a> Cells<'a> {
    fn get(&self, column: &str) -> &'a str {
        self.index
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn opt(&self, column: &str) -> Option<String> {
        Some(self.get(column))
            .filter(|s| !s.is_empty())
            .map(String::from)
    }

    fn text(&self, prefix: &str) -> LocalizedText {
        LocalizedText::new(
            Some(self.get(&format!("{prefix}.en"))),
            Some(self.get(&format!("{prefix}.zh"))),
            Some(self.get(&format!("{prefix}.local"))),
        )
    }

    fn problem(&mut self, column: &str, code: &'static str) {
        self.problems.push(Problem::new(self.row, column, code));
    }

    fn id(&mut self, column: &str) -> Option<Id> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        match value.parse::<Id>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                self.problem(column, "invalid-number");
                None
            }
        }
    }

    /// A required value parsed by `parse`; a placeholder after recording the problem.
    fn required<T>(
        &mut self,
        column: &str,
        code: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let value = self.get(column);
        if value.is_empty() {
            self.problem(column, "required");
            return None;
        }
        let parsed = parse(value);
        if parsed.is_none() {
            self.problem(column, code);
        }
        parsed
    }

    /// An optional value of a closed set.
    fn choice<T>(&mut self, column: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        let parsed = parse(value);
        if parsed.is_none() {
            self.problem(column, "invalid-choice");
        }
        parsed
    }

    /// An optional `YYYY-MM-DD` date.
    fn date(&mut self, column: &str) -> Option<time::Date> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        let parsed = iso_date::parse(value);
        if parsed.is_none() {
            self.problem(column, "invalid-date");
        }
        parsed
    }

    fn required_date(&mut self, column: &str) -> Option<time::Date> {
        self.required(column, "invalid-date", iso_date::parse)
    }

    /// `true`/`false` (also `yes`/`no`, `1`/`0`); empty is false.
    fn boolean(&mut self, column: &str) -> bool {
        match self.get(column).to_ascii_lowercase().as_str() {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            _ => {
                self.problem(column, "invalid-choice");
                false
            }
        }
    }

    /// An optional whole number (zero allowed).
    fn int(&mut self, column: &str) -> Option<i64> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        let parsed = value.parse::<i64>().ok().filter(|n| *n >= 0);
        if parsed.is_none() {
            self.problem(column, "invalid-number");
        }
        parsed
    }

    fn float(&mut self, column: &str) -> Option<f64> {
        let value = self.get(column);
        if value.is_empty() {
            return None;
        }
        let parsed = value.parse::<f64>().ok().filter(|n| n.is_finite());
        if parsed.is_none() {
            self.problem(column, "invalid-number");
        }
        parsed
    }

    /// Ids joined with `;`.
    fn ids(&mut self, column: &str) -> Vec<Id> {
        let mut out = Vec::new();
        for item in self.list(column) {
            match item.parse::<Id>() {
                Ok(n) if n > 0 => out.push(n),
                _ => {
                    self.problem(column, "invalid-number");
                    break;
                }
            }
        }
        out
    }

    /// A list of objects as the API's JSON (empty: none).
    fn json<T: serde::de::DeserializeOwned>(&mut self, column: &str) -> Vec<T> {
        let value = self.get(column);
        if value.is_empty() {
            return Vec::new();
        }
        match serde_json::from_str(value) {
            Ok(v) => v,
            Err(_) => {
                self.problem(column, "invalid-type");
                Vec::new()
            }
        }
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }
}

/// The column a domain field error belongs to.
fn column_of(entity: Entity, field: &str) -> String {
    let english = format!("{field}.en");
    if entity.columns().contains(&english.as_str()) {
        return english;
    }
    match field {
        "institution_id" | "parent_id" | "org_unit_id" | "hei_id" | "ounit_id" => field.into(),
        _ => {
            let base = field.split('.').next().unwrap_or(field);
            if entity.columns().contains(&field) {
                field.into()
            } else {
                base.into()
            }
        }
    }
}

fn field_problems(entity: Entity, row: usize, errors: FieldErrors) -> Vec<Problem> {
    errors
        .0
        .into_iter()
        .map(|e| Problem {
            row,
            column: column_of(entity, &e.field),
            code: e.code,
            limit: e.limit,
        })
        .collect()
}

fn parse_institution(c: &mut Cells) -> Option<InstitutionDraft> {
    let kind = c.required("kind", "invalid-choice", InstitutionKind::parse);
    let country = c.required("country", "invalid-country", CountryCode::parse);
    let status = c.required("status", "invalid-choice", RelationshipStatus::parse);
    let mut region_tags = Vec::new();
    for tag in c.list("region_tags") {
        match RegionTag::parse(&tag) {
            Some(t) => region_tags.push(t),
            None => c.problem("region_tags", "invalid-choice"),
        }
    }
    Some(InstitutionDraft {
        kind: kind?,
        name: c.text("name"),
        country: country?,
        city: c.text("city"),
        website: c.opt("website"),
        status: status?,
        region_tags,
        hei_id: c.opt("hei_id"),
        erasmus_code: c.opt("erasmus_code"),
        social_credit_code: c.opt("social_credit_code"),
        profile: c.text("profile"),
    })
}

fn parse_org_unit(c: &mut Cells) -> Option<OrgUnitDraft> {
    let institution_id = c.id("institution_id");
    if institution_id.is_none() && c.get("institution_id").is_empty() {
        c.problem("institution_id", "required");
    }
    let parent_id = c.id("parent_id");
    let kind = c.required("kind", "invalid-choice", OrgUnitKind::parse);
    Some(OrgUnitDraft {
        institution_id: institution_id?,
        parent_id,
        kind: kind?,
        name: c.text("name"),
        ounit_id: c.opt("ounit_id"),
        website: c.opt("website"),
    })
}

fn parse_person(c: &mut Cells) -> Option<PersonDraft> {
    Some(PersonDraft {
        name: c.text("name"),
        title: c.text("title"),
        institution_id: c.id("institution_id"),
        org_unit_id: c.id("org_unit_id"),
        emails: c.list("emails"),
        phones: c.list("phones"),
        languages: c.list("languages"),
    })
}

fn parse_party(item: &str) -> Option<Party> {
    let (inst, unit) = match item.split_once('/') {
        Some((i, u)) => (i, Some(u)),
        None => (item, None),
    };
    let institution_id = inst.trim().parse::<Id>().ok().filter(|n| *n > 0)?;
    let org_unit_id = match unit.map(str::trim) {
        None | Some("") => None,
        Some(u) => Some(u.parse::<Id>().ok().filter(|n| *n > 0)?),
    };
    Some(Party {
        institution_id,
        org_unit_id,
    })
}

fn parse_agreement(c: &mut Cells) -> Option<AgreementImport> {
    let kind = c.required("kind", "invalid-choice", AgreementKind::parse);
    let status = c.required("status", "invalid-choice", AgreementStatus::parse);
    let mut parties = Vec::new();
    for item in c.list("parties") {
        match parse_party(&item) {
            Some(p) => parties.push(p),
            None => {
                c.problem("parties", "invalid-number");
                break;
            }
        }
    }
    let signatories = c.ids("signatories");
    let draft = AgreementDraft {
        kind: kind?,
        title: c.text("title"),
        summary: c.text("summary"),
        parties,
        signatories,
        subject_areas: c.list("subject_areas"),
        signed_on: c.date("signed_on"),
        start_on: c.date("start_on"),
        end_on: c.date("end_on"),
        auto_renew: c.boolean("auto_renew"),
        iia_id: c.opt("iia_id"),
        owner_user_id: c.id("owner_user_id"),
    };
    let previous_id = c.id("previous_id");
    Some(AgreementImport {
        draft,
        status: status?,
        previous_id,
    })
}

fn validate_agreement(mut a: AgreementImport) -> Result<AgreementImport, FieldErrors> {
    a.draft = a.draft.validate()?;
    Ok(a)
}

fn parse_condition(c: &mut Cells) -> Option<ConditionImport> {
    let agreement_id = c.id("agreement_id");
    if agreement_id.is_none() && c.get("agreement_id").is_empty() {
        c.problem("agreement_id", "required");
    }
    let mobility_type = c.required("mobility_type", "invalid-choice", MobilityType::parse);
    let places = c.int("places_per_year");
    if places.is_none() && c.get("places_per_year").is_empty() {
        c.problem("places_per_year", "required");
    }
    let draft = ConditionDraft {
        mobility_type: mobility_type?,
        direction: c.choice("direction", Direction::parse),
        sending_institution_id: c.id("sending_institution_id"),
        receiving_institution_id: c.id("receiving_institution_id"),
        first_year: c.opt("first_year"),
        last_year: c.opt("last_year"),
        places_per_year: places?,
        months_per_place: c.float("months_per_place"),
        days_per_place: c.int("days_per_place"),
        study_level: c.choice("study_level", StudyLevel::parse_any),
        subject_areas: c.list("subject_areas"),
        language: c.opt("language"),
        language_level: c.choice("language_level", CefrLevel::parse),
        notes: c.opt("notes"),
    };
    Some(ConditionImport {
        agreement_id: agreement_id?,
        draft,
    })
}

fn validate_condition(mut c: ConditionImport) -> Result<ConditionImport, FieldErrors> {
    c.draft = c.draft.validate()?;
    Ok(c)
}

fn parse_event(c: &mut Cells) -> Option<EventDraft> {
    let kind = c.required("kind", "invalid-choice", EventKind::parse);
    let start_on = c.required_date("start_on");
    let end_on = c.required_date("end_on");
    Some(EventDraft {
        kind: kind?,
        title: c.text("title"),
        start_on: start_on?,
        end_on: end_on?,
        venue: c.text("venue"),
        host_unit_id: c.id("host_unit_id"),
        summary: c.text("summary"),
        participants: c.json("participants"),
        consensus: c.json("consensus"),
        honours: c.json("honours"),
        agreement_ids: c.ids("agreement_ids"),
    })
}

/// A confirmation time: UTC RFC 3339, as exported.
fn timestamp(c: &mut Cells, column: &str) -> Option<String> {
    let value = c.opt(column)?;
    let ok =
        time::OffsetDateTime::parse(&value, &time::format_description::well_known::Rfc3339).is_ok();
    if !ok {
        c.problem(column, "invalid-type");
    }
    Some(value)
}

fn parse_mobility(c: &mut Cells) -> Option<MobilityImport> {
    let required_id = |c: &mut Cells, column: &str| {
        let id = c.id(column);
        if id.is_none() && c.get(column).is_empty() {
            c.problem(column, "required");
        }
        id
    };
    let person_id = required_id(c, "person_id");
    let home = required_id(c, "home_institution_id");
    let host = required_id(c, "host_institution_id");
    let direction = c.required("direction", "invalid-choice", MobilityDirection::parse);
    let mobility_type = c.required("mobility_type", "invalid-choice", MobilityType::parse);
    let status = c.required("status", "invalid-choice", MobilityStatus::parse);
    let planned_start = c.required_date("planned_start");
    let planned_end = c.required_date("planned_end");
    let academic_year = c.get("academic_year").to_string();
    if academic_year.is_empty() {
        c.problem("academic_year", "required");
    }
    let draft = MobilityDraft {
        person_id: person_id?,
        direction: direction?,
        mobility_type: mobility_type?,
        level: c.choice("level", StudyLevel::parse_any),
        home_institution_id: home?,
        host_institution_id: host?,
        org_unit_id: c.id("org_unit_id"),
        agreement_id: c.id("agreement_id"),
        condition_id: c.id("condition_id"),
        academic_year,
        planned_start: planned_start?,
        planned_end: planned_end?,
        actual_start: c.date("actual_start"),
        actual_end: c.date("actual_end"),
        emergency_contact_name: c.opt("emergency_contact_name"),
        emergency_contact_phone: c.opt("emergency_contact_phone"),
        emergency_contact_relation: c.opt("emergency_contact_relation"),
        notes: c.opt("notes"),
    };
    Some(MobilityImport {
        draft,
        status: status?,
        arrival_confirmed_at: timestamp(c, "arrival_confirmed_at"),
        return_confirmed_at: timestamp(c, "return_confirmed_at"),
    })
}

fn validate_mobility(mut m: MobilityImport) -> Result<MobilityImport, FieldErrors> {
    m.draft = m.draft.validate()?;
    Ok(m)
}

/// The rows of a file as validated drafts, or every problem found.
struct Parsed<D> {
    rows: Vec<ImportRow<D>>,
    numbers: Vec<usize>,
}

fn parse_sheet<D>(
    entity: Entity,
    sheet: &Sheet,
    parse: fn(&mut Cells) -> Option<D>,
    validate: fn(D) -> Result<D, FieldErrors>,
) -> Result<Parsed<D>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, name) in sheet.header.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if !entity.columns().contains(&name) {
            problems.push(Problem::new(1, name, "unknown-column"));
        } else if index.insert(name, i).is_some() {
            problems.push(Problem::new(1, name, "duplicate-column"));
        }
    }
    for required in entity.required() {
        if !index.contains_key(required) {
            problems.push(Problem::new(1, required, "missing-column"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut parsed = Parsed {
        rows: Vec::with_capacity(sheet.rows.len()),
        numbers: Vec::with_capacity(sheet.rows.len()),
    };
    let mut ids: HashMap<Id, usize> = HashMap::new();
    for (number, cells) in &sheet.rows {
        let mut c = Cells {
            row: *number,
            index: &index,
            cells,
            problems: Vec::new(),
        };
        let id = c.id("id");
        if let Some(id) = id {
            if ids.insert(id, *number).is_some() {
                c.problem("id", "duplicate");
            }
        }
        let draft = parse(&mut c);
        let mut row_problems = c.problems;
        if let Some(draft) = draft {
            match validate(draft) {
                Ok(draft) => {
                    parsed.rows.push(ImportRow { id, draft });
                    parsed.numbers.push(*number);
                }
                Err(errors) => row_problems.extend(field_problems(entity, *number, errors)),
            }
        }
        problems.extend(row_problems);
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// Two rows of one file may not claim the same `hei_id`.
fn duplicate_hei_ids(parsed: &Parsed<InstitutionDraft>) -> Vec<Problem> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (row, number) in parsed.rows.iter().zip(&parsed.numbers) {
        if let Some(hei) = row.draft.hei_id.as_deref() {
            if seen.insert(hei, *number).is_some() {
                problems.push(Problem::new(*number, "hei_id", "duplicate"));
            }
        }
    }
    problems
}

/// Parents before their sub-units, whatever order the file has (a stable reordering).
fn parents_first<D: Clone>(parsed: &mut Parsed<D>, parent_of: fn(&D) -> Option<Id>) {
    let ids: HashMap<Id, usize> = parsed
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.id.map(|id| (id, i)))
        .collect();
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(&p) = parent_of(&parsed.rows[i].draft).and_then(|p| ids.get(&p)) {
            d += 1;
            i = p;
            if d > 64 {
                break;
            }
        }
        d
    };
    let mut order: Vec<(usize, usize)> = (0..parsed.rows.len()).map(|i| (depth(i), i)).collect();
    order.sort();
    let rows: Vec<_> = order.iter().map(|&(_, i)| parsed.rows[i].clone()).collect();
    let numbers: Vec<_> = order.iter().map(|&(_, i)| parsed.numbers[i]).collect();
    parsed.rows = rows;
    parsed.numbers = numbers;
}

/// The problem a refused row becomes.
fn store_problem(entity: Entity, number: usize, error: StoreError) -> ImportError {
    match error {
        StoreError::Invalid(errors) => {
            ImportError::Problems(field_problems(entity, number, errors))
        }
        other => ImportError::Store(other),
    }
}

fn finish<D>(
    entity: Entity,
    parsed: &Parsed<D>,
    result: Result<ImportOutcome, ImportFailure>,
) -> Result<ImportOutcome, ImportError> {
    result.map_err(|f| match parsed.numbers.get(f.index) {
        Some(&number) => store_problem(entity, number, f.error),
        None => ImportError::Store(f.error),
    })
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Rows read from the file.
    Read,
    /// Rows parsed and checked by the domain rules.
    Checked,
    /// Rows written in the (single) transaction; a dry run rolls them back at the end.
    Written,
}

/// One progress report: `done` of `total` rows have passed `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

/// Reads, checks and (unless `dry_run`) writes a file in one transaction.
pub async fn import(
    db: &Db,
    actor: &Actor,
    entity: Entity,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    import_with_progress(db, actor, entity, bytes, dry_run, &|_| {}).await
}

/// [`import`], telling `progress` after the file is read, after every row is checked, and every
/// [`liaison_storage::PROGRESS_EVERY`] rows written.
pub async fn import_with_progress(
    db: &Db,
    actor: &Actor,
    entity: Entity,
    bytes: &[u8],
    dry_run: bool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ImportOutcome, ImportError> {
    let sheet = read(bytes).map_err(ImportError::Problems)?;
    let total = sheet.rows.len();
    progress(Progress {
        stage: Stage::Read,
        done: total,
        total,
    });
    let checked = || {
        progress(Progress {
            stage: Stage::Checked,
            done: total,
            total,
        })
    };
    let commit = !dry_run;
    match entity {
        Entity::Institutions => {
            let parsed = parse_sheet(
                entity,
                &sheet,
                parse_institution,
                InstitutionDraft::validate,
            )
            .map_err(ImportError::Problems)?;
            checked();
            let dups = duplicate_hei_ids(&parsed);
            if !dups.is_empty() {
                return Err(ImportError::Problems(dups));
            }
            let result = db
                .import_institutions(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::OrgUnits => {
            let mut parsed = parse_sheet(entity, &sheet, parse_org_unit, OrgUnitDraft::validate)
                .map_err(ImportError::Problems)?;
            checked();
            parents_first(&mut parsed, |d| d.parent_id);
            let result = db
                .import_org_units(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::People => {
            let parsed = parse_sheet(entity, &sheet, parse_person, PersonDraft::validate)
                .map_err(ImportError::Problems)?;
            checked();
            let result = db
                .import_people(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::Agreements => {
            let mut parsed = parse_sheet(entity, &sheet, parse_agreement, validate_agreement)
                .map_err(ImportError::Problems)?;
            checked();
            // A renewal after the agreement it renews.
            parents_first(&mut parsed, |a| a.previous_id);
            let result = db
                .import_agreements(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::AgreementConditions => {
            let parsed = parse_sheet(entity, &sheet, parse_condition, validate_condition)
                .map_err(ImportError::Problems)?;
            checked();
            let result = db
                .import_conditions(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::Events => {
            let parsed = parse_sheet(entity, &sheet, parse_event, EventDraft::validate)
                .map_err(ImportError::Problems)?;
            checked();
            let result = db
                .import_events(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::Mobilities => {
            let parsed = parse_sheet(entity, &sheet, parse_mobility, validate_mobility)
                .map_err(ImportError::Problems)?;
            checked();
            let result = db
                .import_mobilities(actor, &parsed.rows, commit, &|n| {
                    progress(Progress {
                        stage: Stage::Written,
                        done: n,
                        total,
                    })
                })
                .await;
            finish(entity, &parsed, result)
        }
        Entity::EmploymentOutcomes => {
            let parsed = parse_sheet(
                entity,
                &sheet,
                outcomes::parse,
                EmploymentOutcomeDraft::validate,
            )
            .map_err(ImportError::Problems)?;
            checked();
            let result = db.import_outcomes(actor, &parsed.rows, commit).await;
            finish(entity, &parsed, result)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(entity: Entity, csv: &str) -> Vec<String> {
        let sheet = read(csv.as_bytes()).unwrap();
        let result = match entity {
            Entity::Institutions => parse_sheet(
                entity,
                &sheet,
                parse_institution,
                InstitutionDraft::validate,
            )
            .and_then(|p| {
                let d = duplicate_hei_ids(&p);
                if d.is_empty() {
                    Ok(())
                } else {
                    Err(d)
                }
            }),
            _ => unreachable!(),
        };
        result
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn every_problem_names_row_and_column() {
        let long = "x".repeat(201);
        let csv = format!(
            "kind,name.en,country,status,hei_id\n\
             university,A,CN,active,a.edu\n\
             university,B,XX,active,b.edu\n\
             university,{long},FR,active,a.edu\n"
        );
        let found = problems(Entity::Institutions, &csv);
        assert_eq!(
            found,
            [
                "row 3, column country: is not an ISO 3166-1 alpha-2 country code",
                "row 4, column name.en: must be at most 200 characters",
            ]
        );
        let csv = "kind,name.en,country,status,hei_id\nuniversity,A,CN,active,a.edu\nuniversity,C,FR,active,A.edu\n";
        assert_eq!(
            problems(Entity::Institutions, csv),
            ["row 3, column hei_id: repeats an earlier entry"]
        );
    }

    #[test]
    fn unknown_and_missing_columns_are_reported_on_the_header() {
        let found = problems(Entity::Institutions, "kind,name.en,colour,status\n");
        assert_eq!(
            found,
            [
                "row 1, column colour: is not a known column",
                "row 1, column country: is missing from the header",
            ]
        );
    }

    #[test]
    fn xlsx_written_is_read_back() {
        let mut full = vec![
            "7".to_string(),
            "9".into(),
            String::new(),
            "school".into(),
            "Law".into(),
        ];
        full.resize(ORG_UNIT_COLUMNS.len(), String::new());
        let bytes = write(Entity::OrgUnits, Format::Xlsx, &[full.clone()]);
        assert_eq!(Format::sniff(&bytes), Format::Xlsx);
        let sheet = read(&bytes).unwrap();
        assert_eq!(sheet.header, ORG_UNIT_COLUMNS);
        assert_eq!(sheet.rows, [(2, full)]);
    }

    #[test]
    fn a_formula_is_refused_with_its_row_and_column() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, name) in ["kind", "name.en", "country", "status"].iter().enumerate() {
            sheet.write_string(0, col as u16, *name).unwrap();
        }
        for (col, value) in ["university", "A", "CN", "active"].iter().enumerate() {
            sheet.write_string(1, col as u16, *value).unwrap();
        }
        sheet.write_string(2, 0, "university").unwrap();
        sheet.write_formula(2, 1, "=B2&\"x\"").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(may_have_formulas(&bytes));
        let found: Vec<String> = read(&bytes)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            found,
            ["row 3, column name.en: holds a formula; only plain values can be imported"]
        );
        // A workbook of plain values is read in one pass.
        let plain = write(Entity::OrgUnits, Format::Xlsx, &[]);
        assert!(!may_have_formulas(&plain));
    }

    #[test]
    fn garbage_is_unreadable() {
        let err = read(b"PK\x03\x04 not a zip").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "the file is neither a readable XLSX workbook nor UTF-8 CSV"
        );
        assert_eq!(read(b"").unwrap_err()[0].code, "empty-file");
    }
}
