"""The test shop signs its handoff forms like the PHP helper: checked against ../shared/test-vectors/handoff.json."""

import hashlib
import hmac
import json

import pytest

import stack

VECTORS = stack.REPO.parent / "shared" / "test-vectors" / "handoff.json"
SHIPPING = stack.REPO / "Tests" / "vectors" / "handoff-shipping.json"


@pytest.mark.parametrize("path", [VECTORS, SHIPPING], ids=["handoff", "shipping"])
def test_the_shop_signs_like_the_shared_vectors(path):
    for v in json.loads(path.read_text())["vectors"]:
        fields = list(v["fields"].items())
        assert stack.canonical(fields) == v["canonical"]
        assert stack.sign(fields, v["handoffSecret"]) == v["signature"]


MESSAGES = stack.REPO / "Tests" / "vectors" / "messages.json"


def message_key(kind: str, secret: str) -> str:
    """The responder's per-kind key: hex HMAC-SHA256 of "linepay-fcgi <kind> v1" under the handoff secret."""
    return hmac.new(secret.encode(), f"linepay-fcgi {kind} v1".encode(), hashlib.sha256).hexdigest()


def test_return_links_and_notifications_sign_like_the_vectors_and_never_as_each_other():
    vectors = json.loads(MESSAGES.read_text())["vectors"]
    assert {v["kind"] for v in vectors} == {"return", "notification"}
    for v in vectors:
        fields = list(v["fields"].items())
        key = message_key(v["kind"], v["handoffSecret"])
        assert key == v["key"]
        assert stack.canonical(fields) == v["canonical"]
        assert stack.sign(fields, key) == v["signature"]
        other = "notification" if v["kind"] == "return" else "return"
        assert stack.sign(fields, message_key(other, v["handoffSecret"])) != v["signature"]
        assert stack.sign(fields, v["handoffSecret"]) != v["signature"]   # nor a handoff
