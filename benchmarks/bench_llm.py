"""Wall time of the model engine for 50 reports against a local fake endpoint.

    python benchmarks/bench_llm.py [--delay 0.05] [--reports 50]

tests/openai_server.py answers every request after a fixed delay (standing in
for model latency) with an empty but valid hand-written answer, so the
figures measure the engine's plumbing and concurrency — not a model, and not
any accuracy. Runs: concurrency 1 and 16 without cache, then a run at 16 that
fills a fresh cache and a second one that must make no request.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from openai_server import ChatRequest, OpenAIServer, Reply, schema_title  # noqa: E402

from extractor.llm import LlmSettings, ModelEngine  # noqa: E402
from extractor.loading import load  # noqa: E402
from extractor.meta import detect_meta  # noqa: E402
from extractor.sections import split_sections  # noqa: E402

EMPTY = {"MetaAnswer": {"kind": "annual_report"}, "ApplicationsAnswer": {"rows": []}, "ReviewAnswer": {"groups": []},
         "ClaimsAnswer": {"claims": [], "figures": []}, "Pre2019Answer": {"items": []}}


def answer(request: ChatRequest) -> Reply:
    title = schema_title(request.body) or ""
    return Reply.answer(EMPTY.get(title, {"rows": []}))


def reports(n: int) -> list[tuple]:
    files = sorted((ROOT / "eval" / "reports").iterdir())
    out = []
    for path in (files * (n // len(files) + 1))[:n]:
        doc = load(path)
        sections = split_sections(doc.text)
        out.append((doc, sections, detect_meta(doc, sections)))
    return out


async def run(inputs: list[tuple], settings: LlmSettings) -> tuple[float, int, int]:
    start = time.perf_counter()
    async with ModelEngine(settings) as engine:
        results = await asyncio.gather(*(engine.read(doc, secs, meta) for doc, secs, meta in inputs))
    wall = time.perf_counter() - start
    failures = [f for _, info in results for f in info.failures]
    unexpected = [f for f in failures if "missing from the answer" not in f]
    if unexpected:  # an empty table answer leaves the printed rows out: that failure is expected (and cached)
        raise SystemExit(f"{len(unexpected)} section failure(s), the benchmark is not measuring what it says: {unexpected[:3]}")
    return wall, sum(info.requests for _, info in results), sum(info.cache_hits for _, info in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake endpoint waits per request")
    parser.add_argument("--reports", type=int, default=50)
    args = parser.parse_args()
    inputs = reports(args.reports)
    with OpenAIServer(answer, delay=args.delay) as server, tempfile.TemporaryDirectory() as tmp:
        base = LlmSettings(model="bench", base_url=server.url, api_key="bench", mode="json_schema", http_retries=0,
                           max_retries=0)
        print(f"{len(inputs)} reports, fake endpoint delay {args.delay * 1000:.0f} ms per request")
        print(f"{'run':<32}{'wall s':>8}{'requests':>10}{'cache hits':>12}")
        rows = [
            ("concurrency 1, no cache", base.model_copy(update={"concurrency": 1, "use_cache": False})),
            ("concurrency 16, no cache", base.model_copy(update={"concurrency": 16, "use_cache": False})),
            ("concurrency 16, cold cache", base.model_copy(update={"concurrency": 16, "cache_dir": Path(tmp)})),
            ("concurrency 16, warm cache", base.model_copy(update={"concurrency": 16, "cache_dir": Path(tmp)})),
        ]
        for name, settings in rows:
            wall, requests, hits = asyncio.run(run(inputs, settings))
            print(f"{name:<32}{wall:>8.2f}{requests:>10}{hits:>12}")


if __name__ == "__main__":
    main()
