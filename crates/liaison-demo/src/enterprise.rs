//! University–enterprise cooperation demo data: iFLYTEK's positions for AXHU's School of Culture
//! and Communication, positions from the OpenAtom Foundation's incubated projects, generated
//! positions of the generated enterprises, 2,000 fictional students with skill profiles (most
//! consenting), placements and employment outcomes 2019–2025. Deterministic.

use liaison_domain::enterprise::{
    Cefr, Destination, HeldSkill, LanguageSkill, Sector, WantedSkill, MAJORS, SKILLS,
};
use liaison_domain::{
    CountryCode, EmploymentOutcomeDraft, Id, InstitutionKind, LocalizedText, PersonDraft,
    PlacementDraft, PlacementStatus, PositionDraft, PositionKind, PositionStatus,
    SkillProfileDraft,
};
use liaison_storage::{Actor, Db};

use crate::rng::Rng;
use crate::{DemoError, DemoPartner, DEMO_SEED};

pub const GENERATED_POSITIONS: usize = 200;
pub const DEMO_STUDENTS: usize = 2000;
const STREAM: u64 = 0x0E17;

fn date(s: &str) -> Option<time::Date> {
    liaison_domain::event::iso_date::parse(s)
}

fn want(skills: &[(&str, u8, bool)]) -> Vec<WantedSkill> {
    skills
        .iter()
        .map(|(s, l, r)| WantedSkill {
            skill: s.to_string(),
            level: *l,
            required: *r,
            free_tag: !liaison_domain::enterprise::is_vocabulary_skill(s),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn position(
    institution_id: Id,
    kind: PositionKind,
    title: (&str, &str),
    description: (&str, &str),
    skills: &[(&str, u8, bool)],
    majors: &[&str],
    seats: i64,
    period: (&str, &str, &str),
    city: (&str, &str),
    language: Option<(&str, Cefr)>,
) -> PositionDraft {
    PositionDraft {
        institution_id,
        kind,
        title: LocalizedText::bilingual(title.0, title.1),
        description: LocalizedText::bilingual(description.0, description.1),
        skills: want(skills),
        majors: majors.iter().map(|m| m.to_string()).collect(),
        seats,
        start_on: date(period.0),
        end_on: date(period.1),
        deadline: date(period.2),
        city: LocalizedText::bilingual(city.0, city.1),
        country: CountryCode::parse("CN"),
        remote: false,
        language: language.map(|(l, _)| l.to_string()),
        language_level: language.map(|(_, c)| c),
        status: PositionStatus::Open,
        vetting_note: LocalizedText::default(),
        event_id: None,
    }
}

/// The positions of the seed stories.
pub fn seed_positions(iflytek: Id, openatom: Id) -> Vec<PositionDraft> {
    use PositionKind::*;
    vec![
        position(iflytek, Internship, ("Speech and language technology intern", "语音与语言技术实习生"),
            ("Work with the speech team on recognition and synthesis data for Chinese and English.", "参与语音团队的中英文语音识别与合成数据工作。"),
            &[("speech", 2, true), ("python", 2, true), ("nlp", 2, false), ("english", 2, false)],
            &["computer_science", "artificial_intelligence", "english"], 8, ("2026-07-01", "2026-08-31", "2026-12-31"), ("Hefei", "合肥"), Some(("zh", Cefr::C1))),
        position(iflytek, PracticalTraining, ("Data annotation practical training", "数据标注实训"),
            ("Practical training in annotating speech and text corpora under the 2024 cooperation programme.", "依托2024年校企合作项目，开展语音与文本语料标注实训。"),
            &[("data_annotation", 1, true), ("translation", 2, false), ("english", 2, false)],
            &[], 30, ("2026-03-01", "2026-06-30", "2026-12-31"), ("Hefei", "合肥"), Some(("zh", Cefr::B2))),
        position(iflytek, Internship, ("Media content intern", "新媒体内容实习生"),
            ("Write, film and edit content for iFLYTEK's channels with the School of Culture and Communication.", "与文化与传媒学院合作，为科大讯飞新媒体平台撰写、拍摄和剪辑内容。"),
            &[("new_media", 2, true), ("copywriting", 2, true), ("video_editing", 2, false), ("photography", 1, false)],
            &["journalism", "communication", "digital_media"], 6, ("2026-07-01", "2026-09-30", "2026-12-31"), ("Hefei", "合肥"), Some(("zh", Cefr::C2))),
        position(iflytek, FieldTrip, ("Field trip to iFLYTEK's headquarters", "科大讯飞总部参观研学"),
            ("A day at the headquarters and the open platform for students of the School of Culture and Communication.", "文化与传媒学院学生赴总部及开放平台参观研学一天。"),
            &[("new_media", 1, false), ("journalism", 1, false)],
            &[], 40, ("2026-05-20", "2026-05-20", "2026-12-31"), ("Hefei", "合肥"), None),
        position(iflytek, Job, ("Speech data engineer (graduate)", "语音数据工程师（应届）"),
            ("A graduate position in the speech data team.", "语音数据团队应届毕业生岗位。"),
            &[("python", 3, true), ("speech", 2, true), ("machine_learning", 2, false), ("sql", 2, false)],
            &["computer_science", "data_science", "artificial_intelligence"], 5, ("2026-07-15", "", "2026-12-31"), ("Hefei", "合肥"), Some(("en", Cefr::B1))),
        position(openatom, Internship, ("Open-source community intern", "开源社区实习生"),
            ("Support the incubated projects' communities: documentation, events and contributor onboarding.", "支持孵化项目社区：文档、活动与贡献者引导。"),
            &[("open_source", 2, true), ("git", 2, true), ("english", 3, false), ("event_planning", 1, false)],
            &[], 4, ("2026-07-01", "2026-12-31", "2026-12-31"), ("Beijing", "北京"), Some(("en", Cefr::B2))),
        position(openatom, Job, ("OpenHarmony application developer (incubated enterprise)", "OpenHarmony 应用开发工程师（孵化企业）"),
            ("A position at an enterprise incubated by the OpenAtom Foundation, open to international graduates of HIT.", "开放原子开源基金会孵化企业的岗位，面向哈工大国际毕业生开放。"),
            &[("javascript", 3, true), ("git", 2, true), ("linux", 2, false), ("open_source", 2, false)],
            &["software_engineering", "computer_science"], 10, ("2026-09-01", "", "2026-12-31"), ("Shenzhen", "深圳"), Some(("zh", Cefr::B1))),
        position(openatom, PracticalTraining, ("Open-source practical training camp", "开源实训营"),
            ("Eight weeks of practical training on real issues of incubated projects.", "围绕孵化项目真实问题开展八周实训。"),
            &[("git", 1, true), ("linux", 1, true), ("rust", 2, false), ("cpp", 2, false)],
            &[], 25, ("2026-07-10", "2026-09-01", "2026-12-31"), ("Beijing", "北京"), None),
    ]
}

/// `(title, kind, wanted skills, majors, sector)` of generated positions.
type Template = (
    (&'static str, &'static str),
    PositionKind,
    &'static [(&'static str, u8, bool)],
    &'static [&'static str],
    Sector,
);

const TITLES: &[Template] = &[
    (
        ("Software development intern", "软件开发实习生"),
        PositionKind::Internship,
        &[("java", 2, true), ("sql", 2, true), ("git", 1, false)],
        &["computer_science", "software_engineering"],
        Sector::It,
    ),
    (
        ("Data analyst", "数据分析师"),
        PositionKind::Job,
        &[
            ("data_analysis", 3, true),
            ("sql", 2, true),
            ("statistics", 2, false),
            ("python", 2, false),
        ],
        &["data_science"],
        Sector::Finance,
    ),
    (
        ("Machine learning intern", "机器学习实习生"),
        PositionKind::Internship,
        &[
            ("python", 3, true),
            ("machine_learning", 2, true),
            ("deep_learning", 2, false),
        ],
        &["artificial_intelligence", "computer_science"],
        Sector::AiSpeech,
    ),
    (
        ("Translation and localisation assistant", "翻译与本地化助理"),
        PositionKind::Internship,
        &[
            ("translation", 3, true),
            ("english", 3, true),
            ("copywriting", 2, false),
        ],
        &["english", "translation"],
        Sector::Media,
    ),
    (
        ("Embedded systems trainee", "嵌入式系统实训生"),
        PositionKind::PracticalTraining,
        &[("embedded", 2, true), ("cpp", 2, true), ("linux", 1, false)],
        &["electronic_engineering"],
        Sector::Manufacturing,
    ),
    (
        ("Marketing and new media specialist", "市场与新媒体专员"),
        PositionKind::Job,
        &[
            ("marketing", 2, true),
            ("new_media", 2, true),
            ("photography", 1, false),
        ],
        &["communication", "business"],
        Sector::Media,
    ),
    (
        ("Cloud operations intern", "云运维实习生"),
        PositionKind::Internship,
        &[("cloud", 2, true), ("linux", 2, true), ("python", 1, false)],
        &[],
        Sector::It,
    ),
    (
        ("Software testing trainee", "软件测试实训生"),
        PositionKind::PracticalTraining,
        &[
            ("testing", 1, true),
            ("sql", 1, false),
            ("python", 1, false),
        ],
        &[],
        Sector::It,
    ),
    (
        ("Factory visit: smart manufacturing", "智能制造参观研学"),
        PositionKind::FieldTrip,
        &[("cad", 1, false), ("embedded", 1, false)],
        &[],
        Sector::Manufacturing,
    ),
    (
        ("UI designer", "界面设计师"),
        PositionKind::Job,
        &[("ui_design", 3, true), ("javascript", 1, false)],
        &["digital_media"],
        Sector::It,
    ),
];

const CITIES: &[(&str, &str)] = &[
    ("Hefei", "合肥"),
    ("Shanghai", "上海"),
    ("Hangzhou", "杭州"),
    ("Shenzhen", "深圳"),
    ("Beijing", "北京"),
    ("Nanjing", "南京"),
    ("Wuhan", "武汉"),
];

/// Generated positions spread over the given enterprises (deterministic).
pub fn generated_positions(enterprises: &[Id], count: usize) -> Vec<PositionDraft> {
    (0..count)
        .map(|i| {
            let mut rng = Rng::for_item(DEMO_SEED, STREAM, i);
            let (title, kind, skills, majors, _) = TITLES[rng.below(TITLES.len())];
            let city = CITIES[rng.below(CITIES.len())];
            let year = 2019 + (i % 8) as i32;
            let month = 1 + rng.below(9) as u8;
            let start = time::Date::from_calendar_date(
                year,
                time::Month::try_from(month).expect("month"),
                1,
            )
            .expect("date");
            let status = rng.weighted(&[
                (PositionStatus::Open, 12),
                (PositionStatus::Pending, 2),
                (PositionStatus::Draft, 1),
                (PositionStatus::Closed, 3),
                (PositionStatus::Filled, 2),
            ]);
            let status = if year < 2025 && status == PositionStatus::Open {
                PositionStatus::Closed
            } else {
                status
            };
            PositionDraft {
                institution_id: enterprises[rng.below(enterprises.len())],
                kind,
                title: LocalizedText::bilingual(title.0, title.1),
                description: LocalizedText::default(),
                skills: want(skills),
                majors: majors.iter().map(|m| m.to_string()).collect(),
                seats: 1 + rng.below(8) as i64,
                start_on: Some(start),
                end_on: Some(start + time::Duration::days(60 + rng.below(120) as i64)),
                deadline: if status == PositionStatus::Open {
                    date("2026-12-31")
                } else {
                    Some(start - time::Duration::days(30))
                },
                city: LocalizedText::bilingual(city.0, city.1),
                country: CountryCode::parse("CN"),
                remote: rng.below(5) == 0,
                language: Some(if rng.coin() { "zh" } else { "en" }.into()),
                language_level: Some(*rng.pick(&[Cefr::B1, Cefr::B2, Cefr::C1])),
                status,
                vetting_note: if status == PositionStatus::Pending {
                    LocalizedText::bilingual(
                        "Waiting for the employer's business licence.",
                        "等待用人单位提供营业执照。",
                    )
                } else {
                    LocalizedText::default()
                },
                event_id: None,
            }
        })
        .collect()
}

const SURNAMES: &[(&str, &str)] = &[
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Zhao", "赵"),
    ("Huang", "黄"),
    ("Zhou", "周"),
    ("Wu", "吴"),
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Hu", "胡"),
    ("Zhu", "朱"),
    ("Gao", "高"),
    ("Lin", "林"),
    ("He", "何"),
    ("Guo", "郭"),
];
const GIVEN: &[(&str, &str)] = &[
    ("Yutong", "雨桐"),
    ("Haoran", "浩然"),
    ("Zixuan", "子轩"),
    ("Xinyi", "欣怡"),
    ("Yichen", "一辰"),
    ("Jiayi", "佳怡"),
    ("Siyuan", "思远"),
    ("Mengqi", "梦琪"),
    ("Junjie", "俊杰"),
    ("Ruoxi", "若曦"),
    ("Tianyu", "天宇"),
    ("Shuhan", "书涵"),
    ("Kaiwen", "凯文"),
    ("Yuxin", "雨欣"),
    ("Boyang", "博洋"),
    ("Qingyun", "青云"),
    ("Anran", "安然"),
    ("Zhiyuan", "致远"),
    ("Lele", "乐乐"),
    ("Wenjing", "文静"),
];

/// `(person, profile)` of generated fictional students (person ids filled in by storage).
pub fn generated_students(
    institution_id: Id,
    units: &[Id],
    count: usize,
) -> Vec<(PersonDraft, SkillProfileDraft)> {
    (0..count)
        .map(|i| {
            let mut rng = Rng::for_item(DEMO_SEED, STREAM + 1, i);
            let (se, sz) = SURNAMES[rng.below(SURNAMES.len())];
            let (ge, gz) = GIVEN[rng.below(GIVEN.len())];
            let person = PersonDraft {
                name: LocalizedText::bilingual(&format!("{ge} {se}"), &format!("{sz}{gz}")),
                title: LocalizedText::bilingual("Student", "学生"),
                institution_id: Some(institution_id),
                org_unit_id: if units.is_empty() {
                    None
                } else {
                    Some(units[i % units.len()])
                },
                emails: vec![format!("student{i:04}@students.example.edu")],
                phones: Vec::new(),
                languages: vec!["zh".into(), "en".into()],
            };
            let mut skills: Vec<HeldSkill> = Vec::new();
            for _ in 0..(3 + rng.below(4)) {
                let (code, _, _) = SKILLS[rng.below(SKILLS.len())];
                if !skills.iter().any(|s| s.skill == code) {
                    skills.push(HeldSkill {
                        skill: code.into(),
                        level: 1 + rng.below(4) as u8,
                        free_tag: false,
                    });
                }
            }
            let profile = SkillProfileDraft {
                person_id: 0,
                major: Some(MAJORS[rng.below(MAJORS.len())].0.to_string()),
                year_of_study: Some(1 + rng.below(4) as i64),
                skills,
                languages: vec![
                    LanguageSkill {
                        language: "zh".into(),
                        level: Cefr::C2,
                    },
                    LanguageSkill {
                        language: "en".into(),
                        level: *rng.pick(&[Cefr::A2, Cefr::B1, Cefr::B2, Cefr::C1]),
                    },
                ],
                interests: LocalizedText::default(),
                available_from: date(["2026-06-01", "2026-07-01", "2026-09-01"][rng.below(3)]),
                consent: rng.below(10) < 8,
            };
            (person, profile)
        })
        .collect()
}

const EMPLOYERS: &[((&str, &str), Sector)] = &[
    (("iFLYTEK", "科大讯飞"), Sector::AiSpeech),
    (
        ("Anhui Broadcasting Corporation", "安徽广播电视台"),
        Sector::Media,
    ),
    (("Hefei No. 1 Middle School", "合肥一中"), Sector::Education),
    (("JAC Motors", "江淮汽车"), Sector::Manufacturing),
    (("Huishang Bank", "徽商银行"), Sector::Finance),
    (
        ("Hefei Municipal Government", "合肥市人民政府"),
        Sector::PublicSector,
    ),
    (
        ("USTC Xunfei Information Technology", "讯飞信息科技"),
        Sector::It,
    ),
    (("Anhui Publishing Group", "安徽出版集团"), Sector::Media),
];

pub fn generated_outcomes(count: usize, iflytek: Id) -> Vec<EmploymentOutcomeDraft> {
    (0..count)
        .map(|i| {
            let mut rng = Rng::for_item(DEMO_SEED, STREAM + 2, i);
            let destination = rng.weighted(&[
                (Destination::Employed, 14),
                (Destination::SelfEmployed, 1),
                (Destination::FurtherStudyHome, 3),
                (Destination::FurtherStudyAbroad, 2),
                (Destination::Other, 1),
            ]);
            let employed = matches!(
                destination,
                Destination::Employed | Destination::SelfEmployed
            );
            let ((en, zh), sector) = EMPLOYERS[rng.below(EMPLOYERS.len())];
            let city = CITIES[rng.below(CITIES.len())];
            EmploymentOutcomeDraft {
                person_id: None,
                cohort: 2019 + (i % 7) as i64,
                destination,
                employer: if employed {
                    LocalizedText::bilingual(en, zh)
                } else {
                    LocalizedText::default()
                },
                employer_institution_id: (employed && en == "iFLYTEK").then_some(iflytek),
                sector: employed.then_some(sector),
                city: LocalizedText::bilingual(city.0, city.1),
                country: CountryCode::parse(if destination == Destination::FurtherStudyAbroad {
                    ["MY", "GB", "KZ", "AU"][rng.below(4)]
                } else {
                    "CN"
                }),
                major: Some(MAJORS[rng.below(MAJORS.len())].0.to_string()),
            }
        })
        .collect()
}

fn find(partners: &[DemoPartner], zh: &str) -> Option<usize> {
    partners
        .iter()
        .position(|p| p.institution.name.zh.as_deref() == Some(zh))
}

/// Stores the cooperation data set; returns how many positions it stored.
pub(crate) async fn store(
    db: &Db,
    actor: &Actor,
    partners: &[DemoPartner],
    ids: &[Id],
    unit_ids: &[Vec<Id>],
) -> Result<usize, DemoError> {
    let (Some(axhu), Some(iflytek), Some(openatom)) = (
        find(partners, "安徽新华学院"),
        find(partners, "科大讯飞"),
        find(partners, "开放原子开源基金会"),
    ) else {
        return Ok(0);
    };
    let enterprises: Vec<Id> = partners
        .iter()
        .zip(ids)
        .filter(|(p, _)| p.institution.kind == InstitutionKind::Enterprise)
        .map(|(_, id)| *id)
        .collect();
    let mut positions = seed_positions(ids[iflytek], ids[openatom]);
    positions.extend(generated_positions(&enterprises, GENERATED_POSITIONS));
    let positions = positions
        .into_iter()
        .map(|p| p.validate())
        .collect::<Result<Vec<_>, _>>()?;
    let position_ids = db.create_positions(actor, &positions).await?;
    let students = generated_students(ids[axhu], &unit_ids[axhu], DEMO_STUDENTS)
        .into_iter()
        .map(|(person, profile)| Ok((person.validate()?, profile.validate()?)))
        .collect::<Result<Vec<_>, DemoError>>()?;
    let stored = db.create_students(actor, &students).await?;
    // Placements: consenting students placed on positions, one each, statuses by age.
    let mut placements = Vec::new();
    for (i, ((_, profile), (person_id, _))) in students.iter().zip(&stored).enumerate().step_by(5) {
        if !profile.consent {
            continue;
        }
        let mut rng = Rng::for_item(DEMO_SEED, STREAM + 3, i);
        let k = rng.below(positions.len());
        let p = &positions[k];
        let status = match p.status {
            PositionStatus::Open => *rng.pick(&[
                PlacementStatus::Applied,
                PlacementStatus::Shortlisted,
                PlacementStatus::Interviewed,
                PlacementStatus::Offered,
            ]),
            _ => *rng.pick(&[
                PlacementStatus::Completed,
                PlacementStatus::Completed,
                PlacementStatus::Declined,
                PlacementStatus::Withdrawn,
            ]),
        };
        placements.push(
            PlacementDraft {
                position_id: position_ids[k],
                person_id: *person_id,
                status,
                start_on: p.start_on,
                end_on: p.end_on,
                enterprise_supervisor: (status == PlacementStatus::Completed)
                    .then(|| "Ms. Fang (HR)".to_string()),
                university_supervisor: Some(
                    "Dr. Zhou (School of Culture and Communication)".into(),
                ),
                evaluation: if status == PlacementStatus::Completed {
                    LocalizedText::bilingual(
                        "Reliable and quick to learn.",
                        "踏实肯干，学习能力强。",
                    )
                } else {
                    LocalizedText::default()
                },
                event_id: None,
                note: LocalizedText::default(),
            }
            .validate()?,
        );
    }
    db.create_placements(actor, &placements).await?;
    let outcomes = generated_outcomes(700, ids[iflytek])
        .into_iter()
        .map(|o| o.validate())
        .collect::<Result<Vec<_>, _>>()?;
    db.create_outcomes(actor, &outcomes).await?;
    Ok(position_ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_profiles_and_outcomes_validate_and_are_deterministic() {
        let seeds = seed_positions(1, 2);
        assert!(seeds
            .iter()
            .any(|p| p.title.zh.as_deref() == Some("数据标注实训")));
        for p in seeds
            .iter()
            .chain(generated_positions(&[3, 4], GENERATED_POSITIONS).iter())
        {
            p.clone()
                .validate()
                .unwrap_or_else(|e| panic!("{:?}: {e}", p.title));
        }
        assert_eq!(generated_positions(&[3], 20), generated_positions(&[3], 20));
        let students = generated_students(1, &[5, 6], DEMO_STUDENTS);
        let consenting = students.iter().filter(|(_, p)| p.consent).count();
        assert!(consenting > DEMO_STUDENTS / 2, "most consent: {consenting}");
        for (person, profile) in students.iter().take(300) {
            person.clone().validate().unwrap();
            profile.clone().validate().unwrap();
            assert!(person.emails[0].ends_with(".example.edu"));
        }
        for o in generated_outcomes(100, 1) {
            o.validate().unwrap();
        }
    }
}
