//! Demo news: the five seed events as published bilingual stories (written for this demo, with
//! fictional people in the credits), and generated stories about other events, some still in the
//! editorial workflow. Deterministic: stories depend only on the events and a fixed seed.

use liaison_domain::{
    Credit, CreditRole, Event, EventKind, LocalizedText, NewsDraft, NewsStatus, PageRequest, Scope,
    Sort,
};
use liaison_storage::{Actor, Db, EventFilter};

use crate::rng::Rng;
use crate::DemoError;

/// How many generated stories the demo adds to the five seed stories.
pub const GENERATED_NEWS: usize = 40;

/// Fictional staff of the office's news team (English, Chinese).
const TEAM: &[(&str, &str)] = &[
    ("Lin Qing", "林青"),
    ("Zhao Yuhan", "赵雨涵"),
    ("Chen Mo", "陈默"),
    ("Sun Jiayi", "孙佳怡"),
    ("Guo Haoran", "郭浩然"),
    ("Ma Xiaowen", "马晓雯"),
    ("He Ziyang", "何子洋"),
    ("Tang Ruoxi", "唐若溪"),
];

fn credit(role: CreditRole, who: (&str, &str)) -> Credit {
    Credit {
        role,
        person_id: None,
        name: Some(format!("{} {}", who.1, who.0)),
    }
}

/// Five different people of the team: author, translator, photographer, proofreader, reviewer.
fn credits(rng: &mut Rng) -> Vec<Credit> {
    let mut team: Vec<(&str, &str)> = TEAM.to_vec();
    let mut out = Vec::new();
    for role in CreditRole::ALL {
        let who = team.remove(rng.below(team.len()));
        out.push(credit(*role, who));
    }
    out
}

struct Seed {
    date: &'static str,
    kind: EventKind,
    slug: &'static str,
    title: (&'static str, &'static str),
    summary: (&'static str, &'static str),
    body: (&'static str, &'static str),
    tags: &'static [&'static str],
}

const SEEDS: &[Seed] = &[
    Seed {
        date: "2024-03-12",
        kind: EventKind::SigningCeremony,
        slug: "axhu-iflytek-cooperation-programme-2024",
        title: (
            "Culture and Communication and iFLYTEK sign their 2024 programme",
            "文化与传媒学院与科大讯飞签署2024年校企合作项目",
        ),
        summary: (
            "Shared resources, joint courses, internships, field trips and jobs: the school and the AI company put their cooperation for the year on paper.",
            "资源共享、课程共建、实习实训、参观考察与就业——学院与人工智能企业确定了本年度的合作内容。",
        ),
        body: (
            "The School of Culture and Communication of **Anhui Xinhua University** and **iFLYTEK** signed their cooperation programme for 2024 in Hefei.\n\nThe programme rests on five pillars:\n\n- sharing teaching and training resources;\n- developing courses together, with company experts in the classroom;\n- internships for students at iFLYTEK;\n- field trips to the company's labs;\n- a path from internship to employment.\n\nBoth sides agreed to review progress at the end of the autumn semester.",
            "**安徽新华学院**文化与传媒学院与**科大讯飞**在合肥签署2024年校企合作项目。\n\n项目围绕五个方面展开：\n\n- 教学与实训资源共享；\n- 课程共建，企业专家走进课堂；\n- 学生赴科大讯飞实习；\n- 组织学生参观企业实验室；\n- 打通从实习到就业的通道。\n\n双方商定于秋季学期末共同回顾项目进展。",
        ),
        tags: &["university-enterprise", "iflytek", "internships"],
    },
    Seed {
        date: "2024-05-08",
        kind: EventKind::IncomingVisit,
        slug: "iukl-delegation-visit-2024",
        title: (
            "A delegation from IUKL explores joint programmes",
            "吉隆坡建设大学代表团来访 探讨联合培养",
        ),
        summary: (
            "Four guests from Kuala Lumpur, led by their Vice President, discussed joint programmes, teacher training and bachelor-to-master progression.",
            "由副校长带队的吉隆坡建设大学四人代表团来访，双方就联合培养、教师培训和本硕衔接等进行了交流。",
        ),
        body: (
            "A four-member delegation from **Infrastructure University Kuala Lumpur** (Malaysia), headed by its Vice President, visited the university.\n\nAt a symposium the two sides talked about:\n\n1. joint programmes;\n2. academic exchange and teacher training;\n3. a bachelor-to-master progression route;\n4. student exchange.\n\nIUKL joins the list of the university's new partners in 2024. Follow-up meetings will turn the ideas into concrete agreements.",
            "马来西亚**吉隆坡建设大学**副校长率四人代表团来访。\n\n在座谈会上，双方围绕以下议题深入交流：\n\n1. 联合培养项目；\n2. 学术交流与教师培训；\n3. 本硕连读（本硕衔接）项目；\n4. 学生交换。\n\n吉隆坡建设大学由此成为学校2024年新增的合作伙伴。双方将通过后续会谈推动合作落地。",
        ),
        tags: &["malaysia", "delegation", "joint-programmes"],
    },
    Seed {
        date: "2024-07-04",
        kind: EventKind::Symposium,
        slug: "sco-higher-education-symposium-astana-2024",
        title: (
            "27 universities from 7 countries meet in Astana",
            "七国27所高校齐聚阿斯塔纳",
        ),
        summary: (
            "Universities of SCO member states discussed cooperation in higher education; XJTU and KazNU signed a student exchange in international law.",
            "上合组织成员国高校研讨高等教育合作，西安交通大学与哈萨克国立大学签署国际法方向学生交换协议。",
        ),
        body: (
            "**Xi'an Jiaotong University**, **Al-Farabi Kazakh National University** and **Astana IT University** hosted a symposium in Astana on higher-education cooperation among the member states of the Shanghai Cooperation Organisation.\n\nTwenty-seven universities from seven countries took part. Highlights of the day:\n\n- XJTU and KazNU signed a **student exchange agreement in international law**;\n- an honorary professorship was conferred;\n- participants agreed to keep meeting and to share mobility opportunities.",
            "**西安交通大学**、**阿里-法拉比哈萨克国立大学**与**阿斯塔纳IT大学**在阿斯塔纳共同主办上海合作组织成员国高等教育合作研讨会。\n\n来自七个国家的27所高校参会。会议亮点：\n\n- 西安交通大学与哈萨克国立大学签署**国际法方向学生交换协议**；\n- 授予一位学者荣誉教授称号；\n- 与会各方同意建立常态化交流机制，共享交流机会。",
        ),
        tags: &["sco", "symposium", "student-exchange"],
    },
    Seed {
        date: "2024-07-18",
        kind: EventKind::OutgoingVisit,
        slug: "hit-visits-openatom-foundation-2024",
        title: (
            "HIT's College of International Education visits the OpenAtom Foundation",
            "哈工大国际教育学院走访开放原子开源基金会",
        ),
        summary: (
            "The visit opened cooperation on promoting “Study at HIT” and on supplying talent to the foundation's incubated projects.",
            "双方就推广“留学哈工大”品牌、为基金会孵化项目输送人才达成合作意向。",
        ),
        body: (
            "A team from the College of International Education of **Harbin Institute of Technology** visited the **OpenAtom Foundation**.\n\nThe two sides agreed to work together on two fronts:\n\n- promoting the *Study at HIT* brand among international students interested in open source;\n- connecting graduates with enterprises incubated by the foundation.\n\nA first joint information session is planned for the autumn.",
            "**哈尔滨工业大学**国际教育学院一行走访**开放原子开源基金会**。\n\n双方商定在两个方面开展合作：\n\n- 面向关注开源的国际学生推广“留学哈工大”品牌；\n- 为基金会孵化企业输送毕业生。\n\n首场联合宣讲会计划于秋季举办。",
        ),
        tags: &["open-source", "talent", "international-students"],
    },
    Seed {
        date: "2024-08-11",
        kind: EventKind::Seminar,
        slug: "bit-xuteli-internationalisation-seminar-2024",
        title: (
            "Xuteli College discusses training top talent with a global outlook",
            "徐特立学院召开拔尖人才国际化培养座谈会",
        ),
        summary: (
            "More than 130 undergraduates went abroad this year, close to 90% more than in 2019.",
            "今年出国（境）交流本科生超过130人，较2019年增长近90%。",
        ),
        body: (
            "**Xuteli College** (Future Precision Technology College) of **Beijing Institute of Technology** held a seminar with the Academic Affairs Department and the International Exchange and Cooperation Office on internationalising the training of top students.\n\nThe numbers speak: over **130 undergraduates** were sent abroad this year, nearly **90% more** than in 2019.\n\nParticipants discussed credit recognition, pre-departure briefings and how to keep the growth sustainable.",
            "**北京理工大学徐特立学院**（未来精工技术学院）联合教务部、国际交流合作处召开拔尖创新人才国际化培养座谈会。\n\n数据显示，今年学院派出本科生**超过130人**，较2019年增长**近90%**。\n\n与会人员围绕学分认定、行前培训以及如何保持增长势头进行了讨论。",
        ),
        tags: &["mobility", "seminar", "top-talent"],
    },
];

async fn events_on(db: &Db, day: time::Date) -> Result<Vec<Event>, DemoError> {
    let filter = EventFilter {
        from: Some(day),
        to: Some(day),
        ..Default::default()
    };
    let sort = Sort {
        field: "start_on",
        descending: false,
    };
    Ok(db
        .events(&Scope::All, &filter, &sort, &PageRequest::default())
        .await?
        .items)
}

/// Creates a story and moves it to `until` through every step of the workflow.
async fn store_story(
    db: &Db,
    actor: &Actor,
    draft: NewsDraft,
    until: NewsStatus,
) -> Result<(), DemoError> {
    let mut item = db.create_news(actor, &draft.validate()?).await?;
    for step in [
        NewsStatus::Translated,
        NewsStatus::Proofread,
        NewsStatus::Reviewed,
        NewsStatus::Published,
    ] {
        if item.status == until {
            break;
        }
        item = db
            .set_news_status(actor, item.id, item.version, step, None)
            .await?;
    }
    Ok(())
}

fn date(s: &str) -> time::Date {
    liaison_domain::event::iso_date::parse(s).expect("demo dates are valid")
}

/// Stores the seed stories and the generated ones.
pub(crate) async fn store_news(db: &Db, actor: &Actor, seed: u64) -> Result<usize, DemoError> {
    let mut count = 0;
    for (i, s) in SEEDS.iter().enumerate() {
        let day = date(s.date);
        let event = events_on(db, day)
            .await?
            .into_iter()
            .find(|e| e.draft.kind == s.kind);
        let mut rng = Rng::for_item(seed, 9, i);
        let draft = NewsDraft {
            title: LocalizedText::bilingual(s.title.0, s.title.1),
            summary: LocalizedText::bilingual(s.summary.0, s.summary.1),
            body: LocalizedText::bilingual(s.body.0, s.body.1),
            slug: Some(s.slug.to_string()),
            published_on: Some(day),
            tags: s.tags.iter().map(|t| t.to_string()).collect(),
            event_ids: event.iter().map(|e| e.id).collect(),
            institution_ids: event
                .as_ref()
                .map(|e| e.draft.institution_ids())
                .unwrap_or_default(),
            credits: credits(&mut rng),
        };
        store_story(db, actor, draft, NewsStatus::Published).await?;
        count += 1;
    }
    // Generated stories about other events: most published, some still in the workflow.
    let all = db
        .events(
            &Scope::All,
            &EventFilter::default(),
            &Sort {
                field: "start_on",
                descending: false,
            },
            &PageRequest {
                page: 1,
                per_page: 500,
            },
        )
        .await?
        .items;
    let seed_days: Vec<time::Date> = SEEDS.iter().map(|s| date(s.date)).collect();
    let others: Vec<&Event> = all
        .iter()
        .filter(|e| !seed_days.contains(&e.draft.start_on))
        .collect();
    if others.is_empty() {
        return Ok(count);
    }
    let step = (others.len() / GENERATED_NEWS).max(1);
    for (n, event) in others.iter().step_by(step).take(GENERATED_NEWS).enumerate() {
        let mut rng = Rng::for_item(seed, 10, n);
        let d = &event.draft;
        let (kind_en, kind_zh) = kind_words(d.kind);
        let venue_en = d.venue.en.as_deref().unwrap_or("the campus");
        let venue_zh = d.venue.zh.as_deref().unwrap_or("校园");
        let title_en = d.title.en.clone().unwrap_or_else(|| kind_en.to_string());
        let title_zh = d.title.zh.clone().unwrap_or_else(|| kind_zh.to_string());
        let count_en = event.counts.institutions;
        let body_en = format!(
            "The {kind_en} *{title_en}* took place in {venue_en}. Representatives of {count_en} institutions took part.\n\nBoth sides agreed to keep in touch and to follow up on the points discussed."
        );
        let body_zh = format!(
            "{kind_zh}“{title_zh}”在{venue_zh}举行，{count_en}家单位的代表参加。\n\n双方表示将保持密切联系，推动各项共识落实。"
        );
        let until = match rng.below(8) {
            0 => NewsStatus::Draft,
            1 => NewsStatus::Translated,
            2 => NewsStatus::Proofread,
            3 => NewsStatus::Reviewed,
            _ => NewsStatus::Published,
        };
        let (body, title) = if until == NewsStatus::Draft && rng.coin() {
            // A draft not translated yet: English only.
            (LocalizedText::en(&body_en), LocalizedText::en(&title_en))
        } else {
            (
                LocalizedText::bilingual(&body_en, &body_zh),
                LocalizedText::bilingual(&title_en, &title_zh),
            )
        };
        let draft = NewsDraft {
            title,
            summary: LocalizedText::default(),
            body,
            slug: None,
            published_on: Some(d.start_on),
            tags: vec![d.kind.as_str().replace('_', "-")],
            event_ids: vec![event.id],
            institution_ids: d.institution_ids().into_iter().take(10).collect(),
            credits: credits(&mut rng),
        };
        store_story(db, actor, draft, until).await?;
        count += 1;
    }
    Ok(count)
}

fn kind_words(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::IncomingVisit => ("visit", "来访"),
        EventKind::OutgoingVisit => ("visit", "出访"),
        EventKind::Symposium => ("symposium", "研讨会"),
        EventKind::SigningCeremony => ("signing ceremony", "签约仪式"),
        EventKind::Seminar => ("seminar", "座谈会"),
        EventKind::FieldTrip => ("field trip", "参观考察"),
        EventKind::CareerFair => ("career fair", "招聘会"),
        EventKind::Launch => ("launch", "启动仪式"),
    }
}
