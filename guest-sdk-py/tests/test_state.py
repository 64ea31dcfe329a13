"""`state` and `MemoryHost`: typed state in the Rust SDK's JSON encoding, with the host's
limits."""

import pytest

from switchyard_policy import Level, MemoryHost, StateError, StateRefused, state
from switchyard_policy.memory import MAX_KEY_BYTES, MAX_KEYS, MAX_VALUE_BYTES


def test_round_trips_values_as_compact_json():
    host = MemoryHost()
    state.set(host, "rr.last", 12)
    assert host.state["rr.last"] == b"12"
    state.set(host, "seen", {"a": [1, 2]})
    assert host.state["seen"] == b'{"a":[1,2]}'
    assert state.get(host, "rr.last") == 12
    assert state.get(host, "absent") is None
    assert state.get(host, "absent", 0) == 0
    state.delete(host, "seen")
    assert "seen" not in host.state


def test_reads_what_the_rust_sdk_wrote_and_large_ids_exactly():
    host = MemoryHost()
    host.state_set("big", b"18446744073709551615")
    assert state.get(host, "big") == 2**64 - 1


def test_undecodable_state_is_logged_and_ignored():
    host = MemoryHost()
    host.state_set("k", b"\xffnot json")
    assert state.get(host, "k", "fallback") == "fallback"
    assert host.logs[0][0] == Level.WARN and "`k`" in host.logs[0][1]


def test_unencodable_values_are_refused_before_the_host():
    with pytest.raises(TypeError, match="`k`"):
        state.set(MemoryHost(), "k", object())


def test_the_host_limits_hold():
    host = MemoryHost()
    with pytest.raises(StateRefused) as err:
        host.state_set("k" * (MAX_KEY_BYTES + 1), b"")
    assert err.value.reason == StateError.TOO_LARGE
    with pytest.raises(StateRefused):
        host.state_set("k", bytes(MAX_VALUE_BYTES + 1))
    for i in range(MAX_KEYS):
        host.state_set(f"k{i}", b"")
    with pytest.raises(StateRefused) as err:
        host.state_set("one-more", b"")
    assert err.value.reason == StateError.QUOTA_EXCEEDED
    host.state_set("k0", b"replacing an existing key is fine")


def test_total_bytes_are_bounded():
    host = MemoryHost()
    for i in range(15):
        host.state_set(f"k{i:02}", bytes(4096))
    with pytest.raises(StateRefused) as err:
        host.state_set("k15", bytes(4096))
    assert err.value.reason == StateError.QUOTA_EXCEEDED
