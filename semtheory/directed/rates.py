"""Jointly Markov pairs: their information rates and their sample paths (chapters 3, 8)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_float, as_pmf, as_rng, check_int, check_positive, log_base
from ..core.law import MAX_CELLS, pair_transition
from .kernels import markov_pair_stationary
from ..core.types import ArrayLike, IntArray, SeedLike


class MarkovPairRates(NamedTuple):
    r"""Information rates of a stationary jointly Markov pair (units of the ``base`` asked for).

    ``directed`` = :math:`\lim \frac1n I(X^n\to Y^n)`, ``reverse`` = :math:`\lim \frac1n I(0{*}Y^{n-1}\to X^n)`,
    ``mutual`` = :math:`\lim \frac1n I(X^n;Y^n)`; ``entropy_x``, ``entropy_y``, ``entropy_xy`` are the
    entropy rates; ``error`` bounds the absolute error of every field (from the sandwich bounds on the
    hidden-Markov entropy rates of X and Y); ``order`` is the block length at which the bounds met.

    Attributes
    ----------
    directed : float
        Directed-information rate, units of log ``base`` per step.
    reverse : float
        Reverse directed-information rate, units of log ``base`` per step.
    mutual : float
        Mutual-information rate, units of log ``base`` per step.
    entropy_x, entropy_y, entropy_xy : float
        Entropy rates of X, of Y, and conditional of the pair given its past, units of log ``base`` per step.
    error : float
        Bound on the absolute error of every field, units of log ``base`` per step.
    order : int
        Block length at which the bounds met.
    """

    directed: float
    reverse: float
    mutual: float
    entropy_x: float
    entropy_y: float
    entropy_xy: float
    error: float
    order: int


def _hidden_entropy_rate(P: np.ndarray, pi: np.ndarray, obs: np.ndarray, m: int, tol: float, max_order: int):
    """Entropy rate (nats) of Y_t = obs[S_t] for a stationary chain: sandwich bounds (Cover & Thomas, Sec. 4.5).

    Upper H(Y_k | Y^{k-1}) (decreasing), lower H(Y_k | Y^{k-1}, S_1) (increasing).  Returns (mid, half_width, k).
    """
    K = P.shape[0]
    E = np.zeros((K, m))
    E[np.arange(K), obs] = 1.0
    # beta[s1, y^k, s_k] = P(Y^k = y^k, S_k = s_k | S_1 = s1)
    beta = (np.eye(K)[:, :, None] * E[None, :, :]).transpose(0, 2, 1)  # (s1, y1, s1')
    prev_u = prev_l = 0.0
    hu_prev = hl_prev = 0.0
    lo, hi = -math.inf, math.inf
    k = 1
    while True:
        py = np.einsum("a,ays->y", pi, beta)  # P(y^k)
        hu = measures.entropy(py / py.sum(), base=math.e)
        joint = pi[:, None] * beta.sum(axis=2)  # P(s1, y^k)
        hl = measures.conditional_entropy(joint / joint.sum(), 1, 0, base=math.e)
        u, l = hu - hu_prev, hl - hl_prev
        hi, lo = min(hi, u), max(lo, l)
        hu_prev, hl_prev = hu, hl
        if k >= 2 and (hi - lo) <= tol:
            break
        if k >= max_order or beta.size * m > MAX_CELLS:
            break
        nxt = beta @ P  # (s1, y^k, s_{k+1})
        beta = (nxt[:, :, None, :] * E.T[None, None, :, :]).reshape(K, -1, K)
        k += 1
    lo = min(lo, hi)
    return 0.5 * (hi + lo), 0.5 * (hi - lo), k


def markov_pair_rates(transition: ArrayLike, *, base: float = 2, tol: float = 1e-10,
        max_order: int = 20) -> MarkovPairRates:
    r"""Exact information rates of a stationary jointly Markov pair :math:`(X_t, Y_t)`.

    ``transition[x, y, x2, y2]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`, started from its stationary law.

    .. math::

        \lim_n \tfrac1n I(X^n \to Y^n) = \bar H(\mathcal Y) - H(Y_t \mid X_t, X_{t-1}, Y_{t-1}),\qquad
        \lim_n \tfrac1n I(0{*}Y^{n-1} \to X^n) = \bar H(\mathcal X) - H(X_t \mid X_{t-1}, Y_{t-1}),

    because :math:`P(y_t \mid x^t, y^{t-1})` and :math:`P(x_t \mid x^{t-1}, y^{t-1})` depend only on the last
    step.  The conditional entropies are exact single-letter quantities of the stationary law.  The
    entropy rates :math:`\bar H` of the marginal processes (hidden Markov in general) are pinned between
    :math:`H(Y_k \mid Y^{k-1}, S_1) \le \bar H \le H(Y_k \mid Y^{k-1})` (Cover & Thomas, Sec. 4.5), computed
    exactly by enumerating output blocks (cost :math:`|\mathcal Y|^k`); blocks grow until the bounds meet
    within ``tol`` (nats) or ``max_order`` is reached, and ``error`` reports the remaining half-width.  When a
    marginal is itself Markov the bounds meet at once.  Units of ``base``.  Chapters 3, 8.

    Parameters
    ----------
        transition : array_like, shape (kx, ky, kx, ky)
            ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).
        tol : float, keyword-only, default 1e-10
            Target half-width (nats) of the sandwich bounds on the hidden-Markov entropy rates; positive.
        max_order : int, keyword-only, default 20
            Largest block length enumerated, ``2 <= max_order <= 40``.

    Returns
    -------
        MarkovPairRates
            The rates (per step) and their error bound, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_order = check_int(max_order, "max_order", minimum=2, maximum=40)
    P, kx, ky = pair_transition(transition)
    pi = markov_pair_stationary(transition)
    J = pi[:, :, None, None] * P.reshape(kx, ky, kx, ky)  # (X_{t-1}, Y_{t-1}, X_t, Y_t)
    J = J / J.sum()
    h_xy = measures.conditional_entropy(J, (2, 3), (0, 1), base=math.e)
    h_y_given = measures.conditional_entropy(J, 3, (0, 1, 2), base=math.e)
    h_x_given = measures.conditional_entropy(J, 2, (0, 1), base=math.e)
    states = np.indices((kx, ky)).reshape(2, -1)
    flat_pi = pi.ravel()
    hy, ey, ky_ord = _hidden_entropy_rate(P, flat_pi, states[1], ky, tol, max_order)
    hx, ex, kx_ord = _hidden_entropy_rate(P, flat_pi, states[0], kx, tol, max_order)
    err = ex + ey
    return MarkovPairRates(
        directed=(hy - h_y_given) / lb,
        reverse=(hx - h_x_given) / lb,
        mutual=(hx + hy - h_xy) / lb,
        entropy_x=hx / lb,
        entropy_y=hy / lb,
        entropy_xy=h_xy / lb,
        error=err / lb,
        order=max(kx_ord, ky_ord),
    )


def directed_information_rate(transition: ArrayLike, *, base: float = 2, tol: float = 1e-10,
        max_order: int = 20) -> float:
    r"""Directed-information rate :math:`\lim_n \frac1n I(X^n \to Y^n)` of a stationary jointly Markov pair.

    Shorthand for ``markov_pair_rates(transition, base=base, tol=tol, max_order=max_order).directed``; see
    :func:`markov_pair_rates` for the formula and the error bound.  Units of ``base``.  Chapters 3, 8.

    Parameters
    ----------
        transition : array_like, shape (kx, ky, kx, ky)
            ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).
        tol : float, keyword-only, default 1e-10
            Target half-width (nats) of the sandwich bounds on the hidden-Markov entropy rates; positive.
        max_order : int, keyword-only, default 20
            Largest block length enumerated, ``2 <= max_order <= 40``.

    Returns
    -------
        float
            :math:`\lim_n \frac1n I(X^n \to Y^n)`, in units of log ``base`` per step (bits by default).

    Examples
    --------
    >>> from semtheory import directed as d
    >>> round(d.directed_information_rate(d.bsc_feedback_pair(0.5, 0.0)), 9)
    1.0
    """
    return markov_pair_rates(transition, base=base, tol=tol, max_order=max_order).directed


def sample_markov_pair(transition: ArrayLike, n: int, *, initial: ArrayLike | None = None,
                       seed: SeedLike = None) -> tuple[IntArray, IntArray]:
    r"""One path ``(x, y)`` of ``n`` steps of a jointly Markov pair, started from its stationary law by default.

    ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`, the layout of
    :func:`markov_pair_law`; :math:`(X_1, Y_1) \sim` ``initial`` (default :func:`markov_pair_stationary`).
    One uniform draw per step, inverted through the cumulative rows; deterministic under ``seed``.
    Chapters 3, 8.

    Parameters
    ----------
    transition : array_like, shape (kx, ky, kx, ky)
        ``transition[x, y]`` a pmf over ``(x2, y2)``.
    n : int
        The length of the path, >= 1.
    initial : array_like, shape (kx, ky), keyword-only, optional
        The law of :math:`(X_1, Y_1)`; default the stationary law.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness (an int >= 0 or a Generator gives a reproducible draw).

    Returns
    -------
    x : numpy.ndarray of int64, shape (n,)
        The first process's path (symbols).
    y : numpy.ndarray of int64, shape (n,)
        The second process's path (symbols).

    Examples
    --------
    >>> from semtheory.directed import bsc_feedback_pair
    >>> x, y = sample_markov_pair(bsc_feedback_pair(0.2, 0.1), 5, seed=0)
    >>> x.shape, y.shape
    ((5,), (5,))
    """
    P, kx, ky = pair_transition(as_float(transition, "transition"))
    n = check_int(n, "n", minimum=1)
    if initial is None:
        init = markov_pair_stationary(P.reshape(kx, ky, kx, ky)).ravel()
    else:
        init = as_pmf(initial, "initial", ndim=2)
        if init.shape != (kx, ky):
            raise ValueError(f"initial must have shape ({kx}, {ky}), got {init.shape}")
        init = init.ravel()
    rng = as_rng(seed)
    cum = np.cumsum(P, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(n)
    s = np.empty(n, dtype=np.int64)
    s[0] = min(int(np.searchsorted(np.cumsum(init), u[0], side="right")), kx * ky - 1)
    for t in range(1, n):
        s[t] = int(np.searchsorted(cum[s[t - 1]], u[t], side="right"))
    return s // ky, s % ky
