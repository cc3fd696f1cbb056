#!/usr/bin/env python3
"""Client-compatibility workflows: the OFFICIAL zenml==0.98.0 client against trove.

Started by tests/compat/run.sh, which provides a running trove server and these
environment variables:

  ZENML_STORE_URL, ZENML_STORE_USERNAME, ZENML_STORE_PASSWORD   client login
  ZENML_CONFIG_PATH                  fresh client config dir of this process
  TROVE_COMPAT_JWT_SECRET            the server's TROVE_JWT_SECRET (to craft tokens)
  TROVE_COMPAT_STORE_PATH            the server's TROVE_ARTIFACT_STORE_PATH
  TROVE_COMPAT_TMP                   scratch dir (removed by run.sh)

Every workflow is one check with real assertions; the checks run in order and
each prints PASS/FAIL (with the traceback and the last HTTP exchanges of the
client on failure). The last line is "N passed, M failed"; the exit status is 1
when anything failed.

Checks create their own artifacts (distinct names), so one failing check does
not cascade into the next ones. The prune checks delete every version of the
project and therefore run last.

The script doubles as the helper run in subprocesses (`--sub MODE ...`), which
use their own fresh ZENML_CONFIG_PATH to prove that nothing depends on the
first client's local state.
"""

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

SUB_TIMEOUT = int(os.environ.get("TROVE_COMPAT_SUB_TIMEOUT", "240"))
API = "/api/v1"

# --------------------------------------------------------------------------
# HTTP exchange log (wraps requests.Session.request, which every client call,
# including the login POST, goes through).
# --------------------------------------------------------------------------

REQUESTS: List[Dict[str, Any]] = []


def _token_tag(token: Optional[str]) -> Optional[str]:
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def install_request_logger() -> None:
    import requests

    if getattr(requests.Session.request, "_trove_logged", False):
        return
    original = requests.Session.request

    def logged(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        params = kwargs.get("params")
        headers = kwargs.get("headers") or {}
        auth = headers.get("Authorization") or self.headers.get("Authorization")
        token = auth.split(" ", 1)[1] if auth and " " in auth else None
        body = kwargs.get("data") if kwargs.get("data") is not None else kwargs.get("json")
        if "/login" in url:
            body = "<login form redacted>"
        entry: Dict[str, Any] = {
            "method": method,
            "url": url,
            "params": params,
            "body": _short(body),
            "token": _token_tag(token),
        }
        REQUESTS.append(entry)
        try:
            resp = original(self, method, url, *args, **kwargs)
        except Exception as e:  # connection errors etc.
            entry["status"] = None
            entry["response"] = repr(e)
            raise
        entry["status"] = resp.status_code
        entry["response"] = _short(resp.text)
        return resp

    logged._trove_logged = True  # type: ignore[attr-defined]
    requests.Session.request = logged  # type: ignore[method-assign]


def _short(value: Any, limit: int = 700) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + f"...<{len(text)} chars>"


def _path(url: str) -> str:
    base = os.environ.get("ZENML_STORE_URL", "").rstrip("/")
    return url[len(base):] if base and url.startswith(base) else url


def format_requests(entries: List[Dict[str, Any]]) -> str:
    lines = []
    for e in entries:
        params = e.get("params")
        q = ""
        if params:
            q = "?" + "&".join(
                f"{k}={v}" for k, v in (params.items() if isinstance(params, dict) else params)
            )
        lines.append(f"    {e['method']} {_path(e['url'])}{q}  -> {e.get('status')}")
        if e.get("body") and e["method"] in ("POST", "PUT"):
            lines.append(f"        request body: {e['body']}")
        if e.get("status") is None or e.get("status", 200) >= 300:
            lines.append(f"        response: {e.get('response')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Assertions and helpers
# --------------------------------------------------------------------------


class CheckFailed(AssertionError):
    pass


def expect(cond: Any, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def eq(actual: Any, expected: Any, what: str) -> None:
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def raises(exc_types: Any, fn: Callable[[], Any], what: str) -> BaseException:
    try:
        result = fn()
    except exc_types as e:  # noqa: B902
        return e
    except Exception as e:
        raise CheckFailed(f"{what}: expected {exc_types}, got {type(e).__name__}: {e}") from e
    raise CheckFailed(f"{what}: expected {exc_types} to be raised, but it returned {result!r}")


def real(p: str) -> str:
    return os.path.realpath(p)


def under(path: str, root: str) -> bool:
    path, root = real(path), real(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


def tag_names(av: Any) -> List[str]:
    return sorted(t.name for t in av.tags)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(secret: str, claims: Dict[str, Any]) -> str:
    """HS256 JWT without third-party packages."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(sig)}"


def raw_get(path: str, token: Optional[str]) -> Tuple[int, Any]:
    """A plain HTTP GET outside the zenml client (not logged)."""
    import urllib.error
    import urllib.request

    url = os.environ["ZENML_STORE_URL"].rstrip("/") + path
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read().decode()
            status = resp.status
    except urllib.error.HTTPError as e:
        body = e.read().decode()
        status = e.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def crafted_tokens() -> Tuple[str, str]:
    """(valid, expired) tokens for the admin, signed with the server's secret.

    Claims as trove issues them: sub = user id, iss = aud = server id, float iat.
    """
    from zenml.client import Client

    secret = os.environ["TROVE_COMPAT_JWT_SECRET"]
    store = Client().zen_store
    server_id = str(store.get_store_info().id)
    user_id = str(Client().active_user.id)
    now = time.time()
    valid = make_jwt(secret, {"sub": user_id, "iss": server_id, "aud": server_id, "iat": now})
    expired = make_jwt(
        secret,
        {"sub": user_id, "iss": server_id, "aud": server_id, "iat": now - 7200, "exp": int(now) - 3600},
    )
    return valid, expired


def sub_env(config_dir: Optional[str] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env["ZENML_CONFIG_PATH"] = config_dir or tempfile.mkdtemp(
        prefix="zenml-config-", dir=os.environ.get("TROVE_COMPAT_TMP")
    )
    env.setdefault("COLUMNS", "250")
    return env


def run_sub(args: List[str], env: Dict[str, str], what: str) -> Dict[str, Any]:
    """Run this script in `--sub` mode in a new process; returns its JSON result."""
    cmd = [sys.executable, os.path.abspath(__file__), "--sub", *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=SUB_TIMEOUT)
    marker = "TROVE_COMPAT_RESULT "
    result_line = next((l for l in proc.stdout.splitlines() if l.startswith(marker)), None)
    if proc.returncode != 0 or result_line is None:
        raise CheckFailed(
            f"{what}: subprocess {' '.join(args)} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return json.loads(result_line[len(marker):])


def zenml_cli(args: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess:
    exe = os.path.join(os.path.dirname(sys.executable), "zenml")
    cmd = [exe, *args] if os.path.exists(exe) else [sys.executable, "-m", "zenml.cli.cli", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=SUB_TIMEOUT)


def cli_ok(args: List[str], env: Dict[str, str]) -> str:
    proc = zenml_cli(args, env)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise CheckFailed(
            f"`zenml {' '.join(args)}` exited with {proc.returncode}\n--- output ---\n{out[-6000:]}"
        )
    return out


def cli_json(args: List[str], env: Dict[str, str]) -> Any:
    proc = zenml_cli([*args, "--output", "json"], env)
    if proc.returncode != 0:
        raise CheckFailed(
            f"`zenml {' '.join(args)} --output json` exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
        )
    text = proc.stdout
    start = min([i for i in (text.find("{"), text.find("[")) if i >= 0], default=-1)
    expect(start >= 0, f"no JSON in the output of `zenml {' '.join(args)} --output json`:\n{text}")
    try:
        return json.JSONDecoder().raw_decode(text[start:])[0]
    except ValueError as e:
        raise CheckFailed(f"unparsable JSON output of `zenml {' '.join(args)}`: {e}\n{text}") from e


def cli_rows(data: Any) -> List[Dict[str, Any]]:
    """Rows of the CLI's JSON list output (a list, or {"items": [...]})."""
    if isinstance(data, dict):
        for key in ("items", "data", "rows"):
            if isinstance(data.get(key), list):
                return data[key]
    expect(isinstance(data, list), f"unexpected JSON shape from the CLI: {str(data)[:500]}")
    return data


def all_versions(**filters: Any) -> List[Any]:
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    return list(depaginate(Client().list_artifact_versions, **filters))


def all_artifacts(**filters: Any) -> List[Any]:
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    return list(depaginate(Client().list_artifacts, **filters))


def save(data: Any, name: str, **kw: Any) -> Any:
    import zenml

    return zenml.save_artifact(data, name=name, **kw)


# Values saved by the save check (name -> value), also loaded by the other-process check.
SAMPLES: Dict[str, Any] = {
    "cc_list": [1, 2, 3, "four", 5.5, None, True],
    "cc_dict": {"alpha": 1, "beta": [1, 2], "gamma": {"nested": "yes"}, "delta": None},
    "cc_str": "hello trove ✓ (unicode)",
    "cc_int": 1234567890123,
    "cc_float": 3.141592653589793,
}
SAVED: Dict[str, Any] = {}  # name -> ArtifactVersionResponse of version 1


def ensure_samples() -> None:
    """Save the samples unless the save check already did (keeps checks independent)."""
    for name, value in SAMPLES.items():
        if name not in SAVED:
            SAVED[name] = save(value, name, tags=["cc-all", f"cc-{name}"])


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

CHECKS: List[Tuple[str, Callable[[], None]]] = []


def check(title: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def deco(fn: Callable[[], None]) -> Callable[[], None]:
        CHECKS.append((title, fn))
        return fn

    return deco


@check("connect with ZENML_STORE_* env vars: Client(), active user/project/stack")
def c_connect() -> None:
    from zenml.client import Client
    from zenml.enums import StackComponentType, StoreType

    client = Client()
    eq(client.zen_store.type, StoreType.REST, "store type")
    info = client.zen_store.get_store_info()
    eq(info.version, "0.98.0", "server version from /info")
    user = client.active_user
    eq(user.name, "admin", "active user")
    projects = client.list_projects()
    eq(projects.total, 1, "number of projects")
    project = client.active_project
    eq(project.name, "default", "active project name")
    eq(project.id, projects.items[0].id, "active project id")
    stack = client.active_stack_model
    eq(stack.name, "default", "active stack name")
    components = stack.components
    for ctype in (StackComponentType.ORCHESTRATOR, StackComponentType.ARTIFACT_STORE):
        expect(components.get(ctype), f"default stack has no {ctype.value}: {components}")
    # Instantiating the stack imports the flavor classes and validates configs.
    store = client.active_stack.artifact_store
    eq(store.flavor, "local", "artifact store flavor")
    expected = os.environ["TROVE_COMPAT_STORE_PATH"]
    eq(real(store.path), real(expected), "artifact store path advertised by trove")


@check("re-login when the server rejects the token held by a live client (expired JWT)")
def c_relogin_live() -> None:
    # How: with the server's known TROVE_JWT_SECRET we sign a JWT with the right
    # sub/iss/aud but an `exp` one hour in the past. We first prove with plain
    # HTTP that the server accepts a fresh token with the same claims but rejects
    # the expired one with 401 CredentialsNotValid. Then we make the live client
    # hold the expired token (session header, in-memory APIToken and cached
    # credentials; the APIToken has no expires_at, so the client itself believes
    # it is valid and cannot refresh proactively). The next client call must hit
    # the server's 401, go through the client's re-authentication branch
    # (authenticate(force=True) -> POST /login) and succeed on retry.
    from zenml.client import Client
    from zenml.login.credentials import APIToken
    from zenml.login.credentials_store import get_credentials_store

    client = Client()
    store = client.zen_store
    client.active_user  # make sure we are logged in
    valid, expired = crafted_tokens()
    status, body = raw_get(f"{API}/current-user", valid)
    eq(status, 200, f"sanity: server must accept a freshly crafted token (body {body})")
    status, body = raw_get(f"{API}/current-user", expired)
    eq(status, 401, f"server must reject an expired token (body {body})")
    expect(
        isinstance(body, dict) and isinstance(body.get("detail"), list) and body["detail"][0] == "CredentialsNotValid",
        f"401 body for an expired token must be {{'detail': ['CredentialsNotValid', ...]}}, got {body}",
    )

    store._api_token = APIToken(access_token=expired)
    store.session.headers["Authorization"] = "Bearer " + expired
    creds_store = get_credentials_store()
    creds = creds_store.get_credentials(store.url)
    expect(creds is not None, "no cached credentials for the server after login")
    creds.api_token = APIToken(access_token=expired)
    creds_store._save_credentials()

    mark = len(REQUESTS)
    user = store.get_user()  # GET /current-user with the expired token (Client.active_user is cached)
    eq(user.name, "admin", "user after re-login")
    seen = REQUESTS[mark:]
    summary = [(e["method"], _path(e["url"]), e["status"]) for e in seen]
    first = seen[0] if seen else None
    expect(
        first and first["token"] == _token_tag(expired) and first["status"] == 401,
        f"first request should carry the expired token and get 401: {summary}",
    )
    logins = [e for e in seen if e["url"].endswith("/login")]
    eq(len(logins), 1, f"number of logins during recovery ({summary})")
    eq(logins[0]["status"], 200, "re-login status")
    last = seen[-1]
    expect(
        last["url"].endswith("/current-user") and last["status"] == 200 and last["token"] not in (None, _token_tag(expired)),
        f"the retried request must succeed with a new token: {summary}",
    )
    new_token = store.session.headers["Authorization"].split(" ", 1)[1]
    expect(new_token != expired, "client still holds the expired token")
    status, body = raw_get(f"{API}/current-user", new_token)
    eq(status, 200, "the token obtained by re-login is accepted")
    cached = get_credentials_store().get_credentials(store.url)
    expect(cached and cached.api_token and cached.api_token.access_token == new_token, "new token not cached")


@check("re-login in a fresh process whose cached token (credentials.yaml) has expired")
def c_relogin_cached() -> None:
    # How: a first process logs in (caching username, password and token in
    # <config>/credentials.yaml, as `zenml login` would). We replace the cached
    # token by the expired JWT (without expires_at, so the client trusts it). A
    # second process with the same config dir but WITHOUT ZENML_STORE_USERNAME/
    # PASSWORD (those env vars make the client drop any cached token at start-up)
    # sends its first request without auth (401), authenticates with the cached
    # expired token, gets 401 CredentialsNotValid from trove, forces a new login
    # with the cached password and succeeds.
    import yaml

    valid, expired = crafted_tokens()
    config_dir = tempfile.mkdtemp(prefix="zenml-config-", dir=os.environ.get("TROVE_COMPAT_TMP"))
    env = sub_env(config_dir)
    first = run_sub(["whoami"], env, "first process")
    eq(first["user"], "admin", "user in the first process")
    cred_file = os.path.join(config_dir, "credentials.yaml")
    expect(os.path.exists(cred_file), f"{cred_file} was not written by the client")
    with open(cred_file) as f:
        data = yaml.safe_load(f)
    url = os.environ["ZENML_STORE_URL"].rstrip("/")
    entries = data.get("credentials", data) if isinstance(data, dict) else None
    expect(isinstance(entries, dict) and url in entries, f"no cached entry for {url} in {cred_file}: {data}")
    expect(entries[url].get("api_token"), f"no cached api_token in {cred_file}")
    entries[url]["api_token"] = {"access_token": expired}
    with open(cred_file, "w") as f:
        yaml.safe_dump(data, f)

    env.pop("ZENML_STORE_USERNAME", None)
    env.pop("ZENML_STORE_PASSWORD", None)
    second = run_sub(["whoami"], env, "second process")
    eq(second["user"], "admin", "user in the second process")
    reqs = second["requests"]
    summary = [(r["method"], r["path"], r["status"], r["token"]) for r in reqs]
    expired_tag = _token_tag(expired)
    # /info is public, so only protected endpoints must reject the expired token.
    rejected = [r for r in reqs if r["token"] == expired_tag and not r["path"].endswith("/info")]
    expect(rejected, f"the cached expired token was never sent: {summary}")
    expect(all(r["status"] == 401 for r in rejected), f"expired token not rejected with 401: {summary}")
    logins = [r for r in reqs if r["path"].endswith("/login")]
    expect(logins and logins[-1]["status"] == 200, f"no successful re-login: {summary}")
    expect(reqs[-1]["status"] == 200 and reqs[-1]["token"] not in (None, expired_tag), f"final request failed: {summary}")
    with open(cred_file) as f:
        data = yaml.safe_load(f)
    entries = data.get("credentials", data)
    new_token = (entries[url].get("api_token") or {}).get("access_token")
    expect(new_token and new_token != expired, "credentials.yaml still holds the expired token")
    status, _ = raw_get(f"{API}/current-user", new_token)
    eq(status, 200, "the re-issued token is accepted")


@check("zenml.save_artifact: list, dict, str, int, float with tags and metadata")
def c_save() -> None:
    from zenml.client import Client

    client = Client()
    store_id = client.active_stack.artifact_store.id
    store_path = os.environ["TROVE_COMPAT_STORE_PATH"]
    meta = {"m_int": 7, "m_str": "seven", "m_float": 0.5, "m_bool": True, "m_list": [1, 2], "m_dict": {"k": "v"}}
    for name, value in SAMPLES.items():
        av = save(value, name, tags=["cc-all", f"cc-{name}"], user_metadata=meta)
        SAVED[name] = av
        eq(av.version, "1", f"{name}: first version")
        eq(av.artifact.name, name, f"{name}: artifact name")
        eq(tag_names(av), sorted(["cc-all", f"cc-{name}"]), f"{name}: tags in the create response")
        eq(av.artifact_store_id, store_id, f"{name}: artifact_store_id")
        eq(av.save_type.value, "manual", f"{name}: save_type")
        eq(av.data_type.attribute, type(value).__name__, f"{name}: data_type")
        expect(av.content_hash, f"{name}: content_hash missing")
        expect(under(av.uri, store_path), f"{name}: uri {av.uri} is not under TROVE_ARTIFACT_STORE_PATH {store_path}")
        expect(os.path.isdir(av.uri) and os.listdir(av.uri), f"{name}: no data written at {av.uri}")
        fetched = client.get_artifact_version(av.id)  # hydrated GET by id
        eq(fetched.id, av.id, f"{name}: get by id")
        eq(tag_names(fetched), tag_names(av), f"{name}: tags after re-fetch")
        rm = fetched.run_metadata
        for k, v in meta.items():
            eq(rm.get(k), v, f"{name}: run_metadata[{k!r}]")
        expect("storage_size" in rm, f"{name}: materializer metadata 'storage_size' missing: {rm}")


@check("zenml.load_artifact by name and by version; second save gives version 2; latest wins")
def c_load() -> None:
    import zenml

    ensure_samples()
    for name, value in SAMPLES.items():
        for loaded in (zenml.load_artifact(name), zenml.load_artifact(name, version="1")):
            eq(loaded, value, f"{name}: loaded data")
            eq(type(loaded), type(value), f"{name}: loaded type")
    v1 = save({"gen": 1}, "cc_versions")
    v2 = save({"gen": 2}, "cc_versions")
    eq((v1.version, v2.version), ("1", "2"), "versions of two saves")
    eq(zenml.load_artifact("cc_versions"), {"gen": 2}, "load by name = newest")
    eq(zenml.load_artifact("cc_versions", version="1"), {"gen": 1}, "load version 1")
    eq(zenml.load_artifact("cc_versions", version="2"), {"gen": 2}, "load version 2")
    eq(zenml.load_artifact(str(v1.id)), {"gen": 1}, "load by version id")
    v3 = save("custom", "cc_versions", version="release-x")
    eq(v3.version, "release-x", "explicit string version")
    eq(zenml.load_artifact("cc_versions"), "custom", "latest = most recently created")
    v4 = save({"gen": 4}, "cc_versions")
    eq(v4.version, "3", "auto-increment after a custom version")
    raises(KeyError, lambda: zenml.load_artifact("cc_versions", version="99"), "unknown version")
    raises(KeyError, lambda: zenml.load_artifact("cc_no_such_artifact"), "unknown artifact")


@check("load from another process (own fresh ZENML_CONFIG_PATH) finds the saved data")
def c_other_process() -> None:
    ensure_samples()
    env = sub_env()
    result = run_sub(["load", *SAMPLES.keys()], env, "loader process")
    eq(real(result["store_path"]), real(os.environ["TROVE_COMPAT_STORE_PATH"]), "store path in the other process")
    for name, value in SAMPLES.items():
        got = result["loaded"][name]
        eq(got["type"], type(value).__name__, f"{name}: type loaded by the other process")
        eq(got["value"], json.loads(json.dumps(value)), f"{name}: value loaded by the other process")
        eq(got["version"], "1", f"{name}: version seen by the other process")
        eq(got["id"], str(SAVED[name].id), f"{name}: version id seen by the other process")


@check("Client().list_artifact_versions: name=, tags=, version=, sort_by, size=, page=")
def c_list() -> None:
    from zenml.client import Client

    client = Client()
    saved = [
        save([i], "cc_list_a", tags=["cc-even" if i % 2 == 0 else "cc-odd", "cc-lst"]) for i in range(1, 6)
    ]
    other = save("x", "cc_list_b", tags=["cc-lst", "cc-odd"])
    ids = [v.id for v in saved]

    page = client.list_artifact_versions(name="cc_list_a")
    eq(page.total, 5, "total for name=cc_list_a")
    eq([v.id for v in page.items], ids, "default order (created ascending)")
    eq([v.version for v in page.items], ["1", "2", "3", "4", "5"], "version strings")
    expect(all(v.artifact.name == "cc_list_a" for v in page.items), "artifact names in list")

    page = client.list_artifact_versions(artifact="cc_list_a", sort_by="desc:created")
    eq([v.id for v in page.items], ids[::-1], "sort_by=desc:created")

    page = client.list_artifact_versions(name="cc_list_a", sort_by="desc:created", size=2)
    eq((page.total, page.total_pages, page.max_size, page.index), (5, 3, 2, 1), "page envelope for size=2")
    eq([v.id for v in page.items], [ids[4], ids[3]], "first page of size 2")
    page3 = client.list_artifact_versions(name="cc_list_a", sort_by="desc:created", size=2, page=3)
    eq([v.id for v in page3.items], [ids[0]], "third page of size 2")

    page = client.list_artifact_versions(name="cc_list_a", version="3")
    eq([v.id for v in page.items], [ids[2]], "version=3")
    page = client.list_artifact_versions(name="cc_list_a", version=2)
    eq([v.id for v in page.items], [ids[1]], "version=2 (int)")

    page = client.list_artifact_versions(name="cc_list_a", tags="cc-even")
    eq([v.id for v in page.items], [ids[1], ids[3]], "tags=cc-even")
    page = client.list_artifact_versions(tags="cc-odd", sort_by="desc:created")
    eq([v.id for v in page.items], [other.id, ids[4], ids[2], ids[0]], "tags=cc-odd across artifacts")
    page = client.list_artifact_versions(tags=["cc-odd", "cc-lst"], name="cc_list_b")
    eq([v.id for v in page.items], [other.id], "two tags (AND) + name")
    page = client.list_artifact_versions(name="cc_list_a", tags="cc-even", sort_by="desc:created", size=1)
    eq(([v.id for v in page.items], page.total), ([ids[3]], 2), "name+tags+sort+size")
    eq(tag_names(page.items[0]), ["cc-even", "cc-lst"], "tags of an unhydrated item")
    page = client.list_artifact_versions(tags="cc-no-such-tag")
    eq(page.total, 0, "unknown tag")
    page = client.list_artifact_versions(name="cc_no_such_artifact")
    eq((page.total, page.items), (0, []), "unknown name")

    page = client.list_artifact_versions(id=f"startswith:{str(ids[2])[:8]}")
    eq([v.id for v in page.items], [ids[2]], "id=startswith:<8 chars>")
    hydrated = client.list_artifact_versions(name="cc_list_a", version="5", hydrate=True).items[0]
    eq(hydrated.id, ids[4], "hydrated list item")
    expect(hydrated.get_metadata() is not None, "hydrate=True did not return metadata")


@check("Client().get_artifact_version by name+version, latest, id and 8-char id prefix")
def c_get() -> None:
    from zenml.client import Client

    client = Client()
    v1 = save(1, "cc_get")
    v2 = save(2, "cc_get")
    eq(client.get_artifact_version("cc_get", "1").id, v1.id, "get(name, '1')")
    eq(client.get_artifact_version("cc_get", version="2").id, v2.id, "get(name, version='2')")
    eq(client.get_artifact_version("cc_get").id, v2.id, "get(name) = latest")
    eq(client.get_artifact_version(v1.id).id, v1.id, "get(UUID)")
    eq(client.get_artifact_version(str(v1.id)).id, v1.id, "get(str uuid)")
    got = client.get_artifact_version(str(v2.id)[:8])
    eq((got.id, got.version, got.artifact.name), (v2.id, "2", "cc_get"), "get(8-char id prefix)")
    eq(client.get_artifact_version(str(v1.id)[:13]).id, v1.id, "get(13-char id prefix with a hyphen)")
    raises(KeyError, lambda: client.get_artifact_version("cc_get", "7"), "get unknown version")
    raises(KeyError, lambda: client.get_artifact_version(str(uuid.uuid4())), "get unknown uuid")
    raises(KeyError, lambda: client.get_artifact_version("cc_nothing_here"), "get unknown name")


@check("Client().update_artifact_version(add_tags=, remove_tags=)")
def c_update() -> None:
    from zenml.client import Client

    client = Client()
    v1 = save("a", "cc_upd", tags=["cc-t1", "cc-t2"])
    v2 = save("b", "cc_upd", tags=["cc-t1"])
    updated = client.update_artifact_version("cc_upd", version="1", add_tags=["cc-t3"], remove_tags=["cc-t1"])
    eq(updated.id, v1.id, "updated version")
    eq(tag_names(updated), ["cc-t2", "cc-t3"], "tags in the update response")
    eq(tag_names(client.get_artifact_version("cc_upd", "1")), ["cc-t2", "cc-t3"], "tags after re-fetch")
    eq(tag_names(client.get_artifact_version("cc_upd", "2")), ["cc-t1"], "other version untouched")
    updated = client.update_artifact_version(str(v2.id), add_tags=["cc-t3", "cc-t4"])
    eq(tag_names(updated), ["cc-t1", "cc-t3", "cc-t4"], "add only (by id)")
    updated = client.update_artifact_version("cc_upd", version="2", remove_tags=["cc-t1", "cc-t4"])
    eq(tag_names(updated), ["cc-t3"], "remove only")
    page = client.list_artifact_versions(name="cc_upd", tags="cc-t3")
    eq(sorted(v.id for v in page.items), sorted([v1.id, v2.id]), "tags filter sees the new tag")
    page = client.list_artifact_versions(name="cc_upd", tags="cc-t1")
    eq(page.total, 0, "tags filter no longer sees the removed tag")


@check("Client().delete_artifact_version: gone afterwards (KeyError), data deletion")
def c_delete() -> None:
    import zenml
    from zenml.client import Client

    client = Client()
    v1 = save("one", "cc_del")
    v2 = save("two", "cc_del")
    v3 = save("three", "cc_del")
    client.delete_artifact_version("cc_del", version="1")
    raises(KeyError, lambda: client.get_artifact_version("cc_del", "1"), "get deleted version by name")
    raises(KeyError, lambda: client.get_artifact_version(v1.id), "get deleted version by id")
    expect(os.path.isdir(v1.uri), "metadata-only delete must keep the data")
    eq([v.id for v in client.list_artifact_versions(name="cc_del").items], [v2.id, v3.id], "remaining versions")
    client.delete_artifact_version(v3.id, delete_from_artifact_store=True)
    raises(KeyError, lambda: client.get_artifact_version(v3.id), "get version deleted by id")
    expect(not os.path.exists(v3.uri), f"data of the deleted version still at {v3.uri}")
    eq(zenml.load_artifact("cc_del"), "two", "latest after deletions")
    raises(KeyError, lambda: client.delete_artifact_version("cc_del", version="1"), "delete twice")
    client.delete_artifact_version(str(v2.id)[:8])
    eq(client.list_artifact_versions(name="cc_del").total, 0, "no versions left")
    arts = client.list_artifacts(name="cc_del")
    eq(arts.total, 1, "parent artifact kept after deleting all its versions")


@check("CLI: `zenml artifact version list` and `zenml artifact list`")
def c_cli_list() -> None:
    v1 = save({"c": 1}, "cc_cli", tags=["cc-cli"])
    v2 = save({"c": 2}, "cc_cli", tags=["cc-cli"])
    env = sub_env()
    out = cli_ok(["artifact", "version", "list", "--artifact", "cc_cli"], env)
    for needle in (str(v1.id), str(v2.id), "cc_cli"):
        expect(needle in out, f"{needle!r} missing from `zenml artifact version list` output:\n{out}")
    expect("2 items found" in out or "2[/cyan] items" in out or " 2 items" in out, f"item count missing:\n{out}")

    data = cli_json(["artifact", "version", "list", "--artifact", "cc_cli"], env)
    rows = cli_rows(data)
    eq([str(r.get("id")) for r in rows], [str(v2.id), str(v1.id)], "CLI version list order (desc:created)")
    eq([str(r.get("version")) for r in rows], ["2", "1"], "CLI versions")
    eq([r.get("artifact") for r in rows], ["cc_cli", "cc_cli"], "CLI artifact column")
    if isinstance(data, dict) and isinstance(data.get("pagination"), dict):
        eq(data["pagination"].get("total"), 2, "CLI pagination total")
    rows = cli_rows(cli_json(["artifact", "version", "list", "--tags", "cc-cli", "--size", "1"], env))
    eq([str(r.get("id")) for r in rows], [str(v2.id)], "CLI --tags --size 1")

    out = cli_ok(["artifact", "list"], env)
    expect("cc_cli" in out, f"'cc_cli' missing from `zenml artifact list`:\n{out}")
    rows = cli_rows(cli_json(["artifact", "list", "--name", "cc_cli"], env))
    eq([r.get("name") for r in rows], ["cc_cli"], "CLI artifact list --name")
    eq(str(rows[0].get("id")), str(v1.artifact.id), "CLI artifact id")
    eq(str(rows[0].get("latest_version_name")), "2", "CLI artifact latest_version_name")


# The pipeline workflows (pipelines.py) run here, before the prune checks; their
# last check deletes every pipeline, so that all versions are unused again.
import pipelines  # noqa: E402

pipelines.register(sys.modules[__name__])
# The model workflows (models.py); their last check deletes every model and pipeline.
import models  # noqa: E402

models.register(sys.modules[__name__])
# Service accounts and API keys (apikeys.py).
import apikeys  # noqa: E402

apikeys.register(sys.modules[__name__])


@check("Client().prune_artifacts(only_versions=True) then (only_versions=False)")
def c_prune() -> None:
    from zenml.client import Client

    client = Client()
    save(1, "cc_prune_a")
    save(2, "cc_prune_a")
    keep_data = save(3, "cc_prune_b")
    empty = save(4, "cc_prune_empty")
    client.delete_artifact_version(empty.id)  # artifact left without versions
    before_versions = all_versions()
    before_artifacts = {a.name for a in all_artifacts()}
    expect(len(before_versions) >= 3, f"expected versions before prune, found {len(before_versions)}")
    for n in ("cc_prune_a", "cc_prune_b", "cc_prune_empty"):
        expect(n in before_artifacts, f"artifact {n} missing before prune")
    # No pipeline runs exist on trove, so every version is unused.
    unused = {v.id for v in all_versions(only_unused=True)}
    eq(unused, {v.id for v in before_versions}, "only_unused=True lists every version")

    client.prune_artifacts(only_versions=True)
    eq(len(all_versions()), 0, "versions left after prune(only_versions=True)")
    after_artifacts = {a.name for a in all_artifacts()}
    eq(after_artifacts, before_artifacts, "artifacts kept by prune(only_versions=True)")
    expect(os.path.isdir(keep_data.uri), "prune without delete_from_artifact_store must keep data")

    save(5, "cc_prune_c")  # one artifact that still has a version
    client.prune_artifacts(only_versions=False)
    eq(len(all_versions()), 0, "versions left after prune(only_versions=False)")
    eq({a.name for a in all_artifacts()}, set(), "artifacts left after prune(only_versions=False)")


@check("CLI: `zenml artifact prune -y` deletes unused versions, data and empty artifacts")
def c_cli_prune() -> None:
    from zenml.client import Client

    client = Client()
    a1 = save([1], "cc_cliprune_a", tags=["cc-p"])
    a2 = save([2], "cc_cliprune_a")
    b1 = save("b", "cc_cliprune_b")
    env = sub_env()
    out = cli_ok(["artifact", "prune", "-y"], env)
    expect("All unused artifacts and artifact versions deleted" in out, f"unexpected prune output:\n{out}")
    for av in (a1, a2, b1):
        raises(KeyError, lambda av=av: client.get_artifact_version(av.id), f"version {av.id} after CLI prune")
        expect(not os.path.exists(av.uri), f"CLI prune left data at {av.uri}")
    eq(client.list_artifact_versions().total, 0, "versions left after CLI prune")
    names = {a.name for a in all_artifacts()}
    expect(not names & {"cc_cliprune_a", "cc_cliprune_b"}, f"artifacts left after CLI prune: {names}")
    out = cli_ok(["artifact", "prune", "-y"], env)
    expect("No unused artifact versions found" in out, f"second prune should find nothing:\n{out}")


# --------------------------------------------------------------------------
# Subprocess modes
# --------------------------------------------------------------------------


def sub_main(mode: str, args: List[str]) -> int:
    install_request_logger()
    try:
        if mode == "whoami":
            from zenml.client import Client

            user = Client().active_user
            reqs = [
                {"method": e["method"], "path": _path(e["url"]), "status": e.get("status"), "token": e["token"]}
                for e in REQUESTS
            ]
            result: Dict[str, Any] = {"user": user.name, "requests": reqs}
        elif mode == "load":
            import zenml
            from zenml.client import Client

            loaded = {}
            for name in args:
                av = Client().get_artifact_version(name, "1")
                value = zenml.load_artifact(name, version="1")
                loaded[name] = {"type": type(value).__name__, "value": value, "version": av.version, "id": str(av.id)}
            result = {"loaded": loaded, "store_path": Client().active_stack.artifact_store.path}
        elif mode in pipelines.SUB_MODES:
            result = pipelines.SUB_MODES[mode](args)
        elif mode in apikeys.SUB_MODES:
            result = apikeys.SUB_MODES[mode](args)
        else:
            raise SystemExit(f"unknown --sub mode {mode}")
    except Exception:
        traceback.print_exc()
        print("--- last HTTP exchanges of this process ---\n" + format_requests(REQUESTS[-12:]))
        return 1
    print("TROVE_COMPAT_RESULT " + json.dumps(result, default=str))
    return 0


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main() -> int:
    # SIGTERM (run.sh being stopped) -> SystemExit, which also makes a running
    # subprocess.run() kill its child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    install_request_logger()
    only = os.environ.get("TROVE_COMPAT_ONLY")  # optional: comma-separated substrings
    selected = [(t, f) for t, f in CHECKS if not only or any(s.strip() in t or s.strip() == f.__name__ for s in only.split(","))]
    results: List[Tuple[str, str]] = []
    passed, failed = [], []
    seen_errors: Dict[str, int] = {}
    for i, (title, fn) in enumerate(selected, 1):
        print(f"\n=== [{i}/{len(selected)}] {title}", flush=True)
        mark = len(REQUESTS)
        start = time.time()
        try:
            fn()
        except BaseException as e:  # noqa: B902 - report everything, keep going
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            dt = time.time() - start
            failed.append(title)
            results.append(("FAIL", title))
            print(f"FAIL ({dt:.1f}s) {title}\n  {type(e).__name__}: {e}")
            key = f"{type(e).__name__}: {e}"
            if key in seen_errors:
                print(f"  (same error as check [{seen_errors[key]}]; details above)")
                continue
            seen_errors[key] = i
            if isinstance(e, CheckFailed):
                frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == os.path.abspath(__file__)]
                where = next((f for f in reversed(frames) if f.name not in ("expect", "eq", "raises", "run_sub", "cli_ok", "cli_json", "cli_rows")), None)
                if where:
                    print(f"  at workflows.py:{where.lineno}: {where.line}")
                if e.__cause__ is not None:
                    print("  caused by:\n" + "".join("    " + l for l in traceback.format_exception(e.__cause__)))
            else:
                print("  traceback:\n" + "".join("    " + l for l in traceback.format_exc().splitlines(True)))
            tail = REQUESTS[mark:][-10:]
            if tail:
                print("  last HTTP exchanges of the client in this check:\n" + format_requests(tail))
        else:
            passed.append(title)
            results.append(("PASS", title))
            print(f"PASS ({time.time() - start:.1f}s) {title}")
        sys.stdout.flush()
    print("\n--- summary ---")
    for status, t in results:
        print(f"{status}  {t}")
    summary = f"{len(passed)} passed, {len(failed)} failed"
    summary_file = os.environ.get("TROVE_COMPAT_SUMMARY_FILE")
    if summary_file:  # run.sh prints it as the very last line, after its cleanup
        with open(summary_file, "w") as f:
            f.write(summary + "\n")
    else:
        print(summary, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--sub":
        sys.exit(sub_main(sys.argv[2], sys.argv[3:]))
    sys.exit(main())
