"""The deal contract: a snapshot of parties, subject and agreed terms, and its PDF (reportlab, Chinese text).

The snapshot is taken when the contract is generated, so later edits of an organisation or a patent never change
a contract already signed. The PDF is rendered from the snapshot plus the signatures, the approval and the data a
technology-contract registration (技术合同认定登记) needs. Chinese renders with an embedded CJK TrueType font
when one is installed (WenQuanYi, Noto CJK), else with reportlab's built-in CID font STSong-Light.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# (category of 技术合同认定登记, subtype) per cooperation mode.
CONTRACT_TYPES = {
    "assignment": ("技术转让合同", "专利权转让"),
    "exclusive_licence": ("技术许可合同", "专利实施许可（独占）"),
    "sole_licence": ("技术许可合同", "专利实施许可（排他）"),
    "non_exclusive_licence": ("技术许可合同", "专利实施许可（普通）"),
    "equity": ("技术转让合同", "技术作价投资"),
    "development": ("技术开发合同", "委托开发"),
}
CJK_FONT_FILES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
FONT_NAME = "TechBridgeCJK"
# China Standard Time (no daylight saving): contracts and pages show Beijing time, the database keeps UTC.
BEIJING = timezone(timedelta(hours=8), "CST")
FALLBACK_CID_FONT = "STSong-Light"


def to_beijing(moment: datetime) -> datetime:
    """A stored UTC moment (naive on SQLite) in Beijing time."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BEIJING)


def contract_number(deal, now: datetime) -> str:
    """A readable, unique contract number: ``TB-<year>-<deal id>``."""
    return f"TB-{now.year}-{deal.id:06d}"


def _org(org) -> dict:
    return {"name": org.name, "credit_code": org.credit_code, "region": org.region}


ROYALTY_PERIOD_NAMES = {"quarter": "每季度", "half_year": "每半年", "year": "每年"}


def payment_schedule(terms: dict) -> list[dict]:
    """The upfront fee (paid through the platform after approval), the instalments, the milestones (with their
    deliverables and acceptance criteria) and the running royalty with its minimum."""
    schedule = []
    if Decimal(terms["upfront_fee"]) > 0:  # a royalty-only licence has none
        schedule.append({"item": "首付款（经平台托管支付）", "amount": terms["upfront_fee"], "due": "合同经平台审核后"})
    for number, instalment in enumerate(terms.get("instalments") or [], start=1):
        schedule.append({"item": f"第{number}期分期款", "amount": instalment["amount"], "due": instalment["due"]})
    for milestone in terms.get("milestones") or []:
        item = milestone["title"]
        if milestone.get("deliverable"):
            item += f"（交付物：{milestone['deliverable']}"
            item += f"；验收标准：{milestone['acceptance_criterion']}）" if milestone.get("acceptance_criterion") else "）"
        schedule.append({"item": item, "amount": milestone["amount"], "due": milestone.get("due") or "按约定"})
    if terms.get("royalty_rate") and terms.get("royalty_period"):
        minimum = terms.get("royalty_minimum_annual")
        item = f"提成：销售额的{terms['royalty_rate']}%" + (f"，年度最低提成{minimum}元" if minimum else "")
        schedule.append({"item": item, "amount": "按销售额计算",
                         "due": f"{ROYALTY_PERIOD_NAMES[terms['royalty_period']]}报告后"})
    return schedule


def total_amount(terms: dict) -> str:
    """Upfront fee plus instalments and milestones (royalties come on top and depend on sales)."""
    fixed = [*(terms.get("instalments") or []), *(terms.get("milestones") or [])]
    total = Decimal(terms["upfront_fee"]) + sum((Decimal(m["amount"]) for m in fixed), Decimal("0"))
    return f"{total:.2f}"


def snapshot(deal, now: datetime) -> dict:
    """The contract's data at generation time."""
    category, subtype = CONTRACT_TYPES[deal.terms["mode"]]
    return {
        "number": contract_number(deal, now),
        "generated_at": now.isoformat(),
        "category": category,
        "subtype": subtype,
        "buyer": _org(deal.buyer_org),
        "seller": _org(deal.seller_org),
        "patents": [{"number": p.patent_number, "title": p.title} for p in deal.patents],
        "terms": deal.terms,
        "payment_schedule": payment_schedule(deal.terms),
        "total_amount": total_amount(deal.terms),
    }


def signing_date(deal) -> str | None:
    """The day the second party signed (the contract's signing date), ISO formatted."""
    if not (deal.buyer_signed_at and deal.seller_signed_at):
        return None
    return to_beijing(max(deal.buyer_signed_at, deal.seller_signed_at)).date().isoformat()


# ---------------------------------------------------------------- PDF


def cjk_font() -> str:
    """Register (once) and return the name of a font that renders Chinese."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    if FALLBACK_CID_FONT in pdfmetrics.getRegisteredFontNames():
        return FALLBACK_CID_FONT
    for path in CJK_FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            return FONT_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def _styles(font: str) -> dict:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=20, alignment=TA_CENTER,
                                   spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=20, spaceBefore=10, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.grey),
    }


def _table(rows: list[list], font: str, widths) -> Table:
    style = _styles(font)["body"]
    table = Table([[Paragraph(escape(str(cell if cell not in (None, "") else "—")), style) for cell in row]
                   for row in rows], colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c8d0da")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _when(moment) -> str:
    return to_beijing(moment).strftime("%Y-%m-%d %H:%M（北京时间）") if moment else "未签署"


def render_pdf(deal, registration: dict) -> bytes:
    """The contract PDF of ``deal`` (which must have a contract snapshot), ending with its registration data."""
    data = deal.contract
    terms = data["terms"]
    font = cjk_font()
    styles = _styles(font)
    para = lambda text, style="body": Paragraph(escape(text), styles[style])  # noqa: E731 - local shorthand
    width = A4[0] - 40 * mm
    story = [
        para(data["category"], "title"),
        para(data["subtype"], "subtitle"),
        para(f"合同编号：{data['number']}　生成日期：{to_beijing(datetime.fromisoformat(data['generated_at'])):%Y-%m-%d}",
             "small"),
        para("一、合同当事人", "h2"),
        _table([
            ["甲方（受让方 / 被许可方）", data["buyer"]["name"], "信用代码", data["buyer"]["credit_code"]],
            ["乙方（转让方 / 许可方）", data["seller"]["name"], "信用代码", data["seller"]["credit_code"]],
        ], font, [width * 0.24, width * 0.34, width * 0.14, width * 0.28]),
        para("二、合同标的", "h2"),
        _table([["专利号", "专利名称"]] + [[p["number"], p["title"]] for p in data["patents"]], font,
               [width * 0.3, width * 0.7]),
        para("三、合作条款", "h2"),
        _table([
            ["合作方式", data["subtype"]],
            ["实施地域", terms["territory"]],
            ["实施领域", terms["field_of_use"]],
            ["期限（月）", terms.get("term_months") or "长期"],
            ["首付款（元）", terms["upfront_fee"]],
            ["提成比例（%）", terms.get("royalty_rate")],
            ["其他条件", terms.get("conditions")],
        ], font, [width * 0.25, width * 0.75]),
        para("四、付款计划", "h2"),
        _table([["款项", "金额（元）", "支付时间"]] + [[s["item"], s["amount"], s["due"]] for s in data["payment_schedule"]],
               font, [width * 0.45, width * 0.25, width * 0.3]),
        para(f"合同总金额（不含提成）：{data['total_amount']} 元。首付款由买方经技桥平台支付并托管，"
             "买方确认交付后由平台扣除平台服务费后支付给卖方。"),
        para("五、签署与审核", "h2"),
        _table([
            ["甲方签署", deal.buyer_signer.display_name if deal.buyer_signer else "", _when(deal.buyer_signed_at)],
            ["乙方签署", deal.seller_signer.display_name if deal.seller_signer else "", _when(deal.seller_signed_at)],
            ["平台审核", "技桥平台" if deal.approved_at else "", _when(deal.approved_at)],
        ], font, [width * 0.25, width * 0.35, width * 0.4]),
        KeepTogether([para("六、技术合同认定登记信息", "h2"),
                      _table([[label, value] for label, value in registration_rows(registration)], font,
                             [width * 0.3, width * 0.7])]),
        Spacer(1, 8 * mm),
        para("本合同由技桥 TechBridge 平台根据双方在线确认的条款生成，双方以点击确认方式签署，签署人与时间记录于平台。",
             "small"),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, title=f"{data['category']} {data['number']}",
                                 author="TechBridge 技桥")
    document.build(story)
    return buffer.getvalue()


def registration_rows(record: dict) -> list[tuple[str, str]]:
    """The registration record as (label, value) lines, for the PDF and the CSV header."""
    return [
        ("合同编号", record["contract_number"]),
        ("合同类别", f"{record['contract_category']}（{record['contract_subtype']}）"),
        ("买方（受让方）", f"{record['buyer']['name']}（{record['buyer']['credit_code'] or '未填写信用代码'}）"),
        ("卖方（转让方）", f"{record['seller']['name']}（{record['seller']['credit_code'] or '未填写信用代码'}）"),
        ("标的专利", "；".join(f"{p['number']} {p['title']}" for p in record["subject"]["patents"])),
        ("合同金额（元）", record["amount"]["total"]),
        ("付款计划", "；".join(f"{s['item']} {s['amount']}元（{s['due']}）" for s in record["payment_schedule"])),
        ("合同期限", f"{record['term']['months']}个月" if record["term"]["months"] else "长期"),
        ("签订日期", record["signing_date"] or "未签订"),
    ]
