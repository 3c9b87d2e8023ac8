"""Fair selection of applicants: the best-scored group that satisfies the event's quotas.

The selection is an exact integer programme solved with HiGHS (``scipy.optimize.milp``):

* one binary ``x_i`` per applicant, ``sum x = min(capacity, applicants)``;
* ``min_distinct``: one binary ``y_v`` per value, ``y_v <= sum of x with that value`` and
  ``sum y >= k``;
* shares are taken of the number actually selected, which is fixed, so they become counts:
  ``min_share p`` is ``count >= ceil(p * selected)``, ``max_share p`` is
  ``count <= floor(p * selected)``;
* ``min_count`` / ``max_count`` with a ``value`` bound that value's count; without a value they
  hold for every value: ``max_count m`` caps each value at ``m`` (e.g. at most two from any
  municipality), ``min_count m`` gives every value present among the applicants at least
  ``m`` places, or all of its applicants if fewer applied. Applicants without a value for the
  field (``None``) count towards no value.

The objective is the sum of review scores plus a tie-break that prefers earlier submission
(then lower id). Scores are turned into integers on the finest grid they need (halves, thirds,
…, up to 1/2520, or four decimals), and the tie-break weights are integers that sum to less
than one score step, so no tie-break can outweigh a score difference.

When the quotas cannot all be met, the fewest are given up and the score maximised under the
rest. Quotas that simple counting shows no group of that size can meet (a minimum above the
applicants with the value, more distinct values than exist, caps that cannot fill the places)
are broken by every group, so they are given up before any solve and left out of the
programme. The rest get one binary slack each, weighted above the whole score part, so one
programme finds the fewest given up and the best score under that; only when those weights
would lose exactness in double precision is it done in two programmes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

QUOTA_FIELDS = (
    "sector",
    "experience",
    "county",
    "municipality",
    "municipality_size",
    "organisation_type",
    "theme",
)
QUOTA_KINDS = ("min_distinct", "min_share", "max_share", "min_count", "max_count")

# Share bounds are compared with a little slack so that 0.3 * 50 is 15, not 15.000000000000002.
_SHARE_EPS = 1e-9
# Above this the integer objective would lose exactness in double precision, so the score and
# the tie-break are solved one after the other instead of in one weighted objective.
_EXACT_LIMIT = 2.0**50


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    submitted_at: datetime
    attributes: Mapping[str, str | None]

    def value(self, field_name: str) -> str | None:
        return self.attributes.get(field_name)


@dataclass(frozen=True)
class Quota:
    field: str
    value: str | None = None
    min_distinct: int | None = None
    min_share: float | None = None
    max_share: float | None = None
    min_count: int | None = None
    max_count: int | None = None

    def __post_init__(self) -> None:
        if self.field not in QUOTA_FIELDS:
            raise ValueError(f"unknown quota field {self.field!r}")
        kinds = [k for k in QUOTA_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a quota has exactly one of " + ", ".join(QUOTA_KINDS))
        kind = kinds[0]
        bound = getattr(self, kind)
        if isinstance(bound, bool):
            raise ValueError(f"{kind} must be a number")
        if kind in ("min_share", "max_share"):
            if not isinstance(bound, (int, float)) or not 0.0 <= float(bound) <= 1.0:
                raise ValueError(f"{kind} must be between 0 and 1")
            if self.value is None:
                raise ValueError(f"{kind} needs a value")
        else:
            if not isinstance(bound, int) or bound < 0:
                raise ValueError(f"{kind} must be a whole number, 0 or more")
            if kind == "min_distinct" and self.value is not None:
                raise ValueError("min_distinct takes no value")

    @property
    def kind(self) -> str:
        return next(k for k in QUOTA_KINDS if getattr(self, k) is not None)

    @property
    def bound(self) -> float:
        return getattr(self, self.kind)

    @property
    def per_value(self) -> bool:
        return self.kind in ("min_count", "max_count") and self.value is None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quota:
        if not isinstance(data, Mapping):
            raise ValueError("a quota is an object")
        unknown = set(data) - {"field", "value", *QUOTA_KINDS}
        if unknown:
            raise ValueError("unknown quota keys: " + ", ".join(sorted(unknown)))
        if "field" not in data:
            raise ValueError("a quota needs a field")
        value = data.get("value")
        if value is not None and not isinstance(value, str):
            raise ValueError("a quota value is a string")
        kwargs: dict[str, Any] = {k: data.get(k) for k in QUOTA_KINDS}
        for k in ("min_share", "max_share"):
            if isinstance(kwargs[k], int) and not isinstance(kwargs[k], bool):
                kwargs[k] = float(kwargs[k])
        return cls(field=data["field"], value=value, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field}
        if self.value is not None:
            out["value"] = self.value
        out[self.kind] = self.bound
        return out


@dataclass
class SelectionResult:
    selected: list[str]
    waitlist: list[str]
    not_selected: list[str]
    quotas: list[dict[str, Any]]
    objective: float
    relaxed: list[dict[str, Any]] = field(default_factory=list)
    optimal: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "selected": list(self.selected),
            "waitlist": list(self.waitlist),
            "not_selected": list(self.not_selected),
            "quotas": [dict(q) for q in self.quotas],
            "objective": self.objective,
            "relaxed": [dict(q) for q in self.relaxed],
            "optimal": self.optimal,
        }


# --- evaluating quotas on a chosen group -----------------------------------------------------


def _share_floor(p: float, k: int) -> int:
    return math.floor(p * k + _SHARE_EPS)


def _share_ceil(p: float, k: int) -> int:
    return math.ceil(p * k - _SHARE_EPS)


def evaluate_quota(
    quota: Quota, chosen: Sequence[Candidate], pool: Sequence[Candidate] | None = None
) -> tuple[float, bool]:
    """(achieved, met) for one quota on a chosen group.

    ``pool`` (everyone who could have been chosen) matters only to ``min_count`` without a
    value, whose demand is capped by how many applicants a value has.
    """
    values = [c.value(quota.field) for c in chosen]
    k = len(values)
    kind = quota.kind
    if kind == "min_distinct":
        achieved = len({v for v in values if v is not None})
        return achieved, achieved >= quota.min_distinct
    if quota.per_value:
        counts = Counter(v for v in values if v is not None)
        if kind == "max_count":
            achieved = max(counts.values(), default=0)
            return achieved, achieved <= quota.max_count
        available = Counter(
            v for v in (c.value(quota.field) for c in (pool if pool is not None else chosen))
            if v is not None
        )
        if not available:
            return 0, True
        achieved = min(counts.get(v, 0) for v in available)
        met = all(counts.get(v, 0) >= min(quota.min_count, a) for v, a in available.items())
        return achieved, met
    count = sum(1 for v in values if v == quota.value)
    if kind == "min_share":
        return round(count / k, 4) if k else 0.0, count >= _share_ceil(quota.min_share, k)
    if kind == "max_share":
        return round(count / k, 4) if k else 0.0, count <= _share_floor(quota.max_share, k)
    if kind == "min_count":
        return count, count >= quota.min_count
    return count, count <= quota.max_count


def _quota_report(
    quotas: Sequence[Quota], chosen: Sequence[Candidate], pool: Sequence[Candidate]
) -> list[dict[str, Any]]:
    report = []
    for q in quotas:
        achieved, met = evaluate_quota(q, chosen, pool)
        report.append({"quota": q.to_dict(), "achieved": achieved, "met": bool(met)})
    return report


def rank_key(c: Candidate) -> tuple[float, datetime, str]:
    """Best first: higher score, then earlier submission, then id."""
    return (-c.score, c.submitted_at, c.id)


# --- the integer programme ------------------------------------------------------------------


def _score_grid(scores: np.ndarray) -> int:
    """The smallest step count per score unit that represents every score exactly."""
    grids = [d for d in range(1, 2521) if 2520 % d == 0] + [100, 1000, 10000]
    for g in grids:
        scaled = scores * g
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return g
    return 10000


class _Model:
    """Rows of the programme over x (applicants), y (distinct-value indicators), s (slacks)."""

    def __init__(self, n: int, k: int, n_quotas: int) -> None:
        self.n = n
        self.k = k
        self.n_quotas = n_quotas
        self.n_y = 0
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        # Per row: which quota may relax it and the coefficient of that quota's slack.
        self.slack_of: list[int] = []
        self.slack_coef: list[float] = []

    def new_y(self, count: int) -> int:
        start = self.n + self.n_y
        self.n_y += count
        return start

    def add_rows(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray,
        lb: Sequence[float],
        ub: Sequence[float],
        quota: int = -1,
        slack_coef: Sequence[float] | None = None,
    ) -> None:
        base = len(self.lb)
        self._rows.append(np.asarray(rows, dtype=np.int64) + base)
        self._cols.append(np.asarray(cols, dtype=np.int64))
        self._vals.append(np.asarray(vals, dtype=float))
        self.lb.extend(lb)
        self.ub.extend(ub)
        self.slack_of.extend([quota] * len(lb))
        self.slack_coef.extend(slack_coef if slack_coef is not None else [0.0] * len(lb))

    def add_count_rows(
        self, codes: np.ndarray, demand: np.ndarray, upper: bool, quota: int
    ) -> None:
        """One row per value code: count of that code among x, bounded by ``demand``."""
        mask = codes >= 0
        idx = np.flatnonzero(mask)
        n_rows = len(demand)
        if upper:
            keep = demand < self.k  # a cap of k or more can never bind
            lb = [-np.inf] * n_rows
            ub = [float(d) for d in demand]
            coef = [-(self.k - float(d)) if keep[j] else 0.0 for j, d in enumerate(demand)]
        else:
            keep = demand > 0
            lb = [float(d) for d in demand]
            ub = [np.inf] * n_rows
            coef = [float(d) for d in demand]
        if not np.any(keep):
            return
        remap = np.full(n_rows, -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        rows = remap[codes[idx]]
        on = rows >= 0
        self.add_rows(
            rows[on],
            idx[on],
            np.ones(int(on.sum())),
            [lb[j] for j in np.flatnonzero(keep)],
            [ub[j] for j in np.flatnonzero(keep)],
            quota,
            [coef[j] for j in np.flatnonzero(keep)],
        )

    def matrix(self, with_slack: bool) -> tuple[sparse.csr_array, int]:
        n_vars = self.n + self.n_y + (self.n_quotas if with_slack else 0)
        rows = list(self._rows)
        cols = list(self._cols)
        vals = list(self._vals)
        if with_slack:
            slack_rows = np.array(
                [r for r, q in enumerate(self.slack_of) if q >= 0 and self.slack_coef[r] != 0]
            , dtype=np.int64)
            if len(slack_rows):
                rows.append(slack_rows)
                cols.append(
                    np.array([self.n + self.n_y + self.slack_of[r] for r in slack_rows])
                )
                vals.append(np.array([self.slack_coef[r] for r in slack_rows]))
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        v = np.concatenate(vals) if vals else np.zeros(0)
        a = sparse.coo_array((v, (r, c)), shape=(len(self.lb), n_vars)).tocsr()
        return a, n_vars


def _encode(cands: Sequence[Candidate], field_name: str) -> tuple[np.ndarray, list[str]]:
    index: dict[str, int] = {}
    codes = np.empty(len(cands), dtype=np.int64)
    for i, c in enumerate(cands):
        v = c.value(field_name)
        codes[i] = -1 if v is None else index.setdefault(v, len(index))
    return codes, list(index)


def _encode_fields(
    cands: Sequence[Candidate], quotas: Sequence[Quota]
) -> dict[str, tuple[np.ndarray, list[str]]]:
    encoded: dict[str, tuple[np.ndarray, list[str]]] = {}
    for q in quotas:
        if q.field not in encoded:
            encoded[q.field] = _encode(cands, q.field)
    return encoded


def _build(
    cands: Sequence[Candidate],
    k: int,
    quotas: Sequence[Quota],
    encoded: dict[str, tuple[np.ndarray, list[str]]] | None = None,
) -> _Model:
    n = len(cands)
    model = _Model(n, k, len(quotas))
    model.add_rows(np.zeros(n), np.arange(n), np.ones(n), [k], [k])
    encoded = dict(encoded) if encoded is not None else {}
    for qi, q in enumerate(quotas):
        if q.field not in encoded:
            encoded[q.field] = _encode(cands, q.field)
        codes, values = encoded[q.field]
        n_values = len(values)
        kind = q.kind
        if kind == "min_distinct":
            need = q.min_distinct
            if need <= 0:
                continue
            y0 = model.new_y(n_values)
            idx = np.flatnonzero(codes >= 0)
            # y_v - (applicants chosen with value v) <= 0
            model.add_rows(
                np.concatenate([codes[idx], np.arange(n_values)]),
                np.concatenate([idx, y0 + np.arange(n_values)]),
                np.concatenate([-np.ones(len(idx)), np.ones(n_values)]),
                [-np.inf] * n_values,
                [0.0] * n_values,
            )
            model.add_rows(
                np.zeros(n_values),
                y0 + np.arange(n_values),
                np.ones(n_values),
                [float(need)],
                [np.inf],
                qi,
                [float(need)],
            )
            continue
        if q.per_value:
            if kind == "max_count":
                demand = np.full(n_values, q.max_count)
                model.add_count_rows(codes, demand, upper=True, quota=qi)
            else:
                available = np.bincount(codes[codes >= 0], minlength=n_values)
                demand = np.minimum(available, q.min_count)
                model.add_count_rows(codes, demand, upper=False, quota=qi)
            continue
        target = values.index(q.value) if q.value in values else -1
        single = np.where(codes == target, 0, -1) if target >= 0 else np.full(n, -1)
        if kind == "min_share":
            model.add_count_rows(single, np.array([_share_ceil(q.min_share, k)]), False, qi)
        elif kind == "max_share":
            model.add_count_rows(single, np.array([_share_floor(q.max_share, k)]), True, qi)
        elif kind == "min_count":
            model.add_count_rows(single, np.array([q.min_count]), False, qi)
        else:
            model.add_count_rows(single, np.array([q.max_count]), True, qi)
    return model


@dataclass
class _Solved:
    chosen: np.ndarray | None
    optimal: bool
    slack: np.ndarray | None = None


def _run(
    model: _Model,
    cost_x: np.ndarray,
    *,
    with_slack: bool,
    cost_s: np.ndarray | None = None,
    extra: list[tuple[np.ndarray, float, float]] | None = None,
    time_limit: float | None,
) -> _Solved:
    """Solve the programme; ``extra`` rows are dense over all variables."""
    a, n_vars = model.matrix(with_slack)
    c = np.zeros(n_vars)
    c[: model.n] = cost_x
    if with_slack and cost_s is not None:
        c[model.n + model.n_y :] = cost_s
    lb = np.array(model.lb, dtype=float)
    ub = np.array(model.ub, dtype=float)
    if extra:
        a = sparse.vstack([a] + [sparse.csr_array(row.reshape(1, -1)) for row, _, _ in extra])
        lb = np.concatenate([lb, [lo for _, lo, _ in extra]])
        ub = np.concatenate([ub, [hi for _, _, hi in extra]])
    # HiGHS presolve removes next to nothing from these models and costs more than the whole
    # branch and bound on large pools.
    options: dict[str, Any] = {"mip_rel_gap": 0.0, "presolve": False}
    if time_limit is not None:
        options["time_limit"] = time_limit
    res = milp(
        c,
        integrality=np.ones(n_vars),
        bounds=Bounds(np.zeros(n_vars), np.ones(n_vars)),
        constraints=LinearConstraint(a.tocsr(), lb, ub),
        options=options,
    )
    if res.x is None:
        if res.status == 2:
            return _Solved(None, True)
        raise RuntimeError(f"selection solver stopped without a solution: {res.message}")
    x = res.x
    return _Solved(
        x[: model.n] > 0.5,
        res.status == 0,
        x[model.n + model.n_y :] > 0.5 if with_slack else None,
    )


def _solve_best(
    model: _Model,
    steps: np.ndarray,
    tie: np.ndarray,
    *,
    with_slack: bool,
    relax_limit: int | None,
    time_limit: float | None,
) -> _Solved:
    """Maximise score, then the tie-break, exactly (both are integer vectors)."""
    n_vars_s = model.n_quotas if with_slack else 0
    n_total = model.n + model.n_y + n_vars_s
    extra: list[tuple[np.ndarray, float, float]] = []
    if with_slack and relax_limit is not None:
        row = np.zeros(n_total)
        row[model.n + model.n_y :] = 1.0
        extra.append((row, -np.inf, float(relax_limit)))
    k = model.k
    tie_total = float(np.sort(tie)[::-1][:k].sum())
    weight = tie_total + 1.0
    if k * float(steps.max(initial=0)) * weight + tie_total < _EXACT_LIMIT:
        return _run(
            model,
            -(steps * weight + tie),
            with_slack=with_slack,
            extra=extra,
            time_limit=time_limit,
        )
    first = _run(model, -steps.astype(float), with_slack=with_slack, extra=extra,
                 time_limit=time_limit)
    if first.chosen is None:
        return first
    best = float(steps[first.chosen].sum())
    row = np.zeros(n_total)
    row[: model.n] = steps
    second = _run(
        model,
        -tie.astype(float),
        with_slack=with_slack,
        extra=extra + [(row, best, np.inf)],
        time_limit=time_limit,
    )
    second.optimal = second.optimal and first.optimal
    return second


def _solve_relaxed(
    model: _Model, steps: np.ndarray, tie: np.ndarray, *, time_limit: float | None
) -> _Solved:
    """Fewest quotas given up, then the best score and tie-break under that.

    When the numbers stay exact in double precision this is one programme: each slack costs
    more than the whole score part can ever be worth, so the solver cannot trade a quota for
    score. Otherwise the fewest count is found first and the score maximised under it.
    """
    k = model.k
    tie_total = float(np.sort(tie)[::-1][:k].sum())
    weight = tie_total + 1.0
    score_span = k * float(steps.max(initial=0)) * weight + tie_total
    slack_weight = score_span + 1.0
    if slack_weight * (model.n_quotas + 1) < _EXACT_LIMIT:
        solved = _run(
            model,
            -(steps * weight + tie),
            with_slack=True,
            cost_s=np.full(model.n_quotas, slack_weight),
            time_limit=time_limit,
        )
    else:
        fewest = _run(
            model,
            np.zeros(model.n),
            with_slack=True,
            cost_s=np.ones(model.n_quotas),
            time_limit=time_limit,
        )
        if fewest.chosen is None or fewest.slack is None:
            raise RuntimeError("selection is infeasible even with every quota relaxed")
        solved = _solve_best(model, steps, tie, with_slack=True,
                             relax_limit=int(fewest.slack.sum()), time_limit=time_limit)
        solved.optimal = solved.optimal and fewest.optimal
    if solved.chosen is None:
        raise RuntimeError("selection is infeasible even with every quota relaxed")
    return solved


def _impossible_quotas(
    n: int,
    k: int,
    quotas: Sequence[Quota],
    encoded: dict[str, tuple[np.ndarray, list[str]]],
) -> list[int]:
    """Quotas that fail on their own for every group of exactly ``k`` of the ``n`` applicants,
    found by counting. Only a sure failure is listed; anything doubtful is left to the
    programme."""
    counts: dict[str, dict[str, int]] = {}
    for name, (codes, values) in encoded.items():
        tally = np.bincount(codes[codes >= 0], minlength=len(values))
        counts[name] = {v: int(a) for v, a in zip(values, tally)}
    out = []
    for qi, q in enumerate(quotas):
        per = counts[q.field]
        kind = q.kind
        if kind == "min_distinct":
            fails = q.min_distinct > min(k, len(per))
        elif q.per_value and kind == "max_count":
            n_none = n - sum(per.values())
            fails = sum(min(a, q.max_count) for a in per.values()) + n_none < k
        elif q.per_value:
            fails = sum(min(a, q.min_count) for a in per.values()) > k
        else:
            have = per.get(q.value, 0)
            if kind in ("min_share", "min_count"):
                need = _share_ceil(q.min_share, k) if kind == "min_share" else q.min_count
                fails = need > min(k, have)
            else:
                cap = _share_floor(q.max_share, k) if kind == "max_share" else q.max_count
                fails = min(cap, have) + (n - have) < k
        if fails:
            out.append(qi)
    return out


def _tie_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    return sorted(candidates, key=lambda c: (c.submitted_at, c.id))


def _split_rest(
    rest: list[Candidate], waitlist_size: int | None
) -> tuple[list[str], list[str]]:
    """The waiting list is the rest by score, then submission, then id: the first on it is the
    strongest applicant left, which is also who gets the next free place (see
    ``next_from_waitlist`` for the quota-aware choice when a place opens)."""
    rest = sorted(rest, key=rank_key)
    if waitlist_size is None:
        return [c.id for c in rest], []
    size = max(0, waitlist_size)
    return [c.id for c in rest[:size]], [c.id for c in rest[size:]]


def _result(
    order: Sequence[Candidate],
    chosen_mask: np.ndarray,
    quotas: Sequence[Quota],
    waitlist_size: int | None,
    optimal: bool,
) -> SelectionResult:
    chosen = sorted((c for c, on in zip(order, chosen_mask) if on), key=rank_key)
    rest = [c for c, on in zip(order, chosen_mask) if not on]
    waitlist, not_selected = _split_rest(rest, waitlist_size)
    report = _quota_report(quotas, chosen, order)
    return SelectionResult(
        selected=[c.id for c in chosen],
        waitlist=waitlist,
        not_selected=not_selected,
        quotas=report,
        objective=round(float(sum(c.score for c in chosen)), 6),
        relaxed=[r["quota"] for r in report if not r["met"]],
        optimal=optimal,
    )


def select(
    candidates: Sequence[Candidate],
    capacity: int,
    quotas: Sequence[Quota],
    *,
    waitlist_size: int | None = None,
    time_limit: float | None = None,
) -> SelectionResult:
    """Choose ``min(capacity, len(candidates))`` applicants with the highest total score that
    meet every quota; if that is impossible, give up as few quotas as possible (reported in
    ``relaxed``) and maximise the score under the rest. Ties go to earlier submission, then id.

    ``waitlist_size=None`` puts everyone not selected on the waiting list; with a size, those
    beyond it are ``not_selected``. ``optimal`` is false only if ``time_limit`` (seconds per
    solve) cut the search short.
    """
    if capacity < 0:
        raise ValueError("capacity must be 0 or more")
    quotas = list(quotas)
    order = _tie_order(candidates)
    n = len(order)
    k = min(capacity, n)
    if k == 0:
        return _result(order, np.zeros(n, dtype=bool), quotas, waitlist_size, True)

    scores = np.array([float(c.score) for c in order])
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite numbers")
    grid = _score_grid(scores)
    steps = np.round(scores * grid)
    # Exactly k are chosen, so shifting every score by the same amount changes no choice and
    # keeps the integers small.
    steps = steps - steps.min()
    tie = (n - 1 - np.arange(n)).astype(float)

    # A quota that no group of k can meet is broken by every group, so giving it up costs
    # nothing in the count of relaxed quotas: leave it out of the programme altogether.
    encoded = _encode_fields(order, quotas)
    impossible = set(_impossible_quotas(n, k, quotas, encoded))
    active = [q for i, q in enumerate(quotas) if i not in impossible]
    model = _build(order, k, active, encoded)
    if not impossible:
        best = _solve_best(model, steps, tie, with_slack=False, relax_limit=None,
                           time_limit=time_limit)
        if best.chosen is not None:
            return _result(order, best.chosen, quotas, waitlist_size, best.optimal)
    relaxed = _solve_relaxed(model, steps, tie, time_limit=time_limit)
    return _result(order, relaxed.chosen, quotas, waitlist_size, relaxed.optimal)


# --- filling a place that opens ---------------------------------------------------------------


def next_from_waitlist(
    selected: Sequence[Candidate],
    waitlist: Sequence[Candidate],
    quotas: Sequence[Quota],
    capacity: int,
) -> str | None:
    """Who gets a place that opened: the first on the waiting list whose addition keeps every
    quota that the selected currently meet met; if nobody does, simply the first. ``None`` when
    the list is empty or the selected already fill the capacity."""
    if not waitlist or len(selected) >= capacity:
        return None
    pool = list(selected) + list(waitlist)
    currently_met = [q for q in quotas if evaluate_quota(q, selected, pool)[1]]
    for cand in waitlist:
        trial = list(selected) + [cand]
        if all(evaluate_quota(q, trial, pool)[1] for q in currently_met):
            return cand.id
    return waitlist[0].id


# --- greedy baseline --------------------------------------------------------------------------


class _Tally:
    """Counts per field over a group, so a greedy move is checked without recounting."""

    def __init__(self, quotas: Sequence[Quota], k: int, pool: Sequence[Candidate]) -> None:
        self.quotas = quotas
        self.k = k
        self.fields = sorted({q.field for q in quotas})
        self.counts: dict[str, Counter] = {f: Counter() for f in self.fields}
        self.available = {
            f: Counter(c.value(f) for c in pool if c.value(f) is not None) for f in self.fields
        }

    def add(self, c: Candidate, sign: int = 1) -> None:
        for f in self.fields:
            v = c.value(f)
            if v is not None:
                self.counts[f][v] += sign

    def met(self, q: Quota) -> bool:
        counts = self.counts[q.field]
        kind = q.kind
        if kind == "min_distinct":
            return sum(1 for n in counts.values() if n > 0) >= q.min_distinct
        if q.per_value:
            if kind == "max_count":
                return max(counts.values(), default=0) <= q.max_count
            return all(counts[v] >= min(q.min_count, a)
                       for v, a in self.available[q.field].items())
        n = counts[q.value]
        if kind == "min_share":
            return n >= _share_ceil(q.min_share, self.k)
        if kind == "max_share":
            return n <= _share_floor(q.max_share, self.k)
        if kind == "min_count":
            return n >= q.min_count
        return n <= q.max_count

    def progress(self, q: Quota) -> int:
        """How far a minimum is along; higher is better."""
        counts = self.counts[q.field]
        if q.kind == "min_distinct":
            return sum(1 for n in counts.values() if n > 0)
        if q.per_value:
            return -sum(max(0, min(q.min_count, a) - counts[v])
                        for v, a in self.available[q.field].items())
        return counts[q.value]


def greedy_select(
    candidates: Sequence[Candidate],
    capacity: int,
    quotas: Sequence[Quota],
    *,
    waitlist_size: int | None = None,
) -> SelectionResult:
    """A baseline to compare the programme against: take the best-scored applicants that break
    no cap, then for each unmet minimum swap in the best applicant who helps for the weakest
    chosen one whose removal breaks nothing already met. Neither optimal nor always feasible."""
    order = _tie_order(candidates)
    quotas = list(quotas)
    k = min(max(capacity, 0), len(order))
    ranked = sorted(order, key=rank_key)
    caps = [q for q in quotas if q.kind in ("max_count", "max_share")]
    mins = [q for q in quotas if q.kind not in ("max_count", "max_share")]
    tally = _Tally(quotas, k, order)

    chosen: dict[str, Candidate] = {}
    for c in ranked:
        if len(chosen) == k:
            break
        tally.add(c)
        if all(tally.met(q) for q in caps):
            chosen[c.id] = c
        else:
            tally.add(c, -1)
    for c in ranked:  # caps left places empty: fill them regardless
        if len(chosen) == k:
            break
        if c.id not in chosen:
            chosen[c.id] = c
            tally.add(c)

    for q in mins:
        for _ in range(k):
            if tally.met(q):
                break
            before = tally.progress(q)
            met_before = [p for p in quotas if tally.met(p)]
            swapped = False
            weakest_first = sorted(chosen.values(), key=rank_key, reverse=True)
            tried = 0
            for incoming in ranked:
                if incoming.id in chosen:
                    continue
                tally.add(incoming)
                if tally.progress(q) <= before:
                    tally.add(incoming, -1)
                    continue
                tried += 1
                for outgoing in weakest_first:
                    tally.add(outgoing, -1)
                    if tally.progress(q) > before and all(tally.met(p) for p in met_before):
                        del chosen[outgoing.id]
                        chosen[incoming.id] = incoming
                        swapped = True
                        break
                    tally.add(outgoing)
                if swapped:
                    break
                tally.add(incoming, -1)
                if tried >= 10:
                    break
            if not swapped:
                break
    mask = np.array([c.id in chosen for c in order], dtype=bool)
    return _result(order, mask, quotas, waitlist_size, False)
