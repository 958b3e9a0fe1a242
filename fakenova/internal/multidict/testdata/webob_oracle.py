#!/usr/bin/env python3
"""Writes webob_oracle.json: how webob's Request.GET reads query strings
(the parser of Nova, Glance and Neutron), computed with the real webob
(Debian's python3-webob 1.8.6, under the system's CPython 3.11), for the
Go tests to compare ParseWebob against.

Each case: "query", the QUERY_STRING as the WSGI server hands it (its
bytes as latin-1 code points), and either "pairs" ([key, value] in
order) or "error" (the exception's class, UnicodeDecodeError where the
bytes are not UTF-8).

Run from this directory:

    apt-get install python3-webob
    /usr/bin/python3 webob_oracle.py > webob_oracle.json
"""

import json
import random

import webob
from importlib.metadata import version

FIXED = [
    "", "a", "a=1", "a=1&b=2", "a=1;b=2", "a=1&&b=2;;c", "&", ";", "=", "==", "a==b", "=x", "a=",
    "a=1&a=2", "a+b=c+d", "a%2Bb=c%2bd", "a=%20", "a=%zz", "a=%", "a=%%", "a=%%41", "a=%a", "a=%a%41",
    "a=% a", "a=%a ", "a=%\t1", "a=%\x0b1", "a=%\x0c1", "a=%\r1", "a=%\n1", "a=%\x1c1", "a=%+1", "a=%1+",
    "a=%-0", "a=%-1", "a=%+0", "a=%0x", "a=%0X", "a=%1_", "a=%_1", "a=% ", "a=%  ", "a=%-", "a=%g1",
    "a=%C3%A9", "a=%c3%a9", "a=%e9", "a=%ff", "a=\xc3\xa9", "a=\xe9", "%C3=1", "%e9=1", "a=%ED%A0%80",
    "a=%F4%90%80%80", "a=%F0%9F%98%80", "name=%5Etest%24&sort_key=name", "limit=1&marker=x&limit=2",
    "a=1&b&c=", "a=%00", "a=%0", "a=%0%", "a=%%0", "k=v=w;x", "%3B=%26",
]

ALPHABET = ["%", "%", "+", "&", ";", "=", "a", "Z", "0", "9", "f", "F", "g", " ", "\t", "-", "_",
            "%2", "%C3%A9", "%e", "%-", "%7", "%0", "%3B", "%26", "%3D"]
NOT_UTF8 = ["\xc3", "\xa9", "\xff", "%C3", "%A9", "%e9"]


def read(query):
    env = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "SERVER_NAME": "h", "SERVER_PORT": "80",
           "wsgi.url_scheme": "http"}
    try:
        return {"query": query, "pairs": [[k, v] for k, v in webob.Request(env).GET.items()]}
    except Exception as e:  # what webob raises, by its class
        return {"query": query, "error": type(e).__name__}


def main():
    rnd = random.Random(9)
    cases = [read(q) for q in FIXED]
    for i in range(500):
        alphabet = ALPHABET + NOT_UTF8 if i % 10 == 0 else ALPHABET
        cases.append(read("".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14)))))
    print('{"webob": %s, "cases": [' % json.dumps(version("webob")))
    print(",\n".join(json.dumps(c) for c in cases))
    print("]}")


main()
