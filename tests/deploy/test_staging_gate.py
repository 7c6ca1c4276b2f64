"""Staging's CloudFront Function, run in Node.js as CloudFront would run it: the source the
stack deploys (``gate_code``), a stand-in for the ``cloudfront`` module's KeyValueStore, and
viewer-request events of CloudFront's shape.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ossgrowth_stack.staging_gate import CREDENTIALS_KEY, gate_code

STORE_ID = "kvs-0123456789abcdef"
USER = "ossgrowth"
PASSWORD = "correct horse battery staple"
# a stand-in for CloudFront's module: kvs(id).get(key) answers from a map the runner sets,
# and throws for a missing key, as the real store does
CLOUDFRONT_MODULE = """
export default {
  kvs(id) {
    globalThis.openedStores.push(id);
    return {
      async get(key) {
        if (!(key in globalThis.storeContents)) throw new Error(`key not found: ${key}`);
        return globalThis.storeContents[key];
      },
    };
  },
};
"""
RUNNER = """
const cases = JSON.parse(process.argv[2]);
globalThis.openedStores = [];
globalThis.storeContents = {};
const { handler } = await import('./gate.mjs');
const results = [];
for (const { store, event } of cases) {
  globalThis.storeContents = store;
  results.push(await handler(event));
}
console.log(JSON.stringify({ openedStores: globalThis.openedStores, results }));
"""


def digest(user: str, password: str) -> str:
    return hashlib.sha256(f"{user}:{password}".encode()).hexdigest()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def viewer_request(uri: str, authorization: str | None = None) -> dict[str, Any]:
    headers = {"host": {"value": "d111111abcdef8.cloudfront.net"}}
    if authorization is not None:
        headers["authorization"] = {"value": authorization}
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": headers},
    }


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the staging gate in Node.js, but node is not installed")
        pytest.skip("Node.js is not installed (the staging gate is JavaScript)")
    return found


def run_gate(tmp_path: Path, cases: list[tuple[dict[str, str], dict[str, Any]]]) -> Any:
    module = tmp_path / "node_modules" / "cloudfront"
    module.mkdir(parents=True)
    (module / "package.json").write_text('{"name": "cloudfront", "type": "module"}')
    (module / "index.js").write_text(CLOUDFRONT_MODULE)
    (tmp_path / "gate.mjs").write_text(gate_code(STORE_ID) + "\nexport { handler };\n")
    (tmp_path / "run.mjs").write_text(RUNNER)
    payload = json.dumps([{"store": store, "event": event} for store, event in cases])
    finished = subprocess.run(
        [node(), "run.mjs", payload],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


STORED = {CREDENTIALS_KEY: digest(USER, PASSWORD)}
CASES: dict[str, tuple[dict[str, str], dict[str, Any], bool]] = {
    "right user and password": (STORED, viewer_request("/", basic(USER, PASSWORD)), True),
    "right credentials on the API": (
        STORED,
        viewer_request("/api/v1/repos", basic(USER, PASSWORD)),
        True,
    ),
    "no credentials": (STORED, viewer_request("/"), False),
    "wrong password": (STORED, viewer_request("/", basic(USER, PASSWORD + "!")), False),
    "wrong user": (STORED, viewer_request("/", basic("admin", PASSWORD)), False),
    "the stored hash itself as password": (
        STORED,
        viewer_request("/", basic(USER, STORED[CREDENTIALS_KEY])),
        False,
    ),
    "no hash stored yet": ({}, viewer_request("/", basic(USER, PASSWORD)), False),
    "credentials that are not base64": (STORED, viewer_request("/", "Basic %%%"), False),
    "a scheme alone": (STORED, viewer_request("/", "Basic"), False),
    "health without credentials": (STORED, viewer_request("/health"), True),
    "ready without credentials": (STORED, viewer_request("/ready"), False),
    "a bearer token to the API": (STORED, viewer_request("/api/v1/runs", "Bearer t0ken"), True),
    "a bearer token to the dashboard": (STORED, viewer_request("/", "Bearer t0ken"), False),
    "a bearer token to the docs": (STORED, viewer_request("/docs", "Bearer t0ken"), False),
    "a hash stored in capitals": (
        {CREDENTIALS_KEY: digest(USER, PASSWORD).upper()},
        viewer_request("/", basic(USER, PASSWORD)),
        True,
    ),
    "a password beyond ASCII": (
        {CREDENTIALS_KEY: digest(USER, "pässwörd-日本")},
        viewer_request("/", basic(USER, "pässwörd-日本")),
        True,
    ),
    "a lowercase scheme": (
        STORED,
        viewer_request("/", basic(USER, PASSWORD).replace("Basic", "basic")),
        True,
    ),
}


def test_the_gate_lets_in_only_the_stored_credentials_and_the_open_paths(tmp_path: Path) -> None:
    answer = run_gate(tmp_path, [(store, event) for store, event, _ in CASES.values()])
    assert answer["openedStores"] == [STORE_ID]
    for (name, (_, event, allowed)), result in zip(CASES.items(), answer["results"], strict=True):
        if allowed:
            assert result == event["request"], name  # passed on unchanged
        else:
            assert result["statusCode"] == 401, name
            assert result["headers"]["www-authenticate"]["value"].startswith("Basic realm="), name
            assert result["headers"]["cache-control"]["value"] == "no-store", name


def test_the_deployed_source_names_its_store_and_key_and_nothing_secret() -> None:
    source = gate_code("STORE-ID")
    assert "cf.kvs('STORE-ID')" in source
    assert f"'{CREDENTIALS_KEY}'" in source
    assert "__" not in source  # every slot filled
    assert len(source.encode()) < 10 * 1024  # CloudFront Functions' code size limit
