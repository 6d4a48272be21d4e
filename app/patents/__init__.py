"""Patents (专利) posted by university and institute tech-transfer offices."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import wiring
from app.listings import registry


def init_app(app) -> None:
    """Declare the listing kind and wire its API into ``app``."""
    from app.patents import api, form  # its own modules, loaded when the app is wired, not on import
    from app.patents.service import patents_service

    registry.register(registry.ListingKind(
        service=patents_service, name=_l("Patents"), singular=_l("patent"), owner_kind="university",
        form=form.FORM,
        facets=("ipc_section", "ipc_class", "industry", "region", "maturity", "coop_modes", "patent_type", "legal_status",
                "org_kind"),
        ranges={"price": "price"}, highlight=("title", "abstract"), price_field="price",
        facts=("patent_type", "patent_number", "legal_status", "application_date", "grant_date", "applicant", "inventors",
               "ipc", "maturity", "trl", "coop_modes", "price", "industry", "region", "keywords", "published_at"),
    ))
    wiring.register(app, apis=[api.blp])
