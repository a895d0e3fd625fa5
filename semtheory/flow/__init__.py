r"""Semantic information flow at inference: information density, a sub-martingale, its Doob decomposition (chapter 7).

An input process :math:`X_1, X_2, \dots` (prompt tokens, user turns, retrieved text) and the tokens
:math:`Y_1, Y_2, \dots` an LLM generates take turns in the order :math:`X_1, Y_1, X_2, Y_2, \dots` (the joint-law
layout of :mod:`semtheory.directed`: axes :math:`X_1..X_n, Y_1..Y_n`).  The information the :math:`t`-th token
carries about the inputs is the *information density*

.. math:: \iota_t = \log \frac{P(Y_t \mid Y^{t-1}, X^t)}{P(Y_t \mid Y^{t-1})},\qquad
          \Lambda_t = \sum_{s \le t} \iota_s,\qquad \E[\Lambda_n] = I(X^n \to Y^n).

With the filtration :math:`\mathcal G_{t} = \sigma(X^{t+1}, Y^{t})` (everything known just before
:math:`Y_{t+1}` is drawn), :math:`\E[\iota_{t+1} \mid \mathcal G_t] = D_{t+1} :=
D\big(P(\cdot \mid X^{t+1}, Y^t) \,\|\, P(\cdot \mid Y^t)\big) \ge 0`, so :math:`\Lambda` is a sub-martingale.  Its
Doob decomposition is :math:`\Lambda_t = M_t + A_t` with the predictable non-decreasing compensator
:math:`A_t = \sum_{s\le t} D_s` and the martingale :math:`M_t = \sum_{s \le t}(\iota_s - D_s)`.  Bounded martingale
differences give Azuma–Hoeffding concentration bands, the conditional variances Freedman's
(Bernstein-type) bands, and the non-negative supermartingale :math:`2^{-\Lambda_t}` Ville's time-uniform bound
:math:`\Prob(\inf_t \Lambda_t \le -a) \le 2^{-a}`.

Everything is computed **exactly** on enumerable joint laws (:func:`exact_flow`) and by **Monte Carlo** with an
exact forward filter on jointly Markov pairs of any length (:func:`simulate_markov_pair_flow`), e.g. an
order-2 Markov LM reading a Markov input source (:func:`lm_markov_pair`).

Units: ``base`` (2 = bits, the default; ``math.e`` = nats).  Provenance: the information-density process
and its Doob decomposition are the standard construction used here to formalise the treatise's "semantic
information flow, a sub-martingale" (see the chapter's note).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import channel as _channel
from . import directed
from ._validate import (
    as_float,
    as_pmf,
    as_real_array,
    as_rng,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
)

__all__ = [
    "FlowPaths",
    "ExactFlow",
    "exact_flow",
    "conditional_expectation",
    "conditional_mean",
    "expected_flow",
    "sample_exact_paths",
    "lm_markov_pair",
    "simulate_markov_pair_flow",
    "markov_pair_range_bound",
    "azuma_tail",
    "azuma_band",
    "hoeffding_azuma_band",
    "freedman_band",
    "band_exceedance",
    "ville_bound",
    "min_flow_tail",
    "decoding_flow",
]


# ==============================================================================================
# Paths of the flow
# ==============================================================================================


class FlowPaths(NamedTuple):
    r"""Sampled paths of the flow, arrays of shape ``(n_paths, n)`` (units of the ``base`` asked for).

    ``iota`` the densities :math:`\iota_t`, ``kl`` the compensator increments :math:`D_t = \E[\iota_t \mid \mathcal G_{t-1}]`,
    ``ranges`` the length of the interval in which :math:`\iota_t` lies given :math:`\mathcal G_{t-1}`;
    ``inputs`` and ``outputs`` the sampled tokens; ``cvar`` (optional, ``None`` where not computed) the
    conditional variances :math:`\Var(\iota_t \mid \mathcal G_{t-1})`.  Properties ``Lambda`` (cumulative flow),
    ``A`` (compensator), ``M`` (martingale part) and ``V`` (predictable quadratic variation of ``M``) are
    running sums.

    Attributes
    ----------
    iota : numpy.ndarray, shape (n_paths, n)
        The densities :math:`\iota_t`, in units of log ``base``.
    kl : numpy.ndarray, shape (n_paths, n)
        The compensator increments :math:`D_t`, in units of log ``base``.
    ranges : numpy.ndarray, shape (n_paths, n)
        The spread of :math:`\iota_t` given :math:`\mathcal G_{t-1}`, in units of log ``base``.
    inputs : numpy.ndarray of int, shape (n_paths, n)
        The sampled inputs :math:`x_1..x_n`.
    outputs : numpy.ndarray of int, shape (n_paths, n)
        The sampled outputs :math:`y_1..y_n`.
    cvar : numpy.ndarray, shape (n_paths, n), or None
        The conditional variances, in units of log ``base`` squared (``None`` where not computed).
    """

    iota: np.ndarray
    kl: np.ndarray
    ranges: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    cvar: np.ndarray | None = None

    @property
    def Lambda(self) -> np.ndarray:
        r""":math:`\Lambda_t = \sum_{s\le t}\iota_s`."""
        return np.cumsum(self.iota, axis=-1)

    @property
    def A(self) -> np.ndarray:
        r"""Predictable non-decreasing part :math:`A_t = \sum_{s \le t} D_s`."""
        return np.cumsum(self.kl, axis=-1)

    @property
    def M(self) -> np.ndarray:
        r"""Martingale part :math:`M_t = \Lambda_t - A_t`."""
        return np.cumsum(self.iota - self.kl, axis=-1)

    @property
    def V(self) -> np.ndarray:
        r"""Predictable quadratic variation :math:`V_t = \sum_{s \le t} \Var(\iota_s \mid \mathcal G_{s-1})` (needs ``cvar``)."""
        if self.cvar is None:
            raise ValueError("these paths carry no conditional variances (cvar is None)")
        return np.cumsum(self.cvar, axis=-1)


class ExactFlow(NamedTuple):
    r"""The flow of an enumerable joint law (:func:`exact_flow`), every array of shape ``law.shape + (n,)``.

    Entry ``[x1..xn, y1..yn, t-1]`` is the value at time :math:`t` on that outcome: ``iota`` :math:`\iota_t`,
    ``kl`` :math:`D_t` (a function of :math:`x^t, y^{t-1}` only), ``ranges`` (the spread of :math:`\iota_t` over
    :math:`y_t` given :math:`x^t, y^{t-1}`).  ``law`` the joint law.  Properties ``Lambda``, ``A``, ``M`` as in
    :class:`FlowPaths`; ``range_bounds`` the deterministic :math:`r_t = \max` of ``ranges`` over outcomes of
    positive probability (for :func:`hoeffding_azuma_band`).

    Attributes
    ----------
    law : numpy.ndarray, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint law.
    iota : numpy.ndarray, shape law.shape + (n,)
        The densities :math:`\iota_t` on every outcome, in units of log ``base``.
    kl : numpy.ndarray, shape law.shape + (n,)
        The compensator increments :math:`D_t`, in units of log ``base``.
    ranges : numpy.ndarray, shape law.shape + (n,)
        The spread of :math:`\iota_t` over :math:`y_t`, in units of log ``base``.
    """

    law: np.ndarray
    iota: np.ndarray
    kl: np.ndarray
    ranges: np.ndarray

    @property
    def Lambda(self) -> np.ndarray:
        return np.cumsum(self.iota, axis=-1)

    @property
    def A(self) -> np.ndarray:
        return np.cumsum(self.kl, axis=-1)

    @property
    def M(self) -> np.ndarray:
        return np.cumsum(self.iota - self.kl, axis=-1)

    @property
    def range_bounds(self) -> np.ndarray:
        sup = self.law > 0
        return np.array([self.ranges[..., t][sup].max() for t in range(self.iota.shape[-1])])

    @property
    def cvar(self) -> np.ndarray:
        r"""Conditional variances :math:`\Var(\iota_t \mid \mathcal G_{t-1}) = \E[\iota_t^2 \mid \mathcal G_{t-1}] - D_t^2` on every outcome."""
        n = self.iota.shape[-1]
        out = np.stack(
            [conditional_expectation(self.law, self.iota[..., t] ** 2, t + 1) - self.kl[..., t] ** 2 for t in range(n)], axis=-1
        )
        return np.where((self.law > 0)[..., None], np.maximum(out, 0.0), 0.0)

    @property
    def V(self) -> np.ndarray:
        r"""Predictable quadratic variation :math:`V_t = \sum_{s\le t}\Var(\iota_s \mid \mathcal G_{s-1})` of :math:`M`."""
        return np.cumsum(self.cvar, axis=-1)


def _joint(p, name: str = "p") -> tuple[np.ndarray, int]:
    arr = as_pmf(p, name)
    if arr.ndim == 0 or arr.ndim % 2:
        raise ValueError(f"{name} must have 2n axes ordered X1..Xn, Y1..Yn (one per variable), got shape {arr.shape}")
    return arr, arr.ndim // 2


def _given_axes(n: int, t: int) -> tuple[int, ...]:
    """Axes of G_{t-1} = sigma(X^t, Y^{t-1}) in the joint layout."""
    return tuple(range(t)) + tuple(range(n, n + t - 1))


def conditional_expectation(p, values, t) -> np.ndarray:
    r"""Exact conditional expectation :math:`\E[f \mid \mathcal G_{t-1}]`, :math:`\mathcal G_{t-1} = \sigma(X^t, Y^{t-1})`.

    ``p`` is a joint law in the joint layout, ``values`` an array :math:`f(x^n, y^n)` broadcastable to it,
    ``t`` in ``1..n``: the conditioning is on what is known just before :math:`Y_t` is drawn.  Returned
    broadcast to ``p.shape``; 0 on histories of probability 0.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    values : array_like
        :math:`f(x^n, y^n)`, broadcastable to ``p.shape``, finite where ``p > 0``.
    t : int
        The time, in ``1..n``.

    Returns
    -------
    numpy.ndarray, shape p.shape
        :math:`\E[f \mid \mathcal G_{t-1}]` on every outcome (units of ``values``).

    Examples
    --------
    >>> p = np.full((2, 2), 0.25)                  # X_1, Y_1 independent fair bits
    >>> conditional_expectation(p, np.array([[0.0, 1.0], [2.0, 3.0]]), 1)
    array([[0.5, 0.5],
           [2.5, 2.5]])
    """
    p, n = _joint(p)
    t = check_int(t, "t", minimum=1, maximum=n)
    v = as_float(values, "values")
    try:
        f = np.broadcast_to(v, p.shape)
    except ValueError:
        raise ValueError(f"values has shape {v.shape}, not broadcastable to p's shape {p.shape}") from None
    if not np.all(np.isfinite(f[p > 0])):
        raise ValueError("values must be finite where p > 0")
    keep = set(_given_axes(n, t))
    other = tuple(a for a in range(2 * n) if a not in keep)
    num = np.where(p > 0, p * np.where(p > 0, f, 0.0), 0.0).sum(axis=other, keepdims=True)
    den = p.sum(axis=other, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.broadcast_to(out, p.shape).copy()


def conditional_mean(p, values, *, given) -> np.ndarray:
    r"""Exact conditional expectation :math:`\E[f \mid V_a : a \in \text{given}]` for any set of variables.

    ``p`` is a joint law in the joint layout (axes :math:`X_1..X_n, Y_1..Y_n`), ``values`` an array
    :math:`f(x^n, y^n)` broadcastable to it, ``given`` a sequence of axis numbers (``0..n-1`` the inputs,
    ``n..2n-1`` the outputs).  Used to test a filtration other than :math:`\mathcal G_t`, e.g.
    :math:`\sigma(X^n, Y^t)` (all inputs, future ones included): ``given = range(n) + range(n, n + t)``.
    With ``given`` the axes of :math:`\mathcal G_{t-1}` it equals :func:`conditional_expectation`.  Returned
    broadcast to ``p.shape``; 0 on conditioning events of probability 0.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    values : array_like
        :math:`f(x^n, y^n)`, broadcastable to ``p.shape``, finite where ``p > 0``.
    given : sequence of int, keyword-only
        The axes conditioned on, each in ``0..2n-1``.

    Returns
    -------
    numpy.ndarray, shape p.shape
        The conditional expectation on every outcome (units of ``values``).
    """
    p, n = _joint(p)
    try:
        keep = {check_int(int(a) if isinstance(a, np.integer) else a, "given", minimum=0, maximum=2 * n - 1) for a in given}
    except TypeError:
        raise ValueError("given must be a sequence of axis numbers") from None
    v = as_float(values, "values")
    try:
        f = np.broadcast_to(v, p.shape)
    except ValueError:
        raise ValueError(f"values has shape {v.shape}, not broadcastable to p's shape {p.shape}") from None
    if not np.all(np.isfinite(f[p > 0])):
        raise ValueError("values must be finite where p > 0")
    other = tuple(a for a in range(2 * n) if a not in keep)
    num = np.where(p > 0, p * np.where(p > 0, f, 0.0), 0.0).sum(axis=other, keepdims=True)
    den = p.sum(axis=other, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.broadcast_to(out, p.shape).copy()


def exact_flow(p, *, base=2) -> ExactFlow:
    r"""The information flow of a joint law of :math:`(X^n, Y^n)`, exactly, on every outcome.

    .. math::

        \iota_t = \log\frac{P(y_t \mid y^{t-1}, x^t)}{P(y_t \mid y^{t-1})},\qquad
        D_t = \sum_{y} P(y \mid x^t, y^{t-1}) \log\frac{P(y \mid x^t, y^{t-1})}{P(y \mid y^{t-1})} = \E[\iota_t \mid \mathcal G_{t-1}] \ge 0,

    and ``ranges`` :math:`= \max_y \iota_t - \min_y \iota_t` over the outputs of positive conditional probability.
    The densities come from :func:`semtheory.directed.directed_information_density`.  Outcomes of
    probability 0 carry 0.  Units of ``base``.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ExactFlow
        The densities, compensator increments and ranges on every outcome, in units of log ``base`` (bits by
        default).

    Examples
    --------
    >>> p = np.array([[0.5, 0.0], [0.0, 0.5]])    # Y_1 = X_1, a fair bit
    >>> f = exact_flow(p)
    >>> f.iota[..., 0]
    array([[1., 0.],
           [0., 1.]])
    >>> float(f.kl[0, 0, 0])
    1.0
    """
    lb = log_base(base)
    p, n = _joint(p)
    iota = directed.directed_information_density(p, base=base)
    _, ch = directed.causal_kernels(p)
    kl = np.zeros(p.shape + (n,))
    rng_ = np.zeros(p.shape + (n,))
    for t in range(1, n + 1):
        drop = tuple(range(n)) + tuple(range(n + t, 2 * n))
        my = p.sum(axis=drop)  # (Y^t)
        den = my.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            py = np.where(den > 0, my / np.where(den > 0, den, 1.0), 0.0)
        py = py.reshape((1,) * t + py.shape)  # axes (X^t [1], Y^{t-1}, Y_t)
        k = ch[t - 1]  # axes (X^t, Y^{t-1}, Y_t)
        hist = p.sum(axis=tuple(range(t, n)) + tuple(range(n + t - 1, 2 * n)))  # P(x^t, y^{t-1})
        ok = (hist > 0)[..., None] & (k > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            lr = np.where(ok, np.log(np.where(ok, k, 1.0)) - np.log(np.where(ok, py, 1.0)), 0.0)
        d = np.where(ok, k * lr, 0.0).sum(axis=-1)  # (X^t, Y^{t-1})
        hi = np.where(ok, lr, -np.inf).max(axis=-1)
        lo = np.where(ok, lr, np.inf).min(axis=-1)
        spread = np.where(np.isfinite(hi) & np.isfinite(lo), hi - lo, 0.0)
        shape = d.shape[:t] + (1,) * (n - t) + d.shape[t:] + (1,) * (n - t + 1)
        kl[..., t - 1] = np.broadcast_to(d.reshape(shape), p.shape)
        rng_[..., t - 1] = np.broadcast_to(spread.reshape(shape), p.shape)
    kl = np.where((p > 0)[..., None], np.maximum(kl, 0.0), 0.0) / lb
    rng_ = np.where((p > 0)[..., None], rng_, 0.0) / lb
    return ExactFlow(p, iota, kl, rng_)


def expected_flow(p, *, base=2) -> np.ndarray:
    r""":math:`\E[\Lambda_t] = \E[A_t] = I(X^t \to Y^t)` for :math:`t = 1..n` (the running sum of :func:`semtheory.directed.directed_information_terms`).

    Units of ``base``.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`I(X^t \to Y^t)` for :math:`t = 1..n`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> expected_flow(np.array([[0.5, 0.0], [0.0, 0.5]]))
    array([1.])
    """
    return np.cumsum(directed.directed_information_terms(p, base=base))


def sample_exact_paths(flow: ExactFlow, n_paths, *, seed=None) -> FlowPaths:
    r"""Draw ``n_paths`` outcomes from ``flow.law`` and read off their flow paths (exact densities).

    Deterministic under ``seed``.  Returns :class:`FlowPaths` with arrays of shape ``(n_paths, n)``.  Chapter 7.

    Parameters
    ----------
    flow : ExactFlow
        The flow of an enumerated law (:func:`exact_flow`).
    n_paths : int
        The number of paths, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the draw.

    Returns
    -------
    FlowPaths
        Arrays of shape ``(n_paths, n)``, in the units of ``flow``.
    """
    if not isinstance(flow, ExactFlow):
        raise ValueError("flow must be an ExactFlow (from exact_flow)")
    m = check_int(n_paths, "n_paths", minimum=1)
    rng = as_rng(seed)
    p = flow.law
    n = p.ndim // 2
    flat = p.ravel()
    idx = rng.choice(flat.size, size=m, p=flat / flat.sum())
    cells = np.unravel_index(idx, p.shape)
    pick = lambda a: a.reshape(-1, n)[idx]  # noqa: E731 - (cells, n) view of a law-shaped array
    coords = np.stack(cells, axis=1)
    return FlowPaths(pick(flow.iota), pick(flow.kl), pick(flow.ranges), coords[:, :n], coords[:, n:], pick(flow.cvar))


# ==============================================================================================
# Jointly Markov pairs: exact densities along simulated paths of any length
# ==============================================================================================


def _pair(transition, initial):
    T = as_real_array(transition, "transition", finite=False, nonempty=False)
    if T.ndim != 4 or T.shape[:2] != T.shape[2:]:
        raise ValueError(f"transition must have shape (|X|, |Y|, |X|, |Y|), got {T.shape}")
    K, L = T.shape[:2]
    as_stochastic(T.reshape(K * L, K * L), "transition")
    if initial is None:
        init = directed.markov_pair_stationary(T)
    else:
        init = as_pmf(initial, "initial", ndim=2)
        if init.shape != (K, L):
            raise ValueError(f"initial must have shape ({K}, {L}), got {init.shape}")
    return T, init, K, L


def lm_markov_pair(model, inputs, *, first=None) -> tuple[np.ndarray, np.ndarray]:
    r"""An LLM reading an input process, as a jointly Markov pair ``(transition, initial)``.

    The model reads the interleaved context :math:`x_1 y_1 x_2 y_2 \dots`; its next-token law must depend on the
    last two tokens only (a :class:`~semtheory.channel.MarkovLM` of order :math:`\le 2`, possibly seen through a
    :class:`~semtheory.channel.DecodedLM`), so :math:`P(y_t \mid \cdot) = P_\theta(y_t \mid y_{t-1}, x_t)`.
    ``inputs``: a pmf ``(V,)`` (i.i.d.), a kernel ``(V, V)`` :math:`P(x_t \mid x_{t-1})` (a Markov source, no
    feedback) or ``(V, V, V)`` :math:`P(x_t \mid x_{t-1}, y_{t-1})` (feedback); ``first`` the law of
    :math:`x_1` (default: the pmf itself, else uniform).  Returns ``transition[x', y', x, y]``
    :math:`= P(x \mid x', y')\,P_\theta(y \mid y', x)` and ``initial[x, y]`` :math:`= P(x_1)\,P_\theta(y \mid x_1)`;
    :func:`semtheory.directed.markov_pair_law` of them equals :func:`semtheory.channel.interaction_law` of the model.
    Chapter 7.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        A model whose next-token law depends on the last two tokens only, vocabulary size ``V``.
    inputs : array_like, shape (V,), (V, V) or (V, V, V)
        The input process: a pmf (i.i.d.), a kernel :math:`P(x_t \mid x_{t-1})` or a feedback kernel
        :math:`P(x_t \mid x_{t-1}, y_{t-1})`.
    first : array_like, shape (V,), optional, keyword-only
        The law of :math:`x_1`.

    Returns
    -------
    transition : numpy.ndarray, shape (V, V, V, V)
        ``transition[x', y', x, y]``, a kernel over its last two axes.
    initial : numpy.ndarray, shape (V, V)
        The law of :math:`(X_1, Y_1)`.
    """
    if not isinstance(model, _channel.LanguageModel):
        raise ValueError(f"model must be a semtheory.channel.LanguageModel, got {type(model).__name__}")
    inner = model
    while isinstance(inner, _channel.DecodedLM):
        inner = inner.model
    if isinstance(inner, _channel.MarkovLM) and inner.order > 2:
        raise ValueError(f"model must read only the last two tokens (a MarkovLM of order <= 2), got order {inner.order}")
    V = model.vocab_size
    Q = as_real_array(inputs, "inputs", finite=False, nonempty=False)
    if Q.ndim == 1:
        q = as_pmf(Q, "inputs", ndim=1)
        Qk = np.broadcast_to(q, (V, V, V))
        x1 = q if first is None else as_pmf(first, "first", ndim=1)
    elif Q.ndim == 2:
        Qk = np.broadcast_to(as_stochastic(Q, "inputs")[:, None, :], (V, V, V))
        x1 = np.full(V, 1.0 / V) if first is None else as_pmf(first, "first", ndim=1)
    elif Q.ndim == 3:
        Qk = as_stochastic(Q, "inputs")
        x1 = np.full(V, 1.0 / V) if first is None else as_pmf(first, "first", ndim=1)
    else:
        raise ValueError(f"inputs must be a pmf (V,), a kernel (V, V) or (V, V, V), got shape {Q.shape}")
    if Qk.shape != (V, V, V) or x1.size != V:
        raise ValueError(f"inputs and first must be over the model's {V} tokens")
    W = np.empty((V, V, V))  # [y_prev, x, y]
    for yp in range(V):
        for x in range(V):
            W[yp, x] = np.exp(model.next_token_logprobs(np.array([yp, x], dtype=np.int64)))
    W1 = np.stack([np.exp(model.next_token_logprobs(np.array([x], dtype=np.int64))) for x in range(V)])
    T = Qk[:, :, :, None] * W[None, :, :, :]  # [x', y', x, y]
    T = T / T.sum(axis=(2, 3), keepdims=True)  # exact up to round-off
    init = x1[:, None] * W1
    return T, init / init.sum()


def _range_from_rows(rows: np.ndarray) -> float:
    """Bound on max_y iota - min_y iota when iota = log w(y) - log m(y), m a mixture of the given rows."""
    lo, hi = rows.min(axis=0), rows.max(axis=0)
    lw = np.log(rows)
    return float(np.max((lw - np.log(lo)).max(axis=1) - (lw - np.log(hi)).min(axis=1)))


def markov_pair_range_bound(transition, n, *, initial=None, base=2) -> np.ndarray:
    r"""Deterministic bounds :math:`r_t` on the spread of :math:`\iota_t` given :math:`\mathcal G_{t-1}`, for a Markov pair.

    Given the past, :math:`\iota_t = \log w(y) - \log m(y)` where :math:`w` is the row
    :math:`P(\cdot \mid x_t, x_{t-1}, y_{t-1})` and :math:`m = P(\cdot \mid y^{t-1})` is a mixture of the rows that
    share :math:`y_{t-1}`, so :math:`m(y)` lies between their smallest and largest entries.  Hence
    :math:`\max_y \iota_t - \min_y \iota_t \le \max_{w}\big[\max_y \log\frac{w(y)}{\min_{w'} w'(y)} - \min_y \log\frac{w(y)}{\max_{w'} w'(y)}\big] = r_t`,
    the same for every :math:`t \ge 2` (:math:`t = 1` uses the rows of ``initial``).  Needs every row to give
    every output positive probability (else the densities are unbounded).  Returns an array of length
    ``n``.  Units of ``base``.  Chapter 7.

    Parameters
    ----------
    transition : array_like, shape (K, L, K, L)
        ``transition[x', y', x, y]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`, normalised over its last two axes.
    n : int
        The horizon, at least 1.
    initial : array_like, shape (K, L), optional, keyword-only
        The law of :math:`(X_1, Y_1)`; default the stationary law.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (n,)
        The bounds :math:`r_1..r_n`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    n = check_int(n, "n", minimum=1)
    T, init, K, L = _pair(transition, initial)
    rows1 = init[init.sum(axis=1) > 0]
    rows1 = rows1 / rows1.sum(axis=1, keepdims=True)
    px = T.sum(axis=3)  # [x', y', x]
    groups = []
    for yp in range(L):
        sel = px[:, yp, :] > 0
        if not sel.any():
            continue
        rows = T[:, yp][sel] / px[:, yp][sel][:, None]
        groups.append(rows)
    if np.any(rows1 == 0) or any(np.any(g == 0) for g in groups):
        raise ValueError("transition must give every output positive probability (bounded information densities)")
    r1 = _range_from_rows(rows1)
    rt = max(_range_from_rows(g) for g in groups)
    out = np.full(n, rt)
    out[0] = r1
    return out / lb


def simulate_markov_pair_flow(transition, n, n_paths, *, initial=None, seed=None, base=2) -> FlowPaths:
    r"""Monte Carlo paths of the flow of a jointly Markov pair, with exact densities from a forward filter.

    ``transition[x', y', x, y]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})` (as in
    :func:`semtheory.directed.markov_pair_law`), ``initial[x, y]`` the law of :math:`(X_1, Y_1)` (default the
    stationary law).  Along each path the filter :math:`\alpha_t(x) = P(X_t = x \mid y^t)` gives

    .. math::

        P(y_t \mid y^{t-1}) = \sum_{x', x} \alpha_{t-1}(x')\, P(x, y_t \mid x', y_{t-1}),\qquad
        \iota_t = \log \frac{P(y_t \mid x_t, x_{t-1}, y_{t-1})}{P(y_t \mid y^{t-1})},

    the conditional KL :math:`D_t`, the conditional variance :math:`\Var(\iota_t \mid \mathcal G_{t-1})` (field
    ``cvar``, units of ``base`` squared) and the spread of :math:`\iota_t`, in :math:`O(|X|^2|Y|)` per step and path:
    any horizon ``n``.  Vectorised over ``n_paths``; deterministic under ``seed``.  Units of ``base``.
    Chapter 7.

    Parameters
    ----------
    transition : array_like, shape (K, L, K, L)
        ``transition[x', y', x, y]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`, normalised over its last two axes.
    n : int
        The horizon, at least 1.
    n_paths : int
        The number of paths, at least 1.
    initial : array_like, shape (K, L), optional, keyword-only
        The law of :math:`(X_1, Y_1)`; default the stationary law.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the paths.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    FlowPaths
        Arrays of shape ``(n_paths, n)``, in units of log ``base`` (``cvar`` in its square).
    """
    lb = log_base(base)
    n = check_int(n, "n", minimum=1)
    m = check_int(n_paths, "n_paths", minimum=1)
    T, init, K, L = _pair(transition, initial)
    rng = as_rng(seed)
    iota = np.zeros((m, n))
    kl = np.zeros((m, n))
    spread = np.zeros((m, n))
    cvar = np.zeros((m, n))
    xs = np.zeros((m, n), dtype=np.int64)
    ys = np.zeros((m, n), dtype=np.int64)

    def draw(P):  # one categorical draw per row of P (m, k)
        c = np.cumsum(P, axis=1)
        c[:, -1] = 1.0
        return (rng.random((P.shape[0], 1)) > c).sum(axis=1)

    def stats(w, mix, y):
        ok = w > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.where(ok, np.log(np.where(ok, w, 1.0)) - np.log(np.where(ok, mix, 1.0)), 0.0)
        d = np.where(ok, w * lr, 0.0).sum(axis=1)
        s = np.where(ok, lr, -np.inf).max(axis=1) - np.where(ok, lr, np.inf).min(axis=1)
        v = np.where(ok, w * (lr - d[:, None]) ** 2, 0.0).sum(axis=1)
        return lr[np.arange(len(y)), y], np.maximum(d, 0.0), s, v

    # t = 1: G_0 = sigma(X_1)
    px1 = init.sum(axis=1)
    x = draw(np.broadcast_to(px1, (m, K)).copy())
    w = init[x] / px1[x][:, None]
    y = draw(w)
    mix = np.broadcast_to(init.sum(axis=0), (m, L))
    iota[:, 0], kl[:, 0], spread[:, 0], cvar[:, 0] = stats(w, mix, y)
    alpha = init[:, y].T / init[:, y].sum(axis=0)[:, None]  # P(X_1 | y_1)
    xs[:, 0], ys[:, 0] = x, y
    Ty = np.transpose(T, (1, 0, 2, 3))  # [y', x', x, y]
    for t in range(1, n):
        Tsl = Ty[y]  # (m, x', x, y)
        joint = np.einsum("mk,mkjl->mjl", alpha, Tsl)  # P(x_t, y_t | y^{t-1})
        rowx = Tsl[np.arange(m), x]  # (m, x, y): P(x_t, y_t | x_{t-1}, y_{t-1})
        pxn = rowx.sum(axis=2)
        xn = draw(pxn)
        w = rowx[np.arange(m), xn] / pxn[np.arange(m), xn][:, None]
        yn = draw(w)
        mix = joint.sum(axis=1)
        iota[:, t], kl[:, t], spread[:, t], cvar[:, t] = stats(w, mix, yn)
        a = joint[np.arange(m), :, yn]
        alpha = a / a.sum(axis=1, keepdims=True)
        x, y = xn, yn
        xs[:, t], ys[:, t] = x, y
    return FlowPaths(iota / lb, kl / lb, spread / lb, xs, ys, cvar / lb**2)


# ==============================================================================================
# Azuma–Hoeffding concentration
# ==============================================================================================


def _as_bounds(c, name: str) -> np.ndarray:
    a = np.atleast_1d(as_real_array(c, name, finite=False, nonempty=False))
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be a non-empty 1-D array of finite, non-negative numbers")
    return a


def azuma_tail(eps, bounds) -> float:
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
    c = _as_bounds(bounds, "bounds")
    s = float(np.sum(c**2))
    if s == 0:
        return 0.0 if e > 0 else 1.0
    return float(min(1.0, 2.0 * math.exp(-(e**2) / (2.0 * s))))


def azuma_band(bounds, delta) -> np.ndarray:
    r"""Two-sided Azuma band :math:`\epsilon_t = \sqrt{2 \log(2/\delta) \sum_{s \le t} c_s^2}`, :math:`t = 1..T`.

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
    c = _as_bounds(bounds, "bounds")
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    return np.sqrt(2.0 * math.log(2.0 / d) * np.cumsum(c**2))


def hoeffding_azuma_band(ranges, delta) -> np.ndarray:
    r"""Azuma–Hoeffding band from ranges: :math:`\epsilon_t = \sqrt{\tfrac12 \log(2/\delta) \sum_{s\le t} r_s^2}`.

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
    r = _as_bounds(ranges, "ranges")
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    return np.sqrt(0.5 * math.log(2.0 / d) * np.cumsum(r**2))


def freedman_band(variance, bound, delta) -> np.ndarray:
    r"""Two-sided Freedman (Bernstein-type) band from the predictable quadratic variation.

    Freedman's inequality (Freedman 1975): if the martingale increments satisfy :math:`|M_s - M_{s-1}| \le c`
    and :math:`V_t = \sum_{s\le t}\Var(M_s - M_{s-1} \mid \mathcal G_{s-1})`, then for deterministic :math:`v`

    .. math:: \Prob\big(\exists t:\ |M_t| \ge \epsilon,\ V_t \le v\big) \le 2\exp\Big(-\frac{\epsilon^2}{2(v + c\epsilon/3)}\Big).

    Setting the right side to :math:`\delta` gives :math:`\epsilon(v) = \tfrac{cL}{3} + \sqrt{(cL/3)^2 + 2vL}` with
    :math:`L = \log(2/\delta)`.  ``variance`` is an array of deterministic levels :math:`v_t` (e.g. bounds on
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
    v = _as_bounds(variance, "variance")
    c = _as_bounds(bound, "bound")
    if c.size not in (1, v.size):
        raise ValueError(f"bound must be a number or have {v.size} entries, got {c.size}")
    c = np.maximum.accumulate(np.broadcast_to(c, v.shape))
    d = check_probability(delta, "delta", low_open=True, high_open=True)
    L = math.log(2.0 / d)
    return c * L / 3.0 + np.sqrt((c * L / 3.0) ** 2 + 2.0 * v * L)


def _levels(levels) -> np.ndarray:
    """``levels`` as a number or a non-empty 1-D array of finite numbers >= 0 (its shape kept)."""
    a = as_real_array(levels, "levels", finite=False, nonempty=False)
    if a.ndim > 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"levels must be a number or a non-empty 1-D array of finite numbers >= 0, got shape {a.shape}")
    return a


def ville_bound(levels, *, base=2) -> np.ndarray:
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


def min_flow_tail(Lambda, levels, *, weights=None) -> np.ndarray:
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


def band_exceedance(M, band) -> np.ndarray:
    r"""Fraction of paths with :math:`|M_t| > \epsilon_t`, for each :math:`t` (``M`` of shape ``(n_paths, T)``).

    Compare with the band's :math:`\delta` (the bands bound :math:`\Prob(|M_t| \ge \epsilon_t)`, which is larger;
    the strict inequality keeps a zero-width band at a step where :math:`M_t = 0` surely from counting as
    exceeded).  Chapter 7.

    Parameters
    ----------
    M : array_like, shape (n_paths, T)
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
        raise ValueError("M must be a finite array of shape (n_paths, T)")
    b = _as_bounds(band, "band")
    if b.size != M.shape[1]:
        raise ValueError(f"band has {b.size} entries, M has {M.shape[1]} time steps")
    return (np.abs(M) > b[None, :]).mean(axis=0)


# ==============================================================================================
# Decoding and the flow
# ==============================================================================================


def decoding_flow(model, inputs, n, *, temperatures, top_k=None, top_p=None, greedy=False, base=2) -> np.ndarray:
    r"""Directed information per generated token :math:`\frac1n I(X^n \to Y^n)` when ``model`` is decoded at each temperature.

    For each :math:`T` in ``temperatures`` the model is seen through the decoding map
    (:class:`semtheory.channel.DecodedLM` with ``temperature=T`` and the given ``top_k`` / ``top_p`` /
    ``greedy``) and the exact joint law with the input process ``inputs`` (a pmf or a policy callable, as in
    :func:`semtheory.channel.interaction_law`) is enumerated.  The result is :math:`\E[\Lambda_n]/n`, the mean
    information flow per token.  Units of ``base``.  Chapters 7, 14.

    ``greedy=True`` is the :math:`T \to 0` limit of the temperature map (the uniform law on each context's most
    likely tokens, chapter 4), whatever ``temperatures`` says; ``top_k=1`` is the deterministic argmax decoder,
    which breaks a tie by the smaller token id.  The two agree exactly when no context the decoder reaches has
    a tie.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The model to decode.
    inputs : array_like, shape (V,), or callable
        The input process: a pmf of i.i.d. inputs over the model's tokens, or a policy callable
        (:func:`semtheory.channel.interaction_law`).
    n : int
        The horizon, at least 1.
    temperatures : array_like, shape (k,), keyword-only
        The decoding temperatures, finite and positive.
    top_k : int or None, keyword-only
        Top-k truncation (:class:`semtheory.channel.DecodedLM`).
    top_p : float or None, keyword-only
        Nucleus truncation.
    greedy : bool, keyword-only, default False
        Decode at the :math:`T \to 0` limit.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (k,)
        :math:`\frac1n I(X^n \to Y^n)` at each temperature, in units of log ``base`` per token (bits by default).
    """
    log_base(base)
    n = check_int(n, "n", minimum=1)
    if not callable(inputs):  # a pmf of the i.i.d. inputs: checked here, so the message names inputs
        q = as_pmf(inputs, "inputs", ndim=1)
        V = getattr(model, "vocab_size", q.size)
        if q.size != V:
            raise ValueError(f"inputs must be a pmf over the model's {V} tokens, got {q.size} entries")
    Ts = np.atleast_1d(as_real_array(temperatures, "temperatures", finite=False, nonempty=False))
    if Ts.ndim != 1 or Ts.size == 0 or not np.all(np.isfinite(Ts)) or np.any(Ts <= 0):
        raise ValueError("temperatures must be a non-empty 1-D array of finite values > 0")
    out = np.empty(Ts.size)
    for i, T in enumerate(Ts):
        lm = _channel.DecodedLM(model, temperature=float(T), top_k=top_k, top_p=top_p, greedy=greedy)
        law = _channel.interaction_law(lm, inputs, n)
        out[i] = directed.directed_information(law, base=base) / n
    return out
