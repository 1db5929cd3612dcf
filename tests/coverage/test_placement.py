"""Exact placement: brute-force optimum on small problems, spopt's San Francisco example, infeasible problems."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
import spopt  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array

from qorgau.coverage import placement

SF_DATA = Path(spopt.__file__).parent / "tests" / "test_locate" / "data"  # bundled in spopt's wheel


def _problem(cover: np.ndarray, weights: np.ndarray, before: np.ndarray | None = None) -> placement.Problem:
    return placement.Problem(cover=csr_array(cover.astype(np.float64)), weights=weights.astype(np.float64),
                             covered_before=np.zeros(len(weights), dtype=bool) if before is None else before)


small = st.integers(0, 2**31 - 1).map(np.random.default_rng)


@settings(max_examples=30, deadline=None)
@given(rng=small, posts=st.integers(1, 3))
def test_maximal_covering_matches_brute_force(rng: np.random.Generator, posts: int) -> None:
    cover = rng.random((14, 7)) < 0.25
    weights = rng.integers(0, 50, 14)
    before = rng.random(14) < 0.2
    best = max(weights[~before & cover[:, list(c)].any(axis=1)].sum()
               for c in itertools.combinations(range(7), posts))
    found = placement.maximal_covering(_problem(cover, weights, before), posts, time_limit_s=10)
    assert found.optimal and found.gap == 0.0 and len(found.chosen) == posts
    assert found.objective == pytest.approx(best)
    assert weights[found.covered & ~before].sum() == best
    assert (found.covered >= before).all()


@settings(max_examples=30, deadline=None)
@given(rng=small)
def test_set_covering_matches_brute_force(rng: np.random.Generator) -> None:
    cover = rng.random((12, 7)) < 0.3
    cover[:, 0] |= ~cover.any(axis=1)  # every point coverable
    weights = rng.integers(1, 9, 12)
    fewest = next(size for size in range(1, 8) for c in itertools.combinations(range(7), size)
                  if cover[:, list(c)].any(axis=1).all())
    found = placement.set_covering(_problem(cover, weights), time_limit_s=10)
    assert found.optimal and len(found.chosen) == fewest == round(found.objective)
    assert found.covered.all()


def test_set_covering_names_the_points_no_candidate_covers() -> None:
    cover = np.array([[1, 0], [0, 1], [0, 0], [0, 0]], dtype=bool)
    weights = np.array([5, 5, 7, 0])  # the last has nobody living there: it does not count
    with pytest.raises(placement.Infeasible) as caught:
        placement.set_covering(_problem(cover, weights), time_limit_s=10)
    assert caught.value.reason == "unreachable" and caught.value.unreachable.tolist() == [2]
    skipped = placement.set_covering(_problem(cover, weights), time_limit_s=10, skip_unreachable=True)
    assert skipped.chosen == [0, 1] and skipped.covered.tolist() == [True, True, False, False]
    with pytest.raises(placement.Infeasible):
        placement.maximal_covering(_problem(cover, weights), 3, time_limit_s=10)  # 3 posts, 2 sites


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp")  # spopt 0.7 builds its model the PuLP 3 way
def test_the_san_francisco_example_of_spopt() -> None:
    """4 stores among 16 sites, 5,000 m on the network: 184 of 205 tracts, 91.638 % of their population."""
    # Rows: tracts by name, columns: stores by name (as spopt's own test pivots them).
    with (SF_DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv").open() as f:
        rows = [(float(r["DestinationName"]), r["name"], float(r["distance"])) for r in csv.DictReader(f)]
    tract_names = sorted({r[0] for r in rows})
    stores = sorted({r[1] for r in rows})
    matrix = np.full((len(tract_names), len(stores)), np.inf)
    for tract, store, distance in rows:
        matrix[tract_names.index(tract), stores.index(store)] = distance
    with (SF_DATA / "SF_demand_205_centroid_uniform_weight.csv").open() as f:
        population = {float(r["NAME"]): int(r["POP2000"]) for r in csv.DictReader(f)}
    weights = np.array([population[name] for name in tract_names])
    assert len(weights) == 205 and len(stores) == 16 and np.isfinite(matrix).all()
    found = placement.maximal_covering(_problem(matrix <= 5000.0, weights), 4, time_limit_s=30)
    assert found.optimal and found.gap == 0.0
    assert int(found.covered.sum()) == 184
    assert found.covered.sum() / len(weights) * 100 == pytest.approx(89.756, abs=1e-3)
    assert weights[found.covered].sum() / weights.sum() * 100 == pytest.approx(91.638, abs=1e-3)
    # spopt (PuLP with CBC) on the same matrix reaches the same optimum.
    import pulp  # type: ignore[import-untyped]
    from spopt.locate import MCLP  # type: ignore[import-untyped]

    baseline = MCLP.from_cost_matrix(matrix, weights, 5000.0, 4).solve(pulp.PULP_CBC_CMD(msg=False))
    assert baseline.perc_cov == pytest.approx(89.75609756097561)
    assert sorted(np.flatnonzero([v.value() > 0.5 for v in baseline.fac_vars]).tolist()) == found.chosen
