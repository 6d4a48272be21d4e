"""``flask analytics review``: export the annual or three-year review report (PDF, XLSX or CSV) from the command
line; ``flask analytics rebuild-figures``: recompute the dashboards' summary tables from the source rows."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from marshmallow import ValidationError

from app.analytics import facts, review
from app.analytics.filters import FilterSchema
from app.core.identity import Identity

WRITERS = {".pdf": review.review_pdf, ".xlsx": review.review_xlsx, ".csv": review.review_csv}
cli = AppGroup("analytics", help="Market figures: the review reports and the summary tables.")


@cli.command("review")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["annual", "three_year"]), default="annual", show_default=True)
@click.option("--year", type=click.IntRange(2000, 2100), help="The (last) year of the review.")
@click.option("--start", help="Instead of --year: the first day, YYYY-MM-DD.")
@click.option("--end", help="Instead of --year: the last day, YYYY-MM-DD.")
@click.option("--region", help="Only sellers of this region.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="The report's language.")
def review_command(out: Path, kind: str, year: int | None, start: str | None, end: str | None,
                   region: str | None, lang: str):
    """Write the review report to OUT (.pdf, .xlsx or .csv)."""
    if out.suffix not in WRITERS:
        raise click.BadParameter("the file name must end in .pdf, .xlsx or .csv", param_hint="OUT")
    with force_locale("zh_CN" if lang == "zh" else "en"):  # no request to choose the language from
        _write_review(out, kind, year, start, end, region)


def _write_review(out: Path, kind: str, year: int | None, start: str | None, end: str | None,
                  region: str | None) -> None:
    if year is not None:
        filters = review.period(kind, year)
        if region:
            filters = type(filters)(filters.start, filters.end, region)
    else:
        try:
            filters = FilterSchema().load({k: v for k, v in (("start", start), ("end", end), ("region", region)) if v})
        except ValidationError as error:
            raise click.UsageError(str(error.normalized_messages())) from None
    report = review.review_report(Identity.system(), filters)
    body = WRITERS[out.suffix](report)
    out.write_bytes(body if isinstance(body, bytes) else body.encode())
    k = report["kpis"]
    click.echo(f"{filters.start} – {filters.end}: {k['development_count']} R&D contracts "
               f"({k['development_amount']} yuan), transaction volume {k['volume_amount']} yuan "
               f"({k['volume_count']} contracts and orders), {k['incubated']} incubated firms → {out}")


@cli.command("rebuild-figures")
def rebuild_figures_command():
    """Recompute the dashboards' summary tables (after an upgrade or a bulk load that bypassed the ORM)."""
    counts = facts.rebuild_committed()
    click.echo(", ".join(f"{table}: {rows} rows" for table, rows in counts.items()))
