"""Members of an organisation: its admins add colleagues by e-mail (new people get an invitation link to set
their password), change their roles and remove them."""
from __future__ import annotations

from app.core import wiring


def init_app(app) -> None:
    """Wire pages and API into ``app``."""
    from app.members import api, views  # its own modules, loaded when the app is wired, not on import

    wiring.register(app, views=[views.bp], apis=[api.blp])
    app.extensions.setdefault("account_sections", []).append(views.section)  # the members list on /account
