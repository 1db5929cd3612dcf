"""Hot spots against PySAL on its bundled Columbus data, and on a grid with a planted hot spot."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qorgau.statistics import hotspots


@pytest.fixture(scope="module")
def columbus() -> tuple[np.ndarray, object]:
    libpysal = pytest.importorskip("libpysal")
    from libpysal.examples import load_example

    example = load_example("columbus")  # ships in the wheel: no download
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        table = libpysal.io.open(example.get_path("columbus.dbf"))
        try:
            crime = np.array(table.by_col("CRIME"), dtype=float)
        finally:
            table.close()
        shapes = libpysal.io.open(example.get_path("columbus.shp"))
        try:
            polygons = list(shapes)
        finally:
            shapes.close()
        queen = libpysal.weights.Queen.from_iterable(polygons)
    return crime, queen


def test_moran_of_columbus_crime_is_pysal_s(columbus: tuple[np.ndarray, object]) -> None:
    import esda
    from libpysal.weights import W

    crime, queen = columbus
    assert isinstance(queen, W)
    queen.transform = "r"
    mine = hotspots.moran(crime, queen.sparse.tocsr())
    assert mine.i == pytest.approx(0.500188557, abs=1e-9)
    theirs = esda.Moran(crime, queen, permutations=0)
    for ours, pysal in [(mine.i, theirs.I), (mine.expected, theirs.EI), (mine.z_norm, theirs.z_norm),
                        (mine.p_norm, theirs.p_norm), (mine.z_rand, theirs.z_rand), (mine.p_rand, theirs.p_rand)]:
        assert ours == pytest.approx(pysal, abs=1e-9)


@pytest.mark.parametrize("transform", ["B", "R"])
def test_gi_star_of_columbus_is_pysal_s(columbus: tuple[np.ndarray, object], transform: str) -> None:
    import esda
    from libpysal.weights import W, fill_diagonal

    crime, queen = columbus
    assert isinstance(queen, W)
    queen.transform = "o"
    with_self = fill_diagonal(queen, 1).sparse.tocsr()
    weights = hotspots.row_standardise(with_self) if transform == "R" else with_self
    mine = hotspots.gi_star(crime, weights)
    queen.transform = "B"
    theirs = esda.G_Local(crime, fill_diagonal(queen, 1), transform=transform, star=None, permutations=0)
    assert np.abs(mine.g - theirs.Gs).max() < 1e-9
    assert np.abs(mine.z - theirs.Zs).max() < 1e-9
    assert np.abs(mine.p - theirs.p_norm).max() < 1e-9


def _planted() -> tuple[hotspots.Grid, np.ndarray]:
    grid = hotspots.Grid(51.1, 51.1, 100.0, 30, 20)
    rng = np.random.default_rng(7)
    counts = rng.poisson(1.0, size=(grid.ny, grid.nx))
    counts[9:12, 19:22] += 12  # a 3 x 3 block of cells with many more offences
    return grid, counts


def test_a_planted_hot_spot_is_found_and_classified() -> None:
    grid, counts = _planted()
    active = np.ones((grid.ny, grid.nx), bool)
    w = hotspots.queen_weights(grid, active)
    assert w.nnz == 9 * grid.size - 2 * 3 * (grid.nx + grid.ny) + 4  # queen with self, borders trimmed
    overall = hotspots.gi_star(counts.ravel(), w)
    centre = 10 * grid.nx + 20
    assert overall.z[centre] > 5 and overall.p[centre] < 1e-6
    night = hotspots.gi_star(counts.ravel(), w)
    quiet = hotspots.gi_star(np.ones(grid.size), w)
    calm = hotspots.LocalG(g=quiet.g, z=np.zeros(grid.size), p=np.ones(grid.size))
    result = hotspots.classify(calm, [night, calm])
    assert result.level[centre] is hotspots.Level.UNSAFE_AT_HOURS and result.bands[centre] == [0]
    assert hotspots.classify(overall, [calm]).level[centre] is hotspots.Level.UNSAFE
    assert hotspots.classify(calm, [calm]).level[0] is hotspots.Level.SAFE


def test_grid_counts_and_kde_keep_the_total() -> None:
    grid = hotspots.Grid.over(51.0, 51.0, 51.05, 51.03, 100.0)
    lon0, lat0 = grid.centre(np.array([0, grid.size - 1]))
    counts = grid.counts(np.array([lon0[0], lon0[1], 50.0]), np.array([lat0[0], lat0[1], 51.01]))
    assert counts.sum() == 2 and counts.ravel()[0] == 1 and counts.ravel()[-1] == 1
    middle = np.zeros((grid.ny, grid.nx))
    middle[grid.ny // 2, grid.nx // 2] = 10
    density = hotspots.kde(middle, 100.0, 300.0)
    # Per km² over cells of 0.01 km²: the kernel spreads the 10 offences without losing any.
    assert density.sum() * 0.01 == pytest.approx(10, rel=1e-9)
    assert density.argmax() == middle.argmax()


def test_moran_of_a_planted_cluster_is_positive_and_significant() -> None:
    grid, counts = _planted()
    w = hotspots.row_standardise(hotspots.queen_weights(grid, np.ones((grid.ny, grid.nx), bool), star=False))
    found = hotspots.moran(counts.ravel(), w)
    assert found.i > 0.1 and found.p_norm < 0.001
