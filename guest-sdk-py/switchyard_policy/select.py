"""Who may be rung: `eligible` candidates, and why nobody is (`unavailable_reason`)."""

from typing import Iterable, List, Optional

from .types import Call, Candidate, OverflowReason, Presence, Status

_BUSY = (Presence.RINGING, Presence.ON_CALL, Presence.WRAP_UP, Presence.BUSY_ELSEWHERE)


def is_available_here(candidate: Candidate) -> bool:
    """Status available, taking calls and inside their schedule in this company."""
    return candidate.status == Status.AVAILABLE and candidate.take_calls and candidate.in_schedule


def is_eligible(candidate: Candidate, call: Call) -> bool:
    """Whether `candidate` can be offered `call` now: available here, idle, not yet tried."""
    return (
        is_available_here(candidate)
        and candidate.presence == Presence.IDLE
        and candidate.agent not in call.tried
    )


def eligible(candidates: Iterable[Candidate], call: Call) -> List[Candidate]:
    """The candidates that can be offered `call` now (see `is_eligible`), in their order."""
    return [c for c in candidates if is_eligible(c, call)]


def unavailable_reason(candidates: List[Candidate]) -> OverflowReason:
    """Why nobody is rung when nobody is eligible: `NO_MEMBERS` without candidates,
    `ALL_BUSY` when someone available here is busy (ringing, on a call, in wrap-up or busy
    for another company), otherwise `NONE_AVAILABLE`."""
    if not candidates:
        return OverflowReason.NO_MEMBERS
    if any(is_available_here(c) and c.presence in _BUSY for c in candidates):
        return OverflowReason.ALL_BUSY
    return OverflowReason.NONE_AVAILABLE


def attribute(call: Call, key: str) -> Optional[str]:
    """The value of the call attribute `key` sent by the telephony platform (first match)."""
    return next((a.value for a in call.attributes if a.key == key), None)
