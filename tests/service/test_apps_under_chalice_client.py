"""The same handler code under ``chalice.test.Client`` on moto, without the local gateway."""
from __future__ import annotations

import json


def test_health_routes_answer_under_the_chalice_test_client(platform):
    from chalice.test import Client

    for name, service in platform.services.items():
        with Client(service.app) as client:
            r = client.http.get("/health")
            assert r.status_code == 200
            assert json.loads(r.body) == {"ok": True, "service": name}


def test_registration_lists_events_under_the_chalice_test_client(platform):
    from chalice.test import Client

    with Client(platform.services["registration"].app) as client:
        r = client.http.get("/events")
        assert r.status_code == 200
        assert "klimakronsj-2021" in {e["id"] for e in json.loads(r.body)}


def test_organiser_routes_refuse_a_missing_token(platform):
    from chalice.test import Client

    # The client runs the route's authorizer as API Gateway does, so the refusal is API Gateway's
    # own; the gateway in front (the local one, or gateway responses on AWS) gives the contract's
    # body, and tests/service/test_organiser_auth.py checks the view's own refusal.
    with Client(platform.services["registration"].app) as client:
        r = client.http.put("/events/x", body=b"{}", headers={"Content-Type": "application/json"})
        assert r.status_code == 401
        assert json.loads(r.body) == {"message": "Unauthorized"}
