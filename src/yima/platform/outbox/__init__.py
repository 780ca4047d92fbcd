"""Outbox and background jobs: side effects written in the same transaction, run after it."""
