"""`MemoryHost`: an in-memory `Host` for native unit tests of policies.

It enforces the same limits as the real host (see the WIT `state-set` docs), so a policy that
outgrows its state fails in tests too. Reuse one across several calls to see state survive
between decisions, as it does through the real host.
"""

from typing import Dict, List, Optional, Tuple

from .host import StateRefused
from .types import Level, StateError

#: Longest state key, in bytes.
MAX_KEY_BYTES = 128
#: Longest state value, in bytes.
MAX_VALUE_BYTES = 4 * 1024
#: Most state keys per company.
MAX_KEYS = 256
#: Most state bytes (keys plus values) per company.
MAX_TOTAL_BYTES = 64 * 1024


class MemoryHost:
    """A `Host` that keeps state in a dict and captures log lines."""

    def __init__(self) -> None:
        #: The stored state.
        self.state: Dict[str, bytes] = {}
        #: Every log line written so far, oldest first.
        self.logs: List[Tuple[Level, str]] = []

    def total_bytes(self) -> int:
        """Bytes used by the state (keys plus values, UTF-8)."""
        return sum(len(k.encode()) + len(v) for k, v in self.state.items())

    def log(self, level: Level, message: str) -> None:
        self.logs.append((level, message))

    def state_get(self, key: str) -> Optional[bytes]:
        return self.state.get(key)

    def state_set(self, key: str, value: bytes) -> None:
        size = len(key.encode())
        if size > MAX_KEY_BYTES or len(value) > MAX_VALUE_BYTES:
            raise StateRefused(key, StateError.TOO_LARGE)
        old = self.state.get(key)
        old_size = size + len(old) if old is not None else 0
        total = self.total_bytes() - old_size + size + len(value)
        keys = len(self.state) + (old is None)
        if keys > MAX_KEYS or total > MAX_TOTAL_BYTES:
            raise StateRefused(key, StateError.QUOTA_EXCEEDED)
        self.state[key] = bytes(value)

    def state_delete(self, key: str) -> None:
        self.state.pop(key, None)
