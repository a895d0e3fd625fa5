r"""Masked diffusion language models (LLaDA) on laws small enough to enumerate.  Chapter 16.

**Forward process.**  A clean sequence :math:`x_0 \in \V^n` (:math:`\V = \{0, \dots, V-1\}`) is corrupted at
ratio :math:`t \in [0, 1]` by replacing each token, independently, by the mask token ``M`` with probability
:math:`t`.  Here ``M`` is the integer ``V`` (one past the vocabulary), so a partially masked sequence
:math:`z \in \{0, \dots, V\}^n`.  A mask *pattern* is a subset :math:`m \subseteq \{1..n\}`; it has
probability :math:`t^{|m|}(1-t)^{n-|m|}` (:func:`mask_probabilities`); patterns are indexed by the integer
whose bit :math:`i` says whether position :math:`i` is masked (:func:`mask_patterns`).

**Predictors.**  A mask predictor :math:`q(x^i \mid z)` gives, for each partially masked sequence and each
position, a pmf over :math:`\V`.  On an enumerable toy it is a *table* of shape ``(V+1,)*n + (n, V)``:
``q[z][i]`` is the law of position ``i`` given ``z``.  A table is indexed by :math:`z` only, so it depends on
the visible tokens and nothing else.  Rows of visible positions are ignored by every loss (the usual
convention, followed by :func:`exact_conditionals`, puts the one-hot law of the visible token there).
:func:`exact_conditionals` builds the table of the data law's own conditionals; :func:`random_predictor`,
:func:`perturbed_predictor` and :func:`marginal_predictor` build imperfect ones, and :func:`model_table`
tabulates a trained :class:`MaskPredictor` (a small Transformer encoder without causal mask).

**Loss.**  The LLaDA loss (Nie et al. 2025; the masked-diffusion ELBO of Sahoo et al. 2024, Shi et al. 2024)

.. math:: \mathcal L(q) = \int_0^1 \frac1t\, \E_{x_0}\E_{z \mid x_0, t}\Bigl[\sum_{i:\, z^i = M} -\log q(x_0^i \mid z)\Bigr]\dd t

is computed exactly (:func:`llada_loss`): integrating :math:`t^{k-1}(1-t)^{n-k}` gives each pattern with
:math:`k \ge 1` masked tokens the weight :math:`B(k, n-k+1) = 1/(k\binom nk)` (:func:`mask_weights`), the
probability that a uniformly random order leaves exactly :math:`m` masked with the next token in :math:`m`
(Ou et al. 2024).  Hence :math:`\mathcal L(q) = \frac1{n!}\sum_\sigma \E_p[-\log q_\sigma(X)]`, the any-order
autoregressive loss (:func:`any_order_loss`, :func:`order_law`), which is at least :math:`H(X^n)` with
equality at the exact conditionals.  :func:`loss_chain` splits the gap.  :func:`llada_loss_mc` samples it
(the :math:`1/t` estimator, floored or not, or the count estimator), :func:`estimator_moments` gives the exact
mean and variance of each, :func:`bayes_posterior` shows the optimal predictor needs no time input, and
:func:`discrete_time_loss` is the :math:`T`-step ELBO.

**Sampling** (:func:`sample`, :func:`sampler_law`): start fully masked; at each of ``steps`` steps predict every
masked token, keep some and remask the rest, either at random or keeping the most confident ones
("low-confidence remasking").  :func:`step_joint_law` lays a sampling run out as two processes along the
denoising steps, for the directed information of chapter 3; :func:`sampler_step_law` and
:func:`schedule_flows` do it for a data-dependent (low-confidence) order.

Units: ``base=2`` (bits) by default, ``base=math.e`` for nats; losses are per sequence (divide by ``n`` for
per token).
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
from ._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.diffusion")
nn = torch.nn
F = torch.nn.functional

from . import measures
from ._validate import as_array as _asarray
from ._validate import (
    as_int_array,
    as_float,
    as_pmf,
    as_rng,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
    torch_seed,
)
from .core.torchloop import TrainResult, minimise, one_thread
from .transformer import Block, CausalSelfAttention

__all__ = [
    "mask_patterns",
    "mask_probabilities",
    "mask_weights",
    "forward_mask",
    "sample_sequences",
    "exact_conditionals",
    "marginal_predictor",
    "random_predictor",
    "perturbed_predictor",
    "llada_loss",
    "loss_by_masked_count",
    "loss_integrand",
    "llada_loss_mc",
    "EstimatorMoments",
    "estimator_moments",
    "bayes_posterior",
    "discrete_time_loss",
    "order_law",
    "order_cross_entropy",
    "any_order_loss",
    "mixture_law",
    "order_log_joint",
    "LossChain",
    "loss_chain",
    "unmask_schedule",
    "Samples",
    "sample",
    "sampler_law",
    "step_joint_law",
    "sampler_step_law",
    "schedule_entropy",
    "ScheduleFlows",
    "schedule_flows",
    "source_nll",
    "SamplingQuality",
    "sampling_quality",
    "MaskPredictor",
    "train_mask_predictor",
    "model_table",
]

from .core.law import MAX_CELLS as _MAX_CELLS  # largest table ((V+1)^n * n * V cells) or law handled by enumeration
_REMASKING = ("random", "low_confidence")


# ----------------------------------------------------------------------------------------------
# Validation helpers
# ----------------------------------------------------------------------------------------------


def _check_law(p, name: str = "p") -> tuple[np.ndarray, int, int]:
    """A joint pmf of n >= 1 tokens over one alphabet: shape (V,)*n; returns (p, n, V)."""
    p = as_pmf(p, name)
    if p.ndim < 1 or len(set(p.shape)) != 1:
        raise ValueError(f"{name} must be a joint pmf of shape (V,)*n (all axes of one length), got {p.shape}")
    n, V = p.ndim, p.shape[0]
    if V < 1 or (V + 1) ** n * n * V > _MAX_CELLS:
        raise ValueError(f"{name} is too large to enumerate masks for (n={n}, V={V})")
    return p, n, V


def _check_table(q, name: str = "q") -> tuple[np.ndarray, int, int]:
    """A predictor table of shape (V+1,)*n + (n, V) whose last axis holds pmfs."""
    q = as_stochastic(q, name)
    if q.ndim < 3:
        raise ValueError(f"{name} must have shape (V+1,)*n + (n, V), got {q.shape}")
    n, V = q.shape[-2], q.shape[-1]
    if q.ndim != n + 2 or any(s != V + 1 for s in q.shape[:-2]):
        raise ValueError(f"{name} must have shape (V+1,)*n + (n, V) = {(V + 1,) * n + (n, V)}, got {q.shape}")
    return q, n, V


def _pair(p, q) -> tuple[np.ndarray, np.ndarray, int, int]:
    p, n, V = _check_law(p, "p")
    q, nq, Vq = _check_table(q, "q")
    if (nq, Vq) != (n, V):
        raise ValueError(f"q is a predictor for n={nq}, V={Vq} but p has n={n}, V={V}")
    return p, q, n, V


def _check_tokens(x, V: int, name: str) -> np.ndarray:
    arr = _asarray(x, name)
    if arr.ndim < 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty integer array of token ids, got {arr!r}")
    if arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must hold token ids in [0, {V})")
    return arr.astype(np.int64)


def _all_sequences(n: int, V: int) -> np.ndarray:
    """Every x in V^n as rows, in C order of a (V,)*n array."""
    return np.indices((V,) * n).reshape(n, -1).T


def _flat(q: np.ndarray, n: int, V: int) -> np.ndarray:
    return q.reshape((V + 1) ** n, n, V)


def _index(z: np.ndarray, n: int, V: int) -> np.ndarray:
    """Row index of partially masked sequences z (..., n) into a flattened table."""
    return np.ravel_multi_index(tuple(np.moveaxis(z, -1, 0)), (V + 1,) * n)


# ----------------------------------------------------------------------------------------------
# Forward process
# ----------------------------------------------------------------------------------------------


def mask_patterns(n) -> np.ndarray:
    r"""All :math:`2^n` mask patterns as a boolean array (2^n, n); row ``m`` has bit ``i`` of ``m`` at column ``i``.  Chapter 16.

    Parameters
    ----------
    n : int
        Sequence length, >= 1.

    Returns
    -------
    numpy.ndarray of bool, shape (2**n, n)
        Every mask pattern.
    """
    n = check_int(n, "n", minimum=1, maximum=20)
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)


def mask_probabilities(n, t) -> np.ndarray:
    r"""Law of the mask pattern at ratio :math:`t`: :math:`P(m \mid t) = t^{|m|}(1-t)^{n-|m|}`, shape (2^n,).  Chapter 16.

    Parameters
    ----------
    n : int
        Sequence length.
    t : float
        Mask ratio in [0, 1].

    Returns
    -------
    numpy.ndarray of float, shape (2**n,)
        :math:`P(m \mid t)` (probabilities).
    """
    n = check_int(n, "n", minimum=1, maximum=20)
    t = check_probability(t, "t")
    k = mask_patterns(n).sum(axis=1)
    return t**k * (1 - t) ** (n - k)


def mask_weights(n) -> np.ndarray:
    r"""Exact weights :math:`w_m = \int_0^1 \frac1t\, t^{k}(1-t)^{n-k}\dd t = B(k, n-k+1) = \frac{1}{k\binom nk}`, :math:`k=|m|`.

    Shape (2^n,); the empty pattern (:math:`k = 0`, nothing to predict) gets 0.  These make
    :func:`llada_loss` exact: :math:`\mathcal L = \sum_m w_m \E[\sum_{i\in m} -\log q(x^i\mid z_m(x))]`.
    Chapter 16.

    Parameters
    ----------
    n : int
        Sequence length.

    Returns
    -------
    numpy.ndarray of float, shape (2**n,)
        The weights :math:`w_m` (no units).
    """
    n = check_int(n, "n", minimum=1, maximum=20)
    k = mask_patterns(n).sum(axis=1)
    out = np.zeros(k.size)
    pos = k > 0
    out[pos] = 1.0 / (k[pos] * np.array([math.comb(n, int(j)) for j in k[pos]], dtype=float))
    return out


def forward_mask(x0, t, *, vocab_size, seed=None) -> np.ndarray:
    r"""Mask each token of ``x0`` independently with probability ``t`` (the mask id is ``vocab_size``).

    ``x0`` is an integer array (..., n); ``t`` a ratio in [0, 1] or an array of ratios of shape ``x0.shape[:-1]``
    (one per sequence).  Deterministic under ``seed``.  Chapter 16.

    Parameters
    ----------
    x0 : array_like of int, shape (..., n)
        Clean sequences.
    t : float or array_like, shape x0.shape[:-1]
        Mask ratios in [0, 1].
    vocab_size : int, keyword-only
        :math:`V` (the mask id).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int64, shape of ``x0``
        The masked sequences.
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    x = _check_tokens(x0, V, "x0")
    tt = as_float(t, "t") if not isinstance(t, bool) else None
    if tt is None or not np.all(np.isfinite(tt)) or np.any(tt < 0) or np.any(tt > 1):
        raise ValueError(f"t must be a ratio in [0, 1] (or an array of them), got {t!r}")
    if tt.ndim and tt.shape != x.shape[:-1]:
        raise ValueError(f"t must be a scalar or have shape x0.shape[:-1] = {x.shape[:-1]}, got {tt.shape}")
    rng = as_rng(seed)
    hide = rng.random(x.shape) < (tt[..., None] if tt.ndim else tt)
    return np.where(hide, V, x)


def sample_sequences(p, size, *, seed=None) -> np.ndarray:
    r"""``size`` i.i.d. sequences :math:`x \sim p` from a joint law of shape (V,)*n, as rows (size, n).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    size : int
        Number of sequences.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int64, shape (size, n)
        The sequences.
    """
    p, n, V = _check_law(p, "p")
    size = check_int(size, "size", minimum=1)
    idx = as_rng(seed).choice(p.size, size=size, p=p.reshape(-1))
    return np.stack(np.unravel_index(idx, p.shape), axis=1).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Predictor tables
# ----------------------------------------------------------------------------------------------


def _visible_one_hot(n: int, V: int) -> np.ndarray:
    """Table with the one-hot law of the visible token at visible positions and zeros elsewhere."""
    Z = np.indices((V + 1,) * n).reshape(n, -1).T  # ((V+1)^n, n)
    out = np.zeros((Z.shape[0], n, V))
    r, i = np.nonzero(Z < V)
    out[r, i, Z[r, i]] = 1.0
    return out, Z


def exact_conditionals(p) -> np.ndarray:
    r"""The data law's own mask predictor: :math:`q^\star(x^i = v \mid z) = P(X_i = v \mid X_j = z_j,\ j \text{ visible})`.

    Shape ``(V+1,)*n + (n, V)``.  Visible positions get the one-hot law of their token; conditionals given a
    visible configuration of probability zero are set to the uniform law (they never enter a loss).
    Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = _check_law(p, "p")
    out, Z = _visible_one_hot(n, V)
    masks = mask_patterns(n)
    for m in masks[1:]:
        hid = tuple(np.nonzero(m)[0])
        vis = tuple(np.nonzero(~m)[0])
        mv = p.sum(axis=hid)  # law of the visible tokens, axes in order `vis`
        rows = np.nonzero(np.all((Z == V) == m, axis=1))[0]  # states with exactly this pattern
        vis_idx = tuple(Z[rows][:, list(vis)].T)
        den = mv[vis_idx] if vis else np.full(rows.size, mv)
        for i in hid:
            joint = p.sum(axis=tuple(j for j in hid if j != i))  # axes sorted(vis + (i,))
            joint = np.moveaxis(joint, sorted(vis + (i,)).index(i), -1)  # (vis..., V)
            num = joint[vis_idx] if vis else np.broadcast_to(joint, (rows.size, V))
            with np.errstate(invalid="ignore", divide="ignore"):
                out[rows, i] = np.where(den[:, None] > 0, num / np.where(den > 0, den, 1.0)[:, None], 1.0 / V)
    return out.reshape((V + 1,) * n + (n, V))


def marginal_predictor(p) -> np.ndarray:
    r"""The context-free predictor :math:`q(x^i \mid z) = P(X_i = x^i)` (ignores every visible token).

    Its LLaDA loss is :math:`\sum_i H(X_i)` (each position is predicted in each of its masks with total
    weight 1), above :math:`H(X^n)` by the total correlation.  Shape ``(V+1,)*n + (n, V)``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = _check_law(p, "p")
    out, Z = _visible_one_hot(n, V)
    for i in range(n):
        marg = p.sum(axis=tuple(j for j in range(n) if j != i))
        hid = Z[:, i] == V
        out[hid, i] = marg
    return out.reshape((V + 1,) * n + (n, V))


def random_predictor(vocab_size, length, *, concentration=1.0, seed=0) -> np.ndarray:
    r"""A predictor whose masked rows are independent Dirichlet(``concentration``) pmfs (seeded); visible rows one-hot.

    Shape ``(V+1,)*n + (n, V)`` with ``V = vocab_size``, ``n = length``.  Chapter 16.

    Parameters
    ----------
    vocab_size : int
        :math:`V`.
    length : int
        :math:`n`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    n = check_int(length, "length", minimum=1)
    a = check_positive(concentration, "concentration")
    if (V + 1) ** n * n * V > _MAX_CELLS:
        raise ValueError(f"length={n} with vocab_size={V} gives a table too large to enumerate")
    out, Z = _visible_one_hot(n, V)
    rng = as_rng(seed)
    hid = Z == V
    draws = rng.dirichlet(np.full(V, a), size=int(hid.sum()))
    out[hid] = draws / draws.sum(axis=1, keepdims=True)
    return out.reshape((V + 1,) * n + (n, V))


def perturbed_predictor(q, noise, *, concentration=1.0, seed=0) -> np.ndarray:
    r"""The mixture :math:`(1-\epsilon)\,q + \epsilon\, r` of a predictor with a :func:`random_predictor` :math:`r`.

    ``noise`` :math:`= \epsilon \in [0, 1]`; :math:`\epsilon = 0` returns ``q`` unchanged.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    noise : float
        :math:`\epsilon \in [0, 1]`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration of :math:`r`.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    q, n, V = _check_table(q, "q")
    eps = check_probability(noise, "noise")
    r = random_predictor(V, n, concentration=concentration, seed=seed)
    return (1 - eps) * q + eps * r


# ----------------------------------------------------------------------------------------------
# The loss, exactly
# ----------------------------------------------------------------------------------------------


def _pattern_losses(p, q, n, V) -> np.ndarray:
    r"""Array (2^n, n): :math:`\E_p[-\ln q(X_i \mid z_m(X))]` for pattern m and masked position i (0 if unmasked), nats."""
    X = _all_sequences(n, V)
    px = p.reshape(-1)
    keep = px > 0
    X, px = X[keep], px[keep]
    qf = _flat(q, n, V)
    masks = mask_patterns(n)
    out = np.zeros((masks.shape[0], n))
    rows = np.arange(X.shape[0])[:, None]
    cols = np.arange(n)[None, :]
    for mi, m in enumerate(masks):
        if not m.any():
            continue
        Zm = np.where(m, V, X)
        qx = qf[_index(Zm, n, V)][rows, cols, X]  # (N, n): q(x_i | z_m(x))
        with np.errstate(divide="ignore"):
            nll = -np.log(qx)
        out[mi] = np.where(m, px @ np.where(m, nll, 0.0), 0.0)
    return out


def llada_loss(p, q, *, base=2) -> float:
    r"""Exact LLaDA loss :math:`\mathcal L(q) = \E_t\E_{x_0, z}\bigl[\tfrac1t \sum_{i:\,z^i=M} -\log q(x_0^i\mid z)\bigr]`, :math:`t\sim U[0,1]`.

    Computed as :math:`\sum_m w_m \sum_{i \in m}\E_p[-\log q(X_i \mid z_m(X))]` with the exact Beta weights
    :math:`w_m = 1/(|m|\binom{n}{|m|})` of :func:`mask_weights` (no Monte Carlo).  ``p`` is the data law, shape
    (V,)*n; ``q`` a predictor table.  Equals :func:`any_order_loss`; at least :math:`H(X^n)`, with equality at
    :func:`exact_conditionals`.  Per sequence, units of ``base`` (bits by default); ``inf`` if ``q`` gives
    probability 0 to a token the data can produce.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    return float(mask_weights(n) @ _pattern_losses(p, q, n, V).sum(axis=1)) / lb


def loss_by_masked_count(p, q, *, base=2) -> np.ndarray:
    r"""The loss split by the number :math:`k` of masked tokens: entry ``k-1`` is :math:`c_k = \binom nk^{-1}\sum_{|m|=k}\frac1k\sum_{i\in m}\E_p[-\log q(X_i\mid z_m)]`.

    :math:`c_k` is the expected loss of the token predicted when :math:`k` tokens are still masked in a
    uniformly random order, so :math:`\sum_k c_k =` :func:`llada_loss`; at the exact conditionals :math:`c_k` is
    the average conditional entropy of one token given :math:`n-k` random others.  Shape (n,), units of
    ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        :math:`c_k`, units of log ``base``.
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    per = mask_weights(n) * _pattern_losses(p, q, n, V).sum(axis=1)
    k = mask_patterns(n).sum(axis=1)
    return np.array([per[k == j].sum() for j in range(1, n + 1)]) / lb


def loss_integrand(p, q, t, *, base=2) -> np.ndarray:
    r"""The integrand :math:`g(t) = \frac1t\,\E_{x_0}\E_{z\mid x_0,t}[\sum_{i:\,z^i=M} -\log q(x_0^i\mid z)]` at ratios ``t`` in (0, 1].

    :math:`\int_0^1 g(t)\dd t =` :func:`llada_loss`.  ``t`` a scalar or 1-D array; returns an array of its shape.
    Units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    t : float or array_like, 1-D
        Ratios in (0, 1].
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray of float, shape of ``t``
        :math:`g(t)`, units of log ``base`` per sequence.
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    tt = np.atleast_1d(as_float(t, "t"))
    if tt.ndim != 1 or not np.all(np.isfinite(tt)) or np.any(tt <= 0) or np.any(tt > 1):
        raise ValueError(f"t must be a ratio in (0, 1] or a 1-D array of them, got {t!r}")
    per = _pattern_losses(p, q, n, V).sum(axis=1)
    k = mask_patterns(n).sum(axis=1)
    vals = np.array([np.sum(per * s ** (k - 1.0) * (1 - s) ** (n - k)) for s in tt]) / lb
    return vals.reshape(np.shape(t)) if np.ndim(t) else vals[0]


_ESTIMATORS = ("ratio", "count")


def _check_estimator(estimator) -> str:
    if estimator not in _ESTIMATORS:
        raise ValueError(f"estimator must be one of {_ESTIMATORS}, got {estimator!r}")
    return estimator


def llada_loss_mc(p, q, num_samples, *, base=2, seed=None, estimator="ratio", t_min=0.0) -> tuple[float, float]:
    r"""Monte-Carlo estimate of the LLaDA loss from ``num_samples`` draws; returns ``(mean, standard_error)``.

    ``estimator="ratio"`` (training): draw :math:`x_0 \sim p`, :math:`u \sim U(0,1]`, the ratio
    :math:`t = t_{\min} + (1 - t_{\min})u` (LLaDA's code floors it with :math:`t_{\min} = 10^{-3}`), mask
    each token with probability :math:`t` and score :math:`v = \frac1t\sum_{\rm masked}-\log q`.  With
    ``t_min=0`` it is unbiased but its variance is infinite (:func:`estimator_moments`), so the returned
    standard error is not a valid error bar; with ``t_min > 0`` the variance is finite and the mean is
    :math:`\frac{1}{1-t_{\min}}\int_{t_{\min}}^1 g(t)\dd t` (:func:`loss_integrand`), biased by
    :math:`O(t_{\min})`.  ``estimator="count"`` (LLaDA's likelihood evaluation): draw :math:`\ell` uniform
    in :math:`\{1..n\}`, mask :math:`\ell` positions chosen uniformly without replacement and score
    :math:`v = \frac n\ell\sum_{\rm masked}-\log q`: unbiased, weight at most :math:`n`, finite variance
    (``t_min`` is ignored).  Units of ``base``; deterministic under ``seed``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    num_samples : int
        Draws, >= 2.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.
    estimator : {"ratio", "count"}, keyword-only, default "ratio"
        The estimator (see :func:`estimator_moments`).
    t_min : float, keyword-only, default 0.0
        Floor :math:`t_{\min}` of the ratio.

    Returns
    -------
    tuple of (float, float)
        Mean and standard error, units of log ``base`` per sequence.
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    N = check_int(num_samples, "num_samples", minimum=2)
    est = _check_estimator(estimator)
    eps = check_probability(t_min, "t_min")
    if eps >= 1:
        raise ValueError(f"t_min must be < 1, got {t_min!r}")
    rng = as_rng(seed)
    x = sample_sequences(p, N, seed=rng)
    if est == "ratio":
        t = 1.0 - rng.random(N)  # (0, 1]
        t = eps + (1.0 - eps) * t
        z = forward_mask(x, t, vocab_size=V, seed=rng)
        weight = 1.0 / t
    else:
        ell = rng.integers(1, n + 1, size=N)
        ranks = np.argsort(rng.random((N, n)), axis=1).argsort(axis=1)  # a uniform random order per row
        z = np.where(ranks < ell[:, None], V, x)  # mask the first ell positions of that order
        weight = n / ell
    qx = _flat(q, n, V)[_index(z, n, V)][np.arange(N)[:, None], np.arange(n)[None, :], x]
    with np.errstate(divide="ignore"):
        vals = np.where(z == V, -np.log(qx), 0.0).sum(axis=1) * weight / lb
    return float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(N))


class EstimatorMoments(NamedTuple):
    r"""Exact ``mean`` and ``variance`` of one draw of a Monte-Carlo LLaDA estimator (units of ``base``, squared
    for the variance); ``variance`` is ``inf`` when the second moment diverges.

    Attributes
    ----------
    mean : float
        Units of log ``base``.
    variance : float
        Squared units; ``inf`` when the second moment diverges.
    """

    mean: float
    variance: float


def _pattern_moments(p, q, n, V):
    r"""(2^n,) arrays :math:`\E_p[S_m]` and :math:`\E_p[S_m^2]`, :math:`S_m(x) = \sum_{i\in m} -\ln q(x_i\mid z_m(x))` (nats)."""
    X = _all_sequences(n, V)
    px = p.reshape(-1)
    keep = px > 0
    X, px = X[keep], px[keep]
    qf = _flat(q, n, V)
    masks = mask_patterns(n)
    m1, m2 = np.zeros(masks.shape[0]), np.zeros(masks.shape[0])
    rows, cols = np.arange(X.shape[0])[:, None], np.arange(n)[None, :]
    for mi, m in enumerate(masks):
        if not m.any():
            continue
        qx = qf[_index(np.where(m, V, X), n, V)][rows, cols, X]
        with np.errstate(divide="ignore"):
            S = np.where(m, -np.log(qx), 0.0).sum(axis=1)
        m1[mi], m2[mi] = px @ S, px @ S**2
    return m1, m2


def _power_integral(a: int, b: int, eps: float) -> float:
    r""":math:`\int_\varepsilon^1 s^a (1-s)^b \dd s` for integers :math:`a \ge -1`, :math:`b \ge 0` (``inf`` for a = -1, eps = 0)."""
    from scipy.special import beta as _beta, betainc

    if a >= 0:
        return float(_beta(a + 1, b + 1) * (1.0 - betainc(a + 1, b + 1, eps))) if eps > 0 else float(_beta(a + 1, b + 1))
    if eps == 0:
        return math.inf
    # (1-s)^b / s = 1/s - sum_{j<b} (1-s)^j
    return -math.log(eps) - sum((1 - eps) ** (j + 1) / (j + 1) for j in range(b))


def estimator_moments(p, q, *, estimator="ratio", t_min=0.0, base=2) -> EstimatorMoments:
    r"""Exact mean and variance of one draw of :func:`llada_loss_mc`'s estimator, by enumeration.

    With :math:`S_m(x) = \sum_{i\in m} -\log q(x_i \mid z_m(x))` and :math:`k = |m|`:

    * ``"ratio"`` with floor :math:`\varepsilon` = ``t_min``: :math:`\E[v^r] = \frac{1}{1-\varepsilon}\sum_m
      \E_p[S_m^r]\int_\varepsilon^1 t^{k-r}(1-t)^{n-k}\dd t`, :math:`r = 1, 2`.  At :math:`\varepsilon = 0`
      the one-token patterns give :math:`\int_0^1 t^{-1}(1-t)^{n-1}\dd t = \infty`: the variance is infinite
      as soon as some single-mask loss is positive; for small :math:`\varepsilon` it grows like
      :math:`\log(1/\varepsilon)\sum_{|m|=1}\E_p[S_m^2]`.
    * ``"count"``: :math:`\E[v^r] = \sum_m \frac1n\binom nk^{-1}(n/k)^r\,\E_p[S_m^r]`; the mean is
      :func:`llada_loss`.

    Units of ``base`` (variance in squared units).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    estimator : {"ratio", "count"}, keyword-only, default "ratio"
        The estimator.
    t_min : float, keyword-only, default 0.0
        Floor of the ratio.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    EstimatorMoments
        Exact mean and variance of one draw.
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    est = _check_estimator(estimator)
    eps = check_probability(t_min, "t_min")
    if eps >= 1:
        raise ValueError(f"t_min must be < 1, got {t_min!r}")
    m1, m2 = _pattern_moments(p, q, n, V)
    k = mask_patterns(n).sum(axis=1)
    pos = k > 0
    if est == "count":
        w = np.zeros(k.size)
        w[pos] = 1.0 / (n * np.array([math.comb(n, int(j)) for j in k[pos]], dtype=float))
        mean = float(np.sum(w[pos] * (n / k[pos]) * m1[pos]))
        second = float(np.sum(w[pos] * (n / k[pos]) ** 2 * m2[pos]))
    else:
        ints1 = {j: _power_integral(j - 1, n - j, eps) for j in range(1, n + 1)}
        ints2 = {j: _power_integral(j - 2, n - j, eps) for j in range(1, n + 1)}
        mean = sum(ints1[int(j)] * a for j, a in zip(k[pos], m1[pos])) / (1 - eps)
        second = sum(ints2[int(j)] * b for j, b in zip(k[pos], m2[pos]) if b > 0) / (1 - eps)
    var = second - mean**2 if math.isfinite(second) else math.inf
    return EstimatorMoments(float(mean) / lb, max(float(var), 0.0) / lb**2 if math.isfinite(var) else math.inf)


def bayes_posterior(p, t) -> np.ndarray:
    r"""The posterior :math:`P(x_0^i = v \mid x_t = z, t)` of the forward process at ratio ``t``, by brute-force Bayes.

    Enumerates every clean sequence :math:`x_0` and every mask pattern :math:`m`, with joint probability
    :math:`p(x_0)\,t^{|m|}(1-t)^{n-|m|}`, accumulates it on :math:`z = z_m(x_0)` and normalises.  The factor
    of :math:`t` is the same for every :math:`x_0` compatible with :math:`z`, so it cancels: the result equals
    :func:`exact_conditionals` for every ``t`` in (0, 1), which is why the mask predictor needs no time
    input (Ou et al. 2024).  Rows of unreachable ``z`` and of visible positions follow
    :func:`exact_conditionals`' conventions.  Shape ``(V+1,)*n + (n, V)``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    t : float
        Mask ratio in (0, 1).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = _check_law(p, "p")
    t = check_probability(t, "t")
    if not 0 < t < 1:
        raise ValueError(f"t must lie in (0, 1), got {t!r}")
    if (V + 1) ** n * n * V > _MAX_CELLS:
        raise ValueError(f"p of length {n} over {V} symbols is too large to enumerate")
    X = _all_sequences(n, V)
    px = p.reshape(-1)
    num = np.zeros(((V + 1) ** n, n, V))
    tot = np.zeros((V + 1) ** n)
    for m, pm in zip(mask_patterns(n), mask_probabilities(n, t)):
        rows = _index(np.where(m, V, X), n, V)
        w = px * pm
        np.add.at(tot, rows, w)
        for i in np.nonzero(m)[0]:
            np.add.at(num, (rows, i, X[:, i]), w)
    out, Z = _visible_one_hot(n, V)
    hid = Z == V
    ok = (tot > 0)[:, None] & hid
    out[hid] = 1.0 / V
    out[ok] = num[ok] / np.broadcast_to(tot[:, None], hid.shape)[ok][:, None]
    return out.reshape((V + 1,) * n + (n, V))


def discrete_time_loss(p, q, steps, *, base=2) -> float:
    r"""The masked-diffusion ELBO with ``steps`` = :math:`T` discrete steps and the linear schedule :math:`t_i = i/T`.

    .. math:: \mathcal L_T(q) = \sum_{i=1}^{T} \frac{t_i - t_{i-1}}{t_i}\,
              \E_{x_0}\E_{z\mid x_0, t_i}\Bigl[\sum_{j:\, z^j = M} -\log q(x_0^j \mid z)\Bigr]
              = \sum_{i=1}^T \frac1i\,\E[\cdots]_{t = i/T}

    (Shi et al. 2024): the negative ELBO of the :math:`T`-step reverse process that, going from :math:`t_i` to
    :math:`t_{i-1}`, unmasks each masked token independently with probability :math:`1/i` and draws it from
    :math:`q`.  Computed from this definition with :func:`mask_probabilities`; it equals the right Riemann sum
    :math:`\frac1T\sum_i g(i/T)` of :func:`loss_integrand` and tends to :func:`llada_loss` as
    :math:`T\to\infty`.  At :math:`T = 1` it is :math:`\E[\sum_j -\log q(x_0^j \mid M^n)]`.  Per sequence,
    units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    steps : int
        :math:`T` >= 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q, n, V = _pair(p, q)
    T = check_int(steps, "steps", minimum=1)
    per = _pattern_losses(p, q, n, V).sum(axis=1)
    return float(sum(mask_probabilities(n, i / T) @ per / i for i in range(1, T + 1))) / lb


# ----------------------------------------------------------------------------------------------
# Any-order autoregression
# ----------------------------------------------------------------------------------------------


def _check_order(order, n: int) -> tuple[int, ...]:
    try:
        o = tuple(int(v) for v in as_int_array(order, "order", ndim=1))
    except (TypeError, ValueError):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {order!r}") from None
    if sorted(o) != list(range(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {order!r}")
    return o


def _order_logprob(qf: np.ndarray, X: np.ndarray, order, n: int, V: int) -> np.ndarray:
    z = np.full_like(X, V)
    out = np.zeros(X.shape[0])
    for i in order:
        with np.errstate(divide="ignore"):
            out += np.log(qf[_index(z, n, V), i, X[:, i]])
        z[:, i] = X[:, i]
    return out


def order_law(q, order) -> np.ndarray:
    r"""The autoregressive law in the order :math:`\sigma`: :math:`q_\sigma(x) = \prod_{j=1}^n q(x^{\sigma_j}\mid x^{\sigma_1},\dots,x^{\sigma_{j-1}}\text{ visible})`.

    ``order`` is a permutation of ``0..n-1`` (position ``order[0]`` is generated first).  A pmf of shape (V,)*n
    for every predictor table; it equals the data law for every order at :func:`exact_conditionals` (chain
    rule).  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    order : sequence of int
        A permutation of ``0..n-1``.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`q_\sigma` (a pmf).
    """
    q, n, V = _check_table(q, "q")
    order = _check_order(order, n)
    X = _all_sequences(n, V)
    return np.exp(_order_logprob(_flat(q, n, V), X, order, n, V)).reshape((V,) * n)


def order_cross_entropy(p, q, order, *, base=2) -> float:
    r"""Cross-entropy :math:`\E_p[-\log q_\sigma(X)]` of the data law under the order-:math:`\sigma` model (units of ``base``).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    order : sequence of int
        A permutation of ``0..n-1``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    p, q, n, V = _pair(p, q)
    return measures.cross_entropy(p, order_law(q, order), base=base)


def _orders(n: int) -> list[tuple[int, ...]]:
    if n > 7:
        raise ValueError(f"n = {n} has {math.factorial(n)} orders, too many to enumerate (n <= 7)")
    return list(itertools.permutations(range(n)))


def any_order_loss(p, q, *, base=2) -> float:
    r"""The any-order autoregressive loss :math:`\frac{1}{n!}\sum_\sigma \E_p[-\log q_\sigma(X)]` (units of ``base``).

    Equal to :func:`llada_loss` for every predictor (the theorem of chapter 16).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        Per sequence, units of log ``base`` (bits by default).
    """
    p, q, n, V = _pair(p, q)
    return float(np.mean([order_cross_entropy(p, q, o, base=base) for o in _orders(n)]))


def mixture_law(q) -> np.ndarray:
    r"""The order mixture :math:`p_q(x) = \frac{1}{n!}\sum_\sigma q_\sigma(x)`: the law of sampling one token per step in a uniformly random order.

    Shape (V,)*n.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`p_q` (a pmf).
    """
    q, n, V = _check_table(q, "q")
    return np.mean([order_law(q, o) for o in _orders(n)], axis=0)


def order_log_joint(q, x) -> np.ndarray:
    r"""Table of :math:`\ln p(x, \sigma) = \ln\frac{1}{n!} + \ln q_\sigma(x)` (nats) over the :math:`n!` orders (``itertools.permutations`` order).

    The order is a latent variable with a uniform prior; feeding this table and the uniform
    :math:`q(\sigma)` to :func:`semtheory.elbo.elbo` gives :math:`-\mathcal L(q; x)`, a lower bound on
    :math:`\ln p_q(x)` = ``logsumexp`` of the table (chapter 11's ELBO).  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    x : array_like of int, shape (n,)
        The sequence.

    Returns
    -------
    numpy.ndarray of float, shape (n!,)
        :math:`\ln p(x, \sigma)` (nats).
    """
    q, n, V = _check_table(q, "q")
    xx = _check_tokens(x, V, "x")
    if xx.shape != (n,):
        raise ValueError(f"x must be one sequence of length {n}, got shape {xx.shape}")
    qf = _flat(q, n, V)
    orders = _orders(n)
    return np.array([_order_logprob(qf, xx[None], o, n, V)[0] for o in orders]) - math.log(len(orders))


class LossChain(NamedTuple):
    r"""``loss`` :math:`\mathcal L(q)` :math:`\ge` ``mixture_cross_entropy`` :math:`\E_p[-\log p_q]` :math:`\ge` ``entropy`` :math:`H(X^n)`;
    ``order_gap`` = loss - mixture_cross_entropy (the averaged ELBO gap, a KL to the posterior over orders),
    ``model_kl`` = :math:`\KL(p\cc p_q)`, ``order_kl`` = loss - entropy = :math:`\frac1{n!}\sum_\sigma\KL(p\cc q_\sigma)`.
    Units of the ``base`` asked for; per sequence.

    Attributes
    ----------
    loss, mixture_cross_entropy, entropy : float
        The chain's three values, per sequence, units of log ``base``.
    order_gap, model_kl, order_kl : float
        Its gaps, per sequence, units of log ``base``.
    """

    loss: float
    mixture_cross_entropy: float
    entropy: float
    order_gap: float
    model_kl: float
    order_kl: float


def loss_chain(p, q, *, base=2) -> LossChain:
    r"""The chain :math:`\mathcal L(q) \ge \E_p[-\log p_q(X)] \ge H(X^n)` and its gaps.

    The first inequality is Jensen over orders (the ELBO with the order as latent variable); the second is
    Gibbs' inequality.  All three are equal iff :math:`q` agrees with the data's conditionals wherever
    the data can reach.  Units of ``base``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    LossChain
        Values and gaps, units of log ``base`` per sequence (bits by default).
    """
    p, q, n, V = _pair(p, q)
    loss = llada_loss(p, q, base=base)
    ce = measures.cross_entropy(p, mixture_law(q), base=base)
    H = measures.entropy(p, base=base)
    return LossChain(loss, ce, H, loss - ce, ce - H, loss - H)


# ----------------------------------------------------------------------------------------------
# Sampling by iterative unmasking
# ----------------------------------------------------------------------------------------------


def unmask_schedule(length, steps) -> np.ndarray:
    r"""Tokens revealed at each step: :math:`k_s = \lfloor sn/S\rfloor - \lfloor (s-1)n/S\rfloor`, :math:`s = 1..S`.

    The masked count after step :math:`s` is :math:`n - \lfloor sn/S \rfloor \approx n t_s` on the linear
    grid :math:`t_s = 1 - s/S` of LLaDA's reverse process.  ``steps`` :math:`S` in ``1..length``.  Chapter 16.

    Parameters
    ----------
    length : int
        :math:`n`.
    steps : int
        :math:`S` in ``1..length``.

    Returns
    -------
    numpy.ndarray of int, shape (steps,)
        Tokens revealed per step (they sum to ``length``).
    """
    n = check_int(length, "length", minimum=1)
    S = check_int(steps, "steps", minimum=1, maximum=n)
    s = np.arange(S + 1)
    return np.diff(s * n // S)


def _check_remasking(remasking) -> str:
    if remasking not in _REMASKING:
        raise ValueError(f"remasking must be one of {_REMASKING}, got {remasking!r}")
    return remasking


def _predict_fn(predictor):
    """(n, V, fn) where fn maps partially masked sequences (B, n) to laws (B, n, V)."""
    if isinstance(predictor, MaskPredictor):
        return predictor.length, predictor.vocab_size, predictor.predict
    q, n, V = _check_table(predictor, "predictor")
    qf = _flat(q, n, V)
    return n, V, lambda z: qf[_index(z, n, V)]


class Samples(NamedTuple):
    r"""``tokens`` (N, n) the samples; ``step`` (N, n) the denoising step (1..S) at which each position was revealed.

    Attributes
    ----------
    tokens : numpy.ndarray of int64, shape (N, n)
        The samples.
    step : numpy.ndarray of int64, shape (N, n)
        The step (1..S) at which each position was revealed.
    """

    tokens: np.ndarray
    step: np.ndarray


def sample(predictor, num_samples, *, steps, remasking="random", seed=None) -> Samples:
    r"""LLaDA's reverse process: start from :math:`M^n`; at step :math:`s` predict every masked token, keep :math:`k_s`, remask the rest.

    At each step every masked position draws a candidate :math:`\hat x^i \sim q(\cdot\mid z)` (temperature 1);
    ``remasking="random"`` keeps :math:`k_s` (:func:`unmask_schedule`) masked positions chosen uniformly,
    ``"low_confidence"`` keeps the :math:`k_s` candidates of highest confidence :math:`q(\hat x^i\mid z)` (ties:
    lower position first) and remasks the others.  Revealed tokens are never changed.  ``predictor`` is a table
    or a :class:`MaskPredictor`.  Deterministic under ``seed``.  Chapter 16.

    Parameters
    ----------
    predictor : array_like or MaskPredictor
        A predictor table (shape ``(V+1,)*n + (n, V)``) or a trained :class:`MaskPredictor`.
    num_samples : int
        :math:`N`.
    steps : int, keyword-only
        :math:`S` in ``1..n``.
    remasking : {"random", "low_confidence"}, keyword-only, default "random"
        The remasking rule.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    Samples
        The sequences and their reveal steps.
    """
    n, V, fn = _predict_fn(predictor)
    N = check_int(num_samples, "num_samples", minimum=1)
    ks = unmask_schedule(n, steps)
    remasking = _check_remasking(remasking)
    rng = as_rng(seed)
    z = np.full((N, n), V, dtype=np.int64)
    when = np.zeros((N, n), dtype=np.int64)
    rows = np.arange(N)[:, None]
    for s, k in enumerate(ks, start=1):
        probs = fn(z)  # (N, n, V)
        cum = np.cumsum(probs, axis=-1)
        u = rng.random((N, n, 1))
        cand = np.minimum((u * cum[..., -1:] > cum).sum(axis=-1), V - 1)
        conf = np.take_along_axis(probs, cand[..., None], axis=-1)[..., 0]
        masked = z == V
        score = rng.random((N, n)) if remasking == "random" else conf
        score = np.where(masked, score, -np.inf)
        pick = np.argsort(-score, axis=1, kind="stable")[:, :k]
        z[rows, pick] = cand[rows, pick]
        when[rows, pick] = s
    return Samples(z, when)


def sampler_law(q, steps, remasking="random") -> np.ndarray:
    r"""The exact law of :func:`sample`'s output for a predictor table, by enumerating every run.

    Random remasking: at a step with :math:`k` tokens to reveal among :math:`r` masked, each :math:`k`-subset
    has probability :math:`1/\binom rk` and its tokens are drawn independently from their predicted laws.
    Low-confidence remasking: every candidate assignment of the masked positions is enumerated and the
    :math:`k` most confident kept (ties: lower position).  With ``steps = n`` and random remasking this is
    :func:`mixture_law`.  Shape (V,)*n.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    steps : int
        :math:`S` in ``1..n``.
    remasking : {"random", "low_confidence"}, default "random"
        The remasking rule.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        The law of the output (a pmf).
    """
    q, n, V = _check_table(q, "q")
    ks = unmask_schedule(n, steps)
    remasking = _check_remasking(remasking)
    qf = _flat(q, n, V)
    states = {(V,) * n: 1.0}
    for k in ks:
        nxt: dict = {}
        for z, w in states.items():
            probs = qf[_index(np.array(z), n, V)]
            hid = [i for i in range(n) if z[i] == V]
            if remasking == "random":
                subsets = list(itertools.combinations(hid, int(k)))
                for sub in subsets:
                    vals = np.array(list(itertools.product(range(V), repeat=len(sub))), dtype=np.int64).reshape(-1, len(sub))
                    pv = np.prod(probs[list(sub)][np.arange(len(sub)), vals], axis=1) if sub else np.ones(1)
                    for a, pa in zip(vals, pv):
                        if pa > 0:
                            zz = list(z)
                            for i, v in zip(sub, a):
                                zz[i] = int(v)
                            key = tuple(zz)
                            nxt[key] = nxt.get(key, 0.0) + w * pa / len(subsets)
            else:
                vals = np.array(list(itertools.product(range(V), repeat=len(hid))), dtype=np.int64)
                ph = probs[hid]  # (r, V)
                conf = ph[np.arange(len(hid)), vals]  # (A, r)
                pv = np.prod(conf, axis=1)
                order = np.argsort(-conf, axis=1, kind="stable")[:, : int(k)]
                for a, pa, keep in zip(vals, pv, order):
                    if pa > 0:
                        zz = list(z)
                        for j in keep:
                            zz[hid[j]] = int(a[j])
                        key = tuple(zz)
                        nxt[key] = nxt.get(key, 0.0) + w * pa
        states = nxt
    law = np.zeros((V,) * n)
    for z, w in states.items():
        law[z] += w
    return law


def step_joint_law(law, order, left) -> np.ndarray:
    r"""A one-token-per-step run in the fixed order :math:`\sigma`, laid out as two processes along the denoising steps.

    Step :math:`s` reveals position :math:`\sigma_s`.  :math:`X_s` is its token if :math:`\sigma_s` lies in
    ``left`` (a set of positions) and the blank symbol ``V`` otherwise; :math:`Y_s` likewise for the other
    positions.  Returns the joint pmf of :math:`(X_1..X_n, Y_1..Y_n)` in the layout of
    :mod:`semtheory.directed` (alphabet ``V+1`` on every axis), built from the sequence law ``law`` (shape
    (V,)*n; e.g. the data law, which a sampler with the exact conditionals reproduces in every order).
    Chapter 16.

    Parameters
    ----------
    law : array_like of float, shape (V,) * n
        The sequence law.
    order : sequence of int
        The reveal order (a permutation of ``0..n-1``).
    left : iterable of int
        The positions of the first process.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * (2 n)
        The joint pmf of :math:`(X^n, Y^n)` in :mod:`semtheory.directed`'s layout.
    """
    law, n, V = _check_law(law, "law")
    order = _check_order(order, n)
    try:
        L = {int(i) for i in left}
    except (TypeError, ValueError):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}") from None
    if not L <= set(range(n)):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}")
    if (V + 1) ** (2 * n) > _MAX_CELLS:
        raise ValueError(f"law with n={n}, V={V} gives a joint law of {(V + 1) ** (2 * n)} cells, too many")
    out = np.zeros((V + 1,) * (2 * n))
    X = _all_sequences(n, V)
    idx = np.full((X.shape[0], 2 * n), V, dtype=np.int64)
    for s, i in enumerate(order):
        idx[:, s if i in L else n + s] = X[:, i]
    np.add.at(out, tuple(idx.T), law.reshape(-1))
    return out


def sampler_step_law(q, left, remasking="low_confidence") -> np.ndarray:
    r"""The exact law of a one-token-per-step sampling run (``steps = n``), laid out as two processes along the steps.

    At step :math:`s` the sampler of :func:`sample` reveals one position :math:`i_s` with token :math:`v_s`.
    :math:`X_s = (i_s, v_s)` if :math:`i_s` lies in ``left`` (:math:`A`) and a blank otherwise; :math:`Y_s`
    likewise for the other positions :math:`B`.  Unlike :func:`step_joint_law`, the order may depend on the
    tokens (``remasking="low_confidence"``: the most confident candidate is revealed, ties to the lower
    position, as in :func:`sample`) or be uniformly random (``"random"``), so the step processes carry the
    position as well as the token.  Symbols: :math:`j V + v` for the :math:`j`-th position of the half (in
    increasing order) and token :math:`v`; the blank is the last symbol; every axis has
    :math:`\max(|A|, |B|)\,V + 1` symbols.  Returns the joint pmf of :math:`(X_1..X_n, Y_1..Y_n)` in the layout of
    :mod:`semtheory.directed`, by enumerating every run (every candidate assignment at every step).  Its
    sequence marginal is :func:`sampler_law` with ``steps = n``.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    left : iterable of int
        The positions :math:`A`.
    remasking : {"random", "low_confidence"}, default "low_confidence"
        The remasking rule.

    Returns
    -------
    numpy.ndarray of float
        The joint pmf of :math:`(X^n, Y^n)` in :mod:`semtheory.directed`'s layout (the blank is the last symbol).
    """
    q, n, V = _check_table(q, "q")
    remasking = _check_remasking(remasking)
    try:
        Aset = sorted({int(i) for i in left})
    except (TypeError, ValueError):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}") from None
    if not set(Aset) <= set(range(n)):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}")
    Bset = [i for i in range(n) if i not in Aset]
    K = max(len(Aset), len(Bset)) * V + 1
    if K ** (2 * n) > _MAX_CELLS:
        raise ValueError(f"n={n}, V={V} gives a step law of {K ** (2 * n)} cells, too many")
    slot = {i: (0, Aset.index(i)) if i in Aset else (1, Bset.index(i)) for i in range(n)}
    qf = _flat(q, n, V)
    runs = {((V,) * n, ()): 1.0}  # (z, revealed (position, token) so far) -> probability
    for _ in range(n):
        nxt: dict = {}
        for (z, hist), w in runs.items():
            probs = qf[_index(np.array(z), n, V)]
            hid = [i for i in range(n) if z[i] == V]
            if remasking == "random":
                moves = [(i, v, probs[i, v] / len(hid)) for i in hid for v in range(V)]
            else:
                vals = np.array(list(itertools.product(range(V), repeat=len(hid))), dtype=np.int64)
                conf = probs[hid][np.arange(len(hid)), vals]  # (V^r, r)
                best = np.argmax(conf, axis=1)  # first maximum: the lower position on ties
                pv = np.prod(conf, axis=1)
                acc: dict = {}
                for a, pa, j in zip(vals, pv, best):
                    acc[(hid[j], int(a[j]))] = acc.get((hid[j], int(a[j])), 0.0) + pa
                moves = [(i, v, pa) for (i, v), pa in acc.items()]
            for i, v, pm in moves:
                if pm > 0:
                    zz = z[:i] + (v,) + z[i + 1:]
                    key = (zz, hist + ((i, v),))
                    nxt[key] = nxt.get(key, 0.0) + w * pm
        runs = nxt
    out = np.zeros((K,) * (2 * n))
    for (_, hist), w in runs.items():
        idx = [K - 1] * (2 * n)
        for s, (i, v) in enumerate(hist):
            side, j = slot[i]
            idx[side * n + s] = j * V + v
        out[tuple(idx)] += w
    return out


def schedule_entropy(step_law, *, base=2) -> float:
    r"""Entropy of the schedule :math:`D^n` (which half each step reveals) of a :func:`sampler_step_law`.

    :math:`D_s = A` iff :math:`X_s` is not blank.  :math:`D^n` is a function of :math:`X^n` and also of
    :math:`Y^n`, so :math:`I(X^n; Y^n) \ge H(D^n)`: the schedule is information that both halves share.  Units
    of ``base``.  Chapter 16.

    Parameters
    ----------
    step_law : array_like of float
        A :func:`sampler_step_law`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`H(D^n)`, units of log ``base``.
    """
    lb = log_base(base)
    P = as_pmf(step_law, "step_law")
    if P.ndim == 0 or P.ndim % 2:
        raise ValueError(f"step_law must have 2n axes, got shape {P.shape}")
    n, K = P.ndim // 2, P.shape[0]
    X = P.sum(axis=tuple(range(n, 2 * n)))  # law of X^n
    D = np.zeros(2**n)
    for idx in zip(*np.nonzero(X)):
        D[sum((int(v) != K - 1) << s for s, v in enumerate(idx))] += X[idx]
    return measures.entropy(D, base=math.e) / lb


class ScheduleFlows(NamedTuple):
    r"""Flows of a :func:`sampler_step_law` split by its schedule :math:`D^n`: ``mutual`` :math:`I(X^n; Y^n)`,
    ``schedule`` :math:`H(D^n)`, ``content`` :math:`I(X^n; Y^n \mid D^n)`, and ``directed`` / ``reverse``, the
    schedule-conditioned :math:`\E_d[I(X^n \to Y^n \mid D^n = d)]` and :math:`\E_d[I(0{*}Y^{n-1} \to X^n \mid D^n = d)]`
    (which add up to ``content``).

    Attributes
    ----------
    mutual, schedule, content : float
        :math:`I(X^n; Y^n) = H(D^n) + I(X^n; Y^n \mid D^n)`, units of log ``base``.
    directed, reverse : float
        The schedule-conditioned directed informations (they add up to ``content``), units of log ``base``.
    """

    mutual: float
    schedule: float
    content: float
    directed: float
    reverse: float


def schedule_flows(step_law, *, base=2) -> ScheduleFlows:
    r"""Split the information exchanged along the steps into the schedule and the content: :math:`I(X^n;Y^n) = H(D^n) + I(X^n;Y^n\mid D^n)`.

    :math:`D^n` (which half step :math:`s` reveals; :math:`X_s` blank iff :math:`D_s = B`) is a function of
    :math:`X^n` and of :math:`Y^n`.  For each schedule :math:`d` the conditional law :math:`P(\cdot \mid D^n = d)`
    obeys chapter 3's conservation law (:func:`semtheory.directed.conservation`); averaging over :math:`d`
    gives ``directed`` and ``reverse``.  ``step_law`` from :func:`sampler_step_law` (the blank is the last
    symbol).  Units of ``base``.  Chapter 16.

    Parameters
    ----------
    step_law : array_like of float
        A :func:`sampler_step_law`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ScheduleFlows
        The flows, units of log ``base`` (bits by default).
    """
    from . import directed as _directed

    log_base(base)
    P = as_pmf(step_law, "step_law")
    if P.ndim == 0 or P.ndim % 2:
        raise ValueError(f"step_law must have 2n axes, got shape {P.shape}")
    n, K = P.ndim // 2, P.shape[0]
    blank = [np.arange(K) == K - 1] * 1
    di = rdi = cm = 0.0
    for d in itertools.product([True, False], repeat=n):  # d_s True: step s reveals a position of A
        ind = np.ones(P.shape, dtype=bool)
        for s, a in enumerate(d):
            shape = [1] * (2 * n)
            shape[s], shape[n + s] = K, 1
            ind &= (~blank[0] if a else blank[0]).reshape(shape)
            shape[s], shape[n + s] = 1, K
            ind &= (blank[0] if a else ~blank[0]).reshape(shape)
        w = float(P[ind].sum())
        if w <= 0:
            continue
        c = _directed.conservation(np.where(ind, P, 0.0) / w, base=base)
        di, rdi, cm = di + w * c.directed, rdi + w * c.reverse, cm + w * c.mutual
    mi = _directed.sequence_mutual_information(P, base=base)
    return ScheduleFlows(float(mi), float(schedule_entropy(P, base=base)), float(cm), float(di), float(rdi))


def source_nll(p, tokens, *, base=2) -> np.ndarray:
    r"""The source's negative log-likelihood :math:`-\log p(x)` of each sequence (rows of ``tokens``), units of ``base``.

    Averaged over samples of a sampler it estimates :math:`\E_{\rm sampler}[-\log p(X)]`, the statistic
    of sample quality used in chapter 16 (``inf`` for a sequence the source cannot produce).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    tokens : array_like of int, shape (N, n)
        Sequences (rows).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray of float, shape (N,)
        :math:`-\log p(x)` per sequence, units of log ``base``.
    """
    lb = log_base(base)
    p, n, V = _check_law(p, "p")
    x = _check_tokens(tokens, V, "tokens")
    if x.ndim != 2 or x.shape[1] != n:
        raise ValueError(f"tokens must have shape (N, {n}), got {x.shape}")
    with np.errstate(divide="ignore"):
        return -np.log(p[tuple(x.T)]) / lb


class SamplingQuality(NamedTuple):
    r"""One sampler setting: ``steps``, ``remasking``; for the exact law of the table's sampler, ``law_nll``
    :math:`\E_{\rm law}[-\log p]`, ``law_entropy`` :math:`H(\rm law)` and ``kl`` :math:`\KL(p\cc{\rm law})`; for
    Monte-Carlo samples of ``model``, ``sample_nll`` (mean source NLL) and ``sample_se`` (its standard error).

    Attributes
    ----------
    steps : int
        Number of denoising steps.
    remasking : str
        The remasking rule.
    law_nll, law_entropy, kl : float
        Of the exact sampler law of the table, units of log ``base`` per sequence.
    sample_nll, sample_se : float
        Mean source NLL of the model's samples and its standard error, units of log ``base``.
    """

    steps: int
    remasking: str
    law_nll: float
    law_entropy: float
    kl: float
    sample_nll: float
    sample_se: float


def sampling_quality(p, table, model, *, steps=None, num_samples=2000, base=2, seed=0) -> list:
    r"""Sample quality for every number of steps and both remasking rules: exact (``table``) and sampled (``model``).

    ``table`` is a predictor table whose sampler law is enumerated (:func:`sampler_law`); ``model`` a table or a
    :class:`MaskPredictor` sampled ``num_samples`` times per setting (seed ``seed + steps``).  ``steps`` an
    iterable of step counts (default ``1..n``).  Returns a list of :class:`SamplingQuality`; units of ``base``
    per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    table : array_like
        A predictor table (its sampler law is enumerated).
    model : array_like or MaskPredictor
        A table or a trained predictor (sampled).
    steps : iterable of int or None, keyword-only, default None
        Step counts (None: ``1..n``).
    num_samples : int, keyword-only, default 2000
        Samples per setting.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    list of SamplingQuality
        One record per (steps, remasking).
    """
    log_base(base)
    p, n, V = _check_law(p, "p")
    q, nq, Vq = _check_table(table, "table")
    if (nq, Vq) != (n, V):
        raise ValueError(f"table is a predictor for n={nq}, V={Vq} but p has n={n}, V={V}")
    nm, Vm = (model.length, model.vocab_size) if isinstance(model, MaskPredictor) else _check_table(model, "model")[1:]
    if (nm, Vm) != (n, V):
        raise ValueError(f"model is a predictor for n={nm}, V={Vm} but p has n={n}, V={V}")
    N = check_int(num_samples, "num_samples", minimum=2)
    seed = torch_seed(seed)
    if steps is None:
        steps = range(1, n + 1)
    else:
        if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
            raise ValueError(f"steps must be None or an iterable of step counts in 1..{n}, got {steps!r}")
        steps = [check_int(s, "steps", minimum=1, maximum=n) for s in steps]
        if not steps:
            raise ValueError("steps must name at least one step count (None: every count 1..n)")
    out = []
    for S in steps:
        for rm in _REMASKING:
            law = sampler_law(q, S, rm)
            nll = source_nll(p, sample(model, N, steps=S, remasking=rm, seed=seed + S).tokens, base=base)
            out.append(SamplingQuality(S, rm, measures.cross_entropy(law, p, base=base), measures.entropy(law, base=base),
                                       measures.kl_divergence(p, law, base=base), float(nll.mean()),
                                       float(nll.std(ddof=1) / math.sqrt(N))))
    return out


# ----------------------------------------------------------------------------------------------
# A bidirectional mask predictor in torch
# ----------------------------------------------------------------------------------------------

class _BidirectionalSelfAttention(CausalSelfAttention):
    """Chapter 10's attention with the causal mask removed: every position attends to every position."""

    def forward(self, u: torch.Tensor, *, weights: bool = False):
        B, n, d = u.shape
        q, k, v = (W(u).view(B, n, self.n_heads, self.d_k).transpose(1, 2) for W in (self.W_Q, self.W_K, self.W_V))
        alpha = ((q @ k.transpose(-2, -1)) / math.sqrt(self.d_k)).softmax(dim=-1)
        out = self.W_O((alpha @ v).transpose(1, 2).reshape(B, n, d))
        return (out, alpha) if weights else out


class MaskPredictor(nn.Module):
    r"""A small bidirectional mask predictor :math:`q_\theta(x^i\mid z)`: an MLP or a Transformer encoder.

    Input: partially masked sequences (B, n) over ``0..V`` (``V`` = mask); output logits (B, n, V) at every
    position.  ``arch="transformer"``: chapter 10's blocks with the causal mask removed (every position
    attends to every position) and learned positional embeddings (attention alone is
    permutation-equivariant).  ``arch="mlp"``: the one-hot encoding of the whole of :math:`z` through two
    GELU layers of width ``d_hidden`` (sees every position, so it is bidirectional too; much faster to train
    at this size).  Initialised from ``seed`` without touching torch's global random state.  Chapter 16.

    Parameters
    ----------
    vocab_size : int
        :math:`V` (the mask is ``V``).
    length : int
        :math:`n`.
    arch : {"mlp", "transformer"}, keyword-only, default "mlp"
        The architecture.
    d_model, n_heads, n_layers, d_ff : int, keyword-only
        Transformer sizes.
    d_hidden : int, keyword-only, default 256
        MLP width.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation.

    Attributes
    ----------
    vocab_size, length : int
        :math:`V`, :math:`n`.
    arch : str
        The architecture.
    """

    def __init__(self, vocab_size, length, *, arch="mlp", d_model=32, n_heads=2, n_layers=2, d_ff=64, d_hidden=256,
                 seed=0):
        super().__init__()
        V = check_int(vocab_size, "vocab_size", minimum=1)
        n = check_int(length, "length", minimum=1)
        if arch not in ("mlp", "transformer"):
            raise ValueError(f"arch must be 'mlp' or 'transformer', got {arch!r}")
        d = check_int(d_model, "d_model", minimum=1)
        H = check_int(n_heads, "n_heads", minimum=1)
        if d % H:
            raise ValueError(f"n_heads must divide d_model, got d_model={d}, n_heads={H}")
        L = check_int(n_layers, "n_layers", minimum=1)
        dff = check_int(d_ff, "d_ff", minimum=1)
        dh = check_int(d_hidden, "d_hidden", minimum=1)
        self.vocab_size, self.length, self.arch = V, n, arch
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(seed))
            if arch == "mlp":
                self.net = nn.Sequential(nn.Linear(n * (V + 1), dh), nn.GELU(), nn.Linear(dh, dh), nn.GELU(),
                                         nn.Linear(dh, n * V))
                return
            self.embed = nn.Embedding(V + 1, d)  # + MASK
            self.pos = nn.Parameter(0.1 * torch.randn(n, d))
            self.blocks = nn.ModuleList(Block(d, H, dff) for _ in range(L))
            for blk in self.blocks:
                old = blk.attn
                blk.attn = _BidirectionalSelfAttention(d, H)
                blk.attn.load_state_dict(old.state_dict())
            self.ln_f = nn.LayerNorm(d, bias=False)
            self.head = nn.Linear(d, V)
            nn.init.normal_(self.embed.weight, std=0.1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Logits (B, n, V) of :math:`q_\\theta(\\cdot\\mid z)` for partially masked sequences ``z`` (B, n).  Chapter 16."""
        if self.arch == "mlp":
            x = F.one_hot(z, self.vocab_size + 1).to(torch.float32).flatten(1)
            return self.net(x).view(z.shape[0], self.length, self.vocab_size)
        h = self.embed(z) + self.pos
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.ln_f(h))

    def predict(self, z) -> np.ndarray:
        r"""Laws :math:`q_\theta(\cdot\mid z)` (float64, (B, n, V)); visible positions get the one-hot law of their token.  Chapter 16."""
        zz = _asarray(z, "z")
        if zz.ndim != 2 or zz.shape[1] != self.length or zz.dtype.kind not in "iu":
            raise ValueError(f"z must be an integer array of shape (B, {self.length}), got {zz.shape}")
        if zz.min() < 0 or zz.max() > self.vocab_size:
            raise ValueError(f"z must hold ids in [0, {self.vocab_size}] (the mask is {self.vocab_size})")
        with torch.no_grad(), one_thread():
            out = self(torch.as_tensor(zz, dtype=torch.int64)).double().softmax(-1).numpy()
        vis = zz < self.vocab_size
        r, i = np.nonzero(vis)
        out[r, i] = 0.0
        out[r, i, zz[r, i]] = 1.0
        return out


def train_mask_predictor(model, data, steps, *, batch_size=64, lr=3e-3, seed=0) -> TrainResult:
    r"""Minimise the LLaDA loss of ``model`` on the sequences ``data`` (N, n), by Monte Carlo; in place, deterministic.

    Each step draws ``batch_size`` sequences and stratified ratios :math:`t_b = (b + u)/B` (one
    :math:`u\sim U(0,1)`, a standard variance reduction), masks each token with probability :math:`t_b`, and
    minimises :math:`\frac1{Bn}\sum_b \frac1{t_b}\sum_{i\ \rm masked} -\ln q_\theta(x_b^i\mid z_b)` (nats per
    token, LLaDA's loss divided by the length).  Adam (warm-up then cosine decay), gradient norm clipped at 1,
    one torch thread and deterministic algorithms (restored afterwards).  Returns chapter 10's
    :class:`~semtheory.transformer.TrainResult` (``losses`` per step, nats per token).  Chapter 16.

    Parameters
    ----------
    model : MaskPredictor
        Trained in place.
    data : array_like of int, shape (N, n)
        Training sequences.
    steps : int
        Adam steps.
    batch_size : int, keyword-only, default 64
        Sequences per step.
    lr : float, keyword-only, default 3e-3
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    TrainResult
        Per-step losses (nats per token) and seconds.
    """
    if not isinstance(model, MaskPredictor):
        raise ValueError(f"model must be a semtheory.diffusion.MaskPredictor, got {type(model).__name__}")
    x = _check_tokens(data, model.vocab_size, "data")
    if x.ndim != 2 or x.shape[1] != model.length:
        raise ValueError(f"data must have shape (N, {model.length}), got {x.shape}")
    B = check_int(batch_size, "batch_size", minimum=1)
    X = torch.as_tensor(x)
    V, n = model.vocab_size, model.length

    def batch_loss(gen):
        x0 = X[torch.randint(0, X.shape[0], (B,), generator=gen)]
        t = (torch.arange(B, dtype=torch.float32) + torch.rand((), generator=gen)) / B
        t = t.clamp_min(1e-4)
        hide = torch.rand((B, n), generator=gen) < t[:, None]
        z = torch.where(hide, torch.full_like(x0, V), x0)
        nll = F.cross_entropy(model(z).reshape(-1, V), x0.reshape(-1), reduction="none").view(B, n)
        return ((nll * hide).sum(1) / t).sum() / (B * n)

    return minimise(model, batch_loss, steps, lr=lr, seed=seed, threads=1)


def model_table(model) -> np.ndarray:
    r"""Tabulate a :class:`MaskPredictor` on every partially masked sequence: shape ``(V+1,)*n + (n, V)``.

    The table feeds every exact function of this module (:func:`llada_loss`, :func:`sampler_law`, ...).
    Chapter 16.

    Parameters
    ----------
    model : MaskPredictor
        A trained predictor.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    if not isinstance(model, MaskPredictor):
        raise ValueError(f"model must be a semtheory.diffusion.MaskPredictor, got {type(model).__name__}")
    n, V = model.length, model.vocab_size
    if (V + 1) ** n * n * V > _MAX_CELLS:
        raise ValueError(f"model with length={n}, vocab_size={V} gives a table too large to enumerate")
    Z = np.indices((V + 1,) * n).reshape(n, -1).T
    return model.predict(Z).reshape((V + 1,) * n + (n, V))
