"""Validation: the GS1 schema plus the rules it misses, every problem with its JSON pointer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.trace.factories import bottle, document, invalid_documents, load, object_event, valid_documents
from yima.trace.epcis.validation import Problem, validate


def _problems(*events: dict[str, Any], context: list[Any] | None = None) -> list[Problem]:
    return validate(document(*events, context=context))


def _where(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in problems}


@pytest.mark.parametrize("path", valid_documents(), ids=lambda p: p.name)
def test_every_valid_example_is_accepted(path: Path) -> None:
    assert validate(load(path)) == []


@pytest.mark.parametrize("path", invalid_documents(), ids=lambda p: p.name)
def test_every_invalid_document_is_refused_with_where(path: Path) -> None:
    problems = validate(load(path))
    assert problems
    assert all(p.path == "" or p.path.startswith("/") for p in problems)


def test_the_examples_are_all_there() -> None:
    assert len(valid_documents()) == 34
    assert len(invalid_documents()) == 15


def test_problems_of_several_events_are_all_listed() -> None:
    problems = validate(load(next(p for p in invalid_documents() if p.name.startswith("Combination_of_multiple"))))
    assert {p.path for p in problems} >= {
        "/epcisBody/eventList/0/bizStep",
        "/epcisBody/eventList/1/disposition",
        "/epcisBody/eventList/2/sourceList/0/type",
        "/epcisBody/eventList/3/ilmd",
        "/epcisBody/eventList/4/eventTime",
        "/epcisBody/eventList/4/action",
    }


class TestAggregationParent:
    @pytest.mark.parametrize("action", ["ADD", "DELETE"])
    def test_add_and_delete_need_a_parent(self, action: str) -> None:
        event = {**object_event(), "type": "AggregationEvent", "action": action, "childEPCs": [bottle()]}
        del event["epcList"]
        assert _where(_problems(event)) == {("/epcisBody/eventList/0", "rule")}

    def test_observe_does_not(self) -> None:
        event = {**object_event(), "type": "AggregationEvent", "childEPCs": [bottle()]}
        del event["epcList"]
        assert _problems(event) == []

    def test_with_a_parent_all_is_well(self) -> None:
        event = {**object_event(), "type": "AggregationEvent", "action": "ADD", "childEPCs": [bottle()]}
        event["parentID"] = "urn:epc:id:sscc:6901234.0000000001"
        del event["epcList"]
        assert _problems(event) == []


class TestVocabulary:
    def test_bare_words_and_custom_uris_are_accepted(self) -> None:
        assert (
            _problems(object_event(bizStep="receiving"), object_event(bizStep="https://brand.cn/step/bottling")) == []
        )

    def test_cbv_web_uris_of_real_terms_are_accepted(self) -> None:
        assert _problems(object_event(disposition="https://ref.gs1.org/cbv/Disp-in_transit")) == []

    def test_a_cbv_web_uri_must_name_a_real_term(self) -> None:
        problems = _problems(object_event(bizStep="https://ref.gs1.org/cbv/BizStep-teleporting"))
        assert [(p.path, p.message) for p in problems] == [
            ("/epcisBody/eventList/0/bizStep", "'teleporting' is not a CBV bizStep")
        ]

    def test_cbv_urns_are_refused(self) -> None:
        """The schema only says no form fits; the rule says why, and is the one reported."""
        problems = _problems(object_event(bizStep="urn:epcglobal:cbv:bizstep:shipping"))
        assert [(p.path, p.code) for p in problems] == [("/epcisBody/eventList/0/bizStep", "vocabulary")]
        assert "bare word" in problems[0].message

    def test_extension_events_are_held_to_the_same_vocabulary(self) -> None:
        """The schema checks next to nothing of an extension event type."""
        event = object_event(
            type="https://brand.cn/epcis/TastingEvent", bizStep="tasting", disposition="urn:epcglobal:cbv:disp:active"
        )
        assert _where(_problems(event)) == {
            ("/epcisBody/eventList/0/bizStep", "vocabulary"),
            ("/epcisBody/eventList/0/disposition", "vocabulary"),
        }

    def test_persistent_dispositions_and_types_in_lists(self) -> None:
        event = object_event(
            type="https://brand.cn/epcis/TastingEvent",
            persistentDisposition={"set": ["completeness_verified", "sparkling"]},
            sourceList=[{"type": "somewhere", "source": "urn:epc:id:pgln:6901234.00001"}],
        )
        assert _where(_problems(event)) == {
            ("/epcisBody/eventList/0/persistentDisposition/set/1", "vocabulary"),
            ("/epcisBody/eventList/0/sourceList/0/type", "vocabulary"),
        }


class TestIdentifiers:
    def test_a_wrong_check_digit_is_refused_where_it_is(self) -> None:
        event = object_event(epcList=[bottle(), "https://m.brand.cn/01/06901234567891/21/7"])
        [problem] = _problems(event)
        assert problem.path == "/epcisBody/eventList/0/epcList/1"
        assert "check digit" in problem.message

    def test_malformed_epc_uris_anywhere(self) -> None:
        event = object_event(
            readPoint={"id": "urn:epc:id:sgln:6901234.1.0"},
            quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.1.L", "quantity": 1}],
            destinationList=[{"type": "location", "destination": "https://id.gs1.org/414/6901234000011"}],
        )
        packing = {**object_event(), "type": "AggregationEvent", "action": "ADD", "childEPCs": [bottle()]}
        packing["parentID"] = "urn:epc:id:sscc:6901234.1"
        del packing["epcList"]
        assert {p.path for p in _problems(event, packing)} == {
            "/epcisBody/eventList/0/readPoint/id",
            "/epcisBody/eventList/0/quantityList/0/epcClass",
            "/epcisBody/eventList/0/destinationList/0/destination",
            "/epcisBody/eventList/1/parentID",
        }

    def test_classes_go_in_quantity_lists_and_instances_in_epc_lists(self) -> None:
        event = object_event(
            epcList=["urn:epc:idpat:sgtin:6901234.056789.*"],
            quantityList=[{"epcClass": bottle(), "quantity": 1}],
        )
        assert {p.path for p in _problems(event)} == {
            "/epcisBody/eventList/0/epcList/0",
            "/epcisBody/eventList/0/quantityList/0/epcClass",
        }

    def test_yima_unit_urls_and_private_uris_are_epcs(self) -> None:
        event = object_event(epcList=["https://m.brand.cn/c/ABC0123456789ABCDEFG", "urn:example:cask:17"])
        assert _problems(event) == []


class TestEventsAndDocuments:
    @pytest.mark.parametrize("offset", ["+8:00", "+15:00", "08:00", "Z", "+08:60"])
    def test_time_zone_offsets(self, offset: str) -> None:
        assert _where(_problems(object_event(eventTimeZoneOffset=offset))) == {
            ("/epcisBody/eventList/0/eventTimeZoneOffset", "schema")
        }

    def test_event_times_need_their_offset(self) -> None:
        assert _where(_problems(object_event(eventTime="2024-05-01T10:00:00"))) == {
            ("/epcisBody/eventList/0/eventTime", "schema")
        }

    def test_one_event_id_cannot_name_two_events(self) -> None:
        first = object_event(eventID="urn:uuid:6b1c8e0c-1c4d-4a43-8b7a-2b9a0f7c1d11")
        second = {**first, "bizStep": "receiving"}
        assert _where(_problems(first, second)) == {("/epcisBody/eventList/1/eventID", "rule")}
        assert _problems(first, dict(first)) == []

    def test_ni_event_ids_have_their_shape(self) -> None:
        assert _where(_problems(object_event(eventID="ni:sha-256;abc"))) == {("/epcisBody/eventList/0/eventID", "rule")}

    def test_not_a_document(self) -> None:
        assert validate([1, 2])[0].code == "document"
        assert {p.path for p in validate({"type": "ObjectEvent"})} >= {"/type"}

    def test_a_flood_of_problems_is_cut_short_and_counted(self) -> None:
        problems = _problems(*[object_event(bizStep="https://ref.gs1.org/cbv/BizStep-x") for _ in range(1200)])
        assert len(problems) == 1001
        assert problems[-1].message.startswith("… and ")


class TestExtensionEventsStoreSafely:
    """The schema checks little of an extension event type; what yima stores must still fit."""

    def test_shapes(self) -> None:
        event = object_event(
            type="https://brand.cn/epcis/TastingEvent",
            action="SIP",
            epcList="https://id.gs1.org/01/06901234567892/21/1",
            childEPCs=[17],
            quantityList=[{"epcClass": 5}],
        )
        assert _where(_problems(event)) == {
            ("/epcisBody/eventList/0/action", "rule"),
            ("/epcisBody/eventList/0/epcList", "rule"),
            ("/epcisBody/eventList/0/childEPCs/0", "identifier"),
            ("/epcisBody/eventList/0/quantityList/0/epcClass", "identifier"),
        }

    def test_times_out_of_range(self) -> None:
        event = object_event(type="https://brand.cn/epcis/TastingEvent", eventTime="0001-01-01T00:00:00+14:00")
        assert ("/epcisBody/eventList/0/eventTime", "rule") in _where(_problems(event))


class TestMessages:
    """Every problem says what is wrong in words, not only that a value fits no schema form."""

    def test_a_non_standard_word_is_named(self) -> None:
        problems = _problems(object_event(bizStep="transforming"), object_event(disposition="in_transport"))
        assert [(p.path, p.code) for p in problems] == [
            ("/epcisBody/eventList/0/bizStep", "vocabulary"),
            ("/epcisBody/eventList/1/disposition", "vocabulary"),
        ]
        assert "'transforming' is not a standard bizStep" in problems[0].message
        assert "'in_transport' is not a standard disposition" in problems[1].message

    def test_an_event_naming_nothing_says_what_it_needs(self) -> None:
        problems = _problems(object_event(epcList=None))
        assert [(p.path, p.code) for p in problems] == [("/epcisBody/eventList/0", "schema")]
        assert '"epcList" is a required property' in problems[0].message
        assert '"quantityList" is a required property' in problems[0].message

    def test_a_wrong_action_is_one_problem_where_it_is(self) -> None:
        problems = _problems(object_event(action="CREATE"))
        assert [(p.path, p.code) for p in problems] == [("/epcisBody/eventList/0/action", "schema")]
        assert '"CREATE"' in problems[0].message

    @pytest.mark.parametrize("path", invalid_documents(), ids=lambda p: p.name)
    def test_no_invalid_document_gets_only_a_vague_answer(self, path: Path) -> None:
        for problem in validate(load(path)):
            assert problem.message and "not valid under any of the schemas" not in problem.message
            assert problem.message != "fits none of the forms the schema allows: "
