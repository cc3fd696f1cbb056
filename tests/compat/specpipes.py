"""@step/@pipeline definitions used by the pipeline workflows (pipelines.py).

They live in their own importable module (next to workflows.py, which is the
source root of the client) so that the local orchestrator can resolve the step
sources (`specpipes.<step>`). Every check has its own steps and output names, so
cache keys and artifact names never overlap between checks.
"""

from typing import Annotated, Tuple

from zenml import ArtifactConfig, get_step_context, log_metadata, pipeline, step

# -- fresh run -------------------------------------------------------------


@step
def fresh_load() -> Annotated[list, "cp_fresh_numbers"]:
    return [1, 2, 3]


@step
def fresh_total(numbers: list) -> Annotated[int, "cp_fresh_sum"]:
    return sum(numbers)


@pipeline
def cp_fresh_pipe() -> None:
    fresh_total(fresh_load())


# -- cached rerun ----------------------------------------------------------


@step
def cache_load() -> Annotated[list, "cp_cache_numbers"]:
    return [10, 20]


@step
def cache_total(numbers: list) -> Annotated[int, "cp_cache_sum"]:
    return sum(numbers)


@pipeline
def cp_cache_pipe() -> None:
    cache_total(cache_load())


# -- enable_cache=False ----------------------------------------------------


@step
def nocache_load() -> Annotated[list, "cp_nocache_numbers"]:
    return [7, 8]


@step
def nocache_total(numbers: list) -> Annotated[int, "cp_nocache_sum"]:
    return sum(numbers)


@pipeline
def cp_nocache_pipe() -> None:
    nocache_total(nocache_load())


# -- failing step ----------------------------------------------------------


@step
def fail_load() -> Annotated[list, "cp_fail_numbers"]:
    return [1, 2, 3]


@step
def boom(numbers: list) -> Annotated[int, "cp_fail_never"]:
    raise ValueError("boom: intentional failure")


@pipeline(enable_cache=False)
def cp_fail_pipe() -> None:
    boom(fail_load())


# -- log_metadata ----------------------------------------------------------


@step
def meta_load() -> Annotated[list, "cp_meta_numbers"]:
    log_metadata(metadata={"rows": 3, "source": "inline"})  # -> this step run
    run_id = get_step_context().pipeline_run.id
    log_metadata(metadata={"run_note": "hello"}, run_id_name_or_prefix=run_id)  # -> the run
    log_metadata(metadata={"quality": 0.95}, infer_artifact=True)  # -> the output
    return [4, 5, 6]


@step
def meta_total(numbers: list) -> Annotated[int, "cp_meta_sum"]:
    log_metadata(metadata={"acc": 0.9}, infer_artifact=True, artifact_name="cp_meta_sum")
    return sum(numbers)


@pipeline(enable_cache=False)
def cp_meta_pipe() -> None:
    meta_total(meta_load())


# -- tags ------------------------------------------------------------------


@step
def tagged_load() -> Annotated[list, ArtifactConfig(name="cp_tagged_numbers", tags=["cp-raw", "cp-spec"])]:
    return [3, 2, 1]


@pipeline(tags=["cp-demo", "cp-spec"], enable_cache=False)
def cp_tags_pipe() -> None:
    tagged_load()


# -- parameters and multiple outputs ---------------------------------------


@step
def split(x: int, label: str) -> Tuple[Annotated[int, "cp_a"], Annotated[str, "cp_b"]]:
    return x + 1, label.upper()


@step
def join(a: int, b: str) -> Annotated[str, "cp_joined"]:
    return f"{b}-{a}"


@pipeline(enable_cache=False)
def cp_params_pipe(x: int = 1, label: str = "z") -> None:
    a, b = split(x=x, label=label)
    join(a, b)


# -- get / list / navigate / usage / delete / other process / CLI ----------


@step
def get_load() -> Annotated[list, "cp_get_numbers"]:
    return [5]


@pipeline(enable_cache=False)
def cp_get_pipe() -> None:
    get_load()


@step
def list_load() -> Annotated[list, "cp_list_numbers"]:
    return [6]


@pipeline(enable_cache=False)
def cp_list_pipe() -> None:
    list_load()


@step
def nav_load() -> Annotated[list, "cp_nav_numbers"]:
    return [1, 10, 100]


@step
def nav_total(numbers: list) -> Annotated[int, "cp_nav_sum"]:
    return sum(numbers)


@pipeline(enable_cache=False)
def cp_nav_pipe() -> None:
    nav_total(nav_load())


@step
def usage_load() -> Annotated[list, "cp_usage_numbers"]:
    return [2, 4]


@step
def usage_total(numbers: list) -> Annotated[int, "cp_usage_sum"]:
    return sum(numbers)


@pipeline(enable_cache=False)
def cp_usage_pipe() -> None:
    usage_total(usage_load())


@step
def keep_load() -> Annotated[list, "cp_keep_numbers"]:
    return [9, 9]


@pipeline(enable_cache=False)
def cp_keep_pipe() -> None:
    keep_load()


@step
def delrun_load() -> Annotated[list, "cp_delrun_numbers"]:
    return [11]


@pipeline(enable_cache=False)
def cp_delrun_pipe() -> None:
    delrun_load()


@step
def delpipe_load() -> Annotated[list, "cp_delpipe_numbers"]:
    return [12]


@pipeline(enable_cache=False)
def cp_delpipe_pipe() -> None:
    delpipe_load()


@step
def xproc_load() -> Annotated[dict, "cp_xproc_data"]:
    return {"from": "pipeline", "values": [1, 2, 3]}


@pipeline(enable_cache=False)
def cp_xproc_pipe() -> None:
    xproc_load()


@step
def cli_load() -> Annotated[list, "cp_cli_numbers"]:
    return [13]


@pipeline(enable_cache=False)
def cp_cli_pipe() -> None:
    cli_load()


@step
def cli_other_load() -> Annotated[list, "cp_cli_other_numbers"]:
    return [14]


@pipeline(enable_cache=False)
def cp_cli_other_pipe() -> None:
    cli_other_load()


# -- models (models.py) ----------------------------------------------------
# Every model pipeline has its own model; outputs: a data artifact and an
# ArtifactConfig(artifact_type=MODEL) artifact. Caching is off, so every run
# creates a new model version.

from zenml import Model  # noqa: E402
from zenml.enums import ArtifactType  # noqa: E402


@step
def cm_prepare(acc: float) -> Annotated[list, "cm_dataset"]:
    log_metadata(metadata={"val_acc": acc, "cm_note": "prepared"}, infer_model=True)  # -> the model version
    return [1.0, 2.0, acc]


@step
def cm_train(data: list) -> Annotated[dict, ArtifactConfig(name="cm_weights", artifact_type=ArtifactType.MODEL)]:
    return {"w": data, "n": len(data)}


@pipeline(
    model=Model(name="cm_main_model", description="cm main model", tags=["cm-mtag", "cm-spec"]),
    enable_cache=False,
)
def cm_main_pipe(acc: float = 0.5) -> None:
    cm_train(cm_prepare(acc=acc))


@step
def cm_stage_load() -> Annotated[list, "cm_stage_numbers"]:
    return [21]


@pipeline(model=Model(name="cm_stage_model"), enable_cache=False)
def cm_stage_pipe() -> None:
    cm_stage_load()


@step
def cm_del_load(x: int) -> Annotated[list, "cm_del_numbers"]:
    return [x]


@pipeline(model=Model(name="cm_del_model", tags=["cm-del"]), enable_cache=False)
def cm_del_pipe(x: int = 0) -> None:
    cm_del_load(x=x)
