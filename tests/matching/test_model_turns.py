"""The model runs one call at a time: a request's query goes before the next chunk of background vector work
(a back-fill or the vectors after an import), so it waits for one small chunk, not for a whole batch."""
from __future__ import annotations

import threading
import time

import numpy as np

from app.matching import embeddings
from app.matching.query import SemanticQuery


class _HeldModel:
    """A stand-in model that records its calls and holds the first one until released."""

    def __init__(self):
        self.calls, self.release, self.entered = [], threading.Event(), threading.Event()

    def query(self, texts):
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(10)
        return np.ones((len(texts), 384), dtype=np.float32)


def _waiting_requests() -> int:
    return embeddings._turns._requests_waiting


def test_a_request_goes_before_the_rest_of_a_back_fill(monkeypatch):
    model = _HeldModel()
    monkeypatch.setattr(embeddings, "_model", lambda: model)
    titles = [f"标题{i}" for i in range(3 * embeddings.BACKGROUND_CHUNK)]
    back_fill = threading.Thread(target=embeddings.embed_listings, args=(titles,))
    back_fill.start()
    assert model.entered.wait(10)  # the back-fill's first chunk is in the model
    answered = []
    request = threading.Thread(target=lambda: answered.append(embeddings._model_vectors([SemanticQuery("query", "石墨烯导热膜")])))
    request.start()
    deadline = time.monotonic() + 10
    while _waiting_requests() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    model.release.set()
    request.join(10)
    back_fill.join(10)
    chunk = embeddings.BACKGROUND_CHUNK
    assert model.calls == [titles[:chunk], ["石墨烯导热膜"], titles[chunk:2 * chunk], titles[2 * chunk:]]
    assert len(answered[0]) == 1 and _waiting_requests() == 0


def test_background_vectors_are_the_models_whatever_the_chunks():
    titles = [f"一种锂电池隔膜的涂覆方法{i}" for i in range(embeddings.BACKGROUND_CHUNK + 3)]
    chunked = embeddings.embed_listings(titles)
    alone = np.stack([embeddings._model_vectors([SemanticQuery("query", t)])[0] for t in titles])
    assert chunked.shape == (len(titles), 384)
    assert np.allclose(chunked, alone, atol=1e-5)


def test_mixed_kinds_come_back_in_their_order_and_passages_go_one_by_one_in_the_background(monkeypatch):
    calls = []

    class Recorder:
        def query(self, texts):
            calls.append(("query", list(texts)))
            return np.full((len(texts), 384), 1.0, dtype=np.float32)

        def passage(self, texts):
            calls.append(("passage", list(texts)))
            return np.full((len(texts), 384), 2.0, dtype=np.float32)

    monkeypatch.setattr(embeddings, "_model", Recorder)
    queries = [SemanticQuery("passage", "需求全文一"), SemanticQuery("query", "标题"), SemanticQuery("passage", "需求全文二")]
    vectors = embeddings._model_vectors(queries, background=True)
    assert [float(v[0]) for v in vectors] == [2.0, 1.0, 2.0]
    assert calls == [("passage", ["需求全文一"]), ("passage", ["需求全文二"]), ("query", ["标题"])]
