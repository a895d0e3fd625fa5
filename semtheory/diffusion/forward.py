"""The forward process of masked diffusion: mask patterns, their laws and exact weights, masking and sampling
clean sequences.  Chapter 16 (see :mod:`semtheory.diffusion`)."""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_float, as_rng, as_token_ids, check_int, check_probability
from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike

from ._common import check_law


def mask_patterns(n: int) -> np.ndarray:
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


def mask_probabilities(n: int, t: float) -> FloatArray:
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


def mask_weights(n: int) -> FloatArray:
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


def forward_mask(x0: ArrayLike, t: ArrayLike, *, vocab_size: int, seed: SeedLike = None) -> IntArray:
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
    x = as_token_ids(x0, "x0", vocab_size=V, ndim=None)
    tt = as_float(t, "t") if not isinstance(t, bool) else None
    if tt is None or not np.all(np.isfinite(tt)) or np.any(tt < 0) or np.any(tt > 1):
        raise ValueError(f"t must be a ratio in [0, 1] (or an array of them), got {t!r}")
    if tt.ndim and tt.shape != x.shape[:-1]:
        raise ValueError(f"t must be a scalar or have shape x0.shape[:-1] = {x.shape[:-1]}, got {tt.shape}")
    rng = as_rng(seed)
    hide = rng.random(x.shape) < (tt[..., None] if tt.ndim else tt)
    return np.where(hide, V, x)


def sample_sequences(p: ArrayLike, n_samples: int, *, seed: SeedLike = None) -> IntArray:
    r"""``n_samples`` i.i.d. sequences :math:`x \sim p` from a joint law of shape (V,)*n, as rows (n_samples, n).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    n_samples : int
        Number of sequences.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int64, shape (n_samples, n)
        The sequences.
    """
    p, n, V = check_law(p, "p")
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    idx = as_rng(seed).choice(p.size, size=n_samples, p=p.reshape(-1))
    return np.stack(np.unravel_index(idx, p.shape), axis=1).astype(np.int64)
