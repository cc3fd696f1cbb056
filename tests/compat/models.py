"""Model workflows of the client-compatibility test (official zenml==0.98.0 client).

Registered by workflows.py (`models.register(<workflows module>)`) right after
the pipeline checks, reusing the helpers of workflows.py (through the module
object `W`, as pipelines.py does) and of pipelines.py (`run_pipe`, `output`,
`status`, `refetch`).

Every check title contains the word "model" (TROVE_COMPAT_ONLY=model). The
pipelines are in specpipes.py (`cm_*`), each with its own model: runs of a
pipeline with `@pipeline(model=Model(...))` create the model and a new numbered
version per run (spec pipeline-runs.md §2.6, §5).

The last check deletes every model and then every pipeline (pipelines.py's
cleanup), so that the prune checks of workflows.py find every artifact version
unused again (model links do not make versions used; deleting a model keeps them).
"""

import logging
import uuid
from typing import Any, Callable, Dict, List, Tuple

import pipelines as P

W: Any = None  # the workflows module, set by register()

CHECKS: List[Tuple[str, Callable[[], None]]] = []

MAIN = "cm_main_model"  # the model of specpipes.cm_main_pipe
MAIN_ACC = (0.71, 0.81)  # val_acc logged by the two runs of cm_main_pipe
MAIN_RUNS: List[Any] = []  # the two runs (run once, shared by the checks 1-5)


def check(title: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Collect a check here; register() hands them to workflows.check in order."""
    return lambda fn: CHECKS.append((title, fn)) or fn


def register(workflows_module: Any) -> None:
    """Append the model checks to the check list of workflows.py."""
    global W
    W = workflows_module
    # mv.data_artifact_ids, .pipeline_run_ids, ... log a deprecation warning on every access.
    logging.getLogger("zenml.models.v2.core.model_version").setLevel(logging.ERROR)
    for title, fn in CHECKS:
        W.check(title)(fn)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def main_runs() -> List[Any]:
    """The two runs of cm_main_pipe (versions "1" and "2"), run by the first check that needs them."""
    if not MAIN_RUNS:
        p = P.pipes()
        for acc in MAIN_ACC:
            run = P.run_pipe(p.cm_main_pipe, acc=acc)
            W.eq(P.status(run), "completed", f"status of the cm_main_pipe run (acc={acc})")
            MAIN_RUNS.append(run)
    return MAIN_RUNS


def mv_of(model: str, version: Any) -> Any:
    from zenml.client import Client

    return Client().get_model_version(model, version)


def tags(obj: Any) -> List[str]:
    return sorted(t.name for t in obj.tags)


def stage(mv: Any) -> Any:
    return getattr(mv.stage, "value", mv.stage)


def outputs_of(run: Any) -> Dict[str, Any]:
    """{output name: artifact version} of a cm_main_pipe run."""
    return {
        "cm_dataset": P.output(run, "cm_prepare", "cm_dataset"),
        "cm_weights": P.output(run, "cm_train", "cm_weights"),
    }


def all_models() -> List[Any]:
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    return list(depaginate(Client().list_models))


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


@check("model: @pipeline(model=Model(name, description, tags)) creates the model and version 1, a 2nd run version 2")
def c_model_implicit() -> None:
    from zenml.client import Client

    client = Client()
    W.raises(KeyError, lambda: client.get_model(MAIN), "get_model before the first run")
    first, second = main_runs()
    W.eq(first.model_version.name, "1", "model version of the first run (run response)")
    W.eq(second.model_version.name, "2", "model version of the second run (run response)")
    W.eq(first.model_version.model.name, MAIN, "model of the run's model version")
    model = client.get_model(MAIN)
    W.eq(model.name, MAIN, "get_model(name)")
    W.eq(model.latest_version_name, "2", "latest_version_name after two runs")
    W.eq(model.latest_version_id, second.model_version.id, "latest_version_id after two runs")
    W.eq(model.description, "cm main model", "model description from Model(description=)")
    W.eq(client.get_model(model.id).name, MAIN, "get_model(UUID)")
    W.expect(MAIN in {m.name for m in all_models()}, "list_models() misses the implicitly created model")


@check("model version: outputs linked (data_artifact_ids, model_artifact_ids, get_artifact().load(), artifact links)")
def c_model_artifacts() -> None:
    from zenml.client import Client

    client = Client()
    for run in main_runs():
        outs = outputs_of(run)
        mv = mv_of(MAIN, run.model_version.name)
        W.eq(mv.id, run.model_version.id, f"version {mv.name} of the run")
        W.eq(
            mv.data_artifact_ids,
            {"cm_dataset": {outs["cm_dataset"].version: outs["cm_dataset"].id}},
            f"data_artifact_ids of version {mv.name}",
        )
        W.eq(
            mv.model_artifact_ids,
            {"cm_weights": {outs["cm_weights"].version: outs["cm_weights"].id}},
            f"model_artifact_ids of version {mv.name} (ArtifactConfig(artifact_type=MODEL))",
        )
        weights = mv.get_artifact("cm_weights")
        W.expect(weights is not None, f"get_artifact('cm_weights') of version {mv.name} is None")
        W.eq(weights.id, outs["cm_weights"].id, f"get_artifact('cm_weights') of version {mv.name}")
        acc = MAIN_ACC[int(mv.name) - 1]
        W.eq(weights.load(), {"w": [1.0, 2.0, acc], "n": 3}, f"loaded weights of version {mv.name}")
        W.eq(mv.get_model_artifact("cm_weights").id, outs["cm_weights"].id, "get_model_artifact('cm_weights')")
        W.eq(mv.get_artifact("cm_dataset").load(), [1.0, 2.0, acc], f"loaded dataset of version {mv.name}")
        W.eq(mv.get_model_artifact("cm_dataset"), None, "get_model_artifact of a data artifact")
        W.eq(mv.get_artifact("cm_no_such_output"), None, "get_artifact(unknown name)")
        links = list(client.list_model_version_artifact_links(model_version_id=mv.id).items)
        W.eq(
            sorted(str(l.artifact_version.id) for l in links),
            sorted(str(av.id) for av in outs.values()),
            f"list_model_version_artifact_links of version {mv.name}",
        )
        W.expect(all(l.model_version == mv.id for l in links), f"link.model_version of version {mv.name}")


@check("model versions: get_model_version by number, name, 'latest' and id; list sorted by number; version tags")
def c_model_versions_get() -> None:
    from zenml.client import Client

    client = Client()
    first, second = main_runs()
    v1, v2 = first.model_version.id, second.model_version.id
    for key, expected in ((1, v1), (2, v2), ("1", v1), ("2", v2), ("latest", v2), (v1, v1), (str(v2), v2)):
        got = mv_of(MAIN, key)
        W.eq(got.id, expected, f"get_model_version({MAIN!r}, {key!r})")
    got = mv_of(MAIN, 1)
    W.eq((got.name, got.number, got.model.name, stage(got)), ("1", 1, MAIN, None), "name, number, model, stage of version 1")
    W.eq(client.get_model_version(MAIN).id, v2, "get_model_version(name) without a version = latest")
    W.raises(KeyError, lambda: mv_of(MAIN, 7), "get_model_version(unknown number)")
    W.raises(KeyError, lambda: mv_of(MAIN, "cm-no-such-version"), "get_model_version(unknown name)")
    W.raises(KeyError, lambda: mv_of("cm_no_such_model", "latest"), "get_model_version(unknown model, 'latest')")
    page = client.list_model_versions(model=MAIN)
    W.eq([(v.number, v.name) for v in page.items], [(1, "1"), (2, "2")], "list_model_versions(model=name) sorted by number")
    W.eq(page.total, 2, "total of list_model_versions(model=name)")
    by_id = client.list_model_versions(model=first.model_version.model.id, sort_by="desc:number")
    W.eq([v.id for v in by_id.items], [v2, v1], "list_model_versions(model=<id>, sort_by='desc:number')")
    W.eq([v.id for v in client.list_model_versions(model=MAIN, number=2).items], [v2], "list_model_versions(number=2)")
    for key in (1, 2):
        W.eq(tags(mv_of(MAIN, key)), ["cm-mtag", "cm-spec"], f"tags of version {key} (= Model(tags=...))")
    W.eq(tags(client.get_model(MAIN)), [], "tags of the model itself (Model(tags=) tag the versions)")
    W.eq([v.id for v in client.list_model_versions(model=MAIN, tags="cm-mtag").items], [v1, v2], "list_model_versions(tags=)")
    W.eq(mv_of(MAIN, 2).description, "cm main model", "description of the version")


@check("model version: log_metadata(metadata=..., infer_model=True) in a step -> mv.run_metadata")
def c_model_metadata() -> None:
    for run, acc in zip(main_runs(), MAIN_ACC):
        mv = mv_of(MAIN, run.model_version.name)
        meta = mv.run_metadata
        W.eq({k: meta.get(k) for k in ("val_acc", "cm_note")}, {"val_acc": acc, "cm_note": "prepared"}, f"run_metadata of version {mv.name}")
        step = P.refetch(run).steps["cm_prepare"]
        W.expect("val_acc" not in step.run_metadata, f"model metadata leaked into the step: {step.run_metadata}")


@check("model version runs: pipeline_run_ids, run links, list_pipeline_runs(model=), list_artifact_versions(model=)")
def c_model_runs() -> None:
    from zenml.client import Client

    client = Client()
    runs = main_runs()
    for run in runs:
        mv = mv_of(MAIN, run.model_version.name)
        W.eq(mv.pipeline_run_ids, {run.name: run.id}, f"pipeline_run_ids of version {mv.name}")
        links = list(client.list_model_version_pipeline_run_links(model_version_id=mv.id).items)
        W.eq([(l.pipeline_run.id, l.model_version) for l in links], [(run.id, mv.id)], f"run links of version {mv.name}")
        fetched = client.get_pipeline_run(run.id)
        W.expect(fetched.model_version is not None, f"get_pipeline_run({run.id}).model_version is None")
        W.eq((fetched.model_version.name, fetched.model_version.id), (mv.name, mv.id), "get_pipeline_run(id).model_version")
    listed = client.list_pipeline_runs(model=MAIN, sort_by="asc:created")
    W.eq([r.id for r in listed.items], [r.id for r in runs], "list_pipeline_runs(model=name)")
    model_id = runs[0].model_version.model.id
    W.eq({r.id for r in client.list_pipeline_runs(model=model_id).items}, {r.id for r in runs}, "list_pipeline_runs(model=<id>)")
    expected = {av.id for run in runs for av in outputs_of(run).values()}
    W.eq({av.id for av in W.all_versions(model=MAIN)}, expected, "list_artifact_versions(model=name)")
    W.eq({av.id for av in W.all_versions(model=model_id)}, expected, "list_artifact_versions(model=<id>)")
    only_v1 = {av.id for av in W.all_versions(model_version_id=runs[0].model_version.id)}
    W.eq(only_v1, {av.id for av in outputs_of(runs[0]).values()}, "list_artifact_versions(model_version_id=<version 1>)")
    W.eq(client.list_pipeline_runs(model="cm_no_such_model").total, 0, "list_pipeline_runs(model=unknown)")


@check("model version stage: set_stage('production', force=True), get by stage, no-force conflict, force archives the old")
def c_model_stage() -> None:
    from zenml.client import Client

    client = Client()
    p = P.pipes()
    runs = [P.run_pipe(p.cm_stage_pipe) for _ in range(2)]
    v1, v2 = (mv_of("cm_stage_model", r.model_version.name) for r in runs)
    W.eq((v1.name, v2.name), ("1", "2"), "versions of the stage model")
    W.raises(KeyError, lambda: mv_of("cm_stage_model", "production"), "get by stage before any promotion")
    v1.set_stage("production", force=True)
    prod = mv_of("cm_stage_model", "production")
    W.eq((prod.id, stage(prod)), (v1.id, "production"), "production version after promoting version 1")
    W.eq(stage(mv_of("cm_stage_model", 2)), None, "stage of version 2 (untouched)")
    # The reference answers 500 RuntimeError; trove a 409 EntityExistsError
    # (README, "Differences from the ZenML server": bad input is never a 500).
    from zenml.exceptions import EntityExistsError

    W.raises((RuntimeError, EntityExistsError), lambda: v2.set_stage("production"), "promoting version 2 without force")
    W.eq(mv_of("cm_stage_model", "production").id, v1.id, "production version after the refused promotion")
    W.eq(stage(mv_of("cm_stage_model", 2)), None, "stage of version 2 after the refused promotion")
    v2.set_stage("production", force=True)
    W.eq(mv_of("cm_stage_model", "production").id, v2.id, "production version after the forced promotion")
    W.eq(stage(mv_of("cm_stage_model", 1)), "archived", "stage of the old production version")
    W.eq(mv_of("cm_stage_model", "archived").id, v1.id, "get_model_version(name, 'archived')")
    staged = client.list_model_versions(model="cm_stage_model", stage="production")
    W.eq([v.id for v in staged.items], [v2.id], "list_model_versions(stage='production')")
    updated = client.update_model_version("cm_stage_model", "1", stage="staging")
    W.eq((updated.id, stage(updated)), (v1.id, "staging"), "update_model_version(stage='staging') response")
    W.eq(mv_of("cm_stage_model", "staging").id, v1.id, "get_model_version(name, 'staging')")
    W.eq(mv_of("cm_stage_model", "latest").id, v2.id, "'latest' is the highest number, not a stage")


@check("model version delete: delete_model_version(id) keeps its artifact versions (they load) and the other version")
def c_model_delete_version() -> None:
    from zenml.client import Client

    client = Client()
    p = P.pipes()
    runs = [P.run_pipe(p.cm_del_pipe, x=x) for x in (31, 32)]
    avs = [P.output(r, "cm_del_load", "cm_del_numbers") for r in runs]
    v1, v2 = (r.model_version for r in runs)
    W.eq((v1.name, v2.name), ("1", "2"), "versions of the delete model")
    client.delete_model_version(v1.id)
    W.raises(KeyError, lambda: mv_of("cm_del_model", 1), "get the deleted version by number")
    W.raises(KeyError, lambda: mv_of("cm_del_model", v1.id), "get the deleted version by id")
    W.raises(KeyError, lambda: client.delete_model_version(v1.id), "delete the version twice")
    W.eq([v.id for v in client.list_model_versions(model="cm_del_model").items], [v2.id], "versions left")
    W.eq(client.get_model("cm_del_model").latest_version_name, "2", "latest_version_name after deleting version 1")
    for av, x in zip(avs, (31, 32)):
        got = client.get_artifact_version(av.id)
        W.eq((got.id, got.load()), (av.id, [x]), f"artifact version {av.id} after deleting version 1")
    W.eq({v.id for v in W.all_versions(model="cm_del_model")}, {avs[1].id}, "list_artifact_versions(model=) after the delete")
    kept = mv_of("cm_del_model", 2)
    W.eq(kept.data_artifact_ids, {"cm_del_numbers": {avs[1].version: avs[1].id}}, "artifacts of the remaining version")
    W.eq(kept.pipeline_run_ids, {runs[1].name: runs[1].id}, "runs of the remaining version")
    run = client.get_pipeline_run(runs[0].id)
    W.eq((P.status(run), run.model_version), ("completed", None), "run of the deleted version: status, model_version")
    W.eq(P.output(run, "cm_del_load", "cm_del_numbers").id, avs[0].id, "output of the run of the deleted version")


@check("model CRUD: create_model, update_model, create_model_version, delete_model")
def c_model_crud() -> None:
    from zenml.client import Client
    from zenml.exceptions import EntityExistsError

    client = Client()
    name = "cm_manual_model"
    created = client.create_model(
        name=name, license="MIT", description="manual", audience="testers", tags=["cm-a", "cm-b"]
    )
    W.eq((created.name, created.license, created.description, created.audience), (name, "MIT", "manual", "testers"), "create_model response")
    W.eq(tags(created), ["cm-a", "cm-b"], "tags of create_model(tags=)")
    W.eq((created.latest_version_name, created.latest_version_id), (None, None), "latest version of a model without versions")
    W.raises(EntityExistsError, lambda: client.create_model(name=name), "create_model with an existing name")
    updated = client.update_model(name, description="manual v2", add_tags=["cm-c"], remove_tags=["cm-a"])
    W.eq((updated.id, updated.description, updated.license), (created.id, "manual v2", "MIT"), "update_model response")
    W.eq(tags(updated), ["cm-b", "cm-c"], "tags after update_model(add_tags=, remove_tags=)")
    fetched = client.get_model(name)
    W.eq((fetched.description, tags(fetched)), ("manual v2", ["cm-b", "cm-c"]), "model re-fetched after the update")
    W.eq([m.id for m in client.list_models(tags="cm-c").items], [created.id], "list_models(tags=)")

    alpha = client.create_model_version(name, name="cm-alpha", description="first", tags=["cm-v"])
    W.eq((alpha.name, alpha.number, alpha.description, alpha.model.id), ("cm-alpha", 1, "first", created.id), "create_model_version(name=)")
    W.eq(tags(alpha), ["cm-v"], "tags of create_model_version(tags=)")
    auto = client.create_model_version(created.id)
    W.eq((auto.name, auto.number), ("2", 2), "create_model_version without a name")
    W.raises(EntityExistsError, lambda: client.create_model_version(name, name="cm-alpha"), "create_model_version with an existing name")
    W.eq(mv_of(name, "cm-alpha").id, alpha.id, "get_model_version(name, 'cm-alpha')")
    W.eq(mv_of(name, "latest").id, auto.id, "latest version of the manual model")
    W.eq(client.get_model(name).latest_version_name, "2", "latest_version_name of the manual model")
    renamed = client.update_model_version(name, "cm-alpha", name="cm-beta", add_tags=["cm-w"])
    W.eq((renamed.id, renamed.name, tags(renamed)), (alpha.id, "cm-beta", ["cm-v", "cm-w"]), "update_model_version(name=, add_tags=)")

    client.delete_model(name)
    W.raises(KeyError, lambda: client.get_model(name), "get the deleted model")
    W.raises(KeyError, lambda: mv_of(name, alpha.id), "get a version of the deleted model by id")
    W.raises(KeyError, lambda: client.delete_model(name), "delete the model twice")
    W.expect(name not in {m.name for m in all_models()}, "deleted model still listed")
    again = client.create_model(name=name)
    W.expect(again.id != created.id, "re-created model reuses the deleted model's id")
    W.eq(tags(again), [], "tags of the re-created model")
    client.delete_model(again.id)
    W.raises(KeyError, lambda: client.get_model(str(uuid.uuid4())), "get_model(unknown UUID)")


@check("model cleanup: delete_model for every model (artifact versions stay), then every pipeline")
def c_model_cleanup() -> None:
    # Leaves the project as the prune checks of workflows.py expect it.
    from zenml.client import Client

    client = Client()
    before = {v.id for v in W.all_versions()}
    linked = {v.id for v in W.all_versions(model=MAIN)} if MAIN_RUNS else set()
    for model in all_models():
        client.delete_model(model.id)
    W.eq(all_models(), [], "models left")
    W.eq({v.id for v in W.all_versions()}, before, "artifact versions after deleting every model")
    for av_id in linked:
        W.expect(client.get_artifact_version(av_id).load() is not None, f"version {av_id} of a deleted model does not load")
    if MAIN_RUNS:
        W.eq(client.get_pipeline_run(MAIN_RUNS[0].id).model_version, None, "model_version of a run of a deleted model")
    P.c_pipeline_cleanup()
