"""Render the kustomize overlays in ``deploy/k8s`` without a kustomize binary.

No kustomize is available from PyPI (what ``make test`` installs), so CI renders the overlays with
this module and validates the result. It implements exactly the kustomize features the manifests
use, with kustomize's semantics, and refuses any other field so that a manifest can never rely on
something rendered differently here than by ``kubectl kustomize``:

- ``resources``: files (several documents each) and directories holding a ``kustomization.yaml``
  (rendered first, then transformed by the including kustomization);
- ``namespace``: set on every namespaced resource;
- ``labels`` (``pairs``, ``includeTemplates``; ``includeSelectors`` must stay false): added to
  ``metadata.labels`` and, with ``includeTemplates``, to pod templates;
- ``images`` (``name`` with ``newName``, ``newTag`` or ``digest``): container and init container images;
- ``replicas`` (``name``, ``count``): ``spec.replicas`` of the workloads of that name;
- ``patches`` (``path`` or ``patch``, optional ``target`` with ``kind``/``name``): strategic merge
  patches, lists merged by Kubernetes' merge keys (containers and env by ``name``, ...).

``tests/deploy/test_kubernetes.py`` checks this renderer against ``kubectl kustomize`` whenever a
kubectl is on the PATH, so the two cannot silently disagree.

``python -m motcua_tools.kustomize deploy/k8s/overlays/production`` prints the manifests.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas", "patches"}

# Kinds that live outside namespaces (the only ones the manifests could contain).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass"}

# Kubernetes' strategic merge keys, by list field name. Lists not named here are replaced whole.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}

# Where pod templates live in the workload kinds the manifests use.
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}
REPLICATED_KINDS = {"Deployment", "StatefulSet", "ReplicaSet"}


class KustomizeError(ValueError):
    """A kustomization this renderer cannot render faithfully (or that is wrong)."""


Resource = dict[str, Any]


def _load_documents(path: Path) -> list[Resource]:
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document or "metadata" not in document:
            raise KustomizeError(f"{path}: every document needs kind and metadata")
    return documents


def _kustomization(directory: Path) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(loaded) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{path}: fields this renderer does not implement: {sorted(unknown)}")
    return dict(loaded)


def render(directory: Path) -> list[Resource]:
    """The resources of the kustomization in ``directory``, transformed as kustomize would."""
    directory = directory.resolve()
    spec = _kustomization(directory)
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            resources.extend(render(target))
        elif target.is_file():
            resources.extend(_load_documents(target))
        else:
            raise KustomizeError(f"{directory}: resource {entry!r} does not exist")
    _check_unique(resources, directory)
    for patch_spec in spec.get("patches", []):
        _apply_patch(resources, patch_spec, directory)
    if "namespace" in spec:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = spec["namespace"]
    for label_spec in spec.get("labels", []):
        _apply_labels(resources, label_spec)
    for image in spec.get("images", []):
        _apply_image(resources, image)
    for replica in spec.get("replicas", []):
        _apply_replicas(resources, replica)
    return resources


def _identity(resource: Resource) -> tuple[str, str, str]:
    metadata = resource["metadata"]
    return resource["kind"], str(metadata.get("namespace", "")), str(metadata["name"])


def _check_unique(resources: list[Resource], directory: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for resource in resources:
        identity = _identity(resource)
        if identity in seen:
            raise KustomizeError(f"{directory}: {identity} is declared twice")
        seen.add(identity)


def strategic_merge(base: Any, patch: Any, field: str | None = None) -> Any:
    """Merge ``patch`` into ``base`` as ``kubectl patch --type strategic`` does for these fields."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)  # a null in a strategic patch deletes the key
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        merged_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            if not isinstance(item, dict) or key not in item:
                raise KustomizeError(f"a patch of {field!r} needs {key!r} on every item")
            index = next((i for i, old in enumerate(merged_list) if old.get(key) == item[key]), None)
            if index is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[index] = strategic_merge(merged_list[index], item, None)
        return merged_list
    return copy.deepcopy(patch)


def _apply_patch(resources: list[Resource], patch_spec: dict[str, Any], directory: Path) -> None:
    unknown = set(patch_spec) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"{directory}: patch fields this renderer does not implement: {sorted(unknown)}")
    if "path" in patch_spec:
        documents = _load_documents((directory / patch_spec["path"]).resolve())
    elif "patch" in patch_spec:
        documents = [d for d in yaml.safe_load_all(patch_spec["patch"]) if d is not None]
    else:
        raise KustomizeError(f"{directory}: a patch needs path or patch")
    target = patch_spec.get("target") or {}
    if set(target) - {"kind", "name"}:
        raise KustomizeError(f"{directory}: patch targets select by kind and name only")
    for document in documents:
        kind = target.get("kind", document.get("kind"))
        name = target.get("name", document.get("metadata", {}).get("name"))
        matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
        if not matches:
            raise KustomizeError(f"{directory}: the patch of {kind}/{name} matches no resource")
        for resource in matches:
            body = {k: v for k, v in document.items() if k not in {"apiVersion", "kind"}}
            body["metadata"] = {k: v for k, v in body.get("metadata", {}).items() if k != "name"}
            merged = strategic_merge(resource, body)
            resource.clear()
            resource.update(merged)


def _pod_templates(resource: Resource) -> Iterator[dict[str, Any]]:
    if resource["kind"] in POD_TEMPLATE_KINDS:
        template = resource.get("spec", {}).get("template")
        if isinstance(template, dict):
            yield template


def _apply_labels(resources: list[Resource], label_spec: dict[str, Any]) -> None:
    if label_spec.get("includeSelectors"):
        raise KustomizeError("labels with includeSelectors are not implemented (selectors are immutable anyway)")
    if set(label_spec) - {"pairs", "includeSelectors", "includeTemplates"}:
        raise KustomizeError(f"labels fields this renderer does not implement: {sorted(label_spec)}")
    pairs = {str(k): str(v) for k, v in (label_spec.get("pairs") or {}).items()}
    for resource in resources:
        resource["metadata"].setdefault("labels", {}).update(pairs)
        if label_spec.get("includeTemplates"):
            for template in _pod_templates(resource):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``name[:tag][@digest]`` as (name, tag, digest); a registry port is not a tag."""
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        image, tag = image.rsplit(":", 1)
    return image, tag, digest


def _apply_image(resources: list[Resource], image_spec: dict[str, Any]) -> None:
    if set(image_spec) - {"name", "newName", "newTag", "digest"}:
        raise KustomizeError(f"image fields this renderer does not implement: {sorted(image_spec)}")
    for resource in resources:
        for template in _pod_templates(resource):
            pod = template.get("spec", {})
            for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
                name, tag, digest = split_image(str(container.get("image", "")))
                if name != image_spec["name"]:
                    continue
                name = str(image_spec.get("newName", name))
                if "digest" in image_spec:
                    container["image"] = f"{name}@{image_spec['digest']}"
                elif "newTag" in image_spec:
                    container["image"] = f"{name}:{image_spec['newTag']}"
                else:
                    container["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _apply_replicas(resources: list[Resource], replica: dict[str, Any]) -> None:
    matches = [r for r in resources if r["kind"] in REPLICATED_KINDS and r["metadata"]["name"] == replica["name"]]
    if not matches:
        raise KustomizeError(f"replicas: no workload named {replica['name']!r}")
    for resource in matches:
        resource.setdefault("spec", {})["replicas"] = int(replica["count"])


def dump(resources: list[Resource]) -> str:
    return yaml.safe_dump_all(resources, sort_keys=False, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m motcua_tools.kustomize <kustomization directory>\n")
        return 2
    try:
        sys.stdout.write(dump(render(Path(args[0]))))
    except KustomizeError as exc:
        sys.stderr.write(f"kustomize: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
