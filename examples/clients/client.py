#!/usr/bin/env python3
"""Write and read points with the Python standard library only."""
import json
import os
import time
import urllib.request

URL = os.environ.get("KAIROSDB_URL", "http://localhost:8080")


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req) as resp:
        text = resp.read().decode()
        return json.loads(text) if text else None


now = int(time.time() * 1000)
call("/api/v1/datapoints", [{"name": "example.py", "tags": {"host": "a"},
                             "datapoints": [[now - 1000, 1], [now, 2]]}])
print(call("/api/v1/version"))
result = call("/api/v1/datapoints/query", {
    "start_relative": {"value": 5, "unit": "minutes"},
    "metrics": [{"name": "example.py"}],
})
for r in result["queries"][0]["results"]:
    print(r["name"], r["tags"], r["values"])
