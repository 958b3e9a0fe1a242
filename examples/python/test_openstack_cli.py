"""The openstack command-line client (python-openstackclient) against the stub,
as a user types it: log in with the stub's OS_* variables, then list, show,
create, open consoles, read the console log, stop, start, reboot, delete."""

import json
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest

OPENSTACK = shutil.which("openstack", path="/usr/bin:" + os.environ.get("PATH", "")) or "openstack"
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
VM1 = "365313c5-5d0c-4c43-af05-16f765c0f2bc"  # the demo's ACTIVE server, vm1
CLI_TIMEOUT = 120  # seconds for one command, --wait included
# The console types the stub binary's demo cloud enables on vm1's host
# (console_protocols vnc, spice, serial in demo.json); any other gets
# Nova's 400 "Unavailable console type".
ENABLED_CONSOLES = {"novnc", "spice-html5", "serial"}


@pytest.fixture(autouse=True)
def fresh(novastub):
    """Every test starts from the seed."""
    novastub.reset()


def osc(request, stub, *args, timeout=CLI_TIMEOUT, check=True):
    """Runs `openstack ARGS` with the stub's credentials; with check, fails
    the test (showing stderr) unless it exits 0."""
    capture = os.environ.get("NOVASTUB_CAPTURE")
    cmd = [OPENSTACK] + (["--debug"] if capture else []) + list(args)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=stub.env(), capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"`openstack {' '.join(args)}` did not finish in {timeout}s; stderr:\n{tail(e.stderr)}")
    if capture:
        stub.recorder.write_extra(request.node.name, f"{len(getattr(request.node, '_osc', []))}.debug.txt",
                                  f"$ openstack {' '.join(args)}\n# exit {proc.returncode} after "
                                  f"{time.monotonic() - started:.2f}s\n# stdout:\n{proc.stdout}\n# stderr:\n{proc.stderr}")
        request.node._osc = getattr(request.node, "_osc", []) + [args]
    if check and proc.returncode != 0:
        pytest.fail(f"`openstack {' '.join(args)}` exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
                    f"stderr:\n{tail(proc.stderr)}")
    return proc


def tail(text, limit=3000):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return (text or "")[-limit:]


def osc_json(request, stub, *args, **kw):
    proc = osc(request, stub, *args, "-f", "json", **kw)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"`openstack {' '.join(args)} -f json` printed no JSON:\n{proc.stdout}\n{tail(proc.stderr)}")


def wait_status(request, stub, server, want, timeout=60):
    """Polls `server show` as a user would until the status is want."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = osc_json(request, stub, "server", "show", server, "-c", "status")["status"]
        if status == want:
            return
        time.sleep(1)
    pytest.fail(f"server {server} is {status}, not {want}, after {timeout}s")


def test_server_list(request, novastub):
    out = osc(request, novastub, "server", "list").stdout
    for name in ("vm1", "new-vm", "metal-1"):
        assert re.search(rf"\|\s*{name}\s*\|", out), out
    assert re.search(rf"{VM1}\s*\|\s*vm1\s*\|\s*ACTIVE", out), out


def test_server_list_long(request, novastub):
    out = osc(request, novastub, "server", "list", "--long").stdout
    header = out.splitlines()[1]
    for column in ("Task State", "Power State", "Networks", "Image Name", "Flavor Name", "Availability Zone", "Host"):
        assert column in header, header
    vm1 = next(line for line in out.splitlines() if VM1 in line)
    assert "Running" in vm1 and "ACTIVE" in vm1, vm1


def test_server_show(request, novastub):
    server = osc_json(request, novastub, "server", "show", "vm1")
    assert server["id"] == VM1
    assert server["name"] == "vm1"
    assert server["status"] == "ACTIVE"
    assert server["project_id"] == novastub.project_id


def test_server_create_wait(request, novastub):
    name = "osc-" + uuid.uuid4().hex[:8]
    server = osc_json(request, novastub, "server", "create", "--image", "cirros", "--flavor", "m1.tiny",
                      "--network", "private", "--wait", name)
    assert server["name"] == name
    assert server["status"] == "ACTIVE"
    assert re.fullmatch(r"[0-9a-f-]{36}", server["id"])
    # -f json shows addresses as {"private": ["10.0.0.x", ...]}, the table as private=10.0.0.x
    assert re.search(r"private\W+10\.0\.0\.\d+", str(server.get("addresses"))), server
    assert "m1.tiny" in str(server.get("flavor")), server
    assert "cirros" in str(server.get("image")), server
    listed = osc(request, novastub, "server", "list", "--name", name).stdout
    assert name in listed and "ACTIVE" in listed, listed


@pytest.mark.parametrize("kind,flag,form", [
    pytest.param("novnc", "--novnc", r"http://[^ ]+/vnc_auto\.html\?token=" + UUID4, id="novnc"),
    pytest.param("spice-html5", "--spice", r"http://[^ ]+/spice_auto\.html\?token=" + UUID4, id="spice-html5"),
    pytest.param("serial", "--serial", r"ws://[^ ]+/\?token=" + UUID4, id="serial"),
])
def test_console_url_show(request, novastub, kind, flag, form):
    if kind not in ENABLED_CONSOLES:
        proc = osc(request, novastub, "console", "url", "show", flag, "vm1", check=False)
        assert proc.returncode == 1, proc.stdout
        assert f"400: Client Error for url: {novastub.compute_url}/servers/{VM1}/remote-consoles, " \
               f"Unavailable console type {kind}." in proc.stderr, tail(proc.stderr)
        return
    console = osc_json(request, novastub, "console", "url", "show", flag, "vm1")
    assert console["type"] == kind, console
    assert re.fullmatch(form, console["url"]), console
    if kind == "novnc":  # the stub's own console page
        assert console["url"].startswith(novastub.direct_url + "/vnc_auto.html?token="), console


def test_console_log_show(request, novastub):
    out = osc(request, novastub, "console", "log", "show", "vm1").stdout
    assert "vm1" in out, out  # the boot log names the server
    assert "login:" in out, out  # and ends in a login prompt
    last = osc(request, novastub, "console", "log", "show", "--lines", "1", "vm1").stdout
    assert last.strip() and len(last.strip().splitlines()) == 1, last


def test_server_stop(request, novastub):
    # python-openstackclient 6.0 has no --wait for stop and start: poll.
    osc(request, novastub, "server", "stop", "vm1")
    wait_status(request, novastub, "vm1", "SHUTOFF")
    server = osc_json(request, novastub, "server", "show", "vm1")
    # -f json shows Nova's numbers: power state 4 is SHUTDOWN.
    assert (server["OS-EXT-STS:vm_state"], server["OS-EXT-STS:power_state"]) == ("stopped", 4), server


def test_server_start(request, novastub):
    novastub.control("PUT", f"servers/{VM1}", {"status": "SHUTOFF"})
    osc(request, novastub, "server", "start", "vm1")
    wait_status(request, novastub, "vm1", "ACTIVE")


def test_server_reboot_wait(request, novastub):
    proc = osc(request, novastub, "server", "reboot", "--wait", "vm1")
    assert "Complete" in proc.stdout + proc.stderr, proc.stdout + tail(proc.stderr)
    assert osc_json(request, novastub, "server", "show", "vm1")["status"] == "ACTIVE"


def test_server_delete_wait(request, novastub):
    osc(request, novastub, "server", "delete", "--wait", "metal-1")
    gone = osc(request, novastub, "server", "show", "metal-1", check=False)
    assert gone.returncode == 1
    assert "No server with a name or ID of 'metal-1' exists." in gone.stderr, tail(gone.stderr)


def test_flavor_list(request, novastub):
    flavors = {f["Name"]: f for f in osc_json(request, novastub, "flavor", "list")}
    assert "m1.tiny" in flavors, flavors
    assert flavors["m1.tiny"]["RAM"] == 512 and flavors["m1.tiny"]["VCPUs"] == 1, flavors["m1.tiny"]


def test_image_list(request, novastub):
    images = osc_json(request, novastub, "image", "list")
    assert any("cirros" in i["Name"] and i["Status"] == "active" for i in images), images


def test_network_list(request, novastub):
    networks = osc_json(request, novastub, "network", "list")
    assert any(n["Name"] == "private" for n in networks), networks


def test_project_list(request, novastub):
    projects = osc_json(request, novastub, "project", "list")
    assert {"ID": novastub.project_id, "Name": "demo"} in projects, projects


def test_catalog_list(request, novastub):
    catalog = {c["Type"]: c for c in osc_json(request, novastub, "catalog", "list")}
    for kind in ("identity", "compute", "image", "network"):
        assert kind in catalog, catalog
    assert f"{novastub.url}/v2.1/{novastub.project_id}" in str(catalog["compute"]["Endpoints"]), catalog["compute"]


def test_token_issue(request, novastub):
    token = osc_json(request, novastub, "token", "issue")
    assert token["project_id"] == novastub.project_id
    assert token["id"] and token["user_id"], token
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", token["expires"]), token
