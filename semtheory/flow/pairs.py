r"""Jointly Markov pairs (an input source read by a Markov LM): the flow along simulated paths of any length with
exact densities from a forward filter, and the range of its martingale differences (chapter 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import channel as _channel
from .. import directed
from .._validate import as_pmf, as_real_array, as_rng, as_stochastic, check_int, log_base
from ..core.types import ArrayLike, FloatArray, SeedLike
from .paths import FlowPaths

if TYPE_CHECKING:
    from ..core.models import LanguageModel


def _pair(transition: ArrayLike, initial: ArrayLike | None) -> tuple[FloatArray, FloatArray, int, int]:
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


def lm_markov_pair(model: LanguageModel, inputs: ArrayLike, *, first: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
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


def _range_from_rows(rows: FloatArray) -> float:
    """Bound on max_y iota - min_y iota when iota = log w(y) - log m(y), m a mixture of the given rows."""
    lo, hi = rows.min(axis=0), rows.max(axis=0)
    lw = np.log(rows)
    return float(np.max((lw - np.log(lo)).max(axis=1) - (lw - np.log(hi)).min(axis=1)))


def markov_pair_range_bound(transition: ArrayLike, n: int, *, initial: ArrayLike | None = None,
                            base: float = 2) -> FloatArray:
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


def simulate_markov_pair_flow(transition: ArrayLike, n: int, n_samples: int, *, initial: ArrayLike | None = None,
                              seed: SeedLike = None, base: float = 2) -> FlowPaths:
    r"""Monte Carlo paths of the flow of a jointly Markov pair, with exact densities from a forward filter.

    ``transition[x', y', x, y]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})` (as in
    :func:`semtheory.directed.markov_pair_law`), ``initial[x, y]`` the law of :math:`(X_1, Y_1)` (default the
    stationary law).  Along each path the filter :math:`\alpha_t(x) = P(X_t = x \mid y^t)` gives

    .. math::

        P(y_t \mid y^{t-1}) = \sum_{x', x} \alpha_{t-1}(x')\, P(x, y_t \mid x', y_{t-1}),\qquad
        \iota_t = \log \frac{P(y_t \mid x_t, x_{t-1}, y_{t-1})}{P(y_t \mid y^{t-1})},

    the conditional KL :math:`D_t`, the conditional variance :math:`\Var(\iota_t \mid \mathcal G_{t-1})` (field
    ``cvar``, units of ``base`` squared) and the spread of :math:`\iota_t`, in :math:`O(|X|^2|Y|)` per step and path:
    any horizon ``n``.  Vectorised over ``n_samples``; deterministic under ``seed``.  Units of ``base``.
    Chapter 7.

    Parameters
    ----------
    transition : array_like, shape (K, L, K, L)
        ``transition[x', y', x, y]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`, normalised over its last two axes.
    n : int
        The horizon, at least 1.
    n_samples : int
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
        Arrays of shape ``(n_samples, n)``, in units of log ``base`` (``cvar`` in its square).
    """
    lb = log_base(base)
    n = check_int(n, "n", minimum=1)
    m = check_int(n_samples, "n_samples", minimum=1)
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
