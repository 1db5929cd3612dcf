"""The base map as GeoJSON: boundary, settlements, microdistricts, streets and blocks of a model."""

# The web app draws the map from this alone (no tile server). Streets are merged per name and class into
# MultiLineStrings of whole chains, and coordinates are rounded to 6 decimals (about 0.1 m), which keeps the
# whole district well under 2 MB.

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.city.enums import LAYER_KINDS, Layer, PlaceKind
from qorgau.city.geometry import merge_chains
from qorgau.city.models import CityEdge, CityModel, CityPlace
from qorgau.city.service import BBox, graph, population_page

DIGITS = 6
EDGE_MARGIN_DEG = 0.005  # edges are filtered by their midpoint; a segment is shorter than this on each side


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _feature(geometry: dict[str, Any], layer: Layer, **properties: Any) -> dict[str, Any]:
    props = {"layer": str(layer), "name": None, "name_kk": None, "name_ru": None, "name_en": None,
             "kind": None, "highway": None, "generated": False, **properties}
    return {"type": "Feature",
            "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
            "properties": props}


def _place_feature(place: CityPlace, layer: Layer) -> dict[str, Any]:
    extra = {"use": place.attrs.get("use")} if place.kind == PlaceKind.BLOCK else {}
    if place.kind == PlaceKind.SETTLEMENT:
        extra["place"] = place.attrs.get("place")  # town, village, hamlet: how prominent the label is
    if place.population is not None:
        extra["population"] = place.population
    return _feature(place.geometry, layer, id=place.id, name=place.name or None, name_kk=place.name_kk,
                    name_ru=place.name_ru, name_en=place.name_en, kind=place.kind, generated=place.generated,
                    **extra)


def _streets(session: Session, model: CityModel, bbox: BBox | None) -> list[dict[str, Any]]:
    query = select(CityEdge.source, CityEdge.target, CityEdge.name, CityEdge.highway, CityEdge.generated).where(
        CityEdge.model_id == model.id)
    if bbox is not None:
        m = EDGE_MARGIN_DEG
        query = query.where(CityEdge.lon.between(bbox[0] - m, bbox[2] + m),
                            CityEdge.lat.between(bbox[1] - m, bbox[3] + m))
    groups: dict[tuple[str | None, str, bool], list[tuple[int, int]]] = defaultdict(list)
    for source, target, name, highway, generated in session.execute(query):
        groups[(name, highway, generated)].append((source, target))
    names = {p.name: p for p in session.scalars(select(CityPlace).where(
        CityPlace.model_id == model.id, CityPlace.kind == str(PlaceKind.STREET)))}
    network = graph(session, model)
    features = []
    for (name, highway, generated), segments in sorted(groups.items(), key=lambda g: (g[0][0] or "", g[0][1])):
        lines = [[[float(network.lon[i]), float(network.lat[i])] for i in chain] for chain in merge_chains(segments)]
        street = names.get(name or "")
        features.append(_feature(
            {"type": "MultiLineString", "coordinates": lines}, Layer.STREETS, id=street.id if street else None,
            name=name, name_kk=street.name_kk if street else None, name_ru=street.name_ru if street else None,
            name_en=street.name_en if street else None, kind=str(PlaceKind.STREET), highway=highway,
            generated=generated))
    return features


def map_features(session: Session, *, model: CityModel, layers: list[Layer], bbox: BBox | None) -> dict[str, Any]:
    """A FeatureCollection of the asked layers (in the order given), optionally cut to a bounding box."""
    features: list[dict[str, Any]] = []
    for layer in layers:
        if layer is Layer.BOUNDARY:
            features.append(_feature(model.boundary, layer, id=model.id, name=model.name, kind="boundary",
                                     generated=bool(model.attrs.get("boundary_generated", False))))
        elif layer is Layer.STREETS:
            features.extend(_streets(session, model, bbox))
        else:
            query = select(CityPlace).where(CityPlace.model_id == model.id,
                                            CityPlace.kind == str(LAYER_KINDS[layer])).order_by(CityPlace.id)
            if bbox is not None:
                query = query.where(CityPlace.max_lon >= bbox[0], CityPlace.min_lon <= bbox[2],
                                    CityPlace.max_lat >= bbox[1], CityPlace.min_lat <= bbox[3])
            features.extend(_place_feature(place, layer) for place in session.scalars(query))
    return {"type": "FeatureCollection", "features": features,
            "model": {"id": model.id, "name": model.name, "generated": model.generated, "source": model.source,
                      "licence": model.licence}}


def population_features(session: Session, *, model: CityModel, bbox: BBox | None = None) -> list[dict[str, Any]]:
    """Population cells as Point features at the cell centres (for export; the API pages them)."""
    cells = population_page(session, model=model, bbox=bbox, after_id=None, limit=10_000_000)
    return [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [cell.lon, cell.lat]},
             "properties": {"layer": "population", "id": cell.id, "residents": cell.residents, "settlement": name,
                            "generated": cell.generated}} for cell, name in cells]
