//! Explained talent matching (人才匹配): a score per (position, student) that anyone can
//! recompute by hand, with every component listed.
//!
//! The score is a whole number of points out of [`MAX_POINTS`] (1000), the sum of five parts:
//!
//! | criterion | points | how |
//! | --- | --- | --- |
//! | required skills | 500 | mean over the required skills of `min(held, wanted) / wanted` |
//! | preferred skills | 200 | the same over the preferred skills |
//! | major | 150 | the student's major is one the position lists (or it lists none) |
//! | language | 100 | the student's CEFR level in the working language over the level wanted (capped) |
//! | availability | 50 | available by the start date (or no dates given) |
//!
//! Each part is rounded down on its own, so the parts always add up to the total. A student who
//! holds none of the skills wanted is not a candidate at all. Ties are broken by the lower
//! profile id, so the order is deterministic. [`TalentPool`] finds the top candidates through an
//! inverted index over skills (only students sharing a skill are scored); [`rank`] scores every
//! pair and gives the same result.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde::Serialize;

use crate::enterprise::{Cefr, LanguageSkill, PositionDraft, SkillProfileDraft};
use crate::text::LocalizedText;
use crate::Id;

pub const W_REQUIRED: u32 = 500;
pub const W_PREFERRED: u32 = 200;
pub const W_MAJOR: u32 = 150;
pub const W_LANGUAGE: u32 = 100;
pub const W_AVAILABILITY: u32 = 50;
pub const MAX_POINTS: u32 = W_REQUIRED + W_PREFERRED + W_MAJOR + W_LANGUAGE + W_AVAILABILITY;

/// Levels run 1..=4; credits are counted in twelfths so that every ratio is a whole number.
const TWELFTHS: u32 = 12;

string_enum!(
    /// One part of the score.
    Criterion, "criterion" {
        RequiredSkills => "required_skills",
        PreferredSkills => "preferred_skills",
        Major => "major",
        Language => "language",
        Availability => "availability",
    }
);

impl Criterion {
    pub fn weight(self) -> u32 {
        match self {
            Criterion::RequiredSkills => W_REQUIRED,
            Criterion::PreferredSkills => W_PREFERRED,
            Criterion::Major => W_MAJOR,
            Criterion::Language => W_LANGUAGE,
            Criterion::Availability => W_AVAILABILITY,
        }
    }

    pub fn label(self) -> LocalizedText {
        let (en, zh) = match self {
            Criterion::RequiredSkills => ("Required skills", "必备技能"),
            Criterion::PreferredSkills => ("Preferred skills", "优先技能"),
            Criterion::Major => ("Major", "专业"),
            Criterion::Language => ("Language", "语言"),
            Criterion::Availability => ("Availability", "到岗时间"),
        };
        LocalizedText::bilingual(en, zh)
    }
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    pub criterion: Criterion,
    pub label: LocalizedText,
    pub points: u32,
    pub max_points: u32,
    /// What counted (skills held with `held/wanted` levels, the major, the language level).
    pub matched: Vec<String>,
    /// What was wanted and missing or short.
    pub missing: Vec<String>,
}

/// A score with its breakdown; `components` add up to `score`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub score: u32,
    pub max_points: u32,
    pub components: Vec<Component>,
}

/// Credit for one skill, in twelfths: `min(held, wanted) / wanted`.
pub fn skill_credit(held: u8, wanted: u8) -> u32 {
    let wanted = wanted.max(1) as u32;
    (held as u32).min(wanted) * TWELFTHS / wanted
}

/// Points for a group of `n` skills whose credits sum to `credits`; no skills: full points.
pub fn skill_points(credits: u32, n: u32, weight: u32) -> u32 {
    if n == 0 {
        weight
    } else {
        weight * credits / (TWELFTHS * n)
    }
}

pub fn major_points(wanted: &[String], major: Option<&str>) -> u32 {
    if wanted.is_empty() || major.is_some_and(|m| wanted.iter().any(|w| w == m)) {
        W_MAJOR
    } else {
        0
    }
}

pub fn language_points(language: Option<&str>, level: Option<Cefr>, held: &[LanguageSkill]) -> u32 {
    let Some(language) = language else {
        return W_LANGUAGE;
    };
    let Some(have) = held.iter().find(|l| l.language == language) else {
        return 0;
    };
    match level {
        None => W_LANGUAGE,
        Some(want) => W_LANGUAGE * have.level.rank().min(want.rank()) / want.rank(),
    }
}

pub fn availability_points(start_on: Option<time::Date>, from: Option<time::Date>) -> u32 {
    match (start_on, from) {
        (Some(start), Some(from)) if from > start => 0,
        _ => W_AVAILABILITY,
    }
}

/// The score of one pair with its breakdown; `None` when the student holds none of the skills
/// the position wants (not a candidate).
pub fn explain(position: &PositionDraft, profile: &SkillProfileDraft) -> Option<Explanation> {
    let mut shared = false;
    let mut parts = Vec::with_capacity(5);
    for (criterion, required) in [
        (Criterion::RequiredSkills, true),
        (Criterion::PreferredSkills, false),
    ] {
        let mut credits = 0;
        let mut n = 0;
        let mut matched = Vec::new();
        let mut missing = Vec::new();
        for w in position.skills.iter().filter(|s| s.required == required) {
            n += 1;
            let held = profile.level_of(&w.skill);
            credits += skill_credit(held, w.level);
            if held > 0 {
                shared = true;
            }
            if held >= w.level {
                matched.push(format!("{} {held}/{}", w.skill, w.level));
            } else if held > 0 {
                matched.push(format!("{} {held}/{}", w.skill, w.level));
                missing.push(format!("{} {held}/{}", w.skill, w.level));
            } else {
                missing.push(format!("{} 0/{}", w.skill, w.level));
            }
        }
        parts.push(Component {
            criterion,
            label: criterion.label(),
            points: skill_points(credits, n, criterion.weight()),
            max_points: criterion.weight(),
            matched,
            missing,
        });
    }
    if !shared {
        return None;
    }
    let major = major_points(&position.majors, profile.major.as_deref());
    parts.push(Component {
        criterion: Criterion::Major,
        label: Criterion::Major.label(),
        points: major,
        max_points: W_MAJOR,
        matched: profile
            .major
            .iter()
            .filter(|_| major > 0)
            .cloned()
            .collect(),
        missing: if major > 0 {
            vec![]
        } else {
            position.majors.clone()
        },
    });
    let lang = language_points(
        position.language.as_deref(),
        position.language_level,
        &profile.languages,
    );
    let held = position.language.as_deref().and_then(|l| {
        profile
            .languages
            .iter()
            .find(|h| h.language == l)
            .map(|h| format!("{} {}", h.language, h.level))
    });
    let wanted = position
        .language
        .as_deref()
        .map(|l| match position.language_level {
            Some(level) => format!("{l} {level}"),
            None => l.to_string(),
        });
    parts.push(Component {
        criterion: Criterion::Language,
        label: Criterion::Language.label(),
        points: lang,
        max_points: W_LANGUAGE,
        matched: held.into_iter().collect(),
        missing: wanted.into_iter().filter(|_| lang < W_LANGUAGE).collect(),
    });
    let avail = availability_points(position.start_on, profile.available_from);
    parts.push(Component {
        criterion: Criterion::Availability,
        label: Criterion::Availability.label(),
        points: avail,
        max_points: W_AVAILABILITY,
        matched: vec![],
        missing: profile
            .available_from
            .filter(|_| avail == 0)
            .map(crate::event::iso_date::format)
            .into_iter()
            .collect(),
    });
    Some(Explanation {
        score: parts.iter().map(|c| c.points).sum(),
        max_points: MAX_POINTS,
        components: parts,
    })
}

/// A ranked candidate (or position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ranked {
    #[serde(with = "crate::id_as_string")]
    pub id: Id,
    pub score: u32,
}

/// Higher score first, then the lower id.
fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score.cmp(&a.score).then(a.id.cmp(&b.id))
}

fn top_k(mut all: Vec<Ranked>, k: usize) -> Vec<Ranked> {
    if all.len() > k && k > 0 {
        all.select_nth_unstable_by(k - 1, order);
        all.truncate(k);
    }
    all.sort_by(order);
    all.truncate(k);
    all
}

/// The naive ranking: every profile scored in full; the top `k` candidates.
pub fn rank(
    position: &PositionDraft,
    profiles: &[(Id, &SkillProfileDraft)],
    k: usize,
) -> Vec<Ranked> {
    let all = profiles
        .iter()
        .filter_map(|(id, p)| {
            explain(position, p).map(|e| Ranked {
                id: *id,
                score: e.score,
            })
        })
        .collect();
    top_k(all, k)
}

/// For a student: the best of these positions, each scored in full.
pub fn best_positions(
    profile: &SkillProfileDraft,
    positions: &[(Id, &PositionDraft)],
    k: usize,
) -> Vec<Ranked> {
    let all = positions
        .iter()
        .filter_map(|(id, p)| {
            explain(p, profile).map(|e| Ranked {
                id: *id,
                score: e.score,
            })
        })
        .collect();
    top_k(all, k)
}

/// What scoring needs of one student besides skills, packed into one small record so that a
/// candidate costs one memory access: interned major, up to four `(language, CEFR rank)` pairs
/// (more are kept in `extra`), availability as a Julian day.
#[derive(Clone, Copy)]
struct Packed {
    major: u32,
    available: i32,
    languages: [(u16, u8); 4],
}

const NO_AVAILABILITY: i32 = i32::MIN;

/// Consenting students indexed by skill, for ranking many positions. Majors and languages are
/// interned so that scoring a candidate compares small integers, not strings.
pub struct TalentPool {
    ids: Vec<Id>,
    packed: Vec<Packed>,
    /// Languages beyond the fourth, by student index (rare).
    extra: HashMap<u32, Vec<(u16, u8)>>,
    /// skill → `(student index, level)`, by student index.
    postings: HashMap<String, Vec<(u32, u8)>>,
    major_ids: HashMap<String, u32>,
    language_ids: HashMap<String, u16>,
}

/// Reusable per-thread work space of [`TalentPool::top_with`]: per student the credits of
/// required and preferred skills (both zero: not touched yet; a credit is never zero).
pub struct Scratch {
    credits: Vec<(u32, u32)>,
    touched: Vec<u32>,
}

impl TalentPool {
    pub fn new(profiles: &[(Id, &SkillProfileDraft)]) -> TalentPool {
        let mut postings: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        let mut major_ids: HashMap<String, u32> = HashMap::new();
        let mut language_ids: HashMap<String, u16> = HashMap::new();
        let mut packed = Vec::with_capacity(profiles.len());
        let mut extra = HashMap::new();
        for (i, (_, p)) in profiles.iter().enumerate() {
            for s in &p.skills {
                if s.level > 0 {
                    postings
                        .entry(s.skill.clone())
                        .or_default()
                        .push((i as u32, s.level));
                }
            }
            let major = p.major.as_deref().map_or(u32::MAX, |m| {
                let next = major_ids.len() as u32;
                *major_ids.entry(m.to_string()).or_insert(next)
            });
            let mut languages = [(u16::MAX, 0u8); 4];
            let mut more = Vec::new();
            for (j, l) in p.languages.iter().enumerate() {
                let next = language_ids.len() as u16;
                let id = *language_ids.entry(l.language.clone()).or_insert(next);
                let entry = (id, l.level.rank() as u8);
                if j < 4 {
                    languages[j] = entry;
                } else {
                    more.push(entry);
                }
            }
            if !more.is_empty() {
                extra.insert(i as u32, more);
            }
            packed.push(Packed {
                major,
                available: p
                    .available_from
                    .map_or(NO_AVAILABILITY, |d| d.to_julian_day()),
                languages,
            });
        }
        TalentPool {
            ids: profiles.iter().map(|(id, _)| *id).collect(),
            packed,
            extra,
            postings,
            major_ids,
            language_ids,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            credits: vec![(0, 0); self.ids.len()],
            touched: Vec::new(),
        }
    }

    pub fn top(&self, position: &PositionDraft, k: usize) -> Vec<Ranked> {
        self.top_with(&mut self.scratch(), position, k)
    }

    fn language_rank(&self, i: usize, language: u16) -> Option<u32> {
        let p = &self.packed[i];
        p.languages
            .iter()
            .find(|(id, _)| *id == language)
            .or_else(|| {
                self.extra
                    .get(&(i as u32))?
                    .iter()
                    .find(|(id, _)| *id == language)
            })
            .map(|(_, rank)| *rank as u32)
    }

    /// The top `k` candidates for `position`, touching only students who share a skill. Gives
    /// exactly what [`rank`] gives.
    pub fn top_with(&self, s: &mut Scratch, position: &PositionDraft, k: usize) -> Vec<Ranked> {
        let mut n_required = 0;
        let mut n_preferred = 0;
        for w in &position.skills {
            if w.required {
                n_required += 1;
            } else {
                n_preferred += 1;
            }
            let Some(list) = self.postings.get(&w.skill) else {
                continue;
            };
            for &(i, level) in list {
                let c = &mut s.credits[i as usize];
                if *c == (0, 0) {
                    s.touched.push(i);
                }
                if w.required {
                    c.0 += skill_credit(level, w.level);
                } else {
                    c.1 += skill_credit(level, w.level);
                }
            }
        }
        // The position's majors and language, interned once (an unknown one matches nobody).
        let any_major = position.majors.is_empty();
        let majors: Vec<u32> = position
            .majors
            .iter()
            .filter_map(|m| self.major_ids.get(m).copied())
            .collect();
        let language = position
            .language
            .as_deref()
            .map(|l| self.language_ids.get(l).copied().unwrap_or(u16::MAX - 1));
        let want = position.language_level.map(Cefr::rank);
        let start = position.start_on.map(|d| d.to_julian_day());
        // A bounded heap of the best `k` (its top is the worst kept: lowest score, then highest
        // id). A candidate whose skill points plus every other point cannot beat it is skipped
        // without reading the rest of its record.
        let mut best: BinaryHeap<Reverse<(u32, Reverse<Id>)>> = BinaryHeap::with_capacity(k + 1);
        let others = W_MAJOR + W_LANGUAGE + W_AVAILABILITY;
        for &i in &s.touched {
            let i = i as usize;
            let (required, preferred) = std::mem::take(&mut s.credits[i]);
            let skills = skill_points(required, n_required, W_REQUIRED)
                + skill_points(preferred, n_preferred, W_PREFERRED);
            let id = self.ids[i];
            if k == 0 {
                continue;
            }
            if best.len() == k {
                let Reverse(worst) = *best.peek().expect("k > 0");
                if (skills + others, Reverse(id)) <= worst {
                    continue;
                }
            }
            let p = &self.packed[i];
            let major = if any_major || majors.contains(&p.major) {
                W_MAJOR
            } else {
                0
            };
            let lang = match language {
                None => W_LANGUAGE,
                Some(l) => match self.language_rank(i, l) {
                    None => 0,
                    Some(have) => match want {
                        None => W_LANGUAGE,
                        Some(want) => W_LANGUAGE * have.min(want) / want,
                    },
                },
            };
            let available = match start {
                Some(start) if p.available != NO_AVAILABILITY && p.available > start => 0,
                _ => W_AVAILABILITY,
            };
            let key = (skills + major + lang + available, Reverse(id));
            if best.len() < k {
                best.push(Reverse(key));
            } else if key > best.peek().expect("k > 0").0 {
                best.pop();
                best.push(Reverse(key));
            }
        }
        s.touched.clear();
        let mut out: Vec<Ranked> = best
            .into_iter()
            .map(|Reverse((score, Reverse(id)))| Ranked { id, score })
            .collect();
        out.sort_by(order);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enterprise::{HeldSkill, PositionKind, PositionStatus, WantedSkill};
    use crate::event::iso_date;

    fn position() -> PositionDraft {
        PositionDraft {
            institution_id: 1,
            kind: PositionKind::Internship,
            title: LocalizedText::en("NLP intern"),
            description: LocalizedText::default(),
            skills: vec![
                WantedSkill {
                    skill: "python".into(),
                    level: 3,
                    required: true,
                    free_tag: false,
                },
                WantedSkill {
                    skill: "nlp".into(),
                    level: 2,
                    required: true,
                    free_tag: false,
                },
                WantedSkill {
                    skill: "english".into(),
                    level: 2,
                    required: false,
                    free_tag: false,
                },
            ],
            majors: vec!["computer_science".into()],
            seats: 2,
            start_on: iso_date::parse("2024-07-01"),
            end_on: None,
            deadline: None,
            city: LocalizedText::default(),
            country: None,
            remote: false,
            language: Some("en".into()),
            language_level: Some(Cefr::B2),
            status: PositionStatus::Open,
            vetting_note: LocalizedText::default(),
            event_id: None,
        }
    }

    fn student(skills: &[(&str, u8)], major: &str, english: Option<Cefr>) -> SkillProfileDraft {
        SkillProfileDraft {
            person_id: 1,
            major: Some(major.into()),
            year_of_study: Some(3),
            skills: skills
                .iter()
                .map(|(s, l)| HeldSkill {
                    skill: s.to_string(),
                    level: *l,
                    free_tag: false,
                })
                .collect(),
            languages: english
                .map(|level| LanguageSkill {
                    language: "en".into(),
                    level,
                })
                .into_iter()
                .collect(),
            interests: LocalizedText::default(),
            available_from: iso_date::parse("2024-06-01"),
            consent: true,
        }
    }

    #[test]
    fn a_worked_example_anyone_can_recompute() {
        let s = student(&[("python", 2), ("nlp", 2)], "journalism", Some(Cefr::B1));
        let e = explain(&position(), &s).unwrap();
        // Required: python 2/3 → 8 twelfths, nlp 2/2 → 12 twelfths; 500 × 20 / 24 = 416.
        assert_eq!(e.components[0].points, 416);
        assert_eq!(e.components[1].points, 0, "no English skill");
        assert_eq!(e.components[2].points, 0, "journalism is not wanted");
        // Language: B1 (3) of B2 (4) → 100 × 3 / 4 = 75.
        assert_eq!(e.components[3].points, 75);
        assert_eq!(e.components[4].points, 50);
        assert_eq!(e.score, 541);
    }

    #[test]
    fn the_explanation_sums_to_the_score() {
        for skills in [
            &[("python", 1)][..],
            &[("python", 4), ("nlp", 1), ("english", 3)][..],
            &[("nlp", 3)][..],
        ] {
            for major in ["computer_science", "english"] {
                let e = explain(&position(), &student(skills, major, Some(Cefr::C1))).unwrap();
                assert_eq!(e.components.iter().map(|c| c.points).sum::<u32>(), e.score);
                assert!(e.score <= MAX_POINTS);
                assert!(e.components.iter().all(|c| c.points <= c.max_points));
            }
        }
    }

    #[test]
    fn no_shared_skill_no_candidate() {
        let s = student(&[("photography", 4)], "computer_science", Some(Cefr::C2));
        assert!(explain(&position(), &s).is_none());
    }

    #[test]
    fn the_score_is_monotone_in_each_level() {
        let p = position();
        for skill in ["python", "nlp", "english"] {
            let mut last = 0;
            for level in 1..=4 {
                let s = student(&[(skill, level), ("python", 1)], "english", None);
                let mut s = s;
                s.skills.dedup_by(|a, b| a.skill == b.skill);
                let score = explain(&p, &s).unwrap().score;
                assert!(score >= last, "{skill} at {level}: {score} < {last}");
                last = score;
            }
        }
        let mut last = 0;
        for level in Cefr::ALL {
            let s = student(&[("python", 2)], "english", Some(*level));
            let score = explain(&p, &s).unwrap().score;
            assert!(score >= last);
            last = score;
        }
        let weak = explain(&p, &student(&[("python", 2)], "english", None)).unwrap();
        let major = explain(&p, &student(&[("python", 2)], "computer_science", None)).unwrap();
        assert!(major.score > weak.score);
    }

    #[test]
    fn ties_go_to_the_lower_id_and_the_index_agrees_with_all_pairs() {
        let a = student(
            &[("python", 3), ("nlp", 2), ("english", 2)],
            "computer_science",
            Some(Cefr::B2),
        );
        let b = a.clone();
        let c = student(&[("nlp", 1)], "english", None);
        let d = student(&[("video_editing", 4)], "journalism", None);
        let profiles = vec![(9, &a), (4, &b), (7, &c), (2, &d)];
        let naive = rank(&position(), &profiles, 10);
        assert_eq!(
            naive,
            vec![
                Ranked { id: 4, score: 1000 },
                Ranked { id: 9, score: 1000 },
                Ranked {
                    id: 7,
                    score: explain(&position(), &c).unwrap().score
                },
            ]
        );
        let pool = TalentPool::new(&profiles);
        assert_eq!(pool.top(&position(), 10), naive);
        assert_eq!(pool.top(&position(), 1), naive[..1]);
        // Many generated students: the index and all pairs agree, with the scratch reused.
        let skills = ["python", "nlp", "english", "sql", "speech"];
        let many: Vec<SkillProfileDraft> = (0..300u32)
            .map(|i| {
                let held: Vec<(&str, u8)> = (0..3)
                    .map(|j| {
                        (
                            skills[((i * 7 + j * 3) % 5) as usize],
                            ((i + j) % 4 + 1) as u8,
                        )
                    })
                    .collect();
                let mut s = student(
                    &held,
                    if i % 3 == 0 {
                        "computer_science"
                    } else {
                        "english"
                    },
                    Cefr::ALL.get((i % 7) as usize).copied(),
                );
                s.skills.sort_by(|a, b| a.skill.cmp(&b.skill));
                s.skills.dedup_by(|a, b| a.skill == b.skill);
                s
            })
            .collect();
        let refs: Vec<(Id, &SkillProfileDraft)> =
            many.iter().enumerate().map(|(i, s)| (i as Id, s)).collect();
        let pool = TalentPool::new(&refs);
        let mut scratch = pool.scratch();
        for _ in 0..2 {
            assert_eq!(
                pool.top_with(&mut scratch, &position(), 20),
                rank(&position(), &refs, 20)
            );
        }
    }

    #[test]
    fn best_positions_for_a_student() {
        let s = student(&[("python", 3)], "computer_science", Some(Cefr::C1));
        let p = position();
        let mut q = position();
        q.skills.truncate(1);
        let ranked = best_positions(&s, &[(1, &p), (2, &q)], 5);
        assert_eq!(ranked[0].id, 2);
        assert!(ranked[0].score > ranked[1].score);
    }
}
