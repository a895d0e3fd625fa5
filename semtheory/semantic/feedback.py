r"""A simulated user in feedback with the model: Monte Carlo directed information (chapter 14).

:func:`echo_user` is a user kernel and :func:`sample_feedback_information` the Monte Carlo estimates of
:math:`I(X^n \to Y^n)` and :math:`I(X^n; Y^n)`; the exact joint law of the same interaction is
:func:`semtheory.channel.interaction_law` (which takes the same kernel).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp

from .._validate import as_float, as_pmf, as_rng, as_stochastic, check_int, log_base
from ..core.models import check_model
from ..core.tables import next_token_table
from ._common import draw

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, FloatArray, SeedLike


def _as_user(kernel, first, V: int):
    K = as_float(kernel, "user")
    if K.shape != (V, V, V):
        raise ValueError(f"user must have shape (V, V, V) = ({V}, {V}, {V}) [x_prev, y_prev, x], got {K.shape}")
    K = as_stochastic(K, "user")  # a conditional pmf over its last axis
    f = np.full(V, 1.0 / V) if first is None else as_pmf(first, "first", ndim=1)
    if f.size != V:
        raise ValueError(f"first must have {V} entries, got {f.size}")
    return K, f


def echo_user(vocab_size: int, repeat: float) -> FloatArray:
    r"""A simulated user who echoes the model: :math:`P(x_t \mid x_{t-1}, y_{t-1}) = \lambda\,[x_t = y_{t-1}] + (1-\lambda)/V`.

    Returns the kernel ``user[x_prev, y_prev, x]`` of shape ``(V, V, V)`` for
    :func:`semtheory.channel.interaction_law` and :func:`sample_feedback_information` (``repeat`` :math:`= \lambda`; 0 is a user who ignores the model, i.e.
    no feedback).  Chapter 14.

    Parameters
    ----------
    vocab_size : int >= 2
        Vocabulary size.
    repeat : float in [0, 1]
        The echo probability :math:`\lambda`.

    Returns
    -------
    numpy.ndarray, shape (V, V, V)
        The kernel ``user[x_prev, y_prev, x]`` (conditional pmfs over the last axis).
    """
    from .._validate import check_probability

    V = check_int(vocab_size, "vocab_size", minimum=2)
    lam = check_probability(repeat, "repeat")
    K = np.full((V, V, V), (1.0 - lam) / V)
    K[:, np.arange(V), np.arange(V)] += lam
    return K


class FeedbackEstimate(NamedTuple):
    r"""Monte Carlo estimates (units of ``base``) of :math:`I(X^n \to Y^n)` (``directed``), :math:`I(X^n; Y^n)`
    (``mutual``) and their difference :math:`I(0{*}Y^{n-1} \to X^n)` (``reverse``), each with a standard error;
    ``n_samples`` and ``n_inner``.  Chapter 14.

    Attributes
    ----------
    directed, directed_se : float
        Estimate of :math:`I(X^n \to Y^n)` and its standard error (units of log ``base``).
    mutual, mutual_se : float
        Estimate of :math:`I(X^n; Y^n)` and its standard error.
    reverse, reverse_se : float
        Their difference, an estimate of :math:`I(0{*}Y^{n-1} \to X^n)`, and its standard error.
    n_samples, n_inner : int
        Outer interactions and inner draws per marginal.
    """

    directed: float
    directed_se: float
    mutual: float
    mutual_se: float
    reverse: float
    reverse_se: float
    n_samples: int
    n_inner: int


def _interleave(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape[:-1] + (x.shape[-1] + y.shape[-1],), dtype=np.int64)
    out[..., 0::2] = x
    out[..., 1::2] = y
    return out


def _model_logp_y(model, x, y) -> np.ndarray:
    """log P(y^n || x^n) for rows of turns (B, n): one causal pass over x1 y1 .. x_n."""
    n = x.shape[1]
    tab = next_token_table(model, _interleave(x, y[:, :n - 1]))  # (B, 2n, V); prefix x1..x_t at index 2t-1
    idx = 2 * np.arange(n) + 1
    return np.take_along_axis(tab[:, idx, :], y[..., None], axis=-1)[..., 0].sum(axis=1)


def sample_feedback_information(model: LanguageModel, user: ArrayLike, n: int, n_samples: int, *, n_inner: int = 64,
                                first: ArrayLike | None = None, seed: SeedLike = None,
                                base: float = 2) -> FeedbackEstimate:
    r"""Monte Carlo estimates of the directed and the mutual information of ``n`` turns of a user and the model.

    ``n_samples`` interactions :math:`(x^n, y^n)` are drawn (:func:`semtheory.channel.interaction_law`'s process).  On each, the
    model's and the user's causal likelihoods :math:`P(y^n \| x^n)` and :math:`P(x^n \| y^{n-1})` are exact,
    and the two marginals are estimated by ``n_inner`` inner draws each,

    .. math:: \hat P(y^n) = \frac1M\sum_{m} P(y^n \| x'^{(m)}),\ x'^{(m)} \sim P(\cdot \| y^{n-1}), \qquad
              \hat P(x^n) = \frac1M\sum_{m} P(x^n \| y'^{(m)}),\ y'^{(m)} \sim P(\cdot \| x^n),

    which are unbiased because :math:`P(y^n) = \sum_{x^n} P(x^n \| y^{n-1}) P(y^n \| x^n)` (and symmetrically).
    Then :math:`\hat I(X^n\to Y^n)` is the mean of :math:`\log P(y^n\|x^n)/\hat P(y^n)` and :math:`\hat I(X^n;Y^n)`
    the mean of :math:`\log P(x^n, y^n)/(\hat P(x^n)\hat P(y^n))`.  The logarithm of an unbiased estimate is
    biased low by :math:`O(1/M)`, so both estimates are consistent as ``n_inner`` grows and carry a bias
    of order :math:`1/M` (upward); the standard errors are over paths only.  Deterministic under ``seed``.
    Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    user : array_like, shape (V, V, V)
        The user kernel ``user[x_prev, y_prev, x]`` (e.g. :func:`echo_user`).
    n : int >= 1
        Number of turns.
    n_samples : int >= 2
        Number of outer interactions.
    n_inner : int >= 1, keyword-only, default 64
        Inner draws per marginal.
    first : array_like, shape (V,), keyword-only, optional
        The law of the first turn; default uniform.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    FeedbackEstimate
        The three estimates and their standard errors, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    model = check_model(model)
    V = model.vocab_size
    K, f = _as_user(user, first, V)
    n = check_int(n, "n", minimum=1)
    N = check_int(n_samples, "n_samples", minimum=2)
    M = check_int(n_inner, "n_inner", minimum=1)
    rng = as_rng(seed)
    with np.errstate(divide="ignore"):
        lK, lf = np.log(K), np.log(f)

    def users(rows, y):  # draw x^n from P(. || y^{n-1}) for each row of y (rows, n)
        x = np.zeros((rows, n), dtype=np.int64)
        x[:, 0] = draw(rng, np.broadcast_to(lf, (rows, V)).copy())
        for t in range(1, n):
            x[:, t] = draw(rng, lK[x[:, t - 1], y[:, t - 1]])
        return x

    def user_logp(x, y):
        return lf[x[:, 0]] + sum(lK[x[:, t - 1], y[:, t - 1], x[:, t]] for t in range(1, n))

    def generate(x):  # draw y^n from P(. || x^n)
        rows = x.shape[0]
        y = np.zeros((rows, n), dtype=np.int64)
        for t in range(n):
            ctx = _interleave(x[:, :t + 1], y[:, :t])
            y[:, t] = draw(rng, next_token_table(model, ctx, start=2 * t + 1)[:, 0])
        return y

    # outer paths: user and model in turn
    x = np.zeros((N, n), dtype=np.int64)
    y = np.zeros((N, n), dtype=np.int64)
    x[:, 0] = draw(rng, np.broadcast_to(lf, (N, V)).copy())
    for t in range(n):
        if t:
            x[:, t] = draw(rng, lK[x[:, t - 1], y[:, t - 1]])
        y[:, t] = draw(rng, next_token_table(model, _interleave(x[:, :t + 1], y[:, :t]), start=2 * t + 1)[:, 0])
    lpy_x = _model_logp_y(model, x, y)
    lpx_y = user_logp(x, y)
    # P(y^n): inputs redrawn from the user given the observed outputs
    yr = np.repeat(y, M, axis=0)
    xs = users(N * M, yr)
    lpy = logsumexp(_model_logp_y(model, xs, yr).reshape(N, M), axis=1) - math.log(M)
    # P(x^n): outputs redrawn from the model given the observed inputs
    xr = np.repeat(x, M, axis=0)
    ys = generate(xr)
    lpx = logsumexp(user_logp(xr, ys).reshape(N, M), axis=1) - math.log(M)
    di = (lpy_x - lpy) / lb
    mi = (lpy_x + lpx_y - lpx - lpy) / lb
    rv = mi - di
    r = math.sqrt(N)
    return FeedbackEstimate(float(di.mean()), float(di.std(ddof=1) / r), float(mi.mean()), float(mi.std(ddof=1) / r),
                            float(rv.mean()), float(rv.std(ddof=1) / r), N, M)
