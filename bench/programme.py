"""How fast and how good the self-placing programme is, against a first-fit baseline.

    .venv/bin/python bench/programme.py

Synthetic two-day gatherings: parallel tracks in four blocks a day, some sessions shifted so they
overlap only partly, slots for about 95 % of the contributions, presenters shared between
contributions (applicants with several contributions, co-presenting colleagues), 5 % fixed by
the organiser. With formats, sessions say which contribution formats they take (mostly talks,
some workshop rooms, a few stand areas, some mixed, some anything) and every contribution has a
format; the same seed gives the same sessions and contributions either way, formats aside.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from samling.registration.programme import Placeable, SlotSession, greedy_place, place

OSLO = ZoneInfo("Europe/Oslo")
THEMES = ["mobilitet", "innkjop", "matsvinn", "energi", "arealplan", "klimatilpasning", "sirkular", "natur"]
BLOCKS = [(9, 0), (11, 0), (13, 30), (15, 30)]
SESSION_FORMATS = [("innlegg",), ("verksted",), ("stand",), ("innlegg", "verksted"), None]
SESSION_FORMAT_WEIGHTS = [55, 15, 10, 10, 10]
FORMATS = ["innlegg", "verksted", "stand"]
FORMAT_WEIGHTS = [60, 22, 18]


def instance(n_contributions: int, n_sessions: int, seed: int, prolific: bool = False, formats: bool = False):
    rng = random.Random(seed)
    # formats come from a generator of their own, so they leave the rest of the instance as it is
    pick = random.Random(seed + 10_000)
    days = [datetime(2022, 5, 30, tzinfo=OSLO), datetime(2022, 5, 31, tzinfo=OSLO)]
    slots_total = int(n_contributions * 0.95)
    sessions = []
    for k in range(n_sessions):
        day = days[k % 2]
        hour, minute = BLOCKS[(k // 2) % len(BLOCKS)]
        shift = rng.choice([0, 0, 0, 30, 45])
        start = day.replace(hour=hour, minute=minute) + timedelta(minutes=shift)
        end = start + timedelta(minutes=rng.choice([60, 90, 120]))
        theme = rng.choice(THEMES) if rng.random() < 0.8 else None
        sessions.append(SlotSession(f"s{k:03d}", start, end, theme, 0))
    share = [rng.random() + 0.5 for _ in sessions]
    total = sum(share)
    sessions = [
        SlotSession(s.id, s.start, s.end, s.theme, max(1, round(slots_total * w / total)),
                    pick.choices(SESSION_FORMATS, SESSION_FORMAT_WEIGHTS)[0] if formats else None)
        for s, w in zip(sessions, share)
    ]
    # Each applicant presents their own contributions (most bring one, some two or three); a
    # third of the contributions also have a colleague as co-presenter, and colleagues are shared
    # within a municipality, so presenters link contributions across applicants.
    colleagues = [f"kollega{i}@kommune.example" for i in range(max(2, n_contributions // 4))]
    base = datetime(2022, 1, 10, tzinfo=OSLO)
    contributions = []
    applicant = 0
    while len(contributions) < n_contributions:
        own = rng.choices([1, 2, 3, 6, 9], weights=[75, 18, 7, 6 * prolific, 4 * prolific])[0]
        for _ in range(own):
            if len(contributions) == n_contributions:
                break
            i = len(contributions)
            presenters = [f"deltaker{applicant}@kommune.example"]
            if rng.random() < 1 / 3:
                presenters.append(rng.choice(colleagues))
            themes = tuple(rng.sample(THEMES, rng.choice([1, 1, 2])))
            fixed = rng.choice(sessions).id if rng.random() < 0.05 else None
            form = pick.choices(FORMATS, FORMAT_WEIGHTS)[0] if formats else None
            contributions.append(
                Placeable(f"c{i:04d}", themes, tuple(presenters), fixed, base + timedelta(minutes=i), form)
            )
        applicant += 1
    return sessions, contributions


def main() -> int:
    started = time.perf_counter()
    import scipy.optimize  # noqa: F401  (a warm Lambda has paid this already)

    print(f"scipy.optimize import: {time.perf_counter() - started:.2f} s (cold start only)\n")
    # The last rows are a stress case, not the target: applicants with six or nine contributions
    # each, where the presenter rule really binds and the exact model may run out of time.
    cases = [(100, 20, 100, False), (500, 40, 500, False), (2000, 80, 2000, False),
             (2000, 80, 1, False), (2000, 80, 2, False), (2000, 80, 3, False),
             (500, 40, 0, True), (2000, 80, 0, True)]
    cases = [(*case, formats) for formats in (False, True) for case in cases]
    header = (f"{'contributions':>13} {'sessions':>8} {'seed':>5} {'prolific':>8} {'formats':>7} "
              f"{'seconds':>8} {'optimal':>8} "
              f"{'placed':>7} {'themes':>7} {'re-run s':>8} {'moved':>6} {'greedy placed':>13} {'greedy themes':>13}")
    print(header)
    print("-" * len(header))
    for n, s, seed, prolific, formats in cases:
        sessions, contributions = instance(n, s, seed=seed, prolific=prolific, formats=formats)
        started = time.perf_counter()
        programme = place(sessions, contributions, time_limit=5.0)
        elapsed = time.perf_counter() - started
        # A withdrawal after publishing: the rest should stay where they are.
        rest = [c for c in contributions if c.id != programme.assignment.get(contributions[7].id) and c.id != contributions[7].id]
        started = time.perf_counter()
        again = place(sessions, rest, previous=programme.assignment, time_limit=5.0)
        rerun = time.perf_counter() - started
        moved = sum(1 for cid, sid in again.assignment.items() if programme.assignment.get(cid, sid) != sid)
        baseline = greedy_place(sessions, contributions)
        print(
            f"{n:>13} {s:>8} {seed:>5} {'yes' if prolific else 'no':>8} {'yes' if formats else 'no':>7} "
            f"{elapsed:>8.3f} "
            f"{'yes' if programme.optimal else 'no':>8} {programme.placed_count:>7} {programme.theme_matches:>7} "
            f"{rerun:>8.3f} {moved:>6} {baseline.placed_count:>13} {baseline.theme_matches:>13}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
