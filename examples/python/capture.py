"""A recording proxy for developers of novastub: what do real clients send?

With ``NOVASTUB_CAPTURE=DIR``, conftest.py puts a Recorder in front of the
stub and hands its URL to the clients. The proxy forwards every request as it
came (the Host header too, so the stub's catalog and version documents point
back at the proxy and every later request passes through it as well) and
writes, per test, DIR/<test>.json: each request (method, path, query, the
headers that matter, the body with secrets hidden) with the stub's answer
(status, headers that matter, the first line of the body), beside the stub's
own journal for the same test (its operation names).

``python3 capture.py DIR`` prints the distinct requests of every test:
method, path template, query keys, microversion, status and answer.
"""

import http.client
import http.server
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

# Request headers kept in the record (lowercase); tokens are never kept.
KEPT_REQUEST = {
    "content-type",
    "accept",
    "openstack-api-version",
    "x-openstack-nova-api-version",
    "user-agent",
}
KEPT_RESPONSE = {
    "content-type",
    "openstack-api-version",
    "x-openstack-nova-api-version",
    "location",
    "www-authenticate",
}
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}
SECRET_KEYS = {"password", "adminpass", "secret", "passcode"}
MAX_BODY = 64 << 20


class Recorder:
    """A threaded HTTP proxy on 127.0.0.1 in front of target; a context manager."""

    # A developer's hook to stand in for what the stub does not serve yet,
    # to see what a client would send next: called with (method, target,
    # request headers, body, status, response headers, response body) after
    # the stub answered; returns None to pass the stub's answer on, or
    # (status, headers, body) to answer instead (recorded as "stood_in").
    stand_in = None

    def __init__(self, target, out_dir):
        self.target = urlsplit(target)
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.records = []
        self.server = None

    def __enter__(self):
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, MAX_BODY)) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                started = time.monotonic()
                conn = http.client.HTTPConnection(rec.target.hostname, rec.target.port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                except OSError as e:
                    self.send_error(502, f"novastub capture proxy: {e}")
                    return
                finally:
                    conn.close()
                status, reason, out_headers = resp.status, resp.reason, resp.getheaders()
                stood_in = False
                if rec.stand_in is not None:
                    answer = rec.stand_in(self.command, self.path, self.headers, body, status, out_headers, data)
                    if answer is not None:
                        (status, out_headers, data), reason, stood_in = answer, "", True
                rec.add(self.command, self.path, self.headers, body, status, out_headers, data,
                        time.monotonic() - started, stood_in)
                self.send_response_only(status, reason or None)
                for k, v in out_headers:
                    if k.lower() not in HOP:
                        self.send_header(k, v)
                if self.command != "HEAD" and status not in (204, 304):
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="novastub-capture", daemon=True).start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def add(self, method, target, req_headers, body, status, headers, data, seconds, stood_in=False):
        url = urlsplit(target)
        text = data.decode("utf-8", "replace").strip()
        entry = {
            "method": method,
            "path": url.path,
            "query": parse_qsl(url.query, keep_blank_values=True),
            "headers": {k: v for k, v in req_headers.items() if k.lower() in KEPT_REQUEST},
            "body": redact(body),
            "status": status,
            "response_headers": {k: v for k, v in headers if k.lower() in KEPT_RESPONSE},
            "response_first_line": (text.splitlines() or [""])[0][:300],
            "seconds": round(seconds, 4),
        }
        if stood_in:
            entry["stood_in"] = True
        with self.lock:
            self.records.append(entry)

    def begin(self, test):
        with self.lock:
            self.records = []

    def end(self, test, seconds, journal):
        with self.lock:
            records, self.records = self.records, []
        doc = {"test": test, "seconds": round(seconds, 2), "requests": records, "journal": journal}
        (self.out / f"{safe(test)}.json").write_text(json.dumps(doc, indent=1))

    def write_extra(self, test, suffix, text):
        """Saves text beside the test's capture, such as a CLI's --debug output."""
        (self.out / f"{safe(test)}.{suffix}").write_text(text)


def redact(body):
    """The body with passwords, secrets and token ids replaced by "***"."""
    if not body:
        return ""
    try:
        doc = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace")
        return "***" if any(k in text.lower() for k in SECRET_KEYS) else text

    def walk(v, parent=""):
        if isinstance(v, dict):
            return {k: "***" if k.lower() in SECRET_KEYS or (k == "id" and parent == "token") else walk(x, k)
                    for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, parent) for x in v]
        return v

    return json.dumps(walk(doc))


def safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def template(path):
    """/v2.1/<project>/servers/<uuid> -> /v2.1/{project}/servers/{id}"""
    return HEX32.sub("{project}", UUID.sub("{id}", path))


def microversion(headers):
    h = {k.lower(): v for k, v in headers.items()}
    return h.get("openstack-api-version") or h.get("x-openstack-nova-api-version") or ""


def shape(body):
    """The body's keys, two levels deep: {"os-getConsoleOutput": {"length"}}."""
    if not body:
        return ""
    try:
        v = json.loads(body)
    except ValueError:
        return body[:80]
    if isinstance(v, dict):
        return "{" + ", ".join(
            k + (("{" + ",".join(v[k]) + "}") if isinstance(v[k], dict) else "") for k in v
        ) + "}"
    return type(v).__name__


def summarize(out_dir):
    for f in sorted(Path(out_dir).glob("*.json")):
        doc = json.loads(f.read_text())
        print(f"== {doc['test']} ({doc['seconds']} s, {len(doc['requests'])} requests)")
        seen = {}
        for r in doc["requests"]:
            key = (r["method"], template(r["path"]), ",".join(sorted({k for k, _ in r["query"]})),
                   microversion(r["headers"]), shape(r["body"]), r["status"])
            if key in seen:
                seen[key][1] += 1
                continue
            seen[key] = [r, 1]
        for key, (r, n) in seen.items():
            method, path, query, mv, body, status = key
            q = "?" + "&".join(f"{k}={v}" for k, v in r["query"]) if r["query"] else ""
            line = f"  {method} {template(r['path'])}{q}"
            if mv:
                line += f"  [{mv}]"
            if body:
                line += f"  body {body}"
            line += f"  -> {status} {r['response_first_line'][:120]}"
            if n > 1:
                line += f"  (x{n})"
            if r.get("stood_in"):
                line += "  [stood in]"
            print(line)


if __name__ == "__main__":
    summarize(sys.argv[1] if len(sys.argv) > 1 else ".")
