"""1:1 pairing rounds: feedback across groups and networking meetings.

A round is a maximum-weight matching among all maximum-cardinality matchings on the graph of
allowed pairs. A pair is forbidden if both are the same person, share a group (feedback), or met in
any earlier round (inside a pair or a triple). The weight rewards a different county and a different
sector, and for networking shared interests.

The complete graph has n(n-1)/2 edges and blossom is cubic, so the matching runs on a sparse
candidate graph: each person's ``k`` best allowed partners plus a few pseudo-random allowed ones
(random edges make a perfect matching exist with overwhelming probability). If the sparse graph
leaves more people unmatched than parity requires, ``k`` grows until the graph is complete. If the
result does not reach the half-sum bound (each person's best allowed weight, halved) the candidate
set is doubled once more and kept while it still improves.

With an odd count the one unmatched person joins a pair as a triple: first choice is a pair where
both new pairs are allowed (best combined weight); if the unmatched person has no such pair, other
people are tried as the joiner; failing that, the best pair where the joiner has at least one
allowed partner is used (``relaxed_triple`` in the detailed result) unless that is turned off, in
which case ``NoValidPairing`` is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import rustworkx as rx

from .groups import Person

Kind = Literal["feedback", "networking"]

# Integer weights keep blossom exact. The base makes every allowed pair worth having.
W_BASE = 1000
W_COUNTY = 40
W_SECTOR = 30
W_INTEREST = 15
MAX_SHARED_INTERESTS = 3

DEFAULT_K = 24
RANDOM_EDGES = 4
_CHUNK = 512

__all__ = [
    "Kind",
    "NoValidPairing",
    "RoundResult",
    "max_rounds_without_repeat",
    "pair_round",
    "pair_round_detailed",
    "pair_weight",
]


class NoValidPairing(ValueError):
    def __init__(self, reason: str, messages: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.messages = messages or {"nb": reason, "nn": reason, "en": reason}


@dataclass(frozen=True)
class RoundResult:
    pairs: list[tuple[str, ...]]
    matching_weight: int  # the matched pairs only (the triple's joiner not counted)
    total_weight: int  # every pair inside the pairs and the triple
    upper_bound: int  # half the sum of each person's best allowed weight
    candidate_edges: int
    complete_graph: bool
    relaxed_triple: bool


def pair_weight(a: Person, b: Person, kind: Kind) -> int:
    w = W_BASE
    if a.county is not None and b.county is not None and a.county != b.county:
        w += W_COUNTY
    if a.sector is not None and b.sector is not None and a.sector != b.sector:
        w += W_SECTOR
    if kind == "networking":
        w += W_INTEREST * min(len(set(a.interests) & set(b.interests)), MAX_SHARED_INTERESTS)
    return w


def max_rounds_without_repeat(n: int, largest_group: int = 1) -> int:
    """Rounds that can always be made without a repeat (or a same-group feedback pair).

    After r rounds each person has lost at most r partners (2r for someone who was in the triple
    every time, odd n) and ``largest_group - 1`` group mates, so the allowed graph keeps a minimum
    degree of at least n - largest_group - r (resp. - 2r). While that is at least n/2 the graph is
    Hamiltonian (Dirac) and so has a perfect or near-perfect matching, which the maximum-cardinality
    matching finds. Pass ``largest_group=1`` for networking. For odd n this covers the pairs; the
    triple follows the fallback order described in the module.
    """
    if n < 2:
        return 0
    largest_group = max(largest_group, 1)
    if n == 2:
        return 1 if largest_group == 1 else 0
    slack = n - largest_group - (n + 1) // 2  # minimum degree left above ceil(n/2)
    if slack < 0:
        return 0
    return slack + 1 if n % 2 == 0 else slack // 2 + 1


class _Pool:
    def __init__(self, ids: Sequence[str], attrs: Mapping[str, Person], kind: Kind,
                 group_of: Mapping[str, str] | None, previous: Iterable[frozenset[str]]) -> None:
        self.ids = list(ids)
        self.n = n = len(ids)
        self.kind = kind
        self.index = {pid: i for i, pid in enumerate(ids)}
        people = [attrs[pid] for pid in ids]

        def codes(values: list[str | None]) -> np.ndarray:
            table: dict[str, int] = {}
            return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values],
                            dtype=np.int64)

        self.county = codes([p.county for p in people])
        self.sector = codes([p.sector for p in people])
        if kind == "feedback":
            assert group_of is not None
            self.group = codes([group_of[pid] for pid in ids])
        else:
            self.group = None
        if kind == "networking":
            vocab: dict[str, int] = {}
            rows = [[vocab.setdefault(t, len(vocab)) for t in set(p.interests)] for p in people]
            mat = np.zeros((n, max(len(vocab), 1)), dtype=np.int32)
            for i, r in enumerate(rows):
                mat[i, r] = 1
            self.interests = mat
        else:
            self.interests = None
        self.forbidden_prev: dict[int, list[int]] = {}
        for meeting in previous:
            members = [self.index[m] for m in meeting if m in self.index]
            for a, b in combinations(sorted(members), 2):
                self.forbidden_prev.setdefault(a, []).append(b)
                self.forbidden_prev.setdefault(b, []).append(a)
        # Symmetric pseudo-random tie breaks: XOR of per-person draws, seeded by position so the
        # same input always gives the same graph.
        gen = np.random.default_rng(20210922)
        self.tie = gen.integers(0, 1024, size=n, dtype=np.int64)
        self.tie2 = gen.integers(0, 1 << 20, size=n, dtype=np.int64)

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights and allowed mask for ``rows`` against everyone."""
        ci, cj = self.county[rows, None], self.county[None, :]
        si, sj = self.sector[rows, None], self.sector[None, :]
        w = np.full((len(rows), self.n), W_BASE, dtype=np.int64)
        w += W_COUNTY * ((ci != cj) & (ci >= 0) & (cj >= 0))
        w += W_SECTOR * ((si != sj) & (si >= 0) & (sj >= 0))
        if self.interests is not None:
            shared = self.interests[rows] @ self.interests.T
            w += W_INTEREST * np.minimum(shared, MAX_SHARED_INTERESTS)
        allowed = np.ones((len(rows), self.n), dtype=bool)
        allowed[np.arange(len(rows)), rows] = False
        if self.group is not None:
            allowed &= self.group[rows, None] != self.group[None, :]
        for r, i in enumerate(rows):
            prev = self.forbidden_prev.get(int(i))
            if prev:
                allowed[r, prev] = False
        return w, allowed

    def candidates(self, k: int, extra: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """Candidate edges (i < j) with weights, the half-sum bound and whether it is complete."""
        n = self.n
        complete = k >= n - 1
        src: list[np.ndarray] = []
        dst: list[np.ndarray] = []
        best_all = self.best_weights()
        best_sum = int(best_all.sum())
        for start in range(0, n, _CHUNK):
            rows = np.arange(start, min(start + _CHUNK, n))
            w, allowed = self.block(rows)
            if complete:
                r, c = np.nonzero(allowed)
                src.append(rows[r])
                dst.append(c)
                continue
            # Rank by reduced cost against the dual u_i = best_i / 2: an edge worth little to
            # either end compared with what both could get elsewhere is rarely in the optimum,
            # whereas ranking by raw weight sends everyone to the same few attractive people.
            slack = best_all[rows, None] + best_all[None, :] - 2 * w
            key = np.where(allowed, ((1 << 24) - slack) * 1024 + (self.tie[rows, None] ^ self.tie[None, :]), -1)
            top = np.argpartition(-key, k - 1, axis=1)[:, :k]
            keep = np.take_along_axis(key, top, axis=1) >= 0
            src.append(np.repeat(rows, k)[keep.ravel()])
            dst.append(top.ravel()[keep.ravel()])
            if extra:
                rkey = np.where(allowed, self.tie2[rows, None] ^ self.tie2[None, :], -1)
                rtop = np.argpartition(-rkey, extra - 1, axis=1)[:, :extra]
                rkeep = np.take_along_axis(rkey, rtop, axis=1) >= 0
                src.append(np.repeat(rows, extra)[rkeep.ravel()])
                dst.append(rtop.ravel()[rkeep.ravel()])
        a = np.concatenate(src) if src else np.zeros(0, dtype=np.int64)
        b = np.concatenate(dst) if dst else np.zeros(0, dtype=np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        code = np.unique(lo * n + hi)
        lo, hi = code // n, code % n
        weights = self.weights_of(lo, hi)
        return lo, hi, weights, best_sum // 2, complete

    def best_weights(self) -> np.ndarray:
        if getattr(self, "_best", None) is None:
            parts = []
            for start in range(0, self.n, _CHUNK):
                rows = np.arange(start, min(start + _CHUNK, self.n))
                w, allowed = self.block(rows)
                parts.append(np.where(allowed, w, 0).max(axis=1))
            self._best = np.concatenate(parts)
        return self._best

    def weights_of(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ca, cb = self.county[a], self.county[b]
        sa, sb = self.sector[a], self.sector[b]
        w = np.full(len(a), W_BASE, dtype=np.int64)
        w += W_COUNTY * ((ca != cb) & (ca >= 0) & (cb >= 0))
        w += W_SECTOR * ((sa != sb) & (sa >= 0) & (sb >= 0))
        if self.interests is not None and len(a):
            shared = (self.interests[a] * self.interests[b]).sum(axis=1)
            w += W_INTEREST * np.minimum(shared, MAX_SHARED_INTERESTS)
        return w

    def match(self, lo: np.ndarray, hi: np.ndarray, w: np.ndarray,
              skip: int | None = None, bonus: np.ndarray | None = None) -> list[tuple[int, int]]:
        graph = rx.PyGraph(multigraph=False)
        graph.add_nodes_from(range(self.n))
        weights = w if bonus is None else w + bonus
        keep = np.ones(len(lo), dtype=bool) if skip is None else (lo != skip) & (hi != skip)
        graph.add_edges_from(list(zip(lo[keep].tolist(), hi[keep].tolist(), weights[keep].tolist())))
        mate = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda x: int(x))
        return sorted((min(a, b), max(a, b)) for a, b in mate)


def _reason_unmatched(pool: _Pool, unmatched: list[int]) -> NoValidPairing:
    if pool.group is not None:
        counts = np.bincount(pool.group)
        if counts.max() * 2 > pool.n:
            return NoValidPairing(
                "one group holds more than half of the participants, so feedback pairs across "
                "groups cannot cover everyone",
                {
                    "nb": "Én gruppe har mer enn halvparten av deltakerne, så ikke alle kan få en "
                          "tilbakemeldingspartner fra en annen gruppe.",
                    "nn": "Éi gruppe har meir enn halvparten av deltakarane, så ikkje alle kan få "
                          "ein tilbakemeldingspartnar frå ei anna gruppe.",
                    "en": "One group holds more than half of the participants, so not everyone can "
                          "get a feedback partner from another group.",
                },
            )
    names = ", ".join(pool.ids[i] for i in unmatched[:10])
    return NoValidPairing(
        f"no new partner left for: {names}",
        {
            "nb": f"Det finnes ingen ny partner for: {names}.",
            "nn": f"Det finst ingen ny partnar for: {names}.",
            "en": f"No new partner is left for: {names}.",
        },
    )


def pair_round_detailed(
    people_ids: Sequence[str],
    attrs: Mapping[str, Person],
    *,
    kind: Kind,
    group_of: Mapping[str, str] | None = None,
    previous_pairs: Iterable[frozenset[str]] = (),
    k: int = DEFAULT_K,
    allow_relaxed_triple: bool = True,
) -> RoundResult:
    ids = list(people_ids)
    if kind not in ("feedback", "networking"):
        raise NoValidPairing(f"unknown kind {kind!r}")
    if len(set(ids)) != len(ids):
        raise NoValidPairing("a participant appears more than once")
    missing = [pid for pid in ids if pid not in attrs]
    if missing:
        raise NoValidPairing(f"unknown participants: {', '.join(missing[:10])}")
    if kind == "feedback":
        if group_of is None or any(pid not in group_of for pid in ids):
            raise NoValidPairing(
                "feedback pairs need every participant's group",
                {"nb": "Tilbakemeldingspar krever at alle deltakere er i en gruppe.",
                 "nn": "Tilbakemeldingspar krev at alle deltakarar er i ei gruppe.",
                 "en": "Feedback pairs need every participant to be in a group."},
            )
    if len(ids) < 2:
        raise NoValidPairing(
            "fewer than two participants",
            {"nb": "Det trengs minst to deltakere.", "nn": "Det trengst minst to deltakarar.",
             "en": "At least two participants are needed."},
        )

    pool = _Pool(ids, attrs, kind, group_of, previous_pairs)
    n = pool.n
    parity = n % 2
    kk = max(1, min(k, n - 1))
    lo, hi, w, bound, complete = pool.candidates(kk, RANDOM_EDGES)
    mate = pool.match(lo, hi, w)
    while 2 * len(mate) < n - parity and not complete:
        kk = min(kk * 4, n - 1)
        lo, hi, w, bound, complete = pool.candidates(kk, RANDOM_EDGES)
        mate = pool.match(lo, hi, w)
    if 2 * len(mate) < n - parity:
        matched = {v for e in mate for v in e}
        raise _reason_unmatched(pool, [i for i in range(n) if i not in matched])

    def weight_sum(edges: list[tuple[int, int]]) -> int:
        if not edges:
            return 0
        a = np.array([e[0] for e in edges])
        b = np.array([e[1] for e in edges])
        return int(pool.weights_of(a, b).sum())

    weight = weight_sum(mate)
    if n - parity > 0 and weight < bound * (n - parity) // n and not complete:
        # Not certified by the half-sum bound: widen the candidate set while it still pays.
        while not complete:
            kk2 = min(kk * 2, n - 1)
            lo2, hi2, w2, _, complete2 = pool.candidates(kk2, RANDOM_EDGES)
            mate2 = pool.match(lo2, hi2, w2)
            weight2 = weight_sum(mate2)
            if 2 * len(mate2) < 2 * len(mate) or weight2 <= weight:
                break
            kk, lo, hi, w, complete, mate, weight = kk2, lo2, hi2, w2, complete2, mate2, weight2

    relaxed = False
    triple: tuple[int, int, int] | None = None
    if parity:
        matched = {v for e in mate for v in e}
        joiner = next(i for i in range(n) if i not in matched)
        triple = _best_triangle(pool, joiner, mate)
        if triple is None:
            found = _retry_joiners(pool, lo, hi, w, joiner)
            if found is not None:
                mate, triple = found
                weight = weight_sum(mate)
        if triple is None:
            if not allow_relaxed_triple:
                raise NoValidPairing(
                    "no three participants left who may all meet",
                    {"nb": "Det finnes ikke tre deltakere igjen som alle kan møtes.",
                     "nn": "Det finst ikkje tre deltakarar att som alle kan møtast.",
                     "en": "There are no three participants left who may all meet."},
                )
            triple = _relaxed_triangle(pool, joiner, mate)
            if triple is None:
                raise _reason_unmatched(pool, [joiner])
            relaxed = True

    pairs_idx: list[tuple[int, ...]] = []
    for a, b in mate:
        if triple is not None and (a, b) == (triple[0], triple[1]):
            pairs_idx.append(tuple(sorted(triple)))
        else:
            pairs_idx.append((a, b))
    pairs_idx.sort()
    total = weight
    if triple is not None:
        a, b, j = triple
        total += weight_sum([(min(a, j), max(a, j)), (min(b, j), max(b, j))])
    return RoundResult(
        pairs=[tuple(ids[i] for i in p) for p in pairs_idx],
        matching_weight=weight,
        total_weight=total,
        upper_bound=bound,
        candidate_edges=len(lo),
        complete_graph=complete,
        relaxed_triple=relaxed,
    )


def _best_triangle(pool: _Pool, joiner: int, mate: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    w, allowed = pool.block(np.array([joiner]))
    w, allowed = w[0], allowed[0]
    best = None
    for a, b in mate:
        if allowed[a] and allowed[b]:
            score = int(w[a] + w[b])
            if best is None or score > best[0]:
                best = (score, (a, b, joiner))
    return None if best is None else best[1]


def _relaxed_triangle(pool: _Pool, joiner: int, mate: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    w, allowed = pool.block(np.array([joiner]))
    w, allowed = w[0], allowed[0]
    best = None
    for a, b in mate:
        ok = int(allowed[a]) + int(allowed[b])
        if ok == 0:
            continue
        score = (ok, int(w[a] * allowed[a] + w[b] * allowed[b]))
        if best is None or score > best[0]:
            best = (score, (a, b, joiner))
    return None if best is None else best[1]


def _retry_joiners(pool: _Pool, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, first: int,
                   attempts: int = 20) -> tuple[list[tuple[int, int]], tuple[int, int, int]] | None:
    """Let someone else join: match everyone else, rewarding pairs the joiner may meet both of."""
    n = pool.n
    order = sorted((i for i in range(n) if i != first), key=lambda i: int(pool.tie2[i]))
    bonus_size = int(w.sum()) + 1 if len(w) else 1
    for cand in order[:attempts]:
        _, allowed = pool.block(np.array([cand]))
        allowed = allowed[0]
        bonus = np.where(allowed[lo] & allowed[hi], bonus_size, 0)
        if not bonus.any():
            continue
        mate = pool.match(lo, hi, w, skip=cand, bonus=bonus)
        if 2 * len(mate) < n - 1:
            continue
        tri = _best_triangle(pool, cand, mate)
        if tri is not None:
            return mate, tri
    return None


def pair_round(
    people_ids: Sequence[str],
    attrs: Mapping[str, Person],
    *,
    kind: Kind,
    group_of: Mapping[str, str] | None = None,
    previous_pairs: Iterable[frozenset[str]] = (),
) -> list[tuple[str, ...]]:
    """One round: pairs (and one triple when the count is odd), sorted by input position."""
    return pair_round_detailed(
        people_ids, attrs, kind=kind, group_of=group_of, previous_pairs=previous_pairs
    ).pairs
