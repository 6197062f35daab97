//! The partner countries of the generated data: real cities with their Chinese names, working
//! languages, how people there are named, and the regional groupings each country belongs to.

use liaison_domain::RegionTag;

use crate::names::{self, Names};

/// A partner country as the generator sees it.
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// ISO 639-1 codes of the languages contacts there work in (English is added for everyone).
    pub languages: &'static [&'static str],
    pub names: Names,
    /// `(English, Chinese)` names of real cities with universities.
    pub cities: &'static [(&'static str, &'static str)],
}

const fn country(
    code: &'static str,
    languages: &'static [&'static str],
    names: Names,
    cities: &'static [(&'static str, &'static str)],
) -> Country {
    Country {
        code,
        languages,
        names,
        cities,
    }
}

use names::Names::{Chinese, Pool};

/// Grouped by region: Asia, the Middle East and North Africa, Sub-Saharan Africa, Europe, the
/// Americas and Oceania.
#[rustfmt::skip]
pub const COUNTRIES: &[Country] = &[
    country("CN", &["zh"], Chinese, &[("Shanghai", "上海"), ("Wuhan", "武汉"), ("Chengdu", "成都"), ("Hangzhou", "杭州")]),
    country("RU", &["ru"], Pool(&names::RUSSIAN), &[("Moscow", "莫斯科"), ("Saint Petersburg", "圣彼得堡"), ("Kazan", "喀山"), ("Novosibirsk", "新西伯利亚")]),
    country("KZ", &["kk", "ru"], Pool(&names::CENTRAL_ASIAN), &[("Almaty", "阿拉木图"), ("Astana", "阿斯塔纳"), ("Shymkent", "奇姆肯特"), ("Karaganda", "卡拉干达")]),
    country("KG", &["ky", "ru"], Pool(&names::CENTRAL_ASIAN), &[("Bishkek", "比什凯克"), ("Osh", "奥什")]),
    country("TJ", &["tg", "ru"], Pool(&names::CENTRAL_ASIAN), &[("Dushanbe", "杜尚别"), ("Khujand", "苦盏")]),
    country("UZ", &["uz", "ru"], Pool(&names::CENTRAL_ASIAN), &[("Tashkent", "塔什干"), ("Samarkand", "撒马尔罕"), ("Bukhara", "布哈拉")]),
    country("TM", &["tk", "ru"], Pool(&names::CENTRAL_ASIAN), &[("Ashgabat", "阿什哈巴德"), ("Turkmenabat", "土库曼纳巴德")]),
    country("MN", &["mn"], Pool(&names::MONGOLIAN), &[("Ulaanbaatar", "乌兰巴托"), ("Darkhan", "达尔汗"), ("Erdenet", "额尔登特")]),
    country("BY", &["be", "ru"], Pool(&names::RUSSIAN), &[("Minsk", "明斯克"), ("Gomel", "戈梅利"), ("Brest", "布列斯特")]),
    country("AZ", &["az"], Pool(&names::CENTRAL_ASIAN), &[("Baku", "巴库"), ("Ganja", "占贾")]),
    country("GE", &["ka"], Pool(&names::GEORGIAN), &[("Tbilisi", "第比利斯"), ("Batumi", "巴统"), ("Kutaisi", "库塔伊西")]),
    country("AM", &["hy"], Pool(&names::ARMENIAN), &[("Yerevan", "埃里温"), ("Gyumri", "久姆里")]),
    country("TR", &["tr"], Pool(&names::TURKISH), &[("Istanbul", "伊斯坦布尔"), ("Ankara", "安卡拉"), ("Izmir", "伊兹密尔")]),
    country("IR", &["fa"], Pool(&names::PERSIAN), &[("Tehran", "德黑兰"), ("Isfahan", "伊斯法罕"), ("Shiraz", "设拉子"), ("Tabriz", "大不里士")]),
    country("IN", &["hi"], Pool(&names::INDIAN), &[("New Delhi", "新德里"), ("Mumbai", "孟买"), ("Bengaluru", "班加罗尔"), ("Chennai", "金奈")]),
    country("PK", &["ur"], Pool(&names::SOUTH_ASIAN_MUSLIM), &[("Islamabad", "伊斯兰堡"), ("Lahore", "拉合尔"), ("Karachi", "卡拉奇")]),
    country("BD", &["bn"], Pool(&names::SOUTH_ASIAN_MUSLIM), &[("Dhaka", "达卡"), ("Chittagong", "吉大港")]),
    country("NP", &["ne"], Pool(&names::NEPALI), &[("Kathmandu", "加德满都"), ("Pokhara", "博卡拉")]),
    country("LK", &["si", "ta"], Pool(&names::SINHALA), &[("Colombo", "科伦坡"), ("Kandy", "康提")]),
    country("MY", &["ms"], Pool(&names::MALAY), &[("Kuala Lumpur", "吉隆坡"), ("Penang", "槟城"), ("Johor Bahru", "新山"), ("Kuching", "古晋")]),
    country("SG", &["en", "zh"], Chinese, &[("Singapore", "新加坡")]),
    country("BN", &["ms"], Pool(&names::MALAY), &[("Bandar Seri Begawan", "斯里巴加湾市"), ("Kuala Belait", "马来奕")]),
    country("ID", &["id"], Pool(&names::INDONESIAN), &[("Jakarta", "雅加达"), ("Surabaya", "泗水"), ("Bandung", "万隆"), ("Yogyakarta", "日惹")]),
    country("TH", &["th"], Pool(&names::THAI), &[("Bangkok", "曼谷"), ("Chiang Mai", "清迈"), ("Khon Kaen", "孔敬")]),
    country("VN", &["vi"], Pool(&names::VIETNAMESE), &[("Hanoi", "河内"), ("Ho Chi Minh City", "胡志明市"), ("Da Nang", "岘港")]),
    country("PH", &["tl"], Pool(&names::FILIPINO), &[("Manila", "马尼拉"), ("Cebu", "宿务"), ("Davao", "达沃")]),
    country("KH", &["km"], Pool(&names::KHMER), &[("Phnom Penh", "金边"), ("Siem Reap", "暹粒")]),
    country("LA", &["lo"], Pool(&names::LAO), &[("Vientiane", "万象"), ("Luang Prabang", "琅勃拉邦")]),
    country("MM", &["my"], Pool(&names::BURMESE), &[("Yangon", "仰光"), ("Mandalay", "曼德勒")]),
    country("JP", &["ja"], Pool(&names::JAPANESE), &[("Tokyo", "东京"), ("Osaka", "大阪"), ("Kyoto", "京都"), ("Sendai", "仙台")]),
    country("KR", &["ko"], Pool(&names::KOREAN), &[("Seoul", "首尔"), ("Busan", "釜山"), ("Daejeon", "大田")]),
    country("AE", &["ar"], Pool(&names::ARABIC), &[("Abu Dhabi", "阿布扎比"), ("Dubai", "迪拜"), ("Sharjah", "沙迦")]),
    country("SA", &["ar"], Pool(&names::ARABIC), &[("Riyadh", "利雅得"), ("Jeddah", "吉达"), ("Dhahran", "达兰")]),
    country("QA", &["ar"], Pool(&names::ARABIC), &[("Doha", "多哈"), ("Al Rayyan", "赖扬")]),
    country("JO", &["ar"], Pool(&names::ARABIC), &[("Amman", "安曼"), ("Irbid", "伊尔比德")]),
    country("EG", &["ar"], Pool(&names::ARABIC), &[("Cairo", "开罗"), ("Alexandria", "亚历山大"), ("Giza", "吉萨")]),
    country("MA", &["ar", "fr"], Pool(&names::MAGHREB), &[("Rabat", "拉巴特"), ("Casablanca", "卡萨布兰卡"), ("Fez", "非斯")]),
    country("DZ", &["ar", "fr"], Pool(&names::MAGHREB), &[("Algiers", "阿尔及尔"), ("Oran", "奥兰")]),
    country("TN", &["ar", "fr"], Pool(&names::MAGHREB), &[("Tunis", "突尼斯"), ("Sfax", "斯法克斯")]),
    country("ET", &["am"], Pool(&names::ETHIOPIAN), &[("Addis Ababa", "亚的斯亚贝巴"), ("Bahir Dar", "巴赫达尔"), ("Adama", "阿达玛")]),
    country("KE", &["sw"], Pool(&names::EAST_AFRICAN), &[("Nairobi", "内罗毕"), ("Mombasa", "蒙巴萨"), ("Kisumu", "基苏木")]),
    country("TZ", &["sw"], Pool(&names::EAST_AFRICAN), &[("Dar es Salaam", "达累斯萨拉姆"), ("Dodoma", "多多马"), ("Arusha", "阿鲁沙")]),
    country("NG", &["en"], Pool(&names::NIGERIAN), &[("Lagos", "拉各斯"), ("Abuja", "阿布贾"), ("Ibadan", "伊巴丹")]),
    country("GH", &["en"], Pool(&names::GHANAIAN), &[("Accra", "阿克拉"), ("Kumasi", "库马西")]),
    country("SN", &["fr"], Pool(&names::SENEGALESE), &[("Dakar", "达喀尔"), ("Saint-Louis", "圣路易"), ("Thiès", "捷斯")]),
    country("ZA", &["en", "af"], Pool(&names::SOUTH_AFRICAN), &[("Johannesburg", "约翰内斯堡"), ("Cape Town", "开普敦"), ("Pretoria", "比勒陀利亚"), ("Durban", "德班")]),
    country("ZM", &["en"], Pool(&names::ZAMBIAN), &[("Lusaka", "卢萨卡"), ("Kitwe", "基特韦"), ("Ndola", "恩多拉")]),
    country("DE", &["de"], Pool(&names::GERMAN), &[("Munich", "慕尼黑"), ("Berlin", "柏林"), ("Aachen", "亚琛"), ("Heidelberg", "海德堡")]),
    country("AT", &["de"], Pool(&names::GERMAN), &[("Vienna", "维也纳"), ("Graz", "格拉茨"), ("Innsbruck", "因斯布鲁克")]),
    country("CH", &["de", "fr"], Pool(&names::GERMAN), &[("Zurich", "苏黎世"), ("Geneva", "日内瓦"), ("Lausanne", "洛桑")]),
    country("NL", &["nl"], Pool(&names::DUTCH), &[("Delft", "代尔夫特"), ("Amsterdam", "阿姆斯特丹"), ("Eindhoven", "埃因霍温"), ("Groningen", "格罗宁根")]),
    country("BE", &["nl", "fr"], Pool(&names::DUTCH), &[("Leuven", "鲁汶"), ("Ghent", "根特"), ("Brussels", "布鲁塞尔")]),
    country("FR", &["fr"], Pool(&names::FRENCH), &[("Paris", "巴黎"), ("Lyon", "里昂"), ("Toulouse", "图卢兹"), ("Grenoble", "格勒诺布尔")]),
    country("IT", &["it"], Pool(&names::ITALIAN), &[("Milan", "米兰"), ("Bologna", "博洛尼亚"), ("Turin", "都灵"), ("Rome", "罗马")]),
    country("ES", &["es"], Pool(&names::SPANISH), &[("Madrid", "马德里"), ("Barcelona", "巴塞罗那"), ("Valencia", "巴伦西亚"), ("Salamanca", "萨拉曼卡")]),
    country("PT", &["pt"], Pool(&names::PORTUGUESE), &[("Lisbon", "里斯本"), ("Porto", "波尔图"), ("Coimbra", "科英布拉")]),
    country("IE", &["en", "ga"], Pool(&names::ENGLISH), &[("Dublin", "都柏林"), ("Cork", "科克"), ("Galway", "戈尔韦")]),
    country("GB", &["en"], Pool(&names::ENGLISH), &[("London", "伦敦"), ("Manchester", "曼彻斯特"), ("Edinburgh", "爱丁堡"), ("Bristol", "布里斯托尔")]),
    country("SE", &["sv"], Pool(&names::NORDIC), &[("Stockholm", "斯德哥尔摩"), ("Lund", "隆德"), ("Uppsala", "乌普萨拉"), ("Gothenburg", "哥德堡")]),
    country("DK", &["da"], Pool(&names::NORDIC), &[("Copenhagen", "哥本哈根"), ("Aarhus", "奥胡斯")]),
    country("NO", &["nb"], Pool(&names::NORDIC), &[("Oslo", "奥斯陆"), ("Bergen", "卑尔根"), ("Trondheim", "特隆赫姆")]),
    country("FI", &["fi"], Pool(&names::FINNISH), &[("Helsinki", "赫尔辛基"), ("Espoo", "埃斯波"), ("Tampere", "坦佩雷")]),
    country("EE", &["et"], Pool(&names::ESTONIAN), &[("Tallinn", "塔林"), ("Tartu", "塔尔图")]),
    country("LV", &["lv"], Pool(&names::LATVIAN), &[("Riga", "里加"), ("Daugavpils", "陶格夫匹尔斯")]),
    country("LT", &["lt"], Pool(&names::LITHUANIAN), &[("Vilnius", "维尔纽斯"), ("Kaunas", "考纳斯")]),
    country("PL", &["pl"], Pool(&names::POLISH), &[("Warsaw", "华沙"), ("Kraków", "克拉科夫"), ("Wrocław", "弗罗茨瓦夫"), ("Gdańsk", "格但斯克")]),
    country("CZ", &["cs"], Pool(&names::CZECH), &[("Prague", "布拉格"), ("Brno", "布尔诺"), ("Ostrava", "俄斯特拉发")]),
    country("SK", &["sk"], Pool(&names::CZECH), &[("Bratislava", "布拉迪斯拉发"), ("Košice", "科希策")]),
    country("HU", &["hu"], Pool(&names::HUNGARIAN), &[("Budapest", "布达佩斯"), ("Debrecen", "德布勒森"), ("Szeged", "塞格德"), ("Pécs", "佩奇")]),
    country("RO", &["ro"], Pool(&names::ROMANIAN), &[("Bucharest", "布加勒斯特"), ("Cluj-Napoca", "克卢日-纳波卡"), ("Iași", "雅西"), ("Timișoara", "蒂米什瓦拉")]),
    country("BG", &["bg"], Pool(&names::BULGARIAN), &[("Sofia", "索非亚"), ("Plovdiv", "普罗夫迪夫"), ("Varna", "瓦尔纳")]),
    country("GR", &["el"], Pool(&names::GREEK), &[("Athens", "雅典"), ("Thessaloniki", "塞萨洛尼基"), ("Patras", "帕特雷")]),
    country("SI", &["sl"], Pool(&names::SOUTH_SLAVIC), &[("Ljubljana", "卢布尔雅那"), ("Maribor", "马里博尔")]),
    country("HR", &["hr"], Pool(&names::SOUTH_SLAVIC), &[("Zagreb", "萨格勒布"), ("Split", "斯普利特"), ("Rijeka", "里耶卡")]),
    country("RS", &["sr"], Pool(&names::SOUTH_SLAVIC), &[("Belgrade", "贝尔格莱德"), ("Novi Sad", "诺维萨德"), ("Niš", "尼什")]),
    country("UA", &["uk"], Pool(&names::UKRAINIAN), &[("Kyiv", "基辅"), ("Lviv", "利沃夫"), ("Kharkiv", "哈尔科夫")]),
    country("US", &["en"], Pool(&names::ENGLISH), &[("Boston", "波士顿"), ("Seattle", "西雅图"), ("Chicago", "芝加哥"), ("Austin", "奥斯汀")]),
    country("CA", &["en", "fr"], Pool(&names::ENGLISH), &[("Toronto", "多伦多"), ("Vancouver", "温哥华"), ("Montreal", "蒙特利尔")]),
    country("MX", &["es"], Pool(&names::LATIN_AMERICAN), &[("Mexico City", "墨西哥城"), ("Guadalajara", "瓜达拉哈拉"), ("Monterrey", "蒙特雷")]),
    country("CU", &["es"], Pool(&names::LATIN_AMERICAN), &[("Havana", "哈瓦那"), ("Camagüey", "卡马圭")]),
    country("CO", &["es"], Pool(&names::LATIN_AMERICAN), &[("Bogotá", "波哥大"), ("Medellín", "麦德林"), ("Cali", "卡利")]),
    country("PE", &["es"], Pool(&names::LATIN_AMERICAN), &[("Lima", "利马"), ("Arequipa", "阿雷基帕"), ("Cusco", "库斯科")]),
    country("BR", &["pt"], Pool(&names::PORTUGUESE), &[("São Paulo", "圣保罗"), ("Rio de Janeiro", "里约热内卢"), ("Brasília", "巴西利亚"), ("Porto Alegre", "阿雷格里港")]),
    country("AR", &["es"], Pool(&names::LATIN_AMERICAN), &[("Buenos Aires", "布宜诺斯艾利斯"), ("Córdoba", "科尔多瓦"), ("Rosario", "罗萨里奥")]),
    country("CL", &["es"], Pool(&names::LATIN_AMERICAN), &[("Santiago", "圣地亚哥"), ("Valparaíso", "瓦尔帕莱索"), ("Concepción", "康塞普西翁")]),
    country("AU", &["en"], Pool(&names::ENGLISH), &[("Melbourne", "墨尔本"), ("Sydney", "悉尼"), ("Brisbane", "布里斯班"), ("Perth", "珀斯")]),
    country("NZ", &["en", "mi"], Pool(&names::ENGLISH), &[("Auckland", "奥克兰"), ("Wellington", "惠灵顿"), ("Christchurch", "基督城")]),
];

/// Shanghai Cooperation Organisation member states.
const SCO: &[&str] = &["CN", "RU", "KZ", "KG", "TJ", "UZ", "IN", "PK", "IR", "BY"];
/// The 27 member states of the European Union.
const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];
const ASEAN: &[&str] = &["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"];
const BRICS: &[&str] = &["BR", "RU", "IN", "CN", "ZA", "EG", "ET", "IR", "AE", "ID"];
/// Partner countries that signed Belt and Road cooperation documents with China.
const BELT_AND_ROAD: &[&str] = &[
    // Central and West Asia, the Caucasus
    "RU", "KZ", "KG", "TJ", "UZ", "TM", "MN", "PK", "IR", "BY", "AZ", "GE", "AM", "TR",
    // South and South-East Asia
    "BD", "NP", "LK", "MY", "SG", "BN", "ID", "TH", "VN", "PH", "KH", "LA", "MM",
    // Middle East and Africa
    "AE", "SA", "QA", "EG", "MA", "DZ", "TN", "ET", "KE", "TZ", "NG", "GH", "SN", "ZA", "ZM",
    // Eastern and Southern Europe
    "PL", "CZ", "SK", "HU", "RO", "BG", "GR", "SI", "HR", "RS", "UA", "PT",
    // Latin America and Oceania
    "CU", "CO", "PE", "AR", "CL", "NZ",
];

/// The regional groupings a country belongs to, in the order `InstitutionDraft::validate` sorts
/// them.
pub fn region_tags(code: &str) -> Vec<RegionTag> {
    let mut tags: Vec<RegionTag> = [
        (SCO, RegionTag::Sco),
        (BELT_AND_ROAD, RegionTag::BeltAndRoad),
        (EU, RegionTag::Eu),
        (ASEAN, RegionTag::Asean),
        (BRICS, RegionTag::Brics),
    ]
    .into_iter()
    .filter(|(members, _)| members.contains(&code))
    .map(|(_, tag)| tag)
    .collect();
    tags.sort();
    tags
}

/// Every city of the table with its country, in table order.
pub fn all_cities() -> Vec<(&'static Country, &'static str, &'static str)> {
    COUNTRIES
        .iter()
        .flat_map(|c| c.cities.iter().map(move |(en, zh)| (c, *en, *zh)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use liaison_domain::CountryCode;

    use super::*;

    #[test]
    fn codes_are_valid_and_listed_once() {
        let codes: BTreeSet<&str> = COUNTRIES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), COUNTRIES.len());
        for code in codes
            .iter()
            .chain(SCO)
            .chain(EU)
            .chain(ASEAN)
            .chain(BRICS)
            .chain(BELT_AND_ROAD)
        {
            assert!(CountryCode::parse(code).is_some(), "{code}");
        }
        assert_eq!(EU.len(), 27);
    }

    #[test]
    fn every_country_has_cities_with_distinct_names() {
        let cities = all_cities();
        for c in COUNTRIES {
            assert!((1..=4).contains(&c.cities.len()), "{}", c.code);
        }
        let en: BTreeSet<&str> = cities.iter().map(|(_, en, _)| *en).collect();
        let zh: BTreeSet<&str> = cities.iter().map(|(_, _, zh)| *zh).collect();
        assert_eq!(en.len(), cities.len());
        assert_eq!(zh.len(), cities.len());
    }

    #[test]
    fn tags_follow_membership() {
        assert_eq!(region_tags("KZ"), [RegionTag::Sco, RegionTag::BeltAndRoad]);
        assert_eq!(
            region_tags("MY"),
            [RegionTag::BeltAndRoad, RegionTag::Asean]
        );
        assert_eq!(region_tags("CN"), [RegionTag::Sco, RegionTag::Brics]);
        assert_eq!(region_tags("HU"), [RegionTag::BeltAndRoad, RegionTag::Eu]);
        assert!(region_tags("US").is_empty());
    }
}
