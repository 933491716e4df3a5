"""`kfstack:profiles`: names are namespaces, owners and contributors are login e-mails, names are unique."""

from __future__ import annotations

import pytest

OWNER = "alice@example.com"


def profiles(*entries: dict) -> list[dict]:
    return [{"name": "kubeflow-user", "owner": "user@example.com"}, *entries]


def test_a_team_profile_with_contributors_and_quota_is_valid(problems) -> None:
    team = {
        "name": "team-a",
        "owner": OWNER,
        "contributors": ["bob@example.com"],
        "resourceQuota": {"cpu": "32", "requests.nvidia.com/gpu": "4"},
    }
    assert problems(profiles=profiles(team)) == {}


def test_a_profile_without_an_owner_is_rejected(problems) -> None:
    assert problems(profiles=profiles({"name": "team-a"})) == {
        "kfstack:profiles[1].owner": "required value is missing"
    }


@pytest.mark.parametrize("field", ["owner", "contributors"])
def test_owners_and_contributors_must_be_emails(problems, field: str) -> None:
    value = "alice" if field == "owner" else ["alice"]
    entry = {"name": "team-a", "owner": OWNER, field: value}
    found = problems(profiles=profiles(entry))
    path = "kfstack:profiles[1].owner" if field == "owner" else "kfstack:profiles[1].contributors[0]"
    assert list(found) == [path]


def test_a_profile_name_must_be_a_namespace_name(problems) -> None:
    found = problems(profiles=profiles({"name": "Team_A", "owner": OWNER}))
    assert list(found) == ["kfstack:profiles[1].name"]


def test_duplicate_profile_names_are_rejected(problems) -> None:
    found = problems(profiles=profiles({"name": "kubeflow-user", "owner": OWNER}))
    assert found == {"kfstack:profiles[1].name": "duplicate profile; profiles[0] has it"}


def test_a_platform_namespace_is_not_a_profile(problems) -> None:
    found = problems(profiles=profiles({"name": "kubeflow", "owner": OWNER}))
    assert found == {"kfstack:profiles[1].name": "a platform namespace, not a profile"}


def test_profiles_need_the_profiles_component(problems) -> None:
    off = {key: {"enabled": False} for key in ("profiles", "kubeflowPipelines", "centralDashboard")}
    found = problems(components=off)
    assert found == {"kfstack:components.profiles.enabled": "profiles are declared, so this must be on"}
