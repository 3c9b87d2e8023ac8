import random
from collections import Counter
from itertools import combinations

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samling.matching.groups import Person
from samling.matching.pairing import (
    NoValidPairing,
    max_rounds_without_repeat,
    pair_round,
    pair_round_detailed,
    pair_weight,
)

COUNTIES = ["03", "15", "46", "50", "18", "56", "33", "11", "42", "39"]
SECTORS = ["klima", "plan", "næring", "samferdsel", "landbruk", "miljø"]
INTERESTS = ["sol", "transport", "mat", "skog", "avfall", "bygg", "vann"]


def make_pool(n, seed, counties=COUNTIES, sectors=SECTORS, group_count=None):
    rng = random.Random(seed)
    people = {}
    for i in range(n):
        pid = f"app-{i:04d}"
        people[pid] = Person(
            id=pid,
            municipality=None,
            county=rng.choice(counties),
            size_class=None,
            sector=rng.choice(sectors),
            experience=rng.choice(["lite", "noe", "mye"]),
            interests=tuple(rng.sample(INTERESTS, rng.randint(0, 3))),
        )
    ids = list(people)
    groups = group_count or max(2, n // 6)
    group_of = {pid: f"g{rng.randrange(groups)}" for pid in ids}
    return ids, people, group_of


def meetings(rounds):
    return [frozenset(p) for r in rounds for p in r]


def forbidden(previous):
    out = set()
    for m in previous:
        out.update(frozenset(c) for c in combinations(sorted(m), 2))
    return out


def check_round(pairs, ids, kind, group_of, previous):
    seen = [m for p in pairs for m in p]
    assert sorted(seen) == sorted(ids)
    sizes = Counter(len(p) for p in pairs)
    assert set(sizes) <= {2, 3}
    assert sizes[3] == len(ids) % 2
    old = forbidden(previous)
    for p in pairs:
        for a, b in combinations(p, 2):
            assert frozenset((a, b)) not in old
            if kind == "feedback":
                assert group_of[a] != group_of[b]


def networkx_optimum(ids, people, kind, group_of, previous):
    old = forbidden(previous)
    g = nx.Graph()
    g.add_nodes_from(ids)
    for a, b in combinations(ids, 2):
        if frozenset((a, b)) in old or (kind == "feedback" and group_of[a] == group_of[b]):
            continue
        g.add_edge(a, b, weight=pair_weight(people[a], people[b], kind))
    m = nx.max_weight_matching(g, maxcardinality=True)
    return len(m), sum(g.edges[e]["weight"] for e in m)


@pytest.mark.parametrize(
    "n,seed,kind,counties,sectors",
    [
        (120, 1, "networking", COUNTIES, SECTORS),
        (120, 2, "feedback", COUNTIES, SECTORS),
        (97, 3, "networking", COUNTIES[:2], SECTORS[:2]),
        (80, 4, "feedback", COUNTIES[:3], SECTORS[:1]),
    ],
)
def test_sparse_matching_equals_complete_graph_optimum(n, seed, kind, counties, sectors):
    ids, people, group_of = make_pool(n, seed, counties, sectors)
    previous = []
    for _ in range(3):
        res = pair_round_detailed(ids, people, kind=kind, group_of=group_of,
                                  previous_pairs=meetings(previous))
        card, best = networkx_optimum(ids, people, kind, group_of, meetings(previous))
        assert card == n // 2
        assert res.matching_weight == best
        assert not res.complete_graph  # the point is that the sparse graph sufficed
        check_round(res.pairs, ids, kind, group_of, meetings(previous))
        previous.append(res.pairs)


def test_feedback_with_everyone_in_one_group_is_impossible():
    ids, people, _ = make_pool(10, 1)
    with pytest.raises(NoValidPairing) as err:
        pair_round(ids, people, kind="feedback", group_of={i: "g1" for i in ids}, previous_pairs=[])
    assert "half" in err.value.reason
    with pytest.raises(NoValidPairing):
        pair_round(ids, people, kind="feedback", group_of=None, previous_pairs=[])


def test_partners_used_up_raises():
    ids, people, _ = make_pool(4, 2)
    rounds = []
    for _ in range(3):  # K4 splits into exactly three perfect matchings
        rounds.append(pair_round(ids, people, kind="networking", group_of=None,
                                 previous_pairs=meetings(rounds)))
    with pytest.raises(NoValidPairing):
        pair_round(ids, people, kind="networking", group_of=None, previous_pairs=meetings(rounds))


def test_triple_joins_a_pair_it_may_meet_and_is_deterministic():
    ids, people, group_of = make_pool(31, 5)
    a = pair_round(ids, people, kind="feedback", group_of=group_of, previous_pairs=[])
    b = pair_round(ids, people, kind="feedback", group_of=group_of, previous_pairs=[])
    assert a == b
    check_round(a, ids, "feedback", group_of, [])


def test_weight_prefers_other_county_sector_and_shared_interests():
    a = Person("a", None, "03", None, "klima", None, ("sol", "mat"))
    b = Person("b", None, "03", None, "klima", None, ())
    c = Person("c", None, "15", None, "plan", None, ())
    d = Person("d", None, "15", None, "plan", None, ("sol", "mat"))
    assert pair_weight(a, c, "feedback") > pair_weight(a, b, "feedback")
    assert pair_weight(a, d, "networking") > pair_weight(a, c, "networking")
    assert pair_weight(a, d, "feedback") == pair_weight(a, c, "feedback")


def test_guarantee_formula():
    assert max_rounds_without_repeat(50, 6) == 50 - 6 - 25 + 1
    assert max_rounds_without_repeat(4, 1) == 2
    assert max_rounds_without_repeat(10, 6) == 0
    assert max_rounds_without_repeat(1, 1) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 45), st.integers(0, 10_000), st.sampled_from(["feedback", "networking"]),
       st.integers(2, 8))
def test_rounds_are_valid_and_never_repeat(n, seed, kind, groups):
    ids, people, group_of = make_pool(n, seed, group_count=groups)
    largest = max(Counter(group_of.values()).values()) if kind == "feedback" else 1
    guaranteed = max_rounds_without_repeat(n, largest)
    previous = []
    for rnd in range(4):
        try:
            res = pair_round_detailed(ids, people, kind=kind, group_of=group_of,
                                      previous_pairs=meetings(previous), allow_relaxed_triple=False)
        except NoValidPairing:
            assert rnd >= guaranteed
            return
        check_round(res.pairs, ids, kind, group_of, meetings(previous))
        previous.append(res.pairs)
