#!/usr/bin/env python3
"""Cross-checks `liaison allocate` against an independent implementation: the PyPI package
`matching` (HospitalResident, solved resident-optimal), on deterministic random small instances.

For each instance it runs `liaison allocate --explain`, solves the same problem with `matching`,
and compares the assignment; it also recomputes every cut-off and explanation from `matching`'s
result. Any disagreement prints the instance and both answers and exits with code 1.

Instances mix everything the contract allows: lists acceptable to one side only, programmes
with no places or more places than applicants, students with empty lists, programmes that rank
nobody, and (in some instances) ids with non-ASCII characters and JSON escapes.

Usage: crosscheck.py --liaison PATH [--count N] [--seed S]   (normally through run.sh)
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import warnings

from matching.games import HospitalResident


def random_instance(rng):
    n = rng.randint(0, 30)
    m = rng.randint(0, 8)
    style = rng.random()
    if style < 0.15:
        student_ids = [f"学生{i}" for i in range(n)]
        program_ids = [f"项目 \"{j}\"" for j in range(m)]
    else:
        student_ids = [f"s{i}" for i in range(n)]
        program_ids = [f"p{j}" for j in range(m)]
    rng.shuffle(student_ids)
    students = []
    for sid in student_ids:
        k = rng.randint(0, m)
        students.append({"id": sid, "prefs": rng.sample(program_ids, k)})
    applied = {pid: [s["id"] for s in students if pid in s["prefs"]] for pid in program_ids}
    programs = []
    for pid in program_ids:
        # Mostly applicants (each kept with probability 0.8), plus some who did not apply.
        ranked = [s for s in applied[pid] if rng.random() < 0.8]
        others = [s for s in student_ids if s not in applied[pid]]
        ranked += rng.sample(others, rng.randint(0, min(3, len(others))))
        rng.shuffle(ranked)
        capacity = rng.choice([0, 1, 1, 2, 2, 3, 4, n + 1])
        programs.append({"id": pid, "capacity": capacity, "ranking": ranked})
    rng.shuffle(programs)
    return {"students": students, "programs": programs}


def solve_with_matching(instance):
    """The resident-optimal matching from `matching`, as {student: programme or None}.

    `matching` wants consistent lists (a hospital ranks exactly the residents who rank it) and
    positive capacities, so the instance is reduced to its mutually acceptable pairs first, as the
    contract defines acceptability; students and programmes left with no pair take no part."""
    prefs = {s["id"]: s["prefs"] for s in instance["students"]}
    ranks = {p["id"]: {s: r for r, s in enumerate(p["ranking"])} for p in instance["programs"]}
    capacity = {p["id"]: p["capacity"] for p in instance["programs"]}
    resident_prefs = {}
    for sid, listed in prefs.items():
        ok = [p for p in listed if capacity[p] > 0 and sid in ranks[p]]
        if ok:
            resident_prefs[sid] = ok
    hospital_prefs = {}
    for p in instance["programs"]:
        pid = p["id"]
        ok = [s for s in p["ranking"] if s in resident_prefs and pid in resident_prefs[s]]
        if ok:
            hospital_prefs[pid] = ok
    result = {sid: None for sid in prefs}
    if resident_prefs:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # our reduction must leave nothing for `matching` to clean
            game = HospitalResident.create_from_dictionaries(
                resident_prefs, hospital_prefs, {h: capacity[h] for h in hospital_prefs}
            )
            solution = game.solve(optimal="resident")
            assert game.check_validity() and game.check_stability(), "matching's own checks failed"
        for hospital, residents in solution.items():
            for resident in residents:
                result[resident.name] = hospital.name
    return result, ranks, capacity


def expected_explanations(instance, assignment, ranks, capacity):
    """Cut-offs and explanations, recomputed from an assignment."""
    held = {p: [] for p in ranks}
    for sid, pid in assignment.items():
        if pid is not None:
            held[pid].append(ranks[pid][sid] + 1)
    cutoffs = {}
    for p in instance["programs"]:
        pid = p["id"]
        full = capacity[pid] > 0 and len(held[pid]) == capacity[pid]
        cutoffs[pid] = max(held[pid]) if full else None
    explanations = {}
    for s in instance["students"]:
        sid, lines = s["id"], []
        for pid in s["prefs"]:
            if pid == assignment[sid]:
                break
            if sid not in ranks[pid]:
                lines.append({"program": pid, "reason": "not_ranked"})
            elif capacity[pid] == 0:
                lines.append({"program": pid, "reason": "no_places"})
            else:
                lines.append({"program": pid, "reason": "full", "cutoff": cutoffs[pid], "your_rank": ranks[pid][sid] + 1})
        explanations[sid] = lines
    return cutoffs, explanations


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--liaison", required=True, help="path to the liaison binary")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    placed = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        in_path, out_path = os.path.join(tmp, "in.json"), os.path.join(tmp, "out.json")
        for i in range(args.count):
            instance = random_instance(rng)
            with open(in_path, "w", encoding="utf-8") as f:
                json.dump(instance, f, ensure_ascii=(i % 2 == 0))
            run = subprocess.run(
                [args.liaison, "allocate", "--input", in_path, "--output", out_path, "--explain"],
                capture_output=True, text=True, env={**os.environ, "LIAISON_LOG": "warn"},
            )
            problems = []
            if run.returncode != 0:
                problems.append(f"liaison exited with {run.returncode}: {run.stderr.strip()}")
                got = {}
            else:
                with open(out_path, encoding="utf-8") as f:
                    got = json.load(f)
                os.remove(out_path)
            expected, ranks, capacity = solve_with_matching(instance)
            cutoffs, explanations = expected_explanations(instance, expected, ranks, capacity)
            if got and got.get("assignment") != expected:
                problems.append("assignments differ")
            if got and list(got.get("assignment", {})) != [s["id"] for s in instance["students"]]:
                problems.append("students are not all present in input order")
            if got and got.get("cutoffs") != cutoffs:
                problems.append(f"cut-offs differ: expected {json.dumps(cutoffs, ensure_ascii=False)}")
            if got and got.get("explanations") != explanations:
                problems.append(f"explanations differ: expected {json.dumps(explanations, ensure_ascii=False)}")
            if problems:
                print(f"instance {i} (seed {args.seed}): " + "; ".join(problems), file=sys.stderr)
                print("input:    " + json.dumps(instance, ensure_ascii=False), file=sys.stderr)
                print("liaison:  " + json.dumps(got, ensure_ascii=False), file=sys.stderr)
                print("matching: " + json.dumps(expected, ensure_ascii=False), file=sys.stderr)
                sys.exit(1)
            total += len(expected)
            placed += sum(p is not None for p in expected.values())
    print(f"liaison allocate agrees with matching (HospitalResident, resident-optimal) "
          f"on all {args.count} instances ({total} students, {placed} placed)")
    print(f"cross-check: {args.count} passed, 0 failed")


if __name__ == "__main__":
    main()
