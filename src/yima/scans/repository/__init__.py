"""Every SQL statement of the scans context. Callers write ``repo.count_for(…)``."""

from yima.scans.repository.records import add, count_for, first_for, get, list_for, recent_located

__all__ = ["add", "count_for", "first_for", "get", "list_for", "recent_located"]
