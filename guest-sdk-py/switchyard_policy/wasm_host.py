"""`WasmHost`: the `Host` backed by the component's WIT imports (`switchyard:policy/host`)."""

from typing import Optional

from componentize_py_types import Err
from wit_world.imports import host as wit_host

from .host import StateRefused
from .types import Level


class WasmHost:
    """Calls the host through the WIT imports; only meaningful inside a component."""

    def log(self, level: Level, message: str) -> None:
        wit_host.log(level, message)

    def state_get(self, key: str) -> Optional[bytes]:
        return wit_host.state_get(key)

    def state_set(self, key: str, value: bytes) -> None:
        try:
            wit_host.state_set(key, value)
        except Err as err:
            raise StateRefused(key, err.value) from None

    def state_delete(self, key: str) -> None:
        wit_host.state_delete(key)
