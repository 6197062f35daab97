#!/usr/bin/env python3
"""Student-proposing deferred acceptance in plain, idiomatic Python: the baseline that
`liaison-allocation-bench` compares `liaison allocate` with.

Same algorithm (free students propose down their lists; each programme holds its best students in
a max-heap of at most `capacity` entries, releasing the worst when a better one proposes), same
input (contract C4) and the same output bytes as `liaison allocate` without `--explain`. It trusts
its input: unlike the Rust CLI it does not check for duplicates or unknown ids.

Usage: reference.py IN.json OUT.json [--timings TIMINGS.json]
"""

import heapq
import json
import sys
import time
from collections import deque


def allocate(students, programs):
    """Returns {student id: programme id or None}, students in input order."""
    prefs = {s["id"]: s["prefs"] for s in students}
    capacity = {p["id"]: p["capacity"] for p in programs}
    # rank[p][s]: programme p's rank of student s (0 is best); a missing entry means not ranked.
    rank = {p["id"]: {s: r for r, s in enumerate(p["ranking"])} for p in programs}
    held = {p: [] for p in rank}  # per programme: max-heap of (-rank, student)
    next_choice = dict.fromkeys(prefs, 0)
    free = deque(prefs)
    while free:
        student = free.popleft()
        choices = prefs[student]
        while next_choice[student] < len(choices):
            program = choices[next_choice[student]]
            next_choice[student] += 1
            r = rank[program].get(student)
            if r is None:
                continue
            heap = held[program]
            if len(heap) < capacity[program]:
                heapq.heappush(heap, (-r, student))
                break
            if heap and -heap[0][0] > r:
                _, worst = heapq.heapreplace(heap, (-r, student))
                free.append(worst)
                break
    assignment = dict.fromkeys(prefs)
    for program, heap in held.items():
        for _, student in heap:
            assignment[student] = program
    return assignment


def write(out, assignment):
    """The same layout as `liaison allocate`: compact JSON, one student per line."""
    out.write('{"assignment":{')
    for i, (student, program) in enumerate(assignment.items()):
        out.write("\n" if i == 0 else ",\n")
        out.write(json.dumps(student, ensure_ascii=False))
        out.write(":")
        out.write("null" if program is None else json.dumps(program, ensure_ascii=False))
    out.write("\n}}\n")


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--timings"):
        sys.exit(__doc__)
    started = time.perf_counter()
    with open(argv[1], "rb") as f:
        data = json.load(f)
    parsed = time.perf_counter()
    assignment = allocate(data["students"], data["programs"])
    allocated = time.perf_counter()
    with open(argv[2], "w", encoding="utf-8") as out:
        write(out, assignment)
    written = time.perf_counter()
    if len(argv) == 5:
        with open(argv[4], "w") as t:
            json.dump({"parse": parsed - started, "engine": allocated - parsed, "write": written - allocated}, t)


if __name__ == "__main__":
    main(sys.argv)
