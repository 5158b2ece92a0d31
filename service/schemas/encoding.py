"""Response bodies written straight from stored values, byte for byte as pydantic would write them.

A response's JSON is `Model.model_validate(values).model_dump_json()`. For values read back from
our own database – already of the types the model declares – that builds a Python object per item
(and per nested item) only to walk it back into JSON: measured in bench/ on a page of 50 stations,
ten times what orjson needs for the same bytes. `dump_json(Model, values)` writes the bytes from
the values themselves when every value is already what the model would hold (a `str` for a `str`,
a known member's value for an enumeration, a `dict` for a nested model …), and hands anything else
to pydantic: a value of another type, a model with validators, constraints, aliases or custom
serialisers it does not know, a number orjson cannot write. The plan for a model is compiled once
from its own field definitions; `tests/schemas/test_encoding.py` holds every response model of the
contract to pydantic's bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

import orjson
from pydantic import BaseModel, PlainSerializer
from pydantic.fields import FieldInfo

Convert = Callable[[Any], Any]
_OPTIONS = orjson.OPT_UTC_Z


class Fallback(Exception):  # noqa: N818 - control flow: let pydantic do it
    """A value (or a model) the direct path does not write; pydantic does."""


def dump_json(model: type[BaseModel], values: Mapping[str, Any]) -> bytes:
    """`model.model_validate(values).model_dump_json()`, without the model when it can."""
    encode = encoder(model)
    if encode is not None:
        try:
            return orjson.dumps(encode(values), option=_OPTIONS)
        except (Fallback, KeyError, orjson.JSONEncodeError):
            pass
    return model.model_validate(values).model_dump_json().encode()


@cache
def encoder(model: type[BaseModel]) -> Convert | None:
    """The direct plan for `model`'s values, or None when only pydantic can write it."""
    try:
        return _Compiler().model(model)
    except Fallback:
        return None


def _fallback(*_: Any) -> Any:
    raise Fallback


class _Compiler:
    """Writes one Python function per model: a straight run of type checks and conversions
    (what `dataclasses` and `attrs` do for their generated methods), several times faster than
    a closure per field."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "Fallback": Fallback,
            "_f": _fallback,
            "UUID": uuid.UUID,
            "datetime": dt.datetime,
            "date": dt.date,
            "_uuid_text": _uuid_text,
            "_date_text": _date_text,
            "str": str,
            "int": int,
            "float": float,
            "bool": bool,
            "list": list,
            "dict": dict,
        }
        self.models: dict[type[BaseModel], str] = {}
        self.counter = 0

    def name(self, prefix: str, value: Any) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        self.namespace[name] = value
        return name

    def model(self, model: type[BaseModel]) -> Convert:
        name = self.models.get(model)
        if name is None:
            name = self.compile_model(model)
        function: Convert = self.namespace[name]
        return function

    def compile_model(self, model: type[BaseModel]) -> str:
        _check_model(model)
        function = f"encode_{len(self.models)}_{model.__name__}"
        self.models[model] = function
        lines = [f"def {function}(values):", "    if values.__class__ is not dict: _f()"]
        for index, (field_name, field) in enumerate(model.model_fields.items()):
            if field.exclude or field.alias or field.serialization_alias or field.validation_alias:
                raise Fallback
            if field.validate_default:
                raise Fallback
            key = repr(field_name)
            variable = f"v{index}"
            if field.is_required():
                lines.append(f"    {variable} = values[{key}]")
            else:
                factory = self.name(
                    "default_", lambda f=field: f.get_default(call_default_factory=True)
                )
                lines.append(f"    {variable} = values[{key}] if {key} in values else {factory}()")
            lines.append(f"    {variable} = {self.field(field, variable)}")
        fields = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(model.model_fields))
        lines.append(f"    return {{{fields}}}")
        exec("\n".join(lines), self.namespace)  # noqa: S102 - our own generated source
        return function

    def field(self, field: FieldInfo, value: str) -> str:
        serializers = [m for m in field.metadata if isinstance(m, PlainSerializer)]
        if len(serializers) != len(field.metadata):
            raise Fallback  # constraints or validators on the field itself
        return self.serialised(self.type(field.annotation, value, 0), serializers)

    def serialised(self, expression: str, serializers: list[PlainSerializer]) -> str:
        if not serializers:
            return expression
        if len(serializers) > 1 or serializers[0].when_used != "always":
            raise Fallback
        function = serializers[0].func
        code = getattr(function, "__code__", None)
        if code is None or code.co_argcount != 1:
            raise Fallback
        return f"{self.name('serialise_', function)}({expression})"

    def type(self, annotation: Any, value: str, depth: int) -> str:  # noqa: C901, PLR0911, PLR0912 - a case per kind
        """An expression: `value` (a plain name) as JSON-ready data, or a call that raises."""
        origin = get_origin(annotation)
        if origin is Annotated:
            inner, *metadata = get_args(annotation)
            serializers = [m for m in metadata if isinstance(m, PlainSerializer)]
            infos = [m for m in metadata if isinstance(m, FieldInfo)]
            if len(serializers) + len(infos) != len(metadata) or any(i.metadata for i in infos):
                raise Fallback
            return self.serialised(self.type(inner, value, depth), serializers)
        if origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1 or len(get_args(annotation)) != 2:  # noqa: PLR2004 - X | None
                raise Fallback
            return f"(None if {value} is None else {self.type(options[0], value, depth)})"
        if origin is list:
            (item,) = get_args(annotation) or (Any,)
            each = f"x{depth}"
            inner = self.type(item, each, depth + 1)
            return f"([{inner} for {each} in {value}] if {value}.__class__ is list else _f())"
        if origin is Literal:
            choices = frozenset(get_args(annotation))
            if not all(type(choice) is str for choice in choices):
                raise Fallback
            allowed = self.name("choices_", choices)
            return f"({value} if {value}.__class__ is str and {value} in {allowed} else _f())"
        if origin is not None or not isinstance(annotation, type):
            raise Fallback
        if issubclass(annotation, BaseModel):
            function = self.models.get(annotation) or self.compile_model(annotation)
            return f"({function}({value}) if {value}.__class__ is dict else _f())"
        if issubclass(annotation, Enum):
            values = frozenset(member.value for member in annotation)
            if not all(type(v) is str for v in values):
                raise Fallback
            allowed = self.name("members_", values)
            member = self.name("member_", _member_value(annotation))
            known = f"{value}.__class__ is str and {value} in {allowed}"
            return f"({value} if {known} else {member}({value}))"
        if annotation is uuid.UUID:  # an object, or text already in the form pydantic writes
            return f"(str({value}) if isinstance({value}, UUID) else _uuid_text({value}))"
        if annotation is dt.date:  # JSON columns keep dates as ISO text
            return f"({value} if {value}.__class__ is date else _date_text({value}))"
        simple = {
            bool: "bool",
            int: "int",
            float: "float",
            str: "str",
            dt.datetime: "datetime",
        }
        if annotation in simple:
            return f"({value} if {value}.__class__ is {simple[annotation]} else _f())"
        raise Fallback


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CANONICAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _uuid_text(value: Any) -> str:
    """A UUID stored as text, when it is already lower-case and hyphenated (as pydantic
    writes it); any other spelling goes to pydantic."""
    if value.__class__ is str and _CANONICAL_UUID.fullmatch(value):
        return value
    raise Fallback


def _date_text(value: Any) -> str:
    """A date stored as ISO text (`2026-03-01`), when it is a real date in that very form."""
    if value.__class__ is str and _CANONICAL_DATE.fullmatch(value):
        try:
            if dt.date.fromisoformat(value).isoformat() == value:
                return value
        except ValueError:
            pass
    raise Fallback


def _check_model(model: type[BaseModel]) -> None:
    config = model.model_config
    decorators = model.__pydantic_decorators__
    if (
        config.get("extra") not in (None, "ignore")
        or config.get("serialize_by_alias")
        or config.get("use_enum_values")
        or config.get("ser_json_inf_nan", "null") != "null"
        or model.__pydantic_root_model__
        or any(
            getattr(decorators, kind)
            for kind in (
                "validators",
                "field_validators",
                "root_validators",
                "field_serializers",
                "model_serializers",
                "model_validators",
                "computed_fields",
            )
        )
    ):
        raise Fallback


def _member_value(enumeration: type[Enum]) -> Convert:
    def value_of(member: Any) -> str:
        if isinstance(member, enumeration):
            return str(member.value)
        raise Fallback

    return value_of


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class View(Generic[M]):
    """Stored values as response model `model` shows them: written by `dump_json`, validated
    into a model only when code asks for one."""

    model: type[M]
    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def validated(self) -> M:
        """The response model itself (pydantic validates the values)."""
        return self.model.model_validate(self.values)

    def json(self) -> bytes:
        """The response body."""
        return dump_json(self.model, self.values)
