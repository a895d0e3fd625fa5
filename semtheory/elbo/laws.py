"""Enumerated laws of an HMM (chapter 11): the joint table over hidden paths, the evidence, the posterior,
the prior over paths, the law of the observed sequence, and sampling."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import logsumexp

from .._validate import as_rng, check_int, log_base
from ._common import check_hmm, check_x
from .hmm import HMM

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike


def log_joint(hmm: HMM, x: ArrayLike) -> FloatArray:
    r"""Table of :math:`\ln p(x^n, z^n)` (nats) over every hidden path: shape ``(S,) * n``, axis t is :math:`z_{t+1}`.

    :math:`\ln\pi(z_1) + \sum_t \ln B(x_t|z_t) + \sum_{t\ge2}\ln A(z_t|z_{t-1})`.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path (nats).
    """
    hmm = check_hmm(hmm)
    x = check_x(x, hmm.emission.shape[1])
    n, S = x.size, hmm.initial.size
    with np.errstate(divide="ignore"):
        la, lA, lB = np.log(hmm.initial), np.log(hmm.transition), np.log(hmm.emission)
    out = np.zeros((S,) * n)
    for t in range(n):
        shape = [1] * n
        shape[t] = S
        out = out + (lB[:, x[t]] + (la if t == 0 else 0.0)).reshape(shape)
        if t:
            shape2 = [1] * n
            shape2[t - 1], shape2[t] = S, S
            out = out + lA.reshape(shape2)
    return out


def log_evidence(hmm: HMM, x: ArrayLike, *, base: float = 2) -> float:
    r"""Log-likelihood :math:`\log p(x^n) = \log\sum_{z^n} p(x^n, z^n)` by the forward recursion (log domain).

    :math:`\alpha_1 = \ln\pi + \ln B_{\cdot x_1}`, :math:`\alpha_t(j) = \ln B_{j x_t} + \operatorname{lse}_i(\alpha_{t-1}(i) + \ln A_{ij})`.
    Units of ``base`` (keyword-only; bits by default, ``base=math.e`` for nats).  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols (any length: :math:`O(nS^2)`, no enumeration).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\log p(x^n)`, units of log ``base`` (bits by default).
    """
    hmm = check_hmm(hmm)
    x = check_x(x, hmm.emission.shape[1], max_len=None)
    lb = log_base(base)
    with np.errstate(divide="ignore"):
        la, lA, lB = np.log(hmm.initial), np.log(hmm.transition), np.log(hmm.emission)
    alpha = la + lB[:, x[0]]
    for t in range(1, x.size):
        alpha = lB[:, x[t]] + logsumexp(alpha[:, None] + lA, axis=0)
    return float(logsumexp(alpha)) / lb


def posterior(hmm: HMM, x: ArrayLike) -> FloatArray:
    r"""Exact posterior :math:`p(z^n | x^n) = p(x^n, z^n)/p(x^n)` over every path, shape ``(S,) * n``.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`p(z \mid x)` (probabilities).
    """
    lj = log_joint(hmm, x)
    lz = logsumexp(lj)
    if not np.isfinite(lz):
        raise ValueError("x has probability zero under hmm: the posterior is undefined")
    return np.exp(lj - lz)


def log_prior(hmm: HMM, n: int) -> FloatArray:
    r"""Table of :math:`\ln p(z^n) = \ln\pi(z_1) + \sum_{t\ge2}\ln A(z_t|z_{t-1})` (nats), shape ``(S,) * n``.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model.
    n : int
        Path length.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`\ln p(z^n)` (nats).
    """
    hmm = check_hmm(hmm, "hmm")
    n = check_int(n, "n", minimum=1, maximum=12)
    with np.errstate(divide="ignore"):
        la, lA = np.log(hmm.initial), np.log(hmm.transition)
    S = la.size
    out = la.reshape((S,) + (1,) * (n - 1))
    for t in range(1, n):
        shape = [1] * n
        shape[t - 1], shape[t] = S, S
        out = out + lA.reshape(shape)
    return out


def sequence_law(hmm: HMM, n: int) -> FloatArray:
    r"""The law of :math:`x^n` under ``hmm``, shape ``(V,) * n`` (:math:`\sum_z p(x^n, z^n)`, enumerated).  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model.
    n : int
        Sequence length, >= 1.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`p(x^n)` (probabilities).
    """
    hmm = check_hmm(hmm)
    n = check_int(n, "n", minimum=1, maximum=8)
    S, V = hmm.emission.shape
    # forward over all prefixes at once: f[x_1..x_t, z_t]
    f = hmm.initial[None, :] * hmm.emission.T  # (V, S)
    for _ in range(1, n):
        pred = f @ hmm.transition  # (..., S)
        f = pred[..., None, :] * hmm.emission.T  # (..., V, S)
    return f.sum(axis=-1)


def sample_hmm(hmm: HMM, n: int, n_samples: int, *, seed: SeedLike = 0) -> IntArray:
    r"""``n_samples`` independent sequences of length ``n`` from ``hmm`` (seeded, vectorised over sequences), shape (n_samples, n).

    :math:`z_1\sim\pi`, :math:`z_t\sim A(\cdot|z_{t-1})`, :math:`x_t\sim B(\cdot|z_t)` by inverse-CDF sampling.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model.
    n : int
        Sequence length.
    n_samples : int
        Number of sequences.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of int64, shape (size, n)
        The sequences.
    """
    hmm = check_hmm(hmm)
    n = check_int(n, "n", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    rng = as_rng(seed)
    cA, cB = np.cumsum(hmm.transition, axis=1), np.cumsum(hmm.emission, axis=1)

    def draw(cdf, u):  # first index with cdf > u, rows of cdf per sample
        return np.minimum((cdf <= u[:, None]).sum(axis=1), cdf.shape[1] - 1)

    z = draw(np.broadcast_to(np.cumsum(hmm.initial), (n_samples, hmm.initial.size)), rng.random(n_samples))
    out = np.empty((n_samples, n), dtype=np.int64)
    for t in range(n):
        if t:
            z = draw(cA[z], rng.random(n_samples))
        out[:, t] = draw(cB[z], rng.random(n_samples))
    return out
