"""Dapr's JSON rules: objects as SimpleNamespace, model classes by annotation."""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Optional

import pytest

from wfctl.engine.serialization import (
    AUTO_OBJECT_KEY,
    from_json,
    input_parameter,
    is_model,
    to_json,
)


@dataclass
class Point:
    x: int
    y: int


Pair = namedtuple("Pair", "left right")


class Order:
    """A Pydantic-style model without Pydantic."""

    def __init__(self, name: str, cost: float) -> None:
        self.name, self.cost = name, cost

    def model_dump(self, mode: str = "python") -> dict:
        assert mode == "json"
        return {"name": self.name, "cost": self.cost}

    @classmethod
    def model_validate(cls, data: dict) -> Order:
        return cls(**data)


def test_strings_and_plain_values_are_json_text():
    assert to_json("done") == '"done"'
    assert to_json({"a": [1, 2.5, None, True]}) == '{"a": [1, 2.5, null, true]}'
    assert from_json('"done"') == "done"
    assert from_json(None) is None and from_json("") is None


def test_dataclass_namedtuple_and_namespace_round_trip_as_simple_namespace():
    for obj in (Point(1, 2), Pair(1, 2), SimpleNamespace(x=1, y=2)):
        text = to_json(obj)
        assert json.loads(text)[AUTO_OBJECT_KEY] is True
        back = from_json(text)
        assert isinstance(back, SimpleNamespace)
    assert from_json(to_json(Point(1, 2))) == SimpleNamespace(x=1, y=2)
    assert from_json(to_json(Pair("a", "b"))) == SimpleNamespace(left="a", right="b")


def test_nested_objects_and_the_original_namespace_is_not_changed():
    ns = SimpleNamespace(p=Point(3, 4), pairs=[Pair(1, 2)])
    back = from_json(to_json(ns))
    assert back.p == SimpleNamespace(x=3, y=4)
    assert back.pairs == [SimpleNamespace(left=1, right=2)]
    assert vars(ns).keys() == {"p", "pairs"}


def test_plain_dicts_stay_dicts():
    assert from_json('{"a": {"b": 1}}') == {"a": {"b": 1}}


def test_models_dump_without_marker_and_load_by_annotation():
    order = Order("Paperclips", 9.5)
    assert is_model(order) and not is_model(Order)
    text = to_json(order)
    assert json.loads(text) == {"name": "Paperclips", "cost": 9.5}
    back = from_json(text, Order)
    assert isinstance(back, Order) and back.name == "Paperclips"
    assert isinstance(from_json(text, Optional[Order]), Order)  # noqa: UP045
    assert isinstance(from_json(text, Order | None), Order)
    (item,) = from_json(f"[{text}]", list[Order])
    assert isinstance(item, Order)
    assert from_json(text, dict) == {"name": "Paperclips", "cost": 9.5}


def test_unencodable_values_raise_type_error():
    with pytest.raises(TypeError):
        to_json(object())


def test_input_parameter_reads_the_second_parameter_and_string_annotations():
    def none(ctx):
        pass

    def untyped(ctx, data):
        pass

    def typed(ctx, data: Order):
        pass

    def stringly(ctx, data: "Order"):  # noqa: UP037 - as under `from __future__ import annotations`
        pass

    def star(ctx, *rest):
        pass

    assert input_parameter(none) == (False, None)
    assert input_parameter(untyped) == (True, None)
    assert input_parameter(typed) == (True, Order)
    assert input_parameter(stringly) == (True, Order)
    assert input_parameter(star) == (True, None)


def test_input_parameter_answers_are_remembered_but_not_unresolved_ones():
    from wfctl.engine import serialization

    def later(ctx, data: "NotYetDefined"):  # noqa: F821, UP037
        pass

    def plain(ctx, data):
        pass

    assert input_parameter(later) == (True, None)  # unresolvable for now
    assert later not in serialization._PARAMS
    later.__globals__["NotYetDefined"] = Order
    try:
        assert input_parameter(later) == (True, Order)  # asked again, now resolvable
    finally:
        del later.__globals__["NotYetDefined"]
    assert input_parameter(plain) == (True, None)
    assert serialization._PARAMS[plain] == (True, None)
