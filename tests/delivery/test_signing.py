"""The webhook signature: GitHub's scheme, so receivers' existing checks apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossgrowth.delivery.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature,
    signed_headers,
    verify,
)

# GitHub's documented example for X-Hub-Signature-256 (validating webhook deliveries)
GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signature_matches_githubs_published_example() -> None:
    assert signature(GITHUB_SECRET, GITHUB_BODY) == GITHUB_SIGNATURE


def test_verify_accepts_the_signature_of_the_exact_body() -> None:
    assert verify(GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE)
    assert verify(GITHUB_SECRET, GITHUB_BODY, f" {GITHUB_SIGNATURE}\r\n")


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("another secret", GITHUB_BODY, GITHUB_SIGNATURE),
        (GITHUB_SECRET, b"Hello, World?", GITHUB_SIGNATURE),
        (GITHUB_SECRET, b'{"a": 1}', signature(GITHUB_SECRET, b'{"a":1}')),  # re-serialised
        (GITHUB_SECRET, GITHUB_BODY, None),
        (GITHUB_SECRET, GITHUB_BODY, ""),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE.removeprefix("sha256=")),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE.replace("sha256=", "sha1=")),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE[:-1]),
        (GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE + "0"),
        (GITHUB_SECRET, GITHUB_BODY, "sha256=é"),
    ],
)
def test_verify_refuses_anything_else(secret: str, body: bytes, header: str | None) -> None:
    assert not verify(secret, body, header)


def test_signed_headers_carry_the_delivery_id_the_event_and_the_signature() -> None:
    body = b'{"delivery_id":"d-1"}'
    headers = signed_headers(body=body, delivery_id="d-1", event="milestone", secret="s3cret")
    assert headers == {
        DELIVERY_HEADER: "d-1",
        EVENT_HEADER: "milestone",
        SIGNATURE_HEADER: signature("s3cret", body),
    }
    assert "s3cret" not in "".join(headers.values())


def test_a_rule_without_a_secret_sends_no_signature() -> None:
    headers = signed_headers(body=b"{}", delivery_id="d-2", event="spike", secret=None)
    assert SIGNATURE_HEADER not in headers
    assert headers[DELIVERY_HEADER] == "d-2"


def test_the_check_docs_alerts_md_gives_receivers_works() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text()
    delivery = page[page.index("## Delivery") :]
    snippet = delivery.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(snippet, "docs/alerts.md", "exec"), namespace)
    documented = namespace["verify"]
    assert callable(documented)
    assert documented(GITHUB_SECRET, GITHUB_BODY, GITHUB_SIGNATURE)
    assert not documented(GITHUB_SECRET, GITHUB_BODY + b" ", GITHUB_SIGNATURE)
    assert not documented(GITHUB_SECRET, GITHUB_BODY, None)
