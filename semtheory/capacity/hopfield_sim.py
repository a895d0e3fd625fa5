r"""The Hopfield network simulated: Hebbian and perceptron couplings, stabilities, zero-temperature dynamics
and the retrieval of stored patterns (chapter 13).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize

from .._validate import as_float, as_real_array, as_rng, as_spins, check_int, check_probability
from ._common import sign_keep
from .cover import random_patterns

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, SeedLike


def hebbian_couplings(patterns: ArrayLike) -> FloatArray:
    r"""Hebb's rule :math:`J_{ij} = \frac1N\sum_\mu \xi^\mu_i\xi^\mu_j` for :math:`i\ne j`, :math:`J_{ii} = 0`.

    ``patterns``: a ``(P, N)`` array of :math:`\pm1`.  Returns the symmetric ``(N, N)`` coupling
    matrix of the Hopfield network (Hopfield 1982).  Chapter 13.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
        The stored patterns, entries :math:`\pm1`.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        The symmetric coupling matrix, zero diagonal.

    Examples
    --------
    >>> hebbian_couplings([[1, -1, 1]])
    array([[ 0.        , -0.33333333,  0.33333333],
           [-0.33333333,  0.        , -0.33333333],
           [ 0.33333333, -0.33333333,  0.        ]])
    """
    xi = as_spins(patterns, "patterns", ndim=2)
    J = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(J, 0.0)
    return J


def perceptron_couplings(patterns: ArrayLike) -> FloatArray:
    r"""Couplings learned neuron by neuron that make every pattern a fixed point (Gardner's :math:`\kappa = 0` problem).

    For each neuron :math:`i` a linear program (``scipy.optimize.linprog``, HiGHS dual simplex) finds a row
    :math:`J_{i\cdot}` with :math:`J_{ii} = 0` and

    .. math:: \xi^\mu_i \sum_{j \ne i} J_{ij}\,\xi^\mu_j \ge 1 \quad\text{for every pattern } \mu,

    so that :math:`\operatorname{sgn}(J\xi^\mu) = \xi^\mu`.  Each row is a perceptron storing :math:`P` labelled
    patterns in :math:`N-1` inputs, feasible for random patterns up to :math:`P \approx 2N` (Gardner 1988).  The
    rows are solved independently, so :math:`J` is in general **not symmetric** (no energy function), and the
    program asks for no margin beyond scale, so the normalised stabilities (:func:`pattern_stabilities`) of the
    vertex solution can be close to 0.  ``patterns``: a ``(P, N)`` array of :math:`\pm1`.  Raises ``ValueError``
    (naming ``patterns``) if some neuron's program is infeasible.  Returns the ``(N, N)`` matrix.  Chapter 13.

    Parameters
    ----------
    patterns : array_like, shape (P, N)
        The patterns to store, entries :math:`\pm1`, :math:`N \ge 2`.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        The coupling matrix (zero diagonal, in general not symmetric).
    """
    xi = as_spins(patterns, "patterns", ndim=2)
    P, N = xi.shape
    if N < 2:
        raise ValueError(f"patterns must have at least 2 neurons (columns), got {N}")
    J = np.zeros((N, N))
    for i in range(N):
        others = np.r_[0:i, i + 1:N]
        A = xi[:, i:i + 1] * xi[:, others]
        res = optimize.linprog(np.zeros(N - 1), A_ub=-A, b_ub=-np.ones(P), bounds=[(None, None)] * (N - 1),
                               method="highs-ds")
        if res.status != 0:
            raise ValueError(f"patterns cannot all be fixed points: the program of neuron {i} is infeasible "
                             f"(status {res.status}); P/N = {P / N:.3g} is probably above capacity")
        J[i, others] = res.x
    return J


def pattern_stabilities(J: ArrayLike, patterns: ArrayLike) -> FloatArray:
    r"""Normalised stabilities :math:`\Delta^\mu_i = \xi^\mu_i \sum_j J_{ij}\xi^\mu_j / \lVert J_{i\cdot}\rVert_2`, shape ``(P, N)``.

    Gardner's stability of pattern :math:`\mu` at neuron :math:`i` (dimensionless, invariant under rescaling each
    row of :math:`J`); the pattern is a fixed point of :math:`\sigma \mapsto \operatorname{sgn}(J\sigma)` iff all
    :math:`\Delta^\mu_i > 0`, and a margin :math:`\kappa` means :math:`\min_i \Delta^\mu_i \ge \kappa` (with
    :math:`\pm1` patterns, :math:`\lVert\xi\rVert = \sqrt N`, this is Gardner's :math:`\xi J\cdot x/\sqrt N` at
    :math:`\lVert J_{i\cdot}\rVert^2 = N`).  Rows of :math:`J` must be non-zero.  Chapter 13.

    Parameters
    ----------
    J : array_like, shape (N, N)
        A finite coupling matrix with non-zero rows.
    patterns : array_like, shape (P, N)
        The patterns, entries :math:`\pm1`.

    Returns
    -------
    numpy.ndarray, shape (P, N)
        The stabilities :math:`\Delta^\mu_i` (dimensionless).
    """
    try:
        J = as_float(J, "J")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"J must be a square real matrix: {exc}") from None
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] == 0 or not np.all(np.isfinite(J)):
        raise ValueError(f"J must be a finite square matrix, got shape {J.shape}")
    xi = as_spins(patterns, "patterns", ndim=2)
    if xi.shape[1] != J.shape[0]:
        raise ValueError(f"patterns must have {J.shape[0]} columns (one per neuron), got {xi.shape[1]}")
    norms = np.linalg.norm(J, axis=1)
    if np.any(norms == 0):
        raise ValueError("J has a zero row: stabilities are undefined")
    return xi * (xi @ J.T) / norms


def hopfield_dynamics(J: ArrayLike, states: ArrayLike, *, mode: str = "async", max_iter: int = 100,
                      seed: SeedLike = None) -> FloatArray:
    r"""Zero-temperature dynamics :math:`\sigma_i \leftarrow \operatorname{sgn}(\sum_j J_{ij}\sigma_j)` until a fixed point.

    ``states``: ``(B, N)`` array of :math:`\pm1` (several runs at once; a tie keeps the spin).
    ``mode="async"``: sweeps through the spins in a random order (seeded), updating one at a time;
    the energy :math:`-\tfrac12\sigma^\top J\sigma` never increases, so a fixed point is reached.
    ``mode="sync"``: all spins at once (may end in a 2-cycle; stops after ``max_iter``).
    Returns the final states.  Chapter 13.

    Parameters
    ----------
    J : array_like, shape (N, N)
        A finite coupling matrix.
    states : array_like, shape (B, N)
        The initial states, entries :math:`\pm1`.
    mode : {'async', 'sync'}, keyword-only, default 'async'
        One spin at a time in a random order, or all at once.
    max_iter : int, keyword-only, default 100
        The most sweeps through the spins.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the update order (``mode='async'``).

    Returns
    -------
    numpy.ndarray, shape (B, N)
        The final states, entries :math:`\pm1`.
    """
    try:
        J = as_float(J, "J")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"J must be a square real matrix: {exc}") from None
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] == 0 or not np.all(np.isfinite(J)):
        raise ValueError(f"J must be a finite square matrix, got shape {J.shape}")
    s = as_spins(states, "states", ndim=2).copy()
    if s.shape[1] != J.shape[0]:
        raise ValueError(f"states must have {J.shape[0]} columns (one per neuron), got {s.shape[1]}")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    if mode not in ("async", "sync"):
        raise ValueError(f"mode must be 'async' or 'sync', got {mode!r}")
    rng = as_rng(seed)
    N = J.shape[0]
    if mode == "sync":
        for _ in range(max_iter):
            new = sign_keep(s @ J, s)
            if np.array_equal(new, s):
                break
            s = new
        return s
    h = s @ J  # J symmetric: local fields, kept up to date
    for _ in range(max_iter):
        order, k, changed = rng.permutation(N), 0, False
        while k < N:
            # spin i flips in run b iff h_bi s_bi < 0 (a tie, h = 0, keeps it); the fields change only at a
            # flip, so the next flip of the sweep is the first such spin in the order from k on: look ahead
            # in blocks of 64 spins and jump to it (the same updates, in the same order, as one at a time)
            rest = order[k:k + 64]
            unstable = h[:, rest] * s[:, rest] < 0
            hit = unstable.any(axis=0)
            if not hit.any():
                k += len(rest)
                continue
            j = int(np.argmax(hit))
            i, rows = rest[j], np.nonzero(unstable[:, j])[0]
            new = -s[rows, i]
            h[rows] += (2.0 * new)[:, None] * J[i][None, :]
            s[rows, i] = new
            changed, k = True, k + j + 1
        if not changed:
            break
    return s


def hopfield_retrieval(N: int, P: int, *, repeats: int = 1, probes: int | None = None, rho: float = 0.0,
                       mode: str = "async", max_iter: int = 100, seed: SeedLike = None) -> FloatArray:
    r"""Final overlaps :math:`m = \frac1N\xi^\mu\cdot\sigma` of Hebbian Hopfield networks started at (noisy) stored patterns.

    For each of ``repeats`` networks: ``P`` random :math:`\pm1` patterns of length ``N``, Hebbian
    couplings (:func:`hebbian_couplings`), and ``probes`` (default ``min(P, 10)``) of the stored
    patterns as initial states, each with :math:`\lfloor\rho N\rfloor` bits flipped; runs
    :func:`hopfield_dynamics` and returns the overlaps with the probed patterns, shape
    ``(repeats, probes)``.  The RS theory predicts :math:`m \approx 1` below
    :math:`\alpha_c\approx0.138` and a collapse above.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    P : int
        The number of stored patterns, at least 1.
    repeats : int, keyword-only, default 1
        The number of independent networks.
    probes : int or None, keyword-only
        Probed patterns per network, at most ``P`` (default ``min(P, 10)``).
    rho : float, keyword-only, default 0.0
        The fraction of flipped cue bits, in :math:`[0, 1/2)`.
    mode : {'async', 'sync'}, keyword-only, default 'async'
        The dynamics (:func:`hopfield_dynamics`).
    max_iter : int, keyword-only, default 100
        The most sweeps of the dynamics.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of patterns, cues and dynamics.

    Returns
    -------
    numpy.ndarray, shape (repeats, probes)
        The final overlaps, in :math:`[-1, 1]`.
    """
    N = check_int(N, "N", minimum=2)
    P = check_int(P, "P", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=1)
    probes = min(P, 10) if probes is None else check_int(probes, "probes", minimum=1, maximum=P)
    rho = check_probability(rho, "rho")
    if rho >= 0.5:
        raise ValueError(f"rho must be < 1/2 (a cue must be closer to its pattern than to its negative), got {rho!r}")
    rng = as_rng(seed)
    out = np.empty((repeats, probes))
    nflip = int(math.floor(rho * N))
    for t in range(repeats):
        xi = random_patterns(P, N, kind="binary", seed=rng)
        J = hebbian_couplings(xi)
        s0 = xi[:probes].copy()
        for b in range(probes):
            if nflip:
                s0[b, rng.choice(N, nflip, replace=False)] *= -1.0
        s = hopfield_dynamics(J, s0, mode=mode, max_iter=max_iter, seed=rng)
        out[t] = np.einsum("bn,bn->b", s, xi[:probes]) / N
    return out


def hopfield_overlap_sweep(N: int, alphas: ArrayLike, *, repeats: int = 2, probes: int = 10, mode: str = "async",
                           seed: SeedLike = None) -> FloatArray:
    r"""Mean final overlap of :func:`hopfield_retrieval` at each load in ``alphas`` (``P = round(alpha N)``, at least 1).

    Returns a float array like ``alphas``.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The number of neurons, at least 2.
    alphas : array_like, shape (k,)
        The loads :math:`P/N > 0`.
    repeats : int, keyword-only, default 2
        Networks per load.
    probes : int, keyword-only, default 10
        Probed patterns per network (at most ``P``).
    mode : {'async', 'sync'}, keyword-only, default 'async'
        The dynamics (:func:`hopfield_dynamics`).
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the whole sweep.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The mean final overlaps, in :math:`[-1, 1]`.
    """
    N = check_int(N, "N", minimum=2)
    a = as_real_array(alphas, "alphas")
    if a.ndim != 1 or np.any(a <= 0):
        raise ValueError("alphas must be a 1-D array of loads > 0")
    probes = check_int(probes, "probes", minimum=1)
    rng = as_rng(seed)
    out = np.empty(a.size)
    for j, al in enumerate(a):
        P = max(1, int(round(al * N)))
        out[j] = hopfield_retrieval(N, P, repeats=repeats, probes=min(probes, P), mode=mode, seed=rng).mean()
    return out
