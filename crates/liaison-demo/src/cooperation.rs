//! University–enterprise cooperation programmes: the HIT–OpenAtom Foundation agreement of the
//! 2024-07-18 visit ("Study at HIT" and talent for incubated enterprises), and programme lines per
//! year for it and for the 2024 AXHU–iFLYTEK programme. Deterministic.

use liaison_domain::{
    AgreementDraft, AgreementKind, AgreementStatus, Id, LocalizedText, ProgrammeLineDraft,
    ProgrammeLineKind, ProgrammeLineStatus,
};
use liaison_storage::{Actor, Db};

use crate::{DemoError, DemoPartner};

fn find(partners: &[DemoPartner], zh: &str) -> Option<usize> {
    partners
        .iter()
        .position(|p| p.institution.name.zh.as_deref() == Some(zh))
}

fn date(s: &str) -> Option<time::Date> {
    liaison_domain::agreement::parse_date(s)
}

/// The HIT–OpenAtom cooperation agreement (HIT's College of International Education).
pub fn openatom_agreement(hit: Id, hit_unit: Option<Id>, openatom: Id) -> AgreementDraft {
    use liaison_domain::agreement::Party;
    AgreementDraft {
        kind: AgreementKind::EnterpriseProgramme,
        title: LocalizedText::bilingual(
            "HIT–OpenAtom Foundation cooperation: Study at HIT and open-source talent",
            "哈尔滨工业大学—开放原子开源基金会合作：留学哈工大与开源人才",
        ),
        summary: LocalizedText::bilingual(
            "Agreed on 18 July 2024 during the visit of HIT's College of International Education: promoting Study at HIT and supplying talent to enterprises incubated by the foundation.",
            "2024年7月18日哈工大国际教育学院来访期间达成：合作推广“留学哈工大”，为基金会孵化企业输送人才。",
        ),
        parties: vec![
            Party {
                institution_id: hit,
                org_unit_id: hit_unit,
            },
            Party {
                institution_id: openatom,
                org_unit_id: None,
            },
        ],
        signatories: Vec::new(),
        subject_areas: vec!["0613".into()],
        signed_on: date("2024-07-18"),
        start_on: date("2024-07-18"),
        end_on: date("2027-07-17"),
        auto_renew: false,
        iia_id: None,
        owner_user_id: None,
    }
}

type Line = (
    i64,
    ProgrammeLineKind,
    (&'static str, &'static str),
    i64,
    i64,
    ProgrammeLineStatus,
);

/// The iFLYTEK programme's lines: the five pillars of the 2024 programme, per year.
fn iflytek_lines() -> Vec<Line> {
    use ProgrammeLineKind::*;
    use ProgrammeLineStatus::*;
    vec![
        (
            2024,
            Curriculum,
            (
                "Speech and media AI course co-developed with iFLYTEK",
                "与科大讯飞共建语音与媒体人工智能课程",
            ),
            2,
            2,
            Achieved,
        ),
        (
            2024,
            SharedLab,
            (
                "Intelligent media training base at the School of Culture and Communication",
                "文化与传媒学院智能媒体实训基地",
            ),
            1,
            1,
            Achieved,
        ),
        (
            2024,
            GuestLecturer,
            (
                "iFLYTEK engineers teach in the classroom",
                "科大讯飞工程师进课堂",
            ),
            6,
            7,
            Achieved,
        ),
        (
            2024,
            InternshipTarget,
            ("Summer internships at iFLYTEK", "科大讯飞暑期实习"),
            20,
            17,
            Behind,
        ),
        (
            2024,
            EmploymentTarget,
            ("Graduates employed at iFLYTEK", "毕业生入职科大讯飞"),
            5,
            4,
            Behind,
        ),
        (
            2025,
            Curriculum,
            ("Data annotation practice module", "数据标注实践模块"),
            1,
            1,
            Achieved,
        ),
        (
            2025,
            JointCourse,
            (
                "Joint course: AI for new media",
                "联合课程：新媒体中的人工智能",
            ),
            2,
            2,
            Achieved,
        ),
        (
            2025,
            GuestLecturer,
            (
                "Guest lectures by iFLYTEK product managers",
                "科大讯飞产品经理讲座",
            ),
            8,
            9,
            Achieved,
        ),
        (
            2025,
            InternshipTarget,
            (
                "Internships in speech, annotation and media content",
                "语音、标注与媒体内容岗位实习",
            ),
            30,
            31,
            Achieved,
        ),
        (
            2025,
            EmploymentTarget,
            ("Graduates employed at iFLYTEK", "毕业生入职科大讯飞"),
            8,
            6,
            Behind,
        ),
        (
            2026,
            JointCourse,
            (
                "Joint course: speech technology practice",
                "联合课程：语音技术实践",
            ),
            2,
            1,
            InProgress,
        ),
        (
            2026,
            InternshipTarget,
            ("Summer internships at iFLYTEK", "科大讯飞暑期实习"),
            35,
            12,
            InProgress,
        ),
        (
            2026,
            EmploymentTarget,
            ("Graduates employed at iFLYTEK", "毕业生入职科大讯飞"),
            10,
            0,
            Planned,
        ),
    ]
}

fn openatom_lines() -> Vec<Line> {
    use ProgrammeLineKind::*;
    use ProgrammeLineStatus::*;
    vec![
        (
            2024,
            GuestLecturer,
            (
                "Open-source talks for international students",
                "面向留学生的开源讲座",
            ),
            3,
            3,
            Achieved,
        ),
        (
            2024,
            InternshipTarget,
            ("Internships at incubated enterprises", "孵化企业实习"),
            10,
            6,
            Behind,
        ),
        (
            2025,
            Curriculum,
            (
                "Open-source collaboration module in the international programme",
                "国际项目中的开源协作课程模块",
            ),
            1,
            1,
            Achieved,
        ),
        (
            2025,
            SharedLab,
            ("Open-source practice base", "开源实践基地"),
            1,
            0,
            Behind,
        ),
        (
            2025,
            InternshipTarget,
            ("Internships at incubated enterprises", "孵化企业实习"),
            15,
            16,
            Achieved,
        ),
        (
            2025,
            EmploymentTarget,
            (
                "International graduates employed by incubated enterprises",
                "国际毕业生入职孵化企业",
            ),
            6,
            5,
            InProgress,
        ),
        (
            2026,
            JointCourse,
            (
                "Joint course: open-source software engineering",
                "联合课程：开源软件工程",
            ),
            1,
            0,
            Planned,
        ),
        (
            2026,
            EmploymentTarget,
            (
                "International graduates employed by incubated enterprises",
                "国际毕业生入职孵化企业",
            ),
            8,
            2,
            InProgress,
        ),
    ]
}

/// Stores the HIT–OpenAtom agreement and the programme lines of both agreements.
/// `iflytek_agreement` is the seed AXHU–iFLYTEK programme.
pub(crate) async fn store(
    db: &Db,
    actor: &Actor,
    partners: &[DemoPartner],
    ids: &[Id],
    unit_ids: &[Vec<Id>],
    iflytek_agreement: Option<Id>,
) -> Result<(), DemoError> {
    let (Some(hit), Some(openatom)) = (
        find(partners, "哈尔滨工业大学"),
        find(partners, "开放原子开源基金会"),
    ) else {
        return Ok(());
    };
    let draft = openatom_agreement(ids[hit], unit_ids[hit].first().copied(), ids[openatom]);
    let agreement = db
        .create_agreement(actor, &draft.validate()?, AgreementStatus::Active)
        .await?;
    for (agreement_id, lines) in [
        (iflytek_agreement, iflytek_lines()),
        (Some(agreement.id), openatom_lines()),
    ] {
        let Some(agreement_id) = agreement_id else {
            continue;
        };
        for (year, kind, (en, zh), target, actual, status) in lines {
            let line = ProgrammeLineDraft {
                agreement_id,
                year,
                kind,
                description: LocalizedText::bilingual(en, zh),
                owner_user_id: None,
                target,
                actual,
                status,
            };
            db.create_programme_line(actor, &line.validate()?).await?;
        }
    }
    field_trip(
        db,
        actor,
        ids[find(partners, "安徽新华学院").unwrap_or(0)],
        iflytek_of(partners, ids),
    )
    .await?;
    campaigns(db, actor, ids[openatom]).await?;
    Ok(())
}

/// "Study at HIT" with the OpenAtom Foundation: recruitment campaigns with their figures.
async fn campaigns(db: &Db, actor: &Actor, openatom: Id) -> Result<(), DemoError> {
    use liaison_domain::{CampaignDraft, Channel, CountryCode};
    type Row = (
        (&'static str, &'static str),
        Channel,
        &'static str,
        (&'static str, &'static str),
        i64,
        i64,
    );
    let rows: [Row; 4] = [
        (
            (
                "Study at HIT: open-source information sessions",
                "留学哈工大：开源主题宣讲会",
            ),
            Channel::InfoSession,
            "KZ UZ KG MY ID",
            ("2024-09-01", "2025-06-30"),
            420,
            38,
        ),
        (
            (
                "Study at HIT on the OpenAtom community channels",
                "开放原子社区渠道推广“留学哈工大”",
            ),
            Channel::SocialMedia,
            "RU KZ PK EG BR",
            ("2024-10-01", "2025-07-31"),
            1350,
            52,
        ),
        (
            (
                "Study at HIT at the open-source developer conference",
                "开源开发者大会“留学哈工大”展位",
            ),
            Channel::EducationFair,
            "ID TH VN MY",
            ("2025-05-10", "2025-05-12"),
            260,
            19,
        ),
        (
            (
                "Study at HIT 2025–2026 through incubated enterprises",
                "通过孵化企业推广“留学哈工大”（2025–2026）",
            ),
            Channel::PartnerNetwork,
            "KZ UZ TJ MN",
            ("2025-09-01", "2026-06-30"),
            610,
            27,
        ),
    ];
    for ((en, zh), channel, countries, (start, end), leads, conversions) in rows {
        let draft = CampaignDraft {
            institution_id: openatom,
            title: LocalizedText::bilingual(en, zh),
            channel,
            target_countries: countries
                .split(' ')
                .filter_map(CountryCode::parse)
                .collect(),
            start_on: date(start),
            end_on: date(end),
            leads,
            conversions,
            notes: LocalizedText::bilingual(
                "With HIT's College of International Education, agreed on 18 July 2024.",
                "与哈工大国际教育学院合作，2024年7月18日商定。",
            ),
        };
        db.create_campaign(actor, &draft.validate()?).await?;
    }
    Ok(())
}

fn iflytek_of(partners: &[DemoPartner], ids: &[Id]) -> Option<Id> {
    find(partners, "科大讯飞").map(|i| ids[i])
}

/// The students of the field trip's group.
pub const FIELD_TRIP_GROUP: usize = 12;

/// The field trip to iFLYTEK's headquarters: an event of the visit, the seed field-trip position
/// linked to it, and a group of students placed on it at once.
async fn field_trip(
    db: &Db,
    actor: &Actor,
    axhu: Id,
    iflytek: Option<Id>,
) -> Result<(), DemoError> {
    use liaison_domain::enterprise::Viewer;
    use liaison_domain::{EventDraft, EventKind, Participant, ParticipantRole, PositionKind};
    let Some(iflytek) = iflytek else {
        return Ok(());
    };
    let positions = db
        .positions(
            &Viewer::Office,
            &liaison_storage::PositionFilter {
                kind: Some(PositionKind::FieldTrip),
                institution_id: Some(iflytek),
                ..Default::default()
            },
            &liaison_domain::Sort {
                field: "updated_at",
                descending: false,
            },
            &Default::default(),
        )
        .await?;
    let Some(position) = positions.items.into_iter().next() else {
        return Ok(());
    };
    let fallback = date("2026-05-20").expect("a valid date");
    let day = position.draft.start_on;
    let event = db
        .create_event(
            actor,
            &EventDraft {
                kind: EventKind::FieldTrip,
                title: LocalizedText::bilingual(
                    "Field trip to iFLYTEK's headquarters",
                    "赴科大讯飞总部参观研学",
                ),
                start_on: day.unwrap_or(fallback),
                end_on: position.draft.end_on.or(day).unwrap_or(fallback),
                venue: LocalizedText::bilingual("iFLYTEK headquarters, Hefei", "合肥科大讯飞总部"),
                host_unit_id: None,
                summary: LocalizedText::bilingual(
                    "Students of the School of Culture and Communication visit the headquarters and the open platform.",
                    "文化与传媒学院学生参观科大讯飞总部及开放平台。",
                ),
                participants: vec![
                    Participant {
                        person_id: None,
                        institution_id: Some(axhu),
                        role: ParticipantRole::Host,
                    },
                    Participant {
                        person_id: None,
                        institution_id: Some(iflytek),
                        role: ParticipantRole::CoHost,
                    },
                ],
                consensus: Vec::new(),
                honours: Vec::new(),
                agreement_ids: Vec::new(),
            }
            .validate()?,
        )
        .await?;
    let mut draft = position.draft.clone();
    draft.event_id = Some(event.id);
    let position = db
        .update_position(
            actor,
            position.id,
            position.version,
            &draft.validate()?,
            |_| Ok(()),
        )
        .await?;
    let students = db
        .skill_profiles(
            &Viewer::Office,
            &Default::default(),
            &liaison_domain::Sort {
                field: "created_at",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 3 * FIELD_TRIP_GROUP as u32,
            },
        )
        .await?;
    let mut members = Vec::new();
    for p in &students.items {
        if members.len() < FIELD_TRIP_GROUP
            && !db
                .has_active_placement(position.id, p.draft.person_id)
                .await?
        {
            members.push(p.draft.person_id);
        }
    }
    let group: Vec<liaison_domain::PlacementDraft> = members
        .iter()
        .map(|person_id| liaison_domain::PlacementDraft {
            position_id: position.id,
            person_id: *person_id,
            status: liaison_domain::PlacementStatus::Accepted,
            start_on: position.draft.start_on,
            end_on: position.draft.end_on,
            enterprise_supervisor: None,
            university_supervisor: None,
            evaluation: LocalizedText::default(),
            event_id: Some(event.id),
            note: LocalizedText::default(),
        })
        .collect();
    db.create_group_placements(actor, &group).await?;
    Ok(())
}

/// Makes `owner` responsible for the demo programme lines without an owner (once the demo
/// accounts exist).
pub(crate) async fn assign_owners(db: &Db, owner: Id) -> Result<(), DemoError> {
    let actor = Actor::system("demo");
    let lines = db
        .programme_lines(
            &liaison_domain::Scope::All,
            &Default::default(),
            &liaison_domain::Sort {
                field: "year",
                descending: false,
            },
            &liaison_domain::PageRequest {
                page: 1,
                per_page: 500,
            },
        )
        .await?;
    for line in lines.items {
        if line.draft.owner_user_id.is_none() {
            let mut draft = line.draft.clone();
            draft.owner_user_id = Some(owner);
            db.update_programme_line(&actor, line.id, line.version, &draft)
                .await?;
        }
    }
    Ok(())
}
