"""Every SQL statement of the scans context. Callers write ``repo.scans_of_code(…)``."""

from yima.scans.repository.records import (
    CodeScans,
    add,
    by_client_key,
    campaign_scanned,
    count_of_person,
    first_for,
    get,
    insert,
    list_for,
    list_reviews,
    recent_located,
    repoint_person,
    save_outcome,
    scans_of_code,
    sequential_recent,
    take_review,
)

__all__ = [
    "CodeScans",
    "add",
    "by_client_key",
    "campaign_scanned",
    "count_of_person",
    "first_for",
    "get",
    "insert",
    "list_for",
    "list_reviews",
    "recent_located",
    "repoint_person",
    "save_outcome",
    "scans_of_code",
    "sequential_recent",
    "take_review",
]
