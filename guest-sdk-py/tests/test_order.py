"""`order`: the orderings, as the Rust SDK's."""

import pytest

from switchyard_policy import order
from switchyard_policy.testing import candidate


def team():
    return [
        candidate(4, idle_ms=5_000, calls_today=3, talk_ms_today=900_000),
        candidate(3, idle_ms=60_000, calls_today=1, talk_ms_today=100_000),
        candidate(2, idle_ms=60_000, calls_today=1, talk_ms_today=50_000),
        candidate(1, idle_ms=1_000, calls_today=0, talk_ms_today=50_000),
    ]


def sorted_by(name):
    cands = team()
    order.sort_by(name, cands)
    return [c.agent for c in cands]


def test_longest_idle_ties_by_agent_id():
    assert sorted_by("longest-idle") == [2, 3, 4, 1]


def test_fewest_calls_then_longest_idle():
    assert sorted_by("fewest-calls") == [1, 2, 3, 4]


def test_least_talk_time_then_longest_idle():
    assert sorted_by("least-talk-time") == [2, 1, 3, 4]


def test_unknown_order_names_the_known_ones():
    with pytest.raises(KeyError, match="longest-idle, fewest-calls, least-talk-time"):
        order.sort_by("LeastTalkTime", team())
