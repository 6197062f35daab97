//! Demo agreements: the two of the seed facts (the 2024 AXHU–iFLYTEK cooperation programme and
//! the XJTU–KazNU student exchange in international law) and generated ones over the demo
//! partners, of every type and status. Deterministic for a given "today" (the dates of agreements
//! in force are placed around it, so that some always expire within the reminder window).

use liaison_domain::agreement::{parse_date, CefrLevel, Direction, MobilityType, StudyLevel};
use liaison_domain::{
    AgreementDraft, AgreementKind, AgreementStatus, ConditionDraft, InstitutionKind, LocalizedText,
};
use time::{Date, Duration};

use crate::rng::Rng;
use crate::{DemoPartner, DEMO_SEED};

/// How many generated agreements the demo adds to the seed agreements.
pub const GENERATED_AGREEMENTS: usize = 520;

/// A party before it is stored: the partner's position in the demo partners and optionally the
/// position of one of its units.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoParty {
    pub partner: usize,
    pub unit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoAgreement {
    /// Parties are filled in by `load` from `parties`.
    pub draft: AgreementDraft,
    pub parties: Vec<DemoParty>,
    pub status: AgreementStatus,
    /// Conditions naming sending/receiving parties by their position in `parties`.
    pub conditions: Vec<(ConditionDraft, Option<(usize, usize)>)>,
}

fn date(s: &str) -> Date {
    parse_date(s).expect("demo dates are valid")
}

fn find(partners: &[DemoPartner], zh: &str) -> usize {
    partners
        .iter()
        .position(|p| p.institution.name.zh.as_deref() == Some(zh))
        .unwrap_or_else(|| panic!("seed partner {zh} is in the demo"))
}

fn draft(kind: AgreementKind, title: LocalizedText) -> AgreementDraft {
    AgreementDraft {
        kind,
        title,
        summary: LocalizedText::default(),
        parties: Vec::new(),
        signatories: Vec::new(),
        subject_areas: Vec::new(),
        signed_on: None,
        start_on: None,
        end_on: None,
        auto_renew: false,
        iia_id: None,
        owner_user_id: None,
    }
}

fn condition(t: MobilityType, places: i64) -> ConditionDraft {
    ConditionDraft {
        mobility_type: t,
        direction: Some(Direction::Both),
        sending_institution_id: None,
        receiving_institution_id: None,
        first_year: None,
        last_year: None,
        places_per_year: places,
        months_per_place: None,
        days_per_place: None,
        study_level: None,
        subject_areas: Vec::new(),
        language: None,
        language_level: None,
        notes: None,
    }
}

/// The agreements of the seed facts.
pub fn seed_agreements(partners: &[DemoPartner]) -> Vec<DemoAgreement> {
    let axhu = find(partners, "安徽新华学院");
    let iflytek = find(partners, "科大讯飞");
    let xjtu = find(partners, "西安交通大学");
    let kaznu = find(partners, "阿里-法拉比哈萨克国立大学");

    let mut programme = draft(
        AgreementKind::EnterpriseProgramme,
        LocalizedText::bilingual(
            "2024 AXHU–iFLYTEK cooperation programme",
            "安徽新华学院—科大讯飞2024年校企合作项目",
        ),
    );
    programme.summary = LocalizedText::bilingual(
        "School of Culture and Communication and iFLYTEK: shared resources, curriculum development, internships, field trips and employment.",
        "文化与传媒学院与科大讯飞：资源共享、课程共建、实习实训、参观研学与就业。",
    );
    programme.signed_on = Some(date("2024-03-12"));
    programme.start_on = Some(date("2024-03-12"));
    programme.end_on = Some(date("2027-03-11"));
    programme.subject_areas = vec!["0321".into(), "0613".into()];

    let mut exchange = draft(
        AgreementKind::StudentExchange,
        LocalizedText::new(
            Some("XJTU–KazNU student exchange in international law"),
            Some("西安交通大学—哈萨克国立大学国际法学生交换协议"),
            Some("ХДУ–ҚазҰУ халықаралық құқық студенттер алмасуы"),
        ),
    );
    exchange.summary = LocalizedText::bilingual(
        "Signed on 4 July 2024 at the SCO higher-education symposium in Astana.",
        "2024年7月4日在阿斯塔纳上合组织高等教育研讨会上签署。",
    );
    exchange.signed_on = Some(date("2024-07-04"));
    exchange.start_on = Some(date("2024-09-01"));
    exchange.end_on = Some(date("2029-08-31"));
    exchange.subject_areas = vec!["0421".into()];
    let mut quota = condition(MobilityType::StudentStudies, 5);
    quota.first_year = Some("2024/2025".into());
    quota.last_year = Some("2028/2029".into());
    quota.months_per_place = Some(5.0);
    quota.study_level = Some(StudyLevel::Master);
    quota.subject_areas = vec!["0421".into()];
    quota.language = Some("en".into());
    quota.language_level = Some(CefrLevel::B2);
    quota.direction = None;
    let mut back = quota.clone();
    back.language = Some("ru".into());
    back.language_level = Some(CefrLevel::B1);

    vec![
        DemoAgreement {
            draft: programme,
            parties: vec![
                DemoParty {
                    partner: axhu,
                    unit: Some(0),
                },
                DemoParty {
                    partner: iflytek,
                    unit: None,
                },
            ],
            status: AgreementStatus::Active,
            conditions: Vec::new(),
        },
        DemoAgreement {
            draft: exchange,
            parties: vec![
                DemoParty {
                    partner: xjtu,
                    unit: None,
                },
                DemoParty {
                    partner: kaznu,
                    unit: None,
                },
            ],
            status: AgreementStatus::Active,
            conditions: vec![(quota, Some((0, 1))), (back, Some((1, 0)))],
        },
    ]
}

const KIND_NAMES: &[(AgreementKind, &str, &str)] = &[
    (
        AgreementKind::Mou,
        "Memorandum of understanding",
        "谅解备忘录",
    ),
    (
        AgreementKind::StudentExchange,
        "Student exchange agreement",
        "学生交换协议",
    ),
    (
        AgreementKind::StaffExchange,
        "Staff exchange agreement",
        "教师交流协议",
    ),
    (
        AgreementKind::JointDegree,
        "Joint degree programme",
        "联合学位项目",
    ),
    (
        AgreementKind::Progression,
        "Bachelor-to-master progression programme",
        "本硕连读项目",
    ),
    (
        AgreementKind::InternshipBase,
        "Internship and training base",
        "实习实训基地协议",
    ),
    (
        AgreementKind::Research,
        "Research cooperation agreement",
        "科研合作协议",
    ),
    (
        AgreementKind::EnterpriseProgramme,
        "University–enterprise cooperation programme",
        "校企合作项目",
    ),
];

const SUBJECTS: &[&str] = &[
    "0111", "0211", "0231", "0232", "0311", "0312", "0321", "0413", "0414", "0421", "0511", "0521",
    "0533", "0541", "0612", "0613", "0713", "0714", "0715", "0731", "0732", "0811", "0912", "0913",
    "1013", "1015",
];

/// Generated agreements over the demo partners: every type × status, some ending within 180
/// days of `today`. The home party is the first seed university (AXHU).
pub fn generated_agreements(partners: &[DemoPartner], today: Date) -> Vec<DemoAgreement> {
    let home = find(partners, "安徽新华学院");
    let universities: Vec<usize> = (0..partners.len())
        .filter(|i| *i != home && partners[*i].institution.kind == InstitutionKind::University)
        .collect();
    let companies: Vec<usize> = (0..partners.len())
        .filter(|i| *i != home && partners[*i].institution.kind != InstitutionKind::University)
        .collect();
    let kinds = AgreementKind::ALL;
    let statuses = AgreementStatus::ALL;
    let mut out = Vec::with_capacity(GENERATED_AGREEMENTS);
    for i in 0..GENERATED_AGREEMENTS {
        let mut rng = Rng::for_item(DEMO_SEED, 41, i);
        let kind = kinds[i % kinds.len()];
        let status = statuses[(i / kinds.len()) % statuses.len()];
        let pool = match kind {
            AgreementKind::EnterpriseProgramme | AgreementKind::InternshipBase
                if !companies.is_empty() =>
            {
                &companies
            }
            _ => &universities,
        };
        let partner = *rng.pick(pool);
        let mut parties = vec![
            DemoParty {
                partner: home,
                unit: None,
            },
            DemoParty {
                partner,
                unit: None,
            },
        ];
        if rng.below(10) == 0 {
            let third = *rng.pick(&universities);
            if third != partner {
                parties.push(DemoParty {
                    partner: third,
                    unit: None,
                });
            }
        }
        let (_, kind_en, kind_zh) = KIND_NAMES
            .iter()
            .find(|(k, _, _)| *k == kind)
            .expect("every kind is named");
        let name = &partners[partner].institution.name;
        let mut d = draft(
            kind,
            LocalizedText::bilingual(
                &format!("{kind_en} with {}", name.display(false)),
                &format!("与{}的{kind_zh}", name.display(true)),
            ),
        );
        let years = 1 + rng.below(5) as i64;
        let length = Duration::days(365 * years - 1);
        // Where the end lies relative to today, by status.
        let end = match status {
            AgreementStatus::Expiring => today + Duration::days(1 + rng.below(170) as i64),
            AgreementStatus::Active | AgreementStatus::Signed if rng.below(4) == 0 => {
                today + Duration::days(5 + rng.below(170) as i64)
            }
            AgreementStatus::Active | AgreementStatus::Signed => {
                today + Duration::days(200 + rng.below(1400) as i64)
            }
            AgreementStatus::Expired | AgreementStatus::Renewed | AgreementStatus::Terminated => {
                today - Duration::days(1 + rng.below(1500) as i64)
            }
            _ => today + Duration::days(400 + rng.below(1500) as i64),
        };
        let start = end - length;
        d.start_on = Some(start);
        d.end_on = Some(end);
        if !matches!(
            status,
            AgreementStatus::Draft | AgreementStatus::Negotiating | AgreementStatus::Approved
        ) {
            d.signed_on = Some(start - Duration::days(rng.below(60) as i64));
        }
        d.auto_renew = rng.below(5) == 0;
        let n_subjects = rng.below(3);
        for _ in 0..n_subjects {
            let s = rng.pick(SUBJECTS).to_string();
            if !d.subject_areas.contains(&s) {
                d.subject_areas.push(s);
            }
        }
        let mut conditions = Vec::new();
        if matches!(
            kind,
            AgreementKind::StudentExchange | AgreementKind::StaffExchange
        ) {
            let student = kind == AgreementKind::StudentExchange;
            let mut c = condition(
                if student {
                    MobilityType::StudentStudies
                } else {
                    MobilityType::StaffTeaching
                },
                1 + rng.below(8) as i64,
            );
            let y = start.year();
            c.first_year = Some(format!("{}/{}", y, y + 1));
            c.last_year = Some(format!("{}/{}", y + years as i32 - 1, y + years as i32));
            if student {
                c.months_per_place = Some(if rng.coin() { 5.0 } else { 10.0 });
                c.study_level = Some(*rng.pick(&[StudyLevel::Bachelor, StudyLevel::Master]));
                c.language = Some("en".into());
                c.language_level = Some(*rng.pick(&[CefrLevel::B1, CefrLevel::B2]));
            } else {
                c.days_per_place = Some(5 + rng.below(10) as i64);
            }
            c.subject_areas = d.subject_areas.clone();
            conditions.push((c, None));
        }
        out.push(DemoAgreement {
            draft: d,
            parties,
            status,
            conditions,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_agreements_cover_every_kind_and_status_and_validate() {
        let partners = crate::demo_partners();
        let today = date("2026-01-15");
        let mut all = seed_agreements(&partners);
        all.extend(generated_agreements(&partners, today));
        assert!(all.len() >= 500);
        for k in AgreementKind::ALL {
            for s in AgreementStatus::ALL {
                assert!(
                    all.iter().any(|a| a.draft.kind == *k && a.status == *s),
                    "{k} {s}"
                );
            }
        }
        let soon = all
            .iter()
            .filter(|a| a.status.in_force())
            .filter(|a| {
                a.draft
                    .end_on
                    .is_some_and(|e| e >= today && e <= today + Duration::days(180))
            })
            .count();
        assert!(soon >= 20, "{soon}");
        for a in &all {
            let mut d = a.draft.clone();
            d.parties = a
                .parties
                .iter()
                .map(|p| liaison_domain::agreement::Party {
                    institution_id: p.partner as i64 + 1,
                    org_unit_id: None,
                })
                .collect();
            d.validate()
                .unwrap_or_else(|e| panic!("{:?}: {e}", a.draft.title));
            for (c, by_party) in &a.conditions {
                let mut c = c.clone();
                if let Some((s, r)) = by_party {
                    c.sending_institution_id = Some(*s as i64 + 1);
                    c.receiving_institution_id = Some(*r as i64 + 1);
                }
                c.validate().unwrap_or_else(|e| panic!("{e}"));
            }
        }
        // Deterministic for a given day.
        assert_eq!(
            generated_agreements(&partners, today),
            generated_agreements(&partners, today)
        );
        let law = &all[1];
        assert_eq!(law.draft.subject_areas, ["0421"]);
        assert_eq!(law.draft.signed_on, Some(date("2024-07-04")));
        assert_eq!(all[0].draft.signed_on, Some(date("2024-03-12")));
    }
}
