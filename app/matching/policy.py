"""Who may save searches and see or delete saved searches: each person their own."""
from __future__ import annotations

from app.core.permissions import Authenticated, Myself, Policy


class SavedSearchPolicy(Policy):
    """A logged-in person saves searches (``create``, ``list``) and sees and deletes only their own."""

    can_create = [Authenticated()]
    can_list = [Authenticated()]
    can_read = [Myself()]
    can_delete = [Myself()]


saved_search_policy = SavedSearchPolicy()
