"""Ready-made calls and candidates for native unit tests (the Rust SDK's `testing`)."""

from typing import List

from .skills import MAX_SKILLS
from .types import Call, Candidate, Presence, Role, Status, Weekday


def call() -> Call:
    """A first-attempt call on a Wednesday at 10:00 company time, to department 10 of company
    1, nobody tried yet, no attributes, no department skills."""
    return Call(
        id="call-1", company=1, dialled_number="+15550100", caller="+15550199", department=10,
        attempt=1, waited_ms=0, now_unix_ms=1_700_000_000_000, local_weekday=Weekday.WEDNESDAY,
        local_minute=10 * 60, seed=42, tried=[], attributes=[], skills=[],
    )


def candidate(agent: int, **fields) -> Candidate:
    """An eligible first-tier agent (available, taking calls, in schedule, idle for 0 ms, no
    calls or talk time today, no skills); keyword arguments override fields."""
    values = dict(
        agent=agent, role=Role.AGENT, tier=1, skills=0, status=Status.AVAILABLE, take_calls=True,
        in_schedule=True, presence=Presence.IDLE, idle_ms=0, calls_today=0, talk_ms_today=0,
    )
    values.update(fields)
    return Candidate(**values)


def skills(call: Call, names: List[str]) -> int:
    """The skill set of `names` in `call`; names the department does not list yet are added to
    `call.skills`, so candidates built for one call share its bits."""
    bits = 0
    for name in names:
        if name not in call.skills:
            call.skills.append(name)
        bit = call.skills.index(name)
        if bit >= MAX_SKILLS:
            raise ValueError(f"a call lists at most {MAX_SKILLS} skills")
        bits |= 1 << bit
    return bits
