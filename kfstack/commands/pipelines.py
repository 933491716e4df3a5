"""`kfstack pipelines`: list, compile and run (locally) the Kubeflow pipelines kfstack ships."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from pipelines.local_run import LocalRunResult, StepEvent

_STATUS_STYLE = {"succeeded": "green", "failed": "red", "skipped": "yellow", "not run": "dim"}


@click.group(name="pipelines")
def pipelines_group() -> None:
    """List, compile and locally run the reference Kubeflow pipelines (pipelines/).

    Offline: compile needs only the kfp SDK; `run --local` runs every step on this machine.
    """


@pipelines_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def list_command(as_json: bool) -> None:
    """List the shipped pipelines with their default parameters."""
    from pipelines.catalog import list_pipelines

    infos = list_pipelines()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "description": i.description,
                        "steps": list(i.steps),
                        "parameters": i.default_parameters,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return
    table = Table("name", "steps", "description")
    for info in infos:
        table.add_row(info.name, " → ".join(info.steps), info.description)
    Console().print(table)


@pipelines_group.command(name="compile")
@click.argument("name")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the IR YAML to FILE instead of stdout.",
)
@click.option(
    "--env",
    "environment",
    metavar="ENV",
    help="Compile for ENV's GPU pool (pipelines.gpuPool) and data/models volumes.",
)
def compile_command(name: str, output: Path | None, environment: str | None) -> None:
    """Compile pipeline NAME to KFP IR YAML (byte-identical for the same code and target).

    Without --env the default target is used (models on the `models` claim, no data volume, the
    default runtime image); with --env, the environment's volumes, model store, serving settings and
    runtime image. No reference step requests a GPU (scikit-learn trains on CPU).
    """
    from kfstack.commands.common import EXIT_BAD_INPUT
    from pipelines.catalog import UnknownPipelineError, compile_pipeline
    from pipelines.placement import PipelineTarget

    target: PipelineTarget | None = None
    if environment is not None:
        from kfstack.commands.common import report_config_error
        from stacks.config.errors import ConfigError
        from stacks.config.loader import load_environment
        from stacks.pipeline_target import environment_target

        try:
            _, config = load_environment(environment)
        except ConfigError as error:
            sys.exit(report_config_error(error))
        target = environment_target(config)
    try:
        text = compile_pipeline(name, target)
    except UnknownPipelineError as error:
        raise click.BadParameter(str(error), param_hint="NAME") from None
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text)
        except OSError as error:
            click.echo(f"error: cannot write {output}: {error.strerror or error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        click.echo(f"wrote {output} ({len(text)} bytes)", err=True)


@pipelines_group.command(name="run")
@click.argument("name")
@click.option("--local", "local", is_flag=True, help="Run every step on this machine with kfp.local.")
@click.option(
    "--env",
    "environment",
    metavar="ENV",
    help="Run the version `pulumi up` registered in ENV's Kubeflow Pipelines.",
)
@click.option(
    "--param",
    "-p",
    "param_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a pipeline parameter; repeatable (see `pipelines list --json`).",
)
@click.option(
    "--experiment",
    metavar="NAME",
    help="With --env: the experiment (pipelines.experiments) to run in; default: the first.",
)
@click.option(
    "--follow/--no-follow",
    default=True,
    show_default=True,
    help="With --env: follow the run's state until it ends.",
)
@click.option(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="With --env: stop following after SECONDS (exit 1).",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.01),
    default=5.0,
    show_default=True,
    help="With --env: how often to poll the run's state.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".kfstack/local"),
    show_default=True,
    help="With --local: local state (MLflow registry, artifacts, run outputs and logs).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def run_command(
    name: str,
    local: bool,
    environment: str | None,
    param_pairs: tuple[str, ...],
    experiment: str | None,
    follow: bool,
    timeout_seconds: float | None,
    poll_seconds: float,
    workdir: Path,
    as_json: bool,
) -> None:
    """Run pipeline NAME end to end, locally or in an environment's Kubeflow Pipelines.

    With --local, steps run as subprocesses against a local MLflow registry in WORKDIR. A
    candidate below quality_floor fails the run; one that beats the champion is registered as
    challenger, its InferenceService manifest is validated and served from its pvc:// storage
    URI (WORKDIR/volumes/models) by a loopback endpoint (KServe v1/v2 protocol), tested there,
    and only then promoted. The summary says what happened: promoted, kept, rejected or failed.

    With --env ENV, the run uses the pipeline version `pulumi up -s ENV` registered (the same
    compile and content hash), the KFP endpoint and auth of pipelines.kfp, prints the run's URL
    and follows its state. Secrets for the oidcToken and dexPassword modes come from
    KFSTACK_KFP_TOKEN / KFSTACK_KFP_PASSWORD (the stack file keeps them encrypted).

    Exit code 0 on success (promoted, or champion kept), 1 if the run failed (a step, the
    quality floor or the endpoint test) or KFP could not be reached, 2 on bad input.

    \b
    Examples:
      kfstack pipelines run train-and-deploy --local -p hidden_layers=2 -p max_iter=1
      kfstack pipelines run retrain --env dev -p window_days=7
    """
    if local == (environment is not None):
        raise click.UsageError("choose where to run: --local, or --env ENV")
    from pipelines.catalog import UnknownPipelineError
    from pipelines.params import ParameterError, parse_assignments

    console = Console(stderr=as_json, soft_wrap=True)
    try:
        overrides = parse_assignments(param_pairs)
        if environment is not None:
            sys.exit(
                _run_in_environment(
                    console,
                    environment,
                    name,
                    overrides,
                    experiment,
                    follow,
                    timeout_seconds,
                    poll_seconds,
                    as_json,
                )
            )
        from pipelines.local_run import run_local

        result = run_local(name, overrides, workdir, on_event=_progress(console))
    except UnknownPipelineError as error:
        raise click.BadParameter(str(error), param_hint="NAME") from None
    except ParameterError as error:
        raise click.BadParameter(str(error), param_hint="--param") from None
    if as_json:
        click.echo(json.dumps(_summary_dict(result), indent=2, default=str))
    else:
        _render_summary(console, result)
    sys.exit(0 if result.succeeded else 1)


def _run_in_environment(
    console: Console,
    environment: str,
    name: str,
    overrides: dict[str, str],
    experiment: str | None,
    follow: bool,
    timeout_seconds: float | None,
    poll_seconds: float,
    as_json: bool,
) -> int:
    from kfstack.commands.common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, report_config_error
    from kfstack.remote_runs import ClusterUnreachable, RemoteRunError, prepare_remote_run
    from modules.kfp.errors import KfpError
    from modules.kfp.runs import KfpRunTimeout, find_registered_version, run_states, run_url, submit_run
    from stacks.config.errors import ConfigError
    from stacks.config.loader import load_environment

    try:
        env_name, config = load_environment(environment)
        run = prepare_remote_run(env_name, config, name, overrides, experiment)
    except ConfigError as error:
        return report_config_error(error)
    except RemoteRunError as error:
        console.print(f"[red]error:[/] {error}", highlight=False)
        return EXIT_BAD_INPUT
    except ClusterUnreachable as error:
        console.print(f"[red]error:[/] {error}", highlight=False)
        return EXIT_FAILED
    connection = run.connection
    console.print(
        f"{run.pipeline} version {run.version} in {env_name} "
        f"({connection.describe()}), experiment {run.experiment}",
        highlight=False,
    )
    try:
        ids = find_registered_version(connection, run.pipeline, run.version, run.experiment)
        status = submit_run(
            connection,
            ids.pipeline_id,
            ids.version_id,
            ids.experiment_id,
            run.parameters,
            display_name=run.pipeline,
        )
        console.print(f"run {status.display_name}: {run_url(connection, status.run_id)}", highlight=False)
        if follow:
            with console.status(f"{status.state} …") as spinner:
                for state in run_states(
                    connection, status.run_id, poll_seconds=poll_seconds, timeout_seconds=timeout_seconds
                ):
                    console.print(f"  {state.state}", highlight=False)
                    spinner.update(f"{state.state} …")
                    status = state
    except KfpRunTimeout as error:
        console.print(f"[red]error:[/] {error}", highlight=False)
        return EXIT_FAILED
    except KfpError as error:
        console.print(f"[red]error:[/] {error}", highlight=False)
        return EXIT_FAILED
    if as_json:
        click.echo(
            json.dumps(
                {
                    "environment": env_name,
                    "pipeline": run.pipeline,
                    "version": run.version,
                    "run_id": status.run_id,
                    "state": status.state,
                    "url": run_url(connection, status.run_id),
                    "error": status.error,
                },
                indent=2,
            )
        )
    elif status.finished:
        style = "green" if status.succeeded else "red"
        console.print(f"[{style}]{status.state}[/]" + (f": {status.error}" if status.error else ""))
    if not follow:
        return EXIT_OK
    return EXIT_OK if status.succeeded else EXIT_FAILED


def _progress(console: Console) -> Any:
    def show(event: StepEvent) -> None:
        if event.status == "running":
            console.print(f"[cyan]→[/] {event.step} …")
        else:
            mark = "[green]✓[/]" if event.status == "succeeded" else "[red]✗[/]"
            console.print(f"{mark} {event.step} [dim]{event.seconds:.1f}s[/]")

    return show


def _summary_dict(result: LocalRunResult) -> dict[str, Any]:
    return {
        "pipeline": result.pipeline,
        "succeeded": result.succeeded,
        "seconds": round(result.seconds, 2),
        "steps": result.steps,
        "metrics": result.metrics,
        "outcome": result.outcome[0],
        "reason": result.outcome[1],
        "champion_before": result.champion_before,
        "champion_after": result.champion_after,
        "serving_before": result.serving_before,
        "serving_after": result.serving_after,
        "promoted": result.promoted,
        "registered_version": result.registered_version,
        "storage_uri": result.storage_uri,
        "comparison": result.comparison,
        "deploy": result.deploy,
        "endpoint": result.endpoint,
        "error": result.error,
        "run_dir": str(result.run_dir),
        "log": str(result.log_path),
    }


def _render_summary(console: Console, result: LocalRunResult) -> None:
    steps = Table("step", "status", "seconds", title=f"{result.pipeline} (local)")
    for step, status in result.steps.items():
        seconds = result.step_seconds.get(step)
        steps.add_row(
            step,
            f"[{_STATUS_STYLE.get(status, '')}]{status}[/]",
            f"{seconds:.1f}" if seconds is not None else "",
        )
    console.print(steps)
    if result.metrics:
        metrics = Table("metric", "value", title="candidate metrics (evaluation rows)")
        for name, value in result.metrics.items():
            metrics.add_row(name, f"{value:.4f}")
        console.print(metrics)
    model = result.parameters["model_name"]
    console.print(
        f"champion before: {_version(result.champion_before)}   "
        f"after: {_version(result.champion_after)}   ({model}@{result.parameters['alias']}); "
        f"serving before: {_version(result.serving_before)}   after: {_version(result.serving_after)}"
    )
    if result.comparison:
        console.print(f"quality gate: {result.comparison.get('reason')}")
    if result.registered_version:
        console.print(
            f"challenger: v{result.registered_version} ({model}@"
            f"{result.parameters['challenger_alias']}) at {result.storage_uri}"
        )
    if result.deploy:
        console.print(
            f"deploy (dry run): {result.deploy.get('service')} "
            f"validated with {result.deploy.get('validation')}"
        )
    if result.endpoint.get("endpoint_accuracy") is not None:
        passed = result.steps.get("integration-test") == "succeeded"
        console.print(
            f"endpoint test: accuracy {result.endpoint['endpoint_accuracy']:.4f}"
            f" on {int(result.endpoint.get('golden_rows', 0))} golden rows "
            f"(threshold {result.parameters['min_endpoint_accuracy']}) "
            + ("[green]passed[/]" if passed else "[red]failed[/]")
        )
    outcome, reason = result.outcome
    style = {"promoted": "green", "kept": "yellow"}.get(outcome, "red")
    console.print(f"[{style}]{outcome}[/]: {reason}", highlight=False)
    if result.error:
        console.print(f"[red]failed:[/] {result.error}")
        for line in result.failed_step_output[-15:]:
            console.print(f"  {line}", markup=False, highlight=False)
    console.print(f"[dim]{result.seconds:.1f}s · log {result.log_path}[/]")


def _version(version: str | None) -> str:
    return f"v{version}" if version else "none"
