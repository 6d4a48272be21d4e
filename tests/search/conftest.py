"""Search fixtures: both engines behind one parametrised ``engine`` fixture.

Elasticsearch runs against osmem-server (an in-memory OpenSearch-compatible server from PyPI) started on
127.0.0.1 for the session; in CI this must run, never skip.
"""
from __future__ import annotations

import uuid

import pytest
from osmem_server import OsmemServer

from search.engines.es_engine import ElasticsearchEngine
from search.engines.tantivy_engine import TantivyEngine


@pytest.fixture(scope="session")
def osmem():
    """One osmem-server for the session (writable base; each test uses its own index prefix)."""
    server = OsmemServer.start(seed=[], freeze=False)
    yield server
    server.close()


@pytest.fixture(params=["tantivy", "elasticsearch"])
def engine(request, tmp_path):
    """A fresh, empty engine of each kind."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    if request.param == "tantivy":
        built = TantivyEngine(str(tmp_path / "index"), prefix=prefix)
    else:
        built = ElasticsearchEngine(request.getfixturevalue("osmem").url, prefix=prefix, plain_json=True)
    built.ensure_indexes()
    yield built
    built.drop_all()

