"""`round-robin` in Python: the port of `plugins/round-robin` (Rust), same decisions.

Rings eligible agents in agent-id order, each call starting after the agent the previous call
rang first, wrapping around. The pointer lives in the company's policy state under `rr.last`
as a JSON number, the Rust plugin's encoding, so either version continues the other's
rotation. Config (all optional): `{"ring_timeout_ms": 20000, "max_targets": 5}`.
"""

from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

from switchyard_policy import (
    DEFAULT_RING_TIMEOUT_MS, Level, Policy, PositiveInt, RingMode, RingTimeout, StateRefused,
    check_config, decide, eligible, export_policy, load_config, state,
)

#: State key holding the agent the previous decision rang first.
POINTER_KEY = "rr.last"


@dataclass
class Config:
    """The policy's configuration."""

    #: How long to ring each agent, milliseconds.
    ring_timeout_ms: RingTimeout = DEFAULT_RING_TIMEOUT_MS
    #: Ring at most this many agents per attempt (default: all eligible).
    max_targets: Optional[PositiveInt] = None


class RoundRobin(Policy):
    """Agent-id order, rotating the starting point call by call; sequential."""

    def route(self, host, call, candidates, config):
        cfg = load_config(host, Config, config)
        ordered = sorted(eligible(candidates, call), key=lambda c: c.agent)
        last = state.get(host, POINTER_KEY)
        if isinstance(last, int):
            start = bisect_right([c.agent for c in ordered], last)
            ordered = ordered[start:] + ordered[:start]
        if ordered:
            try:
                state.set(host, POINTER_KEY, ordered[0].agent)
            except StateRefused as err:
                host.log(Level.WARN, f"round-robin pointer not saved: {err}")
        return decide(RingMode.SEQUENTIAL, ordered, candidates, cfg.ring_timeout_ms,
                      cfg.max_targets)

    def check_config(self, config):
        check_config(Config, config)


WitWorld = export_policy(RoundRobin())
