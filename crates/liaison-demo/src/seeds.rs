//! The partners named in the seed facts of DESIGN.md ("Demo data"), with real names, cities and
//! websites. Their contacts are fictional: made-up names and `example` e-mail domains.

use liaison_domain::{InstitutionKind, OrgUnitKind, RegionTag, RelationshipStatus};

use InstitutionKind::{Enterprise, Foundation, University};
use OrgUnitKind::{College, Department, Office, School};
use RelationshipStatus::{Active, Prospect};

/// A seed institution; turned into drafts by [`crate::seed_partners`].
pub struct Seed {
    pub kind: InstitutionKind,
    /// `(English, Chinese, local language)`.
    pub name: (&'static str, &'static str, Option<&'static str>),
    pub country: &'static str,
    pub city: (&'static str, &'static str),
    pub website: &'static str,
    pub status: RelationshipStatus,
    pub hei_id: Option<&'static str>,
    pub social_credit_code: Option<&'static str>,
    /// Tags beyond those of the country.
    pub extra_tags: &'static [RegionTag],
    pub profile: (&'static str, &'static str),
    pub units: &'static [SeedUnit],
    pub people: &'static [SeedPerson],
}

pub struct SeedUnit {
    pub kind: OrgUnitKind,
    pub name: (&'static str, &'static str),
    pub ounit_id: Option<&'static str>,
}

/// A fictional contact.
pub struct SeedPerson {
    /// `(English, Chinese)`; the Chinese name is empty for people without one.
    pub name: (&'static str, &'static str),
    pub title: (&'static str, &'static str),
    pub email: &'static str,
    pub languages: &'static [&'static str],
    /// Index into the seed's `units`.
    pub unit: Option<usize>,
}

const fn unit(
    kind: OrgUnitKind,
    en: &'static str,
    zh: &'static str,
    ounit_id: Option<&'static str>,
) -> SeedUnit {
    SeedUnit {
        kind,
        name: (en, zh),
        ounit_id,
    }
}

const NO_PROFILE: (&str, &str) = ("", "");

pub const SEEDS: &[Seed] = &[
    Seed {
        kind: University,
        name: ("Anhui Xinhua University", "安徽新华学院", None),
        country: "CN",
        city: ("Hefei", "合肥"),
        website: "https://www.axhu.edu.cn",
        status: Active,
        hei_id: Some("axhu.edu.cn"),
        social_credit_code: None,
        extra_tags: &[],
        profile: (
            "Private university in Hefei. On 12 March 2024 its School of Culture and Communication and iFLYTEK signed the 2024 cooperation programme: shared resources, curriculum development, internships, field trips and employment.",
            "位于合肥的民办本科高校。2024年3月12日，文化与传媒学院与科大讯飞签署2024年校企合作项目：资源共享、课程共建、实习实训、参观研学与就业。",
        ),
        units: &[
            unit(School, "School of Culture and Communication", "文化与传媒学院", Some("scc")),
            unit(Office, "International Office", "国际交流与合作处", Some("io")),
            unit(Office, "Academic Affairs Office", "教务处", Some("aao")),
            unit(Office, "University–Enterprise Cooperation Office", "校企合作办公室", Some("ueco")),
        ],
        people: &[
            SeedPerson { name: ("Zhou Lan", "周岚"), title: ("Dean", "院长"), email: "zhou.lan@axhu.example.cn", languages: &["zh", "en"], unit: Some(0) },
            SeedPerson { name: ("Chen Yuhang", "陈宇航"), title: ("Director", "处长"), email: "chen.yuhang@axhu.example.cn", languages: &["zh", "en"], unit: Some(1) },
            SeedPerson { name: ("Fang Jie", "方洁"), title: ("Director", "主任"), email: "fang.jie@axhu.example.cn", languages: &["zh"], unit: Some(3) },
        ],
    },
    Seed {
        kind: Enterprise,
        name: ("iFLYTEK", "科大讯飞", None),
        country: "CN",
        city: ("Hefei", "合肥"),
        website: "https://www.iflytek.com",
        status: Active,
        hei_id: None,
        social_credit_code: Some("91340000711771143J"),
        extra_tags: &[],
        profile: (
            "Speech and language AI company. 2024 cooperation programme with AXHU's School of Culture and Communication (signed 12 March 2024).",
            "智能语音与人工智能企业。与安徽新华学院文化与传媒学院签署2024年校企合作项目（2024年3月12日）。",
        ),
        units: &[unit(Department, "University Relations Department", "高校合作部", None)],
        people: &[SeedPerson {
            name: ("Xu Mingzhe", "徐明哲"),
            title: ("University Relations Manager", "高校合作经理"),
            email: "xu.mingzhe@iflytek.example.com",
            languages: &["zh", "en"],
            unit: Some(0),
        }],
    },
    Seed {
        kind: University,
        name: ("Infrastructure University Kuala Lumpur", "吉隆坡建设大学", None),
        country: "MY",
        city: ("Kajang", "加影"),
        website: "https://www.iukl.edu.my",
        status: Active,
        hei_id: Some("iukl.edu.my"),
        social_credit_code: None,
        extra_tags: &[],
        profile: (
            "New partner in 2024. On 8 May 2024 a delegation of four led by its Vice President visited; symposium on joint programmes, academic exchange, teacher training, bachelor-to-master progression and student exchange.",
            "2024年新增合作院校。2024年5月8日副校长率四人代表团来访，就联合办学、学术交流、教师培训、本硕贯通与学生交换举行座谈。",
        ),
        units: &[unit(Office, "International Office", "国际事务办公室", None)],
        people: &[
            SeedPerson { name: ("Aminah Rahman", ""), title: ("Vice President", "副校长"), email: "aminah.rahman@iukl.example.my", languages: &["ms", "en"], unit: None },
            SeedPerson { name: ("Daniel Lim", "林伟强"), title: ("Director, International Office", "国际事务办公室主任"), email: "daniel.lim@iukl.example.my", languages: &["en", "ms", "zh"], unit: Some(0) },
        ],
    },
    Seed {
        kind: University,
        name: ("Xi'an Jiaotong University", "西安交通大学", None),
        country: "CN",
        city: ("Xi'an", "西安"),
        website: "https://www.xjtu.edu.cn",
        status: Active,
        hei_id: Some("xjtu.edu.cn"),
        social_credit_code: None,
        // XJTU leads the University Alliance of the Silk Road.
        extra_tags: &[RegionTag::BeltAndRoad],
        profile: (
            "On 4 July 2024 in Astana, co-hosted with KazNU and Astana IT University a symposium on higher-education cooperation among SCO member states (27 universities from 7 countries); signed a student-exchange agreement in international law with KazNU.",
            "2024年7月4日在阿斯塔纳与哈萨克国立大学、阿斯塔纳IT大学共同举办上合组织国家高等教育合作研讨会（7国27所高校）；与哈萨克国立大学签署国际法专业学生交换协议。",
        ),
        units: &[unit(School, "School of Law", "法学院", Some("law"))],
        people: &[SeedPerson { name: ("Gao Jingwen", "高静雯"), title: ("Associate Dean", "副院长"), email: "gao.jingwen@xjtu.example.cn", languages: &["zh", "en", "ru"], unit: Some(0) }],
    },
    Seed {
        kind: University,
        name: ("Al-Farabi Kazakh National University", "阿里-法拉比哈萨克国立大学", Some("Әл-Фараби атындағы Қазақ ұлттық университеті")),
        country: "KZ",
        city: ("Almaty", "阿拉木图"),
        website: "https://www.kaznu.kz",
        status: Active,
        hei_id: Some("kaznu.kz"),
        social_credit_code: None,
        extra_tags: &[],
        profile: (
            "Co-host of the 4 July 2024 SCO higher-education symposium in Astana; student-exchange agreement in international law with XJTU; conferred an honorary professorship.",
            "2024年7月4日阿斯塔纳上合组织高等教育合作研讨会联合主办方；与西安交通大学签署国际法专业学生交换协议；授予荣誉教授称号。",
        ),
        units: &[unit(School, "Faculty of Law", "法律系", Some("law"))],
        people: &[
            SeedPerson { name: ("Aigerim Sadykova", ""), title: ("Head of International Cooperation", "国际合作部主任"), email: "a.sadykova@kaznu.example.kz", languages: &["kk", "ru", "en"], unit: None },
            SeedPerson { name: ("Yerlan Tokhtarov", ""), title: ("Dean", "系主任"), email: "y.tokhtarov@kaznu.example.kz", languages: &["kk", "ru"], unit: Some(0) },
        ],
    },
    Seed {
        kind: University,
        name: ("Astana IT University", "阿斯塔纳IT大学", None),
        country: "KZ",
        city: ("Astana", "阿斯塔纳"),
        website: "https://astanait.edu.kz",
        status: Prospect,
        hei_id: Some("astanait.edu.kz"),
        social_credit_code: None,
        extra_tags: &[],
        profile: ("Co-host of the 4 July 2024 SCO higher-education symposium in Astana.", "2024年7月4日阿斯塔纳上合组织高等教育合作研讨会联合主办方。"),
        units: &[],
        people: &[SeedPerson { name: ("Timur Bekov", ""), title: ("Vice-Rector", "副校长"), email: "t.bekov@astanait.example.kz", languages: &["kk", "ru", "en"], unit: None }],
    },
    Seed {
        kind: University,
        name: ("Harbin Institute of Technology", "哈尔滨工业大学", None),
        country: "CN",
        city: ("Harbin", "哈尔滨"),
        website: "https://www.hit.edu.cn",
        status: Active,
        hei_id: Some("hit.edu.cn"),
        social_credit_code: None,
        extra_tags: &[],
        profile: NO_PROFILE,
        units: &[unit(College, "College of International Education", "国际教育学院", Some("cie"))],
        people: &[SeedPerson { name: ("Liu Siyuan", "刘思远"), title: ("Executive Dean", "执行院长"), email: "liu.siyuan@hit.example.cn", languages: &["zh", "en"], unit: Some(0) }],
    },
    Seed {
        kind: Foundation,
        name: ("OpenAtom Foundation", "开放原子开源基金会", None),
        country: "CN",
        city: ("Beijing", "北京"),
        website: "https://www.openatom.org",
        status: Active,
        hei_id: None,
        social_credit_code: None,
        extra_tags: &[],
        profile: (
            "Open-source foundation. On 18 July 2024 HIT's College of International Education visited: cooperation on promoting \"Study at HIT\" and supplying talent to incubated enterprises.",
            "开源公益基金会。2024年7月18日哈尔滨工业大学国际教育学院来访：合作推广“留学哈工大”，为孵化企业输送人才。",
        ),
        units: &[],
        people: &[SeedPerson { name: ("Sun Weiqi", "孙维琪"), title: ("Director of Ecosystem Development", "生态发展总监"), email: "sun.weiqi@openatom.example.org", languages: &["zh", "en"], unit: None }],
    },
    Seed {
        kind: University,
        name: ("Beijing Institute of Technology", "北京理工大学", None),
        country: "CN",
        city: ("Beijing", "北京"),
        website: "https://www.bit.edu.cn",
        status: Active,
        hei_id: Some("bit.edu.cn"),
        social_credit_code: None,
        extra_tags: &[],
        profile: (
            "On 11 August 2024 Xuteli College, with the Academic Affairs Department and the International Exchange and Cooperation Office, held a seminar on internationalising top-talent training: over 130 undergraduates sent abroad this year, nearly +90% on 2019.",
            "2024年8月11日，徐特立学院联合教务部、国际交流合作处举办拔尖人才培养国际化研讨会：本年度派出本科生130余人，较2019年增长近90%。",
        ),
        units: &[
            unit(College, "Xuteli College (Future Precision Technology College)", "徐特立学院（未来精工技术学院）", Some("xtl")),
            unit(Department, "Academic Affairs Department", "教务部", Some("aad")),
            unit(Office, "International Exchange and Cooperation Office", "国际交流合作处", Some("iec")),
        ],
        people: &[
            SeedPerson { name: ("Qin Yue", "秦悦"), title: ("Deputy Director", "副处长"), email: "qin.yue@bit.example.cn", languages: &["zh", "en"], unit: Some(2) },
            SeedPerson { name: ("Deng Haoyu", "邓浩宇"), title: ("Vice Dean", "副院长"), email: "deng.haoyu@bit.example.cn", languages: &["zh", "en"], unit: Some(0) },
        ],
    },
];
