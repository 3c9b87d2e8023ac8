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
