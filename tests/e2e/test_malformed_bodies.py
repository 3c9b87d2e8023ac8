"""No body, however broken, gets a 500: thirty malformed bodies against every route of the
Applications section that reads one."""
from __future__ import annotations

import json
import uuid

import pytest

OPEN = "2021-06-01T12:00:00+02:00"


def valid_application() -> dict:
    return {"name": "Ingrid Ås", "email": f"mal.{uuid.uuid4().hex[:10]}@kommune.example",
            "organisation_type": "kommune", "municipality": "1508", "role": "radgiver",
            "sector": "plan", "experience": "noe", "motivation": "Lære.", "language": "nb", "consent": True}


def as_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("whitespace", b"   \n "),
    ("null", b"null"),
    ("empty array", b"[]"),
    ("array of applications", as_json([valid_application(), valid_application()])),
    ("string", b'"hello"'),
    ("number", b"42"),
    ("boolean", b"true"),
    ("truncated", b'{"name": "Kari", "email":'),
    ("single quotes", b"{'name': 'Kari'}"),
    ("invalid utf-8", b'{"name": "\xff\xfe\xfa", "email": "x@kommune.example"}'),
    ("latin-1 text", '{"name": "Bjørg Ødegård"}'.encode("latin-1")),
    ("byte order mark", b'\xef\xbb\xbf{"name": "Kari"}'),
    ("form encoding", b"name=Kari&email=kari%40kommune.example"),
    ("all nulls", as_json({k: None for k in valid_application()} | {"score": None, "accept": None})),
    ("wrong types", as_json({"name": 123, "email": ["a@b.no"], "consent": "true", "municipality": 1508,
                              "sessions": "s1", "interests": "mobilitet", "score": [3], "accept": 1,
                              "registration": "open", "languages": "nb"})),
    ("numbers as strings", as_json({**valid_application(), "municipality": "15O8", "score": "3",
                                     "accept": "true", "capacity": "50"})),
    ("nested objects", as_json({"name": {"first": "Kari"}, "email": {"address": "k@kommune.example"},
                                "score": {"value": 3}, "accept": {"yes": True}, "title": {"nb": {"x": 1}}})),
    ("deep nesting", b"[" * 5000 + b"]" * 5000),
    ("deep object", b'{"a":' * 3000 + b"1" + b"}" * 3000),
    ("huge string", as_json({**valid_application(), "name": "Å" * 30000, "note": "x" * 60000})),
    ("huge integer", b'{"score": 1' + b"0" * 5000 + b', "accept": 1' + b"0" * 5000 + b"}"),
    ("not a number", b'{"score": NaN, "accept": NaN, "capacity": NaN}'),
    ("infinity", b'{"score": Infinity, "registration": {"capacity": -Infinity}}'),
    ("html and script", as_json({**valid_application(), "name": "<script>alert(1)</script>",
                                 "consent": "<script>", "motivation": "<img src=x onerror=alert(1)>",
                                 "note": "<b>x</b>", "score": "<script>", "accept": "<b>yes</b>",
                                 "title": "<script>alert(1)</script>"})),
    ("control characters", as_json({**valid_application(), "name": "Kari\u0000\u0007", "note": "\u0000",
                                     "score": 3})),
    ("lone surrogate", b'{"name": "Kari \\ud800", "note": "\\udfff", "score": 3, "title": {"nb": "\\ud800"},'
                       b' "organiser": "\\ud800"}'),
    ("many keys", as_json({f"k{i}": i for i in range(3000)})),
    ("duplicate keys", b'{"name": "A", "name": {"x": 1}, "score": 3, "score": "five"}'),
    ("negative and fractional", as_json({**valid_application(), "score": -2.5, "accept": 0.5,
                                          "interests": [1, None, {"a": 1}], "accommodation": "yes"})),
]
assert len(BODIES) == 30


@pytest.fixture(scope="module")
def targets(platform):
    """One event and one application to aim the bodies at; made once, since no body may change them."""
    from tests.conftest import Api  # noqa: PLC0415 - the shared client, not a fixture here

    api = Api(platform.url, platform.organiser_token)
    import yaml

    from samling.registration.model import Event

    full = yaml.safe_load(open("events/klimakronsj-2021.yaml", encoding="utf-8"))
    event = Event.model_validate(full).model_dump(mode="json")
    event["id"] = f"malformed-{uuid.uuid4().hex[:8]}"
    assert api.put(f"/registration/events/{event['id']}", organiser=True, json=event).status_code == 201
    api.clock(OPEN)
    made = api.post(f"/registration/events/{event['id']}/applications", json=valid_application()).json()
    api.clock(None)
    return event, made


def routes(event: dict, app: dict) -> list[tuple[str, str, dict]]:
    e, a, token = event["id"], app["id"], {"X-Application-Token": app["token"]}
    return [("POST", f"/registration/events/{e}/applications", {}),
            ("PATCH", f"/registration/applications/{a}", token),
            ("PUT", f"/registration/applications/{a}/review", {"organiser": True}),
            ("POST", f"/registration/applications/{a}/offer", token),
            ("PUT", f"/registration/events/{e}", {"organiser": True})]


@pytest.mark.parametrize("label, body", BODIES, ids=[label for label, _ in BODIES])
def test_malformed_body_is_a_4xx_never_a_5xx(api, targets, label, body):
    event, app = targets
    api.clock(OPEN)
    for method, path, extra in routes(event, app):
        extra = dict(extra)
        organiser = extra.pop("organiser", False)
        r = getattr(api, method.lower())(path, organiser=organiser, data=body,
                                         headers={"Content-Type": "application/json", **extra})
        assert 400 <= r.status_code < 500, (label, method, path, r.status_code, r.text[:300])
        error = r.json()["error"]
        assert error["code"] and error["message"], (label, method, path)
    # nothing broke: the application is still there, unchanged in its essentials
    own = api.get(f"/registration/applications/{app['id']}", params={"token": app["token"]})
    assert own.status_code == 200 and own.json()["name"] == "Ingrid Ås"
    assert api.get(f"/registration/events/{event['id']}").status_code == 200
