r"""Gardner's capacity of the spherical perceptron: the margin integral, its closed form and the
replica-symmetric load of an overlap (chapter 13).

:func:`gardner_alpha` is :math:`\alpha_c(\kappa) = [\int_{-\kappa}^\infty Dt\,(t+\kappa)^2]^{-1}`, with the integral in
closed form (:func:`gardner_integral`) and by quadrature (:func:`gardner_integral_quad`); :func:`gardner_margin`
inverts it, and :func:`gardner_rs_load` reaches it from the saddle point of Gardner's volume.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import integrate, optimize, special

from .._validate import as_real_array, check_positive
from ._common import float_or_array

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def gardner_integral(kappa: ArrayLike) -> float | FloatArray:
    r"""Closed form of :math:`\int_{-\kappa}^{\infty} Dt\,(t+\kappa)^2 = (1+\kappa^2)\Phi(\kappa) + \kappa\varphi(\kappa)`.

    :math:`\Phi(\kappa) = \tfrac12\operatorname{erfc}(-\kappa/\sqrt2)` is the standard normal CDF and
    :math:`\varphi(\kappa) = e^{-\kappa^2/2}/\sqrt{2\pi}` its density.  Valid for every real
    :math:`\kappa` (vectorised; a scalar in gives a float out).  The sympy derivation
    ``semtheory.symbolic.capacity.gardner_integral_closed_form`` proves it.  Chapter 13.

    Parameters
    ----------
    kappa : float or array_like
        The margin(s) :math:`\kappa` (finite reals).

    Returns
    -------
    float or numpy.ndarray
        The integral (dimensionless), a float for a scalar ``kappa``, else an array of its shape.

    Examples
    --------
    >>> gardner_integral(0.0)
    0.5
    """
    k = as_real_array(kappa, "kappa")
    val = (1.0 + k**2) * 0.5 * special.erfc(-k / _SQRT2) + k * np.exp(-0.5 * k**2) / _SQRT2PI
    return float_or_array(val, kappa)


def gardner_integral_quad(kappa: float) -> float:
    r"""The same integral :math:`\int_{-\kappa}^{\infty} (t+\kappa)^2\varphi(t)\,dt` by ``scipy.integrate.quad`` (scalar).

    The numerical counterpart used to check :func:`gardner_integral`.  Chapter 13.

    Parameters
    ----------
    kappa : float
        The margin :math:`\kappa` (a finite real scalar).

    Returns
    -------
    float
        The integral by quadrature (dimensionless).

    Examples
    --------
    >>> round(gardner_integral_quad(1.0) - gardner_integral(1.0), 10)
    0.0
    """
    k = as_real_array(kappa, "kappa")
    if k.ndim != 0:
        raise ValueError(f"kappa must be a scalar, got shape {k.shape}")
    k = float(k)
    val, _ = integrate.quad(lambda t: (t + k) ** 2 * math.exp(-0.5 * t * t) / _SQRT2PI, -k, np.inf,
                            epsabs=1e-13, epsrel=1e-12)
    return val


def gardner_alpha(kappa: ArrayLike) -> float | FloatArray:
    r"""Gardner's critical load :math:`\alpha_c(\kappa) = [(1+\kappa^2)\Phi(\kappa) + \kappa\varphi(\kappa)]^{-1}`.

    The largest :math:`P/N` (as :math:`N\to\infty`) at which random patterns with random labels can
    be stored by a perceptron with stability margin :math:`\kappa \ge 0` (Gardner 1988);
    :math:`\alpha_c(0) = 2` (Cover's :math:`P = 2N`), decreasing in :math:`\kappa`,
    :math:`\alpha_c(\kappa) \sim \kappa^{-2}` for large :math:`\kappa`.  Vectorised.  Chapter 13.

    Parameters
    ----------
    kappa : float or array_like
        The margin(s) :math:`\kappa \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The critical load(s) :math:`\alpha_c(\kappa)` (patterns per weight, dimensionless), a float for a
        scalar ``kappa``.

    Examples
    --------
    >>> gardner_alpha(0.0)
    2.0
    """
    k = as_real_array(kappa, "kappa")
    if np.any(k < 0):
        raise ValueError(f"kappa must be >= 0 (Gardner's replica-symmetric result), got min {k.min()!r}")
    return float_or_array(1.0 / np.asarray(gardner_integral(k)), kappa)


def gardner_margin(alpha: float) -> float:
    r"""The margin :math:`\kappa \ge 0` at which Gardner's capacity equals ``alpha``: the root of :math:`\alpha_c(\kappa) = \alpha`.

    :math:`\alpha_c` (:func:`gardner_alpha`) decreases strictly from 2 at :math:`\kappa = 0` to 0, so the root is
    unique for :math:`0 < \alpha \le 2`; it is found by ``scipy.optimize.brentq`` on
    :math:`\ln\alpha_c(\kappa) - \ln\alpha` (log domain, so small loads are resolved), bracketed by
    :math:`1/(1+\kappa^2) < \alpha_c(\kappa)`, which puts the root below :math:`\sqrt{1/\alpha}`.  Dimensionless
    (units of Gardner's stability :math:`y\,w\cdot x/\sqrt N` at :math:`\|w\|^2 = N`).  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, 2]`.

    Returns
    -------
    float
        The margin :math:`\kappa \ge 0` with :math:`\alpha_c(\kappa) = \alpha` (dimensionless).

    Examples
    --------
    >>> gardner_margin(2.0)
    0.0
    >>> round(float(gardner_alpha(gardner_margin(0.5))), 12)
    0.5
    """
    a = check_positive(alpha, "alpha")
    if a > 2.0:
        raise ValueError(f"alpha must be in (0, 2] (alpha_c(0) = 2 is the largest capacity), got {alpha!r}")
    if a == 2.0:
        return 0.0
    hi = math.sqrt(1.0 / a) + 1.0
    return float(optimize.brentq(lambda k: math.log(gardner_alpha(k)) - math.log(a), 0.0, hi,
                                 xtol=1e-14, rtol=1e-14))


def _gardner_saddle_integral(q: float, k: float) -> float:
    s1, sq = math.sqrt(1.0 - q), math.sqrt(q)

    def f(t):
        u = (k + sq * t) / s1
        du = t / (2.0 * sq * s1) + (k + sq * t) / (2.0 * s1**3)
        ratio = math.exp(-0.5 * u * u - 0.5 * math.log(2.0 * math.pi) - special.log_ndtr(-u))  # phi(u)/H(u)
        return math.exp(-0.5 * t * t) / _SQRT2PI * ratio * du

    val, _ = integrate.quad(f, -np.inf, np.inf, limit=200, epsabs=1e-13, epsrel=1e-11)
    return val


def gardner_rs_load(q: ArrayLike, kappa: float = 0.0) -> float | FloatArray:
    r"""The load :math:`\alpha` at which Gardner's replica-symmetric overlap of two solutions equals ``q`` (vectorised in ``q``).

    Gardner's typical log-volume of couplings with stabilities :math:`\ge\kappa` is, per weight,

    .. math:: G(q) = \tfrac12\ln(1-q) + \frac{q}{2(1-q)} + \alpha\int Dt\,\ln H(u),\qquad
              u = \frac{\kappa + \sqrt q\,t}{\sqrt{1-q}},\quad H(u) = \int_u^\infty Dz,

    extremised over the overlap :math:`q` of two solutions.  :math:`\partial G/\partial q = 0` is linear in
    :math:`\alpha`, so

    .. math:: \alpha(q) = \frac{q}{2(1-q)^2}\Bigl[\int Dt\,\frac{\varphi(u)}{H(u)}\,\frac{\partial u}{\partial q}\Bigr]^{-1},

    computed by ``scipy.integrate.quad`` with :math:`\varphi/H` in the log domain (``log_ndtr``).  As
    :math:`q \to 1` the solutions shrink to one point and :math:`\alpha(q) \to \alpha_c(\kappa)`
    (:func:`gardner_alpha`), a route to the capacity independent of the closed form.  ``q`` in
    :math:`(0, 1)`, ``kappa`` :math:`\ge 0`; dimensionless.  Chapter 13.

    Parameters
    ----------
    q : float or array_like
        The overlap(s) of two solutions, in :math:`(0, 1)`.
    kappa : float, default 0.0
        The margin :math:`\kappa \ge 0`.

    Returns
    -------
    float or numpy.ndarray
        The load(s) :math:`\alpha(q)` (dimensionless), a float for a scalar ``q``.
    """
    qq = as_real_array(q, "q")
    if np.any((qq <= 0) | (qq >= 1)):
        raise ValueError("q must lie in the open interval (0, 1)")
    k = float(as_real_array(kappa, "kappa"))
    if k < 0:
        raise ValueError(f"kappa must be >= 0, got {kappa!r}")
    out = np.array([v / (2.0 * (1.0 - v) ** 2 * _gardner_saddle_integral(v, k)) for v in qq.ravel()])
    return float_or_array(out.reshape(qq.shape), q)
