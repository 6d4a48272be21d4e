"""Sale pages: ``/auctions`` (挂牌 listings and auctions), the auction room (polls a small JSON endpoint),
``/open-licences`` with the one-step licence checkout, putting a patent up, and the admin desk's objections."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.identity import current_identity
from app.core.input import form_data
from app.listings.models import ListingStatus
from app.patents.models import Patent
from app.payments import service as payments
from app.sales.actions import participant_of
from app.sales.models import OpenLicenceTaken, SaleKind
from app.sales.service import licences_of_patent, running_sale_of, sales_service
from app.transactions.pages import PAYMENT_LABELS

bp = Blueprint("sales", __name__)
PER_PAGE = 30
KIND_LABELS = {"listing": _l("Fixed-price listing (挂牌)"), "auction": _l("Auction (竞价)"),
               "open_licence": _l("Open licence (开放许可)")}
ROLE_LABELS = {"buyer": _l("Not registered"), "interested": _l("Interest registered"),
               "bidder": _l("Registered bidder (deposit held)"), "seller": _l("Seller"), "admin": _l("Platform admin")}


@bp.app_context_processor
def patent_page_helpers():
    """For the patent page: ``open_licences_taken(patent_id)`` and ``running_sale_of(patent_id)``."""
    return {"open_licences_taken": licences_of_patent, "running_sale_of": running_sale_of}


def _list(kinds: tuple[str, ...], template: str):
    identity = current_identity()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found, total = sales_service.list(identity, kinds=kinds, page=page, per_page=PER_PAGE)
    rows = [sales_service.view(identity, sale) for sale in found]
    return render_template(template, rows=rows, total=total, kind_labels=KIND_LABELS, page=page,
                           more=total > page * PER_PAGE)


@bp.route("/auctions")
def index():
    """Running 挂牌 listings and auctions, those ending soonest first."""
    return _list(("auction", "listing"), "sales/index.html")


@bp.route("/open-licences")
def open_licences():
    """Open licences on offer, with how many were taken."""
    return _list(("open_licence",), "sales/open_licences.html")


def render_sale(sale_id: int, errors: dict | None = None, failed: str | None = None, code: int = 200):
    """The auction room, the listing page or the open-licence checkout of one sale."""
    identity = current_identity()
    sale = sales_service.view(identity, sales_service.get(identity, sale_id))
    template = "sales/licence.html" if sale.kind == SaleKind.open_licence else "sales/room.html"
    mine = participant_of(sale, identity.org_id)
    taken = db.session.scalars(select(OpenLicenceTaken).where(
        OpenLicenceTaken.sale_id == sale.id, OpenLicenceTaken.org_id == identity.org_id)).all() if identity.org_id else []
    return render_template(template, sale=sale, errors=errors or {}, failed=failed, form=request.form,
                           kind_labels=KIND_LABELS, role_labels=ROLE_LABELS, taken=taken, payment_labels=PAYMENT_LABELS,
                           deposit=payments.payment_of(mine) if mine and mine.registered_at else None), code


@bp.route("/auctions/<int:sale_id>")
@bp.route("/open-licences/<int:sale_id>", endpoint="licence")
def item(sale_id):
    """One sale's page (anyone may look)."""
    return render_sale(sale_id)


@bp.route("/auctions/<int:sale_id>/actions/<action>", methods=["POST"])
@login_required
def run_action(sale_id, action):
    """Run one action from its form; bad input re-renders the page with the message next to the field (422)."""
    identity = current_identity()
    try:
        sale = sales_service.execute_action(identity, sale_id, action, form_data(request.form, request.files))
    except ValidationFailed as error:
        return render_sale(sale_id, errors=error.errors, failed=action, code=422)
    except (Conflict, PermissionDenied) as error:
        flash(error.message, "error")
        return redirect(url_for("sales.item", sale_id=sale_id), code=303)
    here = url_for("sales.item", sale_id=sale_id)
    if action == "register_bidder":
        deposit = payments.payment_of(participant_of(sale, identity.org_id))
        return redirect(url_for("payments.pay", payment_id=deposit.id, next=here), code=303)
    if action == "take_licence":
        flash(_("Your licence deal is open: pay to complete it."), "success")
        return redirect(url_for("deals.item", obj_id=sales_service.events_of(sale)[-1].payload["deal_id"]), code=303)
    flash(_("Done: %(action)s", action=sales_service.machine[action].label), "success")
    return redirect(here, code=303)


@bp.route("/auctions/new", methods=["GET", "POST"])
@login_required
def new():
    """Put one of the organisation's published patents up: 挂牌, auction or open licence."""
    identity = current_identity()
    patents = db.session.scalars(select(Patent).where(Patent.org_id == identity.org_id,
                                                      Patent.status == ListingStatus.approved)
                                 .order_by(Patent.title)).all() if identity.org_id else []
    errors, code = {}, 200
    if request.method == "POST":
        data = form_data(request.form, request.files)
        data["terms"] = {key: data.pop(key) for key in ("territory", "field_of_use", "term_months", "royalty_rate",
                                                        "conditions") if key in data}
        try:
            sale = sales_service.create(identity, data)
        except ValidationFailed as error:
            errors, code = error.errors, 422
        except PermissionDenied as error:
            errors, code = {"patent_id": [error.message]}, 403
        else:
            flash(_("Published: %(kind)s", kind=KIND_LABELS[sale.kind.value]), "success")
            return redirect(url_for("sales.item", sale_id=sale.id), code=303)
    return render_template("sales/new.html", patents=patents, errors=errors, form=request.form,
                           kind_labels=KIND_LABELS), code


@bp.route("/auctions/objections")
@login_required
def objections():
    """The admin desk: objections raised against 挂牌 listings."""
    return render_template("sales/objections.html", rows=sales_service.objections(current_identity()))
