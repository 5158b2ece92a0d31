"""The Kubernetes manifests (deploy/k8s): valid against the Kubernetes schemas, hardened as the
restricted Pod Security Standard asks, and consistent with the service and with each other –
every LINKAGE_* variable is a real setting, selectors select the API's pods, the grace period
covers preStop and uvicorn's graceful shutdown, and the connection budget fits PgBouncer and
PostgreSQL. The overlays are rendered with `kubectl kustomize` where kubectl is installed; the
base and migration files are checked as written everywhere."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"
CNPG_KINDS = {"Cluster", "ScheduledBackup", "Pooler"}  # CloudNativePG's own resources
POD_OWNERS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}
CONNECTIONS_RESERVED = 10  # superuser_reserved_connections, replication, the migration Job

Doc = dict[str, Any]


def load(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def raw_documents() -> list[Doc]:
    files = sorted((ROOT / "base").glob("*.yaml")) + sorted((ROOT / "migrate").glob("*.yaml"))
    return [doc for path in files for doc in load(path) if doc.get("kind") != "Kustomization"]


def render(overlay: str) -> list[Doc]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


KUBECTL = shutil.which("kubectl")
SETS = ["as written"] + (["production overlay"] if KUBECTL else [])


@pytest.fixture(scope="module", params=SETS)
def docs(request: pytest.FixtureRequest) -> list[Doc]:
    if request.param == "as written":
        return raw_documents()
    return render("overlays/production") + render("overlays/production/migrate")


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_specs(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for doc in docs:
        if doc["kind"] in POD_OWNERS:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def env_of(container: Doc, docs: list[Doc]) -> dict[str, str]:
    """A container's environment as the kubelet would build it (secrets as their values)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env |= one(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
    secret = one(docs, "Secret", "linkage-secrets")["stringData"]
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            assert ref["key"] in secret, f"{var['name']} names a key the Secret lacks"
            env[var["name"]] = secret[ref["key"]]
    return env


def api(docs: list[Doc]) -> Doc:
    return one(docs, "Deployment", "linkage")


def settings_of(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_every_resource_is_valid_against_the_kubernetes_schemas(docs: list[Doc]) -> None:
    kinds = set()
    for doc in docs:
        kinds.add(doc["kind"])
        if doc["kind"] in CNPG_KINDS:
            assert doc["apiVersion"] == "postgresql.cnpg.io/v1"
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Job",
        "Cluster",
        "Pooler",
    } <= kinds


def test_the_validator_refuses_what_kubernetes_would(docs: list[Doc]) -> None:
    """The check above can fail: a misspelt field is refused in strict mode."""
    broken = yaml.safe_load(yaml.safe_dump(api(docs)))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_pod_runs_as_the_restricted_standard_asks(docs: list[Doc]) -> None:
    for owner, spec in pod_specs(docs):
        assert spec.get("automountServiceAccountToken") is False, owner
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, owner
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", owner
        for container in spec["containers"]:
            where = f"{owner} {container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context.get("privileged", False) is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in context["capabilities"], where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert "memory" in resources["limits"], where
            assert not container["image"].endswith(":latest"), where


def test_rendered_images_are_pinned_to_a_release(docs: list[Doc]) -> None:
    if all(doc.get("metadata", {}).get("namespace") is None for doc in docs):
        pytest.skip("the base leaves the image to the overlay")
    for owner, spec in pod_specs(docs):
        for container in spec["containers"]:
            name, _, tag = container["image"].rpartition(":")
            assert name and tag and tag != "latest", f"{owner}: {container['image']}"


def test_the_api_runs_three_replicas_that_roll_without_dropping_any(docs: list[Doc]) -> None:
    deployment = api(docs)
    assert deployment["spec"]["replicas"] >= 3
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    hpa = one(docs, "HorizontalPodAutoscaler", "linkage")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "linkage",
    }
    assert hpa["spec"]["minReplicas"] >= 3
    pdb = one(docs, "PodDisruptionBudget", "linkage")
    assert 1 <= pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]


def test_selectors_select_the_api_s_pods_and_nothing_else(docs: list[Doc]) -> None:
    labels = api(docs)["spec"]["template"]["metadata"]["labels"]
    selectors = {
        "Service": one(docs, "Service", "linkage")["spec"]["selector"],
        "PodDisruptionBudget": one(docs, "PodDisruptionBudget", "linkage")["spec"]["selector"][
            "matchLabels"
        ],
        "Deployment": api(docs)["spec"]["selector"]["matchLabels"],
    }
    for kind, selector in selectors.items():
        assert selector.items() <= labels.items(), kind
    for doc in docs:
        if doc["kind"] in POD_OWNERS and doc is not api(docs):
            other = doc["spec"]["template"]["metadata"]["labels"]
            assert not selectors["Service"].items() <= other.items(), doc["metadata"]["name"]


def test_probes_readiness_follows_the_database_liveness_only_the_process(docs: list[Doc]) -> None:
    container = api(docs)["spec"]["template"]["spec"]["containers"][0]
    port = container["ports"][0]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port["name"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_the_grace_period_covers_pre_stop_and_the_graceful_shutdown(
    docs: list[Doc], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = api(docs)["spec"]["template"]["spec"]
    container = spec["containers"][0]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = int(command[1])
    settings = settings_of(env_of(container, docs), monkeypatch)
    needed = pre_stop + settings.graceful_shutdown_seconds
    assert needed < spec["terminationGracePeriodSeconds"] <= needed + 15
    # the readiness probe notices a stopping pod well within the preStop sleep
    readiness = container["readinessProbe"]
    assert readiness["periodSeconds"] * readiness["failureThreshold"] <= pre_stop


def test_every_linkage_variable_is_a_setting_the_service_reads(docs: list[Doc]) -> None:
    fields = {f"LINKAGE_{name.upper()}" for name in Settings.model_fields}
    for owner, spec in pod_specs(docs):
        for container in spec["containers"]:
            if container["name"] == "redis":
                continue
            names = set(env_of(container, docs))
            unknown = {n for n in names if n.startswith("LINKAGE_")} - fields
            assert unknown == set(), f"{owner}: {sorted(unknown)} are not settings"


def test_the_api_goes_through_pg_bouncer_and_migrations_do_not(
    docs: list[Doc], monkeypatch: pytest.MonkeyPatch
) -> None:
    api_env = env_of(api(docs)["spec"]["template"]["spec"]["containers"][0], docs)
    job_env = env_of(
        one(docs, "Job", "linkage-migrate")["spec"]["template"]["spec"]["containers"][0], docs
    )
    pooler = one(docs, "Pooler", "linkage-pg-pooler-rw")
    assert f"@{pooler['metadata']['name']}:" in api_env["LINKAGE_DATABASE_URL"]
    assert "@linkage-pg-rw:" in job_env["LINKAGE_DATABASE_URL"]
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    settings = settings_of(api_env, monkeypatch)
    assert settings.environment == "production"
    assert settings.db_pgbouncer is True  # no prepared statement outlives its transaction
    assert job_env["LINKAGE_DB_PGBOUNCER"] == "false"  # the Job connects directly
    assert settings.migrate_on_start is False  # the Job migrates, replicas never race to
    assert settings.bootstrap_admin is False  # no admin key in a pod's log
    assert settings.redis_url is not None  # limits shared by every replica


def test_the_connection_budget_fits_pg_bouncer_and_postgres(
    docs: list[Doc], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sizing, as the README's "Running in production" says: replicas × pool ≤ PgBouncer's
    clients; PgBouncer's server pool ≤ PostgreSQL's max_connections."""
    settings = settings_of(
        env_of(api(docs)["spec"]["template"]["spec"]["containers"][0], docs), monkeypatch
    )
    per_replica = 2 * settings.db_pool_size + settings.db_max_overflow  # write + read pools
    replicas = one(docs, "HorizontalPodAutoscaler", "linkage")["spec"]["maxReplicas"]
    pooler = one(docs, "Pooler", "linkage-pg-pooler-rw")
    bouncer = pooler["spec"]["pgbouncer"]["parameters"]
    cluster = one(docs, "Cluster", "linkage-pg")
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])

    assert replicas * per_replica <= int(bouncer["max_client_conn"])
    server_side = pooler["spec"]["instances"] * int(bouncer["default_pool_size"])
    assert server_side + CONNECTIONS_RESERVED <= max_connections


def test_postgres_is_highly_available_and_backed_up(docs: list[Doc]) -> None:
    cluster = one(docs, "Cluster", "linkage-pg")["spec"]
    assert cluster["instances"] >= 3
    assert cluster["affinity"]["enablePodAntiAffinity"] is True
    assert cluster["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert cluster["backup"]["retentionPolicy"]
    backup = one(docs, "ScheduledBackup", "linkage-pg-nightly")["spec"]
    assert backup["cluster"]["name"] == one(docs, "Cluster", "linkage-pg")["metadata"]["name"]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (kustomize) is not installed")
def test_the_production_overlay_puts_everything_in_its_namespace() -> None:
    rendered = render("overlays/production") + render("overlays/production/migrate")
    namespaced = [d for d in rendered if d["kind"] != "Namespace"]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"linkage"}
    namespace = one(rendered, "Namespace", "linkage")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
