//! Deterministic random instances for tests and the benchmark, shaped like a real call for
//! applications:
//!
//! - programme popularity is Zipf-distributed (weight of the `k`-th most popular ∝ `1/k^zipf`);
//! - each student lists `choices` distinct programmes, drawn by popularity, in the order drawn
//!   (popular programmes tend to come first);
//! - each programme ranks exactly the students who applied to it, by a common score (one per
//!   student: grades, language test) plus programme-specific noise, so rankings are correlated
//!   but not identical;
//! - places are spread in proportion to the square root of popularity, about `capacity_ratio`
//!   places per student in total, at least one per programme: popular programmes are heavily
//!   oversubscribed, the long tail is not.
//!
//! The same parameters always give the same instance (SplitMix64, no outside randomness).

use crate::Instance;

/// The SplitMix64 generator: tiny, fast, and good enough for test data.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What to generate; see the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub students: usize,
    pub programs: usize,
    /// Programmes each student lists (fewer if there are fewer programmes).
    pub choices: usize,
    /// Zipf exponent of programme popularity.
    pub zipf: f64,
    /// Total places per student.
    pub capacity_ratio: f64,
    /// Weight of the programme-specific noise against the common score (both uniform in [0, 1)).
    pub noise: f64,
    pub seed: u64,
}

impl Params {
    /// The benchmark's shape: `students` × 5 choices, `students / 20` programmes, Zipf 1,
    /// 0.8 places per student, noise 0.5.
    pub fn new(students: usize, seed: u64) -> Params {
        Params {
            students,
            programs: (students / 20).max(1),
            choices: 5,
            zipf: 1.0,
            capacity_ratio: 0.8,
            noise: 0.5,
            seed,
        }
    }
}

/// Generates the instance described by `params`.
pub fn generate(params: &Params) -> Instance {
    let n = params.students;
    let m = params.programs;
    let mut rng = SplitMix64::new(params.seed);
    let weights: Vec<f64> = (0..m)
        .map(|k| 1.0 / ((k + 1) as f64).powf(params.zipf))
        .collect();
    let mut cdf = Vec::with_capacity(m);
    let mut total = 0.0;
    for w in &weights {
        total += w;
        cdf.push(total);
    }
    let score: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();

    let choices = params.choices.min(m);
    let mut pref_start = Vec::with_capacity(n + 1);
    let mut prefs = Vec::with_capacity(n * choices);
    pref_start.push(0u32);
    for _ in 0..n {
        let start = prefs.len();
        while prefs.len() - start < choices {
            let x = rng.next_f64() * total;
            let p = cdf.partition_point(|&c| c <= x).min(m - 1) as u32;
            if !prefs[start..].contains(&p) {
                prefs.push(p);
            }
        }
        pref_start.push(prefs.len() as u32);
    }

    // Each programme ranks its applicants by score + noise, best first.
    let mut applicants: Vec<Vec<(f64, u32)>> = vec![Vec::new(); m];
    for s in 0..n {
        for &p in &prefs[pref_start[s] as usize..pref_start[s + 1] as usize] {
            let noise = (mix(params.seed ^ mix((u64::from(p) << 32) | s as u64)) >> 11) as f64
                / (1u64 << 53) as f64;
            applicants[p as usize].push((score[s] + params.noise * noise, s as u32));
        }
    }
    let mut rank_start = Vec::with_capacity(m + 1);
    let mut ranking = Vec::with_capacity(prefs.len());
    rank_start.push(0u32);
    for list in &mut applicants {
        list.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranking.extend(list.iter().map(|&(_, s)| s));
        rank_start.push(ranking.len() as u32);
    }
    drop(applicants);

    let roots: Vec<f64> = weights.iter().map(|w| w.sqrt()).collect();
    let root_total: f64 = roots.iter().sum();
    let places = params.capacity_ratio * n as f64;
    let capacity = roots
        .iter()
        .map(|r| ((places * r / root_total).round() as u32).max(1))
        .collect();

    Instance::from_flat(pref_start, prefs, capacity, rank_start, ranking)
        .expect("generated instances are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_params_same_instance() {
        let a = generate(&Params::new(2_000, 7));
        assert_eq!(a, generate(&Params::new(2_000, 7)));
        assert_ne!(a, generate(&Params::new(2_000, 8)));
        assert_eq!(a.students(), 2_000);
        assert_eq!(a.programs(), 100);
        assert_eq!(a.pref_entries(), 10_000);
        assert_eq!(a.ranking_entries(), 10_000);
    }

    #[test]
    fn popularity_is_skewed_and_places_are_scarce() {
        let inst = generate(&Params::new(20_000, 1));
        let applicants = |p: usize| inst.ranking(p).len();
        assert!(
            applicants(0) > 20 * applicants(500),
            "{} vs {}",
            applicants(0),
            applicants(500)
        );
        let places: u64 = (0..inst.programs())
            .map(|p| u64::from(inst.capacity(p)))
            .sum();
        assert!((15_000..=17_500).contains(&places), "{places} places");
        assert!(inst.capacity(0) < applicants(0) as u32);
    }

    #[test]
    fn tiny_instances_work() {
        let inst = generate(&Params {
            programs: 3,
            ..Params::new(4, 3)
        });
        assert_eq!(inst.students(), 4);
        assert!((0..4).all(|s| inst.prefs(s).len() == 3));
        let none = generate(&Params::new(0, 3));
        assert_eq!((none.students(), none.programs()), (0, 1));
    }
}
