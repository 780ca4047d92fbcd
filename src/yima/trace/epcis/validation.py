"""Is an EPCIS 2.0 document acceptable? The GS1 JSON schema, then the rules it misses.

``validate(document)`` lists every problem, each with the JSON pointer of where it is
(``/epcisBody/eventList/3/bizStep``). The schema (draft-07, compiled once, formats checked) comes
first; then, for every event — extension event types included, which the schema barely checks:

- an AggregationEvent with action ADD or DELETE names its parentID (EPCIS 2.0 §7.4.3);
- CBV values (bizStep, disposition, persistentDisposition, bizTransaction, source and destination
  types, error reasons, sensor types and components) are bare standard words or absolute URIs,
  never CBV URNs, and a CBV web URI names a real term (vocabulary.py);
- identifiers are well formed: EPC URIs per the Tag Data Standard, GS1 Digital Link URIs with
  their check digits, instance-level identifiers where EPCs go and class-level ones in quantity
  lists (identifiers.py);
- an ``ni:`` eventID has the RFC 6920 shape, and one eventID does not name two different events.

A problem the schema already reported at a path is not reported again there; the schema's
"matches none of the forms" (anyOf/oneOf) says what each form missed, and gives way to a rule's
precise message at the same path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from yima.trace.epcis import gs1data, identifiers
from yima.trace.epcis import vocabulary as vocab
from yima.trace.epcis.records import parse_time

MAX_PROBLEMS = 1000
_NI = re.compile(r"^ni:///[A-Za-z0-9.\-]+;[A-Za-z0-9_\-]+(\?[^\s]*)?$")
EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


@dataclass(frozen=True)
class Problem:
    path: str  # a JSON pointer into the document
    message: str
    code: str  # schema | rule | vocabulary | identifier | document


@cache
def _validator() -> Any:
    return jsonschema_rs.Draft7Validator(gs1data.schema(), validate_formats=True)


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_GENERIC = re.compile(r"is not valid under any of the schemas listed in the '(anyOf|oneOf)' keyword$")


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _trimmed(message: str) -> str:
    """A schema message without the long JSON dump of the value it starts with."""
    if _GENERIC.search(message):
        return "matches none of the forms the schema allows"
    if message[:1] in "{[" and len(message) > 80:
        cut = max(message.rfind("} "), message.rfind("] "))
        if cut > 0:
            return "the value" + message[cut + 1 :]
    return message


def _alternatives(error: Any) -> list[list[Any]]:
    """The failures of each form an anyOf/oneOf allows (empty for any other error)."""
    context = getattr(error.kind, "context", None) if _GENERIC.search(error.message) else None
    return [list(option) for option in context] if isinstance(context, list) else []


def _explained(error: Any) -> str:
    """What is wrong, in words: an anyOf/oneOf says what each allowed form missed."""
    options = _alternatives(error)
    if not options:
        return _short(_trimmed(error.message))
    depth = len(error.instance_path)
    said: list[str] = []
    for option in options:
        parts: list[str] = []
        for sub in option:
            where = pointer(*list(sub.instance_path)[depth:])
            part = f"{where}: {_trimmed(sub.message)}" if where else _trimmed(sub.message)
            parts += [part] if part not in parts else []
        if parts and (text := " and ".join(parts)) not in said:
            said.append(text)
    return _short("fits none of the forms the schema allows: " + "; or ".join(said))


def _schema_problems(validator: Any, document: Any) -> list[tuple[Problem, frozenset[str]]]:
    """The schema's errors, each an anyOf/oneOf with the paths its forms failed at (empty for a
    precise error)."""
    found: list[tuple[Problem, frozenset[str]]] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(document):
        problem = Problem(pointer(*error.instance_path), _explained(error), "schema")
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            forms = frozenset(pointer(*sub.instance_path) for option in _alternatives(error) for sub in option)
            found.append((problem, forms))
    return found


def _said_elsewhere(problem: Problem, forms: frozenset[str], ruled: set[str], told: set[str]) -> bool:
    """An anyOf/oneOf says only that no form fits: left out where a precise problem says why,
    at its own path (a rule's "'transforming' is not a standard bizStep…") or at every deeper
    path its forms failed at (a wrong action fails the event's anyOf at /action)."""
    if not forms:
        return False
    if problem.path in forms:  # the value itself fits no form
        return forms == {problem.path} and problem.path in ruled
    return forms <= told


def event_list(document: Any) -> tuple[tuple[str, ...], list[Any]]:
    """(path of the event list, its events) of an EPCISDocument or an EPCISQueryDocument."""
    body = document.get("epcisBody") if isinstance(document, dict) else None
    if not isinstance(body, dict):
        return ("epcisBody", "eventList"), []
    if "queryResults" in body:
        results = body.get("queryResults")
        events = results.get("resultsBody", {}).get("eventList") if isinstance(results, dict) else None
        return ("epcisBody", "queryResults", "resultsBody", "eventList"), events if isinstance(events, list) else []
    events = body.get("eventList")
    return ("epcisBody", "eventList"), events if isinstance(events, list) else []


def validate(document: Any) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(document, dict):
        return [Problem("", "an EPCIS document is a JSON object", "document")]
    if document.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        problems.append(Problem("/type", "capture takes an EPCISDocument or an EPCISQueryDocument", "document"))
    validator = _validator()
    schema = _schema_problems(validator, document) if not validator.is_valid(document) else []
    precise = {p.path for p, forms in schema if not forms}
    list_path, events = event_list(document)
    found: list[Problem] = []
    ids: dict[str, tuple[int, Any]] = {}
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        at: tuple[str | int, ...] = (*list_path, index)
        found.extend(p for p in check_event(event, at) if p.path not in precise)
        event_id = event.get("eventID")
        if isinstance(event_id, str):
            first = ids.setdefault(event_id, (index, event))
            if first[0] != index and _without_declaration(first[1]) != _without_declaration(event):
                found.append(
                    Problem(pointer(*at, "eventID"), f"events {first[0]} and {index} share this eventID", "rule")
                )
        if len(found) > MAX_PROBLEMS:
            break
    ruled = {p.path for p in found}
    told = precise | ruled
    problems += [p for p, forms in schema if not _said_elsewhere(p, forms, ruled, told)]
    problems += found
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], Problem("", f"… and {extra} more problems", "document")]
    return problems


def _without_declaration(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "errorDeclaration"}


# one event ------------------------------------------------------------------------------------


def check_event(event: dict[str, Any], at: tuple[str | int, ...]) -> Iterator[Problem]:
    kind = event.get("type")
    if kind == "AggregationEvent" and event.get("action") in ("ADD", "DELETE") and not event.get("parentID"):
        yield Problem(pointer(*at), "an AggregationEvent with action ADD or DELETE needs parentID", "rule")
    yield from _shape(event, at)
    event_id = event.get("eventID")
    if isinstance(event_id, str):
        if len(event_id) > identifiers.MAX_LENGTH:
            yield Problem(pointer(*at, "eventID"), f"eventIDs are at most {identifiers.MAX_LENGTH} characters", "rule")
        elif event_id.lower().startswith("ni:") and not _NI.match(event_id):
            yield Problem(pointer(*at, "eventID"), "an ni: eventID is ni:///{algorithm};{digest}[?ver=…]", "rule")
    yield from _vocabularies(event, at)
    yield from _identifiers(event, at)


def _shape(event: dict[str, Any], at: tuple[str | int, ...]) -> Iterator[Problem]:
    """What the schema leaves open for extension event types, and what a stored event needs."""
    if isinstance(event.get("type"), str) and len(event["type"]) > identifiers.MAX_LENGTH:
        yield Problem(pointer(*at, "type"), f"event types are at most {identifiers.MAX_LENGTH} characters", "rule")
    if "action" in event and event["action"] not in ("ADD", "OBSERVE", "DELETE"):
        yield Problem(pointer(*at, "action"), "action is ADD, OBSERVE or DELETE", "rule")
    for name in (*EPC_LISTS, *QUANTITY_LISTS):
        if name in event and not isinstance(event[name], list):
            yield Problem(pointer(*at, name), f"{name} is a list", "rule")
    if "parentID" in event and not isinstance(event["parentID"], str):
        yield Problem(pointer(*at, "parentID"), "parentID is a URI", "rule")
    times: list[tuple[tuple[str, ...], Any]] = [(("eventTime",), event.get("eventTime"))]
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict):
        times.append((("errorDeclaration", "declarationTime"), declaration.get("declarationTime")))
    for where, value in times:
        if isinstance(value, str):
            try:
                parse_time(value)
            except ValueError as exc:
                yield Problem(pointer(*at, *where), str(exc), "rule")


def _vocab(value: Any, vocabulary: vocab.Vocabulary, *path: str | int) -> Iterator[Problem]:
    why = vocab.problem(vocabulary, value)
    if why is not None:
        yield Problem(pointer(*path), why, "vocabulary")


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _vocabularies(event: dict[str, Any], at: tuple[str | int, ...]) -> Iterator[Problem]:
    if "bizStep" in event:
        yield from _vocab(event["bizStep"], vocab.BIZ_STEP, *at, "bizStep")
    if "disposition" in event:
        yield from _vocab(event["disposition"], vocab.DISPOSITION, *at, "disposition")
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for key in ("set", "unset"):
            for i, value in _items(persistent.get(key)):
                yield from _vocab(value, vocab.DISPOSITION, *at, "persistentDisposition", key, i)
    for name, vocabulary in (
        ("bizTransactionList", vocab.BIZ_TRANSACTION_TYPE),
        ("sourceList", vocab.SOURCE_DEST_TYPE),
        ("destinationList", vocab.SOURCE_DEST_TYPE),
    ):
        for i, element in _items(event.get(name)):
            if isinstance(element, dict) and "type" in element:
                yield from _vocab(element["type"], vocabulary, *at, name, i, "type")
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict) and "reason" in declaration:
        yield from _vocab(declaration["reason"], vocab.ERROR_REASON, *at, "errorDeclaration", "reason")
    for i, element in _items(event.get("sensorElementList")):
        reports = element.get("sensorReport") if isinstance(element, dict) else None
        for j, report in _items(reports):
            if not isinstance(report, dict):
                continue
            for key, vocabulary in (
                ("type", vocab.MEASUREMENT_TYPE),
                ("exception", vocab.ALERT_TYPE),
                ("component", vocab.COMPONENT),
            ):
                if key in report:
                    yield from _vocab(report[key], vocabulary, *at, "sensorElementList", i, "sensorReport", j, key)


def _identifier(value: Any, want: str) -> str | None:
    """Why ``value`` is not a good identifier, or None. ``want``: "instance" (an EPC), "class"
    (an epcClass) or "any" (a place, a party, a document)."""
    if not isinstance(value, str):
        return "an identifier is a URI (a string)" if value is not None else None
    try:
        found = identifiers.parse_cached(value)
    except identifiers.IdentifierError as exc:
        return str(exc)
    if want == "instance" and found.level == "class":
        return "a class or pattern is not an EPC; list it in a quantity list"
    if want == "class" and found.level == "instance" and found.key.startswith(identifiers.CANONICAL_HOST):
        return "an epcClass names a class (a product, a lot, a pattern), not one instance"
    return None


def _identifiers(event: dict[str, Any], at: tuple[str | int, ...]) -> Iterator[Problem]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for name in EPC_LISTS:
        values = event.get(name)
        if isinstance(values, list):
            for i, value in enumerate(values):
                if (why := _identifier(value, "instance")) is not None:
                    found.append(((name, i), why))
    if "parentID" in event and (why := _identifier(event["parentID"], "instance")) is not None:
        found.append((("parentID",), why))
    for name in QUANTITY_LISTS:
        for i, element in _items(event.get(name)):
            if isinstance(element, dict) and (why := _identifier(element.get("epcClass"), "class")) is not None:
                found.append(((name, i, "epcClass"), why))
    for name in ("readPoint", "bizLocation"):
        place = event.get(name)
        if isinstance(place, dict) and (why := _identifier(place.get("id"), "any")) is not None:
            found.append(((name, "id"), why))
    for name, key in (
        ("sourceList", "source"),
        ("destinationList", "destination"),
        ("bizTransactionList", "bizTransaction"),
    ):
        for i, element in _items(event.get(name)):
            if isinstance(element, dict) and (why := _identifier(element.get(key), "any")) is not None:
                found.append(((name, i, key), why))
    for where, why in found:
        yield Problem(pointer(*at, *where), why, "identifier")
