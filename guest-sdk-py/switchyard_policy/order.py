"""Orderings of candidates: longest idle, fewest calls today, least talk time.

Every ordering is stable and ends with the agent id, so the same inputs always give the same
plan (and the same plan as the Rust SDK's orderings).
"""

from typing import Callable, Dict, List

from .types import Candidate


def longest_idle(candidates: List[Candidate]) -> None:
    """Sorts in place: longest idle first; ties by agent id."""
    candidates.sort(key=lambda c: (-c.idle_ms, c.agent))


def fewest_calls(candidates: List[Candidate]) -> None:
    """Sorts in place: fewest calls answered today first; ties by longest idle, agent id."""
    candidates.sort(key=lambda c: (c.calls_today, -c.idle_ms, c.agent))


def least_talk_time(candidates: List[Candidate]) -> None:
    """Sorts in place: least talk time today first; ties by longest idle, agent id."""
    candidates.sort(key=lambda c: (c.talk_ms_today, -c.idle_ms, c.agent))


#: The orderings by the names a config uses for them.
ORDERS: Dict[str, Callable[[List[Candidate]], None]] = {
    "longest-idle": longest_idle,
    "fewest-calls": fewest_calls,
    "least-talk-time": least_talk_time,
}


def sort_by(name: str, candidates: List[Candidate]) -> None:
    """Sorts in place by the ordering named `name` (a key of `ORDERS`).

    Raises `KeyError` naming the known orderings for any other name."""
    try:
        ORDERS[name](candidates)
    except KeyError:
        raise KeyError(f"unknown order `{name}`; expected one of {', '.join(ORDERS)}") from None
