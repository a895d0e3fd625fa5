r"""Cover's function counting and the linear separability of labelled point sets (chapter 13).

:func:`cover_count` and :func:`cover_fraction` give Cover's exact count of the homogeneously separable dichotomies
of points in general position; :func:`is_linearly_separable` decides one labelled set by a linear program,
:func:`count_separable_dichotomies` counts them by brute force, and :func:`separability_sweep` estimates the
separable fraction of random instances.  :func:`random_patterns` draws the patterns every file of
:mod:`semtheory.capacity` stores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize

from .._validate import as_real_array, as_rng, as_spins, check_int

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, SeedLike


def cover_count(P: int, N: int) -> int:
    r"""Cover's count :math:`C(P,N) = 2\sum_{k=0}^{N-1}\binom{P-1}{k}` of homogeneously separable dichotomies.

    The number of the :math:`2^P` labellings of ``P`` points in general position in
    :math:`\mathbb{R}^N` that a perceptron :math:`\operatorname{sgn}(w\cdot x)` realises (Cover 1965).
    Exact Python integer; equals :math:`2^P` for :math:`P \le N`.  Satisfies the recursion
    :math:`C(P+1,N) = C(P,N) + C(P,N-1)` (with :math:`C(P,0) = 0`).  Chapter 13.

    Parameters
    ----------
    P : int
        The number of points, at least 1.
    N : int
        The dimension of the input space (the number of weights), at least 1.

    Returns
    -------
    int
        :math:`C(P, N)`, a count of dichotomies (exact).

    Examples
    --------
    >>> cover_count(4, 2)
    8
    >>> cover_count(3, 5) == 2 ** 3
    True
    """
    P = check_int(P, "P", minimum=1)
    N = check_int(N, "N", minimum=1)
    return 2 * sum(math.comb(P - 1, k) for k in range(min(N, P)))


def cover_fraction(P: int, N: int) -> Fraction:
    r"""The separable fraction :math:`C(P,N)/2^P` as an exact :class:`fractions.Fraction`.

    The probability that a uniformly random labelling of ``P`` points in general position in
    :math:`\mathbb{R}^N` is linearly separable (through the origin).  Exactly :math:`1/2` at
    :math:`P = 2N`; tends to 1 for :math:`P/N < 2` and 0 for :math:`P/N > 2` as :math:`N\to\infty`.
    Chapter 13.

    Parameters
    ----------
    P : int
        The number of points, at least 1.
    N : int
        The dimension of the input space, at least 1.

    Returns
    -------
    fractions.Fraction
        :math:`C(P,N)/2^P`, a probability (exact).

    Examples
    --------
    >>> cover_fraction(10, 5)
    Fraction(1, 2)
    """
    return Fraction(cover_count(P, N), 2 ** check_int(P, "P", minimum=1))


def random_patterns(P: int, N: int, *, kind: str = "gaussian", seed: SeedLike = None) -> FloatArray:
    r"""``P`` random patterns in :math:`\mathbb{R}^N` as a ``(P, N)`` float array.

    ``kind="gaussian"``: i.i.d. standard normal entries (in general position with probability 1);
    ``kind="binary"``: i.i.d. uniform :math:`\pm 1` entries (not always in general position for
    small ``N``).  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    P : int
        The number of patterns, at least 1.
    N : int
        The dimension of each pattern, at least 1.
    kind : {'gaussian', 'binary'}, keyword-only, default 'gaussian'
        Standard normal or uniform :math:`\pm1` entries.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the random draw.

    Returns
    -------
    numpy.ndarray, shape (P, N)
        The patterns, one per row (float).

    Examples
    --------
    >>> random_patterns(3, 4, kind="binary", seed=0).shape
    (3, 4)
    """
    P = check_int(P, "P", minimum=1)
    N = check_int(N, "N", minimum=1)
    rng = as_rng(seed)
    if kind == "gaussian":
        return rng.standard_normal((P, N))
    if kind == "binary":
        return rng.choice(np.array([-1.0, 1.0]), size=(P, N))
    raise ValueError(f"kind must be 'gaussian' or 'binary', got {kind!r}")


def _separable(A: np.ndarray) -> bool:
    """Is there w with A w >= 1 (rows A_mu = y_mu x_mu)?  A cheap certificate first, then an LP."""
    P, N = A.shape
    # least-squares certificate: if the min-norm solution of A w = 1 already has A w > 0, it separates
    w, *_ = np.linalg.lstsq(A, np.ones(P), rcond=None)
    margins = A @ w
    if np.all(margins > 1e-9 * max(1.0, np.abs(margins).max())):
        return True
    for method in ("highs-ds", "highs-ipm"):
        res = optimize.linprog(np.zeros(N), A_ub=-A, b_ub=-np.ones(P), bounds=[(None, None)] * N, method=method)
        if res.status == 0:
            return True
        if res.status == 2:
            return False
    # both HiGHS solvers undecided (rare, ill-conditioned): the bounded max-margin LP
    # max t  s.t.  A w >= t,  -1 <= w <= 1,  t <= 1   is always feasible; separable iff t* > 0
    res = optimize.linprog(np.r_[np.zeros(N), -1.0], A_ub=np.c_[-A, np.ones(P)], b_ub=np.zeros(P),
                           bounds=[(-1.0, 1.0)] * N + [(None, 1.0)], method="highs")
    if res.status != 0:  # pragma: no cover - should not happen for a feasible bounded LP
        raise RuntimeError(f"linprog failed to decide separability: {res.message}")
    return bool(-res.fun > 1e-9)


def is_linearly_separable(X: ArrayLike, y: ArrayLike) -> bool:
    r"""Is there :math:`w\in\mathbb{R}^N` with :math:`y_\mu\, w\cdot x_\mu \ge 1` for every row :math:`x_\mu` of ``X``?

    The dichotomy ``y`` (a vector of :math:`\pm1`) of the points ``X`` (shape ``(P, N)``) is
    homogeneously linearly separable iff this linear program is feasible (scaling :math:`w` turns any
    strict separator into one with margin 1).  Decided by ``scipy.optimize.linprog`` (HiGHS dual
    simplex) after a least-squares certificate.  Chapter 13.

    Parameters
    ----------
    X : array_like, shape (P, N)
        The points, one per row (finite reals).
    y : array_like, shape (P,)
        The labels, each +1 or -1.

    Returns
    -------
    bool
        Whether some :math:`w` separates the dichotomy through the origin.

    Examples
    --------
    >>> is_linearly_separable([[1.0, 0.0], [0.0, 1.0]], [1, -1])
    True
    >>> is_linearly_separable([[1.0, 0.0], [2.0, 0.0]], [1, -1])
    False
    """
    X = as_real_array(X, "X", ndim=2)
    y = as_spins(y, "y", shape=(X.shape[0],))
    return _separable(y[:, None] * X)


def count_separable_dichotomies(X: ArrayLike) -> int:
    r"""Brute force: the number of the :math:`2^P` dichotomies of the rows of ``X`` that are separable.

    Enumerates every labelling (using the symmetry :math:`y \mapsto -y`, so :math:`2^{P-1}` linear
    programs) and tests each with :func:`is_linearly_separable`.  For points in general position it
    equals :func:`cover_count`.  ``P`` is limited to 16.  Chapter 13 (tests).

    Parameters
    ----------
    X : array_like, shape (P, N)
        The points, one per row (finite reals), :math:`1 \le P \le 16`.

    Returns
    -------
    int
        The number of separable dichotomies (a count, even).

    Examples
    --------
    >>> count_separable_dichotomies(random_patterns(4, 2, seed=0)) == cover_count(4, 2)
    True
    """
    X = as_real_array(X, "X", ndim=2)
    P = X.shape[0]
    check_int(P, "X (number of rows P)", maximum=16)
    count = 0
    for bits in range(2 ** (P - 1)):
        y = np.array([1.0] + [1.0 if (bits >> k) & 1 else -1.0 for k in range(P - 1)])
        if _separable(y[:, None] * X):
            count += 2
    return count


def separability_sweep(N: int, P_values: Sequence[int], *, repeats: int = 50, kind: str = "gaussian",
                       seed: SeedLike = None) -> FloatArray:
    r"""Empirical separable fraction at each ``P`` in ``P_values``: ``repeats`` random instances each.

    Every instance draws ``P`` random patterns in :math:`\mathbb{R}^N` (:func:`random_patterns`,
    ``kind`` gaussian or binary) and uniformly random labels, and records whether the dichotomy is
    linearly separable (:func:`is_linearly_separable`).  Returns the fractions (float array, same
    length as ``P_values``); each has binomial standard error :math:`\sqrt{f(1-f)/\text{repeats}}`.
    Compare with :func:`cover_fraction`.  Deterministic under ``seed``.  Chapter 13.

    Parameters
    ----------
    N : int
        The dimension, at least 1.
    P_values : sequence of int, shape (k,)
        The numbers of points to try, each at least 1.
    repeats : int, keyword-only, default 50
        Random instances per value of ``P``.
    kind : {'gaussian', 'binary'}, keyword-only, default 'gaussian'
        The pattern distribution (:func:`random_patterns`).
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the instances.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The separable fractions (probabilities), one per entry of ``P_values``.
    """
    N = check_int(N, "N", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=1)
    Ps = np.atleast_1d(np.asarray(P_values))
    if Ps.ndim != 1 or Ps.size == 0:
        raise ValueError(f"P_values must be a non-empty 1-D sequence of ints, got shape {Ps.shape}")
    Ps = [check_int(p, "P_values", minimum=1) for p in Ps.tolist()]
    if kind not in ("gaussian", "binary"):
        raise ValueError(f"kind must be 'gaussian' or 'binary', got {kind!r}")
    rng = as_rng(seed)
    out = np.empty(len(Ps))
    for j, P in enumerate(Ps):
        hits = 0
        for _ in range(repeats):
            X = random_patterns(P, N, kind=kind, seed=rng)
            y = rng.choice(np.array([-1.0, 1.0]), size=P)
            hits += _separable(y[:, None] * X)
        out[j] = hits / repeats
    return out
