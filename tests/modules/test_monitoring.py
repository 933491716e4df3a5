"""kube-prometheus-stack values, Grafana's login, route and network policy."""

from __future__ import annotations

from modules.images import ImageMirror
from modules.monitoring import (
    GRAFANA_ADMIN_SECRET,
    NOT_ON_GPU_NODES,
    ROLE_HEADER,
    MonitoringStorage,
    grafana_gateway_only_policy,
    grafana_route,
    monitoring_values,
)
from modules.scrape_targets import custom_resource_rules, custom_resource_state

STORAGE = MonitoringStorage("gp3", "50Gi", "2Gi", "5Gi", "15d", "40GiB")


def _values(mirror: ImageMirror | None = None) -> dict:
    return monitoring_values(
        mirror or ImageMirror(), STORAGE, "https://kubeflow.example.com/grafana/",
        custom_resource_state(), custom_resource_rules(),
    )  # fmt: skip


def test_grafana_trusts_the_gateways_user_header_and_has_no_anonymous_or_form_login() -> None:
    grafana = _values()["grafana"]
    ini = grafana["grafana.ini"]
    assert ini["auth.anonymous"] == {"enabled": False}
    assert ini["auth"]["disable_login_form"] is True and ini["auth.basic"] == {"enabled": False}
    assert ini["auth.proxy"]["header_name"] == "kubeflow-userid" and ini["auth.proxy"]["auto_sign_up"] is True
    assert f"Role:{ROLE_HEADER}" in ini["auth.proxy"]["headers"]
    assert ini["users"]["auto_assign_org_role"] == "Viewer"
    assert ini["server"] == {"root_url": "https://kubeflow.example.com/grafana/", "serve_from_sub_path": True}
    assert grafana["admin"]["existingSecret"] == GRAFANA_ADMIN_SECRET
    assert "adminPassword" not in grafana


def test_retention_and_volumes_come_from_the_settings() -> None:
    values = _values()
    spec = values["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["retentionSize"]) == ("15d", "40GiB")
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "gp3" and claim["resources"]["requests"]["storage"] == "50Gi"
    am = values["alertmanager"]["alertmanagerSpec"]["storage"]["volumeClaimTemplate"]["spec"]
    assert am["resources"]["requests"]["storage"] == "2Gi"
    assert values["grafana"]["persistence"]["existingClaim"] == "grafana"


def test_prometheus_selects_monitors_and_rules_of_every_namespace() -> None:
    spec = _values()["prometheus"]["prometheusSpec"]
    for kind in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False


def test_control_plane_of_monitoring_stays_off_gpu_nodes() -> None:
    values = _values()
    for placed in (values["prometheus"]["prometheusSpec"], values["alertmanager"]["alertmanagerSpec"],
                   values["grafana"], values["kube-state-metrics"], values["prometheusOperator"]):  # fmt: skip
        assert placed["affinity"] == NOT_ON_GPU_NODES
    (term,) = NOT_ON_GPU_NODES["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert term["matchExpressions"] == [
        {"key": "nvidia.com/gpu.present", "operator": "NotIn", "values": ["true"]}
    ]


def test_every_image_goes_through_the_mirror_with_its_source_registry() -> None:
    values = _values(ImageMirror("registry.example.com/mirror"))
    images = [
        values["prometheus"]["prometheusSpec"]["image"], values["alertmanager"]["alertmanagerSpec"]["image"],
        values["prometheusOperator"]["image"], values["prometheusOperator"]["prometheusConfigReloader"]["image"],
        values["prometheusOperator"]["thanosImage"], values["prometheusOperator"]["admissionWebhooks"]["patch"]["image"],
        values["grafana"]["image"], values["grafana"]["sidecar"]["image"], values["grafana"]["initChownData"]["image"],
        values["kube-state-metrics"]["image"], values["prometheus-node-exporter"]["image"],
    ]  # fmt: skip
    assert {i["registry"] for i in images} == {"registry.example.com"}
    assert values["grafana"]["image"]["repository"] == "mirror/docker.io/grafana/grafana"
    assert "imageRegistry" not in values.get("global", {})  # it would drop the source registry


def test_admins_get_the_admin_role_header_and_everyone_else_loses_a_client_sent_one() -> None:
    spec = grafana_route(["ops@example.com"])
    admins, everyone = spec["http"]
    assert admins["match"] == [
        {
            "uri": {"prefix": "/grafana/"},
            "headers": {"@request.auth.claims.email": {"exact": "ops@example.com"}},
        }
    ]
    assert admins["headers"]["request"]["set"] == {ROLE_HEADER: "Admin"}
    assert everyone["headers"]["request"]["remove"] == [ROLE_HEADER]
    assert spec["gateways"] == ["kubeflow/kubeflow-gateway"]
    assert [r["name"] for r in grafana_route([])["http"]] == ["grafana"]


def test_only_the_ingress_gateway_reaches_grafana() -> None:
    policy = grafana_gateway_only_policy()
    assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "grafana"
    (rule,) = policy["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "istio-system"}
    assert rule["ports"] == [{"protocol": "TCP", "port": 3000}]
