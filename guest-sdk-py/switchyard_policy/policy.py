"""`Policy`, the class a routing policy subclasses, and `export_policy`, which turns it into
the `WitWorld` class componentize-py exports."""

from typing import List

from . import config as config_mod
from . import defaults
from .host import Host
from .types import (
    Call, Candidate, Decision, Err, OverflowAction, OverflowReason, Subject, View, Viewer,
)


class Policy:
    """A company's routing policy. Only `route` is required; the others default to
    `defaults` and a plain JSON syntax check of the config.

    Every method receives the company's configuration string (JSON, possibly empty) and,
    where the host offers it, a `Host` for logging and persistent state."""

    def route(self, host: Host, call: Call, candidates: List[Candidate], config: str) -> Decision:
        """Whom to ring for `call`, given one candidate per member of the target department."""
        raise NotImplementedError("a policy must implement route")

    def overflow(self, host: Host, call: Call, reason: OverflowReason, config: str) -> OverflowAction:
        """What to do when nobody can take the call."""
        return defaults.overflow(call, reason)

    def visibility(self, host: Host, viewer: Viewer, subject: Subject, config: str) -> View:
        """What `viewer` may see of `subject` on the company's presence board."""
        return defaults.visibility(viewer, subject)

    def check_config(self, config: str) -> None:
        """Checks a configuration before the host stores it; raises `ConfigError` to refuse it
        (its message is shown to the person editing the config). The default accepts an
        empty string or any valid JSON; policies with a config type use `config.check`."""
        config_mod.check_json(config)


def export_policy(policy: Policy) -> type:
    """The `WitWorld` class componentize-py looks for in the app module:

        WitWorld = export_policy(MyPolicy())
    """
    from .wasm_host import WasmHost

    host = WasmHost()

    class WitWorld:
        """The component's exports, delegating to the policy with the WIT-backed host."""

        def route(self, call: Call, candidates: List[Candidate], config: str) -> Decision:
            return policy.route(host, call, candidates, config)

        def overflow(self, call: Call, reason: OverflowReason, config: str) -> OverflowAction:
            return policy.overflow(host, call, reason, config)

        def visibility(self, viewer: Viewer, subject: Subject, config: str) -> View:
            return policy.visibility(host, viewer, subject, config)

        def check_config(self, config: str) -> None:
            try:
                policy.check_config(config)
            except config_mod.ConfigError as err:
                raise Err(str(err)) from None

    return WitWorld
