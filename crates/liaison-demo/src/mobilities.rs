//! Mobility records 2019–2026 (issue 7, "whole-process service"): Xuteli College of BIT sending
//! its undergraduates abroad (70 in 2019, 133 in 2024: +90%), students and staff of the Chinese
//! universities going to partners abroad, and partners' students and staff coming to them.
//!
//! Deterministic for a given `today`: each record depends only on (seed, stream, index). The
//! status follows the dates: stays that ended are returned (most of the older ones recognised),
//! stays under way are abroad, stays ahead are nominated, accepted or preparing; a few that never
//! began are cancelled. Every stay has its own (fictional) person record.

use time::{Date, Duration, Month};

use crate::countries::COUNTRIES;
use crate::names::{self, Names};
use crate::rng::Rng;
use crate::{DemoError, DemoPartner, DEMO_SEED};
use liaison_domain::agreement::{MobilityType, StudyLevel};
use liaison_domain::mobility::{MobilityDirection, MobilityStatus};
use liaison_domain::{Id, InstitutionKind, LocalizedText, MobilityDraft, PersonDraft};
use liaison_storage::{Actor, Db, NewMobility};

const STREAM: u64 = 0x4d4f_4249; // "MOBI"

/// Xuteli College's outgoing undergraduates by the calendar year their stay starts.
pub const XUTELI_BY_YEAR: &[(i32, usize)] = &[
    (2019, 70),
    (2020, 12),
    (2021, 20),
    (2022, 45),
    (2023, 96),
    (2024, 133),
    (2025, 128),
    (2026, 95),
];
/// The other generated stays: outgoing students, incoming students, staff both ways.
pub const OUTGOING_STUDENTS: usize = 320;
pub const INCOMING_STUDENTS: usize = 220;
pub const STAFF_STAYS: usize = 240;
/// Students nominated for the coming semester (after `today`): the stays still ahead.
pub const UPCOMING_STUDENTS: usize = 60;

/// How many stays (and person records) the demo adds.
pub const fn demo_mobilities() -> usize {
    let mut n = OUTGOING_STUDENTS + INCOMING_STUDENTS + STAFF_STAYS + UPCOMING_STUDENTS;
    let mut i = 0;
    while i < XUTELI_BY_YEAR.len() {
        n += XUTELI_BY_YEAR[i].1;
        i += 1;
    }
    n
}

/// Where the stays go: the institutions by index into `partners`, with their stored ids, and the
/// exchange agreements stays may go under.
pub struct Sites<'a> {
    pub partners: &'a [DemoPartner],
    pub ids: &'a [Id],
    pub unit_ids: &'a [Vec<Id>],
    pub links: &'a [Link],
}

/// A stored student or staff exchange agreement between one of the Chinese universities (`ours`)
/// and a university abroad, with the mobility types its conditions offer and its dates.
#[derive(Debug, Clone)]
pub struct Link {
    pub agreement_id: Id,
    pub ours: usize,
    pub partner: usize,
    pub types: Vec<MobilityType>,
    pub start: Date,
    pub end: Date,
}

/// The exchange agreements of `agreements` (as stored, ids in the same order) that stays can
/// go under.
pub fn links(
    partners: &[DemoPartner],
    agreements: &[crate::DemoAgreement],
    ids: &[Id],
) -> Vec<Link> {
    let chinese_university = |i: usize| {
        partners[i].institution.kind == InstitutionKind::University
            && partners[i].institution.country.as_str() == "CN"
    };
    let mut out = Vec::new();
    for (a, id) in agreements.iter().zip(ids) {
        use liaison_domain::AgreementStatus::{Approved, Draft, Negotiating};
        if matches!(a.status, Draft | Negotiating | Approved) {
            continue; // never in force
        }
        let (Some(start), Some(end)) = (a.draft.start_on, a.draft.end_on) else {
            continue;
        };
        let ours = a
            .parties
            .iter()
            .map(|p| p.partner)
            .find(|p| chinese_university(*p));
        let partner = a.parties.iter().map(|p| p.partner).find(|p| {
            !chinese_university(*p) && partners[*p].institution.kind == InstitutionKind::University
        });
        let types: Vec<MobilityType> = a.conditions.iter().map(|(c, _)| c.mobility_type).collect();
        if let (Some(ours), Some(partner), false) = (ours, partner, types.is_empty()) {
            out.push(Link {
                agreement_id: *id,
                ours,
                partner,
                types,
                start,
                end,
            });
        }
    }
    out
}

/// Half of the time, an agreement in force on `start` offering `kind`: the stay goes under it.
fn pick_link<'a>(
    rng: &mut Rng,
    sites: &'a Sites,
    kind: MobilityType,
    start: Date,
) -> Option<&'a Link> {
    if !rng.coin() {
        return None;
    }
    let fits: Vec<&Link> = sites
        .links
        .iter()
        .filter(|l| l.types.contains(&kind) && l.start <= start && start <= l.end)
        .collect();
    (!fits.is_empty()).then(|| fits[rng.below(fits.len())])
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), d).expect("valid date")
}

fn academic_year(start: Date) -> String {
    let y = start.year();
    if start.month() as u8 >= 8 {
        format!("{y}/{}", y + 1)
    } else {
        format!("{}/{y}", y - 1)
    }
}

/// A semester or summer stay starting in `year`: (start, end).
fn student_dates(rng: &mut Rng, year: i32) -> (Date, Date) {
    match rng.below(10) {
        0..=3 => {
            let s = date(year, 2, 20) + Duration::days(rng.below(14) as i64);
            (s, date(year, 6, 30) + Duration::days(rng.below(16) as i64))
        }
        4..=7 => {
            let s = date(year, 9, 1) + Duration::days(rng.below(10) as i64);
            (
                s,
                date(year + 1, 1, 15) + Duration::days(rng.below(17) as i64),
            )
        }
        _ => {
            let s = date(year, 7, 1) + Duration::days(rng.below(14) as i64);
            (s, s + Duration::days(21 + rng.below(14) as i64))
        }
    }
}

/// A staff visit of one to three weeks starting in `year` (outside the Spring Festival).
fn staff_dates(rng: &mut Rng, year: i32) -> (Date, Date) {
    let month = 3 + rng.below(10) as u8; // March to December
    let s = date(year, month, 1) + Duration::days(rng.below(25) as i64);
    (s, s + Duration::days(5 + rng.below(17) as i64))
}

/// A year of 2019–2026, fewer in the pandemic years.
fn year(rng: &mut Rng) -> i32 {
    rng.weighted(&[
        (2019, 12),
        (2020, 3),
        (2021, 4),
        (2022, 8),
        (2023, 13),
        (2024, 15),
        (2025, 16),
        (2026, 14),
    ])
}

fn status(rng: &mut Rng, start: Date, end: Date, today: Date, may_cancel: bool) -> MobilityStatus {
    if may_cancel && rng.below(100) < 4 {
        return MobilityStatus::Cancelled;
    }
    if end < today {
        if end < today - Duration::days(120) && rng.below(100) < 90 {
            MobilityStatus::Recognised
        } else {
            MobilityStatus::Returned
        }
    } else if start <= today {
        MobilityStatus::Abroad
    } else {
        *rng.pick(&[
            MobilityStatus::Nominated,
            MobilityStatus::Accepted,
            MobilityStatus::Preparing,
        ])
    }
}

fn names_of(country: &str) -> &'static Names {
    COUNTRIES
        .iter()
        .find(|c| c.code == country)
        .map(|c| &c.names)
        .unwrap_or(&Names::Chinese)
}

struct Made {
    person: PersonDraft,
    emergency: Option<(String, String, String)>,
}

/// A fictional person of `site`'s country, with an emergency contact most of the time.
fn person(
    rng: &mut Rng,
    sites: &Sites,
    site: usize,
    unit: Option<Id>,
    title: (&str, &str),
    index: usize,
) -> Made {
    let country = sites.partners[site]
        .institution
        .country
        .as_str()
        .to_string();
    let pool = names_of(&country);
    let name = names::person_name(pool, rng);
    let label = match &name.zh {
        Some(zh) => LocalizedText::bilingual(&name.en, zh),
        None => LocalizedText::en(&name.en),
    };
    let emergency = (rng.below(10) > 0).then(|| {
        let relative = names::person_name(pool, rng);
        let relation = *rng.pick(&["mother", "father", "spouse", "sibling"]);
        let phone = if country == "CN" {
            format!(
                "+86 13{} {:04} {:04}",
                rng.below(10),
                rng.below(10_000),
                rng.below(10_000)
            )
        } else {
            format!(
                "+{} {:03} {:04}",
                1 + rng.below(98),
                rng.below(1000),
                rng.below(10_000)
            )
        };
        let rname = relative.zh.unwrap_or(relative.en);
        (rname, phone, relation.to_string())
    });
    Made {
        person: PersonDraft {
            name: label,
            title: LocalizedText::bilingual(title.0, title.1),
            institution_id: Some(sites.ids[site]),
            org_unit_id: unit,
            emails: vec![format!(
                "{}.m{index:04}@mobility.example.edu",
                name.email_local
            )],
            phones: Vec::new(),
            languages: if country == "CN" {
                vec!["zh".into(), "en".into()]
            } else {
                vec!["en".into()]
            },
        },
        emergency,
    }
}

#[allow(clippy::too_many_arguments)]
fn stay(
    made: Made,
    direction: MobilityDirection,
    mobility_type: MobilityType,
    level: Option<StudyLevel>,
    home: Id,
    host: Id,
    unit: Option<Id>,
    (start, end): (Date, Date),
    status: MobilityStatus,
    agreement_id: Option<Id>,
) -> NewMobility {
    let started = status.has_started();
    let returned = matches!(
        status,
        MobilityStatus::Returned | MobilityStatus::Recognised
    );
    let (name, phone, relation) = match made.emergency {
        Some((n, p, r)) => (Some(n), Some(p), Some(r)),
        None => (None, None, None),
    };
    NewMobility {
        person: Some(made.person),
        draft: MobilityDraft {
            person_id: 0,
            direction,
            mobility_type,
            level,
            home_institution_id: home,
            host_institution_id: host,
            org_unit_id: unit,
            agreement_id,
            condition_id: None,
            academic_year: academic_year(start),
            planned_start: start,
            planned_end: end,
            actual_start: started.then_some(start),
            actual_end: returned.then_some(end),
            emergency_contact_name: name,
            emergency_contact_phone: phone,
            emergency_contact_relation: relation,
            notes: None,
        },
        status,
    }
}

/// Every demo stay, in a fixed order (Xuteli first). Empty if the seed universities are missing.
pub fn generated_mobilities(sites: &Sites, today: Date) -> Vec<NewMobility> {
    let find = |zh: &str| {
        sites
            .partners
            .iter()
            .position(|p| p.institution.name.zh.as_deref() == Some(zh))
    };
    let Some(bit) = find("北京理工大学") else {
        return Vec::new();
    };
    let universities = |chinese: bool| -> Vec<usize> {
        sites
            .partners
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.institution.kind == InstitutionKind::University
                    && (p.institution.country.as_str() == "CN") == chinese
            })
            .map(|(i, _)| i)
            .collect()
    };
    let ours = universities(true);
    let abroad = universities(false);
    if abroad.is_empty() || ours.is_empty() {
        return Vec::new();
    }
    // Xuteli College's stays are exactly those counted above: the other stays at BIT go
    // through its other units.
    let unit_of = |site: usize, rng: &mut Rng| -> Option<Id> {
        let units = &sites.unit_ids[site];
        let units = if site == bit && !units.is_empty() {
            &units[1..]
        } else {
            &units[..]
        };
        (!units.is_empty()).then(|| units[rng.below(units.len())])
    };
    let xuteli = sites.unit_ids[bit].first().copied();
    let mut out = Vec::with_capacity(demo_mobilities());
    let mut index = 0;
    for &(y, count) in XUTELI_BY_YEAR {
        for _ in 0..count {
            let mut rng = Rng::for_item(DEMO_SEED, STREAM, index);
            let host = *rng.pick(&abroad);
            let dates = student_dates(&mut rng, y);
            let status = status(&mut rng, dates.0, dates.1, today, false);
            let kind = if rng.below(100) < 15 {
                MobilityType::StudentTraineeship
            } else {
                MobilityType::StudentStudies
            };
            let made = person(
                &mut rng,
                sites,
                bit,
                xuteli,
                ("Undergraduate", "本科生"),
                index,
            );
            out.push(stay(
                made,
                MobilityDirection::Outgoing,
                kind,
                Some(StudyLevel::Bachelor),
                sites.ids[bit],
                sites.ids[host],
                xuteli,
                dates,
                status,
                None,
            ));
            index += 1;
        }
    }
    let levels = [
        (StudyLevel::Bachelor, 6),
        (StudyLevel::Master, 3),
        (StudyLevel::Doctoral, 1),
    ];
    // The first semester starting at least two weeks from today.
    let next_semester = [
        date(today.year(), 2, 20),
        date(today.year(), 9, 1),
        date(today.year() + 1, 2, 20),
    ]
    .into_iter()
    .find(|d| *d >= today + Duration::days(14))
    .unwrap_or(date(today.year() + 1, 9, 1));
    for i in 0..OUTGOING_STUDENTS + INCOMING_STUDENTS + UPCOMING_STUDENTS {
        let mut rng = Rng::for_item(DEMO_SEED, STREAM + 1, i);
        let upcoming = i >= OUTGOING_STUDENTS + INCOMING_STUDENTS;
        let outgoing = i < OUTGOING_STUDENTS || (upcoming && rng.below(3) > 0);
        let mut ours_site = *rng.pick(&ours);
        let mut partner = *rng.pick(&abroad);
        let y = year(&mut rng);
        let dates = if upcoming {
            let start = next_semester + Duration::days(rng.below(10) as i64);
            (start, start + Duration::days(120 + rng.below(20) as i64))
        } else {
            student_dates(&mut rng, y)
        };
        let status = status(&mut rng, dates.0, dates.1, today, !upcoming);
        let level = rng.weighted(&levels);
        let kind = if rng.below(100) < 20 {
            MobilityType::StudentTraineeship
        } else {
            MobilityType::StudentStudies
        };
        let link = pick_link(&mut rng, sites, kind, dates.0);
        if let Some(l) = link {
            (ours_site, partner) = (l.ours, l.partner);
        }
        let (home, host, direction) = if outgoing {
            (ours_site, partner, MobilityDirection::Outgoing)
        } else {
            (partner, ours_site, MobilityDirection::Incoming)
        };
        let ours_unit = unit_of(ours_site, &mut rng);
        let home_unit = if outgoing { ours_unit } else { None };
        let title = if outgoing {
            ("Student", "学生")
        } else {
            ("Exchange student", "交换生")
        };
        let made = person(&mut rng, sites, home, home_unit, title, index);
        out.push(stay(
            made,
            direction,
            kind,
            Some(level),
            sites.ids[home],
            sites.ids[host],
            ours_unit,
            dates,
            status,
            link.map(|l| l.agreement_id),
        ));
        index += 1;
    }
    for i in 0..STAFF_STAYS {
        let mut rng = Rng::for_item(DEMO_SEED, STREAM + 2, i);
        let outgoing = rng.coin();
        let mut ours_site = *rng.pick(&ours);
        let mut partner = *rng.pick(&abroad);
        let y = year(&mut rng);
        let dates = staff_dates(&mut rng, y);
        let status = status(&mut rng, dates.0, dates.1, today, true);
        let kind = if rng.coin() {
            MobilityType::StaffTeaching
        } else {
            MobilityType::StaffTraining
        };
        let link = pick_link(&mut rng, sites, kind, dates.0);
        if let Some(l) = link {
            (ours_site, partner) = (l.ours, l.partner);
        }
        let (home, host, direction) = if outgoing {
            (ours_site, partner, MobilityDirection::Outgoing)
        } else {
            (partner, ours_site, MobilityDirection::Incoming)
        };
        let ours_unit = unit_of(ours_site, &mut rng);
        let made = person(
            &mut rng,
            sites,
            home,
            if outgoing { ours_unit } else { None },
            ("Lecturer", "讲师"),
            index,
        );
        out.push(stay(
            made,
            direction,
            kind,
            None,
            sites.ids[home],
            sites.ids[host],
            ours_unit,
            dates,
            status,
            link.map(|l| l.agreement_id),
        ));
        index += 1;
    }
    out
}

/// The condition of `agreement_id` a stay counts against: one of its type, sent from the stay's
/// home (or naming no sending party).
async fn condition_for(
    db: &Db,
    cache: &mut std::collections::HashMap<Id, Vec<liaison_domain::CooperationCondition>>,
    d: &MobilityDraft,
) -> Result<Option<Id>, DemoError> {
    let Some(agreement) = d.agreement_id else {
        return Ok(None);
    };
    let conditions = match cache.entry(agreement) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(db.agreement_conditions(agreement).await?)
        }
    };
    Ok(conditions
        .iter()
        .find(|c| {
            c.draft.mobility_type == d.mobility_type
                && c.draft
                    .sending_institution_id
                    .is_none_or(|s| s == d.home_institution_id)
        })
        .map(|c| c.id))
}

pub(crate) async fn store(db: &Db, actor: &Actor, sites: &Sites<'_>) -> Result<usize, DemoError> {
    let mut generated = generated_mobilities(sites, liaison_storage::today());
    let mut cache = std::collections::HashMap::new();
    for m in &mut generated {
        m.draft.condition_id = condition_for(db, &mut cache, &m.draft).await?;
    }
    let items = generated
        .into_iter()
        .map(|mut m| {
            m.person = m.person.map(|p| p.validate()).transpose()?;
            // Validated with a placeholder person id: the person is stored first.
            m.draft.person_id = 1;
            m.draft = m.draft.validate()?;
            Ok(m)
        })
        .collect::<Result<Vec<_>, DemoError>>()?;
    Ok(db.create_mobilities(actor, &items).await?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites_for(partners: &[DemoPartner]) -> (Vec<Id>, Vec<Vec<Id>>) {
        let ids: Vec<Id> = (1..=partners.len() as Id).collect();
        let units = partners
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (0..p.units.len() as Id)
                    .map(|u| 10_000 + i as Id * 10 + u)
                    .collect()
            })
            .collect();
        (ids, units)
    }

    #[test]
    fn stays_validate_cover_every_state_and_xuteli_grows_by_ninety_percent() {
        let partners = crate::demo_partners();
        let (ids, unit_ids) = sites_for(&partners);
        let today = date(2026, 11, 30);
        let mut agreements = crate::seed_agreements(&partners);
        agreements.extend(crate::generated_agreements(&partners, today));
        let agreement_ids: Vec<Id> = (1..=agreements.len() as Id).collect();
        let links = links(&partners, &agreements, &agreement_ids);
        assert!(!links.is_empty());
        let sites = Sites {
            partners: &partners,
            ids: &ids,
            unit_ids: &unit_ids,
            links: &links,
        };
        let all = generated_mobilities(&sites, today);
        let linked = all
            .iter()
            .filter(|m| m.draft.agreement_id.is_some())
            .count();
        assert!(linked >= 100, "{linked} stays go under an agreement");
        assert_eq!(all.len(), demo_mobilities());
        assert!(all.len() >= 1000);
        assert_eq!(
            all[..5].iter().map(|m| m.draft.clone()).collect::<Vec<_>>(),
            generated_mobilities(&sites, today)[..5]
                .iter()
                .map(|m| m.draft.clone())
                .collect::<Vec<_>>(),
            "deterministic"
        );
        for m in &all {
            let mut d = m.draft.clone();
            d.person_id = 1;
            d.validate().unwrap();
            m.person.clone().unwrap().validate().unwrap();
        }
        for s in MobilityStatus::ALL {
            assert!(all.iter().any(|m| m.status == *s), "{s}");
        }
        for d in MobilityDirection::ALL {
            assert!(all.iter().any(|m| m.draft.direction == *d), "{d}");
        }
        assert!(all.iter().any(|m| !m.draft.mobility_type.is_student()));
        let bit = partners
            .iter()
            .position(|p| p.institution.name.zh.as_deref() == Some("北京理工大学"))
            .unwrap();
        let xuteli = unit_ids[bit][0];
        let sent = |y: i32| {
            all.iter()
                .filter(|m| {
                    m.draft.org_unit_id == Some(xuteli)
                        && m.draft.direction == MobilityDirection::Outgoing
                        && m.draft.level == Some(StudyLevel::Bachelor)
                        && m.draft.planned_start.year() == y
                        && m.status != MobilityStatus::Cancelled
                })
                .count()
        };
        assert_eq!((sent(2019), sent(2024)), (70, 133));
        let growth = sent(2024) as f64 / sent(2019) as f64 - 1.0;
        assert!((0.85..0.95).contains(&growth), "{growth}");
        let years: std::collections::BTreeSet<i32> =
            all.iter().map(|m| m.draft.planned_start.year()).collect();
        assert_eq!(years.first(), Some(&2019));
        // 2019–2026, and the nominations for the coming semester.
        assert_eq!(years.last(), Some(&2027));
        assert!(
            all.iter()
                .filter(|m| m.draft.planned_start.year() <= 2026)
                .count()
                >= 1000
        );
    }
}
