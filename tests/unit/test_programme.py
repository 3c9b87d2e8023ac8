from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samling.registration.programme import (
    UNPLACED_REASONS,
    Placeable,
    SlotSession,
    greedy_place,
    maximal_overlap_cliques,
    place,
)

OSLO = ZoneInfo("Europe/Oslo")
DAY = datetime(2022, 5, 30, 8, 0, tzinfo=OSLO)
PEOPLE = ["ase@kommune.example", "bjorn@example.no", "cecilie@kommune.example", "dag@example.no"]


def at(quarters: int) -> datetime:
    return DAY + timedelta(minutes=15 * quarters)


def session(sid, start_q, end_q, theme=None, slots=1, formats=None):
    return SlotSession(sid, at(start_q), at(end_q), theme, slots, None if formats is None else tuple(formats))


def item(cid, themes=(), presenters=("ase@kommune.example",), fixed=None, minute=0, form=None):
    return Placeable(cid, tuple(themes), tuple(presenters), fixed, DAY - timedelta(days=30) + timedelta(minutes=minute),
                     form)


def takes(s: SlotSession, c: Placeable) -> bool:
    return s.formats is None or c.format in s.formats


def overlap(a: SlotSession, b: SlotSession) -> bool:
    return a.start < b.end and b.start < a.end


# ---------------------------------------------------------------------------------------------
# An independent exhaustive search: every contribution in every session or nowhere.


def brute_force_best(sessions, contributions):
    by_id = {s.id: s for s in sessions}
    fixed = [c for c in contributions if c.fixed_session in by_id]
    free = [c for c in contributions if c.fixed_session is None]
    left = {s.id: max(0, s.slots - sum(c.fixed_session == s.id for c in fixed)) for s in sessions}
    presence = defaultdict(Counter)
    for c in fixed:
        for p in c.presenters:
            presence[p.lower()][c.fixed_session] += 1
    best = (0, 0)

    def fits(c, sid):
        return all(
            not (t != sid and n > 0 and overlap(by_id[t], by_id[sid]))
            for p in c.presenters for t, n in presence[p.lower()].items()
        )

    def search(k, placed, matched):
        nonlocal best
        if (placed + len(free) - k, matched + len(free) - k) <= best:
            return
        if k == len(free):
            best = max(best, (placed, matched))
            return
        c = free[k]
        for s in sessions:
            if left[s.id] > 0 and takes(s, c) and fits(c, s.id):
                left[s.id] -= 1
                for p in c.presenters:
                    presence[p.lower()][s.id] += 1
                search(k + 1, placed + 1, matched + (s.theme is not None and s.theme in c.themes))
                for p in c.presenters:
                    presence[p.lower()][s.id] -= 1
                left[s.id] += 1
        search(k + 1, placed, matched)

    search(0, 0, 0)
    return best


def free_score(sessions, contributions, assignment):
    theme = {s.id: s.theme for s in sessions}
    free = [c for c in contributions if c.fixed_session is None and c.id in assignment]
    return len(free), sum(theme[assignment[c.id]] is not None and theme[assignment[c.id]] in c.themes for c in free)


def check_rules(sessions, contributions, programme):
    """The rules every programme must keep, checked from the outside."""
    by_id = {s.id: s for s in sessions}
    data = programme.to_dict()
    assignment = {cid: entry["session_id"] for entry in data["sessions"] for cid in entry["contributions"]}
    placed = [cid for entry in data["sessions"] for cid in entry["contributions"]]
    unplaced = [u["id"] for u in data["unplaced"]]
    assert len(placed) == len(set(placed))
    assert sorted(placed + unplaced) == sorted(c.id for c in contributions)
    assert all(u["reason"] in UNPLACED_REASONS for u in data["unplaced"])
    assert [e["session_id"] for e in data["sessions"]] == [s.id for s in sorted(sessions, key=lambda s: (s.start, s.end, s.id))]
    for c in contributions:
        if c.fixed_session in by_id:
            assert assignment[c.id] == c.fixed_session
        elif c.fixed_session is not None:
            assert {"id": c.id, "reason": "unknown_session"} in data["unplaced"]
    fixed_ids = {c.id for c in contributions if c.fixed_session in by_id}
    by_c = {c.id: c for c in contributions}
    for cid, sid in assignment.items():
        assert cid in fixed_ids or takes(by_id[sid], by_c[cid]), (cid, sid)
    with_slots = [s for s in sessions if s.slots > 0]
    for u in data["unplaced"]:
        c = by_c[u["id"]]
        nowhere = c.fixed_session is None and with_slots and not any(takes(s, c) for s in with_slots)
        assert (u["reason"] == "no_session_for_format") == bool(nowhere), (u, c)
    for entry in data["sessions"]:
        s = by_id[entry["session_id"]]
        n_fixed = sum(cid in fixed_ids for cid in entry["contributions"])
        assert len(entry["contributions"]) <= max(s.slots, n_fixed)
        assert n_fixed == len(entry["contributions"]) or len(entry["contributions"]) <= s.slots
    for a in assignment:
        for b in assignment:
            sa, sb = by_id[assignment[a]], by_id[assignment[b]]
            if a < b and sa.id != sb.id and overlap(sa, sb) and not (a in fixed_ids and b in fixed_ids):
                shared = {p.lower() for p in by_c[a].presenters} & {p.lower() for p in by_c[b].presenters}
                assert not shared, (a, b, shared)
    return assignment


@st.composite
def programmes(draw):
    n_sessions = draw(st.integers(1, 6))
    sessions = []
    for k in range(n_sessions):
        start = draw(st.integers(0, 12))
        length = draw(st.integers(1, 6))
        sessions.append(session(f"s{k}", start, start + length, draw(st.sampled_from(["a", "b", None])),
                                draw(st.integers(0, 3)),
                                draw(st.sampled_from([None, None, ("x",), ("y",), ("x", "y")]))))
    n_items = draw(st.integers(0, 10))
    contributions = []
    for k in range(n_items):
        themes = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True))
        presenters = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2, unique=True))
        fixed = draw(st.one_of(
            st.none(), st.none(), st.none(), st.sampled_from([s.id for s in sessions] + ["gone"])
        ))
        form = draw(st.sampled_from(["x", "x", "y", "y", "z", None]))
        contributions.append(item(f"c{k}", themes, presenters, fixed, minute=draw(st.integers(0, 5)), form=form))
    return sessions, contributions


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes())
def test_random_programmes_keep_the_rules_and_reach_the_optimum(case):
    sessions, contributions = case
    programme = place(sessions, contributions)
    assignment = check_rules(sessions, contributions, programme)
    assert programme.optimal
    assert free_score(sessions, contributions, assignment) == brute_force_best(sessions, contributions)
    # Running again with nothing changed, or with the last programme as `previous`, or with
    # the inputs in another order, gives the same programme.
    assert place(sessions, contributions).to_dict() == programme.to_dict()
    assert place(sessions, contributions, previous=assignment).to_dict() == programme.to_dict()
    assert place(list(reversed(sessions)), list(reversed(contributions))).to_dict() == programme.to_dict()
    greedy = greedy_place(sessions, contributions)
    greedy_assignment = check_rules(sessions, contributions, greedy)
    assert free_score(sessions, contributions, greedy_assignment) <= free_score(sessions, contributions, assignment)


# ---------------------------------------------------------------------------------------------


def test_prefers_theme_match_and_respects_slots():
    sessions = [session("s1", 0, 4, "mobilitet", 1), session("s2", 0, 4, "innkjop", 2)]
    contributions = [item("c1", ["innkjop"], ["a@example.no"]), item("c2", ["mobilitet"], ["b@example.no"]),
                     item("c3", ["innkjop"], ["c@example.no"], minute=1)]
    result = place(sessions, contributions).to_dict()
    assert result["sessions"] == [
        {"session_id": "s1", "contributions": ["c2"]},
        {"session_id": "s2", "contributions": ["c1", "c3"]},
    ]
    assert result["unplaced"] == []


def test_placing_more_beats_matching_more():
    # c2 can only go to s1 (its presenter is fixed at the time of s2); c1 would rather have s1.
    sessions = [session("s1", 0, 4, "a", 1), session("s2", 8, 12, None, 1), session("s3", 8, 12, None, 1)]
    contributions = [
        item("c1", ["a"], ["x@example.no"]),
        item("c2", [], ["y@example.no"], minute=1),
        item("blocker", [], ["y@example.no"], fixed="s3"),
        item("gone", [], ["z@example.no"], fixed="s9"),
    ]
    result = place(sessions, contributions)
    assert result.assignment == {"c1": "s2", "c2": "s1", "blocker": "s3"}
    assert result.to_dict()["unplaced"] == [{"id": "gone", "reason": "unknown_session"}]
    greedy = greedy_place(sessions, contributions)
    assert greedy.assignment == {"c1": "s1", "blocker": "s3"}
    assert {u.id: u.reason for u in greedy.unplaced} == {"c2": "presenter_conflict", "gone": "unknown_session"}


def test_presenter_never_in_two_overlapping_sessions():
    sessions = [session("s1", 0, 4, "a", 5), session("s2", 2, 6, "b", 5)]
    contributions = [item("c1", ["a"], ["Ase@Kommune.example"]), item("c2", ["b"], ["ase@kommune.example"], minute=1)]
    result = place(sessions, contributions)
    # both in s1 is allowed (same session); s1 + s2 is not, so one loses its theme match
    assert result.assignment in ({"c1": "s1", "c2": "s1"}, {"c1": "s2", "c2": "s2"})
    assert result.theme_matches == 1


def test_touching_sessions_do_not_overlap():
    sessions = [session("s1", 0, 4, "a", 1), session("s2", 4, 8, "b", 1)]
    contributions = [item("c1", ["a"]), item("c2", ["b"], minute=1)]
    assert place(sessions, contributions).assignment == {"c1": "s1", "c2": "s2"}


def test_presenter_conflict_reason():
    sessions = [session("s1", 0, 4, None, 1), session("s2", 0, 4, None, 1)]
    contributions = [item("c1", fixed="s1"), item("c2", minute=1)]
    result = place(sessions, contributions)
    assert result.to_dict()["unplaced"] == [{"id": "c2", "reason": "presenter_conflict"}]
    assert "innleder" in result.to_dict("nb")["unplaced"][0]["message"]


def test_fixed_placements_kept_even_when_they_clash_and_are_reported():
    sessions = [session("s1", 0, 4, None, 1), session("s2", 2, 6, None, 3)]
    contributions = [
        item("c1", fixed="s1"), item("c2", presenters=["b@example.no"], fixed="s1", minute=1),
        item("c3", fixed="s2", minute=2), item("c4", presenters=["c@example.no"], minute=3),
    ]
    result = place(sessions, contributions)
    data = result.to_dict("en")
    assert data["sessions"] == [
        {"session_id": "s1", "contributions": ["c1", "c2"]},
        {"session_id": "s2", "contributions": ["c3", "c4"]},
    ]
    codes = {(w["code"], tuple(w["contribution_ids"])) for w in data["warnings"]}
    assert codes == {("over_capacity", ("c1", "c2")), ("presenter_conflict", ("c1", "c3"))}
    assert all("@" not in w["message"] for w in data["warnings"])


def test_previous_placements_are_kept_when_one_more_arrives():
    sessions = [session(f"s{k}", 0, 4, None, 2) for k in range(3)]
    contributions = [item(f"c{k}", presenters=[f"p{k}@example.no"], minute=k) for k in range(4)]
    first = place(sessions, contributions)
    moved = {"c0": "s2", "c1": "s2", "c2": "s1", "c3": "s0"}  # any valid earlier programme
    again = place(sessions, contributions + [item("c9", presenters=["q@example.no"], minute=9)], previous=moved)
    assert {k: again.assignment[k] for k in moved} == moved
    assert again.assignment["c9"] in {"s0", "s1"}
    assert first.placed_count == 4


def test_withdrawn_contribution_leaves_the_rest_in_place():
    sessions = [session("s1", 0, 4, "a", 2), session("s2", 0, 4, "a", 2)]
    contributions = [item(f"c{k}", ["a"], [f"p{k}@example.no"], minute=k) for k in range(4)]
    first = place(sessions, contributions)
    later = place(sessions, contributions[1:], previous=first.assignment)
    assert all(later.assignment[k] == first.assignment[k] for k in later.assignment)


def test_cliques_by_sweep():
    sessions = [session("a", 0, 4), session("b", 2, 6), session("c", 5, 8), session("d", 8, 9)]
    assert maximal_overlap_cliques(sessions) == [(0, 1), (1, 2)]
    assert maximal_overlap_cliques([session("a", 0, 4), session("b", 0, 4), session("c", 1, 2)]) == [(0, 1, 2)]


def test_bad_sessions_are_rejected():
    with pytest.raises(ValueError):
        place([session("s1", 4, 4)], [])
    with pytest.raises(ValueError):
        place([session("s1", 0, 4), session("s1", 4, 8)], [])


def test_empty_inputs():
    assert place([], [item("c1")]).to_dict() == {
        "sessions": [], "unplaced": [{"id": "c1", "reason": "no_free_slot"}], "warnings": []}
    assert place([session("s1", 0, 4)], []).to_dict()["sessions"] == [{"session_id": "s1", "contributions": []}]


# ---------------------------------------------------------------------------------------------
# Mid-sized programmes, too big for brute force: the fast path must agree with the exact model.


def mid_sized(seed, n_items=120, n_sessions=14, formats=False):
    import random

    rng = random.Random(seed)
    themes = ["a", "b", "c", "d"]
    # talks most places, some workshop rooms, a stand area, and sessions that take anything
    takes_formats = [("talk",), ("talk",), ("workshop",), ("stand",), ("talk", "workshop"), None]
    sessions = []
    for k in range(n_sessions):
        start = 4 * (k % 5) + rng.choice([0, 0, 1, 2])
        sessions.append(session(f"s{k:02d}", start, start + rng.choice([3, 4, 6]),
                                rng.choice(themes + [None]), rng.randint(4, 10),
                                rng.choice(takes_formats) if formats else None))
    shared = [f"kollega{k}@kommune.example" for k in range(n_items // 5)]
    contributions = []
    for k in range(n_items):
        presenters = [f"deltaker{k // rng.choice([1, 1, 2, 3])}@example.no"]
        if rng.random() < 0.4:
            presenters.append(rng.choice(shared))
        fixed = rng.choice(sessions).id if rng.random() < 0.05 else None
        form = rng.choice(["talk", "talk", "workshop", "stand"]) if formats else None
        contributions.append(item(f"c{k:03d}", rng.sample(themes, rng.choice([1, 2])), presenters, fixed, minute=k,
                                  form=form))
    return sessions, contributions


@pytest.mark.parametrize("seed,formats", [(seed, False) for seed in range(6)] + [(seed, True) for seed in range(6)])
def test_mid_sized_programmes_score_what_the_exact_model_scores(seed, formats):
    from samling.registration import programme as module

    sessions, contributions = mid_sized(seed, formats=formats)
    result = place(sessions, contributions)
    assignment = check_rules(sessions, contributions, result)
    assert result.optimal
    prep = module._prepare(sessions, contributions)
    exact, proven = module._solve(prep, {}, 30.0)
    assert proven
    assert free_score(sessions, contributions, assignment) == module._score(prep, exact)


def test_a_late_acceptance_moves_nobody_when_there_is_room():
    sessions, contributions = mid_sized(7)
    first = place(sessions, contributions)
    late = item("sent", ["a"], ["ny@example.no"], minute=999)
    again = place(sessions, contributions + [late], previous=first.assignment)
    assert again.optimal
    assert {k: again.assignment[k] for k in first.assignment} == first.assignment


def test_among_equally_good_sessions_a_new_contribution_goes_to_the_earliest():
    # two sessions on the same theme, the later listed first; and a themeless pair
    sessions = [session("mobility-day2", 40, 44, "mobilitet", 4), session("mobility-day1", 4, 8, "mobilitet", 4),
                session("stands-late", 30, 34, None, 4), session("stands-early", 10, 14, None, 4)]
    contributions = [item("a", ["mobilitet"], ("ase@kommune.example",), minute=1),
                     item("b", [], ("bjorn@example.no",), minute=2),
                     item("c", ["mobilitet"], ("cecilie@kommune.example",), minute=3)]
    placed = place(sessions, contributions).to_dict()
    where = {cid: s["session_id"] for s in placed["sessions"] for cid in s["contributions"]}
    # b matches no theme anywhere, so the earliest session with room serves it best too
    assert where == {"a": "mobility-day1", "b": "mobility-day1", "c": "mobility-day1"}
    # a contribution kept from the last programme stays where it was
    again = place(sessions, contributions, previous={"a": "mobility-day2"}).to_dict()
    kept = {cid: s["session_id"] for s in again["sessions"] for cid in s["contributions"]}
    assert kept["a"] == "mobility-day2"


# ---------------------------------------------------------------------------------------------
# Sessions that take only some contribution formats.


def test_a_contribution_goes_only_to_a_session_that_takes_its_format():
    # the talk session is earlier and shares the stand's theme, but takes talks only
    sessions = [session("talks", 0, 4, "mobilitet", 4, ["innlegg"]), session("stands", 8, 12, None, 4, ["stand"]),
                session("open", 16, 20, None, 4)]
    contributions = [item("stand", ["mobilitet"], ["ase@kommune.example"], form="stand"),
                     item("talk", ["mobilitet"], ["bjorn@example.no"], minute=1, form="innlegg"),
                     item("workshop", ["mobilitet"], ["cecilie@kommune.example"], minute=2, form="verksted")]
    result = place(sessions, contributions)
    assert result.optimal
    assert result.assignment == {"stand": "stands", "talk": "talks", "workshop": "open"}
    assert result.theme_matches == 1
    greedy = greedy_place(sessions, contributions)
    assert greedy.assignment == result.assignment


def test_a_format_no_session_takes_is_unplaced_with_its_own_reason():
    sessions = [session("talks", 0, 4, None, 4, ["innlegg"]), session("opening", 0, 4, None, 0)]
    contributions = [item("stand", form="stand"), item("talk", ["x"], ["bjorn@example.no"], minute=1, form="innlegg")]
    result = place(sessions, contributions)
    assert result.assignment == {"talk": "talks"}
    assert result.to_dict()["unplaced"] == [{"id": "stand", "reason": "no_session_for_format"}]
    messages = {lang: result.to_dict(lang)["unplaced"][0]["message"] for lang in ("nb", "nn", "en")}
    assert "form" in messages["nb"] and "forma" in messages["nn"] and "format" in messages["en"]
    assert len(set(messages.values())) == 3
    assert greedy_place(sessions, contributions).to_dict()["unplaced"] == result.to_dict()["unplaced"]


def test_a_full_stand_area_means_no_free_slot_even_with_talk_slots_left():
    sessions = [session("talks", 0, 4, None, 4, ["innlegg"]), session("stands", 8, 12, None, 1, ["stand"])]
    contributions = [item("first", form="stand"), item("second", presenters=["bjorn@example.no"], minute=1, form="stand")]
    result = place(sessions, contributions)
    assert result.assignment == {"first": "stands"}
    assert result.to_dict()["unplaced"] == [{"id": "second", "reason": "no_free_slot"}]


def test_fixed_placements_stay_whatever_the_format_and_previous_ones_move_when_no_longer_taken():
    sessions = [session("talks", 0, 4, None, 2, ["innlegg"]), session("stands", 8, 12, None, 2, ["stand"])]
    contributions = [item("fixed", form="stand", fixed="talks"),
                     item("moved", presenters=["bjorn@example.no"], minute=1, form="stand")]
    result = place(sessions, contributions, previous={"moved": "talks"})
    assert result.optimal
    assert result.assignment == {"fixed": "talks", "moved": "stands"}
    assert result.warnings == ()
