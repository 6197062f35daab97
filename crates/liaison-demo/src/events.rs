//! The demo's events: the five seed events of DESIGN.md and [`GENERATED_EVENTS`] generated ones
//! between 2019 and 2026, with follow-up action items. Participants are the partners' fictional
//! contacts. Deterministic: the same partners give the same events.

use std::collections::HashMap;

use liaison_domain::event::iso_date;
use liaison_domain::{
    ActionItemDraft, ActionStatus, CountryCode, EventDraft, EventKind, Honour, Id, InstitutionKind,
    LocalizedText, PageRequest, Participant, ParticipantRole, Scope, Sort,
};
use liaison_storage::{Actor, Db, PersonFilter};

use crate::rng::Rng;
use crate::{DemoError, DemoPartner, DEMO_SEED};

/// How many generated events the demo adds to the seed events.
pub const GENERATED_EVENTS: usize = 320;

fn date(s: &str) -> time::Date {
    iso_date::parse(s).expect("demo dates are valid")
}

fn draft(kind: EventKind, title: (&str, &str), day: &str, venue: (&str, &str)) -> EventDraft {
    EventDraft {
        kind,
        title: LocalizedText::bilingual(title.0, title.1),
        start_on: date(day),
        end_on: date(day),
        venue: LocalizedText::bilingual(venue.0, venue.1),
        host_unit_id: None,
        summary: LocalizedText::default(),
        participants: Vec::new(),
        consensus: Vec::new(),
        honours: Vec::new(),
        agreement_ids: Vec::new(),
    }
}

fn who(person: Option<Id>, institution: Id, role: ParticipantRole) -> Participant {
    Participant {
        person_id: person,
        institution_id: Some(institution),
        role,
    }
}

/// What `load` knows once partners are stored: ids by position and contacts by institution.
pub(crate) struct Stored<'a> {
    pub partners: &'a [DemoPartner],
    pub ids: &'a [Id],
    pub unit_ids: &'a [Vec<Id>],
    /// The agreement ids of `seed_agreements`, in order, if agreements were stored.
    pub seed_agreement_ids: Vec<(LocalizedText, Id)>,
    pub people: HashMap<Id, Vec<(Id, LocalizedText)>>,
}

impl Stored<'_> {
    fn index(&self, zh: &str) -> usize {
        self.partners
            .iter()
            .position(|p| p.institution.name.zh.as_deref() == Some(zh))
            .unwrap_or_else(|| panic!("seed partner {zh} missing"))
    }

    fn inst(&self, zh: &str) -> Id {
        self.ids[self.index(zh)]
    }

    fn person(&self, zh_institution: &str, en_name: &str) -> Option<Id> {
        self.people
            .get(&self.inst(zh_institution))?
            .iter()
            .find(|(_, n)| n.en.as_deref() == Some(en_name))
            .map(|(id, _)| *id)
    }

    fn unit(&self, zh_institution: &str, position: usize) -> Option<Id> {
        self.unit_ids[self.index(zh_institution)]
            .get(position)
            .copied()
    }

    fn agreement(&self, contains: &str) -> Option<Id> {
        self.seed_agreement_ids
            .iter()
            .find(|(t, _)| t.en.as_deref().is_some_and(|en| en.contains(contains)))
            .map(|(_, id)| *id)
    }
}

/// The seed events with their follow-up action items (`(title en, title zh, due, status)`).
pub(crate) type SeedItem = (&'static str, &'static str, &'static str, ActionStatus);

pub(crate) fn seed_events(s: &Stored<'_>) -> Vec<(EventDraft, Vec<SeedItem>)> {
    let axhu = s.inst("安徽新华学院");
    let iflytek = s.inst("科大讯飞");
    let iukl = s.inst("吉隆坡建设大学");
    let xjtu = s.inst("西安交通大学");
    let kaznu = s.inst("阿里-法拉比哈萨克国立大学");
    let aitu = s.inst("阿斯塔纳IT大学");
    let hit = s.inst("哈尔滨工业大学");
    let openatom = s.inst("开放原子开源基金会");
    let bit = s.inst("北京理工大学");
    let mut out = Vec::new();

    let mut signing = draft(
        EventKind::SigningCeremony,
        (
            "Signing of the 2024 AXHU–iFLYTEK cooperation programme",
            "安徽新华学院与科大讯飞2024年校企合作项目签约仪式",
        ),
        "2024-03-12",
        ("Hefei", "合肥"),
    );
    signing.host_unit_id = s.unit("安徽新华学院", 0);
    signing.participants = vec![
        who(
            s.person("安徽新华学院", "Zhou Lan"),
            axhu,
            ParticipantRole::Host,
        ),
        who(
            s.person("科大讯飞", "Xu Mingzhe"),
            iflytek,
            ParticipantRole::CoHost,
        ),
    ];
    signing.consensus = vec![
        LocalizedText::bilingual("Share teaching and training resources", "资源共享"),
        LocalizedText::bilingual("Develop curricula together", "课程共建"),
        LocalizedText::bilingual(
            "Internships and field trips at iFLYTEK",
            "在科大讯飞开展实习与参观考察",
        ),
        LocalizedText::bilingual("Employment of graduates", "毕业生就业"),
    ];
    signing.agreement_ids = s.agreement("iFLYTEK").into_iter().collect();
    out.push((
        signing,
        vec![
            (
                "Plan the first field trip to iFLYTEK",
                "安排首次赴科大讯飞参观考察",
                "2024-04-30",
                ActionStatus::Done,
            ),
            (
                "Draft the co-developed course outline",
                "起草共建课程大纲",
                "2024-06-30",
                ActionStatus::InProgress,
            ),
        ],
    ));

    let mut visit = draft(
        EventKind::IncomingVisit,
        (
            "Delegation of Infrastructure University Kuala Lumpur",
            "吉隆坡建设大学代表团来访",
        ),
        "2024-05-08",
        ("Hefei", "合肥"),
    );
    visit.host_unit_id = s.unit("安徽新华学院", 1);
    visit.summary = LocalizedText::bilingual(
        "A delegation of four led by IUKL's Vice President. Symposium on joint programmes, academic exchange, teacher training, bachelor-to-master progression and student exchange; IUKL becomes a new partner in 2024.",
        "吉隆坡建设大学副校长率团一行四人来访，双方就联合培养项目、学术交流、教师培训、本硕连读和学生交换进行座谈；吉隆坡建设大学于2024年成为新的合作院校。",
    );
    visit.participants = vec![
        who(
            s.person("吉隆坡建设大学", "Aminah Rahman"),
            iukl,
            ParticipantRole::HeadOfDelegation,
        ),
        who(
            s.person("吉隆坡建设大学", "Daniel Lim"),
            iukl,
            ParticipantRole::Member,
        ),
        who(
            s.person("安徽新华学院", "Chen Yuhang"),
            axhu,
            ParticipantRole::Host,
        ),
    ];
    visit.consensus = vec![
        LocalizedText::bilingual("Explore joint programmes", "探讨联合培养项目"),
        LocalizedText::bilingual("Start teacher training exchanges", "开展教师培训交流"),
        LocalizedText::bilingual(
            "Design a bachelor-to-master progression route",
            "设计本硕连读路径",
        ),
        LocalizedText::bilingual("Begin student exchange", "启动学生交换"),
    ];
    out.push((
        visit,
        vec![
            (
                "Explore joint programmes with IUKL",
                "与吉隆坡建设大学探讨联合培养项目",
                "2024-06-30",
                ActionStatus::Done,
            ),
            (
                "Propose a teacher training plan",
                "提出教师培训方案",
                "2024-07-31",
                ActionStatus::InProgress,
            ),
            (
                "Draft the bachelor-to-master progression agreement",
                "起草本硕连读协议",
                "2024-09-30",
                ActionStatus::Open,
            ),
            (
                "Plan credit recognition for exchange students",
                "规划交换生学分认定",
                "2024-10-31",
                ActionStatus::Open,
            ),
        ],
    ));

    let mut symposium = draft(
        EventKind::Symposium,
        (
            "Symposium on higher-education cooperation among SCO member states",
            "上海合作组织成员国高等教育合作研讨会",
        ),
        "2024-07-04",
        ("Astana, Kazakhstan", "哈萨克斯坦阿斯塔纳"),
    );
    symposium.participants = vec![
        who(
            s.person("西安交通大学", "Gao Jingwen"),
            xjtu,
            ParticipantRole::CoHost,
        ),
        who(
            s.person("阿里-法拉比哈萨克国立大学", "Aigerim Sadykova"),
            kaznu,
            ParticipantRole::CoHost,
        ),
        who(
            s.person("阿斯塔纳IT大学", "Timur Bekov"),
            aitu,
            ParticipantRole::CoHost,
        ),
    ];
    // 24 more universities, so that 27 come from 7 countries.
    let countries = ["CN", "KZ", "RU", "KG", "UZ", "TJ", "PK", "IN", "MN", "BY"];
    let mut chosen_countries: Vec<CountryCode> = vec![
        CountryCode::parse("CN").expect("code"),
        CountryCode::parse("KZ").expect("code"),
    ];
    let universities: Vec<(usize, &DemoPartner)> = s
        .partners
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.institution.kind == InstitutionKind::University
                && ![xjtu, kaznu, aitu].contains(&s.ids[*i])
        })
        .collect();
    for code in countries.iter().filter_map(|c| CountryCode::parse(c)) {
        if chosen_countries.len() == 7 {
            break;
        }
        if !chosen_countries.contains(&code)
            && universities
                .iter()
                .any(|(_, p)| p.institution.country == code)
        {
            chosen_countries.push(code);
        }
    }
    for (i, p) in &universities {
        if symposium.participants.len() == 27 {
            break;
        }
        if chosen_countries.contains(&p.institution.country) {
            let id = s.ids[*i];
            let person = s.people.get(&id).and_then(|v| v.first()).map(|(p, _)| *p);
            symposium
                .participants
                .push(who(person, id, ParticipantRole::Member));
        }
    }
    if let Some(laureate) = s.person("阿里-法拉比哈萨克国立大学", "Yerlan Tokhtarov") {
        symposium.honours.push(Honour {
            person_id: laureate,
            honour: LocalizedText::bilingual("Honorary professor", "荣誉教授"),
            conferred_by: Some(xjtu),
        });
    }
    symposium.consensus = vec![LocalizedText::bilingual(
        "XJTU and KazNU exchange students in international law",
        "西安交通大学与阿里-法拉比哈萨克国立大学开展国际法学生交换",
    )];
    symposium.agreement_ids = s.agreement("international law").into_iter().collect();
    out.push((
        symposium,
        vec![(
            "Nominate the first international-law exchange students",
            "提名首批国际法交换生",
            "2024-11-15",
            ActionStatus::Open,
        )],
    ));

    let mut openatom_visit = draft(
        EventKind::OutgoingVisit,
        (
            "HIT College of International Education visits the OpenAtom Foundation",
            "哈尔滨工业大学国际教育学院走访开放原子开源基金会",
        ),
        "2024-07-18",
        ("Beijing", "北京"),
    );
    openatom_visit.participants = vec![
        who(
            s.person("哈尔滨工业大学", "Liu Siyuan"),
            hit,
            ParticipantRole::HeadOfDelegation,
        ),
        who(
            s.person("开放原子开源基金会", "Sun Weiqi"),
            openatom,
            ParticipantRole::Host,
        ),
    ];
    openatom_visit.consensus = vec![
        LocalizedText::bilingual("Promote “Study at HIT” together", "共同推广“留学哈工大”"),
        LocalizedText::bilingual(
            "Supply talent to incubated enterprises",
            "为孵化企业输送人才",
        ),
    ];
    out.push((openatom_visit, vec![]));

    let mut seminar = draft(
        EventKind::Seminar,
        (
            "Seminar on internationalising top-talent training",
            "拔尖创新人才国际化培养座谈会",
        ),
        "2024-08-11",
        (
            "Xuteli College, Beijing Institute of Technology",
            "北京理工大学徐特立学院",
        ),
    );
    seminar.host_unit_id = s.unit("北京理工大学", 0);
    seminar.summary = LocalizedText::bilingual(
        "With the Academic Affairs Department and the International Exchange and Cooperation Office: over 130 undergraduates were sent abroad this year, nearly +90% on 2019.",
        "与教务部、国际交流合作处共同举办：今年派出本科生逾130人次，较2019年增长近90%。",
    );
    seminar.participants = vec![
        who(
            s.person("北京理工大学", "Deng Haoyu"),
            bit,
            ParticipantRole::Host,
        ),
        who(
            s.person("北京理工大学", "Qin Yue"),
            bit,
            ParticipantRole::Speaker,
        ),
    ];
    out.push((seminar, vec![]));
    out
}

const TOPICS: &[(&str, &str)] = &[
    ("joint programmes", "联合培养项目"),
    ("student exchange", "学生交换"),
    ("staff exchange", "教师交流"),
    ("research cooperation", "科研合作"),
    ("internships", "实习实训"),
    ("summer schools", "暑期学校"),
    ("digital education", "数字教育"),
    ("language teaching", "语言教学"),
];

const CITIES: &[(&str, &str)] = &[
    ("Hefei", "合肥"),
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Xi'an", "西安"),
    ("Online", "线上"),
];

fn kind_words(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::IncomingVisit => ("Visit of", "来访："),
        EventKind::OutgoingVisit => ("Visit to", "出访："),
        EventKind::Symposium => ("Forum with", "论坛："),
        EventKind::SigningCeremony => ("Signing with", "签约仪式："),
        EventKind::Seminar => ("Seminar with", "座谈会："),
        EventKind::FieldTrip => ("Field trip to", "参观考察："),
        EventKind::CareerFair => ("Career fair with", "招聘会："),
        EventKind::Launch => ("Launch with", "启动仪式："),
    }
}

/// Generated events, 2019–2026, each with one to five partner institutions.
pub(crate) fn generated_events(s: &Stored<'_>, count: usize) -> Vec<(EventDraft, Vec<SeedItem>)> {
    let mut out = Vec::with_capacity(count);
    let start = date("2019-01-01").to_julian_day();
    let span = date("2026-12-31").to_julian_day() - start;
    for n in 0..count {
        let mut rng = Rng::for_item(DEMO_SEED, 6, n);
        let kind = EventKind::ALL[n % EventKind::ALL.len()];
        let first = rng.below(s.partners.len());
        let partner = &s.partners[first];
        let topic = rng.pick(TOPICS);
        let (en_word, zh_word) = kind_words(kind);
        let name = &partner.institution.name;
        let day =
            time::Date::from_julian_day(start + rng.below(span as usize) as i32).expect("in range");
        let length = if matches!(kind, EventKind::Symposium | EventKind::FieldTrip) {
            rng.below(3) as i64
        } else {
            0
        };
        let city = rng.pick(CITIES);
        let mut d = EventDraft {
            kind,
            title: LocalizedText::bilingual(
                &format!("{en_word} {}: {}", name.display(false), topic.0),
                &format!("{zh_word}{}（{}）", name.display(true), topic.1),
            ),
            start_on: day,
            end_on: day + time::Duration::days(length),
            venue: LocalizedText::bilingual(city.0, city.1),
            host_unit_id: None,
            summary: LocalizedText::default(),
            participants: Vec::new(),
            consensus: vec![LocalizedText::bilingual(
                &format!("Continue talks on {}", topic.0),
                &format!("继续就{}开展磋商", topic.1),
            )],
            honours: Vec::new(),
            agreement_ids: Vec::new(),
        };
        let mut picks = vec![first];
        for _ in 0..rng.below(5) {
            let p = rng.below(s.partners.len());
            if !picks.contains(&p) {
                picks.push(p);
            }
        }
        for (k, p) in picks.iter().enumerate() {
            let id = s.ids[*p];
            let person = s.people.get(&id).and_then(|v| v.first()).map(|(p, _)| *p);
            let role = match (k, kind) {
                (0, EventKind::IncomingVisit) => ParticipantRole::HeadOfDelegation,
                (0, _) => ParticipantRole::Guest,
                _ => ParticipantRole::Member,
            };
            d.participants.push(who(person, id, role));
        }
        let items: Vec<SeedItem> = if n % 4 == 0 {
            let status = *rng.pick(&[
                ActionStatus::Open,
                ActionStatus::InProgress,
                ActionStatus::Done,
                ActionStatus::Cancelled,
            ]);
            vec![(
                "Send the meeting minutes to all participants",
                "向全体参会方发送会议纪要",
                "",
                status,
            )]
        } else {
            Vec::new()
        };
        out.push((d, items));
    }
    out
}

/// Stores the seed and generated events and their action items.
pub(crate) async fn store_events(
    db: &Db,
    actor: &Actor,
    s: &Stored<'_>,
) -> Result<usize, DemoError> {
    let mut all = seed_events(s);
    all.extend(generated_events(s, GENERATED_EVENTS));
    let count = all.len();
    for (draft, items) in all {
        let event = db.create_event(actor, &draft.validate()?).await?;
        for (en, zh, due, status) in items {
            let due_on = if due.is_empty() {
                Some(event.draft.end_on + time::Duration::days(30))
            } else {
                Some(date(due))
            };
            let item = ActionItemDraft {
                title: LocalizedText::bilingual(en, zh),
                owner_user_id: None,
                due_on,
                status,
                event_id: Some(event.id),
                agreement_id: None,
                notes: LocalizedText::default(),
            };
            db.create_action_item(actor, &item.validate()?).await?;
        }
    }
    Ok(count)
}

/// Every stored contact by institution, as `(person id, name)`.
pub(crate) async fn people_by_institution(
    db: &Db,
) -> Result<HashMap<Id, Vec<(Id, LocalizedText)>>, DemoError> {
    let mut out: HashMap<Id, Vec<(Id, LocalizedText)>> = HashMap::new();
    let sort = Sort {
        field: "created_at",
        descending: false,
    };
    let mut page = 1;
    loop {
        let p = db
            .people(
                &Scope::All,
                &PersonFilter::default(),
                &sort,
                &PageRequest {
                    page,
                    per_page: 500,
                },
            )
            .await?;
        for person in &p.items {
            if let Some(i) = person.draft.institution_id {
                out.entry(i)
                    .or_default()
                    .push((person.id, person.draft.name.clone()));
            }
        }
        if (page as i64) * 500 >= p.total {
            break;
        }
        page += 1;
    }
    Ok(out)
}
