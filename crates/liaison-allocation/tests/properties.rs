//! Property tests against a brute-force oracle on tiny instances: enumerate every matching, keep
//! the stable ones, and check that the engine's result is one of them and that every student
//! weakly prefers it to every other stable matching (student-optimality). Also: explanations and
//! cut-offs tell the truth, no student gains by misreporting (strategy-proofness), and the result
//! does not depend on the order students are listed in.

use liaison_allocation::{allocate, verify, Instance};
use proptest::prelude::*;

/// Tiny instances: up to 4 students, up to 3 programmes with 0..=2 places; every list is a random
/// subset in random order, so many pairs are acceptable to one side only.
fn tiny() -> impl Strategy<Value = Instance> {
    (0..=4usize, 0..=3usize)
        .prop_flat_map(|(n, m)| {
            let list = move |len: usize| prop::collection::vec((any::<u8>(), any::<bool>()), len);
            (
                Just(m),
                prop::collection::vec(list(m), n),
                prop::collection::vec((0..=2u32, list(n)), m),
            )
        })
        .prop_map(|(_, students, programs)| {
            let order = |keys: &[(u8, bool)]| -> Vec<u32> {
                let mut idx: Vec<u32> = (0..keys.len() as u32)
                    .filter(|&i| keys[i as usize].1)
                    .collect();
                idx.sort_by_key(|&i| keys[i as usize].0);
                idx
            };
            let prefs: Vec<Vec<u32>> = students.iter().map(|k| order(k)).collect();
            let programs: Vec<(u32, Vec<u32>)> =
                programs.iter().map(|(cap, k)| (*cap, order(k))).collect();
            Instance::new(&prefs, &programs).unwrap()
        })
}

fn rank(inst: &Instance, p: u32, s: usize) -> Option<usize> {
    inst.ranking(p as usize)
        .iter()
        .position(|&x| x as usize == s)
}

/// Position of `a` in student `s`'s list: 0 is the first choice, the list's length means
/// unassigned, beyond that means a programme the student did not list at all.
fn position(inst: &Instance, s: usize, a: Option<u32>) -> usize {
    let prefs = inst.prefs(s);
    match a {
        None => prefs.len(),
        Some(p) => prefs
            .iter()
            .position(|&x| x == p)
            .unwrap_or(prefs.len() + 1),
    }
}

/// Every matching in which each student gets nothing or a mutually acceptable programme and no
/// programme exceeds its places.
fn all_matchings(inst: &Instance) -> Vec<Vec<Option<u32>>> {
    fn go(
        inst: &Instance,
        s: usize,
        held: &mut Vec<u32>,
        current: &mut Vec<Option<u32>>,
        out: &mut Vec<Vec<Option<u32>>>,
    ) {
        if s == inst.students() {
            out.push(current.clone());
            return;
        }
        current.push(None);
        go(inst, s + 1, held, current, out);
        current.pop();
        for &p in inst.prefs(s) {
            if rank(inst, p, s).is_some() && held[p as usize] < inst.capacity(p as usize) {
                held[p as usize] += 1;
                current.push(Some(p));
                go(inst, s + 1, held, current, out);
                current.pop();
                held[p as usize] -= 1;
            }
        }
    }
    let mut out = Vec::new();
    go(
        inst,
        0,
        &mut vec![0; inst.programs()],
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// The textbook definition, literally: no student s and programme p such that both list each
/// other, s prefers p to what s has, and p has a free place or holds someone it ranks below s.
fn naive_stable(inst: &Instance, m: &[Option<u32>]) -> bool {
    for s in 0..inst.students() {
        for &p in inst.prefs(s) {
            let Some(r) = rank(inst, p, s) else { continue };
            if position(inst, s, Some(p)) >= position(inst, s, m[s]) {
                continue;
            }
            let holders: Vec<usize> = (0..m.len()).filter(|&t| m[t] == Some(p)).collect();
            let free_place = (holders.len() as u32) < inst.capacity(p as usize);
            let holds_worse = holders.iter().any(|&t| rank(inst, p, t).unwrap() > r);
            if free_place || holds_worse {
                return false;
            }
        }
    }
    true
}

fn with_prefs(inst: &Instance, s: usize, list: &[u32]) -> Instance {
    let prefs: Vec<Vec<u32>> = (0..inst.students())
        .map(|t| {
            if t == s {
                list.to_vec()
            } else {
                inst.prefs(t).to_vec()
            }
        })
        .collect();
    let programs: Vec<(u32, Vec<u32>)> = (0..inst.programs())
        .map(|p| (inst.capacity(p), inst.ranking(p).to_vec()))
        .collect();
    Instance::new(&prefs, &programs).unwrap()
}

/// Every ordered list of distinct programmes out of `0..m`, the empty list included.
fn all_lists(m: u32) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new()];
    let mut frontier = vec![Vec::new()];
    for _ in 0..m {
        let mut next = Vec::new();
        for list in &frontier {
            for p in 0..m {
                if !list.contains(&p) {
                    let mut longer: Vec<u32> = list.clone();
                    longer.push(p);
                    next.push(longer);
                }
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn result_is_the_student_optimal_stable_matching(inst in tiny()) {
        let alloc = allocate(&inst);
        let got: Vec<Option<u32>> = alloc.assignments().collect();
        let all = all_matchings(&inst);
        let stable: Vec<&Vec<Option<u32>>> = all.iter().filter(|m| naive_stable(&inst, m)).collect();
        prop_assert!(!stable.is_empty(), "a stable matching always exists");
        prop_assert!(stable.contains(&&got), "not stable: {:?}", got);
        for other in &stable {
            for s in 0..inst.students() {
                prop_assert!(position(&inst, s, got[s]) <= position(&inst, s, other[s]),
                    "student {} prefers {:?} in the stable matching {:?} to {:?}", s, other[s], other, got);
            }
        }
        // The checker used on large instances agrees with the oracle on every matching.
        for m in &all {
            prop_assert_eq!(verify::check_stable(&inst, m).is_ok(), naive_stable(&inst, m), "checker disagrees on {:?}", m);
        }
        prop_assert_eq!(verify::check_explanations(&inst, &alloc), Ok(()));
        prop_assert_eq!(&allocate(&inst), &alloc, "deterministic");
    }

    #[test]
    fn no_student_gains_by_misreporting(inst in tiny()) {
        let truthful: Vec<Option<u32>> = allocate(&inst).assignments().collect();
        for (s, &honest) in truthful.iter().enumerate() {
            for list in all_lists(inst.programs() as u32) {
                let lied = allocate(&with_prefs(&inst, s, &list)).assignment(s);
                prop_assert!(position(&inst, s, honest) <= position(&inst, s, lied),
                    "student {} gets {:?} by listing {:?} instead of {:?} (truthfully {:?})", s, lied, list, inst.prefs(s), honest);
            }
        }
    }

    #[test]
    fn student_order_does_not_matter(inst in tiny()) {
        // Relabel students in reverse order; the matching must be the same, relabelled.
        let n = inst.students();
        let flip = |s: u32| n as u32 - 1 - s;
        let prefs: Vec<Vec<u32>> = (0..n).rev().map(|s| inst.prefs(s).to_vec()).collect();
        let programs: Vec<(u32, Vec<u32>)> =
            (0..inst.programs()).map(|p| (inst.capacity(p), inst.ranking(p).iter().map(|&s| flip(s)).collect())).collect();
        let reversed = allocate(&Instance::new(&prefs, &programs).unwrap());
        let direct = allocate(&inst);
        for s in 0..n {
            prop_assert_eq!(direct.assignment(s), reversed.assignment(flip(s as u32) as usize));
        }
    }
}

#[test]
fn all_lists_enumerates_ordered_subsets() {
    assert_eq!(all_lists(0), vec![Vec::<u32>::new()]);
    assert_eq!(all_lists(3).len(), 16);
}
