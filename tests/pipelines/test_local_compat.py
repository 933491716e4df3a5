from pipelines.local_compat import cel_to_python, kfp_local_conditions


def test_compiler_cel_becomes_the_python_kfp_local_evaluates():
    cel = "inputs.parameter_values['pipelinechannel--compare-with-champion-Output'] == true"
    assert cel_to_python(cel) == "pipelinechannel--compare-with-champion-Output == True"


def test_patch_is_undone_after_the_run():
    from kfp.local.orchestrator import enhanced_dag_orchestrator as orchestrator

    original = orchestrator.ConditionEvaluator.__dict__["evaluate_condition"]
    with kfp_local_conditions():
        assert orchestrator.ConditionEvaluator.__dict__["evaluate_condition"] is not original
    assert orchestrator.ConditionEvaluator.__dict__["evaluate_condition"] is original


def test_patched_evaluator_resolves_task_outputs():
    from kfp.local import io
    from kfp.local.orchestrator import enhanced_dag_orchestrator as orchestrator

    store = io.IOStore()
    store.put_task_output("compare", "Output", True)
    cel = "inputs.parameter_values['pipelinechannel--compare-Output'] == true"
    assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is False  # the bug
    with kfp_local_conditions():
        assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is True
        store.put_task_output("compare", "Output", False)
        assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is False


def test_patched_evaluator_resolves_named_tuple_outputs_of_dashed_tasks():
    from kfp.local import io
    from kfp.local.orchestrator import enhanced_dag_orchestrator as orchestrator

    store = io.IOStore()
    store.put_task_output("compare-with-champion", "below_floor", True)
    cel = "inputs.parameter_values['pipelinechannel--compare-with-champion-below_floor'] == true"
    assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is False  # the bug
    with kfp_local_conditions():
        assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is True
        store.put_task_output("compare-with-champion", "below_floor", False)
        assert orchestrator.ConditionEvaluator.evaluate_condition(cel, store) is False
