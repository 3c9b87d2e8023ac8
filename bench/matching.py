"""Benchmark of the matching domain: groups and pairing rounds on synthetic participants.

Run: .venv/bin/python bench/matching.py [sizes...]   (default 50 500 1000)

Targets: a pairing round for 1 000 in under 2 s at >= 99.9 % of the complete-graph optimum;
groups of 500 in under 5 s with no avoidable same-municipality pair and diversity within 1 % of
the upper bound.
"""

from __future__ import annotations

import random
import sys
import time
from itertools import combinations

import rustworkx as rx

from samling.matching.groups import Facilitator, Person, form_groups
from samling.matching.pairing import NoValidPairing, pair_round_detailed, pair_weight

# 2024 municipality numbers with their county.
MUNICIPALITIES = [
    ("0301", "03"), ("1508", "15"), ("4601", "46"), ("5001", "50"), ("1804", "18"),
    ("5601", "56"), ("3301", "33"), ("1103", "11"), ("4204", "42"), ("3907", "39"),
    ("3403", "34"), ("4003", "40"), ("1506", "15"), ("5501", "55"), ("1106", "11"),
    ("3201", "32"), ("3205", "32"), ("4621", "46"), ("1833", "18"), ("5006", "50"),
    ("3105", "31"), ("3107", "31"), ("1505", "15"), ("4020", "40"), ("3901", "39"),
]
SECTORS = ["klima", "plan", "næring", "samferdsel", "landbruk", "miljø", "innkjøp", "bygg",
           "energi", "oppvekst"]
INTERESTS = ["sol", "transport", "mat", "skog", "avfall", "bygg", "vann", "innkjøp"]


def synthetic(n: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    weights = [rng.random() ** 2 + 0.05 for _ in MUNICIPALITIES]
    out = []
    for i in range(n):
        muni, county = rng.choices(MUNICIPALITIES, weights)[0]
        out.append(Person(
            id=f"app-{i:05d}", municipality=muni, county=county,
            size_class=rng.choice(["liten", "mellomstor", "stor"]), sector=rng.choice(SECTORS),
            experience=rng.choice(["lite", "noe", "mye"]),
            interests=tuple(rng.sample(INTERESTS, rng.randint(0, 3))),
        ))
    return out


def allowed_edges(ids, attrs, kind, group_of, previous):
    old = {frozenset(c) for m in previous for c in combinations(sorted(m), 2)}
    for i, j in combinations(range(len(ids)), 2):
        a, b = ids[i], ids[j]
        if frozenset((a, b)) in old or (kind == "feedback" and group_of[a] == group_of[b]):
            continue
        yield i, j, pair_weight(attrs[a], attrs[b], kind)


def complete_optimum(edges, n):
    g = rx.PyGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    m = rx.max_weight_matching(g, max_cardinality=True, weight_fn=lambda x: x)
    w = {(i, j): x for i, j, x in edges}
    return sum(w[(min(a, b), max(a, b))] for a, b in m)


def greedy(edges, n):
    used = [False] * n
    total = 0
    for i, j, x in sorted(edges, key=lambda e: -e[2]):
        if not used[i] and not used[j]:
            used[i] = used[j] = True
            total += x
    return total


def rounds_until_repeat(ids, attrs, kind, group_of, cap):
    previous: list[frozenset[str]] = []
    for r in range(cap):
        try:
            res = pair_round_detailed(ids, attrs, kind=kind, group_of=group_of,
                                      previous_pairs=previous, allow_relaxed_triple=False)
        except NoValidPairing:
            return str(r)
        previous += [frozenset(p) for p in res.pairs]
    return f">={cap}"


def main(sizes: list[int]) -> None:
    print(f"{'n':>5} | {'groups s':>8} {'muni':>4} {'lb':>3} {'div/UB':>7} {'rand div':>8} "
          f"{'rand muni':>9} {'method':>12} | {'kind':>10} {'pair s':>6} {'vs opt':>8} "
          f"{'greedy':>7} {'opt s':>6} | {'rounds':>6}")
    for n in sizes:
        people = synthetic(n, seed=n)
        attrs = {p.id: p for p in people}
        ids = [p.id for p in people]
        facs = [Facilitator(f"Fasilitator {i}", f"fasilitator{i}@example.no") for i in range(n)]
        t = time.perf_counter()
        res = form_groups(people, 3, 6, facs, seed=1)
        g_time = time.perf_counter() - t
        s = res.score
        base = res.random_baseline
        group_of = {m: g.id for g in res.groups for m in g.members}
        for kind in ("feedback", "networking"):
            t = time.perf_counter()
            rnd = pair_round_detailed(ids, attrs, kind=kind, group_of=group_of, previous_pairs=[])
            p_time = time.perf_counter() - t
            edges = list(allowed_edges(ids, attrs, kind, group_of, []))
            t = time.perf_counter()
            opt = complete_optimum(edges, n)
            o_time = time.perf_counter() - t
            gr = greedy(edges, n)
            cap = 60 if n <= 100 else 8
            rounds = rounds_until_repeat(ids, attrs, kind, group_of, cap)
            print(f"{n:>5} | {g_time:>8.2f} {s.same_municipality_pairs:>4} "
                  f"{res.same_municipality_pairs_lower_bound:>3} "
                  f"{100 * s.diversity / res.diversity_upper_bound:>6.2f}% "
                  f"{100 * base.diversity / res.diversity_upper_bound:>7.2f}% "
                  f"{base.same_municipality_pairs:>9} {res.method + ('*' if res.optimal else ''):>12} | "
                  f"{kind:>10} {p_time:>6.2f} {100 * rnd.matching_weight / opt:>7.3f}% "
                  f"{100 * gr / opt:>6.2f}% {o_time:>6.1f} | {rounds:>6}")
    print("muni = same-municipality pairs, lb = their lower bound; div/UB = diversity against its "
          "upper bound; * = proven optimal; rounds = rounds made before a repeat became unavoidable "
          "for the algorithm (capped)")


def concentrated(sizes: list[int]) -> None:
    """Groups only, on a pool where one municipality dominates and sectors are skewed."""
    print("\nconcentrated pool (a third from one municipality, four skewed sectors)")
    print(f"{'n':>5} | {'groups s':>8} {'muni':>5} {'lb':>5} {'div/UB':>7} {'rand muni':>9} "
          f"{'rand div':>8} {'method':>12}")
    rng = random.Random(3)
    weights = [30, 10, 8, 6, 5, 4, 4, 3, 3, 2, 2, 1]
    for n in sizes:
        people = []
        for i in range(n):
            muni, county = rng.choices(MUNICIPALITIES[:12], weights)[0]
            people.append(Person(
                id=f"app-{i:05d}", municipality=muni, county=county, size_class=None,
                sector=rng.choices(["klima", "plan", "næring", "bygg"], [6, 3, 1, 1])[0],
                experience=rng.choice(["lite", "noe", "mye"]),
            ))
        facs = [Facilitator(f"Fasilitator {i}", f"fasilitator{i}@example.no") for i in range(n)]
        t = time.perf_counter()
        res = form_groups(people, 3, 6, facs, seed=1)
        g_time = time.perf_counter() - t
        s, base = res.score, res.random_baseline
        print(f"{n:>5} | {g_time:>8.2f} {s.same_municipality_pairs:>5} "
              f"{res.same_municipality_pairs_lower_bound:>5} "
              f"{100 * s.diversity / res.diversity_upper_bound:>6.2f}% "
              f"{base.same_municipality_pairs:>9} "
              f"{100 * base.diversity / res.diversity_upper_bound:>7.2f}% "
              f"{res.method + ('*' if res.optimal else ''):>12}")


if __name__ == "__main__":
    chosen = [int(a) for a in sys.argv[1:]] or [50, 500, 1000]
    main(chosen)
    concentrated(chosen)
