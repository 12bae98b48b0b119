"""The Kubernetes manifests: rendered offline, valid against the API schemas, and safe by construction."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from motcua_tools.kustomize import KustomizeError, render, split_image, strategic_merge
from tests.deploy.conftest import DEPLOY

OVERLAYS = ["staging", "production"]
KUBERNETES_VERSION = "1.32.0"
HTTP_COMPONENTS = {"api"}
TMP = "/tmp"  # noqa: S108 - the writable mount the read-only containers need


def rendered(overlay: str) -> list[dict[str, Any]]:
    return render(DEPLOY / "k8s" / "overlays" / overlay)


def by_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def workloads(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in resources if r["kind"] in {"Deployment", "Job"}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_is_valid_for_the_kubernetes_api(overlay: str, tmp_path: Path) -> None:
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(yaml.safe_dump_all(rendered(overlay)), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own tool on our own file
        [
            str(Path(sys.executable).parent / "kubernetes-validate"),
            "--strict",
            "--quiet",
            "-k",
            KUBERNETES_VERSION,
            str(manifest),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_is_probed_limited_and_unprivileged(overlay: str) -> None:
    resources = rendered(overlay)
    assert len(workloads(resources)) >= 12
    for workload in workloads(resources):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            resources_ = container["resources"]
            assert {"cpu", "memory"} <= set(resources_["requests"]), name
            assert {"cpu", "memory"} <= set(resources_["limits"]), name
            if workload["kind"] == "Job":
                continue
            assert "livenessProbe" in container, name
            component = workload["metadata"]["labels"]["app.kubernetes.io/component"]
            if component in HTTP_COMPONENTS:
                assert container["livenessProbe"]["httpGet"]["path"] == "/livez", name
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
                assert container["startupProbe"]["httpGet"]["path"] == "/livez", name
            # A read-only root needs a writable /tmp for the motcua image (temporary files, heartbeats).
            if container["image"].startswith("registry.example.gov.vn/motcua/"):
                mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
                assert TMP in mounts, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_api_has_service_autoscaler_and_disruption_budget(overlay: str) -> None:
    resources = rendered(overlay)
    services, hpas, pdbs = by_kind(resources, "Service"), by_kind(resources, "HorizontalPodAutoscaler"), {}
    pdbs = by_kind(resources, "PodDisruptionBudget")
    apis = [
        d
        for d in by_kind(resources, "Deployment").values()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "api"
    ]
    assert {d["metadata"]["name"] for d in apis} == {"catalog", "dossier", "survey", "gateway"}
    for deployment in apis:
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert services[name]["spec"]["selector"].items() <= labels.items()
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
        assert pdbs[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert "replicas" not in deployment["spec"]  # the autoscaler owns the count
        if overlay == "production":
            assert hpas[name]["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_database_has_a_migration_job(overlay: str) -> None:
    jobs = by_kind(rendered(overlay), "Job")
    assert set(jobs) == {"catalog-migrate", "dossier-migrate", "survey-migrate", "gateway-migrate"}
    for job in jobs.values():
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["migrate"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_declared(overlay: str) -> None:
    resources = rendered(overlay)
    assert not [r for r in resources if r["kind"] == "Secret"]
    referenced = set()
    for workload in workloads(resources):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                assert "value" not in variable or not variable["name"].endswith(("SECRET", "PEPPER", "URL"))
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add((ref["name"], ref["key"]))
    # docs/operations.md lists every Secret key to create; it must name each one.
    guide = (DEPLOY.parent / "docs" / "operations.md").read_text(encoding="utf-8")
    for secret, key in referenced:
        assert f"`{secret}`" in guide, secret
        assert f"`{key}`" in guide, key


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_admit_only_the_gateway_from_outside(overlay: str) -> None:
    resources = rendered(overlay)
    policies = by_kind(resources, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    open_to_all = [
        name for name, policy in policies.items() for rule in policy["spec"].get("ingress", []) if "from" not in rule
    ]
    assert open_to_all == ["gateway"]

    def admitted(target: str) -> set[str]:
        callers = set()
        for rule in policies[target]["spec"]["ingress"]:
            for peer in rule["from"]:
                labels = peer.get("podSelector", {}).get("matchLabels", {})
                if labels:
                    callers.add(f"{labels['app.kubernetes.io/name']}-{labels['app.kubernetes.io/component']}")
                else:
                    callers.add("namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
        return callers

    assert admitted("catalog") == {"gateway-api", "dossier-api", "namespace:monitoring"}
    assert admitted("dossier") == {"gateway-api", "catalog-dispatcher", "namespace:monitoring"}
    assert admitted("survey") == {"gateway-api", "dossier-dispatcher", "namespace:monitoring"}
    assert admitted("redis") == {"gateway-api"}
    for dispatcher in ("catalog-dispatcher", "dossier-dispatcher", "survey-dispatcher"):
        spec = policies[dispatcher]["spec"]
        assert spec["ingress"] == []
        ports = {p["port"] for rule in spec["egress"] for p in rule["ports"]}
        assert {5432, 443} <= ports  # its database and the subscribers
    # Every pod of the release is covered by the deny-all (its podSelector is empty) and is some policy's subject.
    subjects = {
        (
            p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"],
        )
        for p in policies.values()
        if p["spec"]["podSelector"]
    }
    for workload in [*workloads(resources), *by_kind(resources, "Deployment").values()]:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert (labels["app.kubernetes.io/name"], labels["app.kubernetes.io/component"]) in subjects


def test_overlays_differ_where_they_should() -> None:
    staging, production = rendered("staging"), rendered("production")
    assert {r["metadata"].get("namespace") for r in staging} == {"motcua-staging"}
    assert {r["metadata"].get("namespace") for r in production} == {"motcua"}
    images = {
        c["image"]
        for r in workloads(production)
        for c in r["spec"]["template"]["spec"]["containers"]
        if "motcua" in c["image"]
    }
    assert images == {"registry.example.gov.vn/motcua/motcua:0.1.0"}
    assert by_kind(production, "Deployment")["dossier-dispatcher"]["spec"]["replicas"] == 2
    assert by_kind(staging, "Deployment")["dossier-dispatcher"]["spec"]["replicas"] == 1
    dossier = by_kind(production, "Deployment")["dossier"]["spec"]["template"]
    assert dossier["spec"]["containers"][0]["resources"]["limits"]["memory"] == "768Mi"
    # The patch changed the resources and kept everything else of the container.
    assert dossier["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert dossier["metadata"]["labels"]["motcua.vn/environment"] == "production"
    assert by_kind(production, "ConfigMap")["motcua-dossier"]["data"]["DOSSIER_CATALOG__URL"] == "http://catalog:8001"
    hosts = {r["spec"]["rules"][0]["host"] for r in production if r["kind"] == "Ingress"}
    assert hosts == {"dichvucong.example.gov.vn"}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_agrees_with_kubectl_kustomize(overlay: str) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed command on our own files
        [str(shutil.which("kubectl")), "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    )

    def keyed(resources: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["kind"], r["metadata"].get("namespace", ""), r["metadata"]["name"]): r for r in resources}

    assert keyed(list(yaml.safe_load_all(result.stdout))) == keyed(rendered(overlay))


def test_strategic_merge_follows_kubernetes_merge_keys() -> None:
    base = {
        "containers": [
            {"name": "app", "image": "a", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "side", "image": "s"},
        ],
        "tolerations": [{"key": "x"}],
    }
    patch = {
        "containers": [{"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}],
        "tolerations": [{"key": "y"}],
    }
    merged = strategic_merge(base, patch)
    assert merged["containers"][0]["image"] == "a"
    assert merged["containers"][0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "value": "4"},
    ]
    assert merged["containers"][1] == {"name": "side", "image": "s"}
    assert merged["tolerations"] == [{"key": "y"}]  # lists without a merge key are replaced
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}


def test_image_references_are_split_like_kustomize() -> None:
    assert split_image("motcua") == ("motcua", None, None)
    assert split_image("registry:5000/motcua:1.2") == ("registry:5000/motcua", "1.2", None)
    assert split_image("motcua@sha256:abc") == ("motcua", None, "sha256:abc")


def test_unimplemented_fields_are_refused(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nnamePrefix: x-\n", encoding="utf-8")
    with pytest.raises(KustomizeError, match="namePrefix"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        "resources: []\nlabels:\n  - pairs: {a: b}\n    includeSelectors: true\n", encoding="utf-8"
    )
    with pytest.raises(KustomizeError, match="includeSelectors"):
        render(tmp_path)


def test_a_patch_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches:\n  - patch: |\n      apiVersion: v1\n      kind: ConfigMap\n"
        "      metadata: {name: b}\n      data: {x: y}\n",
        encoding="utf-8",
    )
    with pytest.raises(KustomizeError, match="matches no resource"):
        render(tmp_path)
