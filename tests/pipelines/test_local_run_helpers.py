import io
from collections import deque

from pipelines.local_run import _StepTracker, _without_traceback


def test_tracker_turns_kfp_local_task_lines_into_events_and_keeps_step_output():
    events = []
    log = io.StringIO()
    tracker = _StepTracker(log, events.append)
    tracker.write("12:00:00.000 - INFO - Executing task \x1b[96m'train'\x1b[0m\n    fitting\n")
    tracker.write("12:00:01.000 - INFO - Task \x1b[96m'train'\x1b[0m finished with status "
                  "\x1b[92mSUCCESS\x1b[0m\n")
    assert [(e.step, e.status) for e in events] == [("train", "running"), ("train", "succeeded")]
    assert tracker.statuses == {"train": "succeeded"}
    assert list(tracker.output["train"]) == ["    fitting"]
    assert "Executing task" in log.getvalue()


def test_failed_step_output_drops_traceback_frames_and_executor_json():
    lines = deque([
        '    {', '        "inputs": {', '    }',
        "    endpoint http://127.0.0.1:1: 12/100 correct",
        "    Traceback (most recent call last):",
        '      File "x.py", line 1, in <module>',
        "        raise RuntimeError('low')",
        "    RuntimeError: endpoint accuracy 0.1200 is below 0.9",
    ])
    assert _without_traceback(lines) == [
        "    endpoint http://127.0.0.1:1: 12/100 correct",
        "    RuntimeError: endpoint accuracy 0.1200 is below 0.9",
    ]
