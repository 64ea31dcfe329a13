"""`defaults` and `Policy`'s default methods."""

import pytest

from switchyard_policy import (
    ConfigError, MemoryHost, OverflowReason, Policy, Presence, Queue, QueueSpec, Role, Status,
    Subject, View, Viewer, Voicemail, defaults, testing,
)


def test_busy_and_policy_error_queue_the_caller():
    for reason in (OverflowReason.ALL_BUSY, OverflowReason.POLICY_ERROR):
        assert defaults.overflow(testing.call(), reason) == Queue(QueueSpec(120_000, 0))


def test_other_reasons_go_to_voicemail():
    for reason in (OverflowReason.NO_MEMBERS, OverflowReason.NONE_AVAILABLE,
                   OverflowReason.OUT_OF_HOURS, OverflowReason.NO_ANSWER,
                   OverflowReason.QUEUE_TIMEOUT):
        assert defaults.overflow(testing.call(), reason) == Voicemail("")


def test_visibility_by_role():
    subject = Subject(2, Role.AGENT, Status.AVAILABLE, Presence.IDLE)
    assert defaults.visibility(Viewer(2, Role.AGENT), subject) == View.FULL
    assert defaults.visibility(Viewer(1, Role.AGENT), subject) == View.COARSE
    assert defaults.visibility(Viewer(1, Role.SUPERVISOR), subject) == View.FULL
    assert defaults.visibility(Viewer(1, Role.ADMIN), subject) == View.FULL


def test_policy_defaults():
    class OnlyRoute(Policy):
        def route(self, host, call, candidates, config):
            raise AssertionError("not called")

    policy = OnlyRoute()
    host = MemoryHost()
    assert policy.overflow(host, testing.call(), OverflowReason.ALL_BUSY, "") == Queue(
        QueueSpec(120_000, 0))
    policy.check_config("")
    policy.check_config('{"anything": [1]}')
    with pytest.raises(ConfigError):
        policy.check_config("{")
