"""Skills by name over the bitmask each candidate carries.

The department's skill names arrive once, in `call.skills`; bit `i` of a candidate's `skills`
stands for `call.skills[i]`. Names compare case-insensitively (ASCII) ignoring surrounding
spaces, as in the Rust SDK.
"""

from typing import Iterable, List

from .types import Call, Candidate

#: Most skill names a call carries (the bits of a skill set).
MAX_SKILLS = 64


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _same(a: str, b: str) -> bool:
    """Whether two names are the same skill (ASCII case folded only, like Rust's
    `eq_ignore_ascii_case`)."""
    return a.strip().translate(_ASCII_LOWER) == b.strip().translate(_ASCII_LOWER)


def skill_set(call: Call, name: str) -> int:
    """The bits standing for skill `name`; 0 when nobody in the department has it."""
    bits = 0
    for bit, skill in enumerate(call.skills[:MAX_SKILLS]):
        if _same(skill, name):
            bits |= 1 << bit
    return bits


def has_skill(candidate: Candidate, call: Call, name: str) -> bool:
    """Whether `candidate` has skill `name` in the call's department."""
    return candidate.skills & skill_set(call, name) != 0


def skill_names(candidate: Candidate, call: Call) -> List[str]:
    """The candidate's skill names, as the company spelt them."""
    return [s for bit, s in enumerate(call.skills[:MAX_SKILLS]) if candidate.skills >> bit & 1]


class RequiredSkills:
    """Skills a candidate must all have, looked up once per call (blank names are ignored)."""

    def __init__(self, call: Call, names: Iterable[str]):
        self._each = [skill_set(call, n) for n in names if n.strip()]

    def is_empty(self) -> bool:
        """Whether nothing is required."""
        return not self._each

    def is_met_by(self, candidate: Candidate) -> bool:
        """Whether `candidate` has every required skill."""
        return all(candidate.skills & bits for bits in self._each)
