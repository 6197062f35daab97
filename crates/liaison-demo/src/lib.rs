//! The bilingual demo data set of Liaison (DESIGN.md, "Demo data").
//!
//! It holds the partners of the seed facts (AXHU and iFLYTEK, IUKL, XJTU, KazNU and Astana IT
//! University, HIT and the OpenAtom Foundation, BIT's Xuteli College) with their real names, plus
//! generated partners in real cities of many countries, so that every page, chart and report
//! shows something. All contacts are fictional.
//!
//! Building the records is pure and deterministic (a fixed-seed splitmix64 generator, no clock);
//! only [`load`] touches a database. User accounts are not part of the data set.

mod agreements;
mod cooperation;
mod countries;
mod enterprise;
mod events;
mod exchange;
mod generate;
mod mobilities;
mod names;
mod news;
mod rng;
mod seeds;

use std::collections::BTreeSet;

use liaison_domain::{
    AgreementStatus, CountryCode, FieldErrors, Id, InstitutionDraft, LocalizedText, OrgUnitDraft,
    PersonDraft,
};
use liaison_storage::{Actor, Db, StoreError};

pub use agreements::{
    generated_agreements, seed_agreements, DemoAgreement, DemoParty, GENERATED_AGREEMENTS,
};
pub use enterprise::{DEMO_STUDENTS, GENERATED_POSITIONS};
pub use events::GENERATED_EVENTS;
pub use generate::{generated_institutions, generated_partners};
pub use mobilities::{demo_mobilities, XUTELI_BY_YEAR};
pub use news::GENERATED_NEWS;
/// The demo data's deterministic generator, also used by the benchmarks' data.
pub use rng::Rng;

/// How many generated partners the demo adds to the seed partners.
pub const GENERATED_PARTNERS: usize = 320;
/// The seed of the demo's generated partners: the date of the first seed fact, 2024-03-12.
pub const DEMO_SEED: u64 = 20240312;

/// What [`load`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub institutions: usize,
    pub countries: usize,
    pub org_units: usize,
    pub people: usize,
}

#[derive(Debug)]
pub enum DemoError {
    /// The database already holds institutions; demo data goes only into an empty one.
    NotEmpty,
    Store(StoreError),
    /// A demo record failed validation: a bug in this crate.
    Invalid(String),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::NotEmpty => f.write_str("the database already holds institutions"),
            DemoError::Store(e) => write!(f, "storing demo data failed: {e}"),
            DemoError::Invalid(e) => write!(f, "invalid demo record: {e}"),
        }
    }
}

impl std::error::Error for DemoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DemoError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for DemoError {
    fn from(e: StoreError) -> Self {
        DemoError::Store(e)
    }
}

impl From<FieldErrors> for DemoError {
    fn from(e: FieldErrors) -> Self {
        DemoError::Invalid(e.to_string())
    }
}

/// A partner with its units and contacts, before it is stored. Ids are filled in by [`load`]:
/// units and people refer to each other by position.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPartner {
    pub institution: InstitutionDraft,
    /// `(unit, index of its parent among these units)`.
    pub units: Vec<(OrgUnitDraft, Option<usize>)>,
    /// `(person, index of their unit among these units)`.
    pub people: Vec<(PersonDraft, Option<usize>)>,
}

/// The partners of the seed facts, with their real names and fictional contacts.
pub fn seed_partners() -> Vec<DemoPartner> {
    seeds::SEEDS.iter().map(seed_partner).collect()
}

fn seed_partner(seed: &seeds::Seed) -> DemoPartner {
    let (en, zh, local) = seed.name;
    let mut region_tags = countries::region_tags(seed.country);
    region_tags.extend_from_slice(seed.extra_tags);
    region_tags.sort();
    region_tags.dedup();
    let institution = InstitutionDraft {
        kind: seed.kind,
        name: LocalizedText::new(Some(en), Some(zh), local),
        country: CountryCode::parse(seed.country).expect("seed countries are assigned codes"),
        city: LocalizedText::bilingual(seed.city.0, seed.city.1),
        website: Some(seed.website.to_string()),
        status: seed.status,
        region_tags,
        hei_id: seed.hei_id.map(String::from),
        erasmus_code: None,
        social_credit_code: seed.social_credit_code.map(String::from),
        profile: LocalizedText::bilingual(seed.profile.0, seed.profile.1),
    };
    let units = seed
        .units
        .iter()
        .map(|u| {
            let draft = OrgUnitDraft {
                institution_id: 0,
                parent_id: None,
                kind: u.kind,
                name: LocalizedText::bilingual(u.name.0, u.name.1),
                ounit_id: u.ounit_id.map(String::from),
                website: None,
            };
            (draft, None)
        })
        .collect();
    let people = seed
        .people
        .iter()
        .map(|p| {
            let draft = PersonDraft {
                name: LocalizedText::bilingual(p.name.0, p.name.1),
                title: LocalizedText::bilingual(p.title.0, p.title.1),
                institution_id: None,
                org_unit_id: None,
                emails: vec![p.email.to_string()],
                phones: Vec::new(),
                languages: p.languages.iter().map(|l| l.to_string()).collect(),
            };
            (draft, p.unit)
        })
        .collect();
    DemoPartner {
        institution,
        units,
        people,
    }
}

/// Everything [`load`] stores: the seed partners, then [`GENERATED_PARTNERS`] generated ones.
pub fn demo_partners() -> Vec<DemoPartner> {
    let mut all = seed_partners();
    all.extend(generated_partners(GENERATED_PARTNERS, DEMO_SEED));
    all
}

/// The counts a set of partners adds up to.
pub fn summarize(partners: &[DemoPartner]) -> DemoSummary {
    DemoSummary {
        institutions: partners.len(),
        countries: partners
            .iter()
            .map(|p| p.institution.country)
            .collect::<BTreeSet<_>>()
            .len(),
        org_units: partners.iter().map(|p| p.units.len()).sum(),
        people: partners.iter().map(|p| p.people.len()).sum(),
    }
}

/// Loads the demo data set into a database without institutions; refuses any other with
/// [`DemoError::NotEmpty`]. Institutions go in one transaction; units and contacts follow.
pub async fn load(db: &Db) -> Result<DemoSummary, DemoError> {
    if db.count_institutions().await? > 0 {
        return Err(DemoError::NotEmpty);
    }
    let actor = Actor::system("demo");
    let partners = demo_partners();
    let drafts = partners
        .iter()
        .map(|p| p.institution.clone().validate())
        .collect::<Result<Vec<_>, _>>()?;
    let ids = db.create_institutions(&actor, &drafts).await?;
    let mut unit_ids = Vec::with_capacity(ids.len());
    for (partner, institution_id) in partners.iter().zip(ids.iter().copied()) {
        unit_ids.push(store_units_and_people(db, &actor, partner, institution_id).await?);
    }
    let agreement_ids = store_agreements(db, &actor, &partners, &ids, &unit_ids).await?;
    let stored = events::Stored {
        partners: &partners,
        ids: &ids,
        unit_ids: &unit_ids,
        seed_agreement_ids: seed_agreements(&partners)
            .into_iter()
            .zip(agreement_ids.iter().copied())
            .map(|(a, id)| (a.draft.title, id))
            .collect(),
        people: events::people_by_institution(db).await?,
    };
    events::store_events(db, &actor, &stored).await?;
    enterprise::store(db, &actor, &partners, &ids, &unit_ids).await?;
    let iflytek_agreement = seed_agreements(&partners)
        .into_iter()
        .zip(agreement_ids.iter().copied())
        .find(|(a, _)| a.draft.kind == liaison_domain::AgreementKind::EnterpriseProgramme)
        .map(|(_, id)| id);
    cooperation::store(db, &actor, &partners, &ids, &unit_ids, iflytek_agreement).await?;
    news::store_news(db, &actor, DEMO_SEED).await?;
    exchange::store(db, &actor, &agreement_ids).await?;
    let mut agreements = seed_agreements(&partners);
    agreements.extend(generated_agreements(&partners, liaison_storage::today()));
    let links = mobilities::links(&partners, &agreements, &agreement_ids);
    mobilities::store(
        db,
        &actor,
        &mobilities::Sites {
            partners: &partners,
            ids: &ids,
            unit_ids: &unit_ids,
            links: &links,
        },
    )
    .await?;
    let summary = summarize(&partners);
    tracing::info!(?summary, "demo data stored");
    Ok(summary)
}

async fn store_units_and_people(
    db: &Db,
    actor: &Actor,
    partner: &DemoPartner,
    institution_id: Id,
) -> Result<Vec<Id>, DemoError> {
    let mut unit_ids: Vec<Id> = Vec::with_capacity(partner.units.len());
    for (unit, parent) in &partner.units {
        let mut draft = unit.clone();
        draft.institution_id = institution_id;
        draft.parent_id = parent.map(|p| unit_ids[p]);
        unit_ids.push(db.create_org_unit(actor, &draft.validate()?).await?.id);
    }
    for (person, unit) in &partner.people {
        let mut draft = person.clone();
        draft.institution_id = Some(institution_id);
        draft.org_unit_id = unit.map(|u| unit_ids[u]);
        db.create_person(actor, &draft.validate()?).await?;
    }
    Ok(unit_ids)
}

/// Stores the seed and generated agreements (dates of those in force placed around today) in
/// one transaction; returns their ids, the seed agreements first.
async fn store_agreements(
    db: &Db,
    actor: &Actor,
    partners: &[DemoPartner],
    ids: &[Id],
    unit_ids: &[Vec<Id>],
) -> Result<Vec<Id>, DemoError> {
    let today = liaison_storage::today();
    let mut all = seed_agreements(partners);
    all.extend(generated_agreements(partners, today));
    let all_statuses: Vec<AgreementStatus> = all.iter().map(|a| a.status).collect();
    let mut items = Vec::with_capacity(all.len());
    for a in all {
        let mut draft = a.draft;
        draft.parties = a
            .parties
            .iter()
            .map(|p| liaison_domain::agreement::Party {
                institution_id: ids[p.partner],
                org_unit_id: p.unit.and_then(|u| unit_ids[p.partner].get(u).copied()),
            })
            .collect();
        let mut conditions = Vec::new();
        for (mut c, by_party) in a.conditions {
            if let Some((s, r)) = by_party {
                c.sending_institution_id = Some(draft.parties[s].institution_id);
                c.receiving_institution_id = Some(draft.parties[r].institution_id);
            }
            conditions.push(c.validate()?);
        }
        // A renewed agreement is stored as expired and then renewed for real below, so that its
        // successor exists and the chain shows on its page.
        let status = match a.status {
            AgreementStatus::Renewed => AgreementStatus::Expired,
            s => s,
        };
        items.push((draft.validate()?, status, conditions));
    }
    let renewed: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(i, _)| all_statuses[*i] == AgreementStatus::Renewed)
        .map(|(i, _)| i)
        .collect();
    let ids = db.create_agreements(actor, &items).await?;
    for i in renewed {
        renew_until_today(db, actor, ids[i], today).await?;
    }
    Ok(ids)
}

/// Renews an expired agreement, moves the new version through negotiation and signature, and
/// goes on renewing while the new version has also ended: a chain of versions up to today.
async fn renew_until_today(
    db: &Db,
    actor: &Actor,
    id: Id,
    today: time::Date,
) -> Result<(), DemoError> {
    use AgreementStatus::*;
    let mut current = db.agreement(id).await?;
    for _ in 0..4 {
        let mut next = current.draft.renewal(today);
        next.signed_on = next.start_on.map(|s| s - time::Duration::days(21));
        let mut successor = db
            .renew_agreement(actor, current.id, current.version, &next.validate()?)
            .await?;
        let ended = successor.draft.end_on.is_some_and(|e| e < today);
        let steps: &[AgreementStatus] = if ended {
            &[Negotiating, Approved, Signed, Active, Expired]
        } else {
            &[Negotiating, Approved, Signed, Active]
        };
        for to in steps {
            successor = db
                .set_agreement_status(actor, successor.id, successor.version, *to)
                .await?;
        }
        if !ended {
            break;
        }
        current = successor;
    }
    Ok(())
}

/// Makes `owner` responsible for the demo agreements in force: they appear in that user's
/// calendar and expiry reminders. Called once the demo accounts exist.
pub async fn assign_agreement_owners(db: &Db, owner: Id) -> Result<usize, DemoError> {
    let actor = Actor::system("demo");
    let filter = liaison_storage::AgreementFilter::default();
    let sort = liaison_domain::Sort {
        field: "created_at",
        descending: false,
    };
    let mut assigned = 0;
    let mut page = 1;
    loop {
        let found = db
            .agreements(
                &liaison_domain::Scope::All,
                &filter,
                &sort,
                &liaison_domain::PageRequest {
                    page,
                    per_page: 200,
                },
            )
            .await?;
        for a in &found.items {
            if a.status.in_force() && a.draft.owner_user_id.is_none() {
                let mut draft = a.draft.clone();
                draft.owner_user_id = Some(owner);
                db.update_agreement(&actor, a.id, a.version, &draft).await?;
                assigned += 1;
            }
        }
        if found.items.len() < 200 {
            break;
        }
        page += 1;
    }
    cooperation::assign_owners(db, owner).await?;
    Ok(assigned)
}

#[cfg(test)]
mod tests {
    use liaison_domain::{InstitutionKind, RegionTag, RelationshipStatus};

    use super::*;

    /// The drafts as `load` would store them, with placeholder ids.
    fn stored_form(partner: &DemoPartner) -> Result<(), FieldErrors> {
        partner.institution.clone().validate()?;
        for (unit, parent) in &partner.units {
            let mut unit = unit.clone();
            unit.institution_id = 1;
            unit.parent_id = parent.map(|p| p as Id + 100);
            unit.validate()?;
        }
        for (person, unit) in &partner.people {
            let mut person = person.clone();
            person.institution_id = Some(1);
            person.org_unit_id = unit.map(|u| u as Id + 100);
            person.validate()?;
        }
        Ok(())
    }

    #[test]
    fn every_demo_record_validates() {
        for partner in demo_partners() {
            stored_form(&partner).unwrap_or_else(|e| panic!("{:?}: {e}", partner.institution.name));
            for (_, unit) in &partner.people {
                assert!(unit.is_none_or(|u| u < partner.units.len()));
            }
            for (i, (_, parent)) in partner.units.iter().enumerate() {
                assert!(
                    parent.is_none_or(|p| p < i),
                    "parents come before their sub-units"
                );
            }
        }
    }

    #[test]
    fn demo_covers_many_countries_every_kind_status_and_region() {
        let all = demo_partners();
        let summary = summarize(&all);
        assert!(summary.institutions >= 320, "{summary:?}");
        assert!(summary.countries >= 60, "{summary:?}");
        assert!(
            summary.org_units >= 200 && summary.people >= 250,
            "{summary:?}"
        );
        for kind in InstitutionKind::ALL {
            assert!(all.iter().any(|p| p.institution.kind == *kind), "{kind}");
        }
        for status in RelationshipStatus::ALL {
            assert!(
                all.iter().any(|p| p.institution.status == *status),
                "{status}"
            );
        }
        for tag in RegionTag::ALL {
            assert!(
                all.iter().any(|p| p.institution.region_tags.contains(tag)),
                "{tag}"
            );
        }
    }

    #[test]
    fn names_websites_and_hei_ids_are_distinct() {
        let all = demo_partners();
        let distinct = |f: &dyn Fn(&InstitutionDraft) -> Option<String>| {
            let values: Vec<String> = all.iter().filter_map(|p| f(&p.institution)).collect();
            values.iter().collect::<BTreeSet<_>>().len() == values.len()
        };
        assert!(distinct(&|d| d.name.en.clone()));
        assert!(distinct(&|d| d.name.zh.clone()));
        assert!(distinct(&|d| d.website.clone()));
        assert!(distinct(&|d| d.hei_id.clone()));
        assert!(all
            .iter()
            .all(|p| p.institution.name.en.is_some() && p.institution.name.zh.is_some()));
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(demo_partners(), demo_partners());
        assert_eq!(
            generated_institutions(500, 9),
            generated_institutions(500, 9)
        );
    }

    #[test]
    fn seed_partners_are_present_with_their_chinese_names() {
        let all = demo_partners();
        let find = |zh: &str| {
            all.iter()
                .find(|p| p.institution.name.zh.as_deref() == Some(zh))
                .unwrap_or_else(|| panic!("{zh} missing"))
        };
        for zh in [
            "安徽新华学院",
            "科大讯飞",
            "吉隆坡建设大学",
            "西安交通大学",
            "阿里-法拉比哈萨克国立大学",
            "阿斯塔纳IT大学",
            "哈尔滨工业大学",
            "开放原子开源基金会",
            "北京理工大学",
        ] {
            let partner = find(zh);
            assert!((1..=3).contains(&partner.people.len()), "{zh}");
        }
        let unit_names = |zh: &str| {
            find(zh)
                .units
                .iter()
                .filter_map(|(u, _)| u.name.zh.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            unit_names("安徽新华学院"),
            [
                "文化与传媒学院",
                "国际交流与合作处",
                "教务处",
                "校企合作办公室"
            ]
        );
        assert!(unit_names("北京理工大学")[0].starts_with("徐特立学院"));
        assert_eq!(unit_names("哈尔滨工业大学"), ["国际教育学院"]);

        let iflytek = &find("科大讯飞").institution;
        assert_eq!(iflytek.kind, InstitutionKind::Enterprise);
        assert_eq!(
            iflytek.social_credit_code.as_deref(),
            Some("91340000711771143J")
        );
        let iukl = find("吉隆坡建设大学");
        assert_eq!(
            iukl.institution.region_tags,
            [RegionTag::BeltAndRoad, RegionTag::Asean]
        );
        assert!(iukl
            .people
            .iter()
            .any(|(p, _)| p.title.en.as_deref() == Some("Vice President")));
        assert_eq!(
            find("西安交通大学").institution.region_tags,
            [RegionTag::Sco, RegionTag::BeltAndRoad, RegionTag::Brics]
        );
        assert_eq!(
            find("阿里-法拉比哈萨克国立大学").institution.region_tags,
            [RegionTag::Sco, RegionTag::BeltAndRoad]
        );
        assert_eq!(
            find("开放原子开源基金会").institution.kind,
            InstitutionKind::Foundation
        );
    }

    #[test]
    fn contacts_use_example_domains_only() {
        for partner in demo_partners() {
            for (person, _) in &partner.people {
                for email in &person.emails {
                    let domain = email.split('@').nth(1).unwrap();
                    assert!(domain.split('.').any(|part| part == "example"), "{email}");
                }
            }
        }
    }
}
