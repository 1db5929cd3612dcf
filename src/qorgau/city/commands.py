"""`qorgau city …`: import an OSM extract, seed Aksai, list and activate models, export GeoJSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from qorgau.audit.commands import cli_actor
from qorgau.core.commands import CommandContext, explain, fail
from qorgau.core.errors import QorgauError

city_app = typer.Typer(help="The city model: import an OSM extract, seed Aksai, export GeoJSON.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(city_app, name="city")


@city_app.command("import")
def city_import(
    file: Annotated[Path, typer.Argument(help="OpenStreetMap extract: .osm.pbf, .osm, .osm.bz2.", exists=True,
                                         dir_okay=False)],
    name: Annotated[str, typer.Option(help="Name of the new model.")],
    replace: Annotated[bool, typer.Option(help="Replace a model of the same name.")] = False,
) -> None:
    """Build a city model (streets, walk and drive graphs, places) from an OSM extract; it becomes active."""
    from qorgau.city import service

    cli = CommandContext()
    try:
        with cli.db.unit_of_work() as session:
            model = service.import_osm(session, path=file, name=name, replace=replace, actor=cli_actor())
            summary = (f"imported {file.name} as city model {model.name} (id {model.id}, active): "
                       f"{model.node_count} nodes, {model.edge_count} edges, {model.place_count} places")
    except QorgauError as exc:
        raise fail(explain(exc)) from exc
    typer.echo(summary)


@city_app.command("seed-aksai")
def city_seed_aksai() -> None:
    """Store the generated model of Aksai and Burlinsky district; running it again changes nothing."""
    from qorgau.city import service

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        model, created = service.seed_aksai(session, actor=cli_actor())
        state = "active" if model.active else "not active: another model is"
        summary = (f"{'created' if created else 'already present:'} city model {model.name} (generated; {state}): "
                   f"{model.node_count} nodes, {model.edge_count} edges, {model.place_count} places, "
                   f"{model.cell_count} population cells")
    typer.echo(summary)


@city_app.command("list")
def city_list() -> None:
    """List the city models; the active one is marked with *."""
    from qorgau.city import service

    cli = CommandContext()
    with cli.db.reading() as session:
        for model in service.models_page(session, after_id=None, limit=10_000):
            mark = "*" if model.active else " "
            typer.echo(f"{mark} {model.id:>4}  {model.name:<20} {model.source:<28} {model.node_count:>8} nodes "
                       f"{model.edge_count:>8} edges{'  (generated)' if model.generated else ''}")


@city_app.command("activate")
def city_activate(name: Annotated[str, typer.Argument(help="Model name.")]) -> None:
    """Make a model the one used by default."""
    from qorgau.city import service

    cli = CommandContext()
    with cli.db.unit_of_work() as session:
        model = service.by_name(session, name)
        if model is None:
            raise fail(f"no city model named {name}")
        service.switch_active(session, model_id=model.id, actor=cli_actor())
    typer.echo(f"city model {name} is active")


@city_app.command("export")
def city_export(
    name: Annotated[str | None, typer.Option(help="Model name (default: the active model).")] = None,
    layer: Annotated[list[str] | None, typer.Option(
        help="boundary, settlements, microdistricts, streets, blocks or population; repeat for more (default: all)."
    )] = None,
    output: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Write layers of a city model as one GeoJSON FeatureCollection."""
    from qorgau.city import mapdata, service
    from qorgau.city.enums import Layer

    chosen = layer or [*map(str, Layer), "population"]
    unknown = [n for n in chosen if n not in {*map(str, Layer), "population"}]
    if unknown:
        raise fail(f"unknown layer(s): {', '.join(unknown)}")
    cli = CommandContext()
    with cli.db.reading() as session:
        model = service.by_name(session, name) if name else None
        if name and model is None:
            raise fail(f"no city model named {name}")
        try:
            model = model or service.active_model(session)
        except QorgauError as exc:
            raise fail(explain(exc)) from exc
        body = mapdata.map_features(session, model=model, layers=[Layer(n) for n in chosen if n != "population"],
                                    bbox=None)
        if "population" in chosen:
            body["features"].extend(mapdata.population_features(session, model=model))
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(body['features'])} features of {model.name} to {output}", err=True)
