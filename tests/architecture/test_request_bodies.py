"""Every JSON request body refuses a field it does not know, at any depth: a misspelt field left
out means its default, and a default can move money or lift a limit (a release's ``"amount"``
for ``amount_fen`` released everything; a prize's ``"stok"`` made it unlimited). The route
answers 422 ``extra_forbidden`` naming it (``yima.platform.types.RequestBody``)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel, Field

from tests.architecture.routes import api_routes
from yima.platform.types import RequestBody


def _models(annotation: object, seen: set[type]) -> Iterator[type[BaseModel]]:
    """The models a body of ``annotation`` is read into, nested ones included."""
    if typing.get_origin(annotation) is typing.Annotated:
        yield from _models(typing.get_args(annotation)[0], seen)
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict):
        for argument in typing.get_args(annotation):
            yield from _models(argument, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation, seen)


def _bodies(dependant: Dependant) -> Iterator[object]:
    for param in dependant.body_params:
        yield param.field_info.annotation
    for sub in dependant.dependencies:
        yield from _bodies(sub)


def _lenient(annotation: object) -> list[str]:
    return [m.__name__ for m in _models(annotation, set()) if m.model_config.get("extra") != "forbid"]


def test_the_rule_sees_a_lenient_model_inside_a_strict_one() -> None:
    class Inner(BaseModel):
        limit: int = 1

    class Outer(RequestBody):
        inner: list[Inner] = Field(default_factory=list)

    assert _lenient(Outer) == ["Inner"]
    assert _lenient(RequestBody) == []


def test_every_json_body_refuses_unknown_fields(app: FastAPI) -> None:
    problems = {
        f"{path}: {name} ignores unknown fields; derive it from yima.platform.types.RequestBody"
        for path, route in api_routes(app)
        for body in _bodies(route.dependant)
        for name in _lenient(body)
    }
    assert not problems, "\n".join(sorted(problems))
