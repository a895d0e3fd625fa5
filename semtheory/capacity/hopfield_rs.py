r"""The Hebbian Hopfield network's replica-symmetric theory (Amit, Gutfreund & Sompolinsky): the retrieval
solution at :math:`T = 0`, the capacity :math:`\alpha_c \approx 0.138`, and the overlap at finite temperature
(chapter 13).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import optimize, special

from .._validate import as_real_array, check_int, check_positive
from ._common import float_or_array

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


class RSSolution(NamedTuple):
    r"""A zero-temperature replica-symmetric retrieval solution of the Hebbian Hopfield network.

    ``alpha`` the load :math:`P/N`; ``m`` the overlap with the retrieved pattern; ``C`` the
    susceptibility-like order parameter; ``r`` the (rescaled) spin-glass order parameter of the
    non-condensed patterns; ``y`` :math:`= m/\sqrt{2\alpha r}`.

    Attributes
    ----------
    alpha : float
        The load :math:`P/N` (dimensionless).
    m : float
        The overlap with the retrieved pattern, in :math:`[0, 1]`.
    C : float
        The susceptibility-like order parameter.
    r : float
        The rescaled spin-glass order parameter of the non-condensed patterns.
    y : float
        :math:`m/\sqrt{2\alpha r}`.
    """

    alpha: float
    m: float
    C: float
    r: float
    y: float


def hopfield_rs_gain(y: ArrayLike) -> float | FloatArray:
    r""":math:`g(y) = \operatorname{erf}(y)/y - (2/\sqrt\pi)\,e^{-y^2}` for :math:`y > 0` (vectorised).

    The AGS zero-temperature equations reduce to :math:`m = \operatorname{erf}(y)`,
    :math:`\sqrt{2\alpha} = g(y)`.  :math:`g > 0`, :math:`g(0^+) = 0`, :math:`g(y)\sim 1/y` at
    infinity, with a single maximum.  Chapter 13.

    Parameters
    ----------
    y : float or array_like
        Positive reals.

    Returns
    -------
    float or numpy.ndarray
        :math:`g(y)` (dimensionless), a float for a scalar ``y``.
    """
    yy = as_real_array(y, "y")
    if np.any(yy <= 0):
        raise ValueError("y must be > 0")
    return float_or_array(special.erf(yy) / yy - 2.0 / math.sqrt(math.pi) * np.exp(-(yy**2)), y)


def _rs_peak() -> float:
    res = optimize.minimize_scalar(lambda y: -hopfield_rs_gain(y), bounds=(0.2, 5.0), method="bounded",
                                   options={"xatol": 1e-12})
    return float(res.x)


def _rs_from_y(y: float, alpha: float) -> RSSolution:
    m = float(special.erf(y))
    r = m**2 / (2.0 * alpha * y**2)
    C = 1.0 - 1.0 / math.sqrt(r)
    return RSSolution(alpha=alpha, m=m, C=C, r=r, y=y)


def hopfield_rs_capacity() -> RSSolution:
    r"""The replica-symmetric storage capacity of the Hebbian Hopfield network at :math:`T = 0`.

    Maximises :math:`g(y)` (:func:`hopfield_rs_gain`) numerically; returns the solution at the
    largest load with a retrieval state, :math:`\alpha_c = g(y^\ast)^2/2 \approx 0.138`
    (Amit, Gutfreund & Sompolinsky 1985), with its overlap :math:`m_c = \operatorname{erf}(y^\ast)`.
    Chapter 13.

    Returns
    -------
    RSSolution
        The retrieval solution at the critical load; its ``alpha`` is :math:`\alpha_c` (dimensionless).

    Examples
    --------
    >>> round(hopfield_rs_capacity().alpha, 3)
    0.138
    """
    y = _rs_peak()
    alpha = float(hopfield_rs_gain(y)) ** 2 / 2.0
    return _rs_from_y(y, alpha)


def hopfield_rs_solution(alpha: float) -> RSSolution:
    r"""The retrieval solution :math:`(m, C, r)` of the AGS zero-temperature equations at load ``alpha``.

    Solves :math:`g(y) = \sqrt{2\alpha}` on the stable branch :math:`y > y^\ast` (the larger overlap)
    with ``brentq``, then :math:`m = \operatorname{erf}(y)`, :math:`r = m^2/(2\alpha y^2)`,
    :math:`C = 1 - r^{-1/2}`.  ``alpha`` must lie in :math:`(0, \alpha_c]`; above :math:`\alpha_c` there
    is no retrieval solution and a ``ValueError`` is raised.  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, \alpha_c]`.

    Returns
    -------
    RSSolution
        The retrieval solution at ``alpha``.

    Examples
    --------
    >>> bool(abs(hopfield_rs_residuals(hopfield_rs_solution(0.1))).max() < 1e-9)
    True
    """
    alpha = check_positive(alpha, "alpha")
    cap = hopfield_rs_capacity()
    if alpha > cap.alpha * (1 + 1e-12):
        raise ValueError(f"alpha = {alpha!r} exceeds the RS capacity {cap.alpha:.6f}: no retrieval solution")
    if alpha >= cap.alpha:
        return _rs_from_y(cap.y, alpha)
    target = math.sqrt(2.0 * alpha)
    hi = max(2.0 * cap.y, 2.0 / target)  # g(y) < 1/y, so g(hi) < target
    y = optimize.brentq(lambda t: hopfield_rs_gain(t) - target, cap.y, hi, xtol=1e-14, rtol=1e-14)
    return _rs_from_y(float(y), alpha)


def hopfield_rs_overlap(alpha: ArrayLike) -> float | FloatArray:
    r"""The RS retrieval overlap :math:`m(\alpha)` at :math:`T=0` (vectorised), 0 above :math:`\alpha_c`.

    :math:`m(0) = 1`; :math:`m` decreases to :math:`m_c \approx 0.967` at :math:`\alpha_c` and then
    jumps to 0 (only the non-retrieval solution remains).  Chapter 13.

    Parameters
    ----------
    alpha : float or array_like
        The load(s) :math:`P/N \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The overlap(s) :math:`m(\alpha)` in :math:`[0, 1]`, a float for a scalar ``alpha``.
    """
    a = as_real_array(alpha, "alpha")
    if np.any(a < 0):
        raise ValueError("alpha must be >= 0")
    cap = hopfield_rs_capacity().alpha
    out = np.array([1.0 if v == 0 else (hopfield_rs_solution(v).m if v <= cap else 0.0) for v in a.ravel()])
    return float_or_array(out.reshape(a.shape), alpha)


def hopfield_rs_residuals(sol: RSSolution) -> FloatArray:
    r"""Residuals of the three AGS equations at ``sol`` (all zero at a solution).

    Returns :math:`[\,m - \operatorname{erf}(m/\sqrt{2\alpha r}),\; C - \sqrt{2/(\pi\alpha r)}\,
    e^{-m^2/(2\alpha r)},\; r - (1-C)^{-2}\,]`.  Chapter 13.

    Parameters
    ----------
    sol : RSSolution
        A candidate solution (``alpha > 0``, ``r > 0``, ``C != 1``).

    Returns
    -------
    numpy.ndarray, shape (3,)
        The three residuals (dimensionless).
    """
    if not isinstance(sol, RSSolution):
        raise ValueError(f"sol must be an RSSolution, got {type(sol).__name__}")
    a, m, C, r = sol.alpha, sol.m, sol.C, sol.r
    if not (a > 0 and r > 0 and C != 1):
        raise ValueError("sol must have alpha > 0, r > 0 and C != 1")
    s = 2.0 * a * r
    return np.array([
        m - math.erf(m / math.sqrt(s)),
        C - math.sqrt(2.0 / (math.pi * a * r)) * math.exp(-m * m / s),
        r - 1.0 / (1.0 - C) ** 2,
    ])


def hopfield_rs_finite_temperature(alphas: ArrayLike, temperatures: ArrayLike, *, n_iter: int = 300,
                                   nodes: int = 200) -> FloatArray:
    r"""Replica-symmetric retrieval overlap :math:`m(\alpha, T)` of the Hebbian network on a grid (AGS 1987).

    At temperature :math:`T = 1/\beta` the replica-symmetric retrieval state solves

    .. math:: m = \int Dz\,\tanh\beta(m + \sqrt{\alpha r}\,z),\quad
              C = \beta\Bigl(1 - \int Dz\,\tanh^2\beta(m + \sqrt{\alpha r}\,z)\Bigr),\quad
              r = \frac{q}{(1 - C)^2},\ q = 1 - C/\beta

    (Amit, Gutfreund & Sompolinsky 1987; :math:`C = \beta(1-q)` stays finite as :math:`T \to 0`, where the
    equations become those of :func:`hopfield_rs_solution`).  Iterated from the pattern (:math:`m = 1`,
    :math:`C = 0`), damped, for all grid points at once, with Gauss–Legendre quadrature of ``nodes`` nodes on
    :math:`z \in [-10, 10]` (fine enough for the near-step integrand down to :math:`T \approx 0.05`); where no
    retrieval state exists the iteration falls to :math:`m = 0`.  Returns ``m`` of shape
    ``(len(temperatures), len(alphas))``.  :math:`\alpha \to 0` gives the Curie–Weiss equation
    :math:`m = \tanh(m/T)`.  Chapter 13.

    Parameters
    ----------
    alphas : array_like, shape (a,)
        The loads :math:`P/N \ge 0`.
    temperatures : array_like, shape (t,)
        The temperatures :math:`T > 0`.
    n_iter : int, keyword-only, default 300
        The number of damped iterations.
    nodes : int, keyword-only, default 200
        Gauss–Legendre nodes, at least 20.

    Returns
    -------
    numpy.ndarray, shape (t, a)
        The overlaps :math:`m(\alpha, T)` in :math:`[0, 1]`.
    """
    a = as_real_array(alphas, "alphas")
    T = as_real_array(temperatures, "temperatures")
    if a.ndim != 1 or np.any(a < 0):
        raise ValueError("alphas must be a 1-D array of loads >= 0")
    if T.ndim != 1 or np.any(T <= 0):
        raise ValueError("temperatures must be a 1-D array of temperatures > 0")
    n_iter = check_int(n_iter, "n_iter", minimum=1)
    z, w = np.polynomial.legendre.leggauss(check_int(nodes, "nodes", minimum=20))
    z, w = 10.0 * z, w * np.exp(-0.5 * (10.0 * z) ** 2)
    w = w / w.sum()
    A, B = np.meshgrid(a, 1.0 / T)  # (T, alpha)
    m, C = np.ones_like(A), np.zeros_like(A)
    for _ in range(n_iter):
        q = 1.0 - C / B
        r = q / np.maximum(1.0 - C, 1e-9) ** 2
        th = np.tanh(B[..., None] * (m[..., None] + np.sqrt(A * r)[..., None] * z))
        m = 0.5 * m + 0.5 * (th @ w)
        C = 0.5 * C + 0.5 * B * ((1.0 - th**2) @ w)
    return m
