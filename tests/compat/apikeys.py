"""Service-account workflows of the client-compatibility test (official zenml==0.98.0 client).

Registered by workflows.py (`apikeys.register(<workflows module>)`) before the
prune checks, reusing its helpers (through the module object `W`, as
pipelines.py does). Every check title contains "service account"
(TROVE_COMPAT_ONLY=service account).

The admin creates the account with the CLI (`zenml service-account create`,
which prints the key); other processes then connect with `ZENML_STORE_URL` +
`ZENML_STORE_API_KEY` only (no user name or password in their environment), so
the client logs in with the `zenml-api-key` grant (spec auth-and-server.md §5).
"""

import re
from typing import Any, Callable, Dict, List, Tuple

W: Any = None  # the workflows module, set by register()

CHECKS: List[Tuple[str, Callable[[], None]]] = []
SUB_MODES: Dict[str, Callable[[List[str]], Dict[str, Any]]] = {}  # `workflows.py --sub MODE`

ACCOUNT = "cc-bot"
KEYS: Dict[str, str] = {}  # "first" / "rotated" -> the ZENKEY_ text the CLI printed


def check(title: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    return lambda fn: CHECKS.append((title, fn)) or fn


def register(workflows_module: Any) -> None:
    global W
    W = workflows_module
    for title, fn in CHECKS:
        W.check(title)(fn)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def printed_key(out: str) -> str:
    """The one API key a CLI command printed."""
    keys = set(re.findall(r"ZENKEY_[A-Za-z0-9+/=]+", out))
    W.eq(len(keys), 1, f"API keys in the CLI output:\n{out}")
    return keys.pop()


def key_env(key: str) -> Dict[str, str]:
    """A fresh client environment that has only the API key (no user name or password)."""
    env = W.sub_env()
    env.pop("ZENML_STORE_USERNAME", None)
    env.pop("ZENML_STORE_PASSWORD", None)
    env["ZENML_STORE_API_KEY"] = key
    return env


def ensure_account() -> str:
    """Create the account with its default key via the CLI unless a check already did."""
    if "first" not in KEYS:
        out = W.cli_ok(["service-account", "create", ACCOUNT, "--description", "compat bot"], W.sub_env())
        W.expect(f"Created service account '{ACCOUNT}'" in out, f"unexpected CLI output:\n{out}")
        KEYS["first"] = printed_key(out)
    return KEYS["first"]


def logins(requests: List[Dict[str, Any]]) -> List[Any]:
    return [r.get("status") for r in requests if r["method"].upper() == "POST" and r["url"].endswith("/login")]


# --------------------------------------------------------------------------
# Subprocess modes
# --------------------------------------------------------------------------


def sub_use_key(args: List[str]) -> Dict[str, Any]:
    """As the service account: whoami, save, load and list artifact `args[0]`."""
    import zenml
    from zenml.client import Client

    name = args[0]
    client = Client()
    user = client.active_user
    saved = zenml.save_artifact({"by": "bot", "n": 7}, name=name, tags=["cc-bot"])
    loaded = zenml.load_artifact(name)
    page = client.list_artifact_versions(artifact=name)
    return {
        "user": user.name,
        "is_service_account": user.is_service_account,
        "saved_id": str(saved.id),
        "loaded": loaded,
        "listed": [str(v.id) for v in page.items],
        "project": client.active_project.name,
        "logins": logins(W.REQUESTS),
    }


def sub_try_key(args: List[str]) -> Dict[str, Any]:
    """Connect with the key; report the error instead of failing."""
    from zenml.client import Client

    try:
        return {"user": Client().active_user.name, "logins": logins(W.REQUESTS)}
    except Exception as e:  # noqa: BLE001 - the refusal is the result
        return {"error": f"{type(e).__name__}: {e}", "logins": logins(W.REQUESTS)}


SUB_MODES["use_key"] = sub_use_key
SUB_MODES["try_key"] = sub_try_key


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


@check("service account: `zenml service-account create` prints a key; another process with ZENML_STORE_API_KEY saves, loads and lists")
def c_service_account_use() -> None:
    from zenml.client import Client

    key = ensure_account()
    result = W.run_sub(["use_key", "cc_bot_data"], key_env(key), "API-key process")
    W.eq(result["user"], ACCOUNT, "active user of the API-key process")
    W.eq(result["is_service_account"], True, "the active user is a service account")
    W.eq(result["loaded"], {"by": "bot", "n": 7}, "value loaded back by the service account")
    W.eq(result["listed"], [result["saved_id"]], "versions listed by the service account")
    W.eq(result["project"], "default", "active project of the service account")
    W.expect(200 in result["logins"], f"the API-key process never logged in: {result['logins']}")
    av = Client().get_artifact_version("cc_bot_data")
    W.eq(str(av.id), result["saved_id"], "the admin sees the service account's version")
    W.eq(av.user.name, ACCOUNT, "owner of the version saved with the API key")
    accounts = {a.name: a for a in Client().list_service_accounts().items}
    W.expect(ACCOUNT in accounts, f"service accounts listed: {sorted(accounts)}")
    W.eq(accounts[ACCOUNT].description, "compat bot", "description of the account")


@check("service account: `api-key rotate` ends the old key, `api-key update --active false` the new one")
def c_service_account_rotate() -> None:
    old = ensure_account()
    out = W.cli_ok(["service-account", "api-key", ACCOUNT, "rotate", "default"], W.sub_env())
    new = printed_key(out)
    W.expect(new != old, "rotation gave a new key")
    refused = W.run_sub(["try_key"], key_env(old), "process with the rotated-out key")
    W.expect("error" in refused, f"the rotated-out key still logs in: {refused}")
    W.expect(401 in refused["logins"], f"expected a refused login: {refused}")
    W.eq(W.run_sub(["try_key"], key_env(new), "process with the new key").get("user"), ACCOUNT, "user with the new key")
    W.cli_ok(["service-account", "api-key", ACCOUNT, "update", "default", "--active", "false"], W.sub_env())
    refused = W.run_sub(["try_key"], key_env(new), "process with the deactivated key")
    W.expect("error" in refused, f"the deactivated key still logs in: {refused}")
    W.cli_ok(["service-account", "api-key", ACCOUNT, "update", "default", "--active", "true"], W.sub_env())
    W.eq(W.run_sub(["try_key"], key_env(new), "process with the reactivated key").get("user"), ACCOUNT, "user again")
    keys = W.cli_json(["service-account", "api-key", ACCOUNT, "list"], W.sub_env())
    W.eq([r.get("name") for r in W.cli_rows(keys)], ["default"], "API keys listed by the CLI")
