"""pytest-recording settings for tests that replay HTTP cassettes (the model engine's).

Only tests marked ``@pytest.mark.vcr`` use any of this; nothing else needs it.

- Cassettes live in ``cassettes/<test module>/<test>.yaml`` at the repository root.
- Matched on method, path and body (every chat request is POST /v1/chat/completions,
  so without the body, sections would be matched by order). The body matcher ignores
  the ``model`` field, so a cassette re-recorded against a real model replays with any
  model name.
- Credentials and machine-specific headers are filtered out before anything is written.
- No ``record_mode`` here: it would override ``--record-mode=none`` on the command line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]
NOISY_HEADERS = ["host", "user-agent", "date", "server", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime",
                 "x-stainless-runtime-version", "x-stainless-package-version", "x-stainless-lang",
                 "x-stainless-async", "x-stainless-retry-count", "x-stainless-read-timeout", "x-stainless-timeout"]


def _json_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        data = json.loads(body or "null")
    except ValueError:
        return body
    if isinstance(data, dict):
        data.pop("model", None)
    return data


def llm_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: equal JSON bodies, ignoring the model name."""
    if _json_body(r1) != _json_body(r2):
        raise AssertionError("request bodies differ")


HAND_WRITTEN_NOTE = (
    "# HAND-WRITTEN responses, NOT recorded from a model: tests/openai_server.py served answers written by hand\n"
    "# in tests/test_llm_cassettes.py and tests/llm_answers.py. See cassettes/README.md.\n"
)


class UnicodeYaml:
    """Cassettes as readable YAML: Chinese kept as is (vcrpy's default escapes it), same safe loader."""

    @staticmethod
    def serialize(cassette_dict: dict) -> str:
        from vcr.serializers.yamlserializer import _CassetteDumper

        text = yaml.dump(cassette_dict, Dumper=_CassetteDumper, allow_unicode=True, width=200)
        if any("x-hand-written" in {k.lower() for k in i["response"].get("headers", {})} for i in cassette_dict["interactions"]):
            text = HAND_WRITTEN_NOTE + text
        return text

    @staticmethod
    def deserialize(text: str) -> dict:
        from vcr.serializers.yamlserializer import deserialize

        return deserialize(text)


def _neutral_request(request: Any) -> Any:
    """Record the path only: the endpoint a cassette was made against is nobody's business."""
    from urllib.parse import urlsplit

    parts = urlsplit(request.uri)
    request.uri = f"https://model-endpoint.invalid{parts.path}"
    return request


def _quiet_response(response: dict) -> dict:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in {"date", "server", "set-cookie", "x-request-id", "openai-organization", "openai-project"}:
            headers.pop(name)
    return response


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    vcr.register_matcher("llm_body", llm_body)
    vcr.register_serializer("yaml", UnicodeYaml())  # same name: files stay *.yaml


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SECRET_HEADERS + NOISY_HEADERS,
        "match_on": ["method", "path", "llm_body"],
        "decode_compressed_response": True,
        "before_record_request": _neutral_request,
        "before_record_response": _quiet_response,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / Path(str(request.node.fspath)).stem)


# Property tests (hypothesis): explore freshly on developers' machines, but replay one fixed
# sequence of examples in CI, so a red CI always means a change broke something.
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    _hypothesis_settings.load_profile("ci")


# The eval gate (`-m evalset`, see pyproject.toml): a test parametrized over the eval set's reports (a
# parameter that is a manifest entry or a report id) is part of it even without the explicit marker, so
# the unit tests stay independent of what eval/ holds as reports are added.
@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import evalset

    report_ids = set(evalset.IDS)
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        values = [v.get("id") if isinstance(v, dict) else v for v in params.values()]
        if any(isinstance(v, str) and v in report_ids for v in values):
            item.add_marker(pytest.mark.evalset)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The OpenAI SDK backs off 0.5 s, 1 s, 2 s … (with jitter) between HTTP retries of its own; a test of what is
    retried need not wait that long. ``Retry-After`` from a server is still honoured as sent."""
    import openai._base_client as sdk

    monkeypatch.setattr(sdk, "INITIAL_RETRY_DELAY", 0.01)
