"""Service offers: pilot-scale (中试) lines and inspection/testing (检验检测) labs."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Declare the listing kind and wire its API into ``app``."""
    from app.service_offers import api, form  # its own modules, loaded when the app is wired, not on import
    from app.service_offers.service import service_offers_service

    registry.register(registry.ListingKind(
        service=service_offers_service, name=_l("Service offers"), singular=_l("service offer"), owner_kind="service_provider",
        form=form.FORM,
        facets=("kind", "region", "industries", "org_kind"),
        ranges={"price": "price_from"}, highlight=("title", "description"), price_field="price_from",
        facts=("kind", "capabilities", "equipment", "qualifications", "capacity", "lead_time_days", "price_basis",
               "price_from", "industries", "region", "keywords", "published_at"),
    ))
    wiring.register(app, apis=[api.blp])
