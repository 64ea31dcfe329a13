"""`Host`: what the host offers a policy while it decides (log lines and persistent state).

Inside a component the SDK passes a `WasmHost` (`wasm_host.py`), which calls the WIT imports;
in native unit tests use `MemoryHost` (`memory.py`).
"""

from typing import Optional, Protocol

from .types import Level, StateError


class StateRefused(Exception):
    """The host refused a state write: the key is over 128 bytes or the value over 4 KiB
    (`StateError.TOO_LARGE`), or the company's state would exceed 256 keys or 64 KiB
    (`StateError.QUOTA_EXCEEDED`)."""

    def __init__(self, key: str, reason: StateError):
        self.key = key
        self.reason = reason
        super().__init__(f"host refused to store state key `{key}`: {reason.name.lower()}")


class Host(Protocol):
    """Services the host offers a policy."""

    def log(self, level: Level, message: str) -> None:
        """Writes a line to the host's log, tagged with company and policy."""

    def state_get(self, key: str) -> Optional[bytes]:
        """The raw value stored under `key` in the company's policy state, or None."""

    def state_set(self, key: str, value: bytes) -> None:
        """Stores `value` under `key` (persisted when the decision completes).

        Raises `StateRefused` when the host refuses it."""

    def state_delete(self, key: str) -> None:
        """Removes `key`."""
