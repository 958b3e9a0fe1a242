"""A pytest fixture that runs novastub, the fake OpenStack cloud, for Python tests.

Copy this file next to your tests (or into your conftest.py) and ask for the
``novastub`` fixture::

    def test_servers(novastub):
        conn = openstack.connect(**novastub.sdk_args())
        assert [s.name for s in conn.compute.servers()]

    def test_cli(novastub):
        out = subprocess.run(["openstack", "server", "list"], env=novastub.env(),
                             capture_output=True, text=True, timeout=60, check=True)

The fixture starts the stub binary on a free loopback port (``-listen
127.0.0.1:0``), waits for its ``listening on http://HOST:PORT`` line, hands out
the URL and the credentials the stub printed, and stops the stub when the test
session ends. One stub serves the whole session; ``novastub.reset()`` puts it
back to its seed.

Where the stub comes from (environment variables):

- ``NOVASTUB_BIN``: a prebuilt novastub binary to run. Without it the fixture
  builds one with ``go build ./examples/novastub`` in ``NOVASTUB_REPO``
  (default: the repository this file is in).
- ``NOVASTUB_SEED``: a seed file (JSON) to start from. Without it: the stub's
  demo cloud (project ``demo``, user ``admin``/``secret``, a static token).
- ``NOVASTUB_START_TIMEOUT``: seconds to wait for the build and for the
  listening line (default 180; a cold ``go build`` takes a while).

The credentials, as the stub prints them for its demo cloud::

    auth URL   http://HOST:PORT/identity/v3
    user       admin, password secret, domain Default
    project    demo, domain Default
    region     RegionOne
    token      a static token for the compute API (X-Auth-Token)

``novastub.env()`` gives them as the ``OS_*`` variables of the openstack CLI;
``novastub.sdk_args()`` as keyword arguments of ``openstack.connect``;
``novastub.control(...)``, ``journal()`` and ``reset()`` drive the stub's
control plane (``/_novastub/``: fault injection, request journal, clock).

Optional, for developers of the stub: ``NOVASTUB_CAPTURE=DIR`` puts a
recording proxy (capture.py) in front of the stub and writes, per test,
every request the clients made and what the stub answered, beside the stub's
journal, into DIR.
"""

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DEFAULT_REPO = HERE.parent.parent

LISTENING = re.compile(r"^listening on (http://\S+)\s*$")


class StubError(RuntimeError):
    """The stub could not be built, started or reached."""


@dataclass
class NovaStub:
    """A running stub: its URL, its credentials and its control plane."""

    url: str  # http://HOST:PORT, where the clients reach the stub
    auth_url: str  # http://HOST:PORT/identity/v3
    username: str = "admin"
    password: str = "secret"
    project_name: str = "demo"
    project_id: str = ""
    user_domain_name: str = "Default"
    project_domain_name: str = "Default"
    region_name: str = "RegionOne"
    token: str = ""  # a static token of the seed: X-Auth-Token for the compute API
    direct_url: str = ""  # the stub itself, when a capture proxy stands in front
    control_token: str = ""  # what the control plane asks for (the stub prints it)
    stdout: list = field(default_factory=list, repr=False)
    stderr_path: str = field(default="", repr=False)

    @property
    def compute_url(self):
        """The compute endpoint of the token's project (Nova's v2.1 API)."""
        return f"{self.url}/v2.1/{self.project_id}"

    def env(self, base=None):
        """The environment for the openstack CLI: base (default: this
        process's environment, less any OS_* variable) plus the OS_* ones."""
        base = dict(os.environ if base is None else base)
        env = {k: v for k, v in base.items() if not k.startswith("OS_")}
        env.update(
            OS_AUTH_URL=self.auth_url,
            OS_AUTH_TYPE="password",
            OS_IDENTITY_API_VERSION="3",
            OS_USERNAME=self.username,
            OS_PASSWORD=self.password,
            OS_PROJECT_NAME=self.project_name,
            OS_USER_DOMAIN_NAME=self.user_domain_name,
            OS_PROJECT_DOMAIN_NAME=self.project_domain_name,
            OS_REGION_NAME=self.region_name,
            OS_INTERFACE="public",
        )
        return env

    def sdk_args(self, **extra):
        """Keyword arguments for openstack.connect() that ignore clouds.yaml
        and the OS_* environment."""
        args = dict(
            auth_url=self.auth_url,
            username=self.username,
            password=self.password,
            project_name=self.project_name,
            user_domain_name=self.user_domain_name,
            project_domain_name=self.project_domain_name,
            region_name=self.region_name,
            load_yaml_config=False,
            load_envvars=False,
            api_timeout=30,
        )
        args.update(extra)
        return args

    def control(self, method, path, body=None, timeout=10):
        """Calls the control plane (path below /_novastub/) and returns the
        decoded JSON answer (None for 204)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.direct_url or self.url}/_novastub/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.control_token}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raise StubError(f"control {method} {path}: {e.code} {e.read()[:500]!r}") from e
        return json.loads(raw) if raw else None

    def journal(self, **query):
        """The requests the stub received (operation, method, path, status,
        microversion, body), oldest first; query filters by operation,
        server_id or status."""
        qs = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in query.items())
        return self.control("GET", "journal" + ("?" + qs if qs else ""))["requests"]

    def clear_journal(self):
        self.control("DELETE", "journal")

    def reset(self):
        """Back to the seed: servers, tokens, faults and journal."""
        self.control("POST", "reset")

    def stderr_tail(self, limit=4000):
        """The end of what the stub wrote to stderr (its log)."""
        try:
            return Path(self.stderr_path).read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def _build(repo, timeout):
    go = shutil.which("go") or "/usr/local/go/bin/go"
    out = Path(tempfile.mkdtemp(prefix="novastub-bin-")) / "novastub"
    try:
        proc = subprocess.run(
            [go, "build", "-o", str(out), "./examples/novastub"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise StubError(f"go build timed out after {timeout}s") from e
    if proc.returncode != 0:
        raise StubError(f"go build ./examples/novastub failed:\n{proc.stderr}")
    return str(out)


def _parse_summary(lines, url):
    """The credentials the stub printed before its listening line."""
    stub = NovaStub(url=url, auth_url=url + "/identity/v3")
    for line in lines:
        words = line.split()
        if line.startswith("  project ") and len(words) >= 2:
            stub.project_id = words[1]
        elif line.startswith("  token ") and len(words) >= 2:
            stub.token = words[1]
        elif line.startswith("  control token ") and len(words) >= 3:
            stub.control_token = words[2]
        elif line.startswith("  export OS_AUTH_URL="):
            env = dict(w.split("=", 1) for w in shlex.split(line)[1:] if "=" in w)
            stub.username = env.get("OS_USERNAME", stub.username)
            stub.password = env.get("OS_PASSWORD", stub.password)
            stub.project_name = env.get("OS_PROJECT_NAME", stub.project_name)
            stub.user_domain_name = env.get("OS_USER_DOMAIN_NAME", stub.user_domain_name)
            stub.project_domain_name = env.get("OS_PROJECT_DOMAIN_NAME", stub.project_domain_name)
            stub.region_name = env.get("OS_REGION_NAME", stub.region_name)
    return stub


def _stop(proc):
    """SIGTERM, then SIGKILL the whole process group after 10 s."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return proc.wait(timeout=10)


class _Runner:
    """Starts the stub and stops it; a context manager."""

    def __init__(self, binary=None, seed=None, args=(), timeout=None):
        self.binary = binary or os.environ.get("NOVASTUB_BIN")
        self.seed = seed or os.environ.get("NOVASTUB_SEED")
        self.args = list(args)
        self.timeout = float(timeout or os.environ.get("NOVASTUB_START_TIMEOUT", "180"))
        self.proc = None
        self.stderr = None

    def __enter__(self):
        deadline = time.monotonic() + self.timeout
        binary = self.binary or _build(os.environ.get("NOVASTUB_REPO", str(DEFAULT_REPO)), self.timeout)
        # The control plane needs a token: ours, unless the caller's args
        # give one (the stub would print a random one otherwise).
        self.control_token = secrets.token_hex(16)
        cmd = [binary, "-listen", "127.0.0.1:0"] + self.args
        if not any(a.startswith("-control-token") or a.startswith("--control-token") for a in self.args):
            cmd += ["-control-token", self.control_token]
        if self.seed:
            cmd += ["-seed", self.seed]
        self.stderr = tempfile.NamedTemporaryFile(prefix="novastub-stderr-", suffix=".log", delete=False)
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
                text=True,
                start_new_session=True,  # its own process group, killed whole on teardown
            )
        except OSError as e:
            self.__exit__()
            raise StubError(f"cannot run {shlex.join(cmd)}: {e}") from e
        lines, found = [], threading.Event()
        url = []

        def read():  # keeps draining stdout so that the stub never blocks on it
            for line in self.proc.stdout:
                lines.append(line.rstrip("\n"))
                m = LISTENING.match(line)
                if m and not found.is_set():
                    url.append(m.group(1))
                    found.set()
            found.set()  # EOF: the stub exited

        threading.Thread(target=read, name="novastub-stdout", daemon=True).start()
        found.wait(max(0.0, deadline - time.monotonic()))
        if not url:
            exited = self.proc.poll()
            _stop(self.proc)
            why = f"exited with {exited}" if exited is not None else f"no line in {self.timeout:g}s"
            raise StubError(
                f"novastub did not print its listening line ({why}): {shlex.join(cmd)}\n"
                f"stdout:\n" + "\n".join(lines) + "\nstderr:\n" + Path(self.stderr.name).read_text(errors="replace")
            )
        stub = _parse_summary(lines, url[0])
        stub.control_token = stub.control_token or self.control_token
        stub.direct_url = url[0]
        stub.stdout = lines
        stub.stderr_path = self.stderr.name
        return stub

    def __exit__(self, *exc):
        if self.proc is not None:
            code = _stop(self.proc)
            if code not in (0, -signal.SIGTERM):
                print(f"novastub exited with {code}; stderr:\n{Path(self.stderr.name).read_text(errors='replace')[-4000:]}")
        if self.stderr is not None:
            self.stderr.close()
            os.unlink(self.stderr.name)
        return False


def start(binary=None, seed=None, args=(), timeout=None):
    """Starts a stub: ``with start(seed="cloud.json") as stub: ...``."""
    return _Runner(binary, seed, args, timeout)


@pytest.fixture(scope="session")
def novastub():
    """The running stub (a NovaStub), for the whole test session."""
    with start() as stub:
        capture = os.environ.get("NOVASTUB_CAPTURE")
        if not capture:
            yield stub
            return
        from capture import Recorder  # only for developers of the stub

        with Recorder(stub.direct_url, capture) as rec:
            stub.url = rec.url
            stub.auth_url = rec.url + "/identity/v3"
            stub.recorder = rec
            yield stub


@pytest.fixture(autouse=True)
def _capture(request):
    """With NOVASTUB_CAPTURE set: one capture file per test."""
    if not os.environ.get("NOVASTUB_CAPTURE"):
        yield
        return
    stub = request.getfixturevalue("novastub")
    stub.clear_journal()
    stub.recorder.begin(request.node.name)
    start_time = time.monotonic()
    yield
    stub.recorder.end(request.node.name, time.monotonic() - start_time, stub.journal())
