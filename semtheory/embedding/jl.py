"""Johnson--Lindenstrauss: Gaussian projections, their distortions, dimension and pair-failure bounds.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.types import ArrayLike, SeedLike
from .._validate import (
    as_rng,
    check_int,
)
from ._common import as_real_matrix, check_eps

# ==============================================================================================
# Johnson-Lindenstrauss
# ==============================================================================================


def gaussian_projection(X: ArrayLike, d: int, *, seed: SeedLike = None) -> np.ndarray:
    r"""Random linear map :math:`f(x) = Rx/\sqrt k` with i.i.d. standard normal :math:`R \in \R^{k\times D}`, applied to the rows of ``X``.

    For every fixed :math:`u \ne v` the ratio :math:`\|f(u)-f(v)\|^2/\|u-v\|^2` is distributed exactly as
    :math:`\chi^2_k/k` (mean 1).  Deterministic under ``seed``.  Chapter 9.

    Parameters
    ----------
    X : array_like, shape (m, D)
        The points, one per row (finite reals).
    d : int
        Target dimension, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the Gaussian matrix :math:`R` (None: fresh entropy).

    Returns
    -------
    numpy.ndarray, shape (m, k)
        The projected points :math:`f(x_i)`, in the units of ``X``.
    """
    A = as_real_matrix(X, "X")
    d = check_int(d, "d", minimum=1)
    R = as_rng(seed).standard_normal((d, A.shape[1]))
    return A @ R.T / math.sqrt(d)


def _pair_sq_dists(A: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(A.shape[0], 1)
    g = A @ A.T
    sq = np.diag(g)
    return np.maximum(sq[i] + sq[j] - 2 * g[i, j], 0.0)


def jl_distortions(X: ArrayLike, d: int, *, seed: SeedLike = None) -> np.ndarray:
    r"""Distortions :math:`\|f(x_i)-f(x_j)\|^2 / \|x_i - x_j\|^2` of all :math:`\binom m2` pairs under :func:`gaussian_projection`.

    The pairs are in ``numpy.triu_indices`` order; squared distances come from Gram matrices, so memory is
    :math:`O(m^2)`, not :math:`O(m^2 D)`.  ``X`` must hold at least two rows and no duplicate rows (a zero
    distance has no ratio).  Chapter 9.

    Parameters
    ----------
    X : array_like, shape (m, D)
        At least two distinct points, one per row.
    d : int
        Target dimension, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the projection (as in :func:`gaussian_projection`).

    Returns
    -------
    numpy.ndarray, shape (m (m - 1) / 2,)
        The ratio of squared distances after and before the projection for each pair (dimensionless).
    """
    A = as_real_matrix(X, "X")
    if A.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows (points), got {A.shape[0]}")
    d0 = _pair_sq_dists(A)
    sq = (A * A).sum(1)
    i, j = np.triu_indices(A.shape[0], 1)
    if not (d0 > 1e-12 * (sq[i] + sq[j])).all():
        raise ValueError("X has duplicate rows: their distance ratio is undefined")
    return _pair_sq_dists(gaussian_projection(A, d, seed=seed)) / d0


def jl_dimension(m: int, eps: float) -> int:
    r"""Dasgupta--Gupta target dimension :math:`k = \lceil 4\ln m / (\varepsilon^2/2 - \varepsilon^3/3) \rceil`.

    With this :math:`k`, a random projection preserves all :math:`\binom m2` squared distances of
    :math:`m \ge 2` points within :math:`1 \pm \varepsilon` with probability at least :math:`1/m` (each pair
    fails with probability at most :math:`2/m^2`; :func:`jl_pair_failure_bound`), so a good map exists
    (Johnson and Lindenstrauss 1984; Dasgupta and Gupta 2003).  ``0 < eps < 1``.  Chapter 9.

    Parameters
    ----------
    m : int
        Number of points, at least 2.
    eps : float
        Distortion, ``0 < eps < 1``.

    Returns
    -------
    int
        The target dimension :math:`k`.

    Examples
    --------
    >>> jl_dimension(1000, 0.5)
    332
    """
    m = check_int(m, "m", minimum=2)
    e = check_eps(eps)
    return int(math.ceil(4 * math.log(m) / (e * e / 2 - e**3 / 3)))


def jl_pair_failure_bound(d: int, eps: float) -> float:
    r"""Chernoff bound on :math:`\Pr[\,|\|f(u)-f(v)\|^2/\|u-v\|^2 - 1| > \varepsilon\,]` for one pair.

    :math:`e^{-k\varepsilon^2/4} + e^{-k(\varepsilon^2/2-\varepsilon^3/3)/2} \le 2e^{-k(\varepsilon^2/2-\varepsilon^3/3)/2}`
    (the lower and upper tails of Dasgupta and Gupta 2003, Lemma 2.2, with
    :math:`\ln(1-\varepsilon) \le -\varepsilon - \varepsilon^2/2` and
    :math:`\ln(1+\varepsilon) \le \varepsilon - \varepsilon^2/2 + \varepsilon^3/3`); the same Chernoff bounds
    hold for :math:`\chi^2_k/k`, so for Gaussian projections too.  Chapter 9.

    Parameters
    ----------
    d : int
        Target dimension, at least 1.
    eps : float
        Distortion, ``0 < eps < 1``.

    Returns
    -------
    float
        The bound, a probability in :math:`[0, 1]` (capped at 1).
    """
    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    return min(1.0, math.exp(-d * e * e / 4) + math.exp(-d * (e * e / 2 - e**3 / 3) / 2))


def jl_pair_failure_exact(d: int, eps: float) -> float:
    r"""Exact :math:`\Pr[\,|\chi^2_k/k - 1| > \varepsilon\,]`: the per-pair failure probability of :func:`gaussian_projection`.  Chapter 9.

    Parameters
    ----------
    d : int
        Target dimension, at least 1.
    eps : float
        Distortion, ``0 < eps < 1``.

    Returns
    -------
    float
        The exact failure probability of one pair, in :math:`[0, 1]`.
    """
    from scipy.special import chdtr, chdtrc  # scipy.stats.chi2's cdf and sf, without importing scipy.stats

    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    return float(chdtr(d, d * (1 - e)) + chdtrc(d, d * (1 + e)))
