import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samling.registration.award import (
    AwardFieldErrors,
    Criterion,
    ScoreSheet,
    nomination_key,
    results,
    validate_nomination,
    validate_scores,
    weighted_mean,
)
from samling.registration.contributions import ContributionFieldErrors

CRITERIA = [Criterion("overforbar", 2), Criterion("effekt", 1)]
JURY = ["Jury.En@kommune.example", "jury.to@example.no"]


def test_weighted_mean():
    assert weighted_mean({"overforbar": 5, "effekt": 2}, CRITERIA) == 4.0
    assert weighted_mean({"overforbar": 1, "effekt": 4}, CRITERIA) == 2.0
    assert weighted_mean({"a": 3}, [Criterion("a", 0.5)]) == 3.0
    with pytest.raises(KeyError):
        weighted_mean({"overforbar": 5}, CRITERIA)
    with pytest.raises(ValueError):
        weighted_mean({"a": 3}, [Criterion("a", 0)])


def scores_errors(payload, lang="nb"):
    with pytest.raises(AwardFieldErrors) as caught:
        validate_scores(payload, CRITERIA, lang)
    assert isinstance(caught.value, ContributionFieldErrors)
    return caught.value.fields


def test_valid_scores():
    assert validate_scores({"scores": {"overforbar": 5, "effekt": 1.0}, "comment": " Fint "}, CRITERIA, "nb") == {
        "scores": {"overforbar": 5, "effekt": 1}, "comment": "Fint"}


def test_scores_rules():
    assert set(scores_errors({"scores": {"overforbar": 5}})) == {"scores.effekt"}
    assert set(scores_errors({"scores": {"overforbar": 0, "effekt": 6}})) == {"scores.overforbar", "scores.effekt"}
    assert set(scores_errors({"scores": {"overforbar": True, "effekt": 2.5}})) == {"scores.overforbar", "scores.effekt"}
    assert set(scores_errors({"scores": {"overforbar": "5", "effekt": 3}})) == {"scores.overforbar"}
    assert set(scores_errors({"scores": {"overforbar": 5, "effekt": 3, "pris": 4}})) == {"scores.pris"}
    assert set(scores_errors({"scores": [5, 3]})) == {"scores"}
    assert set(scores_errors({})) == {"scores"}
    assert set(scores_errors("5")) == {"body"}
    assert "1" in scores_errors({"scores": {"overforbar": 9, "effekt": 3}}, "en")["scores.overforbar"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"scores": json_values, "comment": json_values})))
def test_any_score_payload_gives_field_errors(payload):
    try:
        validate_scores(payload, CRITERIA, "nn")
    except AwardFieldErrors as exc:
        assert exc.fields


def sheet(juror, nid, o, e):
    return ScoreSheet(juror, nid, {"overforbar": o, "effekt": e})


NOMINATIONS = [("n1", "Sykkelbyen"), ("n2", "Ørsta-modellen"), ("n3", "Åpne innkjøp"), ("n4", "Ingen har sett")]


def test_results_mean_of_weighted_means_and_missing_jurors():
    sheets = [
        sheet("jury.en@kommune.example", "n1", 5, 2),  # 4.0
        sheet("JURY.TO@example.no", "n1", 3, 3),  # 3.0
        sheet("jury.en@kommune.example", "n2", 4, 1),  # 3.0
        sheet("jury.en@kommune.example", "n3", 2, 2),  # 2.0 … replaced below
        sheet("jury.en@kommune.example", "n3", 5, 5),  # 5.0
        sheet("not.jury@example.no", "n2", 1, 1),  # ignored
    ]
    out = results(NOMINATIONS, sheets, CRITERIA, JURY)
    ranking = out["ranking"]
    assert [r["nomination_id"] for r in ranking] == ["n3", "n1", "n2", "n4"]
    assert [r["score"] for r in ranking] == [5.0, 3.5, 3.0, None]
    assert [r["jurors_scored"] for r in ranking] == [1, 2, 1, 0]
    assert [r["tied"] for r in ranking] == [False, False, False, False]
    assert ranking[0]["title"] == "Åpne innkjøp"
    assert out["jurors_missing"] == ["Jury.En@kommune.example", "jury.to@example.no"]


def test_ties_are_marked_and_ordered_by_norwegian_title():
    sheets = [sheet("jury.en@kommune.example", nid, 4, 1) for nid in ("n1", "n2", "n3")]  # all 3.0
    sheets.append(sheet("jury.en@kommune.example", "n4", 1, 1))
    out = results(NOMINATIONS, sheets, CRITERIA, ["jury.en@kommune.example"])
    assert [r["nomination_id"] for r in out["ranking"]] == ["n1", "n2", "n3", "n4"]  # S < Ø < Å
    assert [r["tied"] for r in out["ranking"]] == [True, True, True, False]
    assert [r["rank"] for r in out["ranking"]] == [1, 1, 1, 4]
    assert out["jurors_missing"] == []


def test_ties_compare_at_six_decimals():
    thirds = [Criterion("a", 1), Criterion("b", 1), Criterion("c", 1)]
    sheets = [
        ScoreSheet("j@example.no", "n1", {"a": 4, "b": 4, "c": 3}),  # 11/3
        ScoreSheet("j@example.no", "n2", {"a": 5, "b": 3, "c": 3}),  # 11/3 again
        ScoreSheet("k@example.no", "n3", {"a": 4, "b": 4, "c": 3}),
        ScoreSheet("k@example.no", "n3", {"a": 4, "b": 4, "c": 4}),  # later sheet replaces: 4.0
    ]
    out = results([("n1", "A"), ("n2", "B"), ("n3", "C")], sheets, thirds, ["j@example.no", "k@example.no"])
    assert [(r["nomination_id"], r["score"], r["tied"]) for r in out["ranking"]] == [
        ("n3", 4.0, False), ("n1", 3.666667, True), ("n2", 3.666667, True)]
    assert out["jurors_missing"] == ["j@example.no", "k@example.no"]


def test_sheet_missing_a_new_criterion_does_not_count():
    more = CRITERIA + [Criterion("kostnad", 1)]
    out = results([("n1", "A")], [sheet("j@example.no", "n1", 5, 5)], more, ["j@example.no"])
    assert out["ranking"][0]["score"] is None and out["jurors_missing"] == ["j@example.no"]


def test_nomination_key_same_nominator_same_contribution():
    assert nomination_key("c1", "Kari@Kommune.example ") == nomination_key("c1", "kari@kommune.example")
    assert nomination_key("c1", "kari@kommune.example") != nomination_key("c2", "kari@kommune.example")
    assert nomination_key("c1", "kari@kommune.example") != nomination_key("c1", "ola@kommune.example")
    assert "@" not in nomination_key("c1", "kari@kommune.example")


NOMINATOR = {"name": "Åse Øvrebø-Ærlandsen", "email": "ase@kommune.example"}


def nomination_errors(payload, lang="nb"):
    with pytest.raises(AwardFieldErrors) as caught:
        validate_nomination(payload, lang)
    return caught.value.fields


def test_valid_nominations():
    by_contribution = validate_nomination({"contribution_id": "c1", "nominee": None, "nominator": NOMINATOR,
                                           "reason": "Lett å ta etter."}, "nb")
    assert by_contribution == {"contribution_id": "c1", "nominee": None, "nominator": NOMINATOR,
                               "reason": "Lett å ta etter."}
    by_nominee = validate_nomination({"nominee": {"title": "Matsvinnprosjektet", "municipality": "4204"},
                                      "nominator": NOMINATOR, "reason": "Halverte matsvinnet."}, "nn")
    assert by_nominee["nominee"] == {"title": "Matsvinnprosjektet", "municipality": "4204", "description": None}
    assert by_nominee["contribution_id"] is None


def test_nomination_rules():
    both = {"contribution_id": "c1", "nominee": {"title": "X"}, "nominator": NOMINATOR, "reason": "r"}
    assert set(nomination_errors(both)) == {"contribution_id"}
    neither = {"nominator": NOMINATOR, "reason": "r"}
    assert set(nomination_errors(neither)) == {"contribution_id"}
    bad = {"nominee": {"title": "", "municipality": "42", "description": "x" * 3001},
           "nominator": {"name": "", "email": "nei"}, "reason": "x" * 3001}
    assert set(nomination_errors(bad)) == {"nominee.title", "nominee.municipality", "nominee.description",
                                           "nominator.name", "nominator.email", "reason"}
    ok_reason = {"contribution_id": "c1", "nominator": NOMINATOR, "reason": "ø" * 3000}
    assert validate_nomination(ok_reason, "en")["reason"] == "ø" * 3000
    assert set(nomination_errors({"contribution_id": 7, "nominator": "x", "reason": None})) == {
        "contribution_id", "nominator", "reason"}
    assert set(nomination_errors([])) == {"body"}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["contribution_id", "nominee", "nominator", "reason", "x"]), json_values))
def test_any_nomination_payload_gives_field_errors(payload):
    try:
        validate_nomination(payload, "en")
    except AwardFieldErrors as exc:
        assert exc.fields and all(isinstance(v, str) for v in exc.fields.values())
