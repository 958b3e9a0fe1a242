"""The fixture itself: what it hands out matches what the stub serves."""

import json
import re
import urllib.request


def test_fixture_hands_out_a_working_stub(novastub):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", novastub.url)
    assert novastub.auth_url == novastub.url + "/identity/v3"
    assert (novastub.username, novastub.password, novastub.project_name) == ("admin", "secret", "demo")
    assert (novastub.user_domain_name, novastub.region_name) == ("Default", "RegionOne")
    assert re.fullmatch(r"[0-9a-f]{32}", novastub.project_id)
    assert novastub.token

    # The static token works on the compute API, and the journal saw it.
    novastub.reset()
    req = urllib.request.Request(novastub.compute_url + "/servers", headers={"X-Auth-Token": novastub.token})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        names = [s["name"] for s in json.load(resp)["servers"]]
    assert "vm1" in names
    listed = [e for e in novastub.journal() if e["method"] == "GET" and e["path"].endswith("/servers")]
    assert listed and listed[-1]["status"] == 200, novastub.journal()
