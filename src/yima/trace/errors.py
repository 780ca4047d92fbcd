"""Trace's errors. The EPCIS REST binding (api.py) answers them as RFC 7807 problems with the
binding's exception types; other callers get the usual error body."""

from __future__ import annotations

from yima.platform.errors import AppError, Invalid, NotFound


class EpcisInvalid(Invalid):
    """The document or events break the schema or the rules; ``details`` lists every problem."""

    code = "epcis_invalid"
    epcis_type = "epcisException:ValidationException"


class QueryInvalid(Invalid):
    code = "epcis_query_invalid"
    epcis_type = "epcisException:QueryParameterException"


class CaptureTooLarge(AppError):
    code = "epcis_capture_too_large"
    status = 413
    epcis_type = "epcisException:CaptureLimitExceededException"


class UnknownEvent(NotFound):
    code = "epcis_unknown_event"
    epcis_type = "epcisException:NoSuchResourceException"


class UnknownCapture(NotFound):
    code = "epcis_unknown_capture"
    epcis_type = "epcisException:NoSuchResourceException"


class UnsupportedMediaType(AppError):
    code = "unsupported_media_type"
    status = 415
    epcis_type = "epcisException:UnsupportedMediaTypeException"


class NotAcceptable(AppError):
    code = "not_acceptable"
    status = 406
    epcis_type = "epcisException:NotAcceptableException"
