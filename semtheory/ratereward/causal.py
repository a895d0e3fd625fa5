"""Sequences: causal kernels, the soft value recursion, causally conditioned KL (chapter 6)."""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy.special import logsumexp

from ..core.types import ArrayLike
from .. import directed
from ..core.law import MAX_CELLS
from .._validate import check_int, log_base
from ._common import MAX_SEQS, as_reward, kl_weights_array, check_kl_weight, exp_ch, exp_pol, kernels, layout, log
from .curve import RateRewardCurve


def _same_channel_shape(ch: list[np.ndarray], ref: list[np.ndarray], cname: str, rname: str):
    if len(ch) != len(ref):
        raise ValueError(f"{cname} has {len(ch)} steps but {rname} has {len(ref)}")
    for t, (a, b) in enumerate(zip(ch, ref)):
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"{cname}[{t}] and {rname}[{t}] have different output alphabets")


def reward_table(reward: ArrayLike | Callable[..., ArrayLike], vocab_size: int, n: int) -> np.ndarray:
    r"""A reward on token sequences of length ``n`` as a table of shape ``(vocab_size,) * n``.

    ``reward`` is either such an array (finite) or a vectorised callable ``reward(seqs)`` that receives every
    sequence at once, an integer array of shape ``(vocab_size**n, n)`` in C order, and returns one finite
    reward per row.  Chapter 6.

    Parameters
    ----------
    reward : array_like or callable
        A finite table of shape ``(vocab_size,) * n``, or a vectorised ``reward(seqs)`` returning one reward per row.
    vocab_size : int
        Vocabulary size :math:`V \ge 1`.
    n : int
        Sequence length, >= 1 (at most :math:`2^{20}` sequences).

    Returns
    -------
    numpy.ndarray, shape (vocab_size,) * n
        The reward of every sequence (reward units).

    Examples
    --------
    >>> from semtheory.ratereward import reward_table
    >>> reward_table(lambda s: s.sum(axis=1), 2, 2).tolist()
    [[0.0, 1.0], [1.0, 2.0]]
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    n = check_int(n, "n", minimum=1)
    if V**n > MAX_SEQS:
        raise ValueError(f"vocab_size**n = {V}**{n} sequences is more than {MAX_SEQS}")
    if callable(reward):
        seqs = np.indices((V,) * n).reshape(n, -1).T
        vals = np.asarray(reward(seqs), dtype=float)
        if vals.shape != (V**n,):
            raise ValueError(f"reward(seqs) must return shape ({V**n},), got {vals.shape}")
        if not np.all(np.isfinite(vals)):
            raise ValueError("reward(seqs) returned NaN or inf; rewards must be finite")
        return vals.reshape((V,) * n)
    r = as_reward(reward, (V,) * n)
    if np.shape(reward) != (V,) * n:
        raise ValueError(f"reward must have shape {(V,) * n}, got {np.shape(reward)}")
    return np.array(r)


def matching_reward(n: int, vocab_size: int = 2) -> np.ndarray:
    r"""The matching (instruction-following) reward :math:`r(x^n, y^n) = \sum_{t=1}^n \ind[y_t = x_t]` in the joint layout.

    Shape ``(k,)*n + (k,)*n`` with ``k = vocab_size``.  It is :math:`n` minus the Hamming distortion, so its
    directed rate-reward function for i.i.d. uniform inputs is the rate-distortion function of the Hamming
    source: :math:`n\,[\log k - h(\delta) - \delta \log(k-1)]` at :math:`\rho = n(1-\delta)`.  Chapter 6.

    Parameters
    ----------
    n : int
        Number of steps, >= 1.
    vocab_size : int, default 2
        Size :math:`k \ge 2` of the input and output alphabets.

    Returns
    -------
    numpy.ndarray, shape (k,) * 2n
        The number of matches :math:`\sum_t \ind[y_t = x_t]` (reward units) in the joint layout.

    Examples
    --------
    >>> from semtheory.ratereward import matching_reward
    >>> matching_reward(1).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(vocab_size, "vocab_size", minimum=2)
    if k ** (2 * n) > MAX_CELLS:
        raise ValueError(f"n={n} with vocab_size={k} is too large")
    eq = np.eye(k)
    out = np.zeros((k,) * (2 * n))
    for t in range(n):
        shape = [1] * (2 * n)
        shape[t] = shape[n + t] = k
        out = out + eq.reshape(shape)
    return out


class CausalGibbs(NamedTuple):
    r"""The optimum of the causal KL-regularised problem (:func:`causal_gibbs`).

    ``channel``: optimal kernels :math:`\pi^*(y_t \mid x^t, y^{t-1})`; ``value``: the optimal objective
    (reward units); ``soft_values``: :math:`W_t` (reward units), broadcastable arrays in the joint layout over
    :math:`(X^t, Y^{t-1})`; ``q_values``: :math:`Q_t` over :math:`(X^t, Y^t)`; ``law`` and ``ref_law``: joint laws
    of inputs and outputs under the optimum and under the reference.

    Attributes
    ----------
    channel : list of numpy.ndarray
        The optimal kernels :math:`\pi^*(y_t \mid x^t, y^{t-1})`, ``n`` of them.
    value : float
        The optimal objective :math:`Q_0`, reward units.
    soft_values : list of numpy.ndarray
        :math:`W_t` over :math:`(X^t, Y^{t-1})`, reward units.
    q_values : list of numpy.ndarray
        :math:`Q_t` over :math:`(X^t, Y^t)`, reward units.
    law : numpy.ndarray
        The joint law of :math:`(X^n, Y^n)` under the optimum.
    ref_law : numpy.ndarray
        The joint law under the reference.
    """

    channel: list
    value: float
    soft_values: list
    q_values: list
    law: np.ndarray
    ref_law: np.ndarray


def causal_gibbs(policy: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike], reward: ArrayLike,
                 kl_weight: float) -> CausalGibbs:
    r"""Causal optimum of :math:`\E[r(X^n,Y^n)] - \beta\,D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)`.

    ``policy`` is the input process (kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})`, possibly with feedback),
    ``ref_channel`` the reference LLM (kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`), ``reward`` an array
    broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)`.  The maximum over causal policies
    :math:`\pi(y_t \mid x^t, y^{t-1})` is the soft value recursion (backward, in the log domain):

    .. math::

        Q_n = r,\qquad
        W_t(x^t, y^{t-1}) = \beta \log \sum_{y_t} \pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})\, e^{Q_t(x^t, y^t)/\beta},

        Q_{t-1}(x^{t-1}, y^{t-1}) = \sum_{x_t} P(x_t \mid x^{t-1}, y^{t-1})\, W_t(x^t, y^{t-1}),\qquad
        \pi^*(y_t \mid x^t, y^{t-1}) = \pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})\, e^{(Q_t - W_t)/\beta},

    with value :math:`Q_0`.  Outputs are chosen (soft maximum), inputs are not (plain expectation).  Without
    inputs, :math:`\pi^*(y^n) \propto \pi_{\mathrm{ref}}(y^n) e^{r(y^n)/\beta}` exactly.  Every causal policy
    :math:`\pi` scores :math:`Q_0 - \beta D(P_\pi \| P_{\pi^*})` (:func:`causal_objective`).  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    reward : array_like
        A finite reward, broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)` (reward units).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    CausalGibbs
        The optimal kernels, the optimal value (reward units), the soft values and the two joint laws.
    """
    pol, ref, n, xc, yc = layout(policy, ref_channel, "policy", "ref_channel")
    b = check_kl_weight(kl_weight)
    shape = tuple(xc) + tuple(yc)
    Q = np.array(as_reward(reward, shape)) / b  # in units of kl_weight
    new = [None] * n
    soft, qv = [None] * n, [None] * n
    for t in range(n, 0, -1):
        qv[t - 1] = Q * b
        S = log(exp_ch(ref[t - 1], t, n)) + Q
        W = logsumexp(S, axis=n + t - 1, keepdims=True)
        soft[t - 1] = W * b
        logpi = S - W
        drop = tuple(range(t, n)) + tuple(range(n + t, 2 * n))
        new[t - 1] = np.exp(np.squeeze(logpi, axis=drop) if drop else logpi)
        Q = (exp_pol(pol[t - 1], t, n) * W).sum(axis=t - 1, keepdims=True)
    value = float(Q.reshape(-1)[0] * b)
    law = directed.joint_law(pol, new)
    ref_law = directed.joint_law(pol, ref)
    return CausalGibbs(new, value, soft, qv, law, ref_law)


def _log_cc(ch: list[np.ndarray], n: int) -> np.ndarray:
    """log P(y^n || x^n) in the joint layout (broadcastable)."""
    out = np.zeros(())
    for t in range(1, n + 1):
        out = out + log(exp_ch(ch[t - 1], t, n))
    return out


def _cc_terms(policy, chan, ref_channel) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    pol, ch, n, xc, yc = layout(policy, chan, "policy", "channel")
    ref = kernels(ref_channel, "ref_channel", n)
    _same_channel_shape(ch, ref, "channel", "ref_channel")
    layout(pol, ref, "policy", "ref_channel")
    P = directed.joint_law(pol, ch)
    terms = []
    for t in range(1, n + 1):
        a = np.broadcast_to(exp_ch(ch[t - 1], t, n), P.shape)
        r = np.broadcast_to(exp_ch(ref[t - 1], t, n), P.shape)
        if np.any((P > 0) & (r == 0)):
            terms.append(math.inf)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(P > 0, P * (log(np.where(P > 0, a, 1.0)) - log(np.where(P > 0, r, 1.0))), 0.0)
        terms.append(float(v.sum()))
    return P, ref, np.array(terms)


def per_token_kl(policy: Sequence[ArrayLike], channel: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike], *,
                 base: float = 2) -> np.ndarray:
    r"""Per-step expected KL :math:`\E\big[D\big(\pi(\cdot \mid X^t, Y^{t-1}) \,\|\, \pi_{\mathrm{ref}}(\cdot \mid X^t, Y^{t-1})\big)\big]`, :math:`t = 1..n`.

    Expectations under the joint law of ``policy`` (inputs) and ``channel`` (the policy being scored).  Their
    sum is :func:`causally_conditioned_kl`: the "KL penalty" of RLHF summed token by token.  ``inf`` where
    the channel puts mass the reference forbids.  Units of ``base``.  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    channel : sequence of array_like
        The causal policy scored, ``n`` kernels :math:`\pi(y_t \mid x^t, y^{t-1})`.
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (n,)
        The expected KL at each step, in units of log ``base`` (``inf`` where the reference forbids the channel's mass).
    """
    lb = log_base(base)
    _, _, terms = _cc_terms(policy, channel, ref_channel)
    return np.maximum(terms, 0.0) / lb


def causally_conditioned_kl(policy: Sequence[ArrayLike], channel: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike],
                            *, base: float = 2) -> float:
    r"""Causally conditioned relative entropy :math:`D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)`.

    .. math::

        D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)
        = \E\Big[\log \frac{\pi(Y^n\|X^n)}{\pi_{\mathrm{ref}}(Y^n\|X^n)}\Big]
        = \sum_{t=1}^n \E\, D\big(\pi(\cdot\mid X^t,Y^{t-1}) \,\|\, \pi_{\mathrm{ref}}(\cdot\mid X^t,Y^{t-1})\big),

    the expectation under the joint law with the input process ``policy``.  Because the input factors
    :math:`P(x_t \mid x^{t-1}, y^{t-1})` are shared, it *equals* the KL divergence between the two joint laws
    of :math:`(X^n, Y^n)`, with or without feedback.  Units of ``base``.  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    channel : sequence of array_like
        The causal policy scored, ``n`` kernels :math:`\pi(y_t \mid x^t, y^{t-1})`.
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`D(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n))` in units of log ``base`` (bits by default).

    Examples
    --------
    >>> from semtheory import directed
    >>> from semtheory.ratereward import causally_conditioned_kl
    >>> pol = directed.iid_policy([0.5, 0.5], 1)
    >>> same = directed.memoryless_channel([[0.9, 0.1], [0.1, 0.9]], 1)
    >>> causally_conditioned_kl(pol, same, same)
    0.0
    """
    return float(per_token_kl(policy, channel, ref_channel, base=base).sum())


def causal_objective(policy: Sequence[ArrayLike], channel: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike],
                     reward: ArrayLike, kl_weight: float) -> float:
    r"""Objective :math:`\E[r] - \beta\,D\big(\pi(Y^n\|X^n)\,\|\,\pi_{\mathrm{ref}}(Y^n\|X^n)\big)` of the causal policy ``channel`` (reward units).

    The KL is in nats.  At most :func:`causal_gibbs`'s value, with gap :math:`\beta\, D(P_\pi \| P_{\pi^*})`.
    Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    channel : sequence of array_like
        The causal policy scored, ``n`` kernels :math:`\pi(y_t \mid x^t, y^{t-1})`.
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    reward : array_like
        A finite reward, broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)` (reward units).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    float
        The objective in reward units (``-inf`` where the channel leaves the reference's support).
    """
    b = check_kl_weight(kl_weight)
    P, _, terms = _cc_terms(policy, channel, ref_channel)
    r = as_reward(reward, P.shape)
    return float((P * r).sum() - b * terms.sum())


def _no_feedback(pol: list[np.ndarray], n: int, name: str) -> None:
    for t in range(2, n + 1):
        k = pol[t - 1]
        yax = tuple(range(t - 1, 2 * (t - 1)))
        if not np.allclose(k, k.mean(axis=yax, keepdims=True), atol=1e-12):
            raise ValueError(f"{name}[{t - 1}] depends on past outputs (feedback); an anticipative policy needs inputs without feedback")


def anticipative_value(policy: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike], reward: ArrayLike,
                       kl_weight: float) -> float:
    r"""The value a *non-causal* policy would reach if it saw the whole input :math:`x^n` before answering.

    .. math:: V_{\mathrm{ant}} = \E_{X^n}\Big[\beta \log \sum_{y^n} \pi_{\mathrm{ref}}(y^n \| X^n)\, e^{r(X^n, y^n)/\beta}\Big]
              \;\ge\; V_{\mathrm{causal}} = \text{value of } \texttt{causal\_gibbs},

    equality when inputs are known in advance (a single prompt) or the reward makes the future irrelevant.
    Needs an input process without feedback.  Reward units.  Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
        It must not depend on past outputs (no feedback).
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    reward : array_like
        A finite reward, broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)` (reward units).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    float
        :math:`V_{\mathrm{ant}}`, in reward units.
    """
    pol, ref, n, xc, yc = layout(policy, ref_channel, "policy", "ref_channel")
    _no_feedback(pol, n, "policy")
    b = check_kl_weight(kl_weight)
    shape = tuple(xc) + tuple(yc)
    r = as_reward(reward, shape)
    yax = tuple(range(n, 2 * n))
    px = directed.joint_law(pol, ref).sum(axis=yax)  # P(x^n): inputs without feedback
    logw = np.broadcast_to(_log_cc(ref, n), shape) + r / b
    per_x = b * logsumexp(logw, axis=yax)
    return float(np.sum(np.where(px > 0, px * per_x, 0.0)))


def causal_rate_reward_curve(policy: Sequence[ArrayLike], ref_channel: Sequence[ArrayLike], reward: ArrayLike,
                             kl_weights: ArrayLike, *, base: float = 2) -> RateRewardCurve:
    r"""Rate-reward curve with a fixed reference LLM: :math:`\big(\E r,\ D(\pi^*_\beta(Y^n\|X^n)\,\|\,\pi_{\mathrm{ref}}(Y^n\|X^n))\big)` over ``kl_weights``.

    Each point is the causal optimum :func:`causal_gibbs` at that :math:`\beta`; rates in units of ``base``.
    Chapter 6.

    Parameters
    ----------
    policy : sequence of array_like
        The input process, ``n`` kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})` in :mod:`semtheory.directed`'s layout.
    ref_channel : sequence of array_like
        The reference LLM, ``n`` kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`.
    reward : array_like
        A finite reward, broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)` (reward units).
    kl_weights : array_like, shape (m,)
        KL weights :math:`\beta > 0` (reward units per nat), finite.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    RateRewardCurve
        The KL weights, the expected rewards (reward units) and the rates (units of log ``base``).
    """
    lb = log_base(base)
    bs = kl_weights_array(kl_weights)
    rows = []
    for b in bs:
        g = causal_gibbs(policy, ref_channel, reward, b)
        rate = causally_conditioned_kl(policy, g.channel, ref_channel, base=math.e)
        rows.append(((g.law * as_reward(reward, g.law.shape)).sum(), rate / lb))
    rows = np.array(rows)
    return RateRewardCurve(bs, rows[:, 0], rows[:, 1])
