"""`plan`: ring plans and the usual end of `route`."""

from switchyard_policy import (
    DEFAULT_RING_TIMEOUT_MS, MAX_RING_TIMEOUT_MS, MIN_RING_TIMEOUT_MS, Overflow, OverflowReason,
    Presence, Ring, RingMode, RingTarget, decide, ring_plan,
)
from switchyard_policy.testing import candidate


def test_ring_plan_clamps_timeouts():
    plan = ring_plan(RingMode.SEQUENTIAL, [3, 1], 10)
    assert plan.mode == RingMode.SEQUENTIAL
    assert plan.targets == [RingTarget(3, MIN_RING_TIMEOUT_MS), RingTarget(1, MIN_RING_TIMEOUT_MS)]
    assert ring_plan(RingMode.SIMULTANEOUS, [1], 10**9).targets[0].timeout_ms == MAX_RING_TIMEOUT_MS


def test_decide_truncates_to_max_targets():
    cands = [candidate(1), candidate(2), candidate(3)]
    decision = decide(RingMode.SEQUENTIAL, reversed(cands), cands, max_targets=2)
    assert decision == Ring(ring_plan(RingMode.SEQUENTIAL, [3, 2], DEFAULT_RING_TIMEOUT_MS))


def test_decide_overflows_with_the_reason_when_nobody_is_ordered():
    cands = [candidate(1, presence=Presence.ON_CALL)]
    assert decide(RingMode.SIMULTANEOUS, [], cands) == Overflow(OverflowReason.ALL_BUSY)
    assert decide(RingMode.SIMULTANEOUS, [], []) == Overflow(OverflowReason.NO_MEMBERS)
