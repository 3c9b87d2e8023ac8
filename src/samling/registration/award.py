"""An award with a jury: nominations, score sheets and a ranking that never hides a tie.

    >>> criteria = [Criterion("overforbar", 2), Criterion("effekt", 1)]
    >>> weighted_mean({"overforbar": 5, "effekt": 2}, criteria)
    4.0
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from samling.registration.contributions import (
    SUMMARY_MAX,
    TITLE_MAX,
    ContributionFieldErrors,
    MunicipalityCheck,
    clean_municipality,
    clean_person,
    clean_text,
    normalise_email,
)
from samling.registration.gp_messages import text

SCORE_LOW, SCORE_HIGH = 1, 5
REASON_MAX = 3000
COMMENT_MAX = 3000
DESCRIPTION_MAX = SUMMARY_MAX
NOMINATION_STATUS = "nominated"
# Scores are compared at this many decimals, so that 11/3 from one route and 3.6666…7 from
# another are the same score and hence a tie.
SCORE_DECIMALS = 6

# Norwegian alphabetical order for ties: æ, ø, å come after z, in that order.
_NORWEGIAN = str.maketrans({"æ": "\ue000", "ä": "\ue000", "ø": "\ue001", "ö": "\ue001", "å": "\ue002"})


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float


@dataclass(frozen=True)
class ScoreSheet:
    juror_email: str
    nomination_id: str
    scores: Mapping[str, int]


class AwardFieldErrors(ContributionFieldErrors):
    """Per-field messages for nominations and score sheets (→ 422 validation_error)."""


def weighted_mean(scores: Mapping[str, int], criteria: Sequence[Criterion]) -> float:
    """Σ weight·score / Σ weight over `criteria`; a missing criterion is a KeyError."""
    total_weight = sum(c.weight for c in criteria)
    if total_weight <= 0:
        raise ValueError("criteria need a positive total weight")
    return sum(c.weight * scores[c.id] for c in criteria) / total_weight


def _whole_score(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        return None
    return number if SCORE_LOW <= number <= SCORE_HIGH else None


def validate_scores(payload: object, criteria: Sequence[Criterion], lang: str) -> dict:
    """A juror's `{"scores": {criterion id: 1–5}, "comment"}` → cleaned, or AwardFieldErrors.

    Every criterion must be scored; unknown ids are rejected. Fields are named
    `scores.<criterion id>`, or `scores` / `comment` / `body` for the whole.
    """
    if not isinstance(payload, Mapping):
        raise AwardFieldErrors({"body": text("body_not_object", lang)})
    errors: dict[str, str] = {}
    scores = payload.get("scores")
    cleaned: dict[str, int] = {}
    if not isinstance(scores, Mapping):
        errors["scores"] = text("scores_not_object", lang)
    else:
        known = {c.id for c in criteria}
        for c in criteria:
            if c.id not in scores or scores[c.id] is None:
                errors[f"scores.{c.id}"] = text("score_required", lang)
                continue
            number = _whole_score(scores[c.id])
            if number is None:
                errors[f"scores.{c.id}"] = text("score_range", lang, low=SCORE_LOW, high=SCORE_HIGH)
            else:
                cleaned[c.id] = number
        for key in scores:
            if key not in known:
                errors[f"scores.{key}"] = text("score_unknown_criterion", lang)
    comment, error = clean_text(payload.get("comment"), max_len=COMMENT_MAX, lang=lang, required=False)
    if error:
        errors["comment"] = error
    if errors:
        raise AwardFieldErrors(errors)
    return {"scores": cleaned, "comment": comment}


def _title_key(title: str) -> str:
    return title.casefold().translate(_NORWEGIAN)


def results(
    nominations: Sequence[tuple[str, str]],
    sheets: Sequence[ScoreSheet],
    criteria: Sequence[Criterion],
    jury_emails: Collection[str],
) -> dict:
    """The organiser's view of the jury's work.

    Only sheets from jury members (emails compared case-insensitively) for known nominations
    count; a later sheet from the same juror for the same nomination replaces an earlier one; a
    sheet lacking a criterion (the criteria changed after it was filled in) does not count, so
    that juror shows up as missing. A nomination's score is the mean over the jurors who scored it
    of their weighted mean, rounded to SCORE_DECIMALS. Highest first; equal scores are all
    `tied: true` and share a `rank` (1, 2, 2, 4), ordered by title then id; unscored
    nominations have `score: null`, `rank: null` and come last.
    """
    jurors: dict[str, str] = {}
    for email in jury_emails:
        jurors.setdefault(normalise_email(email), email.strip())
    titles = dict(nominations)
    latest: dict[tuple[str, str], Mapping[str, int]] = {}
    for sheet in sheets:
        juror = normalise_email(sheet.juror_email)
        if juror in jurors and sheet.nomination_id in titles:
            latest[(juror, sheet.nomination_id)] = sheet.scores
    per_nomination: dict[str, list[float]] = {nid: [] for nid in titles}
    done: dict[str, set[str]] = {j: set() for j in jurors}
    for (juror, nid), scores in latest.items():
        if all(c.id in scores for c in criteria):
            per_nomination[nid].append(weighted_mean(scores, criteria))
            done[juror].add(nid)

    rows = []
    for nid, title in nominations:
        means = per_nomination[nid]
        score = round(sum(means) / len(means), SCORE_DECIMALS) if means else None
        rows.append({"nomination_id": nid, "title": title, "score": score, "jurors_scored": len(means)})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0.0), _title_key(r["title"]), r["nomination_id"]))
    counts: dict[float, int] = {}
    for r in rows:
        if r["score"] is not None:
            counts[r["score"]] = counts.get(r["score"], 0) + 1
    rank = 0
    previous = None
    for position, r in enumerate(rows, start=1):
        if r["score"] is None:
            r["tied"], r["rank"] = False, None
            continue
        if r["score"] != previous:
            rank, previous = position, r["score"]
        r["tied"] = counts[r["score"]] > 1
        r["rank"] = rank
    missing = sorted(
        (jurors[j] for j in jurors if not set(titles) <= done[j]), key=lambda e: normalise_email(e)
    )
    return {"ranking": rows, "jurors_missing": missing}


def nomination_key(contribution_id: str, nominator_email: str) -> str:
    """Stable key for "the same nominator nominating the same contribution again" (→ 200, same id).

    A digest, so the key itself carries no email address.
    """
    raw = f"{contribution_id}\n{normalise_email(nominator_email)}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def validate_nomination(
    payload: object, lang: str, *, check_municipality: MunicipalityCheck | None = None
) -> dict:
    """`{"contribution_id" | "nominee", "nominator", "reason"}` → cleaned, or AwardFieldErrors.

    Exactly one of `contribution_id` and `nominee` (the HTTP layer checks the contribution exists
    in the event). `nominee`: title required (≤ TITLE_MAX), municipality four digits or null,
    description optional (≤ DESCRIPTION_MAX). Nested fields are named `nominee.title`,
    `nominator.email` and so on.
    """
    if not isinstance(payload, Mapping):
        raise AwardFieldErrors({"body": text("body_not_object", lang)})
    errors: dict[str, str] = {}
    contribution_id = payload.get("contribution_id")
    nominee = payload.get("nominee")
    if contribution_id is not None and (not isinstance(contribution_id, str) or not contribution_id.strip()):
        errors["contribution_id"] = text("not_text", lang)
        contribution_id = None
    has_contribution = isinstance(contribution_id, str)
    if nominee is not None and not has_contribution and not isinstance(nominee, Mapping):
        errors["nominee"] = text("not_object", lang)
    elif has_contribution and nominee is not None:
        errors["contribution_id"] = text("nomination_both", lang)
    elif not has_contribution and nominee is None and "contribution_id" not in errors:
        errors["contribution_id"] = text("nomination_neither", lang)

    cleaned_nominee = None
    if isinstance(nominee, Mapping) and not has_contribution:
        title, error = clean_text(nominee.get("title"), max_len=TITLE_MAX, lang=lang)
        if error:
            errors["nominee.title"] = error
        municipality, error = clean_municipality(nominee.get("municipality"), lang=lang, check=check_municipality)
        if error:
            errors["nominee.municipality"] = error
        description, error = clean_text(
            nominee.get("description"), max_len=DESCRIPTION_MAX, lang=lang, required=False
        )
        if error:
            errors["nominee.description"] = error
        cleaned_nominee = {"title": title, "municipality": municipality, "description": description}

    nominator, problems = clean_person(payload.get("nominator"), lang)
    if "" in problems:
        errors["nominator"] = problems[""]
    for key, message in problems.items():
        if key:
            errors[f"nominator.{key}"] = message
    reason, error = clean_text(payload.get("reason"), max_len=REASON_MAX, lang=lang)
    if error:
        errors["reason"] = error
    if errors:
        raise AwardFieldErrors(errors)
    return {
        "contribution_id": contribution_id.strip() if has_contribution else None,
        "nominee": cleaned_nominee,
        "nominator": nominator,
        "reason": reason,
    }


__all__ = [
    "AwardFieldErrors", "Criterion", "NOMINATION_STATUS", "ScoreSheet", "nomination_key",
    "results", "validate_nomination", "validate_scores", "weighted_mean",
]
