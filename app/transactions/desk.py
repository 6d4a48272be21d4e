"""The platform admins' desk across paid workflows: each workflow domain registers its service in its
``init_app``, and the desk lists every subject waiting on an admin's decision, whatever its kind."""
from __future__ import annotations

_services: dict = {}


def register(service) -> None:
    """List ``service``'s disputes on the desk (``service.subject_label`` names them, ``link`` opens them)."""
    _services[service.link_prefix] = service


def disputes(identity, per_page: int = 100) -> list[tuple]:
    """``(service, subject)`` for every disputed subject of every registered workflow, oldest kind first."""
    waiting = []
    for service in _services.values():
        rows, _total = service.list(identity, statuses=["disputed"], everyone=True, per_page=per_page)
        waiting.extend((service, row) for row in rows)
    return waiting
