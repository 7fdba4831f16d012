#!/usr/bin/env python3
"""Fills a running server with live state for the memory scenario of scripts/bench.sh.

    bench_state.py BASE_URL EMAIL PASSWORD COUNT

Signs the account in COUNT times in session mode (COUNT live sessions) and COUNT times through
the token endpoint (COUNT refresh families), then uses every credential once, so whatever the
server remembers per credential is held too. Four workers, each one connection; prints a JSON
summary. Through the public API only: each login costs a real argon2id verification.
"""
import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

base, email, password, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host = urlsplit(base)
local = threading.local()


def conn():
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    return local.c


def call(method, path, body=None, headers=None):
    c = conn()
    h = {"content-type": "application/json"} if body is not None else {}
    h.update(headers or {})
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, r.getheader("set-cookie") or "", r.msg.get_all("set-cookie") or [], data


def session(_):
    status, _, cookies, _ = call("POST", "/api/auth/login", {"email": email, "password": password, "mode": "session"})
    sid = next((c.split(";")[0] for c in cookies if c.startswith("__Host-sid=")), None)
    if status != 200 or not sid:
        return False
    return call("GET", "/api/me", headers={"cookie": sid})[0] == 200


def family(_):
    status, _, _, data = call("POST", "/api/auth/token", {"email": email, "password": password})
    if status != 200:
        return False
    token = json.loads(data)["access_token"]
    return call("GET", "/api/me", headers={"authorization": f"Bearer {token}"})[0] == 200


started = time.monotonic()
with ThreadPoolExecutor(4) as pool:
    sessions = sum(pool.map(session, range(count)))
    families = sum(pool.map(family, range(count)))
print(json.dumps({"sessions": sessions, "families": families, "seconds": round(time.monotonic() - started, 1)}))
sys.exit(0 if sessions == count and families == count else 1)
