"""One permission policy per resource answers both "may this identity act on this object" and
"which rows / search documents may this identity find".

A policy lists, per action, *generators* (in the manner of Invenio's permission policies). Each
generator answers three questions consistently: ``allows(identity, obj)`` for one object,
``sql_filter(identity, model)`` for database queries and ``search_filter(identity)`` for the search
engine. An action is allowed when any of its generators allows it.
"""
from __future__ import annotations

from sqlalchemy import false, or_, true

from app.core.errors import PermissionDenied
from search.query import MatchAll, Or, Term


class Generator:
    """One reason an identity may act; the default grants nothing."""

    def allows(self, identity, obj) -> bool:
        return False

    def sql_filter(self, identity, model):
        return false()

    def search_filter(self, identity):
        return None


class PlatformAdmin(Generator):
    """Platform admins (and the system identity) may act on everything."""

    def allows(self, identity, obj) -> bool:
        return identity.is_platform_admin

    def sql_filter(self, identity, model):
        return true() if identity.is_platform_admin else false()

    def search_filter(self, identity):
        return MatchAll() if identity.is_platform_admin else None


class System(Generator):
    """The platform itself (CLI imports, scheduled jobs, payment webhooks), not a person."""

    def allows(self, identity, obj=None) -> bool:
        return identity.is_system


class OwnerOrg(Generator):
    """Members of the organisation that owns the object; ``admin_only`` narrows it to org admins."""

    def __init__(self, admin_only: bool = False):
        self.admin_only = admin_only

    def _applies(self, identity) -> bool:
        return identity.org_id is not None and (identity.is_org_admin or not self.admin_only)

    def allows(self, identity, obj) -> bool:
        return self._applies(identity) and obj.org_id == identity.org_id

    def sql_filter(self, identity, model):
        return model.org_id == identity.org_id if self._applies(identity) else false()

    def search_filter(self, identity):
        return Term("org_id", [identity.org_id]) if self._applies(identity) else None


class AuthenticatedOrgKind(Generator):
    """Any logged-in member of an organisation of one of ``kinds`` (used for "may create")."""

    def __init__(self, *kinds: str):
        self.kinds = set(kinds)

    def allows(self, identity, obj=None) -> bool:
        return identity.org_id is not None and identity.org_kind in self.kinds


class Authenticated(Generator):
    """Any logged-in person (not the system identity): actions on their own, not yet existing, records."""

    def allows(self, identity, obj=None) -> bool:
        return identity.user_id is not None


class Myself(Generator):
    """The user the object belongs to: ``obj.<attr>`` is the identity's user id."""

    def __init__(self, attr: str = "user_id"):
        self.attr = attr

    def allows(self, identity, obj) -> bool:
        return identity.user_id is not None and getattr(obj, self.attr) == identity.user_id

    def sql_filter(self, identity, model):
        return getattr(model, self.attr) == identity.user_id if identity.user_id is not None else false()


class OrgParty(OwnerOrg):
    """Members of the organisation named by ``obj.<attr>`` (a buyer, a seller), or by ``obj`` itself (an
    organisation id) when ``attr`` is None; ``admin_only`` narrows it to that organisation's admins."""

    def __init__(self, attr: str | None = None, admin_only: bool = False):
        super().__init__(admin_only)
        self.attr = attr

    def allows(self, identity, obj) -> bool:
        org_id = obj if self.attr is None else getattr(obj, self.attr)
        return self._applies(identity) and org_id == identity.org_id

    def sql_filter(self, identity, model):
        return getattr(model, self.attr) == identity.org_id if self._applies(identity) else false()

    def search_filter(self, identity):
        return None


class OrgMember(Generator):
    """Any logged-in member of an organisation, except of the kinds in ``excluding`` (the system identity,
    belonging to no organisation, never)."""

    def __init__(self, *, excluding: tuple[str, ...] = ()):
        self.excluding = set(excluding)

    def allows(self, identity, obj=None) -> bool:
        return identity.org_id is not None and not identity.is_system and identity.org_kind not in self.excluding


class Policy:
    """Maps action names to generator lists; subclasses declare ``can_<action>`` attributes."""

    def generators(self, action: str) -> list[Generator]:
        return getattr(self, f"can_{action}")

    def allows(self, action: str, identity, obj=None) -> bool:
        """True when any generator of ``action`` allows ``identity`` on ``obj``."""
        return any(g.allows(identity, obj) for g in self.generators(action))

    def require(self, action: str, identity, obj=None, message: str | None = None) -> None:
        """Raise :class:`PermissionDenied` unless ``identity`` may ``action`` ``obj``."""
        if not self.allows(action, identity, obj):
            raise PermissionDenied(message or f"you may not {action.replace('_', ' ')}")

    def sql_filter(self, action: str, identity, model):
        """A WHERE clause selecting the rows of ``model`` ``identity`` may ``action``."""
        return or_(*[g.sql_filter(identity, model) for g in self.generators(action)])

    def search_filter(self, action: str, identity):
        """A search filter selecting the documents ``identity`` may ``action`` (never None)."""
        parts = [f for f in (g.search_filter(identity) for g in self.generators(action)) if f is not None]
        if not parts:
            return Term("id", [])  # matches nothing
        return parts[0] if len(parts) == 1 else Or(*parts)


class PlatformPolicy(Policy):
    """What the platform's own staff may do beyond any one resource: act as the ``admin`` party of every workflow,
    list every subject, use the admin-only endpoints."""

    can_administer = [PlatformAdmin()]


platform_policy = PlatformPolicy()
