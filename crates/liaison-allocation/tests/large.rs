//! Stability, cut-offs and explanations checked on large random instances (20,000 students) of
//! several shapes, and the string-id front end checked against the index-level instance.

use std::collections::HashSet;

use liaison_allocation::synthetic::{generate, Params, SplitMix64};
use liaison_allocation::{allocate, verify, Id, InputBuilder, Instance};

fn check(inst: &Instance) -> usize {
    let alloc = allocate(inst);
    let assignment: Vec<Option<u32>> = alloc.assignments().collect();
    verify::check_stable(inst, &assignment).unwrap();
    verify::check_explanations(inst, &alloc).unwrap();
    alloc.placed()
}

#[test]
fn benchmark_shaped_instances_are_stable() {
    for seed in 1..=3 {
        let inst = generate(&Params::new(20_000, seed));
        let placed = check(&inst);
        assert!((10_000..20_000).contains(&placed), "{placed} placed");
    }
}

#[test]
fn other_shapes_are_stable() {
    let shapes = [
        Params {
            zipf: 0.0,
            capacity_ratio: 0.3,
            ..Params::new(20_000, 11)
        },
        Params {
            zipf: 1.5,
            capacity_ratio: 1.5,
            noise: 3.0,
            ..Params::new(20_000, 12)
        },
        Params {
            programs: 5,
            choices: 5,
            noise: 0.0,
            ..Params::new(20_000, 13)
        },
        Params {
            programs: 4_000,
            choices: 12,
            ..Params::new(20_000, 14)
        },
    ];
    for params in &shapes {
        check(&generate(params));
    }
}

/// Random instances where many pairs are acceptable to one side only and some programmes have
/// no places: each programme ranks, in random order, about 70% of its applicants plus some
/// students who did not apply.
#[test]
fn one_sided_lists_are_stable() {
    let mut rng = SplitMix64::new(99);
    let (n, m) = (20_000usize, 800usize);
    let prefs: Vec<Vec<u32>> = (0..n)
        .map(|_| {
            let mut seen = HashSet::new();
            (0..rng.below(8))
                .map(|_| rng.below(m as u64) as u32)
                .filter(|p| seen.insert(*p))
                .collect()
        })
        .collect();
    let mut applicants = vec![Vec::new(); m];
    for (s, list) in prefs.iter().enumerate() {
        for &p in list {
            applicants[p as usize].push(s as u32);
        }
    }
    let programs: Vec<(u32, Vec<u32>)> = applicants
        .into_iter()
        .map(|applied| {
            let cap = rng.below(40) as u32;
            let mut seen = HashSet::new();
            let mut ranked: Vec<u32> = applied.into_iter().filter(|_| rng.below(10) < 7).collect();
            ranked.extend((0..20).map(|_| rng.below(n as u64) as u32));
            ranked.retain(|s| seen.insert(*s));
            for i in (1..ranked.len()).rev() {
                ranked.swap(i, rng.below(i as u64 + 1) as usize);
            }
            (cap, ranked)
        })
        .collect();
    check(&Instance::new(&prefs, &programs).unwrap());
}

#[test]
fn string_ids_give_the_same_instance() {
    let inst = generate(&Params::new(20_000, 5));
    let students: Vec<String> = (0..inst.students()).map(|s| format!("s{s}")).collect();
    let programs: Vec<String> = (0..inst.programs()).map(|p| format!("p{p}")).collect();
    let mut b = InputBuilder::new();
    // Programmes first, so every student is referenced before being defined.
    for (p, id) in programs.iter().enumerate() {
        let ranking: Vec<Id<'_>> = inst
            .ranking(p)
            .iter()
            .map(|&s| Id::from(students[s as usize].as_str()))
            .collect();
        b.add_program(Id::from(id.as_str()), i64::from(inst.capacity(p)), &ranking);
    }
    for (s, id) in students.iter().enumerate() {
        let prefs: Vec<Id<'_>> = inst
            .prefs(s)
            .iter()
            .map(|&p| Id::from(programs[p as usize].as_str()))
            .collect();
        b.add_student(Id::from(id.as_str()), &prefs);
    }
    let problem = b.finish().unwrap();
    assert_eq!(problem.instance, inst);
    assert_eq!(problem.student_ids[123], "s123");
}
