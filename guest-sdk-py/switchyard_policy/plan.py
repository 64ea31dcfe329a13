"""Building answers: `ring_plan`, `decide` and the ring-timeout limits."""

from typing import Iterable, List, Optional

from .select import unavailable_reason
from .types import Candidate, Decision, Overflow, Ring, RingMode, RingPlan, RingTarget

#: Shortest ring timeout the host accepts, in milliseconds.
MIN_RING_TIMEOUT_MS = 1_000
#: Longest ring timeout the host accepts, in milliseconds.
MAX_RING_TIMEOUT_MS = 120_000
#: Ring timeout used when a config does not set one, in milliseconds.
DEFAULT_RING_TIMEOUT_MS = 20_000


def ring_plan(mode: RingMode, agents: Iterable[int], timeout_ms: int) -> RingPlan:
    """A plan ringing `agents` in order, each for `timeout_ms` (clamped to the host's range)."""
    timeout_ms = min(max(timeout_ms, MIN_RING_TIMEOUT_MS), MAX_RING_TIMEOUT_MS)
    return RingPlan(mode, [RingTarget(agent, timeout_ms) for agent in agents])


def decide(
    mode: RingMode,
    ordered: Iterable[Candidate],
    candidates: List[Candidate],
    timeout_ms: int = DEFAULT_RING_TIMEOUT_MS,
    max_targets: Optional[int] = None,
) -> Decision:
    """The usual end of `route`: ring the first `max_targets` of `ordered` (all when None),
    or, if `ordered` is empty, overflow with `unavailable_reason(candidates)`."""
    agents = [c.agent for c in ordered]
    if max_targets is not None:
        agents = agents[:max_targets]
    if not agents:
        return Overflow(unavailable_reason(candidates))
    return Ring(ring_plan(mode, agents, timeout_ms))
