import itertools
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from samling.registration.selection import (
    Candidate,
    Quota,
    evaluate_quota,
    greedy_select,
    next_from_waitlist,
    select,
)

OSLO = ZoneInfo("Europe/Oslo")
T0 = datetime(2021, 6, 1, 8, 0, tzinfo=OSLO)

# 2024 municipality numbers with county and size class (small < 5 000, medium < 20 000).
MUNICIPALITIES = [
    ("0301", "03", "large"), ("1508", "15", "large"), ("1580", "15", "medium"),
    ("4601", "46", "large"), ("5001", "50", "large"), ("1804", "18", "large"),
    ("5601", "56", "large"), ("3301", "33", "large"), ("4204", "42", "large"),
    ("1103", "11", "large"), ("3403", "34", "large"), ("4203", "42", "large"),
    ("1101", "11", "medium"), ("1515", "15", "medium"), ("1813", "18", "medium"),
    ("3112", "31", "medium"), ("3214", "32", "medium"), ("4005", "40", "medium"),
    ("4201", "42", "medium"), ("5007", "50", "medium"), ("5603", "56", "medium"),
    ("1111", "11", "small"), ("1511", "15", "small"), ("1811", "18", "small"),
    ("3110", "31", "small"), ("3242", "32", "small"), ("3318", "33", "small"),
    ("3414", "34", "small"), ("4010", "40", "small"), ("4211", "42", "small"),
    ("4611", "46", "small"), ("5020", "50", "small"), ("5510", "55", "small"),
    ("5610", "56", "small"), ("1514", "15", "small"), ("1144", "11", "small"),
]
SECTORS = ["klima_miljo", "plan", "helse_omsorg", "oppvekst_utdanning", "teknisk", "landbruk",
           "kultur_idrett", "naering", "innkjop", "eiendom", "ledelse", "annet"]

EXAMPLE_QUOTAS = [
    {"field": "sector", "min_distinct": 6},
    {"field": "experience", "value": "lite", "min_share": 0.3},
    {"field": "county", "min_distinct": 8},
    {"field": "municipality_size", "value": "small", "min_share": 0.25},
    {"field": "municipality", "max_count": 2},
]


def applicant(i, rng, *, score=None, municipality=None, minutes=None):
    number, county, size = municipality or rng.choice(MUNICIPALITIES)
    return Candidate(
        id=f"app-{i:04d}",
        score=score if score is not None else rng.choice([1, 2, 3, 3, 3, 4, 4, 5, 3.5, 4.5]),
        submitted_at=T0 + timedelta(minutes=minutes if minutes is not None else rng.randrange(60 * 24 * 40)),
        attributes={
            "sector": rng.choice(SECTORS[:3] * 4 + SECTORS),
            # Skewed so that the experience quota actually binds.
            "experience": rng.choice(["lite", "noe", "noe", "mye", "mye", "mye"]),
            "county": county,
            "municipality": number,
            "municipality_size": size,
            "organisation_type": "kommune",
            "theme": None,
        },
    )


def pool(n, seed):
    rng = random.Random(seed)
    return [applicant(i, rng) for i in range(n)]


def independent_best_score(cands, capacity, quotas):
    """The same optimum from a plainly written dense model, without the tie-break."""
    n = len(cands)
    k = min(capacity, n)
    rows, lbs, ubs = [], [], []
    extra_vars = []  # (quota index, value) indicators for min_distinct

    for qi, q in enumerate(quotas):
        if q.kind == "min_distinct":
            for v in sorted({c.attributes[q.field] for c in cands if c.attributes[q.field]}):
                extra_vars.append((qi, v))
    width = n + len(extra_vars)

    def row():
        return np.zeros(width)

    r = row()
    r[:n] = 1
    rows.append(r); lbs.append(k); ubs.append(k)
    for qi, q in enumerate(quotas):
        has = lambda c, v=q.value: c.attributes[q.field] == v  # noqa: E731
        if q.kind == "min_distinct":
            total = row()
            for j, (qj, v) in enumerate(extra_vars):
                if qj != qi:
                    continue
                link = row()
                link[n + j] = 1
                for i, c in enumerate(cands):
                    if c.attributes[q.field] == v:
                        link[i] = -1
                rows.append(link); lbs.append(-np.inf); ubs.append(0)
                total[n + j] = 1
            rows.append(total); lbs.append(q.min_distinct); ubs.append(np.inf)
        elif q.kind == "max_count" and q.value is None:
            for v in {c.attributes[q.field] for c in cands}:
                r = row()
                for i, c in enumerate(cands):
                    r[i] = c.attributes[q.field] == v
                rows.append(r); lbs.append(-np.inf); ubs.append(q.max_count)
        elif q.kind == "min_share":
            r = row()
            for i, c in enumerate(cands):
                r[i] = has(c)
            rows.append(r); lbs.append(math.ceil(q.min_share * k - 1e-9)); ubs.append(np.inf)
        else:
            raise AssertionError("not used in these tests")
    c = np.zeros(width)
    c[:n] = [-x.score for x in cands]
    res = milp(c, integrality=np.ones(width), bounds=Bounds(0, 1),
               constraints=LinearConstraint(np.array(rows), lbs, ubs),
               options={"mip_rel_gap": 0})
    assert res.status == 0
    return -res.fun


def test_example_quotas_are_met_at_the_optimum():
    cands = pool(100, seed=7)
    quotas = [Quota.from_dict(d) for d in EXAMPLE_QUOTAS]
    result = select(cands, 50, quotas)
    assert len(result.selected) == 50
    assert result.optimal
    assert result.relaxed == []
    assert all(q["met"] for q in result.quotas)
    chosen = [c for c in cands if c.id in set(result.selected)]
    # Check the quotas from the chosen people directly, not from the report.
    assert len({c.attributes["sector"] for c in chosen}) >= 6
    assert sum(c.attributes["experience"] == "lite" for c in chosen) >= 15
    assert len({c.attributes["county"] for c in chosen}) >= 8
    assert sum(c.attributes["municipality_size"] == "small" for c in chosen) >= 13
    assert max(sum(c.attributes["municipality"] == m for c in chosen) for m, _, _ in MUNICIPALITIES) <= 2
    assert result.objective == pytest.approx(sum(c.score for c in chosen))
    assert result.objective == pytest.approx(independent_best_score(cands, 50, quotas))
    # The quotas must have cost something, or this test proves nothing about them.
    unconstrained = sum(sorted((c.score for c in cands), reverse=True)[:50])
    assert result.objective < unconstrained
    assert set(result.selected) | set(result.waitlist) == {c.id for c in cands}
    assert result.not_selected == []
    report = {q["quota"]["field"]: q for q in result.quotas}
    assert report["experience"]["achieved"] == round(
        sum(c.attributes["experience"] == "lite" for c in chosen) / 50, 4)


def test_selected_and_waitlist_are_in_rank_order():
    cands = pool(60, seed=3)
    result = select(cands, 20, [Quota.from_dict(d) for d in EXAMPLE_QUOTAS[:2]])
    by_id = {c.id: c for c in cands}
    for ids in (result.selected, result.waitlist):
        keys = [(-by_id[i].score, by_id[i].submitted_at, i) for i in ids]
        assert keys == sorted(keys)


def brute_force(cands, capacity, quotas):
    """Fewest unmet quotas, then highest score, then earliest submissions (by rank sum)."""
    order = sorted(cands, key=lambda c: (c.submitted_at, c.id))
    rank = {c.id: i for i, c in enumerate(order)}
    best = None
    for combo in itertools.combinations(cands, min(capacity, len(cands))):
        unmet = sum(not evaluate_quota(q, combo, cands)[1] for q in quotas)
        key = (unmet, -round(sum(c.score for c in combo), 9), sum(rank[c.id] for c in combo))
        if best is None or key < best[0]:
            best = (key, {c.id for c in combo})
    return best


@pytest.mark.parametrize("seed", range(6))
def test_matches_exhaustive_search_on_small_instances(seed):
    rng = random.Random(seed)
    cands = [applicant(i, rng, municipality=rng.choice(MUNICIPALITIES[:8])) for i in range(12)]
    quotas = [
        Quota(field="county", min_distinct=4),
        Quota(field="experience", value="lite", min_share=0.5),
        Quota(field="municipality", max_count=1),
        Quota(field="sector", value="klima_miljo", max_share=0.34),
    ]
    (unmet, neg_score, _), ids = brute_force(cands, 6, quotas)
    result = select(cands, 6, quotas)
    assert len(result.relaxed) == unmet
    assert result.objective == pytest.approx(-neg_score)
    assert set(result.selected) == ids


@pytest.mark.parametrize("seed", range(5))
def test_infeasible_quotas_relax_as_few_as_possible(seed):
    rng = random.Random(100 + seed)
    cands = [applicant(i, rng, municipality=rng.choice(MUNICIPALITIES[:6])) for i in range(11)]
    quotas = [
        Quota(field="experience", value="lite", min_count=3),
        Quota(field="experience", value="mye", min_count=3),  # with the one above: 6 of 5
        Quota(field="county", min_distinct=5),  # at most 5 counties among the first six
        Quota(field="municipality", max_count=1),
        Quota(field="sector", value="klima_miljo", min_count=2),
    ]
    (unmet, neg_score, _), _ids = brute_force(cands, 5, quotas)
    assert unmet >= 1
    result = select(cands, 5, quotas)
    assert len(result.relaxed) == unmet
    assert result.objective == pytest.approx(-neg_score)
    assert sum(not q["met"] for q in result.quotas) == unmet
    for q in result.relaxed:
        assert q in [r["quota"] for r in result.quotas if not r["met"]]


def test_quota_that_no_one_can_meet_is_reported_and_the_rest_still_hold():
    rng = random.Random(5)
    cands = [applicant(i, rng) for i in range(30)]
    quotas = [Quota(field="county", min_distinct=40), Quota(field="municipality", max_count=1)]
    result = select(cands, 10, quotas)
    assert result.relaxed == [{"field": "county", "min_distinct": 40}]
    chosen = [c for c in cands if c.id in result.selected]
    assert len({c.attributes["municipality"] for c in chosen}) == 10
    assert result.to_dict()["relaxed"] == result.relaxed


def test_ties_go_to_earlier_submission_then_id():
    rng = random.Random(1)
    cands = [applicant(i, rng, score=4, minutes=100 - i) for i in range(6)]
    # Two with the very same instant: the lower id wins.
    twin = Candidate("app-0009", 4, cands[5].submitted_at, dict(cands[5].attributes))
    cands.append(twin)
    result = select(cands, 3, [])
    assert result.selected == ["app-0005", "app-0009", "app-0004"]
    shuffled = list(cands)
    random.Random(9).shuffle(shuffled)
    assert select(shuffled, 3, []).to_dict() == result.to_dict()


def test_ties_under_quotas_are_deterministic_and_prefer_earlier():
    rng = random.Random(2)
    cands = [applicant(i, rng, score=3, minutes=i) for i in range(40)]
    quotas = [Quota.from_dict(d) for d in EXAMPLE_QUOTAS]
    first = select(cands, 10, quotas)
    again = select(list(reversed(cands)), 10, quotas)
    assert first.to_dict() == again.to_dict()
    # The 0th applicant breaks no cap alone, so with all scores equal it must be in.
    assert "app-0000" in first.selected


def test_higher_score_always_beats_earlier_submission():
    rng = random.Random(4)
    late = applicant(0, rng, score=4.5, minutes=10_000)
    early = [applicant(i, rng, score=4.4, minutes=i) for i in range(1, 40)]
    result = select(early + [late], 1, [])
    assert result.selected == [late.id]


def test_fewer_candidates_than_capacity():
    rng = random.Random(8)
    cands = [applicant(i, rng) for i in range(7)]
    result = select(cands, 50, [Quota(field="experience", value="lite", min_share=0.0)])
    assert sorted(result.selected) == sorted(c.id for c in cands)
    assert result.waitlist == [] and result.not_selected == []
    assert result.objective == pytest.approx(sum(c.score for c in cands))
    lite = sum(c.attributes["experience"] == "lite" for c in cands)
    assert result.quotas[0]["achieved"] == round(lite / 7, 4)


def test_no_candidates():
    result = select([], 10, [Quota(field="sector", min_distinct=2)])
    assert result.selected == [] and result.objective == 0
    assert result.quotas[0]["met"] is False


def test_per_value_max_count():
    rng = random.Random(6)
    oslo = MUNICIPALITIES[0]
    stars = [applicant(i, rng, score=5, municipality=oslo, minutes=i) for i in range(10)]
    others = [applicant(10 + i, rng, score=2, municipality=MUNICIPALITIES[1 + i]) for i in range(10)]
    result = select(stars + others, 8, [Quota(field="municipality", max_count=2)])
    chosen = [c for c in stars + others if c.id in result.selected]
    assert sum(c.attributes["municipality"] == "0301" for c in chosen) == 2
    assert {"app-0000", "app-0001"} <= set(result.selected)
    assert result.quotas[0] == {"quota": {"field": "municipality", "max_count": 2},
                                "achieved": 2, "met": True}


def test_per_value_min_count_caps_demand_at_what_applied():
    rng = random.Random(11)
    cands = [applicant(i, rng, score=5, municipality=MUNICIPALITIES[0]) for i in range(8)]
    cands += [applicant(8, rng, score=1, municipality=MUNICIPALITIES[1])]
    cands += [applicant(9 + i, rng, score=1, municipality=MUNICIPALITIES[2]) for i in range(3)]
    result = select(cands, 6, [Quota(field="county", min_count=2)])
    chosen = [c for c in cands if c.id in result.selected]
    counties = [c.attributes["county"] for c in chosen]
    # County 03 has 8 applicants, county 15 has 4: both get at least two.
    assert counties.count("03") >= 2 and counties.count("15") >= 2
    assert result.quotas[0]["met"] and result.relaxed == []


def test_waitlist_size_splits_the_rest():
    cands = pool(30, seed=12)
    result = select(cands, 10, [], waitlist_size=5)
    assert len(result.waitlist) == 5 and len(result.not_selected) == 15
    full = select(cands, 10, [])
    assert full.waitlist[:5] == result.waitlist
    assert full.waitlist[5:] == result.not_selected


def test_next_from_waitlist_keeps_quotas():
    rng = random.Random(13)
    bergen, alta, bodo = MUNICIPALITIES[3], MUNICIPALITIES[6], MUNICIPALITIES[5]
    selected = [applicant(0, rng, municipality=bergen), applicant(1, rng, municipality=bergen),
                applicant(2, rng, municipality=alta)]
    w1 = applicant(3, rng, municipality=bergen, score=5)
    w2 = applicant(4, rng, municipality=alta, score=4)
    w3 = applicant(5, rng, municipality=bodo, score=3)
    quotas = [Quota(field="municipality", max_count=2)]
    assert next_from_waitlist(selected, [w1, w2, w3], quotas, capacity=4) == w2.id
    # With the sizes fixed, nobody keeps the cap; the first in order is offered.
    assert next_from_waitlist(selected, [w1], quotas, capacity=4) == w1.id
    assert next_from_waitlist(selected, [w1, w2], quotas, capacity=3) is None
    assert next_from_waitlist(selected, [], quotas, capacity=4) is None
    # A quota already unmet does not block anyone.
    distinct = [Quota(field="county", min_distinct=5)]
    assert next_from_waitlist(selected, [w1, w2], distinct, capacity=4) == w1.id
    share = [Quota(field="experience", value="lite", min_share=0.6)]
    lite = applicant(6, rng, municipality=bodo)
    lite = Candidate(lite.id, 2, lite.submitted_at, {**lite.attributes, "experience": "lite"})
    sel = [Candidate(c.id, c.score, c.submitted_at, {**c.attributes, "experience": e})
           for c, e in zip(selected, ["lite", "lite", "mye"])]
    w1m = Candidate(w1.id, w1.score, w1.submitted_at, {**w1.attributes, "experience": "mye"})
    assert next_from_waitlist(sel, [w1m, lite], share, capacity=4) == lite.id


def test_quota_dict_round_trip_and_validation():
    for d in EXAMPLE_QUOTAS + [{"field": "theme", "value": "matsvinn", "max_share": 0.5},
                               {"field": "organisation_type", "value": "kommune", "min_count": 3}]:
        assert Quota.from_dict(d).to_dict() == d
    for bad in [{"field": "sector"}, {"field": "shoe_size", "min_distinct": 2},
                {"field": "sector", "min_distinct": 2, "max_count": 3},
                {"field": "experience", "min_share": 0.3},
                {"field": "experience", "value": "lite", "min_share": 1.5},
                {"field": "sector", "min_distinct": -1},
                {"field": "sector", "value": "plan", "min_distinct": 2},
                {"field": "sector", "max_count": 2, "colour": "red"}]:
        with pytest.raises(ValueError):
            Quota.from_dict(bad)


def test_duplicate_ids_are_refused():
    rng = random.Random(14)
    a = applicant(1, rng)
    with pytest.raises(ValueError):
        select([a, a], 1, [])


def test_greedy_baseline_never_beats_the_programme():
    cands = pool(100, seed=21)
    quotas = [Quota.from_dict(d) for d in EXAMPLE_QUOTAS]
    exact = select(cands, 50, quotas)
    greedy = greedy_select(cands, 50, quotas)
    assert len(greedy.selected) == 50
    if all(q["met"] for q in greedy.quotas):
        assert greedy.objective <= exact.objective + 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_two_step_solve_for_large_objectives_agrees(monkeypatch, seed):
    import samling.registration.selection as selection

    rng = random.Random(200 + seed)
    cands = [applicant(i, rng, municipality=rng.choice(MUNICIPALITIES[:8]), score=rng.choice([3, 4]))
             for i in range(12)]
    quotas = [Quota(field="county", min_distinct=4), Quota(field="municipality", max_count=1),
              Quota(field="experience", value="mye", min_count=4)]
    weighted = select(cands, 6, quotas)
    monkeypatch.setattr(selection, "_EXACT_LIMIT", 0.0)
    stepwise = select(cands, 6, quotas)
    assert stepwise.to_dict() == weighted.to_dict()
    (unmet, neg_score, _), ids = brute_force(cands, 6, quotas)
    assert set(stepwise.selected) == ids and len(stepwise.relaxed) == unmet


# --- the fast relaxing path against the plain programme -----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import samling.registration.selection as selection_module  # noqa: E402

SMALL_VALUES = {
    "sector": ["klima_miljo", "plan", "teknisk", None],
    "experience": ["lite", "noe", "mye"],
    "county": ["03", "15", "46"],
    "municipality": ["0301", "1508", "4601", "4611"],
}


@st.composite
def small_instances(draw):
    n = draw(st.integers(1, 9))
    cands = []
    for i in range(n):
        attrs = {f: draw(st.sampled_from(vs)) for f, vs in SMALL_VALUES.items()}
        cands.append(Candidate(
            id=f"app-{i:04d}",
            score=draw(st.sampled_from([1, 2, 2.5, 3])),
            # Few distinct instants, so equal submission times (ties on id) come up.
            submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 4))),
            attributes=attrs,
        ))
    capacity = draw(st.integers(0, n + 1))
    quotas = []
    for _ in range(draw(st.integers(0, 4))):
        field = draw(st.sampled_from(sorted(SMALL_VALUES)))
        value = draw(st.sampled_from([v for v in SMALL_VALUES[field] if v is not None]))
        kind = draw(st.sampled_from(
            ["min_distinct", "min_share", "max_share", "min_count", "max_count",
             "min_count_each", "max_count_each"]))
        if kind == "min_distinct":
            quotas.append(Quota(field=field, min_distinct=draw(st.integers(0, 5))))
        elif kind in ("min_share", "max_share"):
            share = draw(st.sampled_from([0.0, 0.2, 0.34, 0.5, 0.75, 1.0]))
            quotas.append(Quota(field=field, value=value, **{kind: share}))
        elif kind.endswith("_each"):
            quotas.append(Quota(field=field, **{kind[:-5]: draw(st.integers(0, 4))}))
        else:
            quotas.append(Quota(field=field, value=value, **{kind: draw(st.integers(0, 5))}))
    return cands, capacity, quotas


def plain_selection(cands, capacity, quotas):
    """The programme without shortcuts: every quota in it, feasibility first, then the fewest
    relaxed, then the best score with no more relaxed than that."""
    order = sorted(cands, key=lambda c: (c.submitted_at, c.id))
    n, k = len(order), min(capacity, len(order))
    if k == 0:
        return set()
    scores = np.array([float(c.score) for c in order])
    steps = np.round(scores * selection_module._score_grid(scores))
    steps -= steps.min()
    tie = (n - 1 - np.arange(n)).astype(float)
    model = selection_module._build(order, k, quotas)
    best = selection_module._solve_best(model, steps, tie, with_slack=False, relax_limit=None,
                                        time_limit=None)
    if best.chosen is None:
        fewest = selection_module._run(model, np.zeros(n), with_slack=True,
                                       cost_s=np.ones(len(quotas)), time_limit=None)
        best = selection_module._solve_best(model, steps, tie, with_slack=True,
                                            relax_limit=int(fewest.slack.sum()), time_limit=None)
    return {c.id for c, on in zip(order, best.chosen) if on}


def selection_key(ids, cands, quotas):
    """What the selection optimises, in order: quotas unmet, score, earliness (rank sum)."""
    order = sorted(cands, key=lambda c: (c.submitted_at, c.id))
    rank = {c.id: i for i, c in enumerate(order)}
    chosen = [c for c in order if c.id in ids]
    unmet = sum(not evaluate_quota(q, chosen, cands)[1] for q in quotas)
    return unmet, round(sum(c.score for c in chosen), 9), sum(rank[c.id] for c in chosen)


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_fast_path_selects_as_the_plain_programme(instance):
    cands, capacity, quotas = instance
    result = select(cands, capacity, quotas)
    reference = plain_selection(cands, capacity, quotas)
    assert len(result.selected) == len(reference) == min(capacity, len(cands))
    assert selection_key(set(result.selected), cands, quotas) == selection_key(
        reference, cands, quotas)
    assert len(result.relaxed) == selection_key(reference, cands, quotas)[0]
    # The shortcut must not make the answer depend on the input order.
    assert select(list(reversed(cands)), capacity, quotas).to_dict() == result.to_dict()


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_quotas_counted_impossible_are_unmet_by_every_group(instance):
    cands, capacity, quotas = instance
    order = sorted(cands, key=lambda c: (c.submitted_at, c.id))
    k = min(capacity, len(order))
    encoded = selection_module._encode_fields(order, quotas)
    impossible = selection_module._impossible_quotas(len(order), k, quotas, encoded)
    for qi in impossible:
        for combo in itertools.combinations(order, k):
            assert not evaluate_quota(quotas[qi], combo, order)[1]


def test_a_quota_beyond_reach_is_given_up_and_the_rest_are_kept_exactly():
    cands = pool(60, seed=31)
    quotas = [
        Quota(field="municipality", max_count=1),  # 29 municipalities cannot fill 40 places
        Quota(field="experience", value="lite", min_share=0.2),  # all 8 who applied
        Quota(field="county", min_distinct=12),
    ]
    result = select(cands, 40, quotas)
    assert result.relaxed == [{"field": "municipality", "max_count": 1}]
    assert result.optimal
    assert set(result.selected) == plain_selection(cands, 40, quotas)
    assert result.objective == pytest.approx(independent_best_score(cands, 40, quotas[1:]))
    # The kept quotas must bind, or this proves nothing about keeping them.
    assert result.objective < sum(sorted((c.score for c in cands), reverse=True)[:40])
