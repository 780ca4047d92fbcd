"""CBV 2.0 vocabularies: standard values, their web URIs, and what a custom value must look like.

In EPCIS 2.0 JSON a standard value is a bare word (``shipping``, ``in_transit``); its web URI is
``https://ref.gs1.org/cbv/BizStep-shipping`` (CURIE ``cbv:BizStep-shipping``). CBV 1.x URNs
(``urn:epcglobal:cbv:bizstep:shipping``) are not used in JSON and are refused. A custom value is an
absolute URI (or a CURIE whose prefix the document's @context defines). A CBV web URI that names a
vocabulary (``…/cbv/BizStep-…``) must name one of its terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yima.trace.epcis.gs1data import enum_of

CBV = "https://ref.gs1.org/cbv/"
# The GS1 Web Vocabulary as the CBV 2.0 event hash writes it (the published reference vectors).
GS1_VOC = "https://ref.gs1.org/voc/"
WELL_KNOWN_PREFIXES = {
    "gs1": GS1_VOC,
    "cbv": CBV,
    "epcis": "https://ref.gs1.org/epcis/",
    "cbvmda": "urn:epcglobal:cbv:mda",
}
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_CBV_URN = re.compile(r"^urn:epcglobal:cbv:", re.IGNORECASE)
_CBV_WEB = re.compile(r"^(?:https?://ref\.gs1\.org/cbv/|cbv:)([A-Za-z]+)-(.*)$")
# CBV 1.x URN forms (still met in bizTransaction-free places, e.g. old XML converted to JSON).
_URN_TO_WEB = {
    "urn:epcglobal:cbv:bizstep:": CBV + "BizStep-",
    "urn:epcglobal:cbv:disp:": CBV + "Disp-",
    "urn:epcglobal:cbv:btt:": CBV + "BTT-",
    "urn:epcglobal:cbv:sdt:": CBV + "SDT-",
    "urn:epcglobal:cbv:er:": CBV + "ER-",
}


@dataclass(frozen=True)
class Vocabulary:
    name: str  # as the schema names its definition
    prefix: str  # the web URI stem of its terms
    terms: frozenset[str]


BIZ_STEP = Vocabulary("bizStep", CBV + "BizStep-", enum_of("bizStep"))
DISPOSITION = Vocabulary("disposition", CBV + "Disp-", enum_of("disposition"))
BIZ_TRANSACTION_TYPE = Vocabulary("bizTransaction type", CBV + "BTT-", enum_of("bizTransaction-type"))
SOURCE_DEST_TYPE = Vocabulary("source/destination type", CBV + "SDT-", enum_of("source-dest-type"))
ERROR_REASON = Vocabulary("error reason", CBV + "ER-", enum_of("error-reason"))
COMPONENT = Vocabulary("component", CBV + "Comp-", enum_of("component"))
MEASUREMENT_TYPE = Vocabulary("measurement type", GS1_VOC, enum_of("measurementType"))
ALERT_TYPE = Vocabulary("sensor alert type", GS1_VOC, enum_of("sensorAlertType"))


def is_absolute_uri(value: str) -> bool:
    return bool(_ABSOLUTE_URI.match(value))


def problem(vocabulary: Vocabulary, value: object) -> str | None:
    """Why ``value`` is not acceptable for ``vocabulary``, or None."""
    if not isinstance(value, str):
        return f"a {vocabulary.name} is a string"
    if value in vocabulary.terms:
        return None
    if len(value) > 500:
        return f"a {vocabulary.name} is at most 500 characters"
    if _CBV_URN.match(value):
        return f"CBV URNs are not used in EPCIS 2.0 JSON; write the bare word for this {vocabulary.name}"
    web = _CBV_WEB.match(value)
    if web is not None and vocabulary.prefix == f"{CBV}{web.group(1)}-" and web.group(2) not in vocabulary.terms:
        return f"{web.group(2)!r} is not a CBV {vocabulary.name}"
    if not is_absolute_uri(value):
        return (
            f"{value!r} is not a standard {vocabulary.name}; a custom value must be an absolute URI "
            "(or a CURIE whose prefix the @context defines)"
        )
    return None


def normalize(vocabulary: Vocabulary, value: str, prefixes: dict[str, str]) -> str:
    """The form the event store keeps and queries compare: the bare word for a standard value
    however it was written, a custom CURIE expanded, any other URI as written."""
    if value in vocabulary.terms:
        return value
    if value.startswith(vocabulary.prefix) and value[len(vocabulary.prefix) :] in vocabulary.terms:
        return value[len(vocabulary.prefix) :]
    expanded = expand_curie(value, prefixes)
    if expanded.startswith(vocabulary.prefix) and expanded[len(vocabulary.prefix) :] in vocabulary.terms:
        return expanded[len(vocabulary.prefix) :]
    return expanded


def expand_curie(value: str, prefixes: dict[str, str]) -> str:
    head, sep, rest = value.partition(":")
    if sep and not rest.startswith("//") and head in prefixes:
        return prefixes[head] + rest
    return value


def web_uri(vocabulary: Vocabulary, value: str) -> str:
    """A standard bare word as its web URI (the event hash's form); anything else unchanged."""
    return vocabulary.prefix + value if value in vocabulary.terms else value


def urn_to_web(value: str) -> str:
    lowered = value[:24].lower()
    for urn, web in _URN_TO_WEB.items():
        if lowered.startswith(urn):
            return web + value[len(urn) :]
    return value
