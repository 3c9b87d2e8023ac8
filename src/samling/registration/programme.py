"""A programme that places itself: accepted contributions into session slots.

Rules, in order of precedence:

1. A contribution the organiser fixed to a session stays there, always — even if that overfills
   the session or puts a presenter in two overlapping sessions. The organiser chose it on purpose;
   such clashes are reported in `Programme.warnings` (codes below) and never silently undone.
   Fixed contributions use up their session's slots first.
2. Every other contribution goes into at most one session with a free slot that takes its format
   (a session's `formats` is None, any format, or lists the contribution's `format`; a
   contribution without a format goes only where any format is taken), never more than a
   session's `slots`, and never so that a presenter (by email) is in two different sessions that
   overlap in time — counting the fixed placements too. Two contributions by the same presenter
   in the *same* session are fine: a session's contributions follow one another.
3. Among all such programmes the solver picks, lexicographically: the most contributions placed,
   then the most theme matches (a placement where the session's theme is one of the
   contribution's themes). Levels 1 and 2 are exact and proven (`Programme.optimal`). Among the
   programmes that tie on both, it prefers keeping each contribution where `previous` had it,
   then earlier submissions before later ones and earlier sessions before later ones; these
   preferences only make the choice stable and are not themselves proven best.

How: first an upper bound. Dropping the presenter rule among unfixed contributions leaves a flow
problem (contributions → theme → session) whose LP optimum is integral; it is tiny because
contributions count per class: those that may use every open session per set of themes, the
others (restricted by format or by where their presenters are fixed) per set of allowed and
theme-matching sessions. Then the contributions
are dealt out along that optimal flow, most-linked presenters first, and any that clash are
fitted in by a chain of moves that keep every mover's theme match. When the dealt programme
reaches the bound it is optimal, which is the usual case: presenters rarely bind a whole
programme. After a small change the last programme is first kept whole and only added to.

Only when dealing falls short does the exact MILP run (HiGHS via `scipy.optimize.milp`):
x[c, s] = contribution c in session s, counted per class where presenters allow. The presenter
rule needs y[p, s] = "presenter p appears in session s" only for presenters with several unfixed
contributions; sessions overlapping in time form an interval graph, whose maximal cliques a
sweep over start and end times finds, and for each presenter and clique Σ y[p, s] ≤ 1.

Codes for unplaced contributions (`Unplaced.reason`):
  - `no_session_for_format`: sessions have slots, but none of them takes the contribution's
    format.
  - `no_free_slot`: every slot in the sessions that take its format is taken.
  - `presenter_conflict`: slots that take its format are free, but each is at the same time as a
    session one of its presenters is already in.
  - `unknown_session`: fixed to a session that is not in the event any more.
Codes for warnings (`ProgrammeWarning.code`):
  - `over_capacity`: a session holds more fixed contributions than it has slots.
  - `presenter_conflict`: two fixed contributions share a presenter in overlapping sessions.

    >>> from datetime import datetime, timezone
    >>> t = lambda h: datetime(2022, 5, 30, h, tzinfo=timezone.utc)
    >>> sessions = [SlotSession("s1", t(9), t(11), "mobilitet", 1), SlotSession("s2", t(9), t(11), None, 1)]
    >>> items = [Placeable("c1", ("mobilitet",), ("ase@kommune.example",), None, t(1)),
    ...          Placeable("c2", ("mobilitet",), ("bo@example.no",), None, t(2))]
    >>> place(sessions, items).to_dict()["sessions"]
    [{'session_id': 's1', 'contributions': ['c1']}, {'session_id': 's2', 'contributions': ['c2']}]
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from samling.registration.gp_messages import text

UNPLACED_REASONS = ("no_free_slot", "presenter_conflict", "unknown_session", "no_session_for_format")
WARNING_CODES = ("over_capacity", "presenter_conflict")


@dataclass(frozen=True)
class SlotSession:
    id: str
    start: datetime
    end: datetime
    theme: str | None
    slots: int
    # Contribution formats the session takes; None takes any.
    formats: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Placeable:
    """An accepted contribution as the programme sees it. Presenters are emails."""

    id: str
    themes: tuple[str, ...]
    presenters: tuple[str, ...]
    fixed_session: str | None
    submitted_at: datetime
    format: str | None = None


@dataclass(frozen=True)
class ProgrammeSession:
    session_id: str
    contributions: tuple[str, ...]


@dataclass(frozen=True)
class Unplaced:
    id: str
    reason: str


@dataclass(frozen=True)
class ProgrammeWarning:
    code: str
    session_ids: tuple[str, ...]
    contribution_ids: tuple[str, ...]
    slots: int | None = None


@dataclass(frozen=True)
class Programme:
    sessions: tuple[ProgrammeSession, ...]
    unplaced: tuple[Unplaced, ...]
    warnings: tuple[ProgrammeWarning, ...] = ()
    theme_matches: int = 0
    # True when the solver proved levels 1 and 2 optimal; False for the greedy baseline or a
    # solver stopped by its time limit.
    optimal: bool = False
    method: str = "milp"
    assignment: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def placed_count(self) -> int:
        return sum(len(s.contributions) for s in self.sessions)

    def to_dict(self, lang: str | None = None) -> dict:
        """The API shape. With `lang`, unplaced entries and warnings also carry a `message`."""
        unplaced = []
        for item in self.unplaced:
            entry = {"id": item.id, "reason": item.reason}
            if lang:
                entry["message"] = text(f"unplaced.{item.reason}", lang)
            unplaced.append(entry)
        warnings = []
        for w in self.warnings:
            entry = {"code": w.code, "session_ids": list(w.session_ids), "contribution_ids": list(w.contribution_ids)}
            if lang:
                if w.code == "over_capacity":
                    entry["message"] = text(
                        "warning.over_capacity", lang, session=w.session_ids[0],
                        placed=len(w.contribution_ids), slots=w.slots,
                    )
                else:
                    entry["message"] = text(
                        "warning.presenter_conflict", lang, first=w.contribution_ids[0], second=w.contribution_ids[1]
                    )
            warnings.append(entry)
        return {
            "sessions": [{"session_id": s.session_id, "contributions": list(s.contributions)} for s in self.sessions],
            "unplaced": unplaced,
            "warnings": warnings,
        }


# ---------------------------------------------------------------------------------------------


def overlaps(a: SlotSession, b: SlotSession) -> bool:
    """Half-open intervals: a session ending at 10:00 does not overlap one starting at 10:00."""
    return a.start < b.end and b.start < a.end


def maximal_overlap_cliques(sessions: Sequence[SlotSession]) -> list[tuple[int, ...]]:
    """Indices of each maximal set of pairwise-overlapping sessions (of two or more)."""
    events = []
    for i, s in enumerate(sessions):
        events.append((s.start, 1, i))
        events.append((s.end, 0, i))  # 0 sorts ends first: touching sessions do not overlap
    events.sort()
    active: set[int] = set()
    grown = False
    cliques: list[tuple[int, ...]] = []
    for _, is_start, i in events:
        if is_start:
            active.add(i)
            grown = True
        else:
            if grown and len(active) >= 2:
                cliques.append(tuple(sorted(active)))
            grown = False
            active.discard(i)
    return cliques


@dataclass
class _Prepared:
    sessions: list[SlotSession]
    free: list[Placeable]
    fixed: dict[str, int]  # contribution id → session index
    unplaced: list[Unplaced]
    warnings: list[ProgrammeWarning]
    capacity: list[int]  # slots left after the fixed placements
    busy: dict[str, set[int]]  # presenter → sessions they are fixed in
    overlap: list[set[int]]  # session index → indices of the other sessions it overlaps
    order: dict[str, int]  # contribution id → rank by submission
    all: list[Placeable]


def _normalise(c: Placeable) -> Placeable:
    presenters = tuple(dict.fromkeys(p.strip().lower() for p in c.presenters))
    return Placeable(c.id, tuple(c.themes), presenters, c.fixed_session, c.submitted_at, c.format)


def _takes(s: SlotSession, c: Placeable) -> bool:
    """Whether session s takes c's format (fixed placements never ask)."""
    return s.formats is None or (c.format is not None and c.format in s.formats)


def _prepare(sessions: Sequence[SlotSession], contributions: Sequence[Placeable]) -> _Prepared:
    ordered_sessions = sorted(sessions, key=lambda s: (s.start, s.end, s.id))
    index: dict[str, int] = {}
    for i, s in enumerate(ordered_sessions):
        if s.id in index:
            raise ValueError(f"session {s.id!r} appears twice")
        if not s.end > s.start:
            raise ValueError(f"session {s.id!r} must end after it starts")
        index[s.id] = i
    items = sorted((_normalise(c) for c in contributions), key=lambda c: (c.submitted_at, c.id))
    if len({c.id for c in items}) != len(items):
        raise ValueError("a contribution appears twice")
    n_sessions = len(ordered_sessions)
    overlap = [
        {j for j in range(n_sessions) if j != i and overlaps(ordered_sessions[i], ordered_sessions[j])}
        for i in range(n_sessions)
    ]

    fixed: dict[str, int] = {}
    free: list[Placeable] = []
    unplaced: list[Unplaced] = []
    with_slots = [s for s in ordered_sessions if s.slots > 0]
    for c in items:
        if c.fixed_session is None:
            # A format that none of the sessions with slots takes can never be placed; saying so
            # is more use to the organiser than "no free slot". A programme with no slots at all
            # is short of slots, whatever the format.
            if not with_slots or any(_takes(s, c) for s in with_slots):
                free.append(c)
            else:
                unplaced.append(Unplaced(c.id, "no_session_for_format"))
        elif c.fixed_session in index:
            fixed[c.id] = index[c.fixed_session]
        else:
            unplaced.append(Unplaced(c.id, "unknown_session"))

    warnings: list[ProgrammeWarning] = []
    per_session: dict[int, list[str]] = defaultdict(list)
    for cid, s in fixed.items():
        per_session[s].append(cid)
    capacity = []
    for i, s in enumerate(ordered_sessions):
        held = per_session.get(i, [])
        if len(held) > max(s.slots, 0):
            warnings.append(ProgrammeWarning("over_capacity", (s.id,), tuple(held), max(s.slots, 0)))
        capacity.append(max(0, s.slots - len(held)))

    busy: dict[str, set[int]] = defaultdict(set)
    fixed_by_presenter: dict[str, list[Placeable]] = defaultdict(list)
    for c in items:
        if c.id in fixed:
            for p in c.presenters:
                busy[p].add(fixed[c.id])
                fixed_by_presenter[p].append(c)
    reported: set[tuple[str, str]] = set()
    for p, held in fixed_by_presenter.items():
        for a_pos, a in enumerate(held):
            for b in held[a_pos + 1:]:
                sa, sb = fixed[a.id], fixed[b.id]
                if sb in overlap[sa] and (a.id, b.id) not in reported:
                    reported.add((a.id, b.id))
                    warnings.append(ProgrammeWarning(
                        "presenter_conflict",
                        (ordered_sessions[sa].id, ordered_sessions[sb].id),
                        (a.id, b.id),
                    ))
    order = {c.id: rank for rank, c in enumerate(items)}
    return _Prepared(ordered_sessions, free, fixed, unplaced, warnings, capacity, busy, overlap, order, items)


def _allowed(prep: _Prepared, c: Placeable, s: int) -> bool:
    """Session s has room, takes c's format, and none of c's presenters is fixed in a session
    overlapping it."""
    if prep.capacity[s] <= 0 or not _takes(prep.sessions[s], c):
        return False
    return not any(prep.overlap[s] & prep.busy[p] for p in c.presenters if p in prep.busy)


def _matches(c: Placeable, s: SlotSession) -> bool:
    return s.theme is not None and s.theme in c.themes


def _finish(
    prep: _Prepared, chosen: Mapping[str, int], *, optimal: bool, method: str
) -> Programme:
    members: dict[int, list[str]] = defaultdict(list)
    for cid, s in prep.fixed.items():
        members[s].append(cid)
    for cid, s in chosen.items():
        members[s].append(cid)
    sessions = tuple(
        ProgrammeSession(s.id, tuple(sorted(members.get(i, []), key=prep.order.__getitem__)))
        for i, s in enumerate(prep.sessions)
    )
    used = defaultdict(int)
    for s in chosen.values():
        used[s] += 1
    open_now = [i for i in range(len(prep.sessions)) if prep.capacity[i] - used[i] > 0]
    unplaced = list(prep.unplaced)
    for c in prep.free:
        if c.id not in chosen:
            slots_left = any(_takes(prep.sessions[i], c) for i in open_now)
            unplaced.append(Unplaced(c.id, "presenter_conflict" if slots_left else "no_free_slot"))
    unplaced.sort(key=lambda u: prep.order[u.id])
    by_id = {c.id: c for c in prep.all}
    placed = {**prep.fixed, **chosen}
    matches = sum(_matches(by_id[cid], prep.sessions[s]) for cid, s in placed.items())
    assignment = {cid: prep.sessions[s].id for cid, s in placed.items()}
    return Programme(sessions, tuple(unplaced), tuple(prep.warnings), matches, optimal, method, assignment)


def _feasible(prep: _Prepared, chosen: Mapping[str, int]) -> bool:
    """Guard against a solver tolerance ever letting a broken programme through."""
    used = defaultdict(int)
    where: dict[str, set[int]] = defaultdict(set)
    for p, held in prep.busy.items():
        where[p] |= held
    by_id = {c.id: c for c in prep.free}
    for cid, s in chosen.items():
        used[s] += 1
        if used[s] > prep.capacity[s] or not _takes(prep.sessions[s], by_id[cid]):
            return False
    for cid, s in chosen.items():
        for p in by_id[cid].presenters:
            if prep.overlap[s] & where[p]:
                return False
            where[p].add(s)
    return True


# ---------------------------------------------------------------------------------------------


def greedy_place(sessions: Sequence[SlotSession], contributions: Sequence[Placeable]) -> Programme:
    """Baseline: in submission order, the first session in time with a free slot for its format
    and no presenter clash, preferring one whose theme matches. Same rules as `place`, no
    optimisation."""
    prep = _prepare(sessions, contributions)
    left = list(prep.capacity)
    where: dict[str, set[int]] = defaultdict(set)
    for p, held in prep.busy.items():
        where[p] |= held
    chosen: dict[str, int] = {}
    for c in prep.free:
        fits = [
            i for i in range(len(prep.sessions))
            if left[i] > 0 and _takes(prep.sessions[i], c)
            and not any(prep.overlap[i] & where[p] for p in c.presenters)
        ]
        if not fits:
            continue
        best = next((i for i in fits if _matches(c, prep.sessions[i])), fits[0])
        chosen[c.id] = best
        left[best] -= 1
        for p in c.presenters:
            where[p].add(best)
    return _finish(prep, chosen, optimal=False, method="greedy")


def place(
    sessions: Sequence[SlotSession],
    contributions: Sequence[Placeable],
    *,
    previous: Mapping[str, str] | None = None,
    time_limit: float = 10.0,
) -> Programme:
    """Place `contributions` (accepted ones only) into `sessions`; see the module docstring.

    `previous` maps contribution id → session id of the last published programme, so a small
    change (one more acceptance, a withdrawal) moves as little as possible. The result is the same
    whatever order the inputs come in.
    """
    prep = _prepare(sessions, contributions)
    if not prep.free:
        return _finish(prep, {}, optimal=True, method="milp")
    deadline = time.monotonic() + time_limit
    dealt, optimal = _fast(prep, previous or {}, time.monotonic() + time_limit / 2)
    chosen = dealt
    if not optimal:
        # The presenter rule binds: only the exact model can tell what is best.
        chosen, optimal = _solve(prep, previous or {}, max(0.1, deadline - time.monotonic()))
        if dealt is not None and _feasible(prep, dealt) and (
            chosen is None or (not optimal and _score(prep, dealt) > _score(prep, chosen))
        ):
            chosen = dealt
    if chosen is not None and not _feasible(prep, chosen):
        chosen, optimal = None, False
    if not optimal:
        # Out of time: never publish something worse than the simple first-fit programme.
        fallback = greedy_place(sessions, contributions)
        index = {s.id: j for j, s in enumerate(prep.sessions)}
        greedy = {cid: index[sid] for cid, sid in fallback.assignment.items() if cid not in prep.fixed}
        if chosen is None or _score(prep, greedy) > _score(prep, chosen):
            return Programme(fallback.sessions, fallback.unplaced, fallback.warnings, fallback.theme_matches,
                             False, "greedy_fallback", fallback.assignment)
    return _finish(prep, chosen, optimal=optimal, method="milp")


class _Model:
    """A MILP under construction: columns with bounds, sparse rows, a cost to maximise."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.entry_rows: list[int] = []
        self.entry_cols: list[int] = []
        self.entry_vals: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    def var(self, upper: float, *, integer: bool = True) -> int:
        self.cost.append(0.0)
        self.lower.append(0.0)
        self.upper.append(float(upper))
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, entries: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        r = len(self.row_lower)
        for col, val in entries:
            self.entry_rows.append(r)
            self.entry_cols.append(col)
            self.entry_vals.append(val)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def solve(self, cost: Sequence[float], gap: float, time_limit: float):
        """Maximise `cost`; stop once the incumbent is proven within `gap` (absolute) of optimal."""
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import csr_array

        n = len(self.cost)
        c = -np.asarray(cost, dtype=float)
        bound = float(np.abs(c) @ np.asarray(self.upper)) + 1.0
        constraints = ()
        if self.row_lower:
            matrix = csr_array(
                (self.entry_vals, (self.entry_rows, self.entry_cols)), shape=(len(self.row_lower), n)
            )
            constraints = LinearConstraint(matrix, self.row_lower, self.row_upper)
        # HiGHS's relative gap is measured against an objective no larger than `bound` in
        # magnitude, so this relative gap is at most `gap` in absolute terms.
        return milp(
            c,
            constraints=constraints,
            integrality=np.asarray(self.integer),
            bounds=Bounds(self.lower, self.upper),
            options={"mip_rel_gap": gap / bound, "time_limit": time_limit, "presolve": True, },
        )


def _solve(
    prep: _Prepared, previous: Mapping[str, str], time_limit: float
) -> tuple[dict[str, int] | None, bool]:
    """Exact on (placed, theme matches); best effort, but strongly preferred, on staying put.

    Contributions are counted per class (same allowed sessions, same theme matches) rather than
    named one by one, which keeps the model small; a class's members are then dealt out to its
    sessions avoiding presenter clashes. The presenter rule is modelled only for contributions
    whose presenters could not be dealt out that way, and the model is solved again with those
    named individually. Every model is a relaxation of the real problem, so the first one whose
    solution deals out without a clash is optimal for the real problem too.
    """
    n_s = len(prep.sessions)
    free = prep.free
    session_index = {s.id: j for j, s in enumerate(prep.sessions)}
    allowed: list[tuple[int, ...]] = []
    matching: list[frozenset[int]] = []
    for c in free:
        ok = tuple(j for j in range(n_s) if _allowed(prep, c, j))
        allowed.append(ok)
        matching.append(frozenset(j for j in ok if _matches(c, prep.sessions[j])))
    prev_of = [session_index.get(previous.get(c.id, ""), -1) for c in free]
    kept_before = {free[i].id: prev_of[i] for i in range(len(free)) if prev_of[i] in allowed[i]}
    if kept_before and not _feasible(prep, kept_before):
        kept_before = {}
    cliques = maximal_overlap_cliques(prep.sessions)

    named_presenters: set[str] = set()
    deadline = time.monotonic() + time_limit
    best: dict[str, int] | None = None
    while True:
        named = [i for i, c in enumerate(free) if allowed[i] and any(p in named_presenters for p in c.presenters)]
        remaining = deadline - time.monotonic()
        outcome = None
        if remaining > 0:
            outcome = _solve_relaxation(prep, allowed, matching, prev_of, kept_before, set(named), cliques, remaining)
        if outcome is None:
            return best, False
        chosen, quotas, optimal, classes = outcome
        if not quotas and (chosen or not classes):
            return chosen, optimal  # the previous programme is already optimal, or nothing to count
        clashing = _deal_out(prep, classes, quotas, chosen, prev_of, matching)
        if not clashing:
            return chosen, optimal
        # Without the clashing members the programme is still valid, just maybe not the best;
        # first-fit for whoever is left makes it a fair answer should time run out.
        _complete(prep, chosen)
        if best is None or _score(prep, chosen) > _score(prep, best):
            best = chosen
        named_presenters |= {p for i in clashing for p in free[i].presenters}


def _complete(prep: _Prepared, chosen: dict[str, int]) -> None:
    used: dict[int, int] = defaultdict(int)
    occupied: dict[str, set[int]] = defaultdict(set)
    for p, held in prep.busy.items():
        occupied[p] |= held
    by_id = {c.id: c for c in prep.free}
    for cid, j in chosen.items():
        used[j] += 1
        for p in by_id[cid].presenters:
            occupied[p].add(j)
    for c in prep.free:
        if c.id in chosen:
            continue
        fits = [
            j for j in range(len(prep.sessions))
            if used[j] < prep.capacity[j] and _takes(prep.sessions[j], c)
            and not any(prep.overlap[j] & occupied[p] for p in c.presenters)
        ]
        if fits:
            j = next((j for j in fits if _matches(c, prep.sessions[j])), fits[0])
            chosen[c.id] = j
            used[j] += 1
            for p in c.presenters:
                occupied[p].add(j)


def _score(prep: _Prepared, chosen: Mapping[str, int]) -> tuple[int, int]:
    by_id = {c.id: c for c in prep.free}
    return len(chosen), sum(_matches(by_id[cid], prep.sessions[j]) for cid, j in chosen.items())


def _deal_out(prep, classes, quotas, chosen, prev_of, matching) -> list[int]:
    """Give each class's members its sessions; return members that clashed while slots remained.

    Members go in submission order to their previous session if it is among the class's, else
    to a theme-matching one, else the earliest. A member that fits nowhere may swap in for a
    placed member of its own class (same theme matches: the objective does not change) who
    moves on to a session still open.
    """
    free = prep.free
    occupied: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for p, held in prep.busy.items():
        for j in held:
            occupied[p][j] += 1
    by_id = {c.id: i for i, c in enumerate(free)}

    def enter(i: int, j: int) -> None:
        chosen[free[i].id] = j
        for p in free[i].presenters:
            occupied[p][j] += 1

    def leave(i: int, j: int) -> None:
        del chosen[free[i].id]
        for p in free[i].presenters:
            occupied[p][j] -= 1

    def clashes(i: int, j: int) -> bool:
        return any(occupied[p][t] > 0 for p in free[i].presenters for t in prep.overlap[j])

    for cid, j in list(chosen.items()):
        chosen.pop(cid)
        enter(by_id[cid], j)
    class_of = {i: key for key, members in classes.items() for i in members}
    placed_in: dict[int, list[int]] = defaultdict(list)  # id(class) → its placed members
    left: dict[int, list[int]] = defaultdict(list)
    for i in sorted(class_of):  # submission order
        key = class_of[i]
        quota = quotas[key]
        options = [j for j, q in quota.items() if q > 0 and not clashes(i, j)]
        if options:
            j = prev_of[i] if prev_of[i] in options else min(options, key=lambda j: (j not in matching[i], j))
            enter(i, j)
            quota[j] -= 1
            placed_in[id(key)].append(i)
            continue
        if any(q > 0 for q in quota.values()) and _swap_in(i, key, quota, placed_in[id(key)], chosen, by_id,
                                                          free, enter, leave, clashes):
            continue
        left[id(key)].append(i)
    clashing = []
    for key in classes:
        if left.get(id(key)) and any(q > 0 for q in quotas[key].values()):
            clashing += left[id(key)]
    return clashing


def _swap_in(i, key, quota, placed, chosen, by_id, free, enter, leave, clashes) -> bool:
    open_sessions = [j for j, q in quota.items() if q > 0]
    for other in placed:
        here = chosen[free[other].id]
        leave(other, here)
        if not clashes(i, here):
            for target in open_sessions:
                if not clashes(other, target):
                    enter(other, target)
                    # i takes `here` only if other's move did not make it clash there
                    if not clashes(i, here):
                        enter(i, here)
                        quota[target] -= 1
                        placed.append(i)
                        return True
                    leave(other, target)
        enter(other, here)
    return False


def _solve_relaxation(prep, allowed, matching, prev_of, kept_before, named, cliques, time_limit):
    """Solve with `named` contributions one by one and the rest counted per class.

    Returns (chosen for named, quotas per class, optimal, classes), or (previous, {}, …) when the
    previous programme reaches the optimum, or None when the solver found nothing.
    """
    free = prep.free
    n_c = len(free)
    n_s = len(prep.sessions)
    classes: dict[tuple, list[int]] = {}
    for i in range(n_c):
        if i not in named and allowed[i]:
            classes.setdefault((allowed[i], matching[i]), []).append(i)

    # Lexicographic weights: one more placement outweighs every theme match there could be;
    # the tie-break terms together stay below the gap the solver must close, which is below one.
    big = float(n_c + 1)
    tiny = 0.45 / (n_c + 1)
    gap = 0.4

    def tie(rank: int, j: int, matched: bool) -> float:
        # Earlier submissions first, winning theme matches first and getting earlier sessions.
        # The interaction terms matter: a separable tie-break cannot tell swapped pairs apart.
        early_c = 1.0 - rank / (len(prep.order) + 1.0)
        early_s = 1.0 - j / (n_s + 1.0)
        return tiny * (0.5 * early_c + 0.25 * matched * early_c + 0.25 * early_c * early_s)

    model = _Model()
    primary: list[float] = []  # per column: big·placed + matched
    tiebreak: list[float] = []
    z_cols: dict[tuple, dict[int, int]] = {}
    x_cols: dict[int, dict[int, int]] = {}
    per_session: dict[int, list[int]] = defaultdict(list)

    def column(upper: float, p: float, t: float, *, integer: bool = True) -> int:
        primary.append(p)
        tiebreak.append(t)
        return model.var(upper, integer=integer)

    for key, members in classes.items():
        ok, match_set = key
        first = prep.order[free[members[0]].id]
        cols = {}
        for j in ok:
            m = j in match_set
            cols[j] = column(min(len(members), prep.capacity[j]), big + m, tie(first, j, m))
            per_session[j].append(cols[j])
        z_cols[key] = cols
        model.row(((col, 1.0) for col in cols.values()), -math.inf, len(members))
    for i in sorted(named):
        rank = prep.order[free[i].id]
        cols = {}
        for j in allowed[i]:
            m = j in matching[i]
            cols[j] = column(1, big + m, tie(rank, j, m))
            per_session[j].append(cols[j])
        x_cols[i] = cols
        model.row(((col, 1.0) for col in cols.values()), -math.inf, 1.0)
    for j, cols in per_session.items():
        model.row(((col, 1.0) for col in cols), -math.inf, prep.capacity[j])

    by_presenter: dict[str, list[int]] = defaultdict(list)
    for i in x_cols:
        for p in free[i].presenters:
            by_presenter[p].append(i)
    for p in sorted(by_presenter):
        mine = by_presenter[p]
        if len(mine) < 2:
            continue
        reachable = {j for i in mine for j in x_cols[i]}
        y_of: dict[int, int] = {}
        for clique in cliques:
            group = [j for j in clique if j in reachable]
            if len(group) < 2:
                continue
            for j in group:
                if j not in y_of:
                    # y[p, s] may stay continuous: x ≤ y with x binary forces y to 1 where used.
                    y_of[j] = column(1.0, 0.0, 0.0, integer=False)
            model.row(((y_of[j], 1.0) for j in group), -math.inf, 1.0)
        for j, y in y_of.items():
            for i in mine:
                if j in x_cols[i]:
                    model.row(((x_cols[i][j], 1.0), (y, -1.0)), -math.inf, 0.0)

    if not model.cost:
        return {}, {key: {} for key in classes}, True, classes
    started = time.monotonic()
    result = model.solve([a + b for a, b in zip(primary, tiebreak)], gap, time_limit)
    if result.x is None:
        return None
    optimal = result.status == 0
    values = result.x
    best_primary = round(float(sum(a * v for a, v in zip(primary, values))))

    if kept_before:
        previous_primary = sum(big + (j in matching[i]) for i, c in enumerate(free) for j in [kept_before.get(c.id)] if j is not None)
        if previous_primary >= best_primary:
            return dict(kept_before), {}, optimal, classes
        # Keep as much of the previous programme as possible without giving up anything above.
        stay: list[float] = [0.0] * len(model.cost)
        for i, cols in x_cols.items():
            if prev_of[i] in cols:
                stay[cols[prev_of[i]]] = 1.0
        for key, members in classes.items():
            counts: dict[int, int] = defaultdict(int)
            for i in members:
                if prev_of[i] in z_cols[key]:
                    counts[prev_of[i]] += 1
            for j, count in counts.items():
                v = column(min(count, prep.capacity[j]), 0.0, 0.0)
                stay.append(1.0)
                model.row(((v, 1.0), (z_cols[key][j], -1.0)), -math.inf, 0.0)
        model.row(((col, w) for col, w in enumerate(primary) if w), best_primary - 0.5, math.inf)
        remaining = max(0.1, time_limit - (time.monotonic() - started))
        second = model.solve([a + b for a, b in zip(stay, tiebreak)], gap, remaining)
        if second.x is not None:
            values = second.x
            optimal = optimal and second.status == 0

    chosen = {free[i].id: j for i, cols in x_cols.items() for j, col in cols.items() if values[col] > 0.5}
    quotas = {key: {j: int(round(values[col])) for j, col in cols.items()} for key, cols in z_cols.items()}
    return chosen, quotas, optimal, classes


def theme_matches(sessions: Iterable[SlotSession], contributions: Iterable[Placeable], assignment: Mapping[str, str]) -> int:
    """How many placements in `assignment` land in a session of one of the contribution's themes."""
    theme = {s.id: s.theme for s in sessions}
    return sum(
        1 for c in contributions
        if c.id in assignment and theme.get(assignment[c.id]) is not None and theme[assignment[c.id]] in c.themes
    )



# ---------------------------------------------------------------------------------------------


def _allowed_sets(prep: _Prepared) -> tuple[list[tuple[int, ...]], list[frozenset[int]]]:
    n_s = len(prep.sessions)
    open_sessions = tuple(j for j in range(n_s) if prep.capacity[j] > 0)
    allowed: list[tuple[int, ...]] = []
    matching: list[frozenset[int]] = []
    by_theme: dict[str, tuple[int, ...]] = defaultdict(tuple)
    for j in open_sessions:
        theme = prep.sessions[j].theme
        if theme is not None:
            by_theme[theme] += (j,)
    # Sessions taking a format are the same for every contribution of that format.
    by_format: dict[str | None, tuple[int, ...]] = {}
    for c in prep.free:
        if c.format not in by_format:
            by_format[c.format] = tuple(j for j in open_sessions if _takes(prep.sessions[j], c))
        if any(p in prep.busy for p in c.presenters):
            ok = tuple(j for j in by_format[c.format] if _allowed(prep, c, j))
        else:
            ok = by_format[c.format]
        allowed.append(ok)
        okset = set(ok)
        matching.append(frozenset(j for t in dict.fromkeys(c.themes) for j in by_theme.get(t, ()) if j in okset))
    return allowed, matching


def _pools(prep: _Prepared, allowed) -> list[tuple[int, ...] | None]:
    """Per free contribution, the open sessions that take its format when it may use all of
    them (its presenters are fixed nowhere in the way), else None."""
    open_sessions = tuple(j for j in range(len(prep.sessions)) if prep.capacity[j] > 0)
    by_format: dict[str | None, tuple[int, ...]] = {}
    pools: list[tuple[int, ...] | None] = []
    for i, c in enumerate(prep.free):
        if c.format not in by_format:
            by_format[c.format] = tuple(j for j in open_sessions if _takes(prep.sessions[j], c))
        pool = by_format[c.format]
        pools.append(pool if allowed[i] and len(allowed[i]) == len(pool) else None)
    return pools


def _pool_themes(prep: _Prepared, pool: tuple[int, ...]) -> dict[str | None, list[int]]:
    by_theme: dict[str | None, list[int]] = defaultdict(list)
    for j in pool:
        by_theme[prep.sessions[j].theme].append(j)
    return by_theme


def _bound(prep: _Prepared, allowed, matching, pools):
    """Best (placed, theme matches) with the presenter rule among free contributions left out.

    That relaxation is a flow problem. Contributions that may use every open session taking
    their format (their presenters are fixed nowhere in the way) form a pool per format; within
    a pool they count per set of themes and reach sessions through one node per (pool, theme).
    The others, restricted by where their presenters are fixed, count per set of allowed
    sessions and reach them directly. The format rule is kept whole, so nothing is relaxed but
    the presenter rule among free contributions. Network matrices are totally unimodular, so
    the LP optimum is integral, and it bounds the real problem from above.
    """
    n_c = len(prep.free)
    if not any(prep.capacity):
        return (0, 0), {}, {}, {}
    pool_classes: dict[tuple, int] = defaultdict(int)
    restricted: dict[tuple, int] = defaultdict(int)
    themes_of: dict[tuple, dict[str | None, list[int]]] = {}
    for i, c in enumerate(prep.free):
        if not allowed[i]:
            continue
        pool = pools[i]
        if pool is not None:
            if pool not in themes_of:
                themes_of[pool] = _pool_themes(prep, pool)
            pool_classes[(pool, frozenset(t for t in c.themes if t in themes_of[pool]))] += 1
        else:
            restricted[(allowed[i], matching[i])] += 1
    big = float(n_c + 1)
    model = _Model()
    cost: list[float] = []

    def column(upper: float, weight: float) -> int:
        cost.append(weight)
        return model.var(upper, integer=False)

    into_session: dict[int, list[int]] = defaultdict(list)
    into_node: dict[tuple, list[int]] = defaultdict(list)
    theme_cols: dict[tuple, dict] = {}
    for key in sorted(pool_classes, key=lambda k: (k[0], sorted(k[1]))):
        pool, wanted = key
        count = pool_classes[key]
        cols = {}
        for t in themes_of[pool]:
            cols[t] = column(count, big + (t in wanted))
            into_node[(pool, t)].append(cols[t])
        theme_cols[key] = cols
        model.row(((col, 1.0) for col in cols.values()), -math.inf, count)
    open_cols: dict[tuple, int] = {}
    for pool in sorted(themes_of):
        for t, sessions in themes_of[pool].items():
            outs = []
            for j in sessions:
                open_cols[(pool, j)] = col = column(prep.capacity[j], 0.0)
                into_session[j].append(col)
                outs.append(col)
            model.row([(col, 1.0) for col in into_node[(pool, t)]] + [(col, -1.0) for col in outs], 0.0, 0.0)
    session_cols: dict[tuple, dict[int, int]] = {}
    for key in sorted(restricted):
        ok, match = key
        count = restricted[key]
        cols = {}
        for j in ok:
            cols[j] = column(min(count, prep.capacity[j]), big + (j in match))
            into_session[j].append(cols[j])
        session_cols[key] = cols
        model.row(((col, 1.0) for col in cols.values()), -math.inf, count)
    for j in sorted(into_session):
        model.row(((col, 1.0) for col in into_session[j]), -math.inf, prep.capacity[j])
    if not model.cost:
        return (0, 0), {}, {}, {}
    result = model.solve(cost, 0.4, 30.0)
    if result.x is None:
        return None, {}, {}, {}
    total = round(float(-result.fun))
    v = [int(round(x)) for x in result.x]
    theme_quota = {key: {t: v[col] for t, col in cols.items() if v[col]} for key, cols in theme_cols.items()}
    session_quota = {key: {j: v[col] for j, col in cols.items() if v[col]} for key, cols in session_cols.items()}
    open_room = {key: v[col] for key, col in open_cols.items()}
    return (total // int(big), total % int(big)), theme_quota, session_quota, open_room


def _fast(prep: _Prepared, previous: Mapping[str, str], deadline: float) -> tuple[dict[str, int] | None, bool]:
    """Deal contributions out along the relaxation's optimal flow, avoiding presenter clashes,
    then fit in the rest and win back theme matches by chains of moves.

    Returns (placements of free contributions, proven optimal). Proven means the result scores
    what the relaxation does, so nothing can do better; otherwise the caller runs the exact
    model and keeps the better of the two. Stops improving at `deadline` (monotonic clock).
    """
    free = prep.free
    allowed, matching = _allowed_sets(prep)
    pools = _pools(prep, allowed)
    bound, theme_quota, session_quota, open_room = _bound(prep, allowed, matching, pools)
    if bound is None:
        return None, False
    session_index = {s.id: j for j, s in enumerate(prep.sessions)}
    prev_of = [session_index.get(previous.get(c.id, ""), -1) for c in free]
    kept = {free[i].id: prev_of[i] for i in range(len(free)) if prev_of[i] in allowed[i]}
    if kept and _feasible(prep, kept) and _score(prep, kept) == bound:
        return kept, True

    links: dict[str, int] = defaultdict(int)
    for c in free:
        for p in c.presenters:
            links[p] += 1
    degree = [sum(links[p] - 1 for p in c.presenters) + sum(p in prep.busy for p in c.presenters) for c in free]
    # Most-linked first: their presenters leave the fewest choices.
    order = sorted(range(len(free)), key=lambda i: (prev_of[i] < 0, -degree[i], i))

    if kept:
        # After a small change the last programme usually needs only a few additions to be
        # optimal again: keep it whole and add what fits without moving anyone's theme match.
        state = _State(prep, allowed, matching)
        for i in range(len(free)):
            j = prev_of[i]
            if j in allowed[i] and state.room(j) > 0 and not state.clashes(i, j):
                state.enter(i, j)
        for i in order:
            if len(state.where) == bound[0]:
                break  # more cannot be placed; any further gain would be in theme matches
            if i not in state.where and allowed[i]:
                if not state.augment(i, sorted(matching[i])):
                    state.augment(i, [j for j in allowed[i] if j not in matching[i]])
        state.improve(order, bound, time.monotonic() + (deadline - time.monotonic()) / 2)
        chosen = state.chosen()
        if _score(prep, chosen) == bound:
            return _earliest_first(prep, chosen, kept), True

    state = _State(prep, allowed, matching)
    themes_of: dict[tuple, dict[str | None, list[int]]] = {}

    def pool_quota(i: int):
        pool = pools[i]
        if pool not in themes_of:
            themes_of[pool] = _pool_themes(prep, pool)
        return theme_quota[(pool, frozenset(t for t in free[i].themes if t in themes_of[pool]))]

    left: list[int] = []
    for i in order:
        c = free[i]
        if not allowed[i]:
            continue
        pool = pools[i]
        if pool is not None:
            quota = pool_quota(i)
            options = [j for t, q in quota.items() if q > 0 for j in themes_of[pool][t]
                       if open_room[(pool, j)] > 0 and not state.clashes(i, j)]
        else:
            quota = session_quota[(allowed[i], matching[i])]
            options = [j for j, q in quota.items() if q > 0 and not state.clashes(i, j)]
        if not options:
            left.append(i)
            continue
        j = prev_of[i] if prev_of[i] in options else min(options, key=lambda j: (-state.room(j), j))
        state.enter(i, j)
        if pool is not None:
            quota[prep.sessions[j].theme] -= 1
            open_room[(pool, j)] -= 1
        else:
            quota[j] -= 1
    unfitted: list[int] = []
    for i in left:
        c = free[i]
        if pools[i] is not None:
            quota = pool_quota(i)
            wanted = {t in c.themes for t, q in quota.items() if q > 0}
        else:
            quota = session_quota[(allowed[i], matching[i])]
            wanted = {j in matching[i] for j, q in quota.items() if q > 0}
        for want in sorted(wanted, reverse=True):
            if state.augment(i, [j for j in allowed[i] if (j in matching[i]) == want]):
                break
        else:
            unfitted.append(i)
    # The bound is out of reach now; placing one more still beats any theme match, so should
    # the exact model run out of time, this is the better answer to have.
    for i in unfitted:
        if len(state.where) == bound[0]:
            break
        if not state.augment(i, sorted(matching[i])):
            state.augment(i, [j for j in allowed[i] if j not in matching[i]])
    state.improve(order, bound, deadline)
    chosen = _earliest_first(prep, state.chosen(), kept)
    score = _score(prep, chosen)
    return chosen, score == bound


def _earliest_first(prep: _Prepared, chosen: dict[str, int], kept: Mapping[str, int]) -> dict[str, int]:
    """Among equally good programmes, the one a reader expects: each newly placed contribution
    (in submission order) in the earliest session that serves it as well — same theme match, a
    free slot, no presenter clash. Placed count and theme matches do not change; placements kept
    from the last programme do not move."""
    chosen = dict(chosen)
    count = [0] * len(prep.sessions)
    presenters_in: dict[str, list[int]] = defaultdict(list)
    by_id = {c.id: c for c in prep.free}
    for cid, j in chosen.items():
        count[j] += 1
        for p in by_id[cid].presenters:
            presenters_in[p].append(j)
    by_time = sorted(range(len(prep.sessions)), key=lambda j: (prep.sessions[j].start, j))
    rank = {j: r for r, j in enumerate(by_time)}
    for c in sorted(prep.free, key=lambda c: prep.order[c.id]):
        here = chosen.get(c.id)
        if here is None or c.id in kept:
            continue
        match = _matches(c, prep.sessions[here])
        for j in by_time[:rank[here]]:
            if (count[j] >= prep.capacity[j] or _matches(c, prep.sessions[j]) != match
                    or not _allowed(prep, c, j)):
                continue
            clash = False
            for p in c.presenters:
                others = list(presenters_in[p])
                others.remove(here)
                if any(k in prep.overlap[j] for k in others):
                    clash = True
                    break
            if clash:
                continue
            count[here] -= 1
            count[j] += 1
            for p in c.presenters:
                presenters_in[p].remove(here)
                presenters_in[p].append(j)
            chosen[c.id] = j
            break
    return chosen


class _State:
    """A programme being dealt out, with per-presenter session counts for quick clash checks."""

    def __init__(self, prep: _Prepared, allowed, matching) -> None:
        self.prep = prep
        self.allowed = allowed
        self.matching = matching
        self.matched = 0
        self.used = [0] * len(prep.sessions)
        self.where: dict[int, int] = {}
        self.occupied: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for p, held in prep.busy.items():
            for j in held:
                self.occupied[p][j] += 1
        self.themes: dict[str | None, list[int]] = defaultdict(list)
        for j, s in enumerate(prep.sessions):
            if prep.capacity[j] > 0:
                self.themes[s.theme].append(j)
        self.members: dict[int, list[int]] = defaultdict(list)
        self.open = [j for j in range(len(prep.sessions)) if prep.capacity[j] > 0]

    def room(self, j: int) -> int:
        return self.prep.capacity[j] - self.used[j]

    def clashes(self, i: int, j: int, *, leaving: int | None = None) -> bool:
        """Whether i in j would share a presenter with an overlapping session; `leaving` is
        where i is now, which then does not count."""
        occupied = self.occupied
        overlap = self.prep.overlap[j]
        for p in self.prep.free[i].presenters:
            mine = occupied.get(p)
            if mine and any(n - (t == leaving) > 0 and t in overlap for t, n in mine.items()):
                return True
        return False

    def enter(self, i: int, j: int) -> None:
        self.where[i] = j
        self.matched += j in self.matching[i]
        self.used[j] += 1
        self.members[j].append(i)
        for p in self.prep.free[i].presenters:
            self.occupied[p][j] += 1

    def leave(self, i: int) -> int:
        j = self.where.pop(i)
        self.matched -= j in self.matching[i]
        self.used[j] -= 1
        self.members[j].remove(i)
        for p in self.prep.free[i].presenters:
            self.occupied[p][j] -= 1
        return j

    def chosen(self) -> dict[str, int]:
        return {self.prep.free[i].id: j for i, j in sorted(self.where.items())}

    def augment(self, i: int, targets: Iterable[int], *, origin: int | None = None, drop: bool = False) -> bool:
        """Put i in one of `targets`, moving others along the way to a session with a free slot.

        Each move keeps the mover's theme match as it was. Breadth first over sessions: reaching
        a session means someone is to enter it. With `origin` (where i is now) the chain may end
        there, in the slot i leaves; with `drop` it may end by taking the slot of a member who
        has no theme match there, who is then unplaced.
        """
        if origin is None and not drop and not any(self.room(j) > 0 for j in self.open):
            return False
        parent: dict[int, tuple[int, int | None]] = {}
        queue: deque[int] = deque()
        for j in targets:
            if j not in parent and j != origin and not self.clashes(i, j, leaving=origin):
                parent[j] = (i, origin)
                queue.append(j)
        while queue:
            j = queue.popleft()
            dropped = None
            if drop and self.room(j) <= 0:
                dropped = next((u for u in reversed(self.members[j]) if j not in self.matching[u]), None)
            if self.room(j) > 0 or j == origin or dropped is not None:
                path = []
                at = j
                while True:
                    mover, came_from = parent[at]
                    path.append((mover, at, came_from))
                    if mover == i:
                        break
                    at = came_from
                return self._apply(path, dropped)
            for d in self.members[j]:
                matches = self.matching[d]
                matched = j in matches
                for k in self.allowed[d]:
                    if k in parent or (k in matches) != matched:
                        continue
                    if not self.clashes(d, k, leaving=j):
                        parent[k] = (d, j)
                        queue.append(k)
        return False

    def _apply(self, path: list[tuple[int, int, int | None]], dropped: int | None) -> bool:
        if dropped is not None:
            dropped_from = self.leave(dropped)
        for mover, _, came_from in path:
            if came_from is not None:
                self.leave(mover)
        for mover, target, _ in path:
            self.enter(mover, target)
        if not any(self.clashes(mover, target) for mover, target, _ in path):
            return True
        # Two movers share a presenter and now clash: put everyone back.
        for mover, _, _ in path:
            self.leave(mover)
        for mover, _, came_from in path:
            if came_from is not None:
                self.enter(mover, came_from)
        if dropped is not None:
            self.enter(dropped, dropped_from)
        return False

    def improve(self, order: Sequence[int], bound: tuple[int, int], deadline: float) -> None:
        """Trade non-matching placements for matching ones until the bound or no more gain."""
        while len(self.where) == bound[0] and self.matched < bound[1] and time.monotonic() < deadline:
            gained = False
            for i in order:
                if not self.matching[i] or time.monotonic() > deadline:
                    continue
                j = self.where.get(i)
                if j is None:
                    gained |= self.augment(i, sorted(self.matching[i]), drop=True)
                elif j not in self.matching[i]:
                    gained |= self.augment(i, sorted(self.matching[i]), origin=j)
                if self.matched >= bound[1]:
                    return
            if not gained:
                return
