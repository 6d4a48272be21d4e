"""Who is acting: a small immutable value services and permission policies reason about."""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user


@dataclass(frozen=True)
class Identity:
    """The acting user with their organisation and role; anonymous and system identities included."""

    user_id: int | None = None
    org_id: int | None = None
    org_kind: str | None = None
    role: str | None = None
    org_verified: bool = False
    is_system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.is_system

    @property
    def is_platform_admin(self) -> bool:
        return self.is_system or self.role == "platform_admin"

    @property
    def is_org_admin(self) -> bool:
        return self.role in ("org_admin", "platform_admin")

    @classmethod
    def anonymous(cls) -> Identity:
        return cls()

    @classmethod
    def system(cls) -> Identity:
        """The platform itself (CLI imports, scheduled jobs, payment webhooks)."""
        return cls(is_system=True, role="platform_admin", org_verified=True)

    @classmethod
    def of(cls, user) -> Identity:
        """Identity of a ``User`` row (or anonymous for ``None``)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return cls.anonymous()
        org = user.organisation
        return cls(
            user_id=user.id,
            org_id=org.id if org else None,
            org_kind=org.kind.value if org else None,
            role=user.role.value,
            org_verified=bool(org and org.is_verified),
        )


def current_identity() -> Identity:
    """Identity of the request's logged-in user (session or API token)."""
    return Identity.of(current_user)
