"""`longest-idle` in Python: the port of `plugins/longest-idle` (Rust), same decisions.

Rings eligible agents one after another, the one idle the longest first. Config (all
optional; empty means defaults): `{"ring_timeout_ms": 20000, "max_targets": 5}`.
"""

from dataclasses import dataclass
from typing import Optional

from switchyard_policy import (
    DEFAULT_RING_TIMEOUT_MS, Policy, PositiveInt, RingMode, RingTimeout, check_config, decide,
    eligible, export_policy, load_config, order,
)


@dataclass
class Config:
    """The policy's configuration."""

    #: How long to ring each agent, milliseconds.
    ring_timeout_ms: RingTimeout = DEFAULT_RING_TIMEOUT_MS
    #: Ring at most this many agents per attempt (default: all eligible).
    max_targets: Optional[PositiveInt] = None


class LongestIdle(Policy):
    """Longest idle first, rung sequentially."""

    def route(self, host, call, candidates, config):
        cfg = load_config(host, Config, config)
        ordered = eligible(candidates, call)
        order.longest_idle(ordered)
        return decide(RingMode.SEQUENTIAL, ordered, candidates, cfg.ring_timeout_ms,
                      cfg.max_targets)

    def check_config(self, config):
        check_config(Config, config)


WitWorld = export_policy(LongestIdle())
