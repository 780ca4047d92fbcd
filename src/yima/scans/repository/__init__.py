"""Every SQL statement of the scans context. Callers write ``repo.count_for(…)``."""

from yima.scans.repository.records import (
    add,
    by_client_key,
    campaign_scanned,
    count_for,
    count_of_person,
    first_for,
    get,
    insert,
    list_for,
    list_reviews,
    recent_located,
    repoint_person,
    sequential_recent,
    take_review,
)

__all__ = [
    "add",
    "by_client_key",
    "campaign_scanned",
    "count_for",
    "count_of_person",
    "first_for",
    "get",
    "insert",
    "list_for",
    "list_reviews",
    "recent_located",
    "repoint_person",
    "sequential_recent",
    "take_review",
]
