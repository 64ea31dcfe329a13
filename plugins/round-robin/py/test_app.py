"""The Rust plugin's unit tests, ported: the pointer rotates as the Rust one does."""

import pytest

from app import POINTER_KEY, RoundRobin
from switchyard_policy import (
    ConfigError, MemoryHost, Overflow, OverflowReason, Presence, Ring, RingMode, Status,
    ring_plan, state, testing,
)
from switchyard_policy.testing import candidate


def team():
    return [candidate(30), candidate(10), candidate(25, presence=Presence.WRAP_UP), candidate(20)]


def plan(agents):
    return Ring(ring_plan(RingMode.SEQUENTIAL, agents, 20_000))


def route(host, candidates, config=""):
    return RoundRobin().route(host, testing.call(), candidates, config)


def test_pointer_advances_across_calls_and_wraps():
    host = MemoryHost()
    assert route(host, team()) == plan([10, 20, 30])
    assert host.state[POINTER_KEY] == b"10"
    assert route(host, team()) == plan([20, 30, 10])
    assert route(host, team()) == plan([30, 10, 20])
    assert route(host, team()) == plan([10, 20, 30])


def test_pointer_survives_the_last_agent_leaving():
    host = MemoryHost()
    state.set(host, POINTER_KEY, 20)
    busy = team()
    busy[3].presence = Presence.ON_CALL
    assert route(host, busy) == plan([30, 10])


def test_max_targets_truncates_after_rotation():
    host = MemoryHost()
    state.set(host, POINTER_KEY, 10)
    assert route(host, team(), '{"max_targets": 1}') == plan([20])


def test_overflow_leaves_the_pointer_alone():
    host = MemoryHost()
    state.set(host, POINTER_KEY, 20)
    decision = route(host, [candidate(1, status=Status.ON_BREAK)])
    assert decision == Overflow(OverflowReason.NONE_AVAILABLE)
    assert host.state[POINTER_KEY] == b"20"


def test_checks_config():
    RoundRobin().check_config('{"ring_timeout_ms": 30000}')
    with pytest.raises(ConfigError):
        RoundRobin().check_config('{"ring_timeout_ms": 999999}')
