"""JSON payloads as the Dapr Python SDK writes and reads them.

Rules callers may rely on:

- ``to_json(obj)`` writes plain JSON. Dataclasses, namedtuples and ``SimpleNamespace`` objects
  become JSON objects carrying the marker key ``"__durabletask_autoobject__": true`` (the key
  the Dapr SDK uses), so the receiving side rebuilds them as ``SimpleNamespace``.
- Pydantic-style models (anything with ``model_dump`` and a class-level ``model_validate``)
  are written with ``model_dump(mode="json")`` and no marker. Pydantic is never imported.
- ``from_json(text)`` turns marked objects into ``SimpleNamespace`` and leaves other objects
  as ``dict``. With ``annotation`` naming a model class (or ``Optional[Model]``,
  ``list[Model]``), the decoded value is converted with ``Model.model_validate``.
- ``None``/empty text decodes to ``None``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import types
import typing
from types import SimpleNamespace
from typing import Any

AUTO_OBJECT_KEY = "__durabletask_autoobject__"


def is_model_class(cls: Any) -> bool:
    """True for a Pydantic-style model class (``model_validate`` and ``model_dump``)."""
    return (
        isinstance(cls, type)
        and callable(getattr(cls, "model_validate", None))
        and callable(getattr(cls, "model_dump", None))
    )


def is_model(obj: Any) -> bool:
    """True for an instance of a Pydantic-style model."""
    return not isinstance(obj, type) and is_model_class(type(obj))


def _is_namedtuple(obj: Any) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields") and hasattr(obj, "_asdict")


def _prepare(obj: Any) -> Any:
    """Turn namedtuples (anywhere in the tree) into marked dicts; json would make them lists."""
    if _is_namedtuple(obj):
        d = {k: _prepare(v) for k, v in obj._asdict().items()}
        d[AUTO_OBJECT_KEY] = True
        return d
    if isinstance(obj, dict):
        return {k: _prepare(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_prepare(v) for v in obj]
    return obj


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if is_model(o):
            return o.model_dump(mode="json")
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            d = {f.name: _prepare(getattr(o, f.name)) for f in dataclasses.fields(o)}
            d[AUTO_OBJECT_KEY] = True
            return d
        if isinstance(o, SimpleNamespace):
            d = {k: _prepare(v) for k, v in vars(o).items()}
            d[AUTO_OBJECT_KEY] = True
            return d
        return super().default(o)


def to_json(obj: Any) -> str:
    """Encode ``obj`` as JSON text by Dapr's rules. Raises ``TypeError`` for unencodable values."""
    return json.dumps(_prepare(obj), cls=_Encoder, ensure_ascii=False)


def _object_hook(d: dict[str, Any]) -> Any:
    if d.pop(AUTO_OBJECT_KEY, False):
        return SimpleNamespace(**d)
    return d


def _plain(value: Any) -> Any:
    """SimpleNamespace trees back to dicts, for model_validate."""
    if isinstance(value, SimpleNamespace):
        return {k: _plain(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def convert(value: Any, annotation: Any) -> Any:
    """Convert a decoded JSON value to ``annotation`` where it names a model class.

    Handles ``Model``, ``Optional[Model]``/``Model | None`` and ``list[Model]``; anything else
    returns ``value`` unchanged.
    """
    if annotation is None or value is None:
        return value
    if is_model_class(annotation):
        if isinstance(value, annotation):
            return value
        return annotation.model_validate(_plain(value))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, getattr(types, "UnionType", ())):
        models = [a for a in args if is_model_class(a)]
        if len(models) == 1:
            return convert(value, models[0])
        return value
    if origin in (list, typing.List) and len(args) == 1 and isinstance(value, list):  # noqa: UP006
        return [convert(v, args[0]) for v in value]
    return value


def from_json(text: str | None, annotation: Any = None) -> Any:
    """Decode JSON text by Dapr's rules; see the module docstring."""
    if text is None or text == "":
        return None
    value = json.loads(text, object_hook=_object_hook)
    return convert(value, annotation)


_PARAMS: dict[Any, tuple[bool, Any]] = {}  # input_parameter's answers, per function


def input_parameter(fn: Any) -> tuple[bool, Any]:
    """Whether ``fn(ctx, input)`` takes an input (a second positional parameter or
    ``*args``), and that parameter's annotation (None when absent or unresolvable).
    Answers are remembered per function (``inspect.signature`` costs tens of µs, and this
    runs for every activity and workflow turn); an unresolvable annotation is asked again."""
    try:
        return _PARAMS[fn]
    except (KeyError, TypeError):  # not seen yet, or not hashable
        pass
    out, final = _input_parameter(fn)
    if final and len(_PARAMS) < 10_000:
        with contextlib.suppress(TypeError):  # not hashable: asked each time
            _PARAMS[fn] = out
    return out


def _input_parameter(fn: Any) -> tuple[tuple[bool, Any], bool]:
    """(input_parameter's answer, whether it may be remembered)."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return (True, None), False
    params = [
        p
        for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if len(params) < 2 and not any(p.kind == p.VAR_POSITIONAL for p in params):
        return (False, None), True
    second = params[1] if len(params) >= 2 else params[-1]
    if second.kind == second.VAR_POSITIONAL or second.annotation is inspect.Parameter.empty:
        return (True, None), True
    annotation = second.annotation
    if isinstance(annotation, str):  # `from __future__ import annotations`
        try:
            annotation = typing.get_type_hints(fn).get(second.name)
        except Exception:  # an unresolvable forward reference (yet): no conversion
            return (True, None), False
    return (True, annotation), True
