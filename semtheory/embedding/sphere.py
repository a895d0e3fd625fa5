"""The probability-inner-product space on the unit sphere: softmax of scaled cosines and its rank.

Part of :mod:`semtheory.embedding` (chapter 9); the names are re-exported there.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import log_softmax, xlogy

from ..core.types import ArrayLike, SeedLike
from .._validate import (
    as_pmf,
    as_rng,
    as_stochastic,
    check_int,
    check_positive,
    log_base,
)
from ._common import as_real_matrix
from .factorisation import to_sphere

# ==============================================================================================
# The probability-inner-product space on the unit sphere
# ==============================================================================================


def sphere_logprobs(U: ArrayLike, W: ArrayLike, scale: float = 1.0) -> np.ndarray:
    r"""Next-token log-probabilities :math:`\log Q(v \mid c) = s\langle \hat u_c, \hat w_v\rangle - \log Z_c`.

    ``U`` (contexts x d) and ``W`` (tokens x d) are projected onto the unit sphere (rows normalised; a zero
    row is an error) and the scale :math:`s` = ``scale`` > 0 is an inverse temperature: the logits lie in
    :math:`[-s, s]`, so every probability ratio is at most :math:`e^{2s}`.  The matrix of log-probabilities
    is :math:`s\hat U \hat W^\T - \log Z\,\mathbf 1^\T`, of rank at most :math:`d + 1`.  Nats.  Chapter 9.

    Parameters
    ----------
    U : array_like, shape (n_contexts, d)
        Context vectors (any non-zero rows; normalised here).
    W : array_like, shape (n_tokens, d)
        Token vectors (any non-zero rows; normalised here).
    scale : float, default 1.0
        The scale :math:`s > 0` (an inverse temperature).

    Returns
    -------
    numpy.ndarray, shape (n_contexts, n_tokens)
        :math:`\log Q(v \mid c)`, in nats; each row's exponentials sum to 1.
    """
    A = as_real_matrix(U, "U")
    B = as_real_matrix(W, "W")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"U and W must have the same dimension d, got {A.shape[1]} and {B.shape[1]}")
    s = check_positive(scale, "scale")
    na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    if not (na > 0).all():
        raise ValueError("U has a zero row: it has no direction on the sphere")
    if not (nb > 0).all():
        raise ValueError("W has a zero row: it has no direction on the sphere")
    return log_softmax(s * (A / na[:, None]) @ (B / nb[:, None]).T, axis=1)


def numerical_rank(A: ArrayLike, rtol: float = 1e-9) -> int:
    r"""Number of singular values of ``A`` above ``rtol`` times the largest (0 for a zero matrix).

    Used on log-probability matrices, so ``A`` must be finite (a zero probability, :math:`-\infty`, has no
    rank).  Chapter 9.

    Parameters
    ----------
    A : array_like, shape (m, n)
        A finite real matrix.
    rtol : float, default 1e-9
        Relative threshold on the singular values, positive.

    Returns
    -------
    int
        The numerical rank.

    Examples
    --------
    >>> numerical_rank(np.outer([1.0, 2.0], [3.0, 4.0, 5.0]))
    1
    """
    M = as_real_matrix(A, "A")
    rtol = check_positive(rtol, "rtol")
    s = np.linalg.svd(M, compute_uv=False)
    if s[0] == 0:
        return 0
    return int((s > rtol * s[0]).sum())


class SoftmaxFit(NamedTuple):
    r"""A fitted sphere-softmax model: ``logprobs`` (contexts x tokens, nats), expected ``kl`` (units of the
    call's ``base``), ``scale``, unit-norm ``contexts`` and ``tokens`` vectors, ``converged``.

    Attributes
    ----------
    logprobs : numpy.ndarray, shape (n_contexts, n_tokens)
        :math:`\log Q(v \mid c)` of the fitted model, in nats.
    kl : float
        The expected divergence :math:`\sum_c \pi(c)\,\KL(P(\cdot\mid c)\,\|\,Q(\cdot\mid c))`, in units of
        log ``base`` of the call (bits by default).
    scale : float
        The fitted scale :math:`s > 0`.
    contexts : numpy.ndarray, shape (n_contexts, d)
        Unit context vectors :math:`u_c`.
    tokens : numpy.ndarray, shape (n_tokens, d)
        Unit token vectors :math:`w_v`.
    converged : bool
        Whether the conjugate-gradient run of the best start reported success.
    """

    logprobs: np.ndarray
    kl: float
    scale: float
    contexts: np.ndarray
    tokens: np.ndarray
    converged: bool


def fit_sphere_softmax(conditional: ArrayLike, weights: ArrayLike, d: int, *, seed: SeedLike = 0, restarts: int = 1,
                       max_iter: int = 300, base: float = 2) -> SoftmaxFit:
    r"""The best next-token law of the form :math:`Q(v\mid c) = \softmax_v(s\langle u_c, w_v\rangle)`, :math:`u_c, w_v \in S^{d-1}`.

    Minimises the expected divergence :math:`\sum_c \pi(c)\,\KL(P(\cdot\mid c)\,\|\,Q(\cdot\mid c))`, i.e. the
    cross-entropy :math:`-\sum_c \pi(c) \sum_v P(v\mid c)\log Q(v\mid c)` minus the conditional entropy, over
    the unit vectors and the scale :math:`s > 0` (parametrised as :math:`u = a/\|a\|`, :math:`s = e^\theta`), with
    an analytic gradient and nonlinear conjugate gradients from ``restarts`` seeded random starts; the best
    is returned.  ``conditional`` is the row-stochastic matrix :math:`P(v \mid c)`, ``weights`` the pmf
    :math:`\pi(c)` of the contexts.  Since :math:`\log Q` has rank at most :math:`d+1`, the divergence stays
    positive while :math:`d + 1` is below the smallest rank of :math:`\log P + z\mathbf 1^\T` over row shifts
    :math:`z` (the softmax bottleneck).  ``kl`` in units of ``base`` (bits by default).  Chapter 9.

    Parameters
    ----------
    conditional : array_like, shape (n_contexts, n_tokens)
        The row-stochastic matrix :math:`P(v \mid c)`.
    weights : array_like, shape (n_contexts,)
        The pmf :math:`\pi(c)` of the contexts.
    d : int
        Sphere dimension :math:`d`, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the random starts.
    restarts : int, keyword-only, default 1
        Number of starts (the first from a spectral initialisation), at least 1.
    max_iter : int, keyword-only, default 300
        Iteration limit of each conjugate-gradient run.
    base : float, keyword-only, default 2
        Logarithm base of ``kl`` (2: bits, e: nats).

    Returns
    -------
    SoftmaxFit
        The best fit; ``kl`` in units of log ``base`` (bits by default), ``logprobs`` in nats.
    """
    from scipy.optimize import minimize

    P = as_stochastic(conditional, "conditional")
    if P.ndim != 2:
        raise ValueError(f"conditional must be a 2-D matrix (contexts x tokens), got shape {P.shape}")
    w = as_pmf(weights, "weights", ndim=1)
    if len(w) != P.shape[0]:
        raise ValueError(f"weights must have one entry per context ({P.shape[0]}), got {len(w)}")
    d = check_int(d, "d", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    lb = log_base(base)
    rng = as_rng(seed)
    n, V = P.shape
    WP = w[:, None] * P
    h = -xlogy(WP, P).sum()

    def f(x):
        A, B, th = x[: n * d].reshape(n, d), x[n * d : -1].reshape(V, d), x[-1]
        na = np.sqrt(np.add.reduce(A * A, axis=1, keepdims=True))  # the row norms, as numpy.linalg.norm forms them
        nb = np.sqrt(np.add.reduce(B * B, axis=1, keepdims=True))
        Uh, Wh, s = A / na, B / nb, math.exp(min(th, 50.0))
        Z = s * Uh @ Wh.T
        LQ = Z - Z.max(axis=1, keepdims=True)  # scipy's log_softmax, without its per-call dispatch (Z is finite)
        LQ -= np.log(np.exp(LQ).sum(axis=1, keepdims=True))
        loss = -(WP * LQ).sum() - h
        G = w[:, None] * np.exp(LQ) - WP  # d loss / d Z
        gU, gW = s * G @ Wh, s * G.T @ Uh
        gA = (gU - Uh * (gU * Uh).sum(1, keepdims=True)) / na
        gB = (gW - Wh * (gW * Wh).sum(1, keepdims=True)) / nb
        return loss, np.concatenate([gA.ravel(), gB.ravel(), [(G * Z).sum()]])

    # first start: the rank-d SVD of the row-centred log-probabilities (whose rows are shift-free logits)
    with np.errstate(divide="ignore"):
        LP = np.log(P)
    LP = np.where(np.isfinite(LP), LP, LP[np.isfinite(LP)].min() - 10.0 if np.isfinite(LP).any() else 0.0)
    LP = LP - LP.mean(axis=1, keepdims=True)
    Us, ss, Vts = np.linalg.svd(LP, full_matrices=False)
    k = min(d, len(ss))
    A0 = np.zeros((n, d))
    B0 = np.zeros((V, d))
    A0[:, :k] = Us[:, :k] * np.sqrt(ss[:k])
    B0[:, :k] = Vts[:k].T * np.sqrt(ss[:k])
    A0 += 1e-3 * rng.standard_normal(A0.shape)  # no zero rows, and a tie-breaker
    B0 += 1e-3 * rng.standard_normal(B0.shape)
    s0 = float(np.median(np.linalg.norm(A0, axis=1)) * np.median(np.linalg.norm(B0, axis=1)))
    starts = [np.concatenate([A0.ravel(), B0.ravel(), [math.log(min(max(s0, 0.1), 1e3))]])]
    starts += [np.concatenate([rng.standard_normal((n + V) * d), [math.log(3.0)]]) for _ in range(restarts - 1)]
    best = None
    for x0 in starts:
        r = minimize(f, x0, jac=True, method="CG", options={"maxiter": max_iter, "gtol": 1e-7})
        if best is None or r.fun < best.fun:
            best = r
    x = best.x
    U = to_sphere(x[: n * d].reshape(n, d))
    Wv = to_sphere(x[n * d : -1].reshape(V, d))
    s = math.exp(min(x[-1], 50.0))
    LQ = sphere_logprobs(U, Wv, s)
    kl = max(float(-(WP * LQ).sum() - h), 0.0) / lb
    return SoftmaxFit(LQ, kl, s, U, Wv, bool(best.success))
