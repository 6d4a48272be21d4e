"""Who may see, pay, refund and release payments, see balances and run the payout desk."""
from __future__ import annotations

from app.core.permissions import OrgParty, PlatformAdmin, Policy

BUYER = OrgParty("buyer_org_id")
SELLER = OrgParty("seller_org_id")


class PaymentPolicy(Policy):
    """The buyer pays (and confirms delivery by releasing the money), the seller refunds; both see the payment;
    platform admins (and the system, deciding disputes) see, refresh, refund and release everything and alone
    record payouts and connected accounts and reverse released payments. Actions apply to a payment or to its
    payable (deal, order): both carry the buyer's and the seller's organisation."""

    can_read = [BUYER, SELLER, PlatformAdmin()]
    can_pay = [BUYER]
    can_sync = [BUYER, PlatformAdmin()]
    can_refund = [SELLER, PlatformAdmin()]
    can_release = [BUYER, PlatformAdmin()]
    can_read_balances = [OrgParty(), PlatformAdmin()]  # ``obj`` is the organisation's id
    can_manage_payouts = [PlatformAdmin()]
    can_reverse = [PlatformAdmin()]  # the dispute desk takes a released payment back


payment_policy = PaymentPolicy()
