//! Independent checks of a result, written for obviousness rather than speed (hash maps of
//! `(programme, student)` pairs, nothing shared with the engine): used by the tests, the property
//! tests and the benchmark.

use std::collections::HashMap;

use crate::{Allocation, Instance, Reason};

/// `(programme, student)` → the programme's 0-based rank of the student.
fn ranks(inst: &Instance) -> HashMap<(u32, u32), u32> {
    let mut ranks = HashMap::with_capacity(inst.ranking_entries());
    for p in 0..inst.programs() {
        for (r, &s) in inst.ranking(p).iter().enumerate() {
            ranks.insert((p as u32, s), r as u32);
        }
    }
    ranks
}

/// Checks that `assignment` (one entry per student) is a stable matching of `inst`: every
/// assigned pair is mutually acceptable, no programme holds more students than it has places, and
/// no student–programme pair blocks it (a student who prefers a programme that ranks them, where
/// that programme has a free place or holds someone it ranks lower).
pub fn check_stable(inst: &Instance, assignment: &[Option<u32>]) -> Result<(), String> {
    if assignment.len() != inst.students() {
        return Err(format!(
            "{} assignments for {} students",
            assignment.len(),
            inst.students()
        ));
    }
    let ranks = ranks(inst);
    let mut held = vec![0u32; inst.programs()];
    let mut worst: Vec<Option<u32>> = vec![None; inst.programs()];
    for (s, a) in assignment.iter().enumerate() {
        let Some(p) = *a else { continue };
        if p as usize >= inst.programs() {
            return Err(format!(
                "student {s} is assigned to programme {p}, which does not exist"
            ));
        }
        if !inst.prefs(s).contains(&p) {
            return Err(format!(
                "student {s} is assigned to programme {p}, which they did not list"
            ));
        }
        let Some(&r) = ranks.get(&(p, s as u32)) else {
            return Err(format!(
                "student {s} is assigned to programme {p}, which does not rank them"
            ));
        };
        held[p as usize] += 1;
        worst[p as usize] = worst[p as usize].max(Some(r));
    }
    for (p, &count) in held.iter().enumerate() {
        if count > inst.capacity(p) {
            return Err(format!(
                "programme {p} holds {count} students but has {} places",
                inst.capacity(p)
            ));
        }
    }
    for (s, a) in assignment.iter().enumerate() {
        for &p in inst.prefs(s) {
            if Some(p) == *a {
                break;
            }
            let Some(&r) = ranks.get(&(p, s as u32)) else {
                continue;
            };
            let full = held[p as usize] == inst.capacity(p as usize);
            let prefers_its_own = worst[p as usize].is_none_or(|w| w < r);
            if !(full && prefers_its_own) {
                return Err(format!(
                    "student {s} and programme {p} block: the student prefers it to {a:?} and it {}",
                    if full { "holds someone it ranks lower" } else { "has a free place" }
                ));
            }
        }
    }
    Ok(())
}

/// Checks that the cut-offs and explanations of `alloc` tell the truth about its matching: a
/// programme has a cut-off exactly when it is full (with places), equal to the rank of the last
/// student it admitted; and each student is explained exactly the programmes they listed above
/// the one they got, each with the right reason.
pub fn check_explanations(inst: &Instance, alloc: &Allocation) -> Result<(), String> {
    let ranks = ranks(inst);
    let assignment: Vec<Option<u32>> = alloc.assignments().collect();
    let mut held = vec![0u32; inst.programs()];
    let mut worst = vec![0u32; inst.programs()];
    for (s, a) in assignment.iter().enumerate() {
        if let Some(p) = *a {
            held[p as usize] += 1;
            worst[p as usize] = worst[p as usize].max(ranks[&(p, s as u32)] + 1);
        }
    }
    for p in 0..inst.programs() {
        if alloc.filled(p) != held[p] {
            return Err(format!(
                "programme {p}: filled {} but holds {}",
                alloc.filled(p),
                held[p]
            ));
        }
        let full = inst.capacity(p) > 0 && held[p] == inst.capacity(p);
        let expected = full.then_some(worst[p]);
        if alloc.cutoff(p) != expected {
            return Err(format!(
                "programme {p}: cut-off {:?}, expected {expected:?}",
                alloc.cutoff(p)
            ));
        }
    }
    for (s, a) in assignment.iter().enumerate() {
        let above: Vec<u32> = inst
            .prefs(s)
            .iter()
            .copied()
            .take_while(|&p| Some(p) != *a)
            .collect();
        let explained: Vec<_> = alloc.explain(inst, s).collect();
        if explained
            .iter()
            .map(|e| e.program)
            .ne(above.iter().copied())
        {
            return Err(format!(
                "student {s}: explains {explained:?}, but listed {above:?} above {a:?}"
            ));
        }
        for e in explained {
            let p = e.program as usize;
            let expected = match ranks.get(&(e.program, s as u32)) {
                None => Reason::NotRanked,
                Some(_) if inst.capacity(p) == 0 => Reason::NoPlaces,
                Some(&r) => Reason::Full {
                    cutoff: worst[p],
                    rank: r + 1,
                },
            };
            if e.reason != expected {
                return Err(format!(
                    "student {s}, programme {p}: reason {:?}, expected {expected:?}",
                    e.reason
                ));
            }
            if let Reason::Full { cutoff, rank } = e.reason {
                if held[p] != inst.capacity(p) || cutoff >= rank {
                    return Err(format!("student {s}, programme {p}: told it is full with cut-off {cutoff} above rank {rank}, but it is not"));
                }
            }
        }
    }
    Ok(())
}
