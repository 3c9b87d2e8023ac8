"""Raw MIME messages for SES ``send_raw_email``, and reading them back for the local outbox.

>>> from samling.notifications.render import RenderedMail
>>> raw = build_message("Miljødirektoratet <noreply@example.no>", "Åse <ase@kommune.example>",
...                     RenderedMail("Velkommen, Åse", "Hei!", "<p>Hei!</p>"))
>>> parse_message(raw)["subject"]
'Velkommen, Åse'

The shape is multipart/mixed → (multipart/alternative → text/plain, text/html) + attachments,
all UTF-8; header words outside ASCII are RFC 2047-encoded, which SES requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from samling.notifications.render import RenderedMail

# Lines end in CRLF and are folded at 78 characters, as SMTP and SES expect.
_POLICY = policy.SMTP.clone(max_line_length=78)
_RESERVED = {"from", "to", "subject", "mime-version", "content-type", "content-transfer-encoding"}

Attachment = tuple[str, str, bytes]  # (filename, content type, content)


def _split_content_type(content_type: str) -> tuple[str, str, dict[str, str]]:
    kind, *params = [part.strip() for part in content_type.split(";") if part.strip()]
    maintype, _, subtype = kind.partition("/")
    if not maintype or not subtype:
        raise ValueError(f"not a content type: {content_type!r}")
    values = {}
    for param in params:
        key, _, value = param.partition("=")
        values[key.strip().lower()] = value.strip().strip('"')
    return maintype.lower(), subtype.lower(), values


def build_message(
    sender: str,
    to: str,
    mail: RenderedMail,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """``sender`` and ``to`` may carry display names (``"Åse Ås <ase@kommune.example>"``).
    ``headers`` adds e.g. ``Reply-To`` or a ``X-Samling-Mail-Id``; it cannot replace From, To,
    Subject or the MIME structure."""
    for value in (sender, to, mail.subject, *(headers or {}).values()):
        if "\n" in value or "\r" in value:
            raise ValueError("header values must be a single line")
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = mail.subject
    for name, value in (headers or {}).items():
        if name.lower() in _RESERVED:
            raise ValueError(f"header {name} is set by build_message")
        msg[name] = value
    # Quoted-printable keeps every line 7-bit and short, whatever relay sits after SES.
    msg.set_content(mail.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.make_mixed()
    for filename, content_type, content in attachments:
        maintype, subtype, params = _split_content_type(content_type)
        part = EmailMessage(policy=_POLICY)
        part.set_content(content, maintype=maintype, subtype=subtype, disposition="attachment",
                         filename=filename)
        for key, value in params.items():
            part.set_param(key, value)
        msg.attach(part)
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    return msg.as_bytes()


def _lines(value: str) -> str:
    return value.replace("\r\n", "\n")


def parse_message(raw: bytes) -> dict[str, Any]:
    """``{"to", "subject", "text", "html", "attachments": [filenames]}``; ``to`` is the bare
    address (``ase@kommune.example``), as the outbox is searched by address."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    addresses = [addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", [])]) if addr]
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        "to": ", ".join(addresses),
        "subject": str(msg.get("Subject", "")),
        "text": _lines(text.get_content()) if text is not None else "",
        "html": _lines(html.get_content()) if html is not None else "",
        "attachments": [part.get_filename() or "" for part in msg.iter_attachments()],
    }


def attachment_bytes(raw: bytes, filename: str) -> bytes | None:
    """The content of one attachment, for tests and the local outbox's download link."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    for part in msg.iter_attachments():
        if part.get_filename() == filename:
            return part.get_payload(decode=True)
    return None
