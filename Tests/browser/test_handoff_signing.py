"""The test shop signs its handoff forms like the PHP helper: checked against ../shared/test-vectors/handoff.json."""

import json

import pytest

import stack

VECTORS = stack.REPO.parent / "shared" / "test-vectors" / "handoff.json"


def test_the_shop_signs_like_the_shared_vectors():
    for v in json.loads(VECTORS.read_text())["vectors"]:
        fields = list(v["fields"].items())
        assert stack.canonical(fields) == v["canonical"]
        assert stack.sign(fields, v["handoffSecret"]) == v["signature"]
