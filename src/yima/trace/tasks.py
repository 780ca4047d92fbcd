"""Trace's background jobs."""

from yima.platform.outbox import registry
from yima.trace.service.capture import JOB as CAPTURE_DOCUMENT
from yima.trace.service.capture import run_capture

registry.job(CAPTURE_DOCUMENT)(run_capture)
