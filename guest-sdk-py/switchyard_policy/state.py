"""Typed access to the company's persistent policy state, stored as JSON.

The encoding is the Rust SDK's (`serde_json`): a pointer the Rust round-robin wrote (`12`) is
read here as `12`, and what this writes the Rust SDK reads. Keep state small: keys up to 128
bytes, values up to 4 KiB, at most 256 keys and 64 KiB per company.
"""

import json
from typing import Any

from .host import Host, StateRefused
from .types import Level

__all__ = ["StateRefused", "delete", "get", "set"]


def get(host: Host, key: str, default: Any = None) -> Any:
    """The value stored under `key`, decoded from JSON; `default` if the key is absent or its
    value is not JSON (logged at warn level, e.g. after a policy changed its state format)."""
    raw = host.state_get(key)
    if raw is None:
        return default
    try:
        return json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        host.log(Level.WARN, f"ignoring undecodable state under `{key}`: {err}")
        return default


def set(host: Host, key: str, value: Any) -> None:  # noqa: A001  (mirrors the Rust SDK)
    """Stores `value` under `key` as compact JSON.

    Raises `TypeError` if `value` is not JSON-encodable, `StateRefused` if the host refuses
    the write (too large, or over the company's quota)."""
    try:
        encoded = json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as err:
        raise TypeError(f"state value for `{key}` cannot be encoded as JSON: {err}") from None
    host.state_set(key, encoded)


def delete(host: Host, key: str) -> None:
    """Removes `key`."""
    host.state_delete(key)
