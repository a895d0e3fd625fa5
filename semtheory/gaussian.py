r"""Gaussian channels with and without feedback (chapter 3).

All capacities are per channel use, in units of ``base`` (bits by default); powers and noise variances are
in the same (arbitrary) units of energy per use.

* :func:`awgn_capacity`: :math:`C = \tfrac12 \log(1 + P/N)` (Shannon 1948).
* :func:`water_filling`: parallel Gaussian channels with noise variances :math:`N_i` and total power
  :math:`P`: :math:`P_i = (\nu - N_i)^+` with :math:`\sum_i P_i = P`, :math:`C = \sum_i \tfrac12 \log(1 + P_i/N_i)`
  (Cover & Thomas, Sec. 9.4).  Solved exactly: the water level is found by sorting, not by iteration.
* :func:`colored_noise_capacity`: the :math:`n`-block channel :math:`Y^n = X^n + Z^n` with Gaussian noise of
  covariance :math:`K_Z` and power :math:`nP`, :math:`\frac1n \max_{\operatorname{tr} K_X \le nP}
  \tfrac12 \log \det(K_X + K_Z)/\det K_Z`: water-filling on the eigenvalues of :math:`K_Z` (Cover & Thomas,
  Sec. 9.5).
* First-order moving-average noise :math:`Z_t = U_t + \alpha U_{t-1}`, :math:`U_t` white with unit variance:
  :func:`ma1_covariance` (the tridiagonal Toeplitz :math:`K_Z`), :func:`ma1_capacity` (without feedback, the
  limit :math:`n \to \infty`: water-filling on the spectrum :math:`S(\omega) = 1 + \alpha^2 + 2\alpha\cos\omega`)
  and :func:`ma1_feedback_capacity` (Kim 2006: :math:`C_{\mathrm{FB}} = -\log x_0`, :math:`x_0` the unique root
  in :math:`(0, 1)` of :math:`P x^2 = (1 - x^2)(1 - |\alpha| x)^2`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .core.types import ArrayLike
from ._validate import as_float, check_int, check_positive, check_real, log_base

__all__ = [
    "awgn_capacity",
    "water_filling",
    "WaterFilling",
    "colored_noise_capacity",
    "ma1_covariance",
    "ma1_capacity",
    "ma1_feedback_capacity",
]


def awgn_capacity(power: float, noise: float = 1.0, *, base: float = 2) -> float:
    r"""Capacity of the additive white Gaussian noise channel, :math:`C = \tfrac12 \log(1 + P/N)` per use.

    ``power`` :math:`P \ge 0`, ``noise`` :math:`N > 0` (variances per use).  Feedback does not raise it
    (chapter 3, the memoryless case).  Units of ``base``.  Chapter 3.

    Parameters
    ----------
    power : float
        The input power :math:`P \ge 0` (variance per use).
    noise : float, default 1.0
        The noise variance :math:`N > 0`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The capacity :math:`\tfrac12 \log(1 + P/N)`, in units of log ``base`` per channel use (bits by default).

    Examples
    --------
    >>> awgn_capacity(3.0)
    1.0
    """
    lb = log_base(base)
    P = check_positive(power, "power", allow_zero=True)
    N = check_positive(noise, "noise")
    return 0.5 * math.log1p(P / N) / lb


class WaterFilling(NamedTuple):
    r"""Result of :func:`water_filling`: ``capacity`` (sum over the channels, units of ``base``), the water
    ``level`` :math:`\nu`, and the ``powers`` :math:`P_i = (\nu - N_i)^+` (same order as the noises).

    Attributes
    ----------
    capacity : float
        The total capacity of the parallel channels, in units of log ``base``.
    level : float
        The water level :math:`\nu`.
    powers : numpy.ndarray
        The optimal powers :math:`P_i = (\nu - N_i)^+`, in the order of the noises.
    """

    capacity: float
    level: float
    powers: np.ndarray


def water_filling(noise: ArrayLike, power: float, *, base: float = 2) -> WaterFilling:
    r"""Parallel Gaussian channels: maximise :math:`\sum_i \tfrac12 \log(1 + P_i/N_i)` subject to :math:`\sum_i P_i = P`, :math:`P_i \ge 0`.

    The optimum is :math:`P_i = (\nu - N_i)^+` with the level :math:`\nu` fixed by :math:`\sum_i (\nu - N_i)^+ = P`
    (Cover & Thomas, Thm 9.4.1).  ``noise`` is a 1-D array of variances :math:`N_i > 0`; ``power`` :math:`P \ge 0`.
    The level is exact: with the noises sorted, the first :math:`k` channels are filled where :math:`k` is the
    largest index with :math:`N_{(k)} < (P + \sum_{i \le k} N_{(i)})/k`.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
    noise : array_like, shape (k,)
        The noise variances :math:`N_i > 0`.
    power : float
        The total power :math:`P \ge 0`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    WaterFilling
        The capacity (units of log ``base``), the level and the powers.
    """
    lb = log_base(base)
    N = as_float(noise, "noise")
    if N.ndim != 1 or N.size == 0 or not np.all(np.isfinite(N)) or np.any(N <= 0):
        raise ValueError(f"noise must be a non-empty 1-D array of finite variances > 0, got shape {N.shape}")
    P = check_positive(power, "power", allow_zero=True)
    s = np.sort(N)
    levels = (P + np.cumsum(s)) / np.arange(1, s.size + 1)
    k = int(np.nonzero(s < levels)[0].max()) + 1 if P > 0 else 1
    nu = float(levels[k - 1]) if P > 0 else float(s[0])
    powers = np.maximum(nu - N, 0.0)
    cap = float(0.5 * np.log1p(powers / N).sum())
    return WaterFilling(cap / lb, nu, powers)


def colored_noise_capacity(cov: ArrayLike, power: float, *, base: float = 2) -> float:
    r"""Per-use capacity of the :math:`n`-block Gaussian channel with noise covariance ``cov`` and power :math:`nP`.

    .. math:: C_n = \frac1n \max_{\operatorname{tr} K_X \le nP} \tfrac12 \log \frac{\det(K_X + K_Z)}{\det K_Z}
              = \frac1n \sum_i \tfrac12 \log\Bigl(1 + \frac{(\nu - \lambda_i)^+}{\lambda_i}\Bigr),

    water-filling on the eigenvalues :math:`\lambda_i` of :math:`K_Z` (:func:`water_filling` with total power
    :math:`nP`), without feedback.  ``cov`` must be symmetric positive definite.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
    cov : array_like, shape (n, n)
        The noise covariance :math:`K_Z`, symmetric positive definite.
    power : float
        The power per use :math:`P \ge 0` (total :math:`nP`).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The capacity per use :math:`C_n` without feedback, in units of log ``base`` per channel use (bits by default).
    """
    K = as_float(cov, "cov")
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.size == 0 or not np.all(np.isfinite(K)):
        raise ValueError(f"cov must be a finite square matrix, got shape {K.shape}")
    if not np.allclose(K, K.T, atol=1e-12):
        raise ValueError("cov must be symmetric")
    lam = np.linalg.eigvalsh(K)
    if lam.min() <= 0:
        raise ValueError("cov must be positive definite")
    n = K.shape[0]
    return water_filling(lam, n * check_positive(power, "power", allow_zero=True), base=base).capacity / n


def _check_alpha(alpha) -> float:
    a = check_real(alpha, "alpha")
    if not -1 <= a <= 1:
        raise ValueError(f"alpha must be a real number in [-1, 1], got {alpha!r}")
    return a


def ma1_covariance(alpha: float, n: int) -> np.ndarray:
    r"""Covariance :math:`K_Z` of :math:`n` samples of :math:`Z_t = U_t + \alpha U_{t-1}` (unit white :math:`U`).

    Tridiagonal Toeplitz: :math:`1 + \alpha^2` on the diagonal, :math:`\alpha` beside it.  Its eigenvalues are
    :math:`1 + \alpha^2 + 2\alpha\cos(k\pi/(n+1))`, :math:`k = 1..n`.  Chapter 3.

    Parameters
    ----------
    alpha : float
        The MA(1) coefficient :math:`\alpha`.
    n : int
        The number of samples, >= 1.

    Returns
    -------
    numpy.ndarray, shape (n, n)
        The tridiagonal Toeplitz covariance :math:`K_Z`.
    """
    a = _check_alpha(alpha)
    n = check_int(n, "n", minimum=1)
    return (1 + a * a) * np.eye(n) + a * (np.eye(n, k=1) + np.eye(n, k=-1))


def ma1_capacity(alpha: float, power: float, *, base: float = 2, grid: int = 1 << 16) -> float:
    r"""Capacity without feedback of the Gaussian channel with MA(1) noise :math:`Z_t = U_t + \alpha U_{t-1}`.

    .. math:: C = \frac{1}{2\pi}\int_{-\pi}^{\pi} \tfrac12 \log\frac{\max(\nu, S(\omega))}{S(\omega)}\,\dd\omega,\qquad
              \frac{1}{2\pi}\int_{-\pi}^{\pi} (\nu - S(\omega))^+ \dd\omega = P,

    with :math:`S(\omega) = |1 + \alpha e^{i\omega}|^2 = 1 + \alpha^2 + 2\alpha\cos\omega`, the limit of
    :func:`colored_noise_capacity` of :func:`ma1_covariance` as :math:`n \to \infty` (Cover & Thomas, Sec. 9.5).
    The level :math:`\nu` is found by water-filling on ``grid`` equally spaced frequencies (midpoint rule).
    Since :math:`\frac{1}{2\pi}\int \log S(\omega)\,\dd\omega = 0` for :math:`|\alpha| \le 1` (Jensen's formula:
    :math:`1 + \alpha z` has no zero inside the open unit disc), the capacity is evaluated as
    :math:`\frac{1}{2\pi}\int \tfrac12 \log \max(\nu, S(\omega))\,\dd\omega`, a bounded integrand even at
    :math:`\alpha = \pm 1`, where :math:`\log S` has a logarithmic singularity (integrating that directly leaves an
    error of about 1e-5 at the default grid).  The error is below 1e-9 for the default grid, :math:`\alpha = \pm 1`
    included.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
    alpha : float
        The MA(1) coefficient, :math:`|\alpha| \le 1`.
    power : float
        The power per use :math:`P \ge 0`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.
    grid : int, default 65536
        The number of frequencies of the midpoint rule.

    Returns
    -------
    float
        The capacity without feedback, in units of log ``base`` per channel use (bits by default).
    """
    lb = log_base(base)
    a = _check_alpha(alpha)
    P = check_positive(power, "power", allow_zero=True)
    grid = check_int(grid, "grid", minimum=16)
    if P == 0:
        return 0.0
    w = (np.arange(grid) + 0.5) * 2 * math.pi / grid - math.pi
    S = 1 + a * a + 2 * a * np.cos(w)
    nu = water_filling(np.maximum(S, 1e-300), grid * P).level  # the midpoint grid never hits a spectral zero
    return float(0.5 * np.log(np.maximum(nu, S)).mean()) / lb


def ma1_feedback_capacity(alpha: float, power: float, *, base: float = 2) -> float:
    r"""Feedback capacity of the Gaussian channel with MA(1) noise :math:`Z_t = U_t + \alpha U_{t-1}` (Kim 2006, IEEE Trans. IT 52(7)).

    .. math:: C_{\mathrm{FB}} = -\log x_0,\qquad x_0 \in (0, 1) \text{ the unique root of } P x^2 = (1 - x^2)(1 - |\alpha| x)^2.

    For :math:`\alpha = 0` this is :math:`\tfrac12\log(1 + P)`, the white-noise capacity.  The root is unique:
    with :math:`u = 1/x > 1`, :math:`(1 - x^2)(1 - |\alpha| x)^2 / x^2 = (u^2 - 1)(1 - |\alpha|/u)^2`, a product of
    two positive factors increasing in :math:`u` (as :math:`|\alpha| \le 1`), from 0 to :math:`\infty`.  It is found by bisection on :math:`(0, 1)` (the sign of
    :math:`(1 - x^2)(1 - |\alpha| x)^2 - P x^2`) to machine precision.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
    alpha : float
        The MA(1) coefficient, :math:`|\alpha| \le 1`.
    power : float
        The power per use :math:`P \ge 0`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The feedback capacity :math:`-\log x_0`, in units of log ``base`` per channel use (bits by default).
    """
    lb = log_base(base)
    a = abs(_check_alpha(alpha))
    P = check_positive(power, "power", allow_zero=True)
    if P == 0:
        return 0.0
    f = lambda x: (1 - x * x) * (1 - a * x) ** 2 - P * x * x  # noqa: E731
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-16:
            break
    return -math.log(0.5 * (lo + hi)) / lb
