"""Locale selection: the logged-in user's stored language, then the visitor's choice (session or ``?lang=``),
then Accept-Language. An API client's Accept-Language comes first (a script asks for the language it parses).
Chinese (zh_CN) is the default of pages. Outside a request (commands, scripts, services
called directly) messages are English, as the command line and logs always were; mail and notifications pick the
recipient's language themselves (``force_locale``)."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    """Return the locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return "en"
    if request.path.startswith("/api/") and request.accept_languages:
        return _from_header()
    # Switching language stores it on the user (app/web/views.py), so their choice follows them to every browser.
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale") or request.args.get("lang")
    if chosen in languages:
        return chosen
    return _from_header()


def _from_header() -> str:
    """The language Accept-Language prefers: English, or the default."""
    if request.accept_languages.best_match(["zh_CN", "zh", "en"]) == "en":
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
