"""The whole of Samling on one machine: embedded AWS, the four apps behind one port, queue
pumps, the scheduler and the ``/_local`` routes.

>>> with LocalPlatform(port=0) as p:      # doctest: +SKIP
...     requests.get(p.url + "/registration/events").json()
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from samling.local.aws import EmbeddedAws, free_port
from samling.local.gateway import Gateway
from samling.local.pump import LambdaContext, QueuePump
from samling.local.services import Service, load_all, repo_root
from samling.platform import clock, settings

log = logging.getLogger("samling.local")

PUMP_INTERVAL = 0.2
SCHEDULE_INTERVAL = 15 * 60


class LocalPlatform:
    def __init__(self, port: int | None = None, events_dir: Path | None = None,
                 load_seeds: bool = True, background: bool = True) -> None:
        self.port = port if port else free_port()
        self.events_dir = events_dir or repo_root() / "events"
        self.load_seeds = load_seeds
        self.background = background
        self.aws = EmbeddedAws()
        self.services: dict[str, Service] = {}
        self.pumps: list[QueuePump] = []
        self.gateway: Gateway | None = None
        self.organiser_token = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> "LocalPlatform":
        seeds = self._read_seeds() if self.load_seeds else []
        self.aws.start()
        self.aws.deploy(repo_root() / "infra" / "shared.yaml")
        self.organiser_token = os.environ.get("SAMLING_ORGANISER_TOKEN") or secrets.token_urlsafe(24)
        self._store_organiser_token()
        os.environ["SAMLING_PUBLIC_URL"] = self.url
        self.services = load_all()
        for name, service in self.services.items():
            for handler, batch_size in service.queue_handlers():
                self.pumps.append(QueuePump(name, settings.queue_url(name), handler, batch_size))
        self.gateway = Gateway(self.services, self._local_routes())
        for event in seeds:
            self._put_event(event)
        self.drain()
        # the port opens only once the seeds are in: a health check that answers means ready
        self.gateway.serve(self.port)
        if self.background:
            self._spawn(self._pump_forever, "samling-pumps")
            self._spawn(self._schedule_forever, "samling-scheduler")
        return self

    def _store_organiser_token(self) -> None:
        """Only the organiser token's hash is kept, in SSM, where the functions read it on AWS
        too; beside it the secret applicants' link tokens are derived from."""
        from samling.platform import auth, aws
        from samling.platform.ids import hash_token

        name = f"/samling/{self.aws.stage}/organiser-token-hashes"
        aws.client("ssm").put_parameter(Name=name, Type="SecureString", Overwrite=True,
                                        Value=hash_token(self.organiser_token))
        os.environ["SAMLING_ORGANISER_TOKEN_PARAMETER"] = name
        auth.forget()
        from samling.platform import secrets as link_secrets

        secret_name = f"/samling/{self.aws.stage}/link-secret"
        aws.client("ssm").put_parameter(Name=secret_name, Type="SecureString", Overwrite=True,
                                        Value=secrets.token_urlsafe(32))
        os.environ["SAMLING_LINK_SECRET_PARAMETER"] = secret_name
        link_secrets.forget()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)
        if self.gateway:
            self.gateway.stop()
        self.aws.stop()
        clock.unfreeze()

    def __enter__(self) -> "LocalPlatform":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _spawn(self, target: Any, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    # --- seeds -------------------------------------------------------------------------
    def _read_seeds(self) -> list[dict]:
        from samling.registration.seed import load_events

        return [e.model_dump(mode="json") for e in load_events(self.events_dir)]

    def _put_event(self, event: dict) -> None:
        assert self.gateway is not None
        status, _, body = self.gateway.dispatch(
            "PUT", f"/registration/events/{event['id']}",
            {"Authorization": f"Bearer {self.organiser_token}", "Content-Type": "application/json"},
            json.dumps(event).encode("utf-8"))
        if status >= 300:
            raise RuntimeError(f"seed event {event['id']} was refused ({status}): {body.decode()}")

    # --- queues and schedules ---------------------------------------------------------
    def drain(self, timeout: float = 120.0) -> dict[str, int]:
        """Process every queue until all are empty; records handled per service."""
        counts = {name: 0 for name in self.services}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            handled = 0
            for pump in self.pumps:
                n = pump.poll_once()
                counts[pump.service] += n
                handled += n
            if handled == 0 and all(p.depth() == 0 for p in self.pumps):
                break
        return counts

    def tick(self) -> list[str]:
        fired = []
        instant = clock.now()
        for name, service in self.services.items():
            for schedule, handler in service.schedules():
                event = {"version": "0", "id": secrets.token_hex(8), "detail-type": "Scheduled Event",
                         "source": "aws.events", "account": "123456789012", "time": instant.isoformat(),
                         "region": settings.region(), "resources": [f"local:{name}:{schedule}"], "detail": {}}
                handler(event, LambdaContext(f"samling-{name}-{schedule}"))
                fired.append(f"{name}.{schedule}")
        return fired

    def _pump_forever(self) -> None:
        while not self._stop.is_set():
            try:
                if sum(p.poll_once() for p in self.pumps) == 0:
                    self._stop.wait(PUMP_INTERVAL)
            except Exception:
                log.exception("queue pump failed; trying again")
                self._stop.wait(1)

    def _schedule_forever(self) -> None:
        while not self._stop.wait(SCHEDULE_INTERVAL):
            try:
                self.tick()
            except Exception:
                log.exception("scheduled tick failed")

    # --- /_local routes -----------------------------------------------------------------
    def _local_routes(self) -> dict:
        def health(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            return 200, {"ok": True}

        def outbox(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            from samling.local.outbox import sent_mails

            return 200, sent_mails()

        def set_clock(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            try:
                instant = datetime.fromisoformat(json.loads(body)["now"])
                clock.freeze(instant)
            except (ValueError, KeyError, TypeError):
                return 400, {"error": {"code": "bad_request",
                                       "message": 'Send {"now": "<ISO 8601 instant with offset>"}.'}}
            return 200, {"now": clock.now().isoformat()}

        def reset_clock(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            clock.unfreeze()
            return 200, {"now": clock.now().isoformat()}

        def tick(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            fired = self.tick()
            return 200, {"fired": fired, "at": clock.now().isoformat()}

        def drain(query: str, headers: dict, body: bytes) -> tuple[int, Any]:
            counts = self.drain()
            return 200, {"queues": counts, "total": sum(counts.values())}

        return {("GET", "/health"): health, ("GET", "/outbox"): outbox,
                ("POST", "/clock"): set_clock, ("DELETE", "/clock"): reset_clock,
                ("POST", "/tick"): tick, ("POST", "/drain"): drain}
