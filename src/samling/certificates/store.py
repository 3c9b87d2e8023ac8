"""Certificates' own records: attendance, certificates, their verification codes and PDFs.

>>> store = CertificatesStore()
>>> store.add_attendance("klimakronsj-2021", "s1", "a1", at="2021-09-22T13:05:00+02:00")  # doctest: +SKIP
True

Items in the service's table (pk / sk):

- ``ATTEND#<event>`` / ``<participant>#<session>`` — one per person and session attended, so a
  repeated recording writes nothing and a person's attendance is one prefix query away.
- ``CERTS#<event>`` / ``<participant>`` — the certificate of one person at one event, at most
  one, written with a version check: whoever claims it first issues it.
- ``CERT#<certificate id>`` / ``REF`` — where a certificate lives, for downloads.
- ``CODE#<verification code>`` / ``CERT`` — the code's owner, written only if absent, so two
  certificates can never share a code.
- ``SEQ#<event>`` / ``CERTIFICATES`` — the counter behind the certificate numbers.

PDFs sit in the certificates bucket at ``certificates/<event>/<certificate id>.pdf``, encrypted.
"""
from __future__ import annotations

from samling.platform import aws, settings
from samling.platform.dynamo import ConditionFailed, Table

SERVICE = "certificates"

__all__ = ["CertificatesStore", "ConditionFailed"]


def pdf_key(event_id: str, certificate_id: str) -> str:
    return f"certificates/{event_id}/{certificate_id}.pdf"


class CertificatesStore:
    def __init__(self, table: Table | None = None) -> None:
        self.table = table or Table(SERVICE)

    # --- attendance ------------------------------------------------------------------------------
    def add_attendance(self, event_id: str, session_id: str, participant_id: str, *, at: str) -> bool:
        """True if this attendance is new; a repeat keeps the first recording."""
        try:
            self.table.put(f"ATTEND#{event_id}", f"{participant_id}#{session_id}",
                           {"session_id": session_id, "participant_id": participant_id, "at": at},
                           if_absent=True)
            return True
        except ConditionFailed:
            return False

    def attendance(self, event_id: str) -> dict[str, set[str]]:
        """Participant id → the sessions they attended."""
        out: dict[str, set[str]] = {}
        for doc in self.table.query(f"ATTEND#{event_id}"):
            out.setdefault(doc["participant_id"], set()).add(doc["session_id"])
        return out

    # --- certificates ----------------------------------------------------------------------------
    def certificate_of(self, event_id: str, participant_id: str) -> tuple[dict | None, int]:
        return self.table.get_versioned(f"CERTS#{event_id}", participant_id)

    def save_certificate(self, doc: dict, *, expected_version: int) -> int:
        """Write a person's certificate record; raises ``ConditionFailed`` if someone else wrote
        it since ``expected_version``. Returns the new version."""
        self.table.put(f"CERTS#{doc['event_id']}", doc["participant_id"], doc,
                       if_version=expected_version)
        self.table.put(f"CERT#{doc['id']}", "REF",
                       {"event_id": doc["event_id"], "participant_id": doc["participant_id"]})
        return expected_version + 1

    def certificates(self, event_id: str) -> list[dict]:
        return self.table.query(f"CERTS#{event_id}")

    def certificate(self, certificate_id: str) -> dict | None:
        ref = self.table.get(f"CERT#{certificate_id}", "REF")
        if not ref:
            return None
        doc = self.table.get(f"CERTS#{ref['event_id']}", ref["participant_id"])
        return doc if doc and doc.get("id") == certificate_id else None

    def next_number(self, event_id: str) -> int:
        return self.table.counter(f"SEQ#{event_id}", "CERTIFICATES")

    def claim_code(self, code: str, *, event_id: str, participant_id: str, certificate_id: str) -> bool:
        """True if the code was free and is now this certificate's."""
        try:
            self.table.put(f"CODE#{code}", "CERT", {"event_id": event_id, "participant_id": participant_id,
                                                    "certificate_id": certificate_id}, if_absent=True)
            return True
        except ConditionFailed:
            return False

    def by_code(self, code: str) -> dict | None:
        ref = self.table.get(f"CODE#{code}", "CERT")
        if not ref:
            return None
        doc = self.table.get(f"CERTS#{ref['event_id']}", ref["participant_id"])
        if not doc or doc.get("id") != ref["certificate_id"] or doc.get("status") != "issued":
            return None
        return doc

    # --- PDFs ------------------------------------------------------------------------------------
    def put_pdf(self, event_id: str, certificate_id: str, body: bytes) -> str:
        key = pdf_key(event_id, certificate_id)
        aws.client("s3").put_object(Bucket=settings.bucket(), Key=key, Body=body,
                                    ContentType="application/pdf", ServerSideEncryption="AES256")
        return key

    def get_pdf(self, key: str) -> bytes | None:
        s3 = aws.client("s3")
        try:
            return s3.get_object(Bucket=settings.bucket(), Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None

    # --- erasure ---------------------------------------------------------------------------------
    def forget_person(self, event_id: str, participant_id: str) -> None:
        """Delete a person's PDF, certificate, code and attendance. Idempotent."""
        doc, _ = self.certificate_of(event_id, participant_id)
        if doc:
            if doc.get("pdf_key"):
                aws.client("s3").delete_object(Bucket=settings.bucket(), Key=doc["pdf_key"])
            if doc.get("code"):
                self.table.delete(f"CODE#{doc['code']}", "CERT")
            self.table.delete(f"CERT#{doc['id']}", "REF")
            self.table.delete(f"CERTS#{event_id}", participant_id)
        for sk, _doc in list(self.table.query_items(f"ATTEND#{event_id}", f"{participant_id}#")):
            self.table.delete(f"ATTEND#{event_id}", sk)
