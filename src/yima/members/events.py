"""What the members context tells the others (past tense; published through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonsMerged:
    """One ID: ``from_person_id`` turned out to be ``into_person_id`` (a visitor verified a phone
    another person holds). The merged person is kept, pointing at the survivor; a context that
    keeps person ids (scans, wallet) re-points its rows in its own handler, idempotently."""

    tenant_id: int
    from_person_id: int
    into_person_id: int
