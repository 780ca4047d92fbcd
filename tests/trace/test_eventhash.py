"""The CBV 2.0 event hash: published known answers, and what must and must not change it."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trace.factories import DATA, bottle, load, object_event
from yima.trace.epcis import eventhash
from yima.trace.epcis.eventhash import canonical_time, event_hash, pre_hash, prefixes_of

VECTORS = DATA / "hashvectors"


def _events(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["epcisBody"]["eventList"])


def _pre_hashes(document: dict[str, Any]) -> list[str]:
    return [pre_hash(e, prefixes_of(document["@context"], e.get("@context"))) for e in _events(document)]


def _hashes(document: dict[str, Any]) -> list[str]:
    return [event_hash(e, prefixes_of(document["@context"], e.get("@context"))) for e in _events(document)]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


class TestKnownAnswers:
    """Vectors of the GS1 reference implementation's CBV 2.0 profile (tests/trace/data/README.md)."""

    @pytest.mark.parametrize(
        "name", ["epcisDocWithSingleEvent", "TimeStampRoundOff", "epcisDocWithSensorDataObjectEvent"]
    )
    def test_hashes(self, name: str) -> None:
        assert _hashes(load(VECTORS / f"{name}.jsonld")) == _lines(VECTORS / f"{name}.hashes")

    def test_time_stamps_round_half_up_to_milliseconds(self) -> None:
        document = load(VECTORS / "TimeStampRoundOff.jsonld")
        assert _pre_hashes(document) == _lines(VECTORS / "TimeStampRoundOff.prehashes")

    def test_every_gs1_key_in_urn_and_digital_link_forms(self) -> None:
        document = load(DATA / "openepcis" / "valid" / "epcisDocWithAllGS1Keys.json")
        assert _pre_hashes(document) == _lines(VECTORS / "epcisDocWithAllGS1Keys.prehashes")

    def test_object_event_with_every_field_ilmd_sensors_and_nested_extensions(self) -> None:
        document = load(
            DATA / "gs1" / "JSON" / "WithFullCombinationOfFields" / "object_event_all_possible_fields.jsonld"
        )
        assert _pre_hashes(document) == _lines(VECTORS / "object_event_all_possible_fields.prehashes")

    def test_aggregation_event_with_every_field(self) -> None:
        path = DATA / "gs1" / "JSON" / "WithFullCombinationOfFields" / "aggregation_event_all_possible_fields.jsonld"
        document = load(path)
        # the reference's copy of this example writes its sensor component as a custom CURIE
        document["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]["component"] = "example:x"
        assert _pre_hashes(document) == _lines(VECTORS / "aggregation_event_all_possible_fields.prehashes")

    def test_the_hash_is_the_sha256_of_the_pre_hash_in_an_ni_uri(self) -> None:
        [event] = _events(load(VECTORS / "epcisDocWithSingleEvent.jsonld"))
        digest = event_hash(event, prefixes_of([]))
        assert digest.startswith("ni:///sha-256;") and digest.endswith("?ver=CBV2.0")
        assert len(digest.split(";")[1].split("?")[0]) == 64


class TestCanonicalValues:
    @pytest.mark.parametrize(
        ("given", "canonical"),
        [
            ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
            ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
            ("2023-02-02T19:04:03+08:00", "2023-02-02T11:04:03.000Z"),
            ("2023-12-31T23:59:59.9996-01:00", "2024-01-01T01:00:00.000Z"),
            ("2022-02-16T20:33:31.116000-06:00", "2022-02-17T02:33:31.116Z"),
        ],
    )
    def test_times(self, given: str, canonical: str) -> None:
        assert canonical_time(given) == canonical

    @pytest.mark.parametrize(("given", "canonical"), [(1.0, "1"), ("23.0", "23"), (0.3434, "0.3434"), (200, "200")])
    def test_numbers_lose_trailing_zeros(self, given: Any, canonical: str) -> None:
        assert eventhash.canonical_value(given, {}) == canonical


# properties --------------------------------------------------------------------------------


def _sample() -> dict[str, Any]:
    return object_event(
        epcList=[bottle(1), bottle(2), "urn:epc:id:sgtin:6901234.056789.X9"],
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.056789.L1", "quantity": 2.50, "uom": "KGM"}],
        bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000014:PO-1"}],
        ilmd={"ext:lot": "L1", "ext:made": {"ext:line": "3"}},
        **{"ext:note": "  hand packed  "},
    )


_EXT = [{"ext": "https://ns.brand.cn/epcis/"}]


def _hash(event: dict[str, Any], context: list[Any] | None = None) -> str:
    return event_hash(event, prefixes_of(context if context is not None else _EXT))


@settings(max_examples=40)
@given(st.randoms(use_true_random=False))
def test_field_and_list_order_do_not_matter(rng: random.Random) -> None:
    event = _sample()
    shuffled = dict(rng.sample(list(event.items()), len(event)))
    shuffled["epcList"] = rng.sample(event["epcList"], len(event["epcList"]))
    shuffled["ilmd"] = dict(rng.sample(list(event["ilmd"].items()), 2))
    assert _hash(shuffled) == _hash(event)


@settings(max_examples=40)
@given(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True).filter(lambda p: p not in ("gs1", "cbv", "epcis")))
def test_namespace_prefixes_do_not_matter(prefix: str) -> None:
    renamed = json.loads(json.dumps(_sample()).replace('"ext:', f'"{prefix}:'))
    assert _hash(renamed, [{prefix: "https://ns.brand.cn/epcis/"}]) == _hash(_sample())


@settings(max_examples=40)
@given(st.sampled_from(["+08:00", "+00:00", "-05:30", "+14:00"]))
def test_time_zone_of_the_written_time_does_not_matter(zone: str) -> None:
    import datetime as dt

    moment = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    offset = dt.timedelta(hours=hours, minutes=minutes) * (1 if zone[0] == "+" else -1)
    local = moment.astimezone(dt.timezone(offset)).isoformat()
    assert _hash(object_event(epcList=[bottle(1)], eventTime=local)) == _hash(
        object_event(epcList=[bottle(1)], eventTime="2024-05-01T02:00:00Z")
    )


def test_whitespace_number_forms_and_identifier_forms_do_not_matter() -> None:
    event = _sample()
    other = copy.deepcopy(event)
    other["ext:note"] = "hand packed"
    other["quantityList"][0]["quantity"] = 2.5
    other["epcList"][2] = "https://brand.example.cn/01/06901234567892/21/X9"
    other["bizStep"] = "https://ref.gs1.org/cbv/BizStep-shipping"
    assert _hash(other) == _hash(event)


def test_identity_free_fields_do_not_matter() -> None:
    event = _sample()
    annotated = {
        **event,
        "eventID": "urn:uuid:0f8c6a4e-4f0e-4f51-9d57-3c1b2b7a9e10",
        "recordTime": "2030-01-01T00:00:00Z",
        "errorDeclaration": {"declarationTime": "2030-01-01T00:00:00Z", "reason": "incorrect_data"},
        "certificationInfo": "https://cert.example.com/1",
    }
    assert _hash(annotated) == _hash(event)


@pytest.mark.parametrize(
    "change",
    [
        {"action": "ADD"},
        {"bizStep": "receiving"},
        {"disposition": "in_progress"},
        {"eventTime": "2024-05-01T10:00:00.001+08:00"},
        {"eventTimeZoneOffset": "+09:00"},
        {"readPoint": {"id": "urn:epc:id:sgln:6901234.00001.1"}},
        {"bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"}},
        {"ext:note": "machine packed"},
        {"ilmd": {"ext:lot": "L2", "ext:made": {"ext:line": "3"}}},
    ],
)
def test_any_change_of_content_changes_the_hash(change: dict[str, Any]) -> None:
    assert _hash({**_sample(), **change}) != _hash(_sample())


def test_a_removed_or_added_epc_changes_the_hash() -> None:
    event = _sample()
    assert _hash({**event, "epcList": event["epcList"][:2]}) != _hash(event)
    assert _hash({**event, "epcList": [*event["epcList"], bottle(3)]}) != _hash(event)
