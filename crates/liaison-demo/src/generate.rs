//! Generated partners: institutions in real cities named by bilingual patterns ("{City}
//! University of Technology" / "{城市}理工大学"), each with up to two units and two fictional
//! contacts. Everything is a pure function of the index and the seed.

use liaison_domain::{
    CountryCode, InstitutionDraft, InstitutionKind, LocalizedText, OrgUnitDraft, OrgUnitKind,
    PersonDraft, RelationshipStatus,
};

use crate::countries::{all_cities, region_tags, Country};
use crate::names::{person_name, Names};
use crate::rng::Rng;
use crate::DemoPartner;

use InstitutionKind::{Alliance, Enterprise, Foundation, Government, School, University};

/// A bilingual name pattern; `{}` stands for the city.
struct NamePattern {
    kind: InstitutionKind,
    en: &'static str,
    zh: &'static str,
}

const fn pattern(kind: InstitutionKind, en: &'static str, zh: &'static str) -> NamePattern {
    NamePattern { kind, en, zh }
}

/// Universities dominate, as in a real partner list; kinds are interleaved so neighbouring
/// cities get different kinds.
const PATTERNS: &[NamePattern] = &[
    pattern(University, "{} University of Technology", "{}理工大学"),
    pattern(
        Enterprise,
        "{} Smart Manufacturing Co., Ltd.",
        "{}智能制造有限公司",
    ),
    pattern(University, "{} National University", "{}国立大学"),
    pattern(University, "{} Normal University", "{}师范大学"),
    pattern(Foundation, "{} Education Foundation", "{}教育基金会"),
    pattern(
        University,
        "{} Institute of Digital Technology",
        "{}数字技术学院",
    ),
    pattern(Government, "{} Education Bureau", "{}教育局"),
    pattern(University, "University of {}", "{}大学"),
    pattern(Enterprise, "{} Digital Technology Group", "{}数字科技集团"),
    pattern(University, "{} Medical University", "{}医科大学"),
    pattern(Alliance, "{} Universities Alliance", "{}高校联盟"),
    pattern(
        University,
        "{} University of Economics and Law",
        "{}经济与法律大学",
    ),
    pattern(School, "{} International School", "{}国际学校"),
    pattern(
        University,
        "{} University of Foreign Studies",
        "{}外国语大学",
    ),
    pattern(Enterprise, "{} New Energy Co., Ltd.", "{}新能源有限公司"),
    pattern(University, "{} Agricultural University", "{}农业大学"),
];

const STATUS_WEIGHTS: &[(RelationshipStatus, u32)] = &[
    (RelationshipStatus::Active, 45),
    (RelationshipStatus::Prospect, 25),
    (RelationshipStatus::Dormant, 20),
    (RelationshipStatus::Ended, 10),
];

/// Independent random streams, so that adding contacts never changes the institutions.
const INSTITUTION_STREAM: u64 = 1;
const CONTACT_STREAM: u64 = 2;

/// `count` valid institution drafts, already in the normalised form `validate` returns.
///
/// Cycles through the city table; each pass uses the next name pattern for every city, and after
/// all patterns a numbered campus or branch keeps names distinct. Draft `i` depends only on `i`
/// and `seed`, so a shorter list is a prefix of a longer one.
pub fn generated_institutions(count: usize, seed: u64) -> Vec<InstitutionDraft> {
    let cities = all_cities();
    (0..count).map(|i| institution(i, &cities, seed)).collect()
}

fn institution(
    i: usize,
    cities: &[(&'static Country, &'static str, &'static str)],
    seed: u64,
) -> InstitutionDraft {
    let city_index = i % cities.len();
    let round = i / cities.len();
    let (country, city_en, city_zh) = cities[city_index];
    let pattern = &PATTERNS[(round + city_index) % PATTERNS.len()];
    let (name_en, name_zh) = fill(pattern, city_en, city_zh, round / PATTERNS.len());
    let mut rng = Rng::for_item(seed, INSTITUTION_STREAM, i);
    let status = rng.weighted(STATUS_WEIGHTS);
    let since = 2005 + rng.below(20);
    InstitutionDraft {
        kind: pattern.kind,
        website: Some(format!("https://www.{}", domain(pattern.kind, &name_en))),
        name: LocalizedText::bilingual(&name_en, &name_zh),
        country: CountryCode::parse(country.code).expect("the country table holds assigned codes"),
        city: LocalizedText::bilingual(city_en, city_zh),
        status,
        region_tags: region_tags(country.code),
        hei_id: None,
        erasmus_code: None,
        social_credit_code: None,
        profile: profile(status, since),
    }
}

/// The English and Chinese name; `pass` > 0 adds a campus (or branch) number.
fn fill(pattern: &NamePattern, city_en: &str, city_zh: &str, pass: usize) -> (String, String) {
    let en = pattern.en.replace("{}", city_en);
    let zh = pattern.zh.replace("{}", city_zh);
    if pass == 0 {
        return (en, zh);
    }
    let number = pass + 1;
    match pattern.kind {
        University | School => (
            format!("{en} (Campus {number})"),
            format!("{zh}（第{number}校区）"),
        ),
        _ => (
            format!("{en} (Branch {number})"),
            format!("{zh}（第{number}分部）"),
        ),
    }
}

/// A reserved `example` domain for the institution, e.g. `almaty-normal-university.example.edu`.
fn domain(kind: InstitutionKind, name_en: &str) -> String {
    let top = match kind {
        University | School | Alliance => "edu",
        Enterprise => "com",
        Foundation | Government => "org",
    };
    format!("{}.example.{top}", crate::names::slug(name_en))
}

fn profile(status: RelationshipStatus, since: usize) -> LocalizedText {
    let (en, zh) = match status {
        RelationshipStatus::Active => (
            format!("Partner since {since}; cooperation agreement in force, exchanges every year."),
            format!("自{since}年起合作；合作协议有效，每年开展交流。"),
        ),
        RelationshipStatus::Prospect => (
            "Prospective partner: first contacts made, cooperation under discussion.".to_string(),
            "潜在合作伙伴：已初步接洽，合作洽谈中。".to_string(),
        ),
        RelationshipStatus::Dormant => (
            format!("Partner since {since}; agreement in force but no exchanges in recent years."),
            format!("自{since}年起合作；协议仍有效，但近年无交流。"),
        ),
        RelationshipStatus::Ended => (
            format!("Former partner (from {since}); the cooperation agreement has ended."),
            format!("前合作伙伴（{since}年起）；合作协议已终止。"),
        ),
    };
    LocalizedText::bilingual(&en, &zh)
}

/// A unit pattern with the title of the person who heads it.
struct UnitPattern {
    kind: OrgUnitKind,
    name: (&'static str, &'static str),
    head: (&'static str, &'static str),
}

const fn unit(
    kind: OrgUnitKind,
    name: (&'static str, &'static str),
    head: (&'static str, &'static str),
) -> UnitPattern {
    UnitPattern { kind, name, head }
}

const INTERNATIONAL_OFFICE: UnitPattern = unit(
    OrgUnitKind::Office,
    ("International Office", "国际处"),
    ("Director of International Relations", "国际处处长"),
);

const DEAN: (&str, &str) = ("Dean", "院长");
const HEAD_OF_DEPARTMENT: (&str, &str) = ("Head of Department", "系主任");

/// Schools or faculties of a university, each with one of its departments.
const FACULTIES: &[(UnitPattern, UnitPattern)] = &[
    (
        unit(
            OrgUnitKind::School,
            ("School of Engineering", "工程学院"),
            DEAN,
        ),
        unit(
            OrgUnitKind::Department,
            ("Department of Civil Engineering", "土木工程系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(
            OrgUnitKind::School,
            ("School of Computer Science", "计算机学院"),
            DEAN,
        ),
        unit(
            OrgUnitKind::Department,
            ("Department of Artificial Intelligence", "人工智能系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(OrgUnitKind::School, ("School of Business", "商学院"), DEAN),
        unit(
            OrgUnitKind::Department,
            ("Department of International Trade", "国际贸易系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(OrgUnitKind::School, ("Faculty of Law", "法学院"), DEAN),
        unit(
            OrgUnitKind::Department,
            ("Department of International Law", "国际法系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(
            OrgUnitKind::School,
            ("School of Foreign Languages", "外国语学院"),
            DEAN,
        ),
        unit(
            OrgUnitKind::Department,
            ("Department of Chinese Studies", "中文系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(OrgUnitKind::School, ("School of Medicine", "医学院"), DEAN),
        unit(
            OrgUnitKind::Department,
            ("Department of Public Health", "公共卫生系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
    (
        unit(
            OrgUnitKind::College,
            ("College of Arts and Media", "艺术与传媒学院"),
            DEAN,
        ),
        unit(
            OrgUnitKind::Department,
            ("Department of Journalism", "新闻系"),
            HEAD_OF_DEPARTMENT,
        ),
    ),
];

const ENTERPRISE_UNITS: &[UnitPattern] = &[
    unit(
        OrgUnitKind::Department,
        ("University Relations Department", "校企合作部"),
        ("University Relations Manager", "校企合作经理"),
    ),
    unit(
        OrgUnitKind::Department,
        ("Human Resources Department", "人力资源部"),
        ("HR Director", "人力资源总监"),
    ),
    unit(
        OrgUnitKind::Centre,
        ("R&D Centre", "研发中心"),
        ("Director of R&D", "研发中心主任"),
    ),
];
const FOUNDATION_UNITS: &[UnitPattern] = &[
    unit(
        OrgUnitKind::Office,
        ("Scholarship Programme Office", "奖学金项目办公室"),
        ("Programme Officer", "项目主管"),
    ),
    unit(
        OrgUnitKind::Office,
        ("Secretariat", "秘书处"),
        ("Secretary-General", "秘书长"),
    ),
];
const GOVERNMENT_UNITS: &[UnitPattern] = &[
    unit(
        OrgUnitKind::Department,
        ("International Cooperation Division", "国际合作处"),
        ("Division Director", "处长"),
    ),
    unit(
        OrgUnitKind::Department,
        ("Higher Education Division", "高等教育处"),
        ("Division Director", "处长"),
    ),
];
const ALLIANCE_UNITS: &[UnitPattern] = &[
    unit(
        OrgUnitKind::Office,
        ("Secretariat", "秘书处"),
        ("Secretary-General", "秘书长"),
    ),
    unit(
        OrgUnitKind::Other,
        ("Student Mobility Working Group", "学生流动工作组"),
        ("Working Group Coordinator", "工作组协调人"),
    ),
];
const SCHOOL_UNITS: &[UnitPattern] = &[
    unit(
        OrgUnitKind::Department,
        ("International Department", "国际部"),
        ("Head of International Department", "国际部主任"),
    ),
    unit(
        OrgUnitKind::Office,
        ("Admissions Office", "招生办公室"),
        ("Admissions Director", "招生主任"),
    ),
];

/// Titles of contacts who speak for the whole institution.
fn leader_titles(kind: InstitutionKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        University => &[
            (
                "Vice-Rector for International Affairs",
                "主管国际事务副校长",
            ),
            ("Vice President", "副校长"),
            ("Exchange Coordinator", "交换项目协调人"),
        ],
        Enterprise => &[
            ("General Manager", "总经理"),
            ("Deputy General Manager", "副总经理"),
        ],
        Foundation => &[
            ("Executive Director", "执行理事长"),
            ("Project Manager", "项目经理"),
        ],
        Government => &[
            ("Director-General", "局长"),
            ("Deputy Director-General", "副局长"),
        ],
        Alliance => &[("Executive Secretary", "执行秘书"), ("Chair", "理事长")],
        School => &[("Principal", "校长"), ("Vice Principal", "副校长")],
    }
}

/// The generated partners: `count` institutions from [`generated_institutions`], each with
/// 0–2 units and 0–2 contacts.
pub fn generated_partners(count: usize, seed: u64) -> Vec<DemoPartner> {
    let cities = all_cities();
    generated_institutions(count, seed)
        .into_iter()
        .enumerate()
        .map(|(i, institution)| {
            let mut rng = Rng::for_item(seed, CONTACT_STREAM, i);
            let country = cities[i % cities.len()].0;
            let units = units(institution.kind, &mut rng);
            let people = contacts(&institution, country, &units, &mut rng);
            let units = units
                .into_iter()
                .map(|(u, parent)| (unit_draft(u), parent))
                .collect();
            DemoPartner {
                institution,
                units,
                people,
            }
        })
        .collect()
}

/// Up to two units; `(pattern, index of the parent unit)`.
fn units(kind: InstitutionKind, rng: &mut Rng) -> Vec<(&'static UnitPattern, Option<usize>)> {
    let list = match kind {
        University => return university_units(rng),
        Enterprise => ENTERPRISE_UNITS,
        Foundation => FOUNDATION_UNITS,
        Government => GOVERNMENT_UNITS,
        Alliance => ALLIANCE_UNITS,
        School => SCHOOL_UNITS,
    };
    let count = rng.below(3).min(list.len());
    let start = rng.below(list.len());
    (0..count)
        .map(|k| (&list[(start + k) % list.len()], None))
        .collect()
}

fn university_units(rng: &mut Rng) -> Vec<(&'static UnitPattern, Option<usize>)> {
    let (school, department) = rng.pick(FACULTIES);
    match rng.below(5) {
        0 => Vec::new(),
        1 => vec![(&INTERNATIONAL_OFFICE, None)],
        2 => vec![(school, None)],
        3 => vec![(school, None), (department, Some(0))],
        _ => vec![(&INTERNATIONAL_OFFICE, None), (school, None)],
    }
}

fn unit_draft(pattern: &UnitPattern) -> OrgUnitDraft {
    OrgUnitDraft {
        institution_id: 0,
        parent_id: None,
        kind: pattern.kind,
        name: LocalizedText::bilingual(pattern.name.0, pattern.name.1),
        ounit_id: None,
        website: None,
    }
}

/// Up to two fictional contacts: the heads of the units first, then institution leaders.
fn contacts(
    institution: &InstitutionDraft,
    country: &Country,
    units: &[(&UnitPattern, Option<usize>)],
    rng: &mut Rng,
) -> Vec<(PersonDraft, Option<usize>)> {
    let host = institution
        .website
        .as_deref()
        .and_then(|w| w.strip_prefix("https://www."))
        .unwrap_or("partner.example.org");
    let leaders = leader_titles(institution.kind);
    let first_leader = rng.below(leaders.len());
    let mut emails: Vec<String> = Vec::new();
    (0..rng.below(3))
        .map(|k| {
            let name = person_name(&country.names, rng);
            let (title, unit) = match units.get(k) {
                Some((pattern, _)) => (pattern.head, Some(k)),
                None => (leaders[(first_leader + k) % leaders.len()], None),
            };
            let mut email = format!("{}@{host}", name.email_local);
            if emails.contains(&email) {
                email = format!("{}{}@{host}", name.email_local, k + 1);
            }
            emails.push(email.clone());
            let person = PersonDraft {
                name: LocalizedText::new(Some(&name.en), name.zh.as_deref(), None),
                title: LocalizedText::bilingual(title.0, title.1),
                institution_id: None,
                org_unit_id: None,
                emails: vec![email],
                phones: Vec::new(),
                languages: languages(country),
            };
            (person, unit)
        })
        .collect()
}

/// The country's languages, Chinese for people with Chinese names, and English, without repeats.
fn languages(country: &Country) -> Vec<String> {
    let chinese: &[&str] = if matches!(country.names, Names::Chinese) {
        &["zh"]
    } else {
        &[]
    };
    let mut out: Vec<String> = Vec::new();
    for code in chinese.iter().chain(country.languages).chain(&["en"]) {
        if !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn drafts_are_valid_and_already_normalised() {
        for draft in generated_institutions(2_000, 11) {
            let validated = draft
                .clone()
                .validate()
                .unwrap_or_else(|e| panic!("{:?}: {e}", draft.name));
            assert_eq!(validated, draft);
        }
    }

    #[test]
    fn names_and_websites_stay_distinct_at_benchmark_scale() {
        let drafts = generated_institutions(100_000, 7);
        assert_eq!(drafts.len(), 100_000);
        let en: BTreeSet<&str> = drafts.iter().filter_map(|d| d.name.en.as_deref()).collect();
        let zh: BTreeSet<&str> = drafts.iter().filter_map(|d| d.name.zh.as_deref()).collect();
        let sites: BTreeSet<&str> = drafts.iter().filter_map(|d| d.website.as_deref()).collect();
        assert_eq!(en.len(), drafts.len());
        assert_eq!(zh.len(), drafts.len());
        assert_eq!(sites.len(), drafts.len());
        assert!(sites.iter().all(|s| s.is_ascii()));
    }

    #[test]
    fn shorter_lists_are_prefixes_and_seeds_matter() {
        let long = generated_institutions(300, 5);
        assert_eq!(generated_institutions(120, 5), long[..120]);
        let statuses = |seed| {
            generated_institutions(300, seed)
                .iter()
                .map(|d| d.status)
                .collect::<Vec<_>>()
        };
        assert_ne!(statuses(5), statuses(6));
    }

    #[test]
    fn campus_numbers_follow_the_first_pass() {
        let cities = all_cities().len();
        let drafts = generated_institutions(cities * PATTERNS.len() + 1, 1);
        assert!(!drafts[0].name.en.as_deref().unwrap().contains("Campus"));
        let last = drafts.last().unwrap();
        let en = last.name.en.as_deref().unwrap();
        assert!(
            en.ends_with("(Campus 2)") || en.ends_with("(Branch 2)"),
            "{en}"
        );
    }

    #[test]
    fn contacts_are_valid_and_have_ascii_addresses() {
        for partner in generated_partners(1_000, 3) {
            assert!(partner.units.len() <= 2 && partner.people.len() <= 2);
            for (person, unit) in &partner.people {
                let person = person
                    .clone()
                    .validate()
                    .unwrap_or_else(|e| panic!("{:?}: {e}", person.name));
                assert!(
                    person.emails.iter().all(|e| e.is_ascii()),
                    "{:?}",
                    person.emails
                );
                assert!(unit.is_none_or(|u| u < partner.units.len()));
            }
            for (unit, parent) in &partner.units {
                unit.clone().validate().unwrap();
                assert!(parent.is_none_or(|p| p < partner.units.len()));
            }
        }
    }

    #[test]
    fn chinese_contacts_have_chinese_names() {
        let partners = generated_partners(1_000, 3);
        let chinese = partners
            .iter()
            .filter(|p| p.institution.country.as_str() == "CN")
            .flat_map(|p| &p.people)
            .collect::<Vec<_>>();
        assert!(!chinese.is_empty());
        for (person, _) in chinese {
            assert!(person.name.zh.is_some(), "{:?}", person.name);
            assert_eq!(person.languages, ["zh", "en"]);
        }
    }
}
