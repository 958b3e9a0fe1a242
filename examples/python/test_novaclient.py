"""python-novaclient as a library against the stub: logged in through the stub's
Keystone (password, or its static token), or with the static token alone."""

import re

import pytest
from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneauth1 import token_endpoint
import novaclient
from novaclient import client

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
VM1 = "365313c5-5d0c-4c43-af05-16f765c0f2bc"
# novaclient wants an explicit version ("2.latest" is for its shell only):
# 2.1, which gets VNC consoles with the os-getVNCConsole action, and the
# highest it knows, which uses remote-consoles (2.6 and later).
VERSIONS = ["2.1", novaclient.API_MAX_VERSION.get_string()]


@pytest.fixture(autouse=True)
def fresh(novastub):
    """Every test starts from the seed."""
    novastub.reset()


def password_session(stub):
    auth = v3.Password(auth_url=stub.auth_url, username=stub.username, password=stub.password,
                       project_name=stub.project_name, user_domain_name=stub.user_domain_name,
                       project_domain_name=stub.project_domain_name)
    return session.Session(auth=auth, timeout=30)


def nova(stub, version):
    return client.Client(version, session=password_session(stub), region_name=stub.region_name)


@pytest.mark.parametrize("version", VERSIONS)
def test_get_vnc_console(novastub, version):
    # novaclient hands out Nova's body: {"console": {...}} from the action,
    # {"remote_console": {...}} from remote-consoles.
    key = "console" if version == "2.1" else "remote_console"
    console = nova(novastub, version).servers.get_vnc_console(VM1, "novnc")[key]
    assert console["type"] == "novnc"
    assert re.fullmatch(re.escape(novastub.direct_url) + r"/vnc_auto\.html\?token=" + UUID4, console["url"]), console


@pytest.mark.parametrize("version", VERSIONS)
def test_get_console_output(novastub, version):
    nc = nova(novastub, version)
    server = nc.servers.find(name="vm1")
    output = nc.servers.get_console_output(server)
    assert "vm1" in output and "login:" in output, output
    last = nc.servers.get_console_output(server, length=1)
    assert len(last.strip().splitlines()) == 1, last


def test_static_token_on_compute_endpoint(novastub):
    # No Keystone at all: the seed's token and the compute URL it prints.
    auth = token_endpoint.Token(novastub.compute_url, novastub.token)
    nc = client.Client("2.1", session=session.Session(auth=auth, timeout=30))
    console = nc.servers.get_vnc_console(VM1, "novnc")["console"]
    assert re.search(r"\?token=" + UUID4 + "$", console["url"]), console
    assert "vm1" in nc.servers.get_console_output(VM1)


def test_static_token_through_keystone(novastub):
    # keystoneauth's v3.Token: the static token rescoped to the project.
    auth = v3.Token(auth_url=novastub.auth_url, token=novastub.token, project_id=novastub.project_id)
    nc = client.Client("2.1", session=session.Session(auth=auth, timeout=30),
                       region_name=novastub.region_name)
    assert "vm1" in [s.name for s in nc.servers.list()]
