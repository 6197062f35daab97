//! Employment outcomes (entity `employment-outcomes`, as `/api/v1/employment-outcomes`): the
//! graduate survey spreadsheet in, the table out. Columns are the API's JSON fields.

use liaison_domain::enterprise::{Destination, Sector};
use liaison_domain::{CountryCode, EmploymentOutcome, EmploymentOutcomeDraft};

use crate::{localized, opt_id, text, write, Cells, Entity, Format};

pub(crate) const COLUMNS: &[&str] = &[
    "id",
    "person_id",
    "cohort",
    "destination",
    "employer.en",
    "employer.zh",
    "employer.local",
    "employer_institution_id",
    "sector",
    "city.en",
    "city.zh",
    "city.local",
    "country",
    "major",
    "version",
    "created_at",
    "updated_at",
];

pub(crate) const REQUIRED: &[&str] = &["cohort", "destination"];

pub(crate) fn cells(o: &EmploymentOutcome) -> Vec<String> {
    let d = &o.draft;
    let mut out = vec![
        o.id.to_string(),
        opt_id(d.person_id),
        d.cohort.to_string(),
        d.destination.as_str().into(),
    ];
    out.extend(localized(&d.employer));
    out.push(opt_id(d.employer_institution_id));
    out.push(d.sector.map(|s| s.as_str().to_string()).unwrap_or_default());
    out.extend(localized(&d.city));
    out.push(
        d.country
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
    );
    out.push(text(&d.major));
    out.extend([
        o.version.to_string(),
        o.created_at.clone(),
        o.updated_at.clone(),
    ]);
    out
}

pub(crate) fn parse(c: &mut Cells) -> Option<EmploymentOutcomeDraft> {
    let cohort = c.required("cohort", "invalid-year", |v| v.parse::<i64>().ok());
    let destination = c.required("destination", "invalid-choice", Destination::parse);
    let sector = match c.opt("sector") {
        None => None,
        Some(s) => {
            let parsed = Sector::parse(&s);
            if parsed.is_none() {
                c.problem("sector", "invalid-choice");
            }
            parsed
        }
    };
    let country = match c.opt("country") {
        None => None,
        Some(s) => {
            let parsed = CountryCode::parse(&s);
            if parsed.is_none() {
                c.problem("country", "invalid-country");
            }
            parsed
        }
    };
    Some(EmploymentOutcomeDraft {
        person_id: c.id("person_id"),
        cohort: cohort?,
        destination: destination?,
        employer: c.text("employer"),
        employer_institution_id: c.id("employer_institution_id"),
        sector,
        city: c.text("city"),
        country,
        major: c.opt("major"),
    })
}

/// Some outcomes (a filtered list page) as a file.
pub fn export_outcomes(items: &[EmploymentOutcome], format: Format) -> Vec<u8> {
    let rows: Vec<Vec<String>> = items.iter().map(cells).collect();
    write(Entity::EmploymentOutcomes, format, &rows)
}
