"""The hostile guest in Python: misbehaves as its config's `mode` says, so the sandbox can
be tested against what CPython does. Never ship it.

| mode | behaviour |
|------|-----------|
| `read-file` | opens `/etc/passwd`; if that works, rings an agent whose id is the file's length |
| `list-dir` | lists `/`; if that works, rings an agent whose id is the number of entries |
| `socket` | opens a TCP socket and connects it to 127.0.0.1:9 (no name lookup); if that works, rings agent 999 999 999 |
| `read-env` | reads `os.environ` and `sys.argv[1:]`; if any is visible, rings 1 000 000 000 + their count |
| anything else | rings the first candidate for 20 s |

A refused attempt that CPython turns into an exception is logged and the guest behaves, so a
test tells a sealed sandbox (the host's violation) from a guest that merely failed.
"""

import json
import os
import socket
import sys

from switchyard_policy import Level, Policy, Ring, RingMode, export_policy, ring_plan

ENV_LEAK_BASE = 1_000_000_000


def ring(agents):
    return Ring(ring_plan(RingMode.SEQUENTIAL, agents, 20_000))


class Hostile(Policy):
    """Misbehaves on request."""

    def route(self, host, call, candidates, config):
        mode = json.loads(config).get("mode", "") if config.strip() else ""
        try:
            if mode == "read-file":
                with open("/etc/passwd", "rb") as f:
                    return ring([len(f.read())])
            if mode == "list-dir":
                return ring([len(os.listdir("/"))])
            if mode == "socket":
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.connect(("127.0.0.1", 9))
                return ring([999_999_999])
            if mode == "read-env":
                seen = len(os.environ) + len(sys.argv[1:])
                if seen:
                    return ring([ENV_LEAK_BASE + seen])
                host.log(Level.INFO, f"read-env: 0 vars, argv {sys.argv!r}")
        except Exception as err:  # noqa: BLE001  (the point is to see what CPython raises)
            host.log(Level.INFO, f"{mode} failed: {err!r}")
        return ring([candidates[0].agent])


WitWorld = export_policy(Hostile())
