"""The answers a policy gives when it has no opinion of its own: used by `Policy`'s default
methods and available to policies that override only part of an answer."""

from .types import (
    Call, OverflowAction, OverflowReason, Queue, QueueSpec, Role, Subject, View, Viewer,
    Voicemail,
)

#: Longest queue wait of the default overflow, in milliseconds.
QUEUE_MAX_WAIT_MS = 120_000


def overflow(call: Call, reason: OverflowReason) -> OverflowAction:
    """Callers wait in the queue (up to two minutes) when agents are busy or the policy failed;
    otherwise they go to the department's default voicemail."""
    del call
    if reason in (OverflowReason.ALL_BUSY, OverflowReason.POLICY_ERROR):
        return Queue(QueueSpec(QUEUE_MAX_WAIT_MS, 0))
    return Voicemail("")


def visibility(viewer: Viewer, subject: Subject) -> View:
    """Everyone sees themselves in full, supervisors and admins see everyone in full, agents
    see others coarsely."""
    if viewer.agent == subject.agent:
        return View.FULL
    if viewer.role in (Role.SUPERVISOR, Role.ADMIN):
        return View.FULL
    return View.COARSE
