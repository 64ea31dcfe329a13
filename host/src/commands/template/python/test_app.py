"""Native unit tests of the policy: `python3 -m pytest`."""

import pytest

from app import MyPolicy
from switchyard_policy import ConfigError, MemoryHost, Ring, testing


def test_rings_the_longest_idle_first():
    a = testing.candidate(1, idle_ms=1_000)
    b = testing.candidate(2, idle_ms=9_000)
    decision = MyPolicy().route(MemoryHost(), testing.call(), [a, b], "")
    assert isinstance(decision, Ring)
    assert [t.agent for t in decision.value.targets] == [2, 1]


def test_refuses_a_misspelt_config():
    with pytest.raises(ConfigError, match="unknown field `ring_timeout`"):
        MyPolicy().check_config('{"ring_timeout": 5000}')
