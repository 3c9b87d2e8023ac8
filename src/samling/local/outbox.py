"""What moto's SES accepted: the local stand-in for a mailbox."""
from __future__ import annotations

from samling.notifications.mime import parse_message


def sent_mails() -> list[dict]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from samling.platform import settings

    backend = ses_backends[DEFAULT_ACCOUNT_ID][settings.region()]
    mails = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = parse_message(raw.encode("utf-8") if isinstance(raw, str) else raw)
        mails.append(parsed)
    return mails
