"""Organiser authorisation: only the token's hash is stored (in SSM), and every organiser route
refuses a missing or wrong bearer token with 401 in the contract's error shape."""
from __future__ import annotations

import json
import re

import pytest

from samling.platform import auth, aws
from samling.platform.ids import hash_token

SAMPLE = {"event_id": "klimakronsj-2021"}  # any other path parameter gets a made-up id


def organiser_routes(platform):
    """Every route of every app that runs the organiser check, found from the apps themselves."""
    found = []
    for name, service in platform.services.items():
        for path, methods in service.app.routes.items():
            for method, entry in methods.items():
                if getattr(entry.view_function, "organiser", False):
                    found.append((name, method, path))
    return found


def test_only_a_hash_of_the_token_is_kept_in_ssm(platform):
    import os

    name = os.environ["SAMLING_ORGANISER_TOKEN_PARAMETER"]
    stored = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString"
    assert stored["Value"] == hash_token(platform.organiser_token)
    assert platform.organiser_token not in stored["Value"]


def test_bearer_parsing_and_matching(platform):
    assert auth.is_organiser(f"Bearer {platform.organiser_token}")
    assert auth.is_organiser(f"bearer {platform.organiser_token}")
    for header in (None, "", "Bearer", f"Basic {platform.organiser_token}", "Bearer wrong",
                   f"Bearer {platform.organiser_token}x", platform.organiser_token):
        assert not auth.is_organiser(header)


def test_there_are_organiser_routes_in_every_service(platform):
    services = {name for name, _, _ in organiser_routes(platform)}
    assert services == {"registration", "notifications", "certificates", "matching"}


@pytest.mark.parametrize("header", [None, "Bearer not-the-token", "Basic abc"])
def test_every_organiser_route_refuses_a_missing_or_wrong_token(platform, header):
    import requests

    routes = organiser_routes(platform)
    assert len(routes) >= 15
    for service, method, path in routes:
        url = platform.url + f"/{service}" + re.sub(
            r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "no-such-" + m.group(1)), path)
        headers = {"Content-Type": "application/json", **({"Authorization": header} if header else {})}
        r = requests.request(method, url, data=b"{}", headers=headers, timeout=30)
        assert r.status_code == 401, (method, url, r.status_code, r.text)
        assert r.json()["error"]["code"] == "unauthorized"


# --- the authorizer: API Gateway turns bad tokens away before the function runs ----------------
PUBLIC = [("registration", "GET", "/health"), ("registration", "GET", "/events/{event_id}"),
          ("registration", "POST", "/events/{event_id}/applications"),
          ("registration", "GET", "/events/{event_id}/programme"),
          ("registration", "POST", "/applications/{app_id}/contributions"),
          ("certificates", "GET", "/verify/{code}"), ("certificates", "GET", "/certificates/{file_name}"),
          ("notifications", "GET", "/health"), ("matching", "GET", "/health")]


def _path(path: str, unique: str = "") -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), f"no-such-{m.group(1)}{unique}"), path)


def test_each_app_has_one_authorizer_on_exactly_its_organiser_routes(platform):
    for name, service in platform.services.items():
        app = service.app
        assert [a.name for a in app.builtin_auth_handlers] == ["organiser"], name
        config = app.builtin_auth_handlers[0]
        # the Lambda handler chalice packages must resolve in the app module ("app" on AWS)
        module_name, _, attribute = config.handler_string.partition(".")
        assert module_name == "app", config.handler_string
        authorizer = getattr(service.module, attribute)
        assert authorizer.config is config and config.ttl_seconds and config.header == "Authorization"
        guarded = 0
        for path, methods in app.routes.items():
            for method, entry in methods.items():
                organiser = getattr(entry.view_function, "organiser", False)
                assert (entry.authorizer is authorizer) == organiser, (name, method, path)
                if not organiser:
                    assert entry.authorizer is None, (name, method, path)
                guarded += organiser
        assert guarded >= 2, name
    for name, method, path in PUBLIC:
        assert platform.services[name].app.routes[path][method].authorizer is None, (name, method, path)
    # the blueprint's organiser routes share the registration app's authorizer
    routes = platform.services["registration"].app.routes
    assert routes["/contributions/{cid}/decision"]["PUT"].authorizer is routes["/events/{event_id}"]["PUT"].authorizer


def test_the_gateway_refuses_at_the_authorizer_before_any_view_runs(platform):
    from chalice.local import ForbiddenError, NotAuthorizedError

    for service, method, path in organiser_routes(platform):
        gateway = platform.gateway.services[service].gateway
        for headers, refusal in (({}, NotAuthorizedError),
                                 ({"authorization": "Bearer not-the-token"}, ForbiddenError),
                                 ({"authorization": "Basic abc"}, ForbiddenError)):
            with pytest.raises(refusal) as caught:
                gateway.handle_request(method=method, path=_path(path),
                                       headers={"content-type": "application/json", **headers}, body=b"{}")
            if refusal is ForbiddenError:
                assert caught.value.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_over_http_it_is_the_authorizer_that_refuses(platform, monkeypatch):
    """With an authorizer that denies everyone, even the right token gets the contract's 401,
    so the HTTP path really runs it (the view's own check would have let the token in)."""
    import requests

    from samling.platform import edge

    monkeypatch.setattr(edge, "organiser_policy", lambda request: {
        "principalId": "nobody", "context": {},
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [request.method_arn]}]}})
    r = requests.get(platform.url + "/registration/events/klimakronsj-2021/applications",
                     headers={"Authorization": f"Bearer {platform.organiser_token}", "Accept-Language": "en"},
                     timeout=30)
    assert r.status_code == 401, r.text
    assert r.json() == {"error": {"code": "unauthorized", "message": "You must sign in as an organiser to do this."}}


def test_the_right_token_passes_the_authorizer_on_every_organiser_route(platform):
    import uuid

    import requests

    unique = uuid.uuid4().hex[:8]  # ids nothing has, so no route finds anything to change
    for service, method, path in organiser_routes(platform):
        r = requests.request(method, platform.url + f"/{service}" + _path(path, unique).replace(
            "klimakronsj-2021", f"no-such-event-{unique}"), data=b"{}", timeout=30,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {platform.organiser_token}"})
        assert r.status_code not in (401, 403), (method, path, r.status_code, r.text)


def test_authorizer_policy_allows_the_whole_api_or_denies_it(platform):
    from chalice.app import AuthRequest

    from samling.platform.edge import organiser_policy

    arn = "arn:aws:execute-api:eu-north-1:123456789012:abcdef1234/api/GET/events/e1/applications"
    allowed = organiser_policy(AuthRequest("TOKEN", f"Bearer {platform.organiser_token}", arn))
    assert allowed["principalId"] == "organiser"
    [statement] = allowed["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == ["arn:aws:execute-api:eu-north-1:123456789012:abcdef1234/api/*/*"]
    for token in ("Bearer wrong", "", platform.organiser_token, f"Basic {platform.organiser_token}"):
        denied = organiser_policy(AuthRequest("TOKEN", token, arn))
        assert denied["principalId"] != "organiser"
        assert [s["Effect"] for s in denied["policyDocument"]["Statement"]] == ["Deny"]
        assert denied["policyDocument"]["Statement"][0]["Resource"] == statement["Resource"]


def test_no_route_with_a_token_is_still_not_found(platform):
    import requests

    for header in ("Bearer not-the-token", f"Bearer {platform.organiser_token}", None):
        r = requests.get(platform.url + "/registration/no-such-route/at-all", timeout=30,
                         headers={"Authorization": header} if header else {})
        assert r.status_code == 404, (header, r.text)
        assert r.json()["error"]["code"] == "not_found"


def test_the_view_refuses_a_bad_token_even_if_the_authorizer_let_it_through(platform, monkeypatch):
    """Defence in depth: with an authorizer that admits everyone, each organiser route's own check
    still answers 401 in the contract's shape."""
    from chalice.app import AuthResponse
    from chalice.test import Client

    from samling.platform import edge

    monkeypatch.setattr(edge, "organiser_policy", lambda request: AuthResponse(
        routes=["*"], principal_id="anyone").to_dict(request))
    for service, method, path in organiser_routes(platform):
        with Client(platform.services[service].app) as client:
            r = client.http.request(method, _path(path), body=b"{}", headers={
                "Content-Type": "application/json", "Authorization": "Bearer not-the-token"})
        assert r.status_code == 401, (service, method, path, r.body)
        assert json.loads(r.body)["error"]["code"] == "unauthorized"
