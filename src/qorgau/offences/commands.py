"""`qorgau offences …`: import an extract, generate the Burlinsky registry, seed it once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

IMPORT_HELP = """Import an ЕРДР or protocol extract (CSV in UTF-8 with comma or semicolon, or XLSX: first sheet,
first row the headers). All rows or none: every problem is printed with its line. A record already in the registry
(same registration number) is updated, never counted twice; a line whose "Номер происшествия" names an incident
closed in Qorgau replaces that incident's draft.

\b
Columns (default Russian header -> field; a header equal to the field name works too):
  Номер ЕРДР -> reg_number (required)
  Дата регистрации -> registered_on (required; 31.12.2024 or 2024-12-31)
  Статья -> article_code (required; ст.188 ч.2 УК, 188-2, КоАП 434, UK-188-2)
  Дата и время совершения -> committed_at (local time; 31.12.2024 22:15)
  Решение -> status (в производстве, направлено в суд, прекращено, прервано)
  Основание прекращения -> termination_ground
  Дата решения -> status_on
  Установлено лиц -> persons_identified
  Долгота, Широта -> lon, lat (WGS 84, inside the district)
  Место совершения -> place_type (улица, жилище, магазин, школа, транспорт, общественное место, иное)
  Номер происшествия -> call_ref (the Qorgau incident number)
"""

offences_app = typer.Typer(help="The registry of offences: import extracts, generate the Burlinsky registry.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(offences_app, name="offences")


def _problems(exc: QorgauError) -> str:
    from qorgau.core.i18n import translate

    lines = [explain(exc)] + [f"line {e.get('line')}: {e.get('field')}: " + translate(e.get("code", ""), "en", **e)
                              for e in exc.errors]
    return "\n  ".join(lines)


@offences_app.command("import", help=IMPORT_HELP)
def offences_import(
    file: Annotated[Path, typer.Argument(help="The extract (.csv or .xlsx).", exists=True, dir_okay=False)],
    mapping: Annotated[Path | None, typer.Option(help='A JSON file {"field": "header"} overriding the default '
                                                      "headers.", exists=True, dir_okay=False)] = None,
) -> None:
    from qorgau.offences.importer import import_extract

    columns = json.loads(mapping.read_text(encoding="utf-8")) if mapping else {}
    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            report = import_extract(session, path=file, mapping=columns, actor=cli_actor())
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo(f"Offences imported: {report.created} new, {report.updated} updated, {report.reconciled} drafts "
               f"reconciled ({report.lines} lines)")


def _years(text: str) -> range:
    found = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if found is None or int(found.group(2) or found.group(1)) < int(found.group(1)):
        raise typer.BadParameter("years as 2021-2026 or 2024")
    return range(int(found.group(1)), int(found.group(2) or found.group(1)) + 1)


@offences_app.command("generate")
def offences_generate(
    years: Annotated[str, typer.Option(help="Years to generate, e.g. 2021-2026 (the current year up to today).")]
    = "2021-2026",
    seed: Annotated[int, typer.Option(help="Seed of the draw: the same seed gives the same registry.")] = 20230101,
    records: Annotated[int | None, typer.Option(help="Total records instead of the scaled official totals "
                                                     "(for benchmarks).", min=1)] = None,
) -> None:
    """Replace the generated records (source "generated") of Burlinsky district with a fresh draw."""
    from qorgau.offences.seeding import generate_registry

    span = _years(years)
    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            per_year = generate_registry(session, years=span, seed=seed, records=records, actor=cli_actor())
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo("Generated offences: " + ", ".join(f"{y}: {n}" for y, n in sorted(per_year.items())))


@offences_app.command("seed-aksai")
def offences_seed_aksai() -> None:
    """Store the article list and, over Aksai's city model, the default generated registry once."""
    from qorgau.city import service as city_service
    from qorgau.city.aksai import MODEL_NAME
    from qorgau.offences import articles
    from qorgau.offences.seeding import seed_aksai

    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            articles.ensure(session)  # the shipped article list, whatever the city
            if city_service.active_model(session).name != MODEL_NAME:
                typer.echo("Offences: skipped (the active city model is not Aksai's)")
                return
            stored = seed_aksai(session, actor=cli_actor())
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo(f"Offences: {stored} generated" if stored else "Offences: generated registry already present")
