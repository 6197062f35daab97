//! Talent-matching benchmark (issue 10): 100,000 students × 5,000 positions, the top 20
//! candidates of every position through the inverted skill index on two threads, compared with
//! naive all-pairs scoring of a sample of positions (extrapolated) in the same run.
//!
//! `cargo run --release -p liaison-domain --example matching_bench -- [STUDENTS] [POSITIONS] [NAIVE_SAMPLE]`

use std::time::Instant;

use liaison_domain::enterprise::{
    Cefr, HeldSkill, LanguageSkill, PositionDraft, SkillProfileDraft, WantedSkill, MAJORS, SKILLS,
};
use liaison_domain::matching::{rank, Ranked, TalentPool};
use liaison_domain::{Id, LocalizedText, PositionKind, PositionStatus};

/// splitmix64, as in the demo data: the same instance on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The shipped vocabulary plus free tags: 200 skills in all.
fn vocabulary() -> Vec<String> {
    let mut v: Vec<String> = SKILLS.iter().map(|(c, _, _)| c.to_string()).collect();
    while v.len() < 200 {
        v.push(format!("tag{}", v.len()));
    }
    v
}

fn students(n: usize, vocab: &[String], rng: &mut Rng) -> Vec<SkillProfileDraft> {
    (0..n)
        .map(|_| {
            let mut skills: Vec<HeldSkill> = Vec::new();
            for _ in 0..(3 + rng.below(6)) {
                let s = &vocab[rng.below(vocab.len())];
                if !skills.iter().any(|h| &h.skill == s) {
                    skills.push(HeldSkill {
                        skill: s.clone(),
                        level: 1 + rng.below(4) as u8,
                        free_tag: true,
                    });
                }
            }
            SkillProfileDraft {
                person_id: 0,
                major: Some(MAJORS[rng.below(MAJORS.len())].0.to_string()),
                year_of_study: Some(2),
                skills,
                languages: vec![LanguageSkill {
                    language: "en".into(),
                    level: Cefr::ALL[rng.below(6)],
                }],
                interests: LocalizedText::default(),
                available_from: None,
                consent: true,
            }
        })
        .collect()
}

fn positions(n: usize, vocab: &[String], rng: &mut Rng) -> Vec<PositionDraft> {
    (0..n)
        .map(|_| {
            let mut skills: Vec<WantedSkill> = Vec::new();
            for j in 0..(2 + rng.below(4)) {
                let s = &vocab[rng.below(vocab.len())];
                if !skills.iter().any(|w| &w.skill == s) {
                    skills.push(WantedSkill {
                        skill: s.clone(),
                        level: 1 + rng.below(4) as u8,
                        required: j < 2,
                        free_tag: true,
                    });
                }
            }
            PositionDraft {
                institution_id: 1,
                kind: PositionKind::Internship,
                title: LocalizedText::en("position"),
                description: LocalizedText::default(),
                skills,
                majors: vec![MAJORS[rng.below(MAJORS.len())].0.to_string()],
                seats: 1,
                start_on: None,
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
        })
        .collect()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_students = args.first().copied().unwrap_or(100_000);
    let n_positions = args.get(1).copied().unwrap_or(5_000);
    let sample = args.get(2).copied().unwrap_or(50).min(n_positions);
    let k = 20;
    let vocab = vocabulary();
    let mut rng = Rng(20240312);
    let studs = students(n_students, &vocab, &mut rng);
    let posts = positions(n_positions, &vocab, &mut rng);
    let refs: Vec<(Id, &SkillProfileDraft)> = studs
        .iter()
        .enumerate()
        .map(|(i, s)| (i as Id, s))
        .collect();

    let started = Instant::now();
    let pool = TalentPool::new(&refs);
    let built = started.elapsed();
    let threads = 2;
    let chunk = n_positions.div_ceil(threads);
    let results: Vec<Vec<Vec<Ranked>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = posts
            .chunks(chunk)
            .map(|part| {
                let pool = &pool;
                scope.spawn(move || {
                    let mut scratch = pool.scratch();
                    part.iter()
                        .map(|p| pool.top_with(&mut scratch, p, k))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let indexed = started.elapsed();
    let all: Vec<&Vec<Ranked>> = results.iter().flatten().collect();

    let naive_started = Instant::now();
    for (i, p) in posts.iter().take(sample).enumerate() {
        let naive = rank(p, &refs, k);
        assert_eq!(&naive, all[i], "index and all pairs agree on position {i}");
    }
    let naive = naive_started.elapsed();
    let naive_total = naive.as_secs_f64() * n_positions as f64 / sample.max(1) as f64;
    println!(
        "talent matching: {n_students} students × {n_positions} positions, top {k} each, {} skills",
        vocab.len()
    );
    println!("index build: {:.3} s", built.as_secs_f64());
    println!(
        "indexed, {threads} threads, total: {:.3} s",
        indexed.as_secs_f64()
    );
    println!(
        "naive all pairs, 1 thread: {:.3} s for {sample} positions → {:.1} s extrapolated to {n_positions}",
        naive.as_secs_f64(),
        naive_total
    );
    println!(
        "ratio naive / indexed: {:.1}×",
        naive_total / indexed.as_secs_f64()
    );
}
