"""Every moment a route takes (a query parameter, a header, a body field at any depth) carries
its offset: a naive ``2026-11-25T08:00:00`` names no moment — whose eight o'clock? — and, let
through, reaches a UTC column as a 500. ``yima.platform.types.Moment`` (or pydantic's
``AwareDatetime``) answers a naive one with a 422 naming the field."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from pydantic import AwareDatetime, BaseModel

from tests.architecture.routes import api_routes
from yima.platform.types import Moment


def _naive_fields(annotation: object, where: str, seen: set[type]) -> Iterator[str]:
    """Where under ``annotation`` a plain datetime is accepted."""
    if annotation is dt.datetime:
        yield where
    elif typing.get_origin(annotation) is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        if inner is dt.datetime and not any(isinstance(m, type(AwareDatetime())) for m in metadata):
            yield where
        elif inner is not dt.datetime:
            yield from _naive_fields(inner, where, seen)
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict):
        for argument in typing.get_args(annotation):
            yield from _naive_fields(argument, where, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            declared = typing.Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            yield from _naive_fields(declared, f"{annotation.__name__}.{name}", seen)


def _inputs(dependant: Dependant) -> Iterator[tuple[str, object]]:
    for param in (*dependant.query_params, *dependant.header_params, *dependant.body_params, *dependant.cookie_params):
        yield param.name, param.field_info.annotation
    for sub in dependant.dependencies:
        yield from _inputs(sub)


def test_the_rule_sees_a_naive_field_and_passes_a_moment() -> None:
    class Naive(BaseModel):
        when: dt.datetime | None = None
        nested: list[dict[str, dt.datetime]] = []

    class Aware(BaseModel):
        when: Moment | None = None
        also: AwareDatetime

    assert list(_naive_fields(Naive, "body", set())) == ["Naive.when", "Naive.nested"]
    assert list(_naive_fields(Aware, "body", set())) == []


def test_every_moment_a_route_takes_carries_its_offset(app: FastAPI) -> None:
    problems = []
    for path, route in api_routes(app):
        for name, annotation in _inputs(route.dependant):
            for where in _naive_fields(annotation, name, set()):
                problems.append(f"{path}: {where} takes a naive datetime; declare it yima.platform.types.Moment")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("value", ["2026-11-25T08:00:00", "2026-11-25"])
def test_a_naive_moment_is_refused(value: str) -> None:
    class Query(BaseModel):
        since: Moment

    with pytest.raises(ValueError, match="timezone"):
        Query.model_validate({"since": value})
    eight_in_beijing = Query.model_validate({"since": "2026-11-25T08:00:00+08:00"}).since
    assert eight_in_beijing == dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
