"""Architecture rules of DESIGN.md §2–§3, kept by static tests (no database)."""
