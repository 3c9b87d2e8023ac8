"""Messages the services exchange: the only code every service shares at run time.

Every message travels as an :class:`Envelope`. Consumers look at ``type`` and ignore types
they do not handle; the models ignore fields they do not know, so a producer may add fields
without breaking anyone.

>>> msg = envelope(ApplicationSubmitted(application_id="a1", email="x@kommune.example",
...                name="Kari", language="nb", status="submitted"), event_id="e1")
>>> Envelope.model_validate_json(msg.model_dump_json()).type
'ApplicationSubmitted'
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """Base of every message body. ``TYPE`` is the envelope's ``type``; ``VERSION`` its schema."""

    model_config = ConfigDict(extra="ignore")
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TYPE = cls.__name__
        MESSAGE_TYPES[cls.__name__] = cls


MESSAGE_TYPES: dict[str, type[Message]] = {}


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    version: int = 1
    occurred_at: datetime
    event_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def body(self) -> Message | None:
        """The typed body, or None for a type this code does not know."""
        cls = MESSAGE_TYPES.get(self.type)
        return cls.model_validate(self.data) if cls else None


def envelope(message: Message, *, event_id: str | None, occurred_at: datetime | None = None,
             message_id: str | None = None) -> Envelope:
    return Envelope(
        id=message_id or uuid.uuid4().hex,
        type=message.TYPE,
        version=message.VERSION,
        occurred_at=occurred_at or datetime.now(timezone.utc),
        event_id=event_id,
        data=message.model_dump(mode="json"),
    )


class Participant(BaseModel):
    """What other services may know of a person taking part (the registration's public view)."""

    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    email: str
    language: str = "nb"
    status: str
    organisation_type: str | None = None
    municipality: str | None = None
    county: str | None = None
    organisation: str | None = None
    role: str | None = None
    sector: str | None = None
    experience: str | None = None
    interests: list[str] = Field(default_factory=list)
    theme: str | None = None
    sessions: list[str] | None = None
    is_leader: bool = False
    offer_expires_at: datetime | None = None
    # SHA-256 of the applicant's own token, so a service can open the person's own things
    # (their certificate) with the token they already hold; never the token itself.
    token_hash: str | None = None


class EventConfigured(Message):
    """The whole event configuration as registration stores it (public fields and rules)."""

    event: dict[str, Any]


class ApplicationSubmitted(Message):
    application_id: str
    name: str
    email: str
    language: str = "nb"
    status: str
    manage_url: str | None = None
    updated: bool = False
    participant: Participant | None = None


class ParticipantStatusChanged(Message):
    """Any change of an application's status that others may care about (offer, waitlist …)."""

    participant: Participant
    previous_status: str | None = None


class ParticipantConfirmed(Message):
    participant: Participant


class ParticipantWithdrawn(Message):
    participant_id: str
    status: str = "withdrawn"


class PersonErased(Message):
    participant_id: str
    email_hash: str | None = None


class InviteesAdded(Message):
    invitees: list[dict[str, Any]]


class EmailRequested(Message):
    """Ask notifications to send one mail. ``key`` makes the request idempotent."""

    key: str
    to: str
    template: str
    language: str = "nb"
    context: dict[str, Any] = Field(default_factory=dict)
    participant_id: str | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    # A mail that only makes sense until a moment (a reminder) is dropped if it is still
    # queued after it, rather than arriving late.
    not_after: datetime | None = None


class GroupsFormed(Message):
    groups: list[dict[str, Any]]


class PairingsMade(Message):
    round: int
    kind: str
    pairs: list[list[str]]


class AttendanceRecorded(Message):
    session_id: str
    participant_ids: list[str]


class CertificateIssued(Message):
    certificate_id: str
    participant_id: str
    code: str
    download_url: str
    verify_url: str
