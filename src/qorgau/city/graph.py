"""In-memory drive and walk graphs of a city model: sparse matrices, KD-tree snapping, shortest paths."""

# A stored model never changes, so each process loads a model's graphs once and keeps them (``GRAPHS``).
# Weights are seconds. One-to-many and many-to-one times are one Dijkstra run each (the latter on the
# transposed matrix), which is what ranking units by road time to an incident needs.

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree
from sqlalchemy import ClauseElement, select
from sqlalchemy.orm import Session

from qorgau.city.cache import ModelCache
from qorgau.city.enums import ACCESS_SPEED_KMH, WALK_SPEED_KMH, Mode
from qorgau.city.geometry import LocalProjection, Point
from qorgau.city.models import CityEdge, CityNode

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
MIN_EDGE_SECONDS = 1e-3  # csgraph would read a zero weight as "no edge"


@dataclass(frozen=True, slots=True)
class Route:
    seconds: float
    meters: float
    coordinates: list[Point]
    nodes: list[int]


@dataclass(frozen=True, slots=True)
class ModeGraph:
    """One travel mode: the weighted matrix, its transpose, edge lengths aligned with it, and a snapping tree."""

    matrix: csr_array
    transposed: csr_array
    lengths: Floats  # metres, aligned with matrix.data
    snap_nodes: Ints  # nodes of the largest strongly connected component
    tree: cKDTree
    access_mps: float


def _matrix(n: int, src: Ints, dst: Ints, seconds: Floats, meters: Floats) -> tuple[csr_array, Floats]:
    """CSR of the fastest edge for every (src, dst) pair; scipy would otherwise add parallel edges up."""
    order = np.lexsort((seconds, dst, src))
    src, dst, seconds, meters = src[order], dst[order], seconds[order], meters[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, seconds, meters = src[first], dst[first], seconds[first], meters[first]
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    matrix = csr_array((np.maximum(seconds, MIN_EDGE_SECONDS), dst.astype(np.int32), indptr), shape=(n, n))
    return matrix, meters


def _dijkstra(matrix: csr_array, source: int, limit: float) -> Floats:
    """Seconds from one node to every node (inf beyond ``limit`` or unreachable)."""
    times = dijkstra(matrix, indices=[source], limit=limit)
    return np.asarray(times[0], dtype=np.float64)


class CityGraph:
    """The street network of one stored model, ready for routing."""

    def __init__(self, model_id: int, lon: Floats, lat: Floats, edges: dict[str, NDArray[Any]]) -> None:
        self.model_id = model_id
        self.lon, self.lat = lon, lat
        n = len(lon)
        self.proj = LocalProjection(float(np.mean(lon)) if n else 0.0, float(np.mean(lat)) if n else 0.0)
        x, y = self.proj.to_xy(lon, lat)
        self.xy = np.column_stack([x, y]) if n else np.zeros((0, 2))
        src, dst, length = edges["source"], edges["target"], edges["length_m"]
        self.modes: dict[Mode, ModeGraph] = {}
        # Drive: along every drivable edge, and back along those that are not one-way.
        d, back = edges["drive"], edges["drive"] & ~edges["oneway"]
        drive_secs = length / np.maximum(edges["speed_kmh"], 1.0) * 3.6
        self.modes[Mode.DRIVE] = self._mode(
            n, np.concatenate([src[d], dst[back]]), np.concatenate([dst[d], src[back]]),
            np.concatenate([drive_secs[d], drive_secs[back]]), np.concatenate([length[d], length[back]]),
            ACCESS_SPEED_KMH[Mode.DRIVE])
        # Walk: every walkable edge both ways at walking speed, one-way or not.
        w = edges["walk"]
        walk_secs = length[w] / WALK_SPEED_KMH * 3.6
        self.modes[Mode.WALK] = self._mode(
            n, np.concatenate([src[w], dst[w]]), np.concatenate([dst[w], src[w]]),
            np.concatenate([walk_secs, walk_secs]), np.concatenate([length[w], length[w]]),
            ACCESS_SPEED_KMH[Mode.WALK])

    def _mode(self, n: int, src: Ints, dst: Ints, secs: Floats, meters: Floats, access_kmh: float) -> ModeGraph:
        matrix, lengths = _matrix(n, src, dst, secs, meters)
        used = np.zeros(n, dtype=bool)
        used[src], used[dst] = True, True
        if used.any():
            _, labels = connected_components(matrix, directed=True, connection="strong")
            biggest = np.bincount(labels[used]).argmax()
            snap_nodes = np.flatnonzero(used & (labels == biggest)).astype(np.int64)
        else:
            snap_nodes = np.zeros(0, dtype=np.int64)
        tree = cKDTree(self.xy[snap_nodes] if len(snap_nodes) else np.zeros((0, 2)))
        return ModeGraph(matrix, matrix.T.tocsr(), lengths, snap_nodes, tree, access_kmh / 3.6)

    @property
    def node_count(self) -> int:
        return len(self.lon)

    def edge_count(self, mode: Mode) -> int:
        """Directed edges of a mode's matrix (a two-way street counts twice)."""
        return int(self.modes[mode].matrix.nnz)

    def snap(self, lon: Any, lat: Any, mode: Mode) -> tuple[Ints, Floats]:
        """Nearest routable node of each point and the distance to it in metres."""
        graph = self.modes[mode]
        if not len(graph.snap_nodes):
            raise LookupError("the model has no network for this mode")
        x, y = self.proj.to_xy(np.atleast_1d(lon), np.atleast_1d(lat))
        dist, pos = graph.tree.query(np.column_stack([x, y]))
        return graph.snap_nodes[np.asarray(pos, dtype=np.int64)], np.asarray(dist, dtype=np.float64)

    def travel_times_from(self, lon: float, lat: float, mode: Mode, limit_s: float = np.inf) -> Floats:
        """Seconds from a point to every node (inf where unreachable), the walk to the network included."""
        graph = self.modes[mode]
        (node,), (dist,) = self.snap(lon, lat, mode)
        access = float(dist) / graph.access_mps
        return _dijkstra(graph.matrix, int(node), max(limit_s - access, 0.0)) + access

    def travel_times_to(self, lon: float, lat: float, mode: Mode, limit_s: float = np.inf) -> Floats:
        """Seconds from every node to a point (inf where unreachable): one Dijkstra on the transposed graph."""
        graph = self.modes[mode]
        (node,), (dist,) = self.snap(lon, lat, mode)
        access = float(dist) / graph.access_mps
        return _dijkstra(graph.transposed, int(node), max(limit_s - access, 0.0)) + access

    def times_to(self, lons: Any, lats: Any, target: Point, mode: Mode) -> Floats:
        """Seconds from each of many points (units) to one target (an incident), access legs included."""
        to_target = self.travel_times_to(target[0], target[1], mode)
        nodes, dist = self.snap(lons, lats, mode)
        return np.asarray(to_target[nodes] + dist / self.modes[mode].access_mps, dtype=np.float64)

    def route(self, start: Point, end: Point, mode: Mode) -> Route | None:
        """Fastest route between two points with its geometry, or None when the end cannot be reached."""
        graph = self.modes[mode]
        nodes, dist = self.snap([start[0], end[0]], [start[1], end[1]], mode)
        source, target = int(nodes[0]), int(nodes[1])
        times_2d, pred_2d = dijkstra(graph.matrix, indices=[source], return_predecessors=True)
        times, pred = times_2d[0], pred_2d[0]
        if not np.isfinite(times[target]):
            return None
        path = [target]
        while path[-1] != source:
            path.append(int(pred[path[-1]]))
        path.reverse()
        meters = float(dist[0] + dist[1])
        indptr, indices = graph.matrix.indptr, graph.matrix.indices
        for u, v in itertools.pairwise(path):
            lo, hi = int(indptr[u]), int(indptr[u + 1])
            meters += float(graph.lengths[lo + int(np.searchsorted(indices[lo:hi], v))])
        seconds = float(times[target]) + float(dist[0] + dist[1]) / graph.access_mps
        coords = [start, *((float(self.lon[i]), float(self.lat[i])) for i in path), end]
        return Route(seconds=seconds, meters=meters, coordinates=coords, nodes=path)


def _numbers(session: Session, statement: ClauseElement, width: int) -> NDArray[np.float64]:
    """Rows of numbers straight from the driver's cursor into one array.

    Building numpy arrays from SQLAlchemy Row objects costs several times the query itself; the statement
    is compiled with its (integer) parameter inlined and read through the DBAPI cursor instead.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return np.array(rows, dtype=np.float64).reshape(-1, width)


def load_graph(session: Session, model_id: int) -> CityGraph:
    """Read a model's nodes and edges (numbers only, no geometry parsing) and build its graphs."""
    nodes = _numbers(session, select(CityNode.idx, CityNode.lon, CityNode.lat)
                     .where(CityNode.model_id == int(model_id)), 3)
    lon = np.zeros(len(nodes))
    lat = np.zeros(len(nodes))
    idx = nodes[:, 0].astype(np.int64)
    lon[idx], lat[idx] = nodes[:, 1], nodes[:, 2]
    table = _numbers(session, select(CityEdge.source, CityEdge.target, CityEdge.length_m, CityEdge.speed_kmh,
                                     CityEdge.drive, CityEdge.walk, CityEdge.oneway)
                     .where(CityEdge.model_id == int(model_id)), 7)
    edges: dict[str, NDArray[Any]] = {
        "source": table[:, 0].astype(np.int64), "target": table[:, 1].astype(np.int64),
        "length_m": table[:, 2], "speed_kmh": table[:, 3],
        "drive": table[:, 4] > 0, "walk": table[:, 5] > 0, "oneway": table[:, 6] > 0,
    }
    return CityGraph(model_id, lon, lat, edges)


GRAPHS: ModelCache[CityGraph] = ModelCache(load_graph)
