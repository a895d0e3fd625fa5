"""Noisy gradient descent on a softmax logit table with the Pensia-Jog-Loh bound (chapter 12)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp

from .._validate import as_pmf, as_rng, check_int, check_positive, log_base

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike


class SGLDStudy(NamedTuple):
    """Result of :func:`sgld_study`.  Chapter 12.

    ``mi_bound`` is in units of log ``base`` of the call (bits by default); the losses, gaps and the bound on
    the gap are cross-entropies, in nats, whatever ``base``.

    Attributes
    ----------
    noise : float
        The standard deviation of the gradient noise (units of the logits).
    mi_bound : float
        The Pensia-Jog-Loh bound on I(W_T; S), in units of log ``base``.
    bound : float
        (log K + R) sqrt(mi_bound / (2n)), the bound on the expected gap, in nats.
    gap : float
        The Monte-Carlo expected gap E[L_mu(W_T) - L_S(W_T)], in nats.
    gap_se : float
        Its standard error, in nats.
    train_loss : float
        The Monte-Carlo expected training loss E[L_S(W_T)], in nats.
    loss_range : float
        log K + R, the upper end of the loss range, in nats.
    """

    noise: float
    mi_bound: float       # Pensia-Jog-Loh: sum_t (d/2) log(1 + lr^2 L^2 / (d noise^2)) >= I(W_T; S)
    bound: float          # (log K + R) sqrt(mi_bound / (2n))
    gap: float            # Monte-Carlo E[L_mu(W_T) - L_S(W_T)]
    gap_se: float
    train_loss: float     # Monte-Carlo E[L_S(W_T)]
    loss_range: float     # log K + R


def sgld_study(p_xy: ArrayLike, n: int, *, noise: float, steps: int = 100, lr: float = 0.5, spread: float = 8.0,
               repeats: int = 2000, seed: SeedLike = 0, base: float = 2) -> SGLDStudy:
    r"""Noisy full-batch gradient descent (SGLD-type) on a softmax logit table, with the Pensia–Jog–Loh bound.

    Parameters :math:`\theta \in \R^{m\times K}` (one logit row per input), :math:`\theta_0 = 0`,
    :math:`\theta_{t+1} = \Pi\big(\theta_t - \eta\nabla L_S(\theta_t) + \xi_t\big)`, :math:`\xi_t \sim \mathcal N(0,`
    ``noise``:math:`^2 I)`, where :math:`\Pi` clips every logit to :math:`[-R/2, R/2]` (so the spread is at most
    :math:`R` = ``spread`` and the loss lies in :math:`[0, \log K + R]`).  The per-example gradient
    :math:`e_x(\softmax(\theta_x) - e_y)^\top` has norm at most :math:`L = \sqrt 2`, so
    :math:`\I(W_T;S) \le \sum_t \frac d2\log\big(1 + \frac{\eta^2 L^2}{d\,\sigma^2}\big)` with :math:`d = mK`
    (Pensia, Jog and Loh 2018; the clipping is post-processing).  The gap and training loss are averaged over
    ``repeats`` seeded datasets (population loss exact).  The information bound is in units of log ``base`` (bits by
    default); losses, gaps and the bound on the gap are in nats.  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    n : int
        The sample size, at least 1.
    noise : float, keyword-only
        The noise standard deviation :math:`\sigma > 0`.
    steps : int, keyword-only, default 100
        The number of updates :math:`T`.
    lr : float, keyword-only, default 0.5
        The step size :math:`\eta > 0`.
    spread : float, keyword-only, default 8.0
        The clipping spread :math:`R > 0`.
    repeats : int, keyword-only, default 2000
        Monte-Carlo datasets, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the datasets and the noise.
    base : float, keyword-only, default 2
        Logarithm base of ``mi_bound`` (2: bits, e: nats).

    Returns
    -------
    SGLDStudy
        ``mi_bound`` in units of log ``base``; the bound and the Monte-Carlo gap and losses in nats.
    """
    p = as_pmf(p_xy, "p_xy", ndim=2)
    n = check_int(n, "n", minimum=1)
    noise = check_positive(noise, "noise")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    R = check_positive(spread, "spread")
    repeats = check_int(repeats, "repeats", minimum=2)
    lb = log_base(base)
    m, K = p.shape
    d = m * K
    rng = as_rng(seed)
    N = rng.multinomial(n, p.reshape(-1), size=repeats).reshape(repeats, m, K) / n     # empirical law
    th = np.zeros((repeats, m, K))
    for _ in range(steps):
        q = np.exp(th - logsumexp(th, axis=-1, keepdims=True))
        grad = N.sum(-1, keepdims=True) * q - N
        th = np.clip(th - lr * grad + noise * rng.standard_normal(th.shape), -R / 2, R / 2)
    loss = logsumexp(th, axis=-1)[..., None] - th                              # (repeats, m, K)
    train = np.sum(N * loss, axis=(1, 2))
    gap = np.sum(p[None] * loss, axis=(1, 2)) - train
    mi = steps * d / 2 * math.log1p(lr**2 * 2.0 / (d * noise**2))
    c = math.log(K) + R
    return SGLDStudy(noise, mi / lb, c * math.sqrt(mi / (2 * n)), float(gap.mean()),
                     float(gap.std(ddof=1) / math.sqrt(repeats)), float(train.mean()), c)
