"""`qorgau districts …`: seed Aksai's districts, import and export GeoJSON."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

districts_app = typer.Typer(help="Police districts: seed Aksai's, import and export GeoJSON.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(districts_app, name="districts")


def _problems(exc: QorgauError) -> str:
    """The error and each of its problems in English, one a line (the codes are translation keys)."""
    from qorgau.core.i18n import translate

    lines = [explain(exc)] + [translate(e.get("code", ""), "en", **e) for e in exc.errors]
    return "\n  ".join(lines)


@districts_app.command("seed-aksai")
def districts_seed_aksai() -> None:
    """Store a generated first version of Aksai's districts with inspectors and МОП; again changes nothing."""
    from qorgau.city import service as city_service
    from qorgau.city.aksai import MODEL_NAME
    from qorgau.districts.config import DistrictsSettings, default_reception
    from qorgau.districts.seed import seed_aksai

    cli = CommandContext()
    settings = cli.settings.part(DistrictsSettings)
    try:
        with cli.db.unit_of_work() as session:
            model = city_service.active_model(session)
            if model.name != MODEL_NAME:  # `./run serve` over an imported city: nothing to seed, nothing wrong
                typer.echo(f"Aksai districts: skipped (the active city model is {model.name})")
                return
            created = seed_aksai(session, actor=cli_actor(), default_reception=default_reception(settings))
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo("Aksai districts: " + ("created (generated)" if created else "already present"))


@districts_app.command("import")
def districts_import(
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection of districts.", exists=True,
                                         dir_okay=False)],
    valid_from: Annotated[datetime | None, typer.Option(help="When the new version takes effect (UTC; default "
                                                              "now).")] = None,
) -> None:
    """Validate the districts and store them as the next dated version (nothing is saved on any problem)."""
    from qorgau.core.bus import Context
    from qorgau.core.time import as_utc
    from qorgau.districts import service
    from qorgau.districts.config import DistrictsSettings, default_reception
    from qorgau.districts.enums import SetSource

    cli = CommandContext()
    settings = cli.settings.part(DistrictsSettings)
    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{file}: {exc}") from exc
    try:
        with cli.db.unit_of_work() as session:
            new_set = service.accept(session, collection=collection, source=SetSource.IMPORT, actor=cli_actor(),
                                     ctx=Context.system("cli"),
                                     valid_from=as_utc(valid_from) if valid_from else None,
                                     default_reception=default_reception(settings))
            summary = (f"districts version {new_set.version}: {len(new_set.districts)} districts, valid from "
                       f"{new_set.valid_from.isoformat()}")
    except QorgauError as exc:
        raise fail(_problems(exc)) from exc
    typer.echo(summary)


@districts_app.command("export")
def districts_export(
    version: Annotated[int | None, typer.Option(help="Version number (default: the one in force).")] = None,
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Write a version of the districts as GeoJSON that `qorgau districts import` reads back."""
    from sqlalchemy import select

    from qorgau.city import service as city_service
    from qorgau.districts import service
    from qorgau.districts.models import DistrictSet

    cli = CommandContext()
    with cli.db.reading() as session:
        try:
            model = city_service.active_model(session)
        except QorgauError as exc:
            raise fail(explain(exc)) from exc
        found = (session.scalars(select(DistrictSet).where(DistrictSet.model_id == model.id,
                                                           DistrictSet.version == version)).one_or_none()
                 if version else service.in_force(session, model_id=model.id))
        if found is None:
            raise fail("no such districts version" if version else "no districts in force")
        body = service.export(session, found)
    text = json.dumps(body, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(body['features'])} districts of version {found.version} to {output}", err=True)
