"""Exact post placement with HiGHS: maximal covering (most residents for p posts) and set covering (fewest posts)."""

# Demand already covered by today's posts is left out of the models, so the new posts go where they add
# coverage. The covered-or-not variables of maximal covering are continuous in [0, 1]: with the posts binary,
# an optimum sets each to 1 exactly where a chosen post covers the cell, and the MIP stays small.

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csc_array, csr_array, hstack, identity, vstack

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Problem:
    """Which candidate covers which demand point (demand × candidates), the demand's weights, today's coverage."""

    cover: csr_array
    weights: Floats
    covered_before: Bools


@dataclass(frozen=True, slots=True)
class Solution:
    chosen: list[int]  # candidate indices, ascending
    covered: Bools  # demand covered after the new posts, today's coverage included
    objective: float  # weight newly covered (maximal covering) or posts (set covering)
    bound: float  # the solver's dual bound on the objective
    gap: float  # relative optimality gap, 0 when proven optimal
    optimal: bool
    seconds: float


class Infeasible(Exception):
    """No set of posts meets the problem; ``unreachable`` are the demand points that no candidate covers."""

    def __init__(self, reason: str, unreachable: Ints | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable if unreachable is not None else np.zeros(0, dtype=np.int64)


def _open(demand: Problem) -> Ints:
    """Demand points that count: residents, not covered today."""
    return np.flatnonzero((demand.weights > 0) & ~demand.covered_before).astype(np.int64)


def _merged(sub: csr_array, weights: Floats) -> tuple[csr_array, Floats]:
    """Demand points reached by the same candidates as one row with their weights summed (an exact reduction)."""
    sub = csr_array(sub, copy=True)
    sub.sort_indices()  # the same candidates give the same bytes
    groups: dict[bytes, int] = {}
    owner = np.empty(sub.shape[0], dtype=np.int64)
    for i in range(sub.shape[0]):
        key = sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tobytes()
        owner[i] = groups.setdefault(key, len(groups))
    first = np.unique(owner, return_index=True)[1]
    summed = np.bincount(owner, weights=weights, minlength=len(groups))
    return csr_array(sub[first]), np.asarray(summed, dtype=np.float64)


def _solve(matrix: csc_array, cost: Floats, lower: Floats, upper: Floats, row_lower: Floats, row_upper: Floats,
           integer: int, maximise: bool, time_limit_s: float) -> tuple[highspy.Highs, Floats]:
    """Pass a column-wise MIP to HiGHS (the first ``integer`` columns integral) and solve it to optimality."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * integer + [highspy.HighsVarType.kContinuous] * (
        matrix.shape[1] - integer)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("time_limit", float(time_limit_s))
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("threads", 1)  # HiGHS's MIP is single-threaded; spare the server's other threads
    solver.passModel(lp)
    solver.run()
    return solver, np.asarray(solver.getSolution().col_value, dtype=np.float64)


def _outcome(solver: highspy.Highs, values: Floats, problem: Problem, started: float) -> Solution:
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise Infeasible("infeasible")
    info = solver.getInfo()
    if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit) or not len(values):
        raise Infeasible("no_solution")
    k = problem.cover.shape[1]
    chosen = [int(j) for j in np.flatnonzero(values[:k] > 0.5)]
    covered = problem.covered_before.copy()
    if chosen:
        covered |= np.asarray(problem.cover[:, chosen].sum(axis=1)).ravel() > 0
    optimal = status == highspy.HighsModelStatus.kOptimal
    gap = 0.0 if optimal and info.mip_gap < 1e-9 else float(info.mip_gap)
    return Solution(chosen=chosen, covered=covered, objective=float(info.objective_function_value),
                    bound=float(info.mip_dual_bound), gap=gap, optimal=optimal,
                    seconds=time.perf_counter() - started)


def maximal_covering(problem: Problem, posts: int, *, time_limit_s: float) -> Solution:
    """Exactly ``posts`` new sites that together cover the most weight not covered today."""
    started = time.perf_counter()
    k = problem.cover.shape[1]
    if posts < 1 or posts > k:
        raise Infeasible("posts_out_of_range")
    rows = _open(problem)
    sub = problem.cover[rows]
    useful = np.flatnonzero(np.asarray(sub.sum(axis=1)).ravel() > 0)
    sub, merged = _merged(csr_array(sub[useful]), problem.weights[rows[useful]])
    m = sub.shape[0]
    # Rows: y_i - sum_j a_ij x_j <= 0 for each demand point, then sum_j x_j = posts.
    top = hstack([-sub, identity(m, format="csr")], format="csr")
    count = hstack([csr_array(np.ones((1, k))), csr_array((1, m))], format="csr")
    matrix = csc_array(vstack([top, count], format="csc"))
    cost = np.concatenate([np.zeros(k), merged])
    solver, values = _solve(matrix, cost, np.zeros(k + m), np.ones(k + m),
                            np.concatenate([np.full(m, -np.inf), [posts]]),
                            np.concatenate([np.zeros(m), [posts]]), k, True, time_limit_s)
    return _outcome(solver, values, problem, started)


def set_covering(problem: Problem, *, time_limit_s: float, skip_unreachable: bool = False) -> Solution:
    """The fewest new sites that cover every weighted demand point not covered today.

    A point no candidate covers makes the problem infeasible (``Infeasible.unreachable`` names them) unless
    ``skip_unreachable``, which leaves such points out.
    """
    started = time.perf_counter()
    k = problem.cover.shape[1]
    rows = _open(problem)
    sub = problem.cover[rows]
    reachable = np.asarray(sub.sum(axis=1)).ravel() > 0
    if not reachable.all() and not skip_unreachable:
        raise Infeasible("unreachable", rows[~reachable])
    sub, _ = _merged(csr_array(sub[reachable]), problem.weights[rows[reachable]])
    if not sub.shape[0]:
        return Solution(chosen=[], covered=problem.covered_before.copy(), objective=0.0, bound=0.0, gap=0.0,
                        optimal=True, seconds=time.perf_counter() - started)
    matrix = csc_array(sub.astype(np.float64))
    solver, values = _solve(matrix, np.ones(k), np.zeros(k), np.ones(k), np.ones(sub.shape[0]),
                            np.full(sub.shape[0], np.inf), k, False, time_limit_s)
    return _outcome(solver, values, problem, started)
