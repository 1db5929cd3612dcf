"""Operations on a draft district set that need polygon overlay: merging two neighbouring districts."""

# The desk moves, adds and deletes vertices itself; a merge needs a union of polygons, which the browser has no
# library for, so the server does it on the draft and hands the draft back (nothing is stored: the result goes
# through /check and /accept like any edit). The union is taken in lon/lat as given, so every vertex the merged
# district shares with its other neighbours keeps its exact coordinates and later edits still move them together.

from __future__ import annotations

import copy
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from qorgau.core.errors import ValidationFailed
from qorgau.districts.geometry import UNREADABLE, _lists, problem


def _invalid(*problems: dict[str, str]) -> ValidationFailed:
    return ValidationFailed("districts.invalid", errors=list(problems), params={"count": len(problems)})


def _feature(features: list[Any], number: int) -> dict[str, Any]:
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict) and props.get("number") == number:
            return feature  # type: ignore[no-any-return]
    raise _invalid(problem("merge_unknown", number))


def merge(collection: dict[str, Any], *, keep: int, absorb: int) -> dict[str, Any]:
    """The draft with district ``absorb`` joined to district ``keep`` (its number, names, post and reception;
    the inspectors of both); refused unless the two share a boundary."""
    if keep == absorb:
        raise _invalid(problem("merge_same", keep))
    features = collection.get("features")
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise _invalid(problem("not_collection"))
    kept, absorbed = _feature(features, keep), _feature(features, absorb)
    try:
        union = shapely.union(shape(kept["geometry"]), shape(absorbed["geometry"]))
    except UNREADABLE as exc:
        raise _invalid(problem("unreadable", keep, detail=str(exc)[:200])) from exc
    if union.geom_type != "Polygon":
        raise _invalid(problem("not_adjacent", keep, other=absorb))
    merged = copy.deepcopy(collection)
    out = [f for f in merged["features"] if f.get("properties", {}).get("number") != absorb]
    target = next(f for f in out if f["properties"]["number"] == keep)
    target["geometry"] = _lists(mapping(union))
    inspectors = [*target["properties"].get("inspectors", []),
                  *absorbed.get("properties", {}).get("inspectors", [])]
    target["properties"]["inspectors"] = list(dict.fromkeys(inspectors))
    merged["features"] = out
    return merged
