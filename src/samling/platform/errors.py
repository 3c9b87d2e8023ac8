"""HTTP-facing errors with the contract's codes; raised by routes, rendered by the edge."""
from __future__ import annotations

STATUS = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "unsupported_media_type": 415,
    "validation_error": 422,
    "not_eligible": 422,
    "registration_closed": 409,
    "registration_not_open": 409,
    "state_conflict": 409,
    "offer_expired": 409,
    "payload_too_large": 413,
}


class ApiError(Exception):
    def __init__(self, code: str, message: str | None = None,
                 fields: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.fields = fields
        self.status = status or STATUS.get(code, 400)

    def body(self, message: str) -> dict:
        error: dict = {"code": self.code, "message": self.message or message}
        if self.fields is not None:
            error["fields"] = self.fields
        return {"error": error}
