"""Verification codes and certificate numbers.

A verification code is what someone types in to check a certificate, so it must be short enough
to read off paper and impossible to guess: 10 symbols of Crockford's base32 (50 random bits from
`secrets`), shown as two groups of five, `7KQ3M-XW0DR`. The alphabet has no I, L, O or U, so the
letters people confuse with digits are read as those digits when a code is typed in.

A certificate number is for people, not for security: it says which event the certificate
belongs to and where it came in the issue order. See `certificate_number`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH: Final = 10
GROUP_SIZE: Final = 5
CODE_BITS: Final = 50  # 10 symbols * 5 bits

_CONFUSABLE: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Hyphens and dashes of every kind, plus spaces, may separate the groups when typed or pasted.
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_VALID: Final = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
_MAX_INPUT: Final = 64


def _group(raw: str) -> str:
    return f"{raw[:GROUP_SIZE]}-{raw[GROUP_SIZE:]}"


def new_verification_code() -> str:
    """A fresh code such as `7KQ3M-XW0DR`. Callers must still check it is unused (a clash has a
    probability of about n / 2**50)."""
    return _group("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(text: str | None) -> str | None:
    """The canonical `XXXXX-XXXXX` form of a typed code, or None if it cannot be one.

    Accepts lower case, a missing or different dash, surrounding spaces, and O/I/L for 0/1/1.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    raw = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)
    if not _VALID.fullmatch(raw):
        return None
    return _group(raw)


def verification_url(base_url: str, code: str) -> str:
    """Public check address for a code, e.g. `https://samling.example/certificates/verify/7KQ3M-XW0DR`.

    `base_url` is where the certificates service answers publicly, with or without its
    `/certificates` base path.
    """
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError("not a verification code")
    base = base_url.rstrip("/")
    if not base.endswith("/certificates"):
        base += "/certificates"
    return f"{base}/verify/{canonical}"


def _ascii_letters(word: str) -> str:
    word = word.replace("æ", "ae").replace("Æ", "AE").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if "a" <= ch.lower() <= "z")


def event_prefix(event_id: str) -> str:
    """The letters-and-year part of a certificate number, derived from the event id.

    Scheme: the id is split into words at anything that is not a letter or digit. A word of four
    digits between 1900 and 2099 is the year and gives its last two digits; every other word
    gives its initial. A single-word name gives its first two letters instead, so the prefix is
    never a lone letter. At most four letters are kept.

    `klimakronsj-2021` → `KL21`, `gronn-praksis-2022` → `GP22`,
    `klimasamling-more-og-romsdal-2021` → `KMOR21`, `klimasats-forum` → `KF`.
    """
    words = [w for w in re.split(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ]+", event_id) if w]
    year = ""
    names: list[str] = []
    for word in words:
        if not year and re.fullmatch(r"(19|20)\d\d", word):
            year = word[2:]
        elif not word.isdigit():
            letters = _ascii_letters(word)
            if letters:
                names.append(letters.upper())
    if len(names) == 1:
        letters = names[0][:2]
    else:
        letters = "".join(name[0] for name in names)[:4]
    return (letters or "S") + year


def certificate_number(event_id: str, seq: int) -> str:
    """A readable certificate number: `<event prefix>-<issue sequence, at least 4 digits>`.

    `certificate_number("klimakronsj-2021", 42)` → `KL21-0042`. `seq` counts from 1 within the
    event, in the order certificates are issued; numbers past 9999 simply grow (`KL21-10000`).
    The number is not secret and is not a proof: the verification code is.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError("seq must be a positive integer")
    return f"{event_prefix(event_id)}-{seq:04d}"
