"""The HTTP edge every Chalice app uses: request parsing, errors in the contract's shape,
organiser auth and language. The only platform module that imports Chalice.

>>> edge = Edge(app, "registration")
>>> @edge.route("/events/{event_id}", methods=["GET"])
... def get_event(req, event_id): return store.event(event_id)

Organiser routes are guarded twice with the same check (``auth.is_organiser``): by a Chalice
built-in authorizer, so on AWS API Gateway turns a bad token away before the function runs (and
chalice's local gateway and test client do the same), and inside the view, which still holds
should a route ever lose its authorizer or a cached verdict outlive a withdrawn token.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from chalice import AuthResponse, Blueprint, Chalice, Response
from chalice.app import AuthRequest

from samling.platform import auth, i18n
from samling.platform.errors import ApiError

log = logging.getLogger("samling.edge")

MAX_BODY = 64 * 1024
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain",
                 "multipart/form-data", "application/octet-stream", "text/html", "text/csv"]
BINARY_TYPES = ["application/pdf", "application/octet-stream", "image/png"]

# The authorizer's name in chalice's output and the module attribute its Lambda handler points at.
AUTHORIZER_NAME = "organiser"
AUTHORIZER_HANDLER = "organiser_authorizer"
# API Gateway caches a token's verdict this long; as long as ``auth`` caches the hashes, so a
# rotated token stops working within two minutes either way.
AUTHORIZER_TTL_SECONDS = 60

# Each service's authorizer, so a blueprint of the service guards its routes with the app's one
# (one authorizer function per service) rather than deploying a second.
_authorizers: dict[str, Any] = {}


def organiser_policy(request: AuthRequest) -> dict:
    """The authorizer's verdict: every route of the API for an organiser, none for anyone else.
    The refusal is an explicit Deny over the whole API, so API Gateway may cache it per token."""
    verdict = AuthResponse(routes=["*"], principal_id="organiser").to_dict(request)
    if auth.is_organiser(request.token):
        return verdict
    for statement in verdict["policyDocument"]["Statement"]:
        statement["Effect"] = "Deny"
    verdict["principalId"] = "anonymous"
    return verdict


@dataclass
class Reply:
    """A non-JSON or non-200 answer: HTML, CSV, PDF, a redirect, a 201."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


def html(body: str, status: int = 200) -> Reply:
    return Reply(body, status, content_type="text/html; charset=utf-8")


def csv(body: bytes, filename: str) -> Reply:
    return Reply(body, 200, {"Content-Disposition": f'attachment; filename="{filename}"'},
                 content_type="text/csv; charset=utf-8")


class Request:
    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.headers: Mapping[str, str] = raw.headers or {}
        self.query: dict[str, str] = dict(raw.query_params or {})
        self.method: str = raw.method
        self._lang: str | None = None
        self.languages: tuple[str, ...] = i18n.LANGUAGES

    @property
    def lang(self) -> str:
        if self._lang:
            return self._lang
        return i18n.negotiate(query=self.query.get("lang"),
                              accept_language=self.headers.get("accept-language"),
                              available=self.languages)

    @lang.setter
    def lang(self, value: str | None) -> None:
        if value in i18n.LANGUAGES:
            self._lang = value

    def offer_languages(self, languages: tuple[str, ...] | list[str]) -> None:
        """The event's languages: the fallback when nothing else tells."""
        self.languages = tuple(languages) or i18n.LANGUAGES

    @property
    def body(self) -> bytes:
        raw = self.raw.raw_body
        if raw is None:
            return b""
        return raw if isinstance(raw, bytes) else raw.encode("utf-8")

    def json(self, *, allow_empty: bool = False) -> Any:
        body = self.body
        if not body.strip():
            if allow_empty:
                return {}
            raise ApiError("bad_request")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise ApiError("bad_request")

    def form(self) -> dict[str, list[str]]:
        try:
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError("bad_request")

    def wants_html(self) -> bool:
        accept = (self.headers.get("accept") or "").lower()
        return "text/html" in accept

    def token(self, header: str = "x-application-token") -> str | None:
        return self.query.get("token") or self.headers.get(header)


class Edge:
    def __init__(self, app: Chalice, service: str) -> None:
        self.app = app
        self.service = service
        api = getattr(app, "api", None)  # a Blueprint has none; its app's types apply
        for binary in BINARY_TYPES if api is not None else ():
            if binary not in api.binary_types:
                api.binary_types.append(binary)
        self.organiser_authorizer: Any = None

    def _authorizer(self, module: dict[str, Any]) -> Any:
        """The organiser authorizer, made on the first organiser route. Its Lambda handler is
        ``<module>.organiser_authorizer``, so it is put on the module that defines the routes
        (``app`` for an app, the blueprint's own module for a blueprint), as the
        ``@app.authorizer()`` decorator would have left it there."""
        if self.organiser_authorizer is not None:
            return self.organiser_authorizer
        shared = _authorizers.get(self.service) if isinstance(self.app, Blueprint) else None
        if shared is not None:
            self.organiser_authorizer = shared
            return shared

        def organiser_authorizer(request: AuthRequest) -> dict:
            return organiser_policy(request)

        authorizer = self.app.authorizer(ttl_seconds=AUTHORIZER_TTL_SECONDS, name=AUTHORIZER_NAME)(
            organiser_authorizer)
        existing = module.get(AUTHORIZER_HANDLER)
        if existing is not None and existing is not authorizer:
            raise RuntimeError(f"{module.get('__name__')}.{AUTHORIZER_HANDLER} is taken; "
                               "the authorizer's Lambda handler needs that name")
        module[AUTHORIZER_HANDLER] = authorizer
        _authorizers[self.service] = authorizer
        self.organiser_authorizer = authorizer
        return authorizer

    def route(self, path: str, methods: list[str] | None = None, *, organiser: bool = False
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def view(**params: str) -> Response:
                req = Request(self.app.current_request)
                try:
                    if len(req.body) > MAX_BODY:
                        raise ApiError("payload_too_large")
                    if organiser and not auth.is_organiser(req.headers.get("authorization")):
                        raise ApiError("unauthorized")
                    return to_response(fn(req, **params))
                except ApiError as exc:
                    return error_response(exc, req.lang)
                except Exception:
                    log.exception("%s %s failed", req.method, path)
                    return error_response(ApiError("internal", status=500), req.lang)

            view.organiser = organiser  # type: ignore[attr-defined]
            extra = {"authorizer": self._authorizer(fn.__globals__)} if organiser else {}
            self.app.route(path, methods=methods or ["GET"], content_types=CONTENT_TYPES, **extra)(view)
            return fn

        return decorate


def error_response(exc: ApiError, lang: str) -> Response:
    return Response(body=json.dumps(exc.body(i18n.generic(exc.code, lang)), ensure_ascii=False),
                    status_code=exc.status,
                    headers={"Content-Type": "application/json; charset=utf-8"})


def to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, Reply):
        headers = dict(result.headers)
        if result.content_type:
            headers["Content-Type"] = result.content_type
        body = result.body
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body, ensure_ascii=False, default=str)
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        return Response(body=body, status_code=result.status, headers=headers)
    return Response(body=json.dumps(result, ensure_ascii=False, default=str), status_code=200,
                    headers={"Content-Type": "application/json; charset=utf-8"})


def health(edge: Edge) -> None:
    @edge.route("/health")
    def _health(req: Request) -> dict:
        return {"ok": True, "service": edge.service}
