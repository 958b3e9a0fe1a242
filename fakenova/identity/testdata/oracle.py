#!/usr/bin/env python3
"""Writes keystone_oracle.json: what Keystone answers for malformed token
requests, computed with the real libraries Keystone uses (jsonschema's
Draft4Validator for the schema error, str() of the error as Keystone's
SchemaValidator words it, flask.jsonify for the body), and pprint.pformat
outputs, for the Go tests to compare against byte for byte.

Run from this directory (needs jsonschema 4 and Flask):

    python3 oracle.py > keystone_oracle.json

The schema is read from ../schema.go, so that the Go code and this oracle
cannot drift apart.
"""

import json
import pathlib
import pprint
import re

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
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
