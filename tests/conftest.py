"""Shared fixtures. The whole platform (moto, the four apps, queues, scheduler) starts once per
test session on a free loopback port; tests create their own events so they do not interfere."""
from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("SAMLING_ORGANISER_TOKEN", "test-organiser-token")


@pytest.fixture(scope="session")
def platform() -> Iterator["object"]:
    from samling.local.platform import LocalPlatform

    p = LocalPlatform(port=0, background=False)
    p.start()
    yield p
    p.stop()


class Api:
    """A small HTTP client for the platform, with the organiser's token at hand."""

    def __init__(self, base: str, token: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()
        self.organiser = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str):
        if method not in ("get", "post", "put", "patch", "delete"):
            raise AttributeError(method)

        def call(path: str, organiser: bool = False, **kwargs):
            headers = {**(self.organiser if organiser else {}), **kwargs.pop("headers", {})}
            return self.http.request(method.upper(), self.base + path, headers=headers, timeout=60, **kwargs)

        return call

    def drain(self) -> dict:
        return self.post("/_local/drain").json()

    def outbox(self, to: str | None = None) -> list[dict]:
        mails = self.get("/_local/outbox").json()
        return [m for m in mails if to is None or m["to"] == to]

    def clock(self, instant: str | None) -> None:
        if instant is None:
            self.delete("/_local/clock")
        else:
            assert self.post("/_local/clock", json={"now": instant}).status_code == 200


@pytest.fixture
def api(platform) -> Iterator[Api]:
    client = Api(platform.url, platform.organiser_token)
    yield client
    client.clock(None)


_ids = itertools.count(1)


@pytest.fixture
def new_event(api):
    """Create a fresh copy of a seed event under a new id: ``new_event("klimakronsj-2021", **changes)``."""

    def make(seed: str, **changes):
        event = copy.deepcopy(api.get(f"/registration/events/{seed}").json())
        # the public view hides links and leaders' emails; the seeds' full files have them
        from pathlib import Path

        import yaml

        root = Path(__file__).resolve().parents[1]
        full = yaml.safe_load((root / "events" / f"{seed}.yaml").read_text(encoding="utf-8"))
        from samling.registration.model import Event

        event = Event.model_validate(full).model_dump(mode="json")
        event["id"] = f"{seed}-t{next(_ids)}-{os.getpid()}"
        for dotted, value in changes.items():
            target = event
            *path, leaf = dotted.split("__")
            for key in path:
                target = target[key]
            target[leaf] = value
        r = api.put(f"/registration/events/{event['id']}", organiser=True, json=event)
        assert r.status_code == 201, r.text
        return event

    return make
