r"""Concentration of the flow: Azuma–Hoeffding and Freedman bands for its martingale part, Ville's time-uniform
bound, and the empirical tail and band exceedance of sampled paths (chapter 7)."""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_real_array, check_positive, check_probability, log_base
from ..core.types import ArrayLike, FloatArray


def azuma_tail(eps: float, bounds: ArrayLike) -> float:
    r"""Azuma's inequality: :math:`\Prob(|M_T - M_0| \ge \epsilon) \le 2\exp\big(-\epsilon^2 / (2\sum_{t\le T} c_t^2)\big)` (capped at 1).

    ``bounds`` are the :math:`c_t` with :math:`|M_t - M_{t-1}| \le c_t` almost surely, in the units of
    ``eps`` (Azuma 1967; Hoeffding 1963).  Chapter 7.

    Parameters
    ----------
    eps : float
        The deviation :math:`\epsilon \ge 0`.
    bounds : array_like, shape (T,)
        The increment bounds :math:`c_t \ge 0`, in the units of ``eps``.

    Returns
    -------
    float
        The bound on the tail probability, in [0, 1].

    Examples
    --------
    >>> round(azuma_tail(2.0, [1.0, 1.0]), 6)
    0.735759
    """
    e = check_positive(eps, "eps", allow_zero=True)
    c = np.atleast_1d(as_real_array(bounds, "bounds", ndim=(0, 1), minimum=0))
    s = float(np.sum(c**2))
    if s == 0:
        return 0.0 if e > 0 else 1.0
    return float(min(1.0, 2.0 * math.exp(-(e**2) / (2.0 * s))))


def azuma_band(bounds: ArrayLike, delta: float) -> FloatArray:
    r"""Two-sided Azuma band :math:`\epsilon_t = \sqrt{2 \ln(2/\delta) \sum_{s \le t} c_s^2}`, :math:`t = 1..T`.

    For each fixed :math:`t`, :math:`\Prob(|M_t| \ge \epsilon_t) \le \delta` when :math:`|M_s - M_{s-1}| \le c_s`
    and :math:`M_0 = 0`.  Units of ``bounds``.  Chapter 7.

    Parameters
    ----------
    bounds : array_like, shape (T,)
        The increment bounds :math:`c_t \ge 0`.
    delta : float
        The failure probability, in (0, 1).

    Returns
    -------
    numpy.ndarray, shape (T,)
        The band :math:`\epsilon_1..\epsilon_T`, in the units of ``bounds``.
    """
    c = np.atleast_1d(as_real_array(bounds, "bounds", ndim=(0, 1), minimum=0))
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    return np.sqrt(2.0 * math.log(2.0 / d) * np.cumsum(c**2))


def hoeffding_azuma_band(ranges: ArrayLike, delta: float) -> FloatArray:
    r"""Azuma–Hoeffding band from ranges: :math:`\epsilon_t = \sqrt{\tfrac12 \ln(2/\delta) \sum_{s\le t} r_s^2}`.

    If, given :math:`\mathcal G_{s-1}`, the increment :math:`M_s - M_{s-1}` lies in an interval of length at most
    :math:`r_s` (deterministic), Hoeffding's lemma gives :math:`\Prob(|M_t| \ge \epsilon_t) \le \delta` at each
    :math:`t`.  With :math:`r_s = 2c_s` it is :func:`azuma_band`.  Units of ``ranges``.  Chapter 7.

    Parameters
    ----------
    ranges : array_like, shape (T,)
        The deterministic ranges :math:`r_t \ge 0` of the increments.
    delta : float
        The failure probability, in (0, 1).

    Returns
    -------
    numpy.ndarray, shape (T,)
        The band :math:`\epsilon_1..\epsilon_T`, in the units of ``ranges``.

    Examples
    --------
    >>> bool(np.allclose(hoeffding_azuma_band([2.0, 2.0], 0.1), azuma_band([1.0, 1.0], 0.1)))
    True
    """
    r = np.atleast_1d(as_real_array(ranges, "ranges", ndim=(0, 1), minimum=0))
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    return np.sqrt(0.5 * math.log(2.0 / d) * np.cumsum(r**2))


def freedman_band(variance: ArrayLike, bound: ArrayLike, delta: float) -> FloatArray:
    r"""Two-sided Freedman (Bernstein-type) band from the predictable quadratic variation.

    Freedman's inequality (Freedman 1975): if the martingale increments satisfy :math:`|M_s - M_{s-1}| \le c`
    and :math:`V_t = \sum_{s\le t}\Var(M_s - M_{s-1} \mid \mathcal G_{s-1})`, then for deterministic :math:`v`

    .. math:: \Prob\big(\exists t:\ |M_t| \ge \epsilon,\ V_t \le v\big) \le 2\exp\Big(-\frac{\epsilon^2}{2(v + c\epsilon/3)}\Big).

    Setting the right side to :math:`\delta` gives :math:`\epsilon(v) = \tfrac{cL}{3} + \sqrt{(cL/3)^2 + 2vL}` with
    :math:`L = \ln(2/\delta)`.  ``variance`` is an array of deterministic levels :math:`v_t` (e.g. bounds on
    :math:`V_t`), ``bound`` the increment bound :math:`c` (a number, or one per step: the running maximum is
    used).  Returns :math:`\epsilon(v_t)` for each entry: at each :math:`t`,
    :math:`\Prob(|M_t| \ge \epsilon(v_t),\ V_t \le v_t) \le \delta`.  A constant band :math:`\epsilon(v_N)` holds
    for all :math:`t \le N` at once on :math:`\{V_N \le v_N\}` (:math:`V` is non-decreasing).  It is narrower than
    Azuma's when the conditional variances are small against the squared ranges.  Units of ``bound``
    (``variance`` in their square).  Chapter 7.

    Parameters
    ----------
    variance : array_like, shape (T,)
        The variance levels :math:`v_t \ge 0`, in the square of the units of ``bound``.
    bound : float or array_like, shape (T,)
        The increment bound :math:`c \ge 0`, or one per step.
    delta : float
        The failure probability, in (0, 1).

    Returns
    -------
    numpy.ndarray, shape (T,)
        The band :math:`\epsilon(v_t)`, in the units of ``bound``.
    """
    v = np.atleast_1d(as_real_array(variance, "variance", ndim=(0, 1), minimum=0))
    c = np.atleast_1d(as_real_array(bound, "bound", ndim=(0, 1), minimum=0))
    if c.size not in (1, v.size):
        raise ValueError(f"bound must be a number or have {v.size} entries, got {c.size}")
    c = np.maximum.accumulate(np.broadcast_to(c, v.shape))
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    L = math.log(2.0 / d)
    return c * L / 3.0 + np.sqrt((c * L / 3.0) ** 2 + 2.0 * v * L)


def _levels(levels: ArrayLike) -> FloatArray:
    """``levels`` as a number or a non-empty 1-D array of finite numbers >= 0 (its shape kept)."""
    a = as_real_array(levels, "levels", finite=False, nonempty=False)
    if a.ndim > 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"levels must be a number or a non-empty 1-D array of finite numbers >= 0, got shape {a.shape}")
    return a


def ville_bound(levels: ArrayLike, *, base: float = 2) -> FloatArray:
    r"""Ville's time-uniform bound :math:`\Prob(\inf_t \Lambda_t \le -a) \le b^{-a}` (:math:`a` in units of base :math:`b`).

    :math:`Z_t = b^{-\Lambda_t}` is a non-negative supermartingale with :math:`Z_0 = 1`, since
    :math:`\E[b^{-\iota_t} \mid \mathcal G_{t-1}] = \sum_{y:\,P(y \mid x^t, y^{t-1}) > 0} P(y \mid y^{t-1}) \le 1`;
    Ville's maximal inequality gives :math:`\Prob(\sup_t Z_t \ge b^a) \le b^{-a}`, for every horizon and with
    no assumption on the range of the densities.  ``levels`` are the :math:`a \ge 0` (a number or a 1-D array).
    Chapter 7.

    Parameters
    ----------
    levels : float or array_like, shape (k,)
        The levels :math:`a \ge 0`, in units of log ``base``.
    base : float, keyword-only, default 2
        Logarithm base of the levels (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape of ``levels``
        The bounds :math:`b^{-a}` on the probabilities, in (0, 1].

    Examples
    --------
    >>> ville_bound([0.0, 1.0, 3.0])
    array([1.   , 0.5  , 0.125])
    """
    lb = log_base(base)
    a = _levels(levels)
    return np.exp(-a * lb)


def min_flow_tail(Lambda: ArrayLike, levels: ArrayLike, *, weights: ArrayLike | None = None) -> FloatArray:
    r""":math:`\Prob(\min_{t \le n} \Lambda_t \le -a)` for each level :math:`a`, from paths of the flow.

    ``Lambda`` has shape ``(..., n)`` (paths on the leading axes, time last): Monte-Carlo paths
    (``FlowPaths.Lambda``, equal weights) or every outcome of an enumerated law (``ExactFlow.Lambda`` with
    ``weights = law``, the exact probability).  Compare with :func:`ville_bound`.  Chapter 7.

    Parameters
    ----------
    Lambda : array_like, shape (..., n)
        Paths of the cumulative flow, time last.
    levels : float or array_like, shape (k,)
        The levels :math:`a \ge 0`, in the units of ``Lambda``.
    weights : array_like, optional, keyword-only
        A pmf over the paths (``Lambda``'s leading shape); default equal weights.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The probabilities :math:`\Prob(\min_t \Lambda_t \le -a)`, in [0, 1].
    """
    L = as_real_array(Lambda, "Lambda", finite=False, nonempty=False)
    if L.ndim < 1 or L.size == 0:
        raise ValueError("Lambda must be a non-empty array with time on the last axis")
    a = np.atleast_1d(_levels(levels))
    low = L.min(axis=-1).ravel()  # NaN on a path propagates to its minimum
    if weights is None:
        w = np.full(low.size, 1.0 / low.size)
    else:
        w = as_real_array(weights, "weights", finite=False, nonempty=False).ravel()
        if w.size != low.size or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError(f"weights must be a pmf over the {low.size} paths (Lambda's leading shape)")
        low = np.where(w > 0, low, np.inf)
    if np.any(np.isnan(low)):
        raise ValueError("Lambda contains NaN on a path of positive weight")
    return np.array([float(w[low <= -x].sum()) for x in a])


def band_exceedance(M: ArrayLike, band: ArrayLike) -> FloatArray:
    r"""Fraction of paths with :math:`|M_t| > \epsilon_t`, for each :math:`t` (``M`` of shape ``(n_samples, T)``).

    Compare with the band's :math:`\delta` (the bands bound :math:`\Prob(|M_t| \ge \epsilon_t)`, which is larger;
    the strict inequality keeps a zero-width band at a step where :math:`M_t = 0` surely from counting as
    exceeded).  Chapter 7.

    Parameters
    ----------
    M : array_like, shape (n_samples, T)
        Finite paths of the martingale part.
    band : array_like, shape (T,)
        The band :math:`\epsilon_t \ge 0`, in the units of ``M``.

    Returns
    -------
    numpy.ndarray, shape (T,)
        The fraction of paths outside the band at each step, in [0, 1].
    """
    M = as_real_array(M, "M", finite=False, nonempty=False)
    if M.ndim != 2 or M.size == 0 or not np.all(np.isfinite(M)):
        raise ValueError("M must be a finite array of shape (n_samples, T)")
    b = np.atleast_1d(as_real_array(band, "band", ndim=(0, 1), minimum=0))
    if b.size != M.shape[1]:
        raise ValueError(f"band has {b.size} entries, M has {M.shape[1]} time steps")
    return (np.abs(M) > b[None, :]).mean(axis=0)
