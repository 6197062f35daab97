//! Fictional people's names, and the ASCII folding used for web addresses and e-mails.
//!
//! Each language region has a few common given and family names; the generator combines them at
//! random, so the contacts are made up. Any match with a real person is a coincidence.

use crate::rng::Rng;

/// Given and family names of one language region.
pub struct NamePool {
    pub given_female: &'static [&'static str],
    pub given_male: &'static [&'static str],
    pub family: &'static [&'static str],
    /// Female forms of `family`, index for index, where surnames change with gender (Russian,
    /// Polish, Lithuanian ...); empty where they do not.
    pub family_female: &'static [&'static str],
    /// Whether the family name comes first in the usual English rendering (Vietnamese, Korean ...).
    pub family_first: bool,
}

/// How contacts in a country are named.
pub enum Names {
    /// Pinyin and Chinese characters.
    Chinese,
    Pool(&'static NamePool),
}

/// A generated person's name and the local part of their e-mail address.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonName {
    pub en: String,
    pub zh: Option<String>,
    pub email_local: String,
}

/// `(pinyin, characters)`.
#[rustfmt::skip]
const CHINESE_FAMILY: &[(&str, &str)] = &[
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Zhao", "赵"), ("Huang", "黄"), ("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"),
    ("Hu", "胡"), ("Zhu", "朱"), ("Gao", "高"), ("Lin", "林"), ("He", "何"), ("Guo", "郭"),
];
#[rustfmt::skip]
const CHINESE_GIVEN: &[(&str, &str)] = &[
    ("Fang", "芳"), ("Wei", "伟"), ("Jing", "静"), ("Lei", "磊"), ("Haoran", "浩然"), ("Yutong", "雨桐"),
    ("Zihan", "子涵"), ("Xin", "欣"), ("Tao", "涛"), ("Min", "敏"), ("Jiayi", "佳怡"), ("Yifan", "一帆"),
    ("Ruoxi", "若曦"), ("Chen", "晨"), ("Mingyu", "明宇"), ("Shuang", "爽"), ("Kai", "凯"), ("Wenjing", "文静"),
];

macro_rules! pool {
    ($name:ident: f[$($f:literal),*] m[$($m:literal),*] family[$($fam:literal),*] $(female[$($ff:literal),*])? $(, $first:ident)?) => {
        pub const $name: NamePool = NamePool {
            given_female: &[$($f),*],
            given_male: &[$($m),*],
            family: &[$($fam),*],
            family_female: &[$($($ff),*)?],
            family_first: pool!(@first $($first)?),
        };
    };
    (@first family_first) => { true };
    (@first) => { false };
}

pool!(RUSSIAN: f["Anna", "Elena", "Maria", "Olga", "Natalia", "Irina"] m["Alexei", "Dmitry", "Ivan", "Sergei", "Nikolai", "Pavel"]
    family["Ivanov", "Smirnov", "Volkov", "Sokolov", "Morozov", "Kuznetsov", "Lebedev", "Orlov"]
    female["Ivanova", "Smirnova", "Volkova", "Sokolova", "Morozova", "Kuznetsova", "Lebedeva", "Orlova"]);
pool!(UKRAINIAN: f["Oksana", "Olena", "Iryna", "Khrystyna"] m["Andriy", "Taras", "Dmytro", "Oleksandr"]
    family["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchuk"]);
pool!(BULGARIAN: f["Maria", "Elena", "Petya", "Desislava"] m["Georgi", "Dimitar", "Nikolay", "Stoyan"]
    family["Ivanov", "Georgiev", "Dimitrov", "Petrov", "Nikolov", "Stoyanov"]
    female["Ivanova", "Georgieva", "Dimitrova", "Petrova", "Nikolova", "Stoyanova"]);
pool!(CENTRAL_ASIAN: f["Aigerim", "Dinara", "Gulnara", "Madina", "Saule", "Zarina"] m["Nurlan", "Marat", "Timur", "Rustam", "Daniyar", "Azamat"]
    family["Sadykov", "Abdullaev", "Akhmetov", "Ismailov", "Yusupov", "Nurlanov", "Bekov", "Omarov"]
    female["Sadykova", "Abdullaeva", "Akhmetova", "Ismailova", "Yusupova", "Nurlanova", "Bekova", "Omarova"]);
pool!(MONGOLIAN: f["Enkhjargal", "Oyunchimeg", "Sarangerel", "Nomin"] m["Bat-Erdene", "Ganbaatar", "Tuvshin", "Temuulen"]
    family["Dorj", "Bold", "Batsaikhan", "Ganzorig", "Tsogt", "Purev"]);
pool!(GEORGIAN: f["Nino", "Tamar", "Ana", "Mariam"] m["Giorgi", "Levan", "Davit", "Irakli"]
    family["Beridze", "Kapanadze", "Gelashvili", "Maisuradze", "Lomidze", "Tsiklauri"]);
pool!(ARMENIAN: f["Anahit", "Lilit", "Mariam", "Nare"] m["Aram", "Narek", "Armen", "Tigran"]
    family["Hakobyan", "Harutyunyan", "Grigoryan", "Petrosyan", "Vardanyan", "Mkrtchyan"]);
pool!(TURKISH: f["Ayşe", "Elif", "Zeynep", "Selin"] m["Mehmet", "Emre", "Can", "Burak"]
    family["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın"]);
pool!(PERSIAN: f["Maryam", "Zahra", "Narges", "Sara"] m["Reza", "Ali", "Amir", "Hossein"]
    family["Hosseini", "Ahmadi", "Rezaei", "Mohammadi", "Karimi", "Moradi"]);
pool!(INDIAN: f["Priya", "Ananya", "Kavya", "Deepa"] m["Rahul", "Arjun", "Vikram", "Sanjay"]
    family["Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair"]);
pool!(SOUTH_ASIAN_MUSLIM: f["Ayesha", "Fatima", "Sana", "Nusrat"] m["Imran", "Tariq", "Arif", "Faisal"]
    family["Khan", "Ahmed", "Rahman", "Hossain", "Malik", "Qureshi"]);
pool!(NEPALI: f["Sita", "Anita", "Sunita", "Pooja"] m["Ram", "Bikash", "Prakash", "Sagar"]
    family["Sharma", "Shrestha", "Adhikari", "Thapa", "Gurung", "Karki"]);
pool!(SINHALA: f["Kumari", "Dilani", "Ishara", "Nadeesha"] m["Nimal", "Sunil", "Chaminda", "Ruwan"]
    family["Perera", "Fernando", "Silva", "Jayasinghe", "Wickramasinghe", "Bandara"]);
pool!(MALAY: f["Nurul", "Siti", "Aisyah", "Farah"] m["Ahmad", "Hafiz", "Farid", "Amir"]
    family["Ismail", "Rahman", "Abdullah", "Hassan", "Yusof", "Ibrahim"]);
pool!(INDONESIAN: f["Siti", "Dewi", "Rina", "Putri"] m["Budi", "Agus", "Hendra", "Rizky"]
    family["Santoso", "Wijaya", "Hidayat", "Saputra", "Kusuma", "Pratama"]);
pool!(THAI: f["Siriporn", "Kanya", "Ploy", "Naree"] m["Somchai", "Niran", "Anan", "Kittisak"]
    family["Srisuk", "Wongsawat", "Chaiyaporn", "Boonmee", "Rattanakul", "Sukprasert"]);
pool!(VIETNAMESE: f["Thi Lan", "Thu Ha", "Thi Hoa", "Ngoc Anh"] m["Van An", "Minh Tuan", "Duc Anh", "Quang Huy"]
    family["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"], family_first);
pool!(FILIPINO: f["Maria", "Angelica", "Kristine", "Patricia"] m["Jose", "Mark", "Paolo", "Miguel"]
    family["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"]);
pool!(KHMER: f["Sophea", "Chenda", "Sreymom", "Bopha"] m["Dara", "Vannak", "Rith", "Sokha"]
    family["Sok", "Chan", "Keo", "Heng", "Meas", "Chea"], family_first);
pool!(LAO: f["Khamla", "Noy", "Manivanh", "Souksavanh"] m["Somphone", "Bounmy", "Khampheng", "Vilay"]
    family["Phommachanh", "Sisouk", "Vongsa", "Keomany", "Inthavong", "Souvannavong"]);
pool!(BURMESE: f["Thandar", "Su Myat", "Hnin Wai", "Nandar"] m["Aung Ko", "Kyaw Zin", "Min Thu", "Zaw Lin"]
    family["Win", "Htun", "Myint", "Oo", "Naing", "Aye"]);
pool!(JAPANESE: f["Yuki", "Aoi", "Yui", "Haruka"] m["Haruto", "Sota", "Ren", "Kenji"]
    family["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"]);
pool!(KOREAN: f["Seo-yeon", "Ha-eun", "Su-bin", "Ji-won"] m["Min-jun", "Ji-ho", "Do-yun", "Seung-hyun"]
    family["Kim", "Lee", "Park", "Choi", "Jung", "Kang"], family_first);
pool!(ARABIC: f["Fatima", "Layla", "Mariam", "Noura"] m["Ahmed", "Omar", "Youssef", "Khaled"]
    family["Hassan", "Al-Sayed", "Mansour", "Haddad", "Khalil", "Nasser"]);
pool!(MAGHREB: f["Salma", "Imane", "Nadia", "Yasmine"] m["Karim", "Mehdi", "Youssef", "Amine"]
    family["El Amrani", "Benali", "Alaoui", "Bennani", "Mansouri", "Haddad"]);
pool!(ETHIOPIAN: f["Meron", "Selam", "Hanna", "Tigist"] m["Abebe", "Dawit", "Tesfaye", "Yonas"]
    family["Bekele", "Tadesse", "Girma", "Haile", "Alemu", "Kebede"]);
pool!(EAST_AFRICAN: f["Grace", "Faith", "Mercy", "Neema"] m["Brian", "Daniel", "Joseph", "Baraka"]
    family["Kamau", "Otieno", "Mwangi", "Ochieng", "Njoroge", "Mushi"]);
pool!(NIGERIAN: f["Ngozi", "Aisha", "Funmilayo", "Chiamaka"] m["Chinedu", "Emeka", "Oluwaseun", "Ibrahim"]
    family["Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Afolabi"]);
pool!(GHANAIAN: f["Ama", "Akosua", "Abena", "Efua"] m["Kwame", "Kofi", "Yaw", "Kwabena"]
    family["Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah"]);
pool!(SENEGALESE: f["Aminata", "Fatou", "Awa", "Mariama"] m["Moussa", "Ibrahima", "Cheikh", "Mamadou"]
    family["Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Ba"]);
pool!(SOUTH_AFRICAN: f["Naledi", "Lerato", "Anika", "Zanele"] m["Thabo", "Sipho", "Johan", "Pieter"]
    family["Nkosi", "Dlamini", "Mokoena", "van der Merwe", "Naidoo", "Botha"]);
pool!(ZAMBIAN: f["Mutale", "Grace", "Natasha", "Mwape"] m["Mwila", "Chanda", "Bwalya", "Joseph"]
    family["Banda", "Phiri", "Mulenga", "Zulu", "Tembo", "Mwanza"]);
pool!(GERMAN: f["Anna", "Lena", "Sophie", "Katharina"] m["Lukas", "Jonas", "Felix", "Thomas"]
    family["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"]);
pool!(DUTCH: f["Sanne", "Lotte", "Eva", "Fleur"] m["Daan", "Bram", "Pieter", "Jeroen"]
    family["de Vries", "Jansen", "Bakker", "Visser", "Peeters", "Maes"]);
pool!(FRENCH: f["Camille", "Chloé", "Léa", "Claire"] m["Louis", "Hugo", "Julien", "Nicolas"]
    family["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre"]);
pool!(ITALIAN: f["Giulia", "Chiara", "Francesca", "Sara"] m["Marco", "Luca", "Matteo", "Alessandro"]
    family["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"]);
pool!(SPANISH: f["Lucía", "Carmen", "Marta", "Elena"] m["Javier", "Pablo", "Alejandro", "Carlos"]
    family["García", "Fernández", "López", "Martínez", "Sánchez", "Romero"]);
pool!(LATIN_AMERICAN: f["Sofía", "Valentina", "Camila", "Daniela"] m["Mateo", "Santiago", "Diego", "Andrés"]
    family["González", "Rodríguez", "Pérez", "Gómez", "Díaz", "Torres"]);
pool!(PORTUGUESE: f["Ana", "Beatriz", "Mariana", "Juliana"] m["João", "Pedro", "Tiago", "Rafael"]
    family["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa"]);
pool!(POLISH: f["Anna", "Katarzyna", "Magdalena", "Agnieszka"] m["Piotr", "Tomasz", "Krzysztof", "Michał"]
    family["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski"]
    female["Kowalska", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowska"]);
pool!(CZECH: f["Jana", "Lucie", "Tereza", "Petra"] m["Jan", "Petr", "Martin", "Tomáš"]
    family["Novák", "Svoboda", "Dvořák", "Horák", "Král", "Kučera"]
    female["Nováková", "Svobodová", "Dvořáková", "Horáková", "Králová", "Kučerová"]);
pool!(HUNGARIAN: f["Eszter", "Réka", "Zsófia", "Anna"] m["Bence", "Dávid", "Gábor", "Péter"]
    family["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga"]);
pool!(ROMANIAN: f["Ioana", "Elena", "Maria", "Andreea"] m["Andrei", "Mihai", "Alexandru", "Radu"]
    family["Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Munteanu"]);
pool!(GREEK: f["Eleni", "Maria", "Katerina", "Sofia"] m["Giorgos", "Nikos", "Dimitris", "Kostas"]
    family["Papadopoulos", "Nikolaidis", "Pappas", "Oikonomou", "Georgiou", "Konstantinou"]
    female["Papadopoulou", "Nikolaidou", "Pappa", "Oikonomou", "Georgiou", "Konstantinou"]);
pool!(SOUTH_SLAVIC: f["Ana", "Ivana", "Jelena", "Maja"] m["Marko", "Luka", "Nikola", "Stefan"]
    family["Petrović", "Jovanović", "Horvat", "Kovačević", "Novak", "Marković"]);
pool!(LITHUANIAN: f["Rūta", "Eglė", "Ieva", "Greta"] m["Tomas", "Mantas", "Lukas", "Darius"]
    family["Kazlauskas", "Petrauskas", "Jankauskas", "Stankevičius", "Vasiliauskas", "Žukauskas"]
    female["Kazlauskienė", "Petrauskienė", "Jankauskienė", "Stankevičienė", "Vasiliauskienė", "Žukauskienė"]);
pool!(LATVIAN: f["Līga", "Ilze", "Kristīne", "Laura"] m["Jānis", "Mārtiņš", "Andris", "Edgars"]
    family["Bērziņš", "Kalniņš", "Ozols", "Jansons", "Liepiņš", "Krūmiņš"]
    female["Bērziņa", "Kalniņa", "Ozola", "Jansone", "Liepiņa", "Krūmiņa"]);
pool!(ESTONIAN: f["Kadri", "Liis", "Triin", "Kristiina"] m["Mart", "Andres", "Jaan", "Rasmus"]
    family["Tamm", "Saar", "Sepp", "Mägi", "Kask", "Rebane"]);
pool!(NORDIC: f["Ingrid", "Sofia", "Emma", "Karin"] m["Erik", "Lars", "Mikael", "Anders"]
    family["Andersson", "Nilsson", "Hansen", "Johansson", "Larsen", "Lindqvist"]);
pool!(FINNISH: f["Aino", "Laura", "Hanna", "Johanna"] m["Mikko", "Juha", "Antti", "Ville"]
    family["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Heikkinen"]);
pool!(ENGLISH: f["Emily", "Sarah", "Olivia", "Rachel"] m["James", "Daniel", "Thomas", "Michael"]
    family["Smith", "Brown", "Taylor", "Wilson", "Walker", "Clarke", "Murphy", "O'Brien"]);

/// Makes up a person's name from the country's pool.
pub fn person_name(names: &Names, rng: &mut Rng) -> PersonName {
    match names {
        Names::Chinese => {
            let (family_en, family_zh) = *rng.pick(CHINESE_FAMILY);
            let (given_en, given_zh) = *rng.pick(CHINESE_GIVEN);
            PersonName {
                en: format!("{family_en} {given_en}"),
                zh: Some(format!("{family_zh}{given_zh}")),
                email_local: format!("{}.{}", ascii_word(family_en), ascii_word(given_en)),
            }
        }
        Names::Pool(pool) => {
            let female = rng.coin();
            let given = *rng.pick(if female {
                pool.given_female
            } else {
                pool.given_male
            });
            let index = rng.below(pool.family.len());
            let family = match pool.family_female.get(index) {
                Some(form) if female => *form,
                _ => pool.family[index],
            };
            let en = if pool.family_first {
                format!("{family} {given}")
            } else {
                format!("{given} {family}")
            };
            PersonName {
                en,
                zh: None,
                email_local: format!("{}.{}", ascii_word(given), ascii_word(family)),
            }
        }
    }
}

/// The ASCII spelling of a Latin letter with diacritics, e.g. `ø` → `o`, `ß` → `ss`.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ļ' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ű' | 'ů' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Lower-case ASCII letters and digits of `text`, every other run of characters as one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = if c.is_ascii_alphanumeric() {
            None
        } else {
            fold(c)
        };
        if c.is_ascii_alphanumeric() || folded.is_some() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            match folded {
                Some(f) => out.push_str(f),
                None => out.push(c),
            }
        } else if c != '\'' && c != '’' {
            // An apostrophe joins (O'Brien → obrien); anything else separates words.
            gap = true;
        }
    }
    out
}

/// One word for an e-mail address: the slug without separators (`van der Merwe` → `vandermerwe`).
pub fn ascii_word(text: &str) -> String {
    slug(text).replace('-', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(
            slug("São Paulo University of Technology"),
            "sao-paulo-university-of-technology"
        );
        assert_eq!(slug("Kraków (Campus 2)"), "krakow-campus-2");
        assert_eq!(ascii_word("O'Brien"), "obrien");
        assert_eq!(ascii_word("Žukauskienė"), "zukauskiene");
        assert_eq!(ascii_word("Yılmaz"), "yilmaz");
    }

    #[test]
    fn female_surnames_take_the_female_form() {
        let names = Names::Pool(&RUSSIAN);
        let mut rng = Rng::new(3);
        for _ in 0..50 {
            let name = person_name(&names, &mut rng);
            let female = RUSSIAN
                .given_female
                .iter()
                .any(|g| name.en.starts_with(&format!("{g} ")));
            assert_eq!(female, name.en.ends_with('a'), "{}", name.en);
        }
    }

    #[test]
    fn pools_are_consistent() {
        for pool in crate::countries::COUNTRIES
            .iter()
            .filter_map(|c| match c.names {
                Names::Pool(p) => Some(p),
                Names::Chinese => None,
            })
        {
            assert!(
                !pool.given_female.is_empty()
                    && !pool.given_male.is_empty()
                    && !pool.family.is_empty()
            );
            assert!(pool.family_female.is_empty() || pool.family_female.len() == pool.family.len());
        }
    }
}
