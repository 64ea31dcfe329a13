"""`select`: who is eligible, and why nobody is."""

from switchyard_policy import Attribute, OverflowReason, Presence, Status, attribute, eligible
from switchyard_policy import testing, unavailable_reason
from switchyard_policy.testing import candidate


def test_eligible_filters_every_condition():
    call = testing.call()
    call.tried = [7]
    candidates = [
        candidate(1),
        candidate(2, status=Status.ON_BREAK),
        candidate(3, take_calls=False),
        candidate(4, in_schedule=False),
        candidate(5, presence=Presence.ON_CALL),
        candidate(6, presence=Presence.LOGGED_OUT),
        candidate(7),
        candidate(8),
    ]
    assert [c.agent for c in eligible(candidates, call)] == [1, 8]


def test_reason_is_no_members_for_an_empty_department():
    assert unavailable_reason([]) == OverflowReason.NO_MEMBERS


def test_reason_is_all_busy_when_an_available_member_is_busy():
    for presence in (Presence.RINGING, Presence.ON_CALL, Presence.WRAP_UP,
                     Presence.BUSY_ELSEWHERE):
        team = [candidate(1, status=Status.UNAVAILABLE), candidate(2, presence=presence)]
        assert unavailable_reason(team) == OverflowReason.ALL_BUSY


def test_reason_is_none_available_when_busy_members_are_not_available_here():
    team = [
        candidate(1, status=Status.ON_BREAK, presence=Presence.ON_CALL),
        candidate(2, take_calls=False, presence=Presence.BUSY_ELSEWHERE),
        candidate(3, presence=Presence.LOGGED_OUT),
    ]
    assert unavailable_reason(team) == OverflowReason.NONE_AVAILABLE


def test_attribute_finds_the_first_match():
    call = testing.call()
    call.attributes = [Attribute("skill", "french"), Attribute("skill", "german")]
    assert attribute(call, "skill") == "french"
    assert attribute(call, "vip") is None
