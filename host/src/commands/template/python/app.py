"""`NAME`: a Switchyard routing policy. Rings eligible agents one after another, longest idle
first. Edit `route` (and optionally `overflow`, `visibility`, `check_config`); ask for skills
by name with `has_skill(candidate, call, "billing")` or `RequiredSkills`.
"""

from dataclasses import dataclass

from switchyard_policy import (
    DEFAULT_RING_TIMEOUT_MS, Policy, RingMode, RingTimeout, check_config, decide, eligible,
    export_policy, load_config, order,
)


@dataclass
class Config:
    """The policy's configuration (all optional; empty means defaults)."""

    #: How long each agent rings, milliseconds (1 000..=120 000).
    ring_timeout_ms: RingTimeout = DEFAULT_RING_TIMEOUT_MS


class MyPolicy(Policy):
    """Longest idle first, rung one after another."""

    def route(self, host, call, candidates, config):
        cfg = load_config(host, Config, config)
        ordered = eligible(candidates, call)
        order.longest_idle(ordered)
        return decide(RingMode.SEQUENTIAL, ordered, candidates, cfg.ring_timeout_ms)

    def check_config(self, config):
        check_config(Config, config)


# The component's exports: componentize-py looks for `WitWorld` in the `app` module.
WitWorld = export_policy(MyPolicy())
