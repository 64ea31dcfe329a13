"""`config`: typed configs with clear errors, like the Rust SDK's `ConfigError`."""

from dataclasses import dataclass, field
from typing import Dict, List, Literal, Optional

import pytest

from switchyard_policy import (
    ConfigError, Level, MemoryHost, PositiveInt, RingTimeout, check_config, check_json,
    load_config, parse_config,
)


@dataclass
class Inner:
    count: int = 0


@dataclass
class Config:
    ring_timeout_ms: RingTimeout = 20_000
    max_targets: Optional[PositiveInt] = None
    name: str = ""
    order: Literal["longest-idle", "fewest-calls"] = "longest-idle"
    inner: Inner = field(default_factory=Inner)
    hours: List[Inner] = field(default_factory=list)
    weights: Dict[str, float] = field(default_factory=dict)


def test_empty_means_defaults():
    assert parse_config(Config, "") == Config()
    assert parse_config(Config, "  \n") == Config()
    assert parse_config(Config, "{}") == Config()


def test_fields_are_read():
    got = parse_config(Config, '{"max_targets": 3, "inner": {"count": 2}, "weights": {"a": 1}}')
    assert got.max_targets == 3 and got.inner == Inner(2) and got.weights == {"a": 1.0}


@pytest.mark.parametrize("text, wanted", [
    ('{"max_target": 3}', "invalid policy config field `max_target`: unknown field `max_target`, expected one of `ring_timeout_ms`, `max_targets`, "),
    ('{"max_targets": 0}', "invalid policy config field `max_targets`: 0 is out of range 1..="),
    ('{"ring_timeout_ms": 500}', "field `ring_timeout_ms`: 500 is out of range 1000..=120000"),
    ('{"name": 3}', "field `name`: invalid type: 3, expected a string"),
    ('{"max_targets": true}', "field `max_targets`: invalid type: true, expected an integer"),
    ('{"order": "random"}', 'field `order`: unknown variant string "random"'),
    ('{"inner": {"cnt": 1}}', "field `inner.cnt`: unknown field `cnt`, expected `count`"),
    ('{"hours": [{"count": "x"}]}', "field `hours[0].count`: invalid type"),
    ('{"name": "a", "name": "b"}', "duplicate field `name`"),
    ('[1, 2]', "invalid policy config: expected a JSON object (hint: the config must be a JSON object such as {})"),
    ('{"name": ', "(hint: write a JSON object such as {}, or leave the config empty for the defaults)"),
])
def test_errors_name_the_field_and_hint(text, wanted):
    with pytest.raises(ConfigError) as err:
        check_config(Config, text)
    assert wanted in str(err.value)
    assert "(hint: " in str(err.value)


def test_unknown_field_hint():
    with pytest.raises(ConfigError, match="hint: fix the field's spelling or remove it"):
        check_config(Config, '{"nmae": "x"}')


def test_load_logs_and_uses_defaults():
    host = MemoryHost()
    assert load_config(host, Config, '{"max_targets": -1}') == Config()
    level, message = host.logs[0]
    assert level == Level.ERROR and message.endswith("; using the default config")


def test_check_json_accepts_any_json_or_nothing():
    check_json("")
    check_json("[1]")
    with pytest.raises(ConfigError):
        check_json("{")
