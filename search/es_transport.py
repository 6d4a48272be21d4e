"""A transport node that sends plain ``application/json`` for OpenSearch-compatible peers.

The ``elasticsearch`` 9 client always rewrites Accept/Content-Type to
``application/vnd.elasticsearch+json; compatible-with=9``, which OpenSearch-style servers (osmem-server in
our tests) answer with 406. Turned on by ``ELASTICSEARCH_PLAIN_JSON``; real Elasticsearch keeps the default.
"""
from __future__ import annotations

import re

from elastic_transport import HttpHeaders, Urllib3HttpNode

_VENDOR_MIMETYPE = re.compile(r"application/vnd\.elasticsearch\+([\w-]+); compatible-with=\d+")


class PlainJsonNode(Urllib3HttpNode):
    """``Urllib3HttpNode`` with the vendor media types turned back into plain ones."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = HttpHeaders({name: _VENDOR_MIMETYPE.sub(r"application/\1", value) for name, value in headers.items()})
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)
