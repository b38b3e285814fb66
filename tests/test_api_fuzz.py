"""Property-based fuzzing of the HTTP API from its own OpenAPI spec (schemathesis), over real
HTTP on loopback: every operation, with requests the spec allows and requests it forbids, must
be answered without a server error. Bounded (a few hundred requests) so it runs in CI.

Skipped where schemathesis is not installed (``pip install schemathesis==4.32.5``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from flashpoint.api import create_app
from flashpoint.api.server import background
from flashpoint.config import Settings
from flashpoint.dedup import link_and_cluster
from flashpoint.pipeline import Pipeline
from flashpoint.store import open_store
from tests.conftest import EXAMPLE, need

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis==4.32.5")

EXAMPLES = 12  # per operation and per mode: 12 operations x 2 modes x 12 = under 300 requests
KYIV = (
    "Russian forces launched a wave of drones at energy facilities in the Kyiv region overnight "
    "on Sunday, killing two people and injuring five others, Ukraine's air force said on Monday."
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pipeline = Pipeline(Settings.from_env(coder=False))  # API robustness, not coding quality
    extractions = [
        o.extraction for o in pipeline.run([str(need(EXAMPLE))]) if o.extraction is not None
    ]
    extractions.append(pipeline.extract_text(KYIV, published="2024-03-11",
                                             url="https://example.org/kyiv"))
    db = tmp_path_factory.mktemp("fuzz") / "events.db"
    with open_store(db) as store, store.transaction():
        store.add(extractions)
        link_and_cluster(store, [ex.article.id for ex in extractions])
    with background(create_app(db, allow_edits=True)) as url:
        yield url


def test_no_request_makes_a_server_error(base: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    for operation in operations:
        for mode in schemathesis.GenerationMode:

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def probe(case: Any) -> None:
                response = case.call(timeout=10)
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    errors.append(f"{response.status_code} {case.method} {case.formatted_path} "
                                  f"query={case.query} body={case.body!r}")

            try:
                probe()
            except Unsatisfiable:  # nothing to break: e.g. no parameter to give a wrong value
                assert mode is schemathesis.GenerationMode.NEGATIVE
    assert not errors, "\n".join(errors[:20])
    assert sum(statuses.values()) >= 100 and statuses[200] > 0 and statuses[400] > 0, statuses
