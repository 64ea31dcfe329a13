"""Write Switchyard routing policies in Python.

A routing policy is a WebAssembly component implementing the `switchyard:policy/routing-policy`
world (`wit/policy.wit`), built with componentize-py. With this SDK a policy is a subclass of
`Policy` plus one line, `WitWorld = export_policy(MyPolicy())`; the generated bindings stay out
of sight. Modules (all re-exported here):

- `policy`: `Policy` and `export_policy`.
- `host`: `Host` (logging, persistent state) and `StateRefused`; `memory.MemoryHost` for tests.
- `select`: `eligible`, `is_eligible`, `unavailable_reason`, `attribute`.
- `order`: `longest_idle`, `fewest_calls`, `least_talk_time`, `sort_by`.
- `plan`: `ring_plan`, `decide` and the ring-timeout limits.
- `skills`: `skill_set`, `has_skill`, `skill_names`, `RequiredSkills`.
- `state`: typed state (JSON, the Rust SDK's encoding): `state.get/set/delete`.
- `config`: `parse_config`, `check_config`, `load_config`, `ConfigError`, `Range`,
  `RingTimeout`, `PositiveInt`.
- `defaults`: the default overflow and visibility answers.
- `testing`: ready-made calls and candidates for unit tests.
- `types`: the WIT types (`Call`, `Candidate`, `Ring`, `Overflow`, `Queue`, ...).
"""

from . import defaults, order, state, testing
from .config import ConfigError, PositiveInt, Range, RingTimeout
from .config import check as check_config
from .config import check_json
from .config import load as load_config
from .config import parse as parse_config
from .host import Host, StateRefused
from .memory import MemoryHost
from .plan import (
    DEFAULT_RING_TIMEOUT_MS, MAX_RING_TIMEOUT_MS, MIN_RING_TIMEOUT_MS, decide, ring_plan,
)
from .policy import Policy, export_policy
from .select import attribute, eligible, is_eligible, unavailable_reason
from .skills import RequiredSkills, has_skill, skill_names, skill_set
from .types import *  # noqa: F401,F403
from .types import __all__ as _types

__all__ = [
    "ConfigError", "DEFAULT_RING_TIMEOUT_MS", "Host", "MAX_RING_TIMEOUT_MS",
    "MIN_RING_TIMEOUT_MS", "MemoryHost", "Policy", "PositiveInt", "Range", "RequiredSkills",
    "RingTimeout", "StateRefused", "attribute", "check_config", "check_json", "decide",
    "defaults", "eligible", "export_policy", "has_skill", "is_eligible", "load_config", "order",
    "parse_config", "ring_plan", "skill_names", "skill_set", "state", "testing",
    "unavailable_reason", *_types,
]
