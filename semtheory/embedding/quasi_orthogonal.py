"""Quasi-orthogonal directions: cap probabilities and the exponential count of near-orthogonal vectors.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import betainc

from ..core.types import SeedLike
from .._validate import (
    as_rng,
    check_flag,
    check_int,
)
from ._common import check_eps

# ==============================================================================================
# Quasi-orthogonal directions
# ==============================================================================================


def cap_probability(d: int, eps: float) -> float:
    r"""Exact :math:`\Pr[\,|\langle x, y\rangle| \ge \varepsilon\,]` for independent uniform unit vectors in :math:`\R^d`.

    :math:`\langle x, y\rangle^2 \sim \mathrm{Beta}(\tfrac12, \tfrac{d-1}2)`, so the probability is the
    regularised incomplete beta function :math:`I_{1-\varepsilon^2}(\tfrac{d-1}2, \tfrac12)` (1 for
    :math:`d = 1`).  Chapter 9.

    Parameters
    ----------
    d : int
        Dimension, at least 1.
    eps : float
        Cosine threshold, ``0 < eps < 1``.

    Returns
    -------
    float
        The probability, in :math:`[0, 1]`.
    """
    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    if d == 1:
        return 1.0
    return float(betainc((d - 1) / 2, 0.5, 1 - e * e))


def cap_bound(d: int, eps: float) -> float:
    r"""Upper bound :math:`\min(1, 2e^{-d\varepsilon^2/2})` on :func:`cap_probability`.

    Each of the two caps :math:`\{x : \langle x, y\rangle \ge \varepsilon\}` of the sphere :math:`S^{d-1}`
    has normalised measure at most :math:`e^{-d\varepsilon^2/2}` (Ball 1997).  Chapter 9.

    Parameters
    ----------
    d : int
        Dimension, at least 1.
    eps : float
        Cosine threshold, ``0 < eps < 1``.

    Returns
    -------
    float
        The bound, a probability in :math:`[0, 1]` (capped at 1).

    Examples
    --------
    >>> cap_probability(100, 0.5) <= cap_bound(100, 0.5)
    True
    """
    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    return min(1.0, 2 * math.exp(-d * e * e / 2))


def quasi_orthogonal_bound(d: int, eps: float, *, exact: bool = False, log: bool = False) -> float:
    r"""A lower bound on :math:`M(d, \varepsilon)`, the largest number of unit vectors in :math:`\R^d` with pairwise :math:`|\cos| \le \varepsilon`.

    Deletion method: draw :math:`N` independent uniform unit vectors and delete one vector of every pair with
    :math:`|\cos| > \varepsilon`; the expected number of such pairs is :math:`\binom N2 q`, with :math:`q` the
    cap probability, so some draw keeps at least :math:`N - \binom N2 q` vectors.

    * ``exact=False``: with Ball's bound :math:`q \le 2e^{-d\varepsilon^2/2}` and
      :math:`N = \lfloor e^{d\varepsilon^2/2}/2 \rfloor`, :math:`M(d,\varepsilon) \ge N/2`; together with the
      trivial :math:`M \ge 1` (one vector), the value returned is exactly the bound of the chapter's theorem,
      :math:`\max\{1, \tfrac12\lfloor e^{d\varepsilon^2/2}/2\rfloor\}`, about :math:`e^{d\varepsilon^2/2}/4`:
      exponential in :math:`d`.
    * ``exact=True``: :math:`\max_{N \ge 1} \lceil N - \binom N2 q \rceil` with the exact :math:`q` of
      :func:`cap_probability` (the maximiser is :math:`\lfloor 1/q + 1/2\rfloor` or :math:`\lceil 1/q + 1/2\rceil`);
      never below the ``exact=False`` value, since :math:`q \le 2e^{-d\varepsilon^2/2}`.

    Neither counts the trivial :math:`M \ge d` of an orthonormal basis.  ``log=True`` returns the natural log
    of the bound (for ``exact=False`` only; useful when it overflows a float).  Chapter 9.

    Parameters
    ----------
    d : int
        Dimension, at least 1.
    eps : float
        Largest allowed :math:`|\cos|` between two vectors, ``0 < eps < 1``.
    exact : bool, keyword-only, default False
        Use the exact cap probability instead of Ball's bound.
    log : bool, keyword-only, default False
        Return the natural logarithm of the bound (``exact=False`` only).

    Returns
    -------
    float
        A lower bound on the number of vectors (a count, ``inf`` when it overflows a float), or its natural log
        when ``log=True``.

    Examples
    --------
    >>> quasi_orthogonal_bound(200, 0.2)  # floor(e^4 / 2) / 2
    13.5
    """
    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    exact, log = check_flag(exact, "exact"), check_flag(log, "log")
    x = d * e * e / 2
    if log:
        if exact:
            raise ValueError("log=True is available for exact=False only")
        if x > 700:
            return x - math.log(4.0)  # floor(e^x/2)/2 = e^x/4 to within a relative e^{-x}
        return math.log(max(math.floor(math.exp(x) / 2) / 2, 1.0))
    if not exact:
        if x > 700:
            return math.inf
        return max(math.floor(math.exp(x) / 2) / 2, 1.0)
    q = cap_probability(d, e)
    if q <= 0:
        return math.inf
    best = 1.0
    c = 1 / q + 0.5
    for N in {max(1, math.floor(c)), max(1, math.ceil(c))}:
        best = max(best, math.ceil(N - N * (N - 1) / 2 * q - 1e-12))
    return float(best)


def greedy_quasi_orthogonal(d: int, eps: float, n_samples: int, *, seed: SeedLike = None, chunk: int = 256) -> np.ndarray:
    r"""Greedy packing: draw ``n_samples`` uniform unit vectors in :math:`\R^d` one by one and keep each one whose :math:`|\cos|` with every kept vector is at most ``eps``.

    Returns the kept vectors (rows).  Their number is a *lower* bound on :math:`M(d, \varepsilon)` that
    grows with ``n_samples``.  Candidates are screened against the kept set in vectorised batches and then
    accepted in order, so the result is exactly the sequential greedy one; deterministic under ``seed``.
    Chapter 9.

    Parameters
    ----------
    d : int
        Dimension, at least 1.
    eps : float
        Largest allowed :math:`|\cos|` between two kept vectors, ``0 < eps < 1``.
    n_samples : int
        Number of candidate vectors drawn, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws (None: fresh entropy).
    chunk : int, keyword-only, default 256
        Candidates screened per vectorised batch (speed only; the result does not depend on it).

    Returns
    -------
    numpy.ndarray, shape (n_kept, d)
        The kept unit vectors, in the order they were accepted.
    """
    d = check_int(d, "d", minimum=1)
    e = check_eps(eps)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    chunk = check_int(chunk, "chunk", minimum=1)
    rng = as_rng(seed)
    kept = np.empty((0, d))
    done = 0
    while done < n_samples:
        b = min(chunk, n_samples - done)
        C = rng.standard_normal((b, d))
        C /= np.linalg.norm(C, axis=1, keepdims=True)
        done += b
        if len(kept):
            C = C[np.abs(C @ kept.T).max(axis=1) <= e]
        if not len(C):
            continue
        G = np.abs(C @ C.T)
        acc: list[int] = []
        for i in range(len(C)):
            if all(G[i, j] <= e for j in acc):
                acc.append(i)
        kept = np.vstack([kept, C[acc]])
    return kept
