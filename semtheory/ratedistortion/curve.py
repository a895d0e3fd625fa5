r"""Rate-distortion curves by Blahut–Arimoto over a grid of slopes: the single-letter curve (cold or warm
started) and the block (:math:`|\mathcal X|^n`-letter) curve of a sequence, with chord and certified lower
interpolation (chapter 5).  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validate import check_int, log_base
from ._common import (
    BAProblem,
    as_betas,
    as_distortion,
    as_source_law,
    ba_problem,
    check_flag,
    check_tol,
    gibbs_channel,
)
from .distortion import additive_distortion
from ..core.types import ArrayLike


_WARM_MIX = 1e-30  # uniform mass mixed into a warm start of rate_distortion_curve
_WARM_BUDGET = 0  # iterations a warm start may use before the point is solved from the uniform law
_WARM_PAUSE = 8  # points started cold after a warm start that failed its budget


class RDCurve(NamedTuple):
    r"""A rate-distortion curve traced by :func:`rate_distortion_curve` (points in increasing ``beta``).

    Arrays ``betas`` (nats per unit distortion), ``rate`` (units of ``base``, per symbol), ``distortion`` (per
    symbol), ``gap`` (certificate, units of ``base``), ``iterations``, ``converged``.  ``n`` is the block
    length the rates and distortions are divided by (1 for a single-letter curve).  :meth:`channel` rebuilds
    the test channel of a point exactly from its stored output marginal; ``n_points`` is the number of points.

    Attributes
    ----------
    betas : numpy.ndarray, shape (k,)
        The multipliers, increasing, in nats per unit of distortion.
    rate : numpy.ndarray, shape (k,)
        Rates per symbol, in units of log ``base``.
    distortion : numpy.ndarray, shape (k,)
        Distortions per symbol, in the units of the distortion matrix.
    gap : numpy.ndarray, shape (k,)
        Certificates per symbol, in units of log ``base``.
    iterations : numpy.ndarray, shape (k,)
        Iterations used at each point.
    converged : numpy.ndarray of bool, shape (k,)
        Whether each point met ``gap <= tol``.
    base : float
        Logarithm base of ``rate`` and ``gap``.
    n : int
        The block length the rates and distortions are divided by.
    log_outputs : numpy.ndarray, shape (k, ny)
        The log reproduction law :math:`\log r(y)` of each point, in nats (not shown in the repr).
    distortion_matrix : numpy.ndarray, shape (nx, ny)
        The distortion matrix the channels are rebuilt with (not shown in the repr).
    """

    betas: np.ndarray
    rate: np.ndarray
    distortion: np.ndarray
    gap: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    base: float
    n: int
    log_outputs: np.ndarray
    distortion_matrix: np.ndarray

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields[:8])
        return f"RDCurve({shown})"

    @property
    def n_points(self) -> int:
        """Number of points of the curve (the length of ``betas``)."""
        return int(self.betas.size)

    def channel(self, i: int) -> np.ndarray:
        r"""Test channel :math:`q(y \mid x) \propto r(y) e^{-\beta d(x,y)}` of point ``i`` (rows are pmfs).

        Parameters
        ----------
        i : int
            Index of the point, ``-n_points <= i < n_points``.

        Returns
        -------
        numpy.ndarray, shape (nx, ny)
            The test channel (dimensionless probabilities).
        """
        i = check_int(i, "i", minimum=-self.n_points, maximum=self.n_points - 1)
        return gibbs_channel(self.log_outputs[i], self.distortion_matrix, self.betas[i])

    def output(self, i: int) -> np.ndarray:
        r"""The reproduction law :math:`r(y)` that generated point ``i``'s channel.

        Parameters
        ----------
        i : int
            Index of the point, ``-n_points <= i < n_points``.

        Returns
        -------
        numpy.ndarray, shape (ny,)
            The reproduction pmf (dimensionless).
        """
        i = check_int(i, "i", minimum=-self.n_points, maximum=self.n_points - 1)
        return np.exp(self.log_outputs[i])

    @property
    def lagrangian(self) -> np.ndarray:
        r""":math:`R + \beta D` per symbol, in nats."""
        return self.rate * log_base(self.base) + self.betas * self.distortion

    def rate_at(self, D) -> np.ndarray:
        r"""Chord interpolation of the computed points at distortion(s) ``D`` (an upper bound on :math:`R(D)` by convexity).

        Outside the computed range: the rate of the nearest end.  Units of ``base``.
        """
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        order = np.argsort(self.distortion, kind="stable")
        return np.interp(D, self.distortion[order], self.rate[order])

    def rate_lower(self, D) -> np.ndarray:
        r"""Certified lower bound :math:`R(D) \ge \max_j [L_j - \beta_j D] / \ln b` from the supporting lines.

        ``L_j`` are the certified lower bounds on the Lagrangian (``lagrangian - gap``), so this never exceeds
        the true :math:`R(D)` (up to round-off).  Clipped at 0.  Units of ``base``.
        """
        D = np.asarray(D, dtype=float)
        if not np.isfinite(D).all():
            raise ValueError("D must be finite")
        lb = log_base(self.base)
        low = self.lagrangian - self.gap * lb
        vals = low[:, None] - self.betas[:, None] * D.reshape(1, -1)
        return np.maximum(vals.max(axis=0), 0.0).reshape(D.shape) / lb


def _trace(prob: BAProblem, betas: np.ndarray, lb: float, tol: float, max_iter: int, warm_start: bool, symbols: int,
           base: float, d_for_channel: np.ndarray) -> RDCurve:
    k = betas.size
    rate, dist, gap, its = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    logrs = np.zeros((k, prob.ny))
    logr = np.full(prob.ny, -math.log(prob.ny))
    skip_until = 0
    for i, beta in enumerate(betas):
        uniform = np.full(prob.ny, -math.log(prob.ny))
        if warm_start and i > 0 and betas[i - 1] > 0 and i >= skip_until:
            # a short certified attempt from the previous law (mixed with 1e-30 of the uniform law, so that no
            # reproduction starts from zero); if it is not certified within _WARM_BUDGET iterations the point
            # is solved from the uniform law in the same call, and the next _WARM_PAUSE points start cold, so
            # a warm start costs at most a few iterations more than a cold one over the whole curve
            start = np.logaddexp(logr + math.log1p(-_WARM_MIX), math.log(_WARM_MIX / prob.ny))
            r, dd, g, logr, it = prob.solve(float(beta), start, tol * lb * symbols, max_iter,
                                            restart=(_WARM_BUDGET, uniform))
            if it > _WARM_BUDGET:
                skip_until = i + 1 + _WARM_PAUSE
        else:
            r, dd, g, logr, it = prob.solve(float(beta), uniform, tol * lb * symbols, max_iter)
        rate[i], dist[i], gap[i], its[i] = r, dd, g, it
        logrs[i] = logr
    return RDCurve(
        betas=betas,
        rate=rate / lb / symbols,
        distortion=dist / symbols,
        gap=gap / lb / symbols,
        iterations=its,
        converged=gap <= tol * lb * symbols * (1 + 1e-12),
        base=float(base),
        n=symbols,
        log_outputs=logrs,
        distortion_matrix=d_for_channel,
    )


def rate_distortion_curve(p: ArrayLike, distortion: ArrayLike, betas: ArrayLike, *, base: float = 2,
        tol: float = 1e-9, max_iter: int = 100_000, warm_start: bool = False, accelerate: bool = True) -> RDCurve:
    r"""The whole curve :math:`\{(D_\beta, R(D_\beta))\}` over a grid of multipliers ``betas`` (nats per unit distortion).

    Runs :func:`blahut_arimoto` at each :math:`\beta` in increasing order, each from the uniform reproduction
    law and stopped by the certificate ``gap <= tol`` (units of ``base``).  ``warm_start=True`` first tries
    each point from the previous point's reproduction law (mixed with :math:`10^{-30}` of the uniform law so
    that no reproduction starts from zero) for four iterations; if that start is not certified by then the
    point is solved from the uniform law, and the next few points start cold.  It is *not* the default
    because on a fine lattice the previous law's far tails sit many orders of magnitude away from the new
    optimum and the accelerated iteration from a uniform start certifies in a handful of steps anyway; the
    bounded attempt keeps a warm curve within a few iterations of a cold one.
    ``accelerate`` as in :func:`blahut_arimoto`.  Returns an :class:`RDCurve` whose
    points are sorted by :math:`\beta` (so :math:`D` decreases and :math:`R` increases along it).  Rates in
    ``base``; distortions in the matrix's units.  Chapter 5.

    Parameters
    ----------
    p : array_like, shape (nx,)
        The source pmf.
    distortion : array_like, shape (nx, ny)
        Distortion matrix :math:`d(x, y)` (``+inf`` forbids a pair).
    betas : array_like, shape (k,)
        Multipliers :math:`\beta \ge 0`, in nats per unit of distortion (any order; sorted on output).
    base : float, keyword-only, default 2
        Logarithm base of the rates and gaps (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target per point (units of log ``base``).
    max_iter : int, keyword-only, default 100000
        Iteration limit per point.
    warm_start : bool, keyword-only, default False
        Try each point from the previous point's output law first.
    accelerate : bool, keyword-only, default True
        As in :func:`blahut_arimoto`.

    Returns
    -------
    RDCurve
        The points sorted by ``beta``: rates in units of log ``base`` (bits by default), distortions in the
        matrix's units.

    Examples
    --------
    >>> from semtheory.ratedistortion import hamming_distortion
    >>> c = rate_distortion_curve([0.5, 0.5], hamming_distortion(2), [1.0, 2.0, 4.0])
    >>> bool(c.converged.all()), bool((c.rate[1:] > c.rate[:-1]).all())
    (True, True)
    """
    lb = log_base(base)
    tol, max_iter = check_tol(tol, max_iter)
    prob = ba_problem(p, distortion)
    prob.accelerate = check_flag(accelerate, "accelerate")
    b = as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, check_flag(warm_start, "warm_start"), 1, base, prob.d_full)


def block_rate_distortion_curve(p_x: ArrayLike, distortion: ArrayLike, betas: ArrayLike, *, base: float = 2,
        tol: float = 1e-9, max_iter: int = 100_000) -> RDCurve:
    r"""Shannon's rate-distortion function of the :math:`n`-block, per symbol: :math:`R_n(D) = \frac1n \min I(X^n; Y^n)`.

    The minimum is over *all* test channels :math:`q(y^n \mid x^n)` with
    :math:`\frac1n \sum_t \mathbb E d(X_t, Y_t) \le D`: Blahut–Arimoto (:func:`rate_distortion_curve`) on the
    super-alphabet with the additive distortion :func:`additive_distortion`.  Same ``betas`` convention as
    the single-letter curve (nats per unit of per-symbol distortion), so it is directly comparable with
    :func:`directed_rate_distortion_curve`, which adds the causality constraint:
    :math:`R^{\mathrm{DI}}_n(D) \ge R_n(D)`.  Rates per symbol in ``base``.  Chapter 5.

    Parameters
    ----------
    p_x : array_like, shape (nx,) * n
        The law of :math:`X^n`, one axis per step, one alphabet.
    distortion : array_like, shape (nx, ny)
        Per-letter distortion matrix (``+inf`` forbids a pair).
    betas : array_like, shape (k,)
        Multipliers :math:`\beta \ge 0`, in nats per unit of per-symbol distortion.
    base : float, keyword-only, default 2
        Logarithm base of the rates and gaps (2: bits, e: nats).
    tol : float, keyword-only, default 1e-9
        Certificate target per point (units of log ``base``, per symbol).
    max_iter : int, keyword-only, default 100000
        Iteration limit per point.

    Returns
    -------
    RDCurve
        :math:`R_n` per symbol in units of log ``base`` (bits by default), ``symbols = n``; distortions per
        symbol in the matrix's units.
    """
    lb = log_base(base)
    tol, max_iter = check_tol(tol, max_iter)
    p = as_source_law(p_x)
    d = as_distortion(distortion, p.shape[0])
    n = p.ndim
    dn = additive_distortion(d, n)
    flat_d = dn.reshape(p.size, -1)
    prob = BAProblem(p.ravel(), flat_d)
    b = as_betas(betas)
    return _trace(prob, b, lb, tol, max_iter, False, n, base, flat_d)
