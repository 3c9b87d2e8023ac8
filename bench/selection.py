"""Selection: exact programme against the greedy baseline on synthetic applicant pools.

Run with ``.venv/bin/python bench/selection.py [n:places[:clash] ...]``. Prints one row per
pool. Targets: 10 000 applicants with 28 quota rows proven optimal in under a second, and with
1 000 places, where two applicants per municipality cannot fill the event and that quota must
be given up, in under two seconds. ``clash`` adds a quota that contradicts another (lite at
least 30 % and noe at least 75 %), which no counting of single quotas can see.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from samling.registration.selection import Candidate, Quota, greedy_select, select

SECTORS = ["klima_miljo", "plan", "helse_omsorg", "oppvekst_utdanning", "teknisk", "landbruk",
           "kultur_idrett", "naering", "innkjop", "eiendom", "ledelse", "annet"]
COUNTIES = ["03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55",
            "56"]
T0 = datetime(2021, 5, 1, tzinfo=ZoneInfo("Europe/Oslo"))


def municipalities(rng: random.Random) -> list[tuple[str, str, str]]:
    # 357 invented municipality codes spread over the counties, most of them small as in Norway.
    out = []
    for j in range(357):
        county = COUNTIES[j % len(COUNTIES)]
        size = rng.choices(["small", "medium", "large"], weights=[50, 35, 15])[0]
        out.append((f"{county}{j:03d}", county, size))
    return out


def applicants(n: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    places = municipalities(rng)
    # Bigger municipalities send more applicants.
    weights = [{"small": 1, "medium": 3, "large": 10}[s] for _, _, s in places]
    out = []
    for i in range(n):
        number, county, size = rng.choices(places, weights=weights)[0]
        out.append(Candidate(
            id=f"a{i:05d}",
            score=rng.choice([1, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 4.5, 5]),
            submitted_at=T0 + timedelta(seconds=rng.randrange(50 * 24 * 3600)),
            attributes={
                "sector": rng.choices(SECTORS, weights=[6, 4, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1])[0],
                "experience": rng.choices(["lite", "noe", "mye"], weights=[2, 3, 5])[0],
                "county": county,
                "municipality": number,
                "municipality_size": size,
                "organisation_type": rng.choices(
                    ["kommune", "fylkeskommune", "folkevalgt", "statlig"], weights=[6, 2, 1, 1])[0],
                "theme": None,
            },
        ))
    return out


def quotas(capacity: int) -> list[Quota]:
    rows = [
        {"field": "sector", "min_distinct": 10},
        {"field": "county", "min_distinct": 12},
        {"field": "experience", "value": "lite", "min_share": 0.3},
        {"field": "experience", "value": "mye", "max_share": 0.4},
        {"field": "municipality_size", "value": "small", "min_share": 0.25},
        {"field": "municipality_size", "value": "medium", "min_share": 0.2},
        {"field": "municipality_size", "value": "large", "max_share": 0.5},
        {"field": "municipality", "max_count": 2},
        {"field": "organisation_type", "value": "kommune", "min_share": 0.6},
        {"field": "organisation_type", "value": "fylkeskommune", "max_share": 0.15},
        {"field": "organisation_type", "value": "folkevalgt", "min_count": max(1, capacity // 20)},
        {"field": "sector", "value": "klima_miljo", "max_share": 0.3},
        {"field": "sector", "value": "plan", "min_count": max(1, capacity // 20)},
    ]
    rows += [{"field": "county", "value": c, "min_count": max(1, capacity // 40)} for c in COUNTIES]
    return [Quota.from_dict(r) for r in rows]


CLASH = {"field": "experience", "value": "noe", "min_share": 0.75}


def main() -> None:
    sizes = [(100, 50, False), (1_000, 100, False), (10_000, 500, False), (10_000, 1_000, False)]
    if len(sys.argv) > 1:
        sizes = []
        for arg in sys.argv[1:]:
            parts = arg.split(":")
            sizes.append((int(parts[0]), int(parts[1]), parts[2:] == ["clash"]))
    header = (f"{'n':>7} {'places':>6} {'clash':>5} {'quotas':>6} {'MILP s':>8} {'optimal':>7} "
              f"{'MILP obj':>9} {'relaxed':>7} {'greedy s':>8} {'greedy obj':>10} {'greedy ok':>9}")
    print(header)
    print("-" * len(header))
    for n, capacity, clash in sizes:
        pool = applicants(n, seed=n)
        qs = quotas(capacity) + ([Quota.from_dict(CLASH)] if clash else [])
        t = time.perf_counter()
        exact = select(pool, capacity, qs)
        milp_s = time.perf_counter() - t
        t = time.perf_counter()
        greedy = greedy_select(pool, capacity, qs)
        greedy_s = time.perf_counter() - t
        greedy_ok = sum(q["met"] for q in greedy.quotas)
        print(f"{n:>7} {capacity:>6} {'yes' if clash else 'no':>5} {len(qs):>6} {milp_s:>8.3f} "
              f"{'yes' if exact.optimal else 'no':>7} {exact.objective:>9.1f} "
              f"{len(exact.relaxed):>7} {greedy_s:>8.3f} {greedy.objective:>10.1f} "
              f"{f'{greedy_ok}/{len(qs)}':>9}")


if __name__ == "__main__":
    main()
