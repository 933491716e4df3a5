"""CRD schemas: from CRD objects or the schema folder, and validation that survives Go regexes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kfstack.plan.crd_schemas import CrdSchemas, crd_object_schemas, crd_validation

GO_ONLY_PATTERN = "^(?i)(abort|warn)?$"  # prometheus-operator's; Python's re rejects the late global flag


def _widget_crd(schema: dict[str, Any], served: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}},
                {"name": "v0", "served": served, "storage": False, "schema": {"openAPIV3Schema": schema}},
            ],
        },
    }


SIZE_SCHEMA = {
    "type": "object",
    "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
}


def _widget(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def test_crd_objects_give_a_schema_per_served_version() -> None:
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    schemas = crd_object_schemas([configmap, _widget_crd(SIZE_SCHEMA, served=False)])
    assert schemas == {("example.com", "v1", "Widget"): SIZE_SCHEMA}


def test_crd_objects_come_before_the_folder(tmp_path: Path) -> None:
    folder_schema = {"type": "object", "required": ["status"]}
    (tmp_path / "example.com").mkdir()
    (tmp_path / "example.com" / "Widget_v1.json").write_text(json.dumps({"openAPIV3Schema": folder_schema}))
    (tmp_path / "example.com" / "Gadget_v1.json").write_text(json.dumps({"openAPIV3Schema": folder_schema}))
    schemas = CrdSchemas(tmp_path, crd_object_schemas([_widget_crd(SIZE_SCHEMA)]))

    widget = schemas.find("example.com", "v1", "Widget")
    gadget = schemas.find("example.com", "v1", "Gadget")
    assert widget is not None and widget.schema == SIZE_SCHEMA
    assert gadget is not None and gadget.schema == folder_schema
    assert gadget.source == str(tmp_path / "example.com" / "Gadget_v1.json")
    assert schemas.find("example.com", "v2", "Widget") is None
    assert CrdSchemas(None).find("example.com", "v1", "Gadget") is None


def test_violation_is_reported_with_its_path() -> None:
    result = crd_validation(_widget({"size": "big"}), SIZE_SCHEMA)
    assert [list(e.absolute_path) for e in result.errors] == [["spec", "size"]]
    assert crd_validation(_widget({"size": 3}), SIZE_SCHEMA).errors == []


def test_go_regex_is_left_unchecked_while_other_patterns_still_apply() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "strategy": {"type": "string", "pattern": GO_ONLY_PATTERN},
                    "name": {"type": "string", "pattern": "^[a-z]+$"},
                },
            }
        },
    }
    result = crd_validation(_widget({"strategy": "WARN", "name": "Not-Lower"}), schema)
    assert [list(e.absolute_path) for e in result.errors] == [["spec", "name"]]
    assert len(result.unchecked_patterns) == 1
    assert GO_ONLY_PATTERN in result.unchecked_patterns[0] and "'WARN'" in result.unchecked_patterns[0]


def test_go_regex_inside_any_of_does_not_fail_its_branch() -> None:
    schema = {"properties": {"spec": {"anyOf": [{"properties": {"strategy": {"pattern": GO_ONLY_PATTERN}}}]}}}
    result = crd_validation(_widget({"strategy": "warn"}), schema)
    assert result.errors == []
    assert result.unchecked_patterns


def test_prometheus_rule_with_a_go_regex_field_validates(crd_dir: Path) -> None:
    """The upstream schema that motivated this: plain jsonschema raises re.error on it."""
    schema = CrdSchemas(crd_dir).find("monitoring.coreos.com", "v1", "PrometheusRule")
    assert schema is not None
    rule: dict[str, Any] = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "r"},
        "spec": {
            "groups": [
                {"name": "g", "partial_response_strategy": "warn", "rules": [{"record": "x", "expr": "1"}]}
            ]
        },
    }
    with pytest.raises(re.error):  # what `kfstack plan --crd-dir`'s plain validator would do
        list(jsonschema.Draft202012Validator(schema.schema).iter_errors(rule))
    result = crd_validation(rule, schema.schema)
    assert result.errors == [] and len(result.unchecked_patterns) == 1
    rule["spec"]["groups"][0]["rules"][0]["expr"] = {"not": "a string"}
    assert crd_validation(rule, schema.schema).errors
