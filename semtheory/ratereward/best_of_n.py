"""Best-of-n on the rate-reward plane, and reward over-optimisation with a proxy reward (chapter 6)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..core.types import ArrayLike
from .._validate import as_float, check_flag, check_int, log_base
from ._common import as_reward, bandit, log, tilt


class BestOfN(NamedTuple):
    r"""Best-of-:math:`n` policies on the rate-reward plane: for each ``ns[i]``, the expected ``rewards`` and
    the ``rates`` :math:`D(\pi_n \| \pi_{\mathrm{ref}})` (units of ``base``), and the ``bounds``
    :math:`\log n - (n-1)/n` (units of ``base``).

    Attributes
    ----------
    ns : numpy.ndarray, shape (m,)
        The numbers of draws :math:`n`.
    rewards : numpy.ndarray, shape (m,)
        :math:`\E_{\pi_n} r`, reward units.
    rates : numpy.ndarray, shape (m,)
        :math:`D(\pi_n \| \pi_{\mathrm{ref}})`, units of log ``base``.
    bounds : numpy.ndarray, shape (m,)
        :math:`\log n - (n-1)/n`, units of log ``base``.
    """

    ns: np.ndarray
    rewards: np.ndarray
    rates: np.ndarray
    bounds: np.ndarray


def best_of_n_policy(ref: ArrayLike, reward: ArrayLike, n: int) -> np.ndarray:
    r"""The law :math:`\pi_n` of the best of ``n`` independent draws from ``ref`` (ties broken by index).

    Order the responses by reward (equal rewards by index) and let :math:`F(y)` be the reference mass of
    responses up to and including :math:`y` in that order, :math:`F(y^-)` the mass before it.  The best of
    :math:`n` draws is :math:`y` with probability :math:`\pi_n(y) = F(y)^n - F(y^-)^n`.  ``ref`` a 1-D pmf,
    ``reward`` finite, ``n >= 1`` (``n = 1`` is the reference).  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response.
    n : int
        Number of draws, >= 1.

    Returns
    -------
    numpy.ndarray, shape (K,)
        The pmf :math:`\pi_n`.

    Examples
    --------
    >>> from semtheory.ratereward import best_of_n_policy
    >>> best_of_n_policy([0.5, 0.5], [0.0, 1.0], 2).tolist()
    [0.25, 0.75]
    """
    P, r = bandit(ref, reward)
    n = check_int(n, "n", minimum=1, maximum=10**9)
    order = np.lexsort((np.arange(P.size), r))  # by reward, then by index
    F = np.cumsum(P[order])
    F[-1] = 1.0
    Fm = np.concatenate([[0.0], F[:-1]])
    out = np.empty_like(P)
    out[order] = F**n - Fm**n
    return np.clip(out, 0.0, None)


def best_of_n_kl_bound(n: int, *, base: float = 2) -> float:
    r"""The bound :math:`D(\pi_n \| \pi_{\mathrm{ref}}) \le \log n - (n-1)/n` on the best-of-:math:`n` divergence.

    Equality holds for a continuous reward distribution (no ties); :func:`best_of_n_policy` of any finite
    reference stays below it (Beirami et al. 2024; the formula is from Stiennon et al. 2020).  Units of
    ``base``.  Chapter 6.

    Parameters
    ----------
    n : int
        Number of draws, >= 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\log n - (n-1)/n`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> from semtheory.ratereward import best_of_n_kl_bound
    >>> best_of_n_kl_bound(1)
    0.0
    """
    n = check_int(n, "n", minimum=1, maximum=10**9)
    return (math.log(n) - (n - 1) / n) / log_base(base)


def best_of_n_curve(ref: ArrayLike, reward: ArrayLike, ns: ArrayLike, *, base: float = 2) -> BestOfN:
    r"""Best-of-:math:`n` points :math:`(\E_{\pi_n} r,\ D(\pi_n\|\pi_{\mathrm{ref}}))` for each ``n`` in ``ns``, with the bound.

    Every point lies on or above the rate-reward function :func:`rate_reward` (which is the least divergence
    at its reward) and at or below :func:`best_of_n_kl_bound` in rate.  Rates in units of ``base``.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response.
    ns : array_like of int, shape (m,)
        Numbers of draws, each >= 1.
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).

    Returns
    -------
    BestOfN
        The ``ns``, the expected rewards (reward units), the rates and the bounds (units of log ``base``).
    """
    lb = log_base(base)
    P, r = bandit(ref, reward)
    arr = np.atleast_1d(as_float(ns, "ns"))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("ns must be a non-empty 1-D array of integers >= 1")
    ks = np.array([check_int(int(k) if float(k).is_integer() else k, "ns", minimum=1) for k in arr])
    rew, rates = np.empty(ks.size), np.empty(ks.size)
    for i, k in enumerate(ks):
        q = best_of_n_policy(P, r, int(k))
        fin = q > 0
        rew[i] = float(q @ r)
        rates[i] = max(float(np.sum(q[fin] * np.log(q[fin] / P[fin]))), 0.0) / lb
    return BestOfN(ks, rew, rates, np.array([best_of_n_kl_bound(int(k), base=base) for k in ks]))


class ProxyCurve(NamedTuple):
    r"""Optimising a proxy reward: for each temperature in ``kl_weights`` (or each ``n`` of best-of-:math:`n`), the
    ``rates`` :math:`D(\pi\|\pi_{\mathrm{ref}})` (units of ``base``), the ``proxy`` reward the policy was optimised
    for and the ``true`` reward it earns.

    Attributes
    ----------
    kl_weights : numpy.ndarray, shape (m,)
        The KL weights :math:`\beta` (reward units per nat), or the numbers of draws with ``best_of_n=True``.
    rates : numpy.ndarray, shape (m,)
        :math:`D(\pi \| \pi_{\mathrm{ref}})`, units of log ``base``.
    proxy : numpy.ndarray, shape (m,)
        :math:`\E_\pi \hat r`, reward units.
    true : numpy.ndarray, shape (m,)
        :math:`\E_\pi r`, reward units.
    """

    kl_weights: np.ndarray
    rates: np.ndarray
    proxy: np.ndarray
    true: np.ndarray


def proxy_reward_curve(ref: ArrayLike, true_reward: ArrayLike, proxy_reward: ArrayLike, kl_weights: ArrayLike, *,
                       base: float = 2, best_of_n: bool = False) -> ProxyCurve:
    r"""Reward over-optimisation: the Gibbs (or best-of-:math:`n`) policies of a *proxy* reward, scored by the true one.

    For each :math:`\beta` in ``kl_weights``, :math:`\pi_\beta \propto \pi_{\mathrm{ref}} e^{\hat r/\beta}` with
    :math:`\hat r` = ``proxy_reward``; with ``best_of_n=True`` the entries of ``kl_weights`` are the integers
    :math:`n` and :math:`\pi` is :func:`best_of_n_policy` of the proxy.  Returns :class:`ProxyCurve` with
    :math:`\E_\pi \hat r`, :math:`\E_\pi r` and :math:`D(\pi \| \pi_{\mathrm{ref}})`.  Along the Gibbs path the proxy
    reward is non-decreasing in the divergence (:func:`rate_reward_curve`); the true reward need not be
    (Gao et al. 2023).  Rates in units of ``base``.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    true_reward : array_like, shape (K,)
        The true reward :math:`r` (finite, reward units).
    proxy_reward : array_like, shape (K,)
        The proxy reward :math:`\hat r` the policies are optimised for (finite, reward units).
    kl_weights : array_like, shape (m,)
        KL weights :math:`\beta \ge 0` (reward units per nat), or integers :math:`n \ge 1` with ``best_of_n=True``.
    base : float, keyword-only, default 2
        Logarithm base of the rates (2: bits, e: nats).
    best_of_n : bool, keyword-only, default False
        Use best-of-:math:`n` policies of the proxy instead of its Gibbs policies.

    Returns
    -------
    ProxyCurve
        The ``kl_weights``, the rates (units of log ``base``), the proxy and the true expected rewards (reward units).
    """
    lb = log_base(base)
    P, r = bandit(ref, true_reward, "true_reward")
    rh = np.array(as_reward(proxy_reward, P.shape, "proxy_reward"), dtype=float)
    best_of_n = check_flag(best_of_n, "best_of_n")
    bs = np.atleast_1d(as_float(kl_weights, "kl_weights"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs < 0):
        raise ValueError("kl_weights must be a non-empty 1-D array of finite values >= 0")
    rates, prox, true = np.empty(bs.size), np.empty(bs.size), np.empty(bs.size)
    for i, b in enumerate(bs):
        if best_of_n:
            if not float(b).is_integer() or b < 1:
                raise ValueError("kl_weights must hold integers n >= 1 when best_of_n=True")
            q = best_of_n_policy(P, rh, int(b))
        else:
            q = np.exp(tilt(log(P), rh, math.inf if b == 0 else 1.0 / b)[0])
        fin = q > 0
        rates[i] = max(float(np.sum(q[fin] * np.log(q[fin] / P[fin]))), 0.0) / lb
        prox[i], true[i] = float(q @ rh), float(q @ r)
    return ProxyCurve(bs, rates, prox, true)
