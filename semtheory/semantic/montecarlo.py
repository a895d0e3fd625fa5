r"""Monte Carlo paths of the prompt-to-generation flow with exact densities, and its two mean estimators (chapter 14).

:func:`sample_prompt_flow` carries the posterior over the prompts along each sampled path, so every density
:math:`\iota_t` is exact; :func:`mean_flow` averages the flow :math:`\Lambda_t` and its compensator :math:`A_t`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp

from .._validate import as_rng, as_token_ids, check_int, log_base
from ..core.models import check_model
from ..core.tables import next_token_table
from ..flow import FlowPaths
from ._common import TABLE_BYTES, draw, prompt_weights

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, SeedLike


def sample_prompt_flow(model: LanguageModel, prompts: ArrayLike, n: int, n_samples: int, *,
                       weights: ArrayLike | None = None, seed: SeedLike = None, base: float = 2) -> FlowPaths:
    r"""Monte Carlo paths of the flow from a prompt to ``n`` generated tokens, with exact densities along each path.

    Each path draws a prompt :math:`x_k` (probability ``weights[k]``, default uniform) and generates
    :math:`y_1..y_n` from the model.  Along the path the posterior :math:`\pi_{t-1}(k) \propto w_k P(y^{t-1}
    \mid x_k)` over all :math:`K` prompts gives the output-only law :math:`P(\cdot \mid y^{t-1}) = \sum_k
    \pi_{t-1}(k) P(\cdot \mid x_k, y^{t-1})`, hence exactly

    .. math:: \iota_t = \log\frac{P(y_t \mid x, y^{t-1})}{P(y_t \mid y^{t-1})}, \qquad
              D_t = D\big(P(\cdot \mid x, y^{t-1}) \,\|\, P(\cdot \mid y^{t-1})\big),

    and the spread of :math:`\iota_t` over the tokens of positive probability (chapter 7's quantities, so the
    result is a :class:`semtheory.flow.FlowPaths`).  ``inputs[:, 0]`` is the index of the drawn prompt (the
    value of :math:`X_1` in :func:`prompt_flow_law`'s layout; the other columns are 0), ``outputs`` the
    generated tokens.  Cost: :math:`n` batched passes to sample, and one pass over the :math:`K \times`
    (distinct paths) continuations.  Deterministic under ``seed``.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    prompts : array_like of int, shape (K, m)
        The ``K`` prompts, token ids in ``[0, V)``.
    n : int >= 1
        Number of generated tokens per path.
    n_samples : int >= 1
        Number of independent paths.
    weights : array_like, shape (K,), keyword-only, optional
        Prompt probabilities (a pmf); default uniform.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    semtheory.flow.FlowPaths
        Densities ``iota``, compensator increments ``kl`` and spreads, shape ``(n_samples, n)``, in units of log
        ``base`` (bits by default); ``inputs[:, 0]`` the prompt indices, ``outputs`` the generated tokens.
    """
    lb = log_base(base)
    model = check_model(model)
    V = model.vocab_size
    P = as_token_ids(prompts, "prompts", vocab_size=V, ndim=2)
    K, m = P.shape
    w = prompt_weights(weights, K)
    n = check_int(n, "n", minimum=1)
    N = check_int(n_samples, "n_samples", minimum=1)
    rng = as_rng(seed)
    k_idx = rng.choice(K, size=N, p=w)
    y = np.zeros((N, n), dtype=np.int64)
    for t in range(n):
        ctx = np.concatenate([P[k_idx], y[:, :t]], axis=1)
        y[:, t] = draw(rng, next_token_table(model, ctx, start=m + t)[:, 0])
    uniq, inv = np.unique(y, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    with np.errstate(divide="ignore"):
        logw = np.log(w)
    iota, kl, spread = np.zeros((N, n)), np.zeros((N, n)), np.zeros((N, n))
    c = max(1, int(TABLE_BYTES // (8 * K * n * V)))
    for u0 in range(0, len(uniq), c):
        Yu = uniq[u0:u0 + c]
        C = len(Yu)
        ctx = np.concatenate([np.repeat(P, C, axis=0), np.tile(Yu[:, :n - 1], (K, 1))], axis=1)
        lw = next_token_table(model, ctx, start=m).reshape(K, C, n, V)  # ln P(. | x_k, y^{t-1})
        obs = np.take_along_axis(lw, np.broadcast_to(Yu[None, :, :, None], (K, C, n, 1)), axis=-1)[..., 0]
        prior = logw[:, None, None] + np.concatenate([np.zeros((K, C, 1)), np.cumsum(obs, axis=-1)[..., :-1]], axis=-1)
        with np.errstate(invalid="ignore"):
            mix = logsumexp(prior[..., None] + lw, axis=0) - logsumexp(prior, axis=0)[..., None]  # (C, n, V)
        sel = np.flatnonzero((inv >= u0) & (inv < u0 + C))
        u = inv[sel] - u0
        wl = lw[k_idx[sel], u]  # (S, n, V) the true prompt's laws
        ml = mix[u]
        ok = np.isfinite(wl)
        lr = np.where(ok, wl - np.where(ok, ml, 0.0), 0.0)
        iota[sel] = np.take_along_axis(lr, y[sel][..., None], axis=-1)[..., 0]
        kl[sel] = np.maximum(np.where(ok, np.exp(np.where(ok, wl, 0.0)) * lr, 0.0).sum(axis=-1), 0.0)
        spread[sel] = np.where(ok, lr, -np.inf).max(axis=-1) - np.where(ok, lr, np.inf).min(axis=-1)
    inputs = np.zeros((N, n), dtype=np.int64)
    inputs[:, 0] = k_idx
    return FlowPaths(iota / lb, kl / lb, spread / lb, inputs, y)


class FlowEstimate(NamedTuple):
    r"""Monte Carlo estimates of :math:`I(X; Y^t)`, :math:`t = 1..n` (arrays of length :math:`n`, units of the paths).

    ``flow`` and ``flow_se``: the mean of :math:`\Lambda_t` and its standard error; ``compensator`` and
    ``compensator_se``: the same for :math:`A_t`; ``n_samples``.  Chapter 14.

    Attributes
    ----------
    flow, flow_se : numpy.ndarray, shape (n,)
        Mean of :math:`\Lambda_t` and its standard error (units of the paths).
    compensator, compensator_se : numpy.ndarray, shape (n,)
        Mean of :math:`A_t` and its standard error (units of the paths).
    n_samples : int
        Number of paths.
    """

    flow: np.ndarray
    flow_se: np.ndarray
    compensator: np.ndarray
    compensator_se: np.ndarray
    n_samples: int


def mean_flow(paths: FlowPaths) -> FlowEstimate:
    r"""Two unbiased Monte Carlo estimators of the directed information :math:`\E\Lambda_t = \E A_t = I(X^t \to Y^t)`.

    .. math:: \hat I_\Lambda(t) = \frac1N\sum_{i=1}^N \Lambda^{(i)}_t, \qquad
              \hat I_A(t) = \frac1N \sum_{i=1}^N A^{(i)}_t, \qquad \widehat{\mathrm{se}} = s/\sqrt N,

    over the :math:`N` independent paths of a :class:`semtheory.flow.FlowPaths` (from
    :func:`sample_prompt_flow` or :func:`semtheory.flow.simulate_markov_pair_flow`).  :math:`A_t` replaces each
    density by its conditional mean given the past (a Rao–Blackwellisation of every increment).  Chapter 14.

    Parameters
    ----------
    paths : semtheory.flow.FlowPaths
        At least two independent paths (e.g. from :func:`sample_prompt_flow`).

    Returns
    -------
    FlowEstimate
        Means and standard errors of :math:`\Lambda_t` and :math:`A_t`, :math:`t = 1..n`, in the units of the
        paths.
    """
    if not isinstance(paths, FlowPaths):
        raise ValueError("paths must be a semtheory.flow.FlowPaths (from sample_prompt_flow)")
    N = paths.iota.shape[0]
    if N < 2:
        raise ValueError(f"paths must hold at least 2 paths for a standard error, got {N}")
    Lam, A = paths.Lambda, paths.A
    r = math.sqrt(N)
    return FlowEstimate(Lam.mean(0), Lam.std(0, ddof=1) / r, A.mean(0), A.std(0, ddof=1) / r, N)
