"""Technology demands (技术需求) posted by enterprises."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Declare the listing kind and wire its API into ``app``."""
    from app.demands import api, form  # its own modules, loaded when the app is wired, not on import
    from app.demands.service import demands_service

    registry.register(registry.ListingKind(
        service=demands_service, name=_l("Technology demands"), singular=_l("technology demand"), owner_kind="enterprise",
        form=form.FORM,
        facets=("industry", "region", "required_maturity", "coop_modes", "org_kind"),
        ranges={"budget": "budget_max"}, highlight=("title", "description"), price_field="budget_max",
        facts=("required_maturity", "coop_modes", "budget", "valid_until", "ipc", "industry", "region", "needs_pilot",
               "needs_inspection", "keywords", "published_at"),
    ))
    wiring.register(app, apis=[api.blp])
