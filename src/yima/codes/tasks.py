"""Codes' background jobs."""

from yima.codes.service.exports import JOB as BUILD_EXPORT
from yima.codes.service.exports import build_export
from yima.codes.service.legacy import JOB as IMPORT_LEGACY
from yima.codes.service.legacy import import_legacy
from yima.platform.outbox import registry

registry.job(BUILD_EXPORT)(build_export)
registry.job(IMPORT_LEGACY)(import_legacy)
