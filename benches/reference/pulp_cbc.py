#!/usr/bin/env python3
"""Reference: the plain PuLP + CBC model an analyst would write, timed on the same instance as realloc.

Usage:
    cargo run --release -p realloc-benches --example dump_instance -- /tmp/ref50k 50000 1
    python3 benches/reference/pulp_cbc.py /tmp/ref50k          # build in PuLP, solve with CBC
    python3 benches/reference/pulp_cbc.py /tmp/ref50k --lp     # CBC on realloc's own LP export
    python3 benches/reference/pulp_cbc.py /tmp/ref50k --continuous  # the same as an LP (no integers)

Needs `pip install pulp` (it bundles CBC). Prints build and solve times and the objective, and the
ratio to realloc's time written by dump_instance in realloc.json.
"""

import csv
import json
import math
import os
import subprocess
import sys
import time
from collections import defaultdict

import pulp

CAT = "Integer"


def main() -> None:
    folder = sys.argv[1]
    use_lp = "--lp" in sys.argv[2:]
    global CAT
    CAT = "Continuous" if "--continuous" in sys.argv[2:] else "Integer"
    ours = json.load(open(os.path.join(folder, "realloc.json")))
    if use_lp:
        solve_export(folder, ours)
    else:
        solve_pulp(folder, ours)


def solve_pulp(folder: str, ours: dict) -> None:
    t0 = time.perf_counter()
    settings = json.load(open(os.path.join(folder, "constraints.json")))
    unit = settings["min_unit_vnd"]
    rows = list(csv.DictReader(open(os.path.join(folder, "model.csv"), encoding="utf-8")))
    prob = pulp.LpProblem("realloc", pulp.LpMaximize)
    objective = []
    by_pool = defaultdict(lambda: ([], []))  # pool -> (added terms, released terms)
    released = {}
    for r in rows:
        i = int(r["row"])
        rel = int(r["releasable_vnd"]) // unit
        ab = int(r["absorbable_vnd"]) // unit
        if rel > 0:
            x = pulp.LpVariable(f"r_{r['source']}_{i}", 0, rel, cat=CAT)
            objective.append(-float(r["value_out"]) * unit / 1e6 * x)
            by_pool[r["source"]][1].append(x)
            released[i] = x
        if ab > 0:
            y = pulp.LpVariable(f"a_{r['source']}_{i}", 0, ab, cat=CAT)
            objective.append(float(r["value_in"]) * unit / 1e6 * y)
            by_pool[r["source"]][0].append(y)
    prob += pulp.lpSum(objective)
    for pool, (added, rel) in by_pool.items():
        prob += pulp.lpSum(added) == pulp.lpSum(rel), f"bal_{pool}"
    for k, c in enumerate(settings["constraints"]):
        if c["kind"] in ("locality", "investor"):
            groups = defaultdict(lambda: [0, []])
            for r in rows:
                g = groups[(r["source"], r[c["kind"]])]
                g[0] += int(r["plan_vnd"])
                if int(r["row"]) in released:
                    g[1].append(released[int(r["row"])])
            for n, ((pool, _name), (plan, xs)) in enumerate(sorted(groups.items())):
                if xs:
                    x = c["max_share"] * plan / unit
                    prob += pulp.lpSum(xs) <= math.floor(x + abs(x) * 1e-12), f"c{k}_{n}"
        elif c["kind"] == "pool":
            for pool, (_added, rel) in by_pool.items():
                prob += pulp.lpSum(rel) <= c["max_vnd"] // unit, f"c{k}_{pool}"
    t1 = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    t2 = time.perf_counter()
    value = pulp.value(prob.objective)
    report(f"pulp+cbc ({CAT.lower()})", pulp.LpStatus[prob.status], value, t1 - t0, t2 - t1, ours)


def solve_export(folder: str, ours: dict) -> None:
    cbc = pulp.PULP_CBC_CMD().path
    lp = os.path.join(folder, "model.lp")
    sol = os.path.join(folder, "cbc.sol")
    t0 = time.perf_counter()
    subprocess.run([cbc, lp, "solve", "solu", sol], check=True, capture_output=True)
    t1 = time.perf_counter()
    first = open(sol).readline()
    # "Optimal - objective value 123.45"
    value = float(first.rsplit(" ", 1)[-1])
    report("cbc on realloc's LP export", first.split(" - ")[0].strip(), value, 0.0, t1 - t0, ours)


def report(what: str, status: str, value: float, build: float, solve: float, ours: dict) -> None:
    total = build + solve
    print(f"{what}: status {status}, objective {value:.6f}, build {build:.3f} s, solve {solve:.3f} s, total {total:.3f} s")
    print(f"realloc: objective {ours['objective']:.6f}, {ours['seconds']:.4f} s ({', '.join(sorted(set(ours['methods'])))})")
    gap = abs(value - ours["objective"]) / max(1.0, abs(value))
    print(f"relative objective gap {gap:.2e}; realloc is {total / ours['seconds']:.0f}x faster")


if __name__ == "__main__":
    main()
