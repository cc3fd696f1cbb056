"""Pipeline workflows of the client-compatibility test (official zenml==0.98.0 client).

Registered by workflows.py (`pipelines.register(<workflows module>)`) so that they
run before the prune checks, and reusing its helpers (`expect`, `eq`, `raises`,
`cli_ok`, `cli_json`, `run_sub`, ...) through the module object `W` (workflows.py
usually runs as `__main__`; importing it again would create a second copy with
its own check list and request log).

Every check title contains the word "pipeline" (TROVE_COMPAT_ONLY=pipeline).
The steps and pipelines are in specpipes.py (importable, so that the local
orchestrator can load the step sources). Each check runs its own pipeline with
its own output names. Runs use the local orchestrator of the default stack in
this process, i.e. with this process's ZENML_CONFIG_PATH: the client id is part
of the cache key, so cache hits need the same config.

The last check deletes every pipeline (and with it every run), so that all
artifact versions are unused again when the prune checks of workflows.py run.
"""

import os
import uuid
from typing import Any, Callable, Dict, List, Tuple

W: Any = None  # the workflows module, set by register()

CHECKS: List[Tuple[str, Callable[[], None]]] = []
SUB_MODES: Dict[str, Callable[[List[str]], Dict[str, Any]]] = {}  # `workflows.py --sub MODE`


def check(title: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Collect a check here; register() hands them to workflows.check in order."""
    return lambda fn: CHECKS.append((title, fn)) or fn


def register(workflows_module: Any) -> None:
    """Append the pipeline checks to the check list of workflows.py."""
    global W
    W = workflows_module
    for title, fn in CHECKS:
        W.check(title)(fn)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def pipes() -> Any:
    import specpipes

    return specpipes


def status(obj: Any) -> str:
    s = obj.status
    return getattr(s, "value", s)


def step_statuses(run: Any) -> Dict[str, str]:
    return {name: status(s) for name, s in run.steps.items()}


def refetch(run: Any) -> Any:
    from zenml.client import Client

    return Client().get_pipeline_run(run.id)


def runs_of(pipeline_name: str, **kw: Any) -> List[Any]:
    from zenml.client import Client

    return list(Client().list_pipeline_runs(pipeline=pipeline_name, sort_by="desc:created", **kw).items)


def pipeline_exists(name: str) -> bool:
    from zenml.client import Client

    try:
        Client().get_pipeline(name)
    except KeyError:
        return False
    return True


def version_ids(name: str) -> List[Any]:
    return [v.id for v in W.all_versions(name=name)]


def output(run: Any, step_name: str, output_name: str) -> Any:
    outs = run.steps[step_name].outputs
    W.expect(output_name in outs, f"step {step_name} has no output {output_name!r}: {sorted(outs)}")
    W.eq(len(outs[output_name]), 1, f"number of versions of output {step_name}.{output_name}")
    return outs[output_name][0]


def run_pipe(pipe: Any, **kw: Any) -> Any:
    """Run a pipeline; the client returns the run (final GET /runs/{id})."""
    run = pipe(**kw)
    W.expect(run is not None, f"{pipe.name}() returned None instead of the run")
    return run


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


@check("pipeline: fresh run of a 2-step pipeline (load -> total), run and steps completed")
def c_pipeline_fresh() -> None:
    from zenml.client import Client

    p = pipes()
    before = {n: set(version_ids(n)) for n in ("cp_fresh_numbers", "cp_fresh_sum")}
    run = run_pipe(p.cp_fresh_pipe)
    W.eq(status(run), "completed", "run status returned by the pipeline call")
    W.eq(run.pipeline.name, "cp_fresh_pipe", "pipeline of the run")
    W.expect(run.name.startswith("cp_fresh_pipe-"), f"run name {run.name!r}")
    W.eq(step_statuses(run), {"fresh_load": "completed", "fresh_total": "completed"}, "step statuses")
    fetched = Client().get_pipeline_run(run.id)
    W.eq((fetched.id, status(fetched)), (run.id, "completed"), "run re-fetched by id")
    W.expect(fetched.end_time is not None, "completed run has no end_time")
    W.expect(not fetched.in_progress, "completed run still in_progress")
    after = {n: set(version_ids(n)) for n in before}
    for n in before:
        W.eq(len(after[n] - before[n]), 1, f"new versions of {n}")
    W.eq(output(run, "fresh_total", "cp_fresh_sum").load(), 6, "value of the sum output")
    pipeline = Client().get_pipeline("cp_fresh_pipe")
    W.eq(pipeline.name, "cp_fresh_pipe", "registered pipeline")


@check("pipeline: cached rerun (same client config) -> steps cached, no new artifact versions")
def c_pipeline_cached() -> None:
    p = pipes()
    names = ("cp_cache_numbers", "cp_cache_sum")
    first = run_pipe(p.cp_cache_pipe)
    W.eq(step_statuses(first), {"cache_load": "completed", "cache_total": "completed"}, "first run: step statuses")
    before = {n: version_ids(n) for n in names}
    second = run_pipe(p.cp_cache_pipe)
    W.expect(second.id != first.id, "the rerun returned the first run")
    W.eq(status(second), "completed", "status of the cached run")
    W.eq(step_statuses(second), {"cache_load": "cached", "cache_total": "cached"}, "rerun: step statuses")
    after = {n: version_ids(n) for n in names}
    W.eq(after, before, "artifact versions after the cached rerun (none may be created)")
    for step_name, out in (("cache_load", "cp_cache_numbers"), ("cache_total", "cp_cache_sum")):
        W.eq(output(second, step_name, out).id, output(first, step_name, out).id, f"{step_name}: cached output = original output")
        W.eq(
            second.steps[step_name].original_step_run_id,
            first.steps[step_name].id,
            f"{step_name}: original_step_run_id of the cached step",
        )
    W.eq(
        [i.id for i in second.steps["cache_total"].inputs["numbers"]],
        [output(first, "cache_load", "cp_cache_numbers").id],
        "inputs of the cached total step",
    )
    W.eq(status(refetch(second)), "completed", "cached run re-fetched")


@check("pipeline: enable_cache=False -> steps execute again (completed, new versions)")
def c_pipeline_nocache() -> None:
    p = pipes()
    names = ("cp_nocache_numbers", "cp_nocache_sum")
    first = run_pipe(p.cp_nocache_pipe)
    W.eq(step_statuses(first), {"nocache_load": "completed", "nocache_total": "completed"}, "first run: step statuses")
    before = {n: set(version_ids(n)) for n in names}
    second = run_pipe(p.cp_nocache_pipe.with_options(enable_cache=False))
    W.eq(status(second), "completed", "status of the uncached rerun")
    W.eq(step_statuses(second), {"nocache_load": "completed", "nocache_total": "completed"}, "rerun: step statuses")
    after = {n: set(version_ids(n)) for n in names}
    for n in names:
        W.eq(len(after[n] - before[n]), 1, f"new versions of {n} after the uncached rerun")
    new_numbers = output(second, "nocache_load", "cp_nocache_numbers")
    W.expect(new_numbers.id in after["cp_nocache_numbers"] - before["cp_nocache_numbers"], "rerun output is not the new version")
    W.eq(
        [i.id for i in second.steps["nocache_total"].inputs["numbers"]],
        [new_numbers.id],
        "total consumed the new load output",
    )
    W.eq(output(second, "nocache_total", "cp_nocache_sum").load(), 15, "sum of the rerun")
    W.expect(second.steps["nocache_load"].original_step_run_id is None, "executed step has an original_step_run_id")


@check("pipeline: failing step -> client raises RuntimeError, run failed, step failed")
def c_pipeline_failing() -> None:
    p = pipes()
    old = {r.id for r in runs_of("cp_fail_pipe")} if pipeline_exists("cp_fail_pipe") else set()
    err = W.raises(RuntimeError, lambda: p.cp_fail_pipe(), "running a pipeline with a failing step")
    W.expect("boom" in str(err), f"error message does not name the failed step: {err}")
    new = [r for r in runs_of("cp_fail_pipe") if r.id not in old]
    W.eq(len(new), 1, "new runs of cp_fail_pipe")
    run = refetch(new[0])
    W.eq(status(run), "failed", "run status")
    W.eq(step_statuses(run), {"fail_load": "completed", "boom": "failed"}, "step statuses")
    W.expect(run.end_time is not None, "failed run has no end_time")
    boom = run.steps["boom"]
    W.eq(boom.outputs, {}, "outputs of the failed step")
    info = boom.exception_info
    W.expect(info is not None and "intentional failure" in (info.message or ""), f"exception_info of the failed step: {info}")
    W.eq([i.id for i in boom.inputs["numbers"]], [output(run, "fail_load", "cp_fail_numbers").id], "inputs of the failed step")


@check("pipeline: log_metadata on the step, the run (run_id_name_or_prefix) and the output (infer_artifact)")
def c_pipeline_metadata() -> None:
    from zenml.client import Client

    run = run_pipe(pipes().cp_meta_pipe)
    W.eq(status(run), "completed", "run status")
    step = run.steps["meta_load"]
    meta = step.run_metadata
    W.eq({k: meta.get(k) for k in ("rows", "source")}, {"rows": 3, "source": "inline"}, "step run_metadata")
    W.expect("run_note" not in meta and "quality" not in meta, f"run/artifact metadata leaked into the step: {meta}")
    run = refetch(run)
    W.eq(run.run_metadata.get("run_note"), "hello", f"run run_metadata {run.run_metadata}")
    W.expect("rows" not in run.run_metadata, f"step metadata leaked into the run: {run.run_metadata}")
    av = Client().get_artifact_version(output(run, "meta_load", "cp_meta_numbers").id)
    W.eq(av.run_metadata.get("quality"), 0.95, f"artifact run_metadata {av.run_metadata}")
    W.expect("storage_size" in av.run_metadata, f"materializer metadata missing: {av.run_metadata}")
    total = Client().get_artifact_version(output(run, "meta_total", "cp_meta_sum").id)
    W.eq(total.run_metadata.get("acc"), 0.9, f"run_metadata of the named output {total.run_metadata}")
    W.expect("quality" not in total.run_metadata, "metadata of one output leaked into the other")
    W.eq(total.load(), 15, "sum")


@check("pipeline: @pipeline(tags=...) -> run tags; ArtifactConfig(name=, tags=) on an output")
def c_pipeline_tags() -> None:
    from zenml.client import Client

    run = run_pipe(pipes().cp_tags_pipe)
    W.eq(status(run), "completed", "run status")
    W.eq(sorted(t.name for t in run.tags), ["cp-demo", "cp-spec"], "tags of the returned run")
    W.eq(sorted(t.name for t in refetch(run).tags), ["cp-demo", "cp-spec"], "tags of the re-fetched run")
    av = output(run, "tagged_load", "cp_tagged_numbers")
    W.eq(av.artifact.name, "cp_tagged_numbers", "artifact name from ArtifactConfig(name=)")
    fetched = Client().get_artifact_version(av.id)
    W.eq(W.tag_names(fetched), ["cp-raw", "cp-spec"], "tags of the output artifact version")
    W.eq(fetched.load(), [3, 2, 1], "output value")
    listed = Client().list_artifact_versions(name="cp_tagged_numbers", tags="cp-raw", sort_by="desc:created")
    W.expect(listed.items and listed.items[0].id == av.id, "tags filter does not find the output first")
    latest = Client().get_artifact_version("cp_tagged_numbers")
    W.eq(latest.id, av.id, "latest version of cp_tagged_numbers")


@check("pipeline: parameters and a step with two outputs (Tuple[Annotated[int,'cp_a'], Annotated[str,'cp_b']])")
def c_pipeline_params() -> None:
    run = run_pipe(pipes().cp_params_pipe, x=41, label="hi")
    W.eq(status(run), "completed", "run status")
    W.eq(step_statuses(run), {"split": "completed", "join": "completed"}, "step statuses")
    split = run.steps["split"]
    W.eq(dict(split.config.parameters), {"x": 41, "label": "hi"}, "parameters of the split step")
    W.eq(sorted(split.outputs), ["cp_a", "cp_b"], "output names of split")
    a, b = output(run, "split", "cp_a"), output(run, "split", "cp_b")
    W.eq((a.artifact.name, b.artifact.name), ("cp_a", "cp_b"), "artifact names of the outputs")
    W.eq((a.load(), b.load()), (42, "HI"), "values of the two outputs")
    join = run.steps["join"]
    W.eq({k: [i.id for i in v] for k, v in join.inputs.items()}, {"a": [a.id], "b": [b.id]}, "inputs of join")
    W.eq(output(run, "join", "cp_joined").load(), "HI-42", "join output")
    W.eq(dict(refetch(run).config.parameters or {}), {"x": 41, "label": "hi"}, "pipeline parameters of the run")


@check("pipeline run: get_pipeline_run by name, by id and by 8-char id prefix; get_pipeline by name and id")
def c_pipeline_get() -> None:
    from zenml.client import Client

    client = Client()
    run = run_pipe(pipes().cp_get_pipe)
    W.eq(status(run), "completed", "run status")
    for key, what in ((run.name, "name"), (run.id, "UUID"), (str(run.id), "str id"), (str(run.id)[:8], "8-char id prefix")):
        got = client.get_pipeline_run(key)
        W.eq((got.id, got.name, status(got)), (run.id, run.name, "completed"), f"get_pipeline_run({what})")
    W.eq(client.get_pipeline_run(run.name).pipeline.name, "cp_get_pipe", "pipeline of the run fetched by name")
    W.raises(KeyError, lambda: client.get_pipeline_run("cp-no-such-run"), "get_pipeline_run(unknown name)")
    W.raises(KeyError, lambda: client.get_pipeline_run(uuid.uuid4()), "get_pipeline_run(unknown UUID)")
    pipeline = client.get_pipeline("cp_get_pipe")
    W.eq(pipeline.id, run.pipeline.id, "get_pipeline(name)")
    W.eq(client.get_pipeline(pipeline.id).name, "cp_get_pipe", "get_pipeline(UUID)")
    W.raises(KeyError, lambda: client.get_pipeline("cp_no_such_pipeline"), "get_pipeline(unknown name)")


@check("pipeline runs: list_pipeline_runs(pipeline=..., sort_by='desc:created') order, index, pipeline filters")
def c_pipeline_list() -> None:
    from zenml.client import Client

    client = Client()
    p = pipes()
    runs = [run_pipe(p.cp_list_pipe) for _ in range(3)]
    ids = [r.id for r in runs]
    W.eq([status(r) for r in runs], ["completed"] * 3, "run statuses")
    page = client.list_pipeline_runs(pipeline="cp_list_pipe", sort_by="desc:created")
    W.eq([r.id for r in page.items][:3], ids[::-1], "desc:created order (pipeline=<name>)")
    W.expect(all(r.pipeline.name == "cp_list_pipe" for r in page.items), "pipeline=<name> returned runs of other pipelines")
    asc = client.list_pipeline_runs(pipeline="cp_list_pipe", sort_by="asc:created", size=50)
    W.eq([r.id for r in asc.items if r.id in ids], ids, "asc:created order")
    W.eq(asc.total, page.total, "total for asc and desc")
    by_id = client.list_pipeline_runs(pipeline=runs[0].pipeline.id, sort_by="desc:created")
    W.eq([r.id for r in by_id.items], [r.id for r in page.items], "pipeline=<pipeline id>")
    by_name = client.list_pipeline_runs(pipeline_name="cp_list_pipe", sort_by="desc:created")
    W.eq([r.id for r in by_name.items], [r.id for r in page.items], "pipeline_name=<name>")
    small = client.list_pipeline_runs(pipeline="cp_list_pipe", sort_by="desc:created", size=2)
    W.eq(([r.id for r in small.items], small.total, small.max_size), (ids[:0:-1], page.total, 2), "size=2 page")
    indexes = [client.get_pipeline_run(i).index for i in ids]
    W.eq(indexes, [indexes[0], indexes[0] + 1, indexes[0] + 2], "run index (per-pipeline counter)")
    everything = client.list_pipeline_runs(sort_by="desc:created")
    W.eq([r.id for r in everything.items][:3], ids[::-1], "unfiltered list, newest first")


@check("pipeline run: navigate run.steps[...].outputs[...][0].load() and run.steps[...].inputs")
def c_pipeline_navigate() -> None:
    from zenml.client import Client

    run = Client().get_pipeline_run(run_pipe(pipes().cp_nav_pipe).id)
    W.eq(list(run.steps), ["nav_load", "nav_total"], "step names in creation order")
    numbers = run.steps["nav_load"].outputs["cp_nav_numbers"][0]
    W.eq(numbers.load(), [1, 10, 100], "load() of the first step's output")
    W.eq(run.steps["nav_load"].inputs, {}, "inputs of the first step")
    inputs = run.steps["nav_total"].inputs
    W.eq(sorted(inputs), ["numbers"], "input names of the second step")
    W.eq([i.id for i in inputs["numbers"]], [numbers.id], "input of total = output of load")
    W.eq(inputs["numbers"][0].load(), [1, 10, 100], "load() of the input")
    W.eq(run.steps["nav_total"].output.load(), 111, "step.output.load()")
    W.eq(run.steps["nav_total"].outputs["cp_nav_sum"][0].artifact.name, "cp_nav_sum", "artifact name of the output")
    steps = Client().list_run_steps(pipeline_run_id=run.id, sort_by="created")
    W.eq([s.name for s in steps.items], ["nav_load", "nav_total"], "list_run_steps(pipeline_run_id=)")
    W.eq({s.id for s in steps.items}, {s.id for s in run.steps.values()}, "step ids of list_run_steps")
    W.eq(status(Client().get_run_step(run.steps["nav_total"].id)), "completed", "get_run_step(id)")


@check("pipeline artifacts: only_unused excludes run outputs; pipeline_run= filter; producer_pipeline_run_id")
def c_pipeline_usage() -> None:
    from zenml.client import Client

    client = Client()
    run = run_pipe(pipes().cp_usage_pipe)
    numbers = output(run, "usage_load", "cp_usage_numbers")
    total = output(run, "usage_total", "cp_usage_sum")
    hand = W.save([1, 2], "cp_usage_handsaved")
    for av in (numbers, total):
        W.eq(client.list_artifact_versions(id=str(av.id), only_unused=True).total, 0, f"only_unused=True lists run output {av.artifact.name}")
        W.eq(client.list_artifact_versions(id=str(av.id)).total, 1, f"run output {av.artifact.name} without only_unused")
    W.eq([v.id for v in client.list_artifact_versions(id=str(hand.id), only_unused=True).items], [hand.id], "hand-saved version is unused")
    unused = {v.id for v in W.all_versions(only_unused=True)}
    W.expect(hand.id in unused, "hand-saved version missing from only_unused=True")
    W.expect(not unused & {numbers.id, total.id}, "run outputs listed by only_unused=True")
    unused_named = {v.id for v in W.all_versions(name="cp_usage_numbers", only_unused=True)}
    W.expect(numbers.id not in unused_named, "run output listed by name=..., only_unused=True")
    in_run = {v.id for v in W.all_versions(pipeline_run=run.id)}
    W.eq(in_run, {numbers.id, total.id}, "list_artifact_versions(pipeline_run=<run id>)")
    W.eq({v.id for v in W.all_versions(pipeline_run=str(run.id))}, in_run, "pipeline_run=<str id>")
    for av in (numbers, total):
        fetched = client.get_artifact_version(av.id)
        W.eq(fetched.producer_pipeline_run_id, run.id, f"producer_pipeline_run_id of {av.artifact.name}")
        W.eq(fetched.save_type.value, "step_output", f"save_type of {av.artifact.name}")
    W.eq(client.get_artifact_version(numbers.id).producer_step_run_id, run.steps["usage_load"].id, "producer_step_run_id")
    W.eq(client.get_artifact_version(hand.id).producer_pipeline_run_id, None, "producer of a hand-saved version")


@check("pipeline artifacts: prune_artifacts(only_versions=True) keeps the versions used by runs")
def c_pipeline_prune_keeps_used() -> None:
    # prune deletes every unused version of the project (the prune checks of
    # workflows.py run later and create their own versions).
    from zenml.client import Client

    client = Client()
    run = run_pipe(pipes().cp_keep_pipe)
    used = output(run, "keep_load", "cp_keep_numbers")
    unused = W.save("gone", "cp_keep_unused")
    client.prune_artifacts(only_versions=True)
    got = client.get_artifact_version(used.id)
    W.eq((got.id, got.load()), (used.id, [9, 9]), "used version after prune")
    W.expect(os.path.isdir(got.uri), f"data of the used version removed: {got.uri}")
    W.raises(KeyError, lambda: client.get_artifact_version(unused.id), "unused version after prune")
    W.eq([v.id for v in W.all_versions(pipeline_run=run.id)], [used.id], "versions of the run after prune")
    W.eq(output(refetch(run), "keep_load", "cp_keep_numbers").id, used.id, "run output after prune")
    W.eq(W.all_versions(only_unused=True), [], "unused versions left after prune")


@check("pipeline run: delete_pipeline_run -> get raises KeyError, its artifact versions remain")
def c_pipeline_delete_run() -> None:
    from zenml.client import Client

    client = Client()
    p = pipes()
    run = run_pipe(p.cp_delrun_pipe)
    keep = run_pipe(p.cp_delrun_pipe)
    av = output(run, "delrun_load", "cp_delrun_numbers")
    client.delete_pipeline_run(run.id)
    W.raises(KeyError, lambda: client.get_pipeline_run(run.id), "get deleted run by id")
    W.raises(KeyError, lambda: client.get_pipeline_run(run.name), "get deleted run by name")
    W.raises(KeyError, lambda: client.delete_pipeline_run(run.id), "delete the run twice")
    got = client.get_artifact_version(av.id)
    W.eq((got.id, got.load()), (av.id, [11]), "output version of the deleted run")
    W.eq(got.producer_pipeline_run_id, None, "producer_pipeline_run_id after deleting the producer run")
    W.eq(client.list_artifact_versions(id=str(av.id), only_unused=True).total, 1, "output of the deleted run is unused")
    W.eq(W.all_versions(pipeline_run=run.id), [], "pipeline_run=<deleted run>")
    W.eq(status(client.get_pipeline_run(keep.id)), "completed", "the other run of the pipeline")
    ids = [r.id for r in runs_of("cp_delrun_pipe")]
    W.expect(keep.id in ids and run.id not in ids, f"runs of the pipeline after the delete: {ids}")
    W.eq(client.get_pipeline("cp_delrun_pipe").id, run.pipeline.id, "pipeline kept after deleting a run")


@check("pipeline: delete_pipeline(name) -> the pipeline and its runs are gone, versions remain")
def c_pipeline_delete_pipeline() -> None:
    from zenml.client import Client

    client = Client()
    p = pipes()
    runs = [run_pipe(p.cp_delpipe_pipe) for _ in range(2)]
    avs = [output(r, "delpipe_load", "cp_delpipe_numbers") for r in runs]
    client.delete_pipeline("cp_delpipe_pipe")
    W.raises(KeyError, lambda: client.get_pipeline("cp_delpipe_pipe"), "get deleted pipeline")
    for r in runs:
        W.raises(KeyError, lambda r=r: client.get_pipeline_run(r.id), f"get run {r.id} of the deleted pipeline")
    W.eq(client.list_pipeline_runs(pipeline_name="cp_delpipe_pipe").total, 0, "runs listed by pipeline_name after the delete")
    for av in avs:
        W.eq(client.get_artifact_version(av.id).load(), [12], "output version of a deleted pipeline's run")
        W.eq(client.list_artifact_versions(id=str(av.id), only_unused=True).total, 1, "output is unused after the delete")
    W.raises(KeyError, lambda: client.delete_pipeline("cp_delpipe_pipe"), "delete the pipeline twice")
    again = run_pipe(p.cp_delpipe_pipe)  # the name can be registered again
    W.eq(status(again), "completed", "run after re-registering the deleted pipeline name")
    W.expect(again.pipeline.id != runs[0].pipeline.id, "re-registered pipeline reuses the deleted pipeline's id")


def sub_load_latest(names: List[str]) -> Dict[str, Any]:
    """`--sub load_latest NAME...`: latest version of each artifact, its value and producer."""
    import zenml
    from zenml.client import Client

    loaded = {}
    for name in names:
        av = Client().get_artifact_version(name)
        loaded[name] = {
            "value": zenml.load_artifact(name),
            "id": str(av.id),
            "producer_run": str(av.producer_pipeline_run_id),
            "run_name": av.run.name if av.run else None,
            "step_name": av.step.name if av.step else None,
        }
    return {"loaded": loaded}


SUB_MODES["load_latest"] = sub_load_latest


@check("pipeline output: another process (own fresh ZENML_CONFIG_PATH) loads it by name")
def c_pipeline_other_process() -> None:
    run = run_pipe(pipes().cp_xproc_pipe)
    av = output(run, "xproc_load", "cp_xproc_data")
    result = W.run_sub(["load_latest", "cp_xproc_data"], W.sub_env(), "loader process")
    got = result["loaded"]["cp_xproc_data"]
    W.eq(got["value"], {"from": "pipeline", "values": [1, 2, 3]}, "value loaded by the other process")
    W.eq(got["id"], str(av.id), "version seen by the other process")
    W.eq(got["producer_run"], str(run.id), "producer run seen by the other process")
    W.eq((got["run_name"], got["step_name"]), (run.name, "xproc_load"), "av.run.name / av.step.name in the other process")


@check("pipeline CLI: `zenml pipeline list`, `zenml pipeline runs list [--pipeline X]`, `runs delete <id> -y`")
def c_pipeline_cli() -> None:
    from zenml.client import Client

    client = Client()
    p = pipes()
    runs = [run_pipe(p.cp_cli_pipe) for _ in range(2)]
    other = run_pipe(p.cp_cli_other_pipe)
    env = W.sub_env()

    out = W.cli_ok(["pipeline", "list"], env)
    W.expect("cp_cli_pipe" in out, f"'cp_cli_pipe' missing from `zenml pipeline list`:\n{out}")
    rows = W.cli_rows(W.cli_json(["pipeline", "list"], env))
    mine = [r for r in rows if r.get("name") == "cp_cli_pipe"]
    W.eq(len(mine), 1, f"cp_cli_pipe rows in `zenml pipeline list --output json`: {rows}")
    W.eq(
        (str(mine[0].get("id")), mine[0].get("user"), mine[0].get("latest_run_status")),
        (str(runs[0].pipeline.id), "admin", "completed"),
        "id, user, latest_run_status of the pipeline in the CLI output",
    )

    out = W.cli_ok(["pipeline", "runs", "list"], env)
    for r in (*runs, other):
        W.expect(r.name in out, f"run {r.name} missing from `zenml pipeline runs list`:\n{out}")
    rows = W.cli_rows(W.cli_json(["pipeline", "runs", "list", "--pipeline", "cp_cli_pipe"], env))
    W.eq([str(r.get("id")) for r in rows][:2], [str(runs[1].id), str(runs[0].id)], "CLI runs --pipeline order")
    W.expect(str(other.id) not in {str(r.get("id")) for r in rows}, "--pipeline listed a run of another pipeline")
    W.eq(
        [(r.get("run_name"), r.get("pipeline"), r.get("status"), r.get("stack"), r.get("owner")) for r in rows[:2]],
        [(r.name, "cp_cli_pipe", "completed", "default", "admin") for r in runs[::-1]],
        "CLI run rows (run_name, pipeline, status, stack, owner)",
    )
    W.eq([r.get("index") for r in rows[:2]], [runs[1].index, runs[0].index], "CLI run index column")
    out = W.cli_ok(["pipeline", "runs", "list", "--pipeline", "cp_cli_pipe"], env)
    W.expect(runs[0].name in out and other.name not in out, f"`zenml pipeline runs list --pipeline cp_cli_pipe`:\n{out}")

    out = W.cli_ok(["pipeline", "runs", "delete", str(runs[0].id), "-y"], env)
    W.expect(f"Deleted pipeline run '{runs[0].id}'" in out, f"unexpected `runs delete` output:\n{out}")
    W.raises(KeyError, lambda: client.get_pipeline_run(runs[0].id), "run deleted by the CLI")
    W.eq(status(client.get_pipeline_run(runs[1].id)), "completed", "the other run survives the CLI delete")
    rows = W.cli_rows(W.cli_json(["pipeline", "runs", "list", "--pipeline", "cp_cli_pipe"], env))
    W.expect(str(runs[0].id) not in {str(r.get("id")) for r in rows}, "deleted run still listed by the CLI")


@check("pipeline cleanup: delete_pipeline for every pipeline -> no runs left, every version unused")
def c_pipeline_cleanup() -> None:
    # Leaves the project as the prune checks of workflows.py expect it.
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    client = Client()
    for pipeline in list(depaginate(client.list_pipelines)):
        client.delete_pipeline(pipeline.id)
    W.eq(client.list_pipelines().total, 0, "pipelines left")
    W.eq(client.list_pipeline_runs().total, 0, "runs left after deleting every pipeline")
    W.eq(
        {v.id for v in W.all_versions(only_unused=True)},
        {v.id for v in W.all_versions()},
        "every version is unused once no run exists",
    )
