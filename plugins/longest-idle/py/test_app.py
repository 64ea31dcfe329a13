"""The Rust plugin's unit tests, ported: the same inputs give the same plans."""

import pytest

from app import LongestIdle
from switchyard_policy import (
    ConfigError, MemoryHost, Overflow, OverflowReason, Presence, Ring, RingMode, Status,
    ring_plan, testing,
)
from switchyard_policy.testing import candidate


def route(candidates, config="", call=None):
    return LongestIdle().route(MemoryHost(), call or testing.call(), candidates, config)


def team():
    return [
        candidate(11, idle_ms=45_000),
        candidate(12, idle_ms=300_000),
        candidate(13, idle_ms=300_000, presence=Presence.ON_CALL),
        candidate(14, idle_ms=120_000),
        candidate(15, idle_ms=900_000, status=Status.ON_BREAK),
        candidate(10, idle_ms=120_000),
    ]


def test_rings_eligible_agents_longest_idle_first():
    assert route(team()) == Ring(ring_plan(RingMode.SEQUENTIAL, [12, 10, 14, 11], 20_000))


def test_honours_timeout_and_max_targets():
    got = route(team(), '{"ring_timeout_ms": 15000, "max_targets": 2}')
    assert got == Ring(ring_plan(RingMode.SEQUENTIAL, [12, 10], 15_000))


def test_skips_agents_already_tried():
    call = testing.call()
    call.attempt = 2
    call.tried = [12, 10]
    assert route(team(), call=call) == Ring(ring_plan(RingMode.SEQUENTIAL, [14, 11], 20_000))


def test_overflows_when_nobody_is_eligible():
    busy = team()
    for c in busy:
        c.presence = Presence.BUSY_ELSEWHERE
    assert route(busy) == Overflow(OverflowReason.ALL_BUSY)
    assert route([]) == Overflow(OverflowReason.NO_MEMBERS)


def test_checks_config():
    LongestIdle().check_config("")
    LongestIdle().check_config('{"max_targets": 3}')
    with pytest.raises(ConfigError, match="unknown field `max_target`"):
        LongestIdle().check_config('{"max_target": 3}')
    with pytest.raises(ConfigError, match="`max_targets`"):
        LongestIdle().check_config('{"max_targets": 0}')
