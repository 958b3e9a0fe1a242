#!/usr/bin/env python3
"""Writes keystone_oracle.json: what Keystone answers for malformed token
requests, computed with the real libraries Keystone uses (jsonschema's
Draft4Validator for the schema error, str() of the error as Keystone's
SchemaValidator words it, flask.jsonify for the body), and pprint.pformat
outputs, for the Go tests to compare against byte for byte.

It also writes what Keystone's list calls take from Python and its
libraries: werkzeug's request.args of query strings, the 400s of
GET /v3/projects' query schema (jsonschema's Draft202012Validator over
request.args, worded as keystone/api/validation/validators.py words them,
with oslo's is_uuid_like as the uuid format), Python's int() of a limit,
urlencode of a next link's arguments, and http.client.responses.

Run from this directory (needs jsonschema 4 and Flask):

    python3 oracle.py > keystone_oracle.json

The schema is read from ../schema.go, so that the Go code and this oracle
cannot drift apart.
"""

import json
import pathlib
import pprint
import re

import http.client
import urllib.parse
import uuid

import flask
import jsonschema

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "schema.go"
_match = re.search(r"var tokenIssueSchema = mustParse\((.*?)\)\n\nfunc", SOURCE.read_text(), re.S)
SCHEMA = json.loads("".join(re.findall(r"`([^`]*)`", _match.group(1))))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def schema_detail(auth):
    """Keystone's detail for the first jsonschema error, or None."""
    for error in VALIDATOR.iter_errors(auth):
        if error.path:
            return "Invalid input for field '%s': %s" % ("/".join(map(str, error.path)), str(error))
        return str(error)
    return None


APP = flask.Flask("oracle")


def error_body(code, title, message):
    with APP.app_context():
        return flask.jsonify({"error": {"code": code, "title": title, "message": message}}).get_data(as_text=True)


LONG = "a very long string with many words that goes well past the seventy-two column width of pprint"

AUTHS = [
    {},
    "x",
    1,
    [],
    False,
    1.5,
    {"identity": 1},
    {"identity": {}},
    {"identity": {"password": 1}},
    {"identity": {"methods": "password"}},
    {"identity": {"methods": [1]}},
    {"identity": {"methods": ["password", "token", 3]}},
    {"identity": {"methods": LONG}},
    {"identity": {"methods": "ünïcödé ☃ " * 9}},
    {"identity": {"methods": {"k%02d" % i: "value number %d" % i for i in range(8)}}},
    {"identity": {"methods": ["password"], "password": []}},
    {"identity": {"methods": ["password"], "password": {"user": "x"}}},
    {"identity": {"methods": ["password"], "password": {"user": {"name": 1}}}},
    {"identity": {"methods": ["password"], "password": {"user": {"name": "a", "password": None}}}},
    {"identity": {"methods": ["password"], "password": {"user": {"name": "a", "domain": "Default"}}}},
    {"identity": {"methods": ["password"], "password": {"user": {"name": "a", "domain": {"id": 7}}}}},
    {"identity": {"methods": ["token"], "token": {}}},
    {"identity": {"methods": ["token"], "token": {"id": 5}}},
    {"identity": {"methods": ["password"]}, "scope": 1},
    {"identity": {"methods": ["password"]}, "scope": {"project": "demo"}},
    {"identity": {"methods": ["password"]}, "scope": {"project": {"name": 1}}},
    {"identity": {"methods": ["password"]}, "scope": {"project": {"name": "x", "domain": "Default"}}},
    {"identity": {"methods": ["password"]}, "scope": {"domain": []}},
    {"identity": {"methods": ["password"]}, "scope": {"OS-TRUST:trust": {"id": 1}}},
    {"identity": {"methods": ["password"]}, "scope": {"system": {"all": "yes"}}},
    {"identity": {"methods": ["password"]}, "scope": {"system": []}},
]

PFORMAT = [
    None, True, 0, -3, 1.5, 1e100, "", "x", "it's", LONG, LONG + "\n" + LONG, "x" * 100,
    [], {}, [LONG, LONG], {"key": LONG}, {"a": [1, 2, 3], "b": {"c": None}},
    SCHEMA, SCHEMA["properties"]["identity"], {"k%02d" % i: ["v"] * i for i in range(12)},
    [[[["deep", "nesting"] * 5] * 2] * 2], "tab\there " * 12, "ünïcödé ☃ " * 9,
    "a first line that is long enough to need wrapping when pprint prints it\r\n"
    "two\rthree\x0bfour\x0cfive\x1csix\x1dseven\x1eeight\x85nine\u2028ten\u2029eleven\n",
    {"nested": "a first line that is long enough to need wrapping when pprint prints it\nand more"},
    "separators\x1fbetween\x1fwords\x1fcount\x1fas\x1fspace\x1ffor\x1fpython\x1fand\x1fthis\x1fline\x1fis\x1flong",
]


# keystone/resource/schema.py's project_index_request_query, with the
# parameter types it names (keystone/api/validation/parameter_types.py and
# the resource schema's _name_properties), written out as data.
BOOLEAN = {"type": ["boolean", "string", "null"], "enum": [
    True, "True", "TRUE", "true", False, "False", "FALSE", "false", "", "1", "0",
    "y", "Y", "n", "N", "on", "ON", "off", "OFF", "yes", "no"]}
TAGS = {"type": "string"}
PROJECTS_QUERY = {
    "type": "object",
    "properties": {
        "domain_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[a-zA-Z0-9-]+$"},
        "enabled": BOOLEAN,
        "name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"[\S]+"},
        "parent_id": {"type": "string", "format": "uuid"},
        "is_domain": BOOLEAN,
        "tags": TAGS, "tags-any": TAGS, "not-tags": TAGS, "not-tags-any": TAGS,
        "marker": {"type": "string"},
        "limit": {"type": ["integer", "string"]},
    },
    "additionalProperties": True,
}

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uuid")
def is_uuid_like(val):
    """oslo_utils.uuidutils.is_uuid_like."""
    if not isinstance(val, str):
        return True
    try:
        formatted = val.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "").lower()
        return str(uuid.UUID(val)).replace("-", "") == formatted
    except (TypeError, ValueError, AttributeError):
        return False


QUERY_VALIDATOR = jsonschema.Draft202012Validator(PROJECTS_QUERY, format_checker=FORMATS)


def query_args(qs):
    with APP.test_request_context("/?" + qs):
        return flask.request.args.copy()


def projects_query_error(qs):
    """The 400 body of GET /v3/projects?qs, or None."""
    for ex in QUERY_VALIDATOR.iter_errors(query_args(qs)):
        detail = "Invalid input for field/attribute %(path)s. Value: %(value)s. %(message)s" % {
            "path": ex.path.pop(), "value": ex.instance, "message": ex.message}
        return error_body(400, "Bad Request", detail)
    return None


QUERIES = [
    "", "name=demo", "domain_id=", "domain_id=default", "domain_id=a%20b", "domain_id=abc%0A", "domain_id=abc%0A%0A",
    "domain_id=" + "d" * 64, "domain_id=" + "d" * 65, "domain_id=%C3%A9",
    "enabled=maybe", "enabled=", "enabled=True", "enabled=TrUe", "enabled=1&enabled=maybe", "enabled=maybe&enabled=1",
    "is_domain=2", "is_domain=yes", "name=", "name=%20%20", "name=%09x", "name=" + "n" * 65, "name=" + "%C3%A9" * 64 + "&x=" + "%C3%A9" * 65,
    "parent_id=default", "parent_id=1ab83fbf1b594600bfa618dc33694dd6", "parent_id=1AB83FBF-1B59-4600-BFA6-18DC33694DD6",
    "parent_id={1ab83fbf1b594600bfa618dc33694dd6}", "parent_id=urn:uuid:1ab83fbf1b594600bfa618dc33694dd6",
    "parent_id=%2B1ab83fbf1b594600bfa618dc33694dd", "parent_id=0x1ab83fbf1b594600bfa618dc33694d",
    "enabled=maybe&domain_id=", "is_domain=x&name=", "name=%20&parent_id=x", "limit=abc&marker=", "tags=a,b&foo=bar",
    "domain_id=%zz", "name=%E2%82",
]

QUERY_STRINGS = [
    "a=1&b=2&a=3", "a", "a=", "=x", "&&a=1&&", "a=b=c", "a+b=c+d", "a%20b=%2B", "a=%zz&b=%4", "a=%E2%82%AC",
    "a=%E2%82&b=%FF%FF", "a=1;b=2", "marker=x&limit=2&name=demo", "name=a&name=b",
]

INTS = ["1", " 7 ", "+5", "-3", "0", "007", "1_000", "1__0", "_1", "1_", "", " ", "abc", "1.5", "0x10",
        "\u0663", "\u0661\u0662", "\u00a012\u2003", "99999999999999999999999", "1e3", "--1", "+-1", "\x1c5\x1f"]

URLENCODE = [
    {"name": "demo", "marker": "x", "limit": 5},
    {"name": "a b&c=d/é", "limit": 1000, "marker": "1ab8"},
    {"x": "~-_.*'()!", "marker": "m", "limit": 0},
]


def main():
    out = {"schema_errors": [], "pformat": []}
    for auth in AUTHS:
        detail = schema_detail(auth)
        assert detail is not None, auth
        out["schema_errors"].append({
            "body": json.dumps({"auth": auth}),
            "response": error_body(400, "Bad Request", detail),
        })
    for value in PFORMAT:
        out["pformat"].append({"value": json.dumps(value), "text": pprint.pformat(value, width=72, sort_dicts=False)})
    out["unauthorized"] = error_body(401, "Unauthorized", "The request you have made requires authentication.")
    with APP.app_context():
        out["unsupported_method"] = flask.jsonify({"error": {
            "code": 401, "title": "Unauthorized",
            "message": "Attempted to authenticate with an unsupported method.",
            "identity": {"methods": ["external", "password", "token", "oauth1", "mapped", "application_credential"]},
        }}).get_data(as_text=True)
    out["projects_query"] = [{"query": qs, "response": projects_query_error(qs)} for qs in QUERIES]
    out["query_strings"] = [{"query": qs, "args": [list(kv) for kv in query_args(qs).items(multi=True)]}
                            for qs in QUERY_STRINGS]
    ints = []
    for text in INTS:
        try:
            value = int(text)
        except ValueError:
            value = None
        ints.append({"text": text, "value": None if value is None else str(value)})
    out["ints"] = ints
    out["urlencode"] = [{"args": list(map(list, args.items())), "text": urllib.parse.urlencode(args)} for args in URLENCODE]
    out["status_titles"] = {str(code): text for code, text in sorted(http.client.responses.items())}
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
