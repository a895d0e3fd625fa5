"""The rate-reward function of a single decision: its curve, its two ends, its inverse (chapter 6)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from .._validate import as_float, check_real, log_base
from ._common import bandit, log, tilt
from ..core.types import ArrayLike


class RateRewardCurve(NamedTuple):
    r"""Points of a rate-reward curve: ``kl_weights``, expected ``rewards`` :math:`\rho(\beta)` and ``rates`` :math:`R` (units of ``base``).

    Attributes
    ----------
    kl_weights : numpy.ndarray, shape (m,)
        The KL weights :math:`\beta` (reward units per nat) of the points.
    rewards : numpy.ndarray, shape (m,)
        The expected rewards :math:`\rho(\beta)` (reward units).
    rates : numpy.ndarray, shape (m,)
        The rates :math:`R(\beta)`, in units of log ``base``.
    """

    kl_weights: np.ndarray
    rewards: np.ndarray
    rates: np.ndarray


class RateRewardLimits(NamedTuple):
    r"""The two ends of a rate-reward curve.

    ``reference_reward`` :math:`\E_{\pi_{\mathrm{ref}}} r` (rate 0, :math:`\beta\to\infty`); ``greedy_reward``
    :math:`r_{\max}` on the reference's support and ``greedy_rate`` :math:`-\log \pi_{\mathrm{ref}}(A^*)`, the
    rate of the greedy limit :math:`\beta \to 0` (the reference restricted to the best set :math:`A^*`).

    Attributes
    ----------
    reference_reward : float
        :math:`\E_{\pi_{\mathrm{ref}}} r`, reward units.
    greedy_reward : float
        :math:`r_{\max}` on the reference's support, reward units.
    greedy_rate : float
        :math:`-\log \pi_{\mathrm{ref}}(A^*)`, in units of log ``base``.
    """

    reference_reward: float
    greedy_reward: float
    greedy_rate: float


def _point(P: np.ndarray, r: np.ndarray, lam: float, lb: float) -> tuple[float, float]:
    logq, logz = tilt(log(P), r, lam)
    q = np.exp(logq)
    rho = float(q @ r)
    fin = q > 0
    rate = float(np.sum(q[fin] * (logq[fin] - np.log(P[fin]))))
    return rho, max(rate, 0.0) / lb


def rate_reward_curve(ref: ArrayLike, reward: ArrayLike, kl_weights: ArrayLike, *,
        base: float = 2) -> RateRewardCurve:
    r"""Trace the rate-reward curve :math:`\big(\rho(\beta), R(\beta)\big)` at each temperature in ``kl_weights``.

    .. math:: \rho(\beta) = \E_{\pi^*_\beta}[r],\qquad R(\beta) = D(\pi^*_\beta \,\|\, \pi_{\mathrm{ref}}),
              \qquad \frac{\dd R}{\dd \rho} = \frac{1}{\beta}\ \text{(nats per reward unit)}.

    Every point lies on the rate-reward function :math:`R(\rho)` of :func:`rate_reward`.  ``ref`` is a 1-D pmf,
    ``kl_weights`` non-negative; ``kl_weight = 0`` is the greedy end :math:`(r_{\max}, -\log\pi_{\mathrm{ref}}(A^*))` of
    :func:`rate_reward_limits` (the zero-rate end is :math:`\beta \to \infty`).  Rates in units of ``base``.
    Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response (broadcastable to ``ref``).
    kl_weights : array_like, shape (m,)
        KL weights :math:`\beta \ge 0` (reward units per nat), finite.
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).

    Returns
    -------
    RateRewardCurve
        The KL weights, the expected rewards (reward units) and the rates (units of log ``base``).

    Examples
    --------
    >>> from semtheory.ratereward import rate_reward_curve
    >>> c = rate_reward_curve([0.5, 0.5], [0.0, 1.0], [0.0])  # the greedy end: all mass on the best response
    >>> float(c.rewards[0]), float(c.rates[0])
    (1.0, 1.0)
    """
    lb = log_base(base)
    P, r = bandit(ref, reward)
    bs = np.atleast_1d(as_float(kl_weights, "kl_weights"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs < 0):
        raise ValueError("kl_weights must be a non-empty 1-D array of finite temperatures >= 0")
    pts = np.array([_point(P, r, math.inf if b == 0 else 1.0 / b, lb) for b in bs])
    return RateRewardCurve(bs, pts[:, 0], pts[:, 1])


def rate_reward_limits(ref: ArrayLike, reward: ArrayLike, *, base: float = 2) -> RateRewardLimits:
    r"""The reference (:math:`\beta\to\infty`) and greedy (:math:`\beta\to 0`) ends of the rate-reward curve.

    :math:`\rho \to \E_{\pi_{\mathrm{ref}}} r` with rate 0, and :math:`\rho \to r_{\max}` (largest reward on the
    support of :math:`\pi_{\mathrm{ref}}`) with rate :math:`-\log \pi_{\mathrm{ref}}(A^*)`,
    :math:`A^* = \{y : r(y) = r_{\max}\}`.  Rates in units of ``base``.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response (broadcastable to ``ref``).
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).

    Returns
    -------
    RateRewardLimits
        The reference reward and the greedy reward (reward units), and the greedy rate (units of log ``base``).

    Examples
    --------
    >>> from semtheory.ratereward import rate_reward_limits
    >>> rate_reward_limits([0.75, 0.25], [0.0, 1.0])
    RateRewardLimits(reference_reward=0.25, greedy_reward=1.0, greedy_rate=2.0)
    """
    lb = log_base(base)
    P, r = bandit(ref, reward)
    sup = P > 0
    rmax = float(r[sup].max())
    best = sup & (r == rmax)
    return RateRewardLimits(float(P @ r), rmax, float(-math.log(P[best].sum()) / lb))


def _lambda_for(P: np.ndarray, r: np.ndarray, rho: float) -> float:
    """Inverse temperature 1/kl_weight with E_{pi} r = rho (strictly between the two limits)."""

    def f(lam):
        return _point(P, r, lam, 1.0)[0] - rho

    hi = 1.0
    while f(hi) < 0:
        hi *= 2.0
        if hi > 1e12:  # pragma: no cover - rho numerically at r_max
            break
    return brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-13, maxiter=500)


def kl_weight_for_reward(ref: ArrayLike, reward: ArrayLike, rho: float) -> float:
    r"""The temperature :math:`\beta` whose Gibbs optimum attains expected reward ``rho``: :math:`\rho(\beta) = \rho`.

    ``rho`` must lie strictly between :math:`\E_{\pi_{\mathrm{ref}}} r` and :math:`r_{\max}` (the limits, reached
    only as :math:`\beta \to \infty` and :math:`\beta \to 0`).  Solved by Brent's method in
    :math:`1/\beta`, on which :math:`\rho` is increasing.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf over the responses.
    reward : array_like, shape (K,)
        A finite reward per response (broadcastable to ``ref``).
    rho : float
        The target expected reward, strictly between the two limits.

    Returns
    -------
    float
        The KL weight :math:`\beta > 0` (``kl_weight`` elsewhere in the module), in reward units per nat.

    Examples
    --------
    >>> from semtheory.ratereward import gibbs_policy, kl_weight_for_reward
    >>> b = kl_weight_for_reward([0.5, 0.5], [0.0, 1.0], 0.75)
    >>> round(float(gibbs_policy([0.5, 0.5], [0.0, 1.0], b)[1]), 6)
    0.75
    """
    P, r = bandit(ref, reward)
    lim = rate_reward_limits(P, r)
    rho = check_real(rho, "rho")
    if not lim.reference_reward < rho < lim.greedy_reward:
        raise ValueError(
            f"rho must lie strictly between E_ref[r] = {lim.reference_reward:.6g} and r_max = {lim.greedy_reward:.6g}"
        )
    return 1.0 / _lambda_for(P, r, rho)


def rate_reward(ref: ArrayLike, reward: ArrayLike, rho: float, *, base: float = 2) -> float:
    r"""Rate-reward function :math:`R(\rho) = \min\{D(\pi\,\|\,\pi_{\mathrm{ref}}) : \E_\pi[r] \ge \rho\}`.

    Exact: 0 for :math:`\rho \le \E_{\pi_{\mathrm{ref}}} r`; :math:`-\log\pi_{\mathrm{ref}}(A^*)` at
    :math:`\rho = r_{\max}`; :math:`+\infty` above :math:`r_{\max}` (no policy absolutely continuous with respect
    to the reference reaches it); in between the KL of the Gibbs optimum whose expected reward is
    :math:`\rho` (:func:`kl_weight_for_reward`).  Non-decreasing and convex in :math:`\rho`.  Units of ``base``.
    Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response (broadcastable to ``ref``).
    rho : float
        The required expected reward (reward units), finite.
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).

    Returns
    -------
    float
        :math:`R(\rho)`, in units of log ``base`` (bits by default); ``inf`` above :math:`r_{\max}`.

    Examples
    --------
    >>> from semtheory.ratereward import rate_reward
    >>> rate_reward([0.75, 0.25], [0.0, 1.0], 1.0)  # all mass on a response of probability 1/4: 2 bits
    2.0
    """
    lb = log_base(base)
    P, r = bandit(ref, reward)
    rho = check_real(rho, "rho")
    lim = rate_reward_limits(P, r, base=math.e)
    if rho <= lim.reference_reward:
        return 0.0
    if rho > lim.greedy_reward:
        return math.inf
    if rho == lim.greedy_reward:
        return lim.greedy_rate / lb
    return _point(P, r, _lambda_for(P, r, rho), lb)[1]
