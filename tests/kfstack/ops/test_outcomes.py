"""kfstack/ops/outcomes.py: a step changed something unless it found the setting as wanted."""

from kfstack.ops.outcomes import Outcome, Step


def test_changed() -> None:
    assert Step("bucket", Outcome.CREATED).changed
    assert Step("versioning", Outcome.UPDATED).changed
    assert not Step("lifecycle", Outcome.UNCHANGED).changed
    assert Outcome.UNCHANGED.value == "already configured"
