"""`Experiment`: a KFP experiment in the connection's namespace (it groups runs and schedules).

Delete deletes (rather than archives). Upstream, deleting an experiment keeps its runs, so run
history stays in KFP's run list; archiving would keep the experiment's name taken, and KFP
names are unique per namespace, so a later create or a replacement of the same name would
collide with the archived one. Recurring runs are deleted before their experiment by Pulumi's
dependency order.

KFP has no update call for experiments: a changed name or description replaces the experiment
(and the recurring runs in it); with an unchanged name the old one goes first. An experiment
archived upstream shows up in `read` as `storage_state: ARCHIVED`, and the next `up` unarchives
it. One deleted upstream is gone from state after `pulumi refresh`.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi.dynamic
from kfp_server_api import models

from modules.kfp.base import KfpProvider, resource_options, timestamp
from modules.kfp.client import KfpApi
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict
from modules.kfp.props import diff_result, failures, plain

REPLACE_KEYS: tuple[str, ...] = ("name", "description")
ARCHIVED = "ARCHIVED"


def find_experiment(api: KfpApi, name: str) -> models.V2beta1Experiment | None:
    """The experiment called `name` in the connection's namespace, if any."""
    name_filter = json.dumps(
        {"predicates": [{"operation": "EQUALS", "key": "display_name", "string_value": name}]}
    )
    for experiment in api.pages(
        f"looking up experiment {name!r}",
        api.experiments.experiment_service_list_experiments,
        "experiments",
        namespace=api.connection.namespace,
        filter=name_filter,
    ):
        if experiment.display_name == name:
            return experiment
    return None


class ExperimentProvider(KfpProvider):
    """Dynamic provider for KFP experiments (v2beta1 ExperimentService)."""

    INPUTS = ("name", "description")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        problems = self.connection_failures(news) + self.required(news, ("name",))
        return pulumi.dynamic.CheckResult(news, failures(problems))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        result = diff_result(olds, news, REPLACE_KEYS, ())
        if result.replaces:
            result.delete_before_replace = "name" not in result.replaces
        elif plain(olds.get("storage_state")) == ARCHIVED:
            result.changes = True  # archived upstream: update unarchives it
        return result

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        inputs = self.working_inputs(props)
        name = inputs["name"]
        with self.api(props) as api:
            namespace = api.connection.namespace
            existing = find_experiment(api, name)
            if existing is not None:
                raise KfpConflict(
                    f"experiment {name!r} already exists in namespace {namespace} "
                    f"(id {existing.experiment_id}, {existing.storage_state}): "
                    "import it with `pulumi import` or delete it first"
                )
            body = models.V2beta1Experiment(
                display_name=name, description=inputs.get("description"), namespace=namespace
            )
            created = api.call(
                f"creating experiment {name!r}",
                api.experiments.experiment_service_create_experiment,
                body,
                recover=lambda: find_experiment(api, name),
            )
        outs = self.outputs(
            inputs,
            experiment_id=created.experiment_id,
            namespace=created.namespace or namespace,
            storage_state=created.storage_state,
            created_at=timestamp(created.created_at),
        )
        return pulumi.dynamic.CreateResult(created.experiment_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        inputs = self.working_inputs(props)
        with self.api(props) as api:
            live = api.get_or_none(
                f"reading experiment {id_}", api.experiments.experiment_service_get_experiment, id_
            )
        if live is None:
            return pulumi.dynamic.ReadResult("", {})
        inputs["name"] = live.display_name
        if live.description is not None:
            inputs["description"] = live.description
        outs = self.outputs(
            inputs,
            experiment_id=live.experiment_id,
            namespace=live.namespace,
            storage_state=live.storage_state,
            created_at=timestamp(live.created_at),
        )
        return pulumi.dynamic.ReadResult(id_, outs, self.working_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        state = plain(olds.get("storage_state"))
        if state == ARCHIVED:
            with self.api(news) as api:
                api.call(
                    f"unarchiving experiment {id_}",
                    api.experiments.experiment_service_unarchive_experiment,
                    id_,
                )
            state = "AVAILABLE"
        outs = self.outputs(
            self.working_inputs(news),
            experiment_id=id_,
            namespace=olds.get("namespace"),
            storage_state=state,
            created_at=olds.get("created_at"),
        )
        return pulumi.dynamic.UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.api(props) as api:
            api.delete(
                f"deleting experiment {id_}", api.experiments.experiment_service_delete_experiment, id_
            )


class Experiment(pulumi.dynamic.Resource, module="kfp", name="Experiment"):
    """A KFP experiment in the connection's (profile) namespace."""

    experiment_id: pulumi.Output[str]
    namespace: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        connection: KfpConnection,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            **connection.to_inputs(),
            "name": name,
            "description": description,
            "experiment_id": None,
            "namespace": None,
            "storage_state": None,
            "created_at": None,
        }
        super().__init__(ExperimentProvider(), resource_name, props, resource_options(opts))
