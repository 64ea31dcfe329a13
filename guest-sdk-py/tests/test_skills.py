"""`skills`: skills by name over the bitmask."""

from switchyard_policy import RequiredSkills, has_skill, skill_names, skill_set, testing


def test_skills_by_name_case_insensitively():
    call = testing.call()
    asha = testing.candidate(1, skills=testing.skills(call, ["Hindi", "billing"]))
    ben = testing.candidate(2, skills=testing.skills(call, ["billing"]))
    assert has_skill(asha, call, " hindi ")
    assert not has_skill(ben, call, "hindi")
    assert not has_skill(ben, call, "a skill nobody in the department has")
    required = RequiredSkills(call, ["billing", "hindi", "  "])
    assert required.is_met_by(asha) and not required.is_met_by(ben)
    assert skill_names(asha, call) == ["Hindi", "billing"]
    assert RequiredSkills(call, []).is_empty()


def test_only_ascii_case_is_folded_and_every_spelling_counts():
    call = testing.call()
    call.skills = ["Straße", "STRASSE", "french", "French"]
    assert skill_set(call, "straße") == 0b0001
    assert skill_set(call, "strasse") == 0b0010
    assert skill_set(call, "FRENCH") == 0b1100
