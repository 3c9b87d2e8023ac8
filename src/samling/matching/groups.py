"""Diverse working groups for a gathering.

People are split into groups whose sizes are as equal as possible within the event's size range.
The partition is chosen by a lexicographic objective:

1. as few pairs of people from the same municipality in one group as possible;
2. as many distinct sectors plus distinct counties, summed over the groups, as possible;
3. experience levels (``lite``/``noe``/``mye``) spread as evenly as possible: the total absolute
   deviation of each group's count of a level from its fair share ``count(level) * size / n``.

Small pools are solved exactly with a staged MILP (one stage per objective, each bounded by the
local-search value); larger pools with a greedy construction followed by pairwise-swap local search.
Everything here is plain data in, plain data out.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EXPERIENCE_LEVELS: tuple[str, ...] = ("lite", "noe", "mye")


@dataclass(frozen=True)
class Person:
    id: str
    municipality: str | None
    county: str | None
    size_class: str | None
    sector: str | None
    experience: str | None  # lite | noe | mye
    interests: tuple[str, ...] = ()
    theme: str | None = None


@dataclass(frozen=True)
class Facilitator:
    name: str
    email: str


class GroupingImpossible(ValueError):
    """The people cannot be split into groups within the size range."""

    def __init__(self, reason: str, messages: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.messages = messages or {"nb": reason, "nn": reason, "en": reason}


class NotEnoughFacilitators(ValueError):
    """Every group needs its own facilitator."""

    def __init__(self, needed: int, given: int) -> None:
        self.needed = needed
        self.given = given
        self.messages = {
            "nb": f"Det trengs {needed} fasilitatorer, men bare {given} er oppgitt.",
            "nn": f"Det trengst {needed} fasilitatorar, men berre {given} er oppgjevne.",
            "en": f"{needed} facilitators are needed, but only {given} were given.",
        }
        super().__init__(self.messages["en"])


@dataclass(frozen=True)
class Group:
    id: str
    facilitator: Facilitator
    members: tuple[str, ...]
    theme: str | None = None


@dataclass(frozen=True)
class GroupStats:
    id: str
    size: int
    distinct_sectors: int
    distinct_counties: int
    same_municipality_pairs: int
    experience: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": self.size,
            "distinct_sectors": self.distinct_sectors,
            "distinct_counties": self.distinct_counties,
            "same_municipality_pairs": self.same_municipality_pairs,
            "experience": dict(self.experience),
        }


@dataclass(frozen=True)
class PartitionScore:
    same_municipality_pairs: int
    distinct_sectors_mean: float
    distinct_counties_mean: float
    experience_imbalance: float
    diversity: int
    per_group: tuple[GroupStats, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "same_municipality_pairs": self.same_municipality_pairs,
            "distinct_sectors_mean": self.distinct_sectors_mean,
            "distinct_counties_mean": self.distinct_counties_mean,
            "experience_imbalance": self.experience_imbalance,
            "diversity": self.diversity,
            "per_group": [g.to_dict() for g in self.per_group],
        }


@dataclass(frozen=True)
class GroupResult:
    groups: tuple[Group, ...]
    score: PartitionScore
    diversity_upper_bound: int
    same_municipality_pairs_lower_bound: int
    method: str  # "exact" | "local_search"
    optimal: bool
    random_baseline: PartitionScore
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score = self.score.to_dict()
        per_group = score.pop("per_group")
        score.update(
            {
                "diversity_upper_bound": self.diversity_upper_bound,
                "same_municipality_pairs_lower_bound": self.same_municipality_pairs_lower_bound,
                "method": self.method,
                "optimal": self.optimal,
                "per_group": per_group,
                "random_baseline": self.random_baseline.to_dict(),
            }
        )
        return {
            "groups": [
                {
                    "id": g.id,
                    "facilitator": {"name": g.facilitator.name, "email": g.facilitator.email},
                    "members": list(g.members),
                    "theme": g.theme,
                }
                for g in self.groups
            ],
            "score": score,
        }


# --------------------------------------------------------------------------------------------
# Sizes and bounds


def group_sizes(n: int, min_size: int, max_size: int) -> list[int]:
    """Fewest groups within the range, sizes differing by at most one, larger groups first."""
    if min_size < 1 or max_size < min_size:
        raise GroupingImpossible(
            f"invalid size range {min_size}-{max_size}",
            {
                "nb": f"Ugyldig gruppestørrelse {min_size}–{max_size}.",
                "nn": f"Ugyldig gruppestorleik {min_size}–{max_size}.",
                "en": f"Invalid group size range {min_size}–{max_size}.",
            },
        )
    if n == 0:
        return []
    k = math.ceil(n / max_size)
    # ceil(n / max) is the fewest groups that can hold everyone; more groups only shrink them,
    # so if the smallest equal share is below the minimum no partition exists at all.
    if n // k < min_size:
        raise GroupingImpossible(
            f"{n} people cannot be split into groups of {min_size}-{max_size}",
            {
                "nb": f"{n} deltakere kan ikke deles i grupper på {min_size}–{max_size}.",
                "nn": f"{n} deltakarar kan ikkje delast i grupper på {min_size}–{max_size}.",
                "en": f"{n} participants cannot be split into groups of {min_size}–{max_size}.",
            },
        )
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def _flow_bound(value_counts: Sequence[int], sizes: Sequence[int]) -> int:
    """Largest possible sum over groups of distinct values of one attribute.

    Value v can sit in at most one slot per group and in at most count(v) groups; group g has
    size(g) slots. The maximum is a bipartite flow whose min cut takes the a most common values
    and the b largest groups, hence the closed form below. Any such flow extends to a full
    partition (the remaining people fill the remaining seats), so the bound is attained for a
    single attribute.
    """
    c = sorted(value_counts, reverse=True)
    s = sorted(sizes, reverse=True)
    csum = [0]
    for x in c:
        csum.append(csum[-1] + x)
    ssum = [0]
    for x in s:
        ssum.append(ssum[-1] + x)
    best = None
    for a in range(len(c) + 1):
        for b in range(len(s) + 1):
            v = (csum[-1] - csum[a]) + (ssum[-1] - ssum[b]) + a * b
            if best is None or v < best:
                best = v
    return int(best or 0)


def _pairs_lower_bound(counts: Sequence[int], k: int) -> int:
    total = 0
    for c in counts:
        q, r = divmod(c, k)
        total += r * (q + 1) * q // 2 + (k - r) * q * (q - 1) // 2
    return total


# --------------------------------------------------------------------------------------------
# Encoded bucket and its objective


class _Bucket:
    """People of one theme encoded as integer arrays, with per-group count tables."""

    def __init__(self, people: Sequence[Person], sizes: Sequence[int]) -> None:
        self.people = list(people)
        self.n = n = len(people)
        self.sizes = np.array(sizes, dtype=np.int64)
        self.k = len(sizes)

        def encode(values: list[str | None], unique_missing: bool) -> tuple[np.ndarray, np.ndarray, int]:
            index: dict[str, int] = {}
            for v in values:
                if v is not None and v not in index:
                    index[v] = len(index)
            nv = len(index)
            codes = np.empty(n, dtype=np.int64)
            valid = np.ones(n, dtype=np.int64)
            for i, v in enumerate(values):
                if v is None:
                    valid[i] = 0
                    # A missing municipality must never look like a shared one.
                    codes[i] = nv + i if unique_missing else nv
                else:
                    codes[i] = index[v]
            width = nv + n if unique_missing else nv + 1
            return codes, valid, width

        self.mun, _, self.mun_w = encode([p.municipality for p in people], True)
        self.sec, self.sec_valid, self.sec_w = encode([p.sector for p in people], False)
        self.cou, self.cou_valid, self.cou_w = encode([p.county for p in people], False)
        lv = {name: i for i, name in enumerate(EXPERIENCE_LEVELS)}
        self.exp = np.array([lv.get(p.experience or "", 3) for p in people], dtype=np.int64)
        level_counts = np.bincount(self.exp, minlength=4)
        self.level_total = level_counts.copy()
        self.level_total[3] = 0  # unknown experience has no fair share to meet
        self.level_w = np.array([1, 1, 1, 0], dtype=np.int64)
        # Weights that make one integer key lexicographic: a swap changes the scaled experience
        # term by at most 4n and the diversity term by at most 4.
        self.big2 = 4 * n + 1
        self.big1 = 5 * self.big2

    # --- tables -----------------------------------------------------------------------------
    def tables(self, assign: np.ndarray) -> tuple[np.ndarray, ...]:
        k = self.k
        M = np.zeros((k, self.mun_w), dtype=np.int64)
        S = np.zeros((k, self.sec_w), dtype=np.int64)
        C = np.zeros((k, self.cou_w), dtype=np.int64)
        E = np.zeros((k, 4), dtype=np.int64)
        np.add.at(M, (assign, self.mun), 1)
        np.add.at(S, (assign, self.sec), 1)
        np.add.at(C, (assign, self.cou), 1)
        np.add.at(E, (assign, self.exp), 1)
        return M, S, C, E

    def objective(self, assign: np.ndarray) -> tuple[int, int, int]:
        M, S, C, E = self.tables(assign)
        pairs = int((M * (M - 1) // 2).sum())
        div = self._distinct(S, self.sec, self.sec_valid) + self._distinct(C, self.cou, self.cou_valid)
        imb = int((self.level_w * np.abs(self.n * E - np.outer(self.sizes, self.level_total))).sum())
        return pairs, div, imb

    @staticmethod
    def _distinct(T: np.ndarray, codes: np.ndarray, valid: np.ndarray) -> int:
        if valid.all():
            return int((T > 0).sum())
        missing_col = T.shape[1] - 1
        return int((T[:, :missing_col] > 0).sum())

    def imbalance_lower_bound(self) -> int:
        """Each (group, level) term is at least the distance of its fair share to an integer."""
        total = 0
        for g in range(self.k):
            for lvl in range(3):
                target = int(self.level_total[lvl]) * int(self.sizes[g])
                rem = target % self.n
                total += min(rem, self.n - rem)
        return total

    def diversity_upper_bound(self) -> int:
        sizes = self.sizes.tolist()
        sec = Counter(p.sector for p in self.people if p.sector is not None)
        cou = Counter(p.county for p in self.people if p.county is not None)
        return _flow_bound(list(sec.values()), sizes) + _flow_bound(list(cou.values()), sizes)

    def pairs_lower_bound(self) -> int:
        mun = Counter(p.municipality for p in self.people if p.municipality is not None)
        return _pairs_lower_bound(list(mun.values()), self.k)

    # --- construction -----------------------------------------------------------------------
    def greedy(self) -> np.ndarray:
        """Scarce people first, each into the open group where it costs least.

        People from large municipalities go first so they are spread before groups fill up;
        then people with rare sectors and counties, which are the ones a group can gain from.
        Ties go round-robin so early groups do not absorb everyone.
        """
        n, k = self.n, self.k
        mun_c = Counter(self.mun.tolist())
        sec_c = Counter(self.sec.tolist())
        cou_c = Counter(self.cou.tolist())
        order = sorted(
            range(n),
            key=lambda i: (-mun_c[int(self.mun[i])], int(self.mun[i]),
                           sec_c[int(self.sec[i])], cou_c[int(self.cou[i])], i),
        )
        M = np.zeros((k, self.mun_w), dtype=np.int64)
        S = np.zeros((k, self.sec_w), dtype=np.int64)
        C = np.zeros((k, self.cou_w), dtype=np.int64)
        E = np.zeros((k, 4), dtype=np.int64)
        fill = np.zeros(k, dtype=np.int64)
        assign = np.full(n, -1, dtype=np.int64)
        groups = np.arange(k)
        rr = 0
        for i in order:
            m, s, c, e = self.mun[i], self.sec[i], self.cou[i], self.exp[i]
            cost = M[:, m] * self.big1
            cost -= ((S[:, s] == 0) * self.sec_valid[i] + (C[:, c] == 0) * self.cou_valid[i]) * self.big2
            # Experience against the share a full group should end with.
            if e < 3:
                cost += np.abs(n * (E[:, e] + 1) - self.level_total[e] * self.sizes) - np.abs(
                    n * E[:, e] - self.level_total[e] * self.sizes
                )
            cost = cost.astype(np.float64)
            cost[fill >= self.sizes] = np.inf
            # Round-robin tie break: distance from the current pointer.
            tie = (groups - rr) % k
            best = int(np.lexsort((tie, cost))[0])
            assign[i] = best
            fill[best] += 1
            M[best, m] += 1
            S[best, s] += 1
            C[best, c] += 1
            E[best, e] += 1
            rr = (best + 1) % k
        return assign

    # --- local search -----------------------------------------------------------------------
    def local_search(self, assign: np.ndarray, deadline: float, rng: random.Random) -> np.ndarray:
        assign = assign.copy()
        n = self.n
        if self.k < 2 or n < 2:
            return assign
        M, S, C, E = self.tables(assign)
        mun, sec, cou, exp = self.mun, self.sec, self.cou, self.exp
        sv, cv = self.sec_valid, self.cou_valid
        lt, lw, sizes = self.level_total, self.level_w, self.sizes
        big1, big2 = self.big1, self.big2
        order = list(range(n))

        def f(g: np.ndarray | int, lvl: np.ndarray | int, cnt: np.ndarray | int) -> np.ndarray:
            return lw[lvl] * np.abs(n * cnt - lt[lvl] * sizes[g])

        improved = True
        while improved:
            improved = False
            rng.shuffle(order)
            for p in order:
                if time.monotonic() > deadline:
                    return assign
                g1 = assign[p]
                gq = assign
                mp, sp, cp, ep = mun[p], sec[p], cou[p], exp[p]
                d_m = -(M[g1, mp] - 1) + M[g1, mun] - (M[gq, mun] - 1) + M[gq, mp]
                d_m[mun == mp] = 0
                d_s = sv[p] * (-(S[g1, sp] == 1).astype(np.int64) + (S[gq, sp] == 0)) + sv * (
                    (S[g1, sec] == 0).astype(np.int64) - (S[gq, sec] == 1)
                )
                d_s[sec == sp] = 0
                d_c = cv[p] * (-(C[g1, cp] == 1).astype(np.int64) + (C[gq, cp] == 0)) + cv * (
                    (C[g1, cou] == 0).astype(np.int64) - (C[gq, cou] == 1)
                )
                d_c[cou == cp] = 0
                e1p = E[g1, ep]
                e1q = E[g1, exp]
                e2q = E[gq, exp]
                e2p = E[gq, ep]
                d_e = (
                    (f(g1, ep, e1p - 1) - f(g1, ep, e1p))
                    + (f(g1, exp, e1q + 1) - f(g1, exp, e1q))
                    + (f(gq, exp, e2q - 1) - f(gq, exp, e2q))
                    + (f(gq, ep, e2p + 1) - f(gq, ep, e2p))
                )
                d_e[exp == ep] = 0
                key = d_m * big1 - (d_s + d_c) * big2 + d_e
                key[gq == g1] = 1
                q = int(np.argmin(key))
                if key[q] >= 0:
                    continue
                g2 = assign[q]
                for tbl, col in ((M, mun), (S, sec), (C, cou), (E, exp)):
                    tbl[g1, col[p]] -= 1
                    tbl[g2, col[p]] += 1
                    tbl[g2, col[q]] -= 1
                    tbl[g1, col[q]] += 1
                assign[p], assign[q] = g2, g1
                improved = True
        return assign

    # --- exact ------------------------------------------------------------------------------
    def exact(self, incumbent: np.ndarray, time_limit: float) -> tuple[np.ndarray | None, bool]:
        """Staged MILP: minimise same-municipality pairs, then maximise diversity, then balance.

        Each stage is bounded by the incumbent's value, and later stages fix the earlier
        optimum, so the result is lexicographically optimal when every stage is proven.
        """
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix

        n, k = self.n, self.k
        deadline = time.monotonic() + time_limit
        inc_obj = self.objective(incumbent)

        cols: list[str] = []

        def add(count: int, kind: str) -> int:
            start = len(cols)
            cols.extend([kind] * count)
            return start

        x0 = add(n * k, "x")

        def xv(p: int, g: int) -> int:
            return x0 + p * k + g

        sec_vals = sorted({int(v) for v, ok in zip(self.sec, self.sec_valid) if ok})
        cou_vals = sorted({int(v) for v, ok in zip(self.cou, self.cou_valid) if ok})
        ys0 = add(k * len(sec_vals), "y")
        yc0 = add(k * len(cou_vals), "y")
        mun_groups: dict[int, list[int]] = {}
        for p in range(n):
            mun_groups.setdefault(int(self.mun[p]), []).append(p)
        multi = [ps for ps in mun_groups.values() if len(ps) >= 2]
        w0 = add(k * len(multi), "w")
        d0 = add(k * 3, "d")
        nv = len(cols)

        rows: list[int] = []
        cidx: list[int] = []
        vals: list[float] = []
        lbs: list[float] = []
        ubs: list[float] = []

        def row(entries: list[tuple[int, float]], lb: float, ub: float) -> None:
            r = len(lbs)
            for c, v in entries:
                rows.append(r)
                cidx.append(c)
                vals.append(v)
            lbs.append(lb)
            ubs.append(ub)

        for p in range(n):
            row([(xv(p, g), 1.0) for g in range(k)], 1, 1)
        for g in range(k):
            row([(xv(p, g), 1.0) for p in range(n)], int(self.sizes[g]), int(self.sizes[g]))
        for j, v in enumerate(sec_vals):
            members = [p for p in range(n) if self.sec_valid[p] and self.sec[p] == v]
            for g in range(k):
                row([(ys0 + j * k + g, 1.0)] + [(xv(p, g), -1.0) for p in members], -np.inf, 0)
        for j, v in enumerate(cou_vals):
            members = [p for p in range(n) if self.cou_valid[p] and self.cou[p] == v]
            for g in range(k):
                row([(yc0 + j * k + g, 1.0)] + [(xv(p, g), -1.0) for p in members], -np.inf, 0)
        # C(m, 2) is convex in the count m; its tangents t*m - t(t+1)/2 meet it at integers.
        for j, members in enumerate(multi):
            for g in range(k):
                for t in range(1, len(members)):
                    row([(w0 + j * k + g, 1.0)] + [(xv(p, g), -float(t)) for p in members],
                        -t * (t + 1) / 2, np.inf)
        for lvl in range(3):
            members = [p for p in range(n) if self.exp[p] == lvl]
            for g in range(k):
                target = float(self.level_total[lvl] * self.sizes[g])
                d = d0 + lvl * k + g
                row([(d, 1.0)] + [(xv(p, g), -float(n)) for p in members], -target, np.inf)
                row([(d, 1.0)] + [(xv(p, g), float(n)) for p in members], target, np.inf)
        # Groups of equal size are interchangeable: the first person goes to the first of them.
        seen_sizes: set[int] = set()
        for g in range(k):
            s = int(self.sizes[g])
            if s in seen_sizes:
                row([(xv(0, g), 1.0)], 0, 0)
            seen_sizes.add(s)

        integrality = np.array([1 if c == "x" else 0 for c in cols])
        lo = np.zeros(nv)
        hi = np.array([1.0 if c in ("x", "y") else np.inf for c in cols])

        w_obj = np.array([1.0 if c == "w" else 0.0 for c in cols])
        y_obj = np.array([1.0 if c == "y" else 0.0 for c in cols])
        d_obj = np.array([1.0 if c == "d" else 0.0 for c in cols])

        base = coo_matrix((vals, (rows, cidx)), shape=(len(lbs), nv)).tocsr()
        extra: list[LinearConstraint] = []
        proven = True
        best_x: np.ndarray | None = None

        stages = (
            (w_obj, 1.0, float(inc_obj[0])),  # minimise pairs, no worse than incumbent
            (y_obj, -1.0, float(inc_obj[1])),  # maximise diversity
            (d_obj, 1.0, float(inc_obj[2])),  # minimise imbalance
        )
        fixed: list[int] = []
        for stage, (vec, sign, inc_val) in enumerate(stages):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                proven = False
                break
            cons = [LinearConstraint(base, lbs, ubs), *extra]
            # The incumbent bounds this stage only if it met every earlier optimum.
            if all(inc_obj[i] == fixed[i] for i in range(stage)):
                if sign > 0:
                    cons.append(LinearConstraint(vec.reshape(1, -1), -np.inf, inc_val + 0.5))
                else:
                    cons.append(LinearConstraint(vec.reshape(1, -1), inc_val - 0.5, np.inf))
            res = milp(
                sign * vec,
                integrality=integrality,
                bounds=Bounds(lo, hi),
                constraints=cons,
                options={"time_limit": max(remaining, 0.05), "mip_rel_gap": 0.0, "disp": False},
            )
            if res.x is None:
                proven = False
                break
            best_x = self._decode(res.x, x0)
            value = self.objective(best_x)[stage]
            fixed.append(value)
            if sign > 0:
                extra.append(LinearConstraint(vec.reshape(1, -1), -np.inf, value + 0.5))
            else:
                extra.append(LinearConstraint(vec.reshape(1, -1), value - 0.5, np.inf))
            if res.status != 0:
                proven = False
                break
        if best_x is None:
            return None, False
        return best_x, proven

    def _decode(self, x: np.ndarray, x0: int) -> np.ndarray:
        xm = x[x0 : x0 + self.n * self.k].reshape(self.n, self.k)
        return np.argmax(xm, axis=1).astype(np.int64)


def _lex_key(obj: tuple[int, int, int]) -> tuple[int, int, int]:
    return (obj[0], -obj[1], obj[2])


def _score(people: Sequence[Person], members: Sequence[Sequence[int]], ids: Sequence[str]) -> PartitionScore:
    stats: list[GroupStats] = []
    pairs_total = 0
    div = 0
    for gid, idx in zip(ids, members):
        ps = [people[i] for i in idx]
        sectors = {p.sector for p in ps if p.sector is not None}
        counties = {p.county for p in ps if p.county is not None}
        mc = Counter(p.municipality for p in ps if p.municipality is not None)
        pairs = sum(c * (c - 1) // 2 for c in mc.values())
        ec = Counter(p.experience for p in ps)
        stats.append(
            GroupStats(
                id=gid,
                size=len(ps),
                distinct_sectors=len(sectors),
                distinct_counties=len(counties),
                same_municipality_pairs=pairs,
                experience={lvl: ec.get(lvl, 0) for lvl in EXPERIENCE_LEVELS},
            )
        )
        pairs_total += pairs
        div += len(sectors) + len(counties)
    k = len(stats)
    return PartitionScore(
        same_municipality_pairs=pairs_total,
        distinct_sectors_mean=round(sum(s.distinct_sectors for s in stats) / k, 4) if k else 0.0,
        distinct_counties_mean=round(sum(s.distinct_counties for s in stats) / k, 4) if k else 0.0,
        experience_imbalance=0.0,
        diversity=div,
        per_group=tuple(stats),
    )


def _with_imbalance(score: PartitionScore, imbalance_total: float) -> PartitionScore:
    k = len(score.per_group)
    return PartitionScore(
        same_municipality_pairs=score.same_municipality_pairs,
        distinct_sectors_mean=score.distinct_sectors_mean,
        distinct_counties_mean=score.distinct_counties_mean,
        experience_imbalance=round(imbalance_total / k, 4) if k else 0.0,
        diversity=score.diversity,
        per_group=score.per_group,
    )


def form_groups(
    people: Sequence[Person],
    min_size: int,
    max_size: int,
    facilitators: Sequence[Facilitator],
    *,
    seed: int = 0,
    exact_limit: int = 60,
    time_limit_s: float = 3.0,
) -> GroupResult:
    """Split ``people`` into diverse groups, one facilitator per group in the given order.

    People with a theme are grouped only with others of the same theme (themes in order of first
    appearance; people without a theme form their own pool). ``experience_imbalance`` in the score
    is the mean over groups of the summed absolute deviation from the fair share of each level.
    """
    started = time.monotonic()
    people = list(people)
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        dup = next(i for i, c in Counter(ids).items() if c > 1)
        raise GroupingImpossible(
            f"duplicate participant id {dup}",
            {"nb": f"Deltakeren {dup} er med flere ganger.",
             "nn": f"Deltakaren {dup} er med fleire gonger.",
             "en": f"Participant {dup} appears more than once."},
        )
    if not people:
        raise GroupingImpossible(
            "no participants",
            {"nb": "Det er ingen deltakere å dele i grupper.",
             "nn": "Det er ingen deltakarar å dele i grupper.",
             "en": "There are no participants to put into groups."},
        )

    buckets: dict[str | None, list[int]] = {}
    for i, p in enumerate(people):
        buckets.setdefault(p.theme, []).append(i)
    plan: list[tuple[str | None, list[int], list[int]]] = []
    for theme, idx in buckets.items():
        try:
            sizes = group_sizes(len(idx), min_size, max_size)
        except GroupingImpossible as exc:
            if theme is None:
                raise
            raise GroupingImpossible(
                f"theme {theme}: {exc.reason}",
                {lang: f"{theme}: {msg}" for lang, msg in exc.messages.items()},
            ) from exc
        plan.append((theme, idx, sizes))
    needed = sum(len(s) for _, _, s in plan)
    if len(facilitators) < needed:
        raise NotEnoughFacilitators(needed, len(facilitators))

    rng = random.Random(seed)
    all_members: list[list[int]] = []
    themes_of_groups: list[str | None] = []
    baseline_members: list[list[int]] = []
    upper = 0
    lower_pairs = 0
    imb_total = 0.0
    base_imb_total = 0.0
    methods: list[str] = []
    optimal = True
    n = len(people)
    share_done = 0
    for theme, idx, sizes in plan:
        bucket = _Bucket([people[i] for i in idx], sizes)
        # Each theme gets its share of the overall budget, and may use what earlier ones left.
        share_done += len(idx)
        deadline = started + time_limit_s * share_done / n
        assign = bucket.local_search(bucket.greedy(), deadline, rng)
        obj = bucket.objective(assign)
        method = "local_search"
        proven = (
            obj[0] == bucket.pairs_lower_bound()
            and obj[1] == bucket.diversity_upper_bound()
            and obj[2] == bucket.imbalance_lower_bound()
        )
        if len(idx) <= exact_limit and not proven and bucket.k > 1:
            remaining = max(deadline - time.monotonic(), 0.2)
            exact_assign, exact_proven = bucket.exact(assign, remaining)
            method = "exact"
            if exact_assign is not None and _lex_key(bucket.objective(exact_assign)) <= _lex_key(obj):
                assign = exact_assign
                obj = bucket.objective(assign)
            proven = exact_proven
        elif len(idx) <= exact_limit:
            method = "exact" if bucket.k <= 1 or proven else method
            proven = True if bucket.k <= 1 else proven
        methods.append(method)
        optimal = optimal and proven
        upper += bucket.diversity_upper_bound()
        lower_pairs += bucket.pairs_lower_bound()
        imb_total += obj[2] / len(idx)
        # Members in input order; groups ordered by their earliest member for a stable listing.
        groups_local = [sorted(int(i) for i in np.nonzero(assign == g)[0]) for g in range(bucket.k)]
        groups_local.sort(key=lambda m: m[0])
        for m in groups_local:
            all_members.append([idx[i] for i in m])
            themes_of_groups.append(theme)

        shuffled = list(range(len(idx)))
        rng_base = random.Random(seed * 1_000_003 + len(baseline_members))
        rng_base.shuffle(shuffled)
        base_assign = np.empty(len(idx), dtype=np.int64)
        pos = 0
        for g, s in enumerate(sizes):
            for i in shuffled[pos : pos + s]:
                base_assign[i] = g
            pos += s
        base_imb_total += bucket.objective(base_assign)[2] / len(idx)
        for g in range(len(sizes)):
            baseline_members.append([idx[int(i)] for i in np.nonzero(base_assign == g)[0]])

    gids = [f"g{i + 1}" for i in range(len(all_members))]
    groups = tuple(
        Group(id=gid, facilitator=facilitators[i], members=tuple(ids[j] for j in m),
              theme=themes_of_groups[i])
        for i, (gid, m) in enumerate(zip(gids, all_members))
    )
    score = _with_imbalance(_score(people, all_members, gids), imb_total)
    baseline = _with_imbalance(
        _score(people, baseline_members, gids), base_imb_total
    )
    method = "exact" if methods and all(m == "exact" for m in methods) else "local_search"
    return GroupResult(
        groups=groups,
        score=score,
        diversity_upper_bound=upper,
        same_municipality_pairs_lower_bound=lower_pairs,
        method=method,
        optimal=optimal,
        random_baseline=baseline,
        elapsed_s=time.monotonic() - started,
    )
