"""openstacksdk against the stub: the cloud layer (create_server, wait_for_server,
delete_server) and the service proxies (compute, image) as a script uses them."""

import re
import uuid

import openstack
import pytest

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
WAIT = 60  # seconds for a server to get where it is going
# The console types the stub binary's demo cloud enables on vm1's host
# (console_protocols vnc, spice, serial in demo.json); any other gets
# Nova's 400.
ENABLED_CONSOLES = {"novnc", "spice-html5", "serial"}


@pytest.fixture(autouse=True)
def fresh(novastub):
    """Every test starts from the seed."""
    novastub.reset()


@pytest.fixture
def conn(novastub):
    c = openstack.connect(**novastub.sdk_args())
    yield c
    c.close()


def test_servers(conn, novastub):
    servers = {s.name: s for s in conn.compute.servers()}
    assert {"vm1", "new-vm", "metal-1"} <= set(servers), servers
    assert servers["vm1"].status == "ACTIVE"
    assert servers["vm1"].project_id == novastub.project_id


def test_flavors(conn):
    flavors = {f.name: f for f in conn.compute.flavors()}
    assert "m1.tiny" in flavors, flavors
    assert flavors["m1.tiny"].ram == 512 and flavors["m1.tiny"].vcpus == 1


def test_images(conn):
    images = list(conn.image.images())
    assert any("cirros" in i.name and i.status == "active" for i in images), images


def test_create_server_and_wait(conn):
    name = "sdk-" + uuid.uuid4().hex[:8]
    server = conn.create_server(name, image="cirros", flavor="m1.tiny", network="private")
    assert server.name == name
    assert server.status == "BUILD"
    server = conn.wait_for_server(server, timeout=WAIT)
    assert server.status == "ACTIVE"
    assert server.addresses.get("private"), server.addresses
    assert conn.get_server(name).id == server.id


def test_get_server_console_url(conn, novastub):
    console = conn.compute.get_server_console_url(conn.compute.find_server("vm1"), "novnc")
    assert console["type"] == "novnc"
    assert re.fullmatch(re.escape(novastub.direct_url) + r"/vnc_auto\.html\?token=" + UUID4, console["url"]), console


@pytest.mark.parametrize("kind,form", [
    pytest.param("novnc", r"http://[^ ]+/vnc_auto\.html\?token=" + UUID4, id="novnc"),
    pytest.param("spice-html5", r"http://[^ ]+/spice_auto\.html\?token=" + UUID4, id="spice-html5"),
    pytest.param("serial", r"ws://[^ ]+/\?token=" + UUID4, id="serial"),
])
def test_create_console(conn, kind, form):
    server = conn.compute.find_server("vm1")
    if kind not in ENABLED_CONSOLES:
        with pytest.raises(openstack.exceptions.BadRequestException, match=f"Unavailable console type {kind}"):
            conn.compute.create_console(server, kind)
        return
    console = conn.compute.create_console(server, kind)
    assert console["type"] == kind, console
    assert re.fullmatch(form, console["url"]), console


def test_get_server_console_output(conn):
    server = conn.compute.find_server("vm1", ignore_missing=False)
    output = conn.compute.get_server_console_output(server)["output"]
    assert "vm1" in output and "login:" in output, output
    last = conn.compute.get_server_console_output(server, length=1)["output"]
    assert len(last.strip().splitlines()) == 1, last


def test_delete_server(conn):
    assert conn.delete_server("metal-1", wait=True, timeout=WAIT) is True
    assert conn.get_server("metal-1") is None
    assert conn.compute.find_server("metal-1") is None
