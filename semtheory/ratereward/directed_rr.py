"""The directed rate-reward function: the best input-blind reference, found by alternating maximisation (chapter 6)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from .. import directed
from .._validate import as_float, check_int, check_positive, log_base
from ..core.alternating import Round, alternate
from ._common import as_reward, kl_weights_array, check_kl_weight, kernels
from .causal import causal_gibbs
from .curve import RateRewardCurve
from ..core.types import ArrayLike


class DirectedRateReward(NamedTuple):
    r"""A point of the directed rate-reward function (:func:`directed_rate_reward`).

    ``kl_weight``; ``reward`` :math:`\E r`; ``rate`` :math:`I(X^n \to Y^n)` (units of ``base``); ``channel`` the optimal
    causal policy; ``law`` the joint law; ``lagrangian`` :math:`\E r - \beta I` (reward units, :math:`I` in nats);
    ``iterations``; ``converged``.

    Attributes
    ----------
    kl_weight : float
        The KL weight :math:`\beta` (reward units per nat).
    reward : float
        The expected reward :math:`\E r`, reward units.
    rate : float
        The directed information :math:`I(X^n \to Y^n)`, in units of log ``base``.
    channel : list of numpy.ndarray
        The optimal causal kernels :math:`\pi(y_t \mid x^t, y^{t-1})`.
    law : numpy.ndarray
        The joint law of :math:`(X^n, Y^n)`.
    lagrangian : float
        :math:`\E r - \beta I` with :math:`I` in nats, reward units.
    iterations : int
        Rounds of the alternating maximisation.
    converged : bool
        Whether the gain fell below ``tol`` within ``max_iter`` rounds.
    """

    kl_weight: float
    reward: float
    rate: float
    channel: list
    law: np.ndarray
    lagrangian: float
    iterations: int
    converged: bool


def _output_kernels(P: np.ndarray, n: int, yc: list[int]) -> list[np.ndarray]:
    """Input-blind causal law P(y_t | y^{t-1}) of a joint law, as channel kernels with X axes of length 1."""
    PY = P.sum(axis=tuple(range(n)))
    out = []
    for t in range(1, n + 1):
        m = PY.sum(axis=tuple(range(t, n))) if t < n else PY
        den = m.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(den > 0, m / np.where(den > 0, den, 1.0), 1.0 / yc[t - 1])
        out.append(k.reshape((1,) * t + k.shape))
    return out


def directed_rate_reward(policy: Sequence[ArrayLike], reward: ArrayLike, kl_weight: float, *, base: float = 2,
        tol: float = 1e-10, max_iter: int = 5000, init: ArrayLike | None = None) -> DirectedRateReward:
    r"""A point of the directed rate-reward function, :math:`\max_{\pi}\ \E[r] - \beta\, I(X^n \to Y^n)` over causal policies.

    .. math::

        R_{\mathrm{DI}}(\rho) = \min_{\pi(y^n \| x^n)\,:\ \E r \ge \rho} I(X^n \to Y^n),\qquad
        I(X^n \to Y^n) = \min_{q(y^n) = \prod_t q(y_t \mid y^{t-1})} D\big(\pi(Y^n\|X^n) \,\|\, q(Y^n)\big),

    the minimum attained by the output's own causal law :math:`P(y_t \mid y^{t-1})`.  So the directed rate is
    the KL rate of :func:`causal_gibbs` with the *best reference that ignores the input*, and the optimum is
    found by alternating maximisation of :math:`\E r - \beta D(\pi \| q)`: the soft value recursion with
    reference :math:`q` (:func:`causal_gibbs`), then :math:`q \leftarrow P_\pi(y_t \mid y^{t-1})`.  Each step
    cannot decrease the Lagrangian; it stops when the gain is below ``tol`` (reward units).  For an input
    process without feedback the problem is convex and the limit is the optimum.  ``init``: starting
    reference kernels (default uniform).  For :math:`n = 1` this is the mutual-information rate-reward
    function (a Blahut–Arimoto iteration).  Rate in units of ``base``.  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    reward : array_like, shape (``|X_1|``, ..., ``|X_n|``, ``|Y_1|``, ..., ``|Y_n|``)
        A finite reward on the joint layout, every output axis spelled out (reward units).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    base : float, keyword-only, default 2
        Logarithm base of the rate (2: bits, e: nats).
    tol : float, keyword-only, default 1e-10
        Stop when a round gains less than this in the Lagrangian (reward units).
    max_iter : int, keyword-only, default 5000
        Largest number of rounds.
    init : sequence of array_like or None, keyword-only, default None
        Starting input-blind reference kernels :math:`q(y_t \mid y^{t-1})` (None: uniform).

    Returns
    -------
    DirectedRateReward
        The point: expected reward (reward units), rate (units of log ``base``), optimal channel and joint law,
        the Lagrangian (reward units) and the iteration record.

    Examples
    --------
    >>> import math
    >>> from semtheory import directed
    >>> from semtheory.ratereward import directed_rate_reward, matching_reward
    >>> pt = directed_rate_reward(directed.iid_policy([0.5, 0.5], 1), matching_reward(1), 1.0)
    >>> math.isclose(pt.reward, 1 / (1 + math.exp(-1)))  # a binary symmetric channel, crossover 1/(1+e)
    True
    """
    lb = log_base(base)
    if isinstance(kl_weight, (int, float, np.integer, np.floating)) and not isinstance(kl_weight, bool) and kl_weight == 0:
        raise ValueError("kl_weight = 0 is the greedy end of the directed rate-reward curve (no rate penalty), where "
                         "the optimal causal policy is in general not unique; use a small kl_weight > 0")
    b = check_kl_weight(kl_weight)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    pol = kernels(policy, "policy")
    n = len(pol)
    xc = [k.shape[-1] for k in pol]
    reward = as_float(reward, "reward")
    shape_r = reward.shape
    if len(shape_r) != 2 * n:
        raise ValueError(f"reward must have 2n = {2 * n} axes (X_1..X_n, Y_1..Y_n), got shape {shape_r}")
    yc = [int(s) for s in shape_r[n:]]
    if any(s < 1 for s in yc):
        raise ValueError("reward must spell out every output axis Y_1..Y_n")
    q = [np.full((1,) * t + tuple(yc[: t - 1]) + (yc[t - 1],), 1.0 / yc[t - 1]) for t in range(1, n + 1)] if init is None else kernels(init, "init", n)

    def step(state, check):  # the Gibbs policy of q, then the best reference for it; stop when the gain <= tol
        q, prev = state
        g = causal_gibbs(pol, q, reward, b)
        # value after the q-step: E r - kl_weight * I (the best reference for this policy)
        di = directed.directed_information(g.law, base=math.e)
        val = float((g.law * as_reward(reward, g.law.shape)).sum() - b * di)
        return Round((_output_kernels(g.law, n, yc), val), change=val - prev, info=(g, di, val))

    res = alternate(step, (q, -math.inf), tol=tol, max_iter=max_iter, certified=False)
    g, di, val = res.last.info
    it, converged = res.iterations, res.converged
    return DirectedRateReward(
        kl_weight=b,
        reward=float((g.law * as_reward(reward, g.law.shape)).sum()),
        rate=di / lb,
        channel=g.channel,
        law=g.law,
        lagrangian=val,
        iterations=it,
        converged=converged,
    )


def directed_rate_reward_curve(policy: Sequence[ArrayLike], reward: ArrayLike, kl_weights: ArrayLike, *,
        base: float = 2, tol: float = 1e-10, max_iter: int = 5000) -> RateRewardCurve:
    r"""Trace the directed rate-reward function :math:`(\E r, I(X^n\to Y^n))` over ``kl_weights`` (see :func:`directed_rate_reward`).

    Each point is warm-started from the previous one's output law.  Rates in units of ``base``.  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    reward : array_like, shape (``|X_1|``, ..., ``|X_n|``, ``|Y_1|``, ..., ``|Y_n|``)
        A finite reward on the joint layout, every output axis spelled out (reward units).
    kl_weights : array_like, shape (m,)
        KL weights :math:`\beta > 0` (reward units per nat), finite.
    base : float, keyword-only, default 2
        Logarithm base of the rate (2: bits, e: nats).
    tol : float, keyword-only, default 1e-10
        Stop when a round gains less than this in the Lagrangian (reward units).
    max_iter : int, keyword-only, default 5000
        Largest number of rounds.

    Returns
    -------
    RateRewardCurve
        The KL weights, the expected rewards (reward units) and the directed rates (units of log ``base``).
    """
    log_base(base)
    bs = kl_weights_array(kl_weights)
    rows, init = [], None
    for b in bs:
        pt = directed_rate_reward(policy, reward, b, base=base, tol=tol, max_iter=max_iter, init=init)
        n = len(pt.channel)
        yc = [k.shape[-1] for k in pt.channel]
        init = _output_kernels(pt.law, n, yc)
        rows.append((pt.reward, pt.rate))
    rows = np.array(rows)
    return RateRewardCurve(bs, rows[:, 0], rows[:, 1])
