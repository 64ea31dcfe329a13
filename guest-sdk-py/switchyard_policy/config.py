"""Reading a policy's configuration string into a typed config.

Configs are JSON objects; an empty or blank string means "all defaults". Declare the config as
a dataclass whose every field has a default; annotations say what each field accepts, and
`typing.Annotated[int, Range(lo, hi)]` bounds a number:

    @dataclass
    class Config:
        ring_timeout_ms: RingTimeout = DEFAULT_RING_TIMEOUT_MS
        max_targets: Optional[PositiveInt] = None

    parse(Config, "")                      # Config(20000, None)
    parse(Config, '{"max_target": 2}')     # ConfigError: unknown field `max_target` ...

Supported annotations: `int`, `float`, `str`, `bool`, `Optional[T]`, `List[T]`,
`Dict[str, T]`, `Literal[...]`, nested dataclasses, and `Annotated[T, Range(...)]`. Unknown and
duplicate fields are errors; messages name the field's path and give a hint, like the Rust
SDK's `ConfigError`.
"""

import dataclasses
import json
import typing
from dataclasses import dataclass
from typing import Any, Optional, Type, TypeVar, Union

from .host import Host
from .plan import MAX_RING_TIMEOUT_MS, MIN_RING_TIMEOUT_MS
from .types import Level

C = TypeVar("C")

_HINT_SYNTAX = "write a JSON object such as {}, or leave the config empty for the defaults"
_HINT_UNKNOWN = "fix the field's spelling or remove it"
_HINT_OBJECT = "the config must be a JSON object such as {}"
_HINT_VALUE = "check the value against the policy's documented config"


class ConfigError(Exception):
    """Why a config was refused: it did not parse as the policy's config type, or the policy's
    own check refused it. `str(error)` is what the person editing the config reads."""

    def __init__(self, message: str, path: str = ".", hint: Optional[str] = None):
        self.message = message
        #: Where in the config the problem is, e.g. `hours[0].open`; `.` for the top level.
        self.path = path
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = "" if self.path == "." else f" field `{self.path}`"
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"invalid policy config{where}: {self.message}{hint}"


@dataclass(frozen=True)
class Range:
    """Inclusive bounds of a number: `Annotated[int, Range(1, 10)]`; None means unbounded."""

    min: Optional[float] = None
    max: Optional[float] = None

    def check(self, value: float) -> Optional[str]:
        """Why `value` is out of range, or None."""
        low = "" if self.min is None else _num(self.min)
        high = "" if self.max is None else _num(self.max)
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            return f"{_num(value)} is out of range {low}..={high}"
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


#: How long to ring each target, milliseconds (1 000..=120 000).
RingTimeout = typing.Annotated[int, Range(MIN_RING_TIMEOUT_MS, MAX_RING_TIMEOUT_MS)]
#: A whole number of at least 1.
PositiveInt = typing.Annotated[int, Range(1, None)]


def parse(cls: Type[C], config: str) -> C:
    """Parses `config` as the dataclass `cls`; an empty or blank string gives `cls()`.

    Raises `ConfigError` if `config` is not a JSON object matching `cls`."""
    if not config.strip():
        return cls()
    if not config.lstrip().startswith("{"):
        raise ConfigError("expected a JSON object", ".", _HINT_OBJECT)
    value = _load_json(config)
    return _convert(cls, value, ".")


def check(cls: type, config: str) -> None:
    """`parse` for `Policy.check_config`: returns when `config` parses, raises `ConfigError`
    otherwise."""
    parse(cls, config)


def check_json(config: str) -> None:
    """Accepts an empty string or any valid JSON (the check of policies without a config
    type); raises `ConfigError` otherwise."""
    if config.strip():
        _load_json(config)


def load(host: Host, cls: Type[C], config: str) -> C:
    """`parse` for use while routing: a config that does not parse is logged at error level
    and replaced by `cls()`, so calls keep flowing (the host checks configs with
    `check-config` before storing them, so this only happens with a stored config that
    predates a stricter policy version)."""
    try:
        return parse(cls, config)
    except ConfigError as err:
        host.log(Level.ERROR, f"{err}; using the default config")
        return cls()


def _load_json(text: str) -> Any:
    def pairs(items: list) -> dict:
        seen: dict = {}
        for key, value in items:
            if key in seen:
                raise ConfigError(f"duplicate field `{key}`", ".", _HINT_UNKNOWN)
            seen[key] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as err:
        raise ConfigError(str(err), ".", _HINT_SYNTAX) from None


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return ("" if path == "." else path) + part
    return part if path == "." else f"{path}.{part}"


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        converted = _convert(args[0], value, path)
        for rule in args[1:]:
            if isinstance(rule, Range):
                problem = rule.check(converted)
                if problem:
                    raise ConfigError(problem, path, _HINT_VALUE)
        return converted
    if origin is Union:
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _convert(rest[0], value, path)
        for option in rest:
            try:
                return _convert(option, value, path)
            except ConfigError:
                continue
        raise ConfigError(f"{_describe(value)} matches none of the accepted forms", path,
                          _HINT_VALUE)
    if origin is typing.Literal:
        if value in args and not isinstance(value, bool):
            return value
        expected = ", ".join(f"`{a}`" for a in args)
        raise ConfigError(f"unknown variant {_describe(value)}, expected one of {expected}",
                          path, _HINT_VALUE)
    if origin in (list, typing.List):
        if not isinstance(value, list):
            raise _wrong(value, "a list", path)
        return [_convert(args[0] if args else Any, v, _join(path, f"[{i}]"))
                for i, v in enumerate(value)]
    if origin in (dict, typing.Dict):
        if not isinstance(value, dict):
            raise _wrong(value, "a JSON object", path)
        inner = args[1] if len(args) == 2 else Any
        return {k: _convert(inner, v, _join(path, k)) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, path)
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _wrong(value, "a boolean", path)
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _wrong(value, "an integer", path)
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _wrong(value, "a number", path)
    if tp is str:
        if isinstance(value, str):
            return value
        raise _wrong(value, "a string", path)
    raise TypeError(f"config field `{path}`: unsupported annotation {_type_name(tp)}")


def _convert_dataclass(tp: Any, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        raise _wrong(value, f"a JSON object ({_type_name(tp)})", path)
    hints = typing.get_type_hints(tp, include_extras=True)
    fields = {f.name: f for f in dataclasses.fields(tp) if f.init}
    for key in value:
        if key not in fields:
            raise ConfigError(f"unknown field `{key}`, {_expected(list(fields))}",
                              _join(path, key), _HINT_UNKNOWN)
    kwargs = {}
    for name, field in fields.items():
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], _join(path, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"missing field `{name}`", path, _HINT_VALUE)
    return tp(**kwargs)


def _expected(names: list) -> str:
    """serde's wording of the fields a struct has."""
    quoted = [f"`{n}`" for n in names]
    if not quoted:
        return "there are no fields"
    if len(quoted) == 1:
        return f"expected {quoted[0]}"
    if len(quoted) == 2:
        return f"expected {quoted[0]} or {quoted[1]}"
    return f"expected one of {', '.join(quoted)}"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'string "{value}"'
    return f"{json.dumps(value)}"


def _wrong(value: Any, expected: str, path: str) -> ConfigError:
    hint = _HINT_OBJECT if path == "." else _HINT_VALUE
    return ConfigError(f"invalid type: {_describe(value)}, expected {expected}", path, hint)
