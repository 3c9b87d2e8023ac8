"""One HTTP server in front of the four apps, as API Gateway base-path mappings give on AWS:
``/registration/...`` goes to the registration app with the prefix taken off, and so on."""
from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from samling.local.services import Service
from samling.platform import i18n

log = logging.getLogger("samling.gateway")

LocalRoute = Callable[[str, dict, bytes], tuple[int, Any]]


def _error(code: str, status: int, lang: str = "nb") -> tuple[int, dict[str, str], bytes]:
    body = {"error": {"code": code, "message": i18n.generic(code, lang)}}
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body, ensure_ascii=False).encode()


def request_lang(target: str, headers: dict[str, str]) -> str:
    """The language of an answer made here (refused token, no route), as the apps' own errors
    choose it: ``?lang=`` first, then Accept-Language."""
    query = parse_qs(urlsplit(target).query).get("lang", [None])[-1]
    return i18n.negotiate(query=query,
                          accept_language=headers.get("Accept-Language") or headers.get("accept-language"))


def refused_by_authorizer(exc: Exception) -> bool:
    """Whether chalice's gateway turned the request away at the route's authorizer: no token
    (401) or a Deny from it (403, ``AccessDeniedException``). Chalice also raises a 403 when no
    route matched, with ``UnauthorizedException``; that one is a 404 to us."""
    from chalice.local import ForbiddenError, NotAuthorizedError

    if isinstance(exc, NotAuthorizedError):
        return True
    kind = (getattr(exc, "headers", None) or {}).get("x-amzn-ErrorType")
    return isinstance(exc, ForbiddenError) and kind == "AccessDeniedException"


class ServiceGateway:
    """Chalice's own API Gateway emulation for one app, serialised: a Chalice app keeps the
    current request on the app object, so two requests must not run in it at once."""

    def __init__(self, service: Service) -> None:
        from chalice.config import Config
        from chalice.local import LocalGateway

        self.service = service
        config = Config.create(chalice_stage="local", app_name=f"samling-{service.name}",
                               lambda_timeout=120, lambda_memory_size=512)
        self.gateway = LocalGateway(service.app, config)
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, str], bytes]:
        from chalice.local import ForbiddenError, LocalGatewayException, NotAuthorizedError

        lang = request_lang(path, headers)
        with self.lock:
            try:
                response = self.gateway.handle_request(method=method, path=path or "/",
                                                       headers=headers, body=body)
            except (NotAuthorizedError, ForbiddenError) as exc:
                if refused_by_authorizer(exc):
                    # API Gateway's own 401/403 bodies; on AWS gateway responses give this shape
                    return _error("unauthorized", 401, lang)
                # No route matched: API Gateway says 403 "Missing Authentication Token";
                # the contract says 404.
                return _error("not_found", 404, lang)
            except LocalGatewayException:
                return _error("not_found", 404, lang)
        status = int(response["statusCode"])
        out_headers = {k: v for k, v in (response.get("headers") or {}).items()}
        for k, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[k] = values[-1]
        raw = response.get("body") or b""
        if response.get("isBase64Encoded"):
            raw = base64.b64decode(raw)
        elif isinstance(raw, str):
            raw = raw.encode("utf-8")
        if status in (405, 415) and b'"error"' not in raw:
            return _error("method_not_allowed" if status == 405 else "unsupported_media_type", status, lang)
        return status, out_headers, raw


class Gateway:
    def __init__(self, services: dict[str, Service], local_routes: dict[tuple[str, str], LocalRoute]) -> None:
        self.services = {name: ServiceGateway(s) for name, s in services.items()}
        self.local_routes = local_routes
        self.server: ThreadingHTTPServer | None = None

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes
                 ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = parts.path
        base, _, rest = path.lstrip("/").partition("/")
        if base == "_local":
            route = self.local_routes.get((method, "/" + rest))
            if route is None:
                return _error("not_found", 404, request_lang(target, headers))
            status, payload = route(parts.query, headers, body)
            return status, {"Content-Type": "application/json; charset=utf-8"}, \
                json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        service = self.services.get(base)
        if service is None:
            return _error("not_found", 404, request_lang(target, headers))
        # API Gateway hands path parameters over decoded; an encoded "/" stays one segment.
        sub = "/" + unquote(rest.replace("%2F", "%252F").replace("%2f", "%252F")) \
            + (f"?{parts.query}" if parts.query else "")
        return service.handle(method, sub, headers, body)

    def serve(self, port: int) -> ThreadingHTTPServer:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                try:
                    status, out_headers, payload = gateway.dispatch(self.command, self.path, headers, body)
                except Exception:
                    log.exception("gateway failed on %s %s", self.command, self.path)
                    status, out_headers, payload = _error("internal", 500)
                self.send_response(status)
                for k, v in out_headers.items():
                    if k.lower() not in ("content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s %s", self.address_string(), format % args)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="samling-gateway", daemon=True).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
