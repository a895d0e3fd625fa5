r"""Semantic information measures of a trained language model: flow, directed information, perplexity, attention energies.

Chapter 14.  Everything here reads a model only through the :class:`~semtheory.channel.LanguageModel`
interface of chapter 4 (a :class:`~semtheory.transformer.Transformer` gets a batched fast path), and reuses
chapter 7's flow objects (:class:`semtheory.flow.FlowPaths`, :func:`semtheory.flow.exact_flow`), chapter 3's
directed information (:mod:`semtheory.directed`) and chapter 10's modern-Hopfield energy
(:mod:`semtheory.energy`).  What is new is the estimators on an arbitrary model:

**Prompt → generation.**  A prompt :math:`X` is drawn from a finite set :math:`\{x_1, \dots, x_K\}` with weights
:math:`w_k` and the model generates :math:`Y^n` after it.  The information density of the :math:`t`-th generated
token and the flow are chapter 7's

.. math:: \iota_t = \log\frac{P(y_t \mid x, y^{t-1})}{P(y_t \mid y^{t-1})}, \qquad
          P(y_t \mid y^{t-1}) = \sum_k \pi_{t-1}(k)\, P(y_t \mid x_k, y^{t-1}), \qquad
          \pi_{t-1}(k) \propto w_k P(y^{t-1} \mid x_k),

so along a sampled path every density is *exact* (the posterior over the :math:`K` prompts is carried
forward), and only the average over paths is Monte Carlo (:func:`sample_prompt_flow`).  Two unbiased
estimators of :math:`I(X; Y^t) = I(X^n \to Y^n)` (no feedback: the prompt is fixed before any output)
follow, the mean of the flow :math:`\Lambda_t` and the mean of its compensator :math:`A_t = \sum_{s\le t}
D_s` (a conditional expectation of :math:`\Lambda_t`'s increments, so never of larger variance per step)
(:func:`mean_flow`).  Where the continuations can be enumerated the joint law is built exactly
(:func:`prompt_flow_law`) and fed to :func:`semtheory.flow.exact_flow`.  Telescoping gives the pathwise
ceiling :math:`\Lambda_n = \log \pi_n(k)/w_k \le \log(1/w_k)`: with :math:`K` equally likely prompts no path
carries more than :math:`\log K`.

**Perplexity against the entropy rate.**  :func:`perplexity_report` scores a held-out text with the model
and, when the true source is known, with the source itself on the *same* tokens: the paired difference of
the per-token losses estimates the relative-entropy rate, for a good model with a much smaller standard error
than either loss alone (batch means over contiguous blocks).

**Attention energies.**  For each layer, head and position, :func:`attention_energies` reads the query
:math:`q_i` and the keys :math:`k_{j \le i}` of the trained network and evaluates the modern Hopfield energy
:math:`E(q_i) = -\beta^{-1}\ln\sum_{j\le i} e^{\beta k_j^\T q_i} + \tfrac12 q_i^\T q_i` of the network that stores
the keys (:func:`semtheory.energy.hopfield_energy`, :math:`\beta = 1/\sqrt{d_k}`), its value after one CCCP
step (:func:`semtheory.energy.hopfield_update`), the entropy of the attention law and its largest weight.

Units: ``base`` (2 = bits, the default; ``math.e`` = nats) for information; energies in the units of the
inner products.  Provenance: standard constructions (information density / pointwise mutual information,
Massey's directed information, Monte Carlo with exact likelihood ratios, batch-means standard errors, the
modern Hopfield energy) standing in for the treatise's "semantic information measures" (see the chapter's
note).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
from ._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.semantic")
from scipy.special import logsumexp

from . import channel as _channel
from . import directed as _directed
from .core.law import MAX_CELLS
from .core.models import check_model
from .core.tables import as_contexts, next_token_table
from .flow import FlowPaths
from ._validate import as_array as _asarray
from ._validate import as_float, as_pmf, as_rng, check_int, check_positive, check_probability, log_base

__all__ = [
    "next_token_table",
    "prompts_from_law",
    "prompt_flow_law",
    "sample_prompt_flow",
    "FlowEstimate",
    "mean_flow",
    "batch_means_se",
    "PerplexityReport",
    "perplexity_report",
    "AttentionEnergies",
    "attention_energies",
    "attention_readout",
    "per_layer_values",
    "previous_token_weight",
    "generation_law",
    "path_densities",
    "mixing_modulus",
    "markov_order_gap",
    "echo_user",
    "interaction_channel",
    "interaction_law",
    "FeedbackEstimate",
    "sample_feedback_information",
    "residual_streams",
    "ProbeResult",
    "probe_information",
    "state_probe",
    "SemanticEntropy",
    "semantic_entropy",
    "sampled_semantic_entropy",
]

_TABLE_BYTES = 2**25  # memory budget of one block of next-token laws


# ==============================================================================================
# Next-token laws after every prefix, for many contexts at once
# ==============================================================================================


# next_token_table and as_contexts live in semtheory.core.tables (the core's batched logits plumbing); re-exported.


# ==============================================================================================
# Prompts and the exact joint law of prompt and generation
# ==============================================================================================


def _as_prompts(prompts, V: int, name: str = "prompts") -> np.ndarray:
    arr = _asarray(prompts, name)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a 2-D array (K prompts of equal length m >= 1), got shape {arr.shape}")
    if arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must hold integer token ids in [0, {V})")
    return arr.astype(np.int64)


def _prompt_weights(weights, K: int) -> np.ndarray:
    if weights is None:
        return np.full(K, 1.0 / K)
    w = as_pmf(weights, "weights", ndim=1)
    if w.size != K:
        raise ValueError(f"weights must have one entry per prompt ({K}), got {w.size}")
    return w


def prompts_from_law(prompt_law) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The support of a prompt law of shape ``(V,) * m`` as ``(prompts (K, m), weights (K,), index (K,))``.

    ``index`` is each prompt's position in C order, i.e. its value of the prompt axis :math:`X_1` of
    :func:`semtheory.channel.prompt_generation_law`; ``weights`` are the (positive) probabilities.  Chapter 14.

    Parameters
    ----------
    prompt_law : array_like, shape (V,) * m
        A pmf over prompts of ``m`` tokens.

    Returns
    -------
    prompts : numpy.ndarray of int, shape (K, m)
        The prompts of positive probability, in C order.
    weights : numpy.ndarray, shape (K,)
        Their probabilities (dimensionless).
    index : numpy.ndarray of int, shape (K,)
        Each prompt's flat C-order position in ``prompt_law``.
    """
    q = as_pmf(prompt_law, "prompt_law")
    if q.ndim == 0 or any(s != q.shape[0] for s in q.shape):
        raise ValueError(f"prompt_law must have shape (V,) * m, got {q.shape}")
    index = np.flatnonzero(q.reshape(-1) > 0)
    prompts = np.stack(np.unravel_index(index, q.shape), axis=1).astype(np.int64)
    return prompts, q.reshape(-1)[index], index


def prompt_flow_law(model, prompts, n, *, weights=None) -> np.ndarray:
    r"""Exact joint law of a prompt :math:`X` drawn from a finite set and the ``n`` tokens generated after it.

    .. math:: P(X = x_k, y^n) = w_k \prod_{t=1}^n P_\theta(y_t \mid x_k, y^{t-1}),

    in :mod:`semtheory.directed`'s layout: axis :math:`X_1` of size :math:`K` (prompt :math:`k` of ``prompts``),
    :math:`X_2..X_n` of size 1, then :math:`Y_1..Y_n` of size :math:`V`; ready for
    :func:`semtheory.flow.exact_flow` and :func:`semtheory.directed.directed_information` (which equals
    :math:`I(X; Y^n)` here).  ``prompts`` ``(K, m)`` may be any prompts (e.g. snippets of a real text);
    ``weights`` default to uniform.  With all :math:`V^m` prompts in C order and their probabilities it equals
    :func:`semtheory.channel.prompt_generation_law` (which walks the state protocol history by history); here
    the :math:`K V^{n-1}` continuations are read through :func:`next_token_table`.  Needs
    :math:`K V^n \le 2^{24}` cells.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    prompts : array_like of int, shape (K, m)
        The ``K`` prompts, token ids in ``[0, V)``.
    n : int >= 1
        Number of generated tokens.
    weights : array_like, shape (K,), keyword-only, optional
        Prompt probabilities (a pmf); default uniform.

    Returns
    -------
    numpy.ndarray, shape (K,) + (1,) * (n - 1) + (V,) * n
        The joint pmf of prompt index and generation (dimensionless), in :mod:`semtheory.directed`'s layout.
    """
    model = check_model(model)
    V = model.vocab_size
    P = _as_prompts(prompts, V)
    K, m = P.shape
    w = _prompt_weights(weights, K)
    n = check_int(n, "n", minimum=1)
    if K * float(V) ** n > MAX_CELLS:
        raise ValueError(f"n={n} with {K} prompts and vocab_size={V} gives more than {MAX_CELLS} cells")
    Yc = np.indices((V,) * (n - 1)).reshape(n - 1, -1).T if n > 1 else np.zeros((1, 0), dtype=np.int64)  # C order
    ctx = np.concatenate([np.repeat(P, len(Yc), axis=0), np.tile(Yc, (K, 1))], axis=1)
    tab = next_token_table(model, ctx, start=m).reshape((K,) + (V,) * (n - 1) + (n, V))
    logp = np.zeros((K,) + (V,) * n)
    for t in range(n):  # add log P(y_{t+1} | x, y^t), read from the row of the full continuation (causality)
        lt = tab[..., t, :]  # (K, V^{n-1} axes, V)
        if t < n - 1:
            lt = np.take_along_axis(lt, np.indices(lt.shape[:-1])[1 + t][..., None], axis=-1)[..., 0]
            logp = logp + lt[..., None]
        else:
            logp = logp + lt
    with np.errstate(divide="ignore"):
        logp = logp + np.log(w).reshape((K,) + (1,) * n)
    law = np.exp(logp)
    return (law / law.sum()).reshape((K,) + (1,) * (n - 1) + (V,) * n)


# ==============================================================================================
# Monte Carlo flow with exact densities
# ==============================================================================================


def _draw(rng: np.random.Generator, logp: np.ndarray) -> np.ndarray:
    c = np.cumsum(np.exp(logp), axis=1)
    c[:, -1] = np.inf
    return (rng.random((logp.shape[0], 1)) >= c).sum(axis=1)


def sample_prompt_flow(model, prompts, n, n_paths, *, weights=None, seed=None, base=2) -> FlowPaths:
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
    n_paths : int >= 1
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
        Densities ``iota``, compensator increments ``kl`` and spreads, shape ``(n_paths, n)``, in units of log
        ``base`` (bits by default); ``inputs[:, 0]`` the prompt indices, ``outputs`` the generated tokens.
    """
    lb = log_base(base)
    model = check_model(model)
    V = model.vocab_size
    P = _as_prompts(prompts, V)
    K, m = P.shape
    w = _prompt_weights(weights, K)
    n = check_int(n, "n", minimum=1)
    N = check_int(n_paths, "n_paths", minimum=1)
    rng = as_rng(seed)
    k_idx = rng.choice(K, size=N, p=w)
    y = np.zeros((N, n), dtype=np.int64)
    for t in range(n):
        ctx = np.concatenate([P[k_idx], y[:, :t]], axis=1)
        y[:, t] = _draw(rng, next_token_table(model, ctx, start=m + t)[:, 0])
    uniq, inv = np.unique(y, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    with np.errstate(divide="ignore"):
        logw = np.log(w)
    iota, kl, spread = np.zeros((N, n)), np.zeros((N, n)), np.zeros((N, n))
    c = max(1, int(_TABLE_BYTES // (8 * K * n * V)))
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
    ``compensator_se``: the same for :math:`A_t`; ``n_paths``.  Chapter 14.

    Attributes
    ----------
    flow, flow_se : numpy.ndarray, shape (n,)
        Mean of :math:`\Lambda_t` and its standard error (units of the paths).
    compensator, compensator_se : numpy.ndarray, shape (n,)
        Mean of :math:`A_t` and its standard error (units of the paths).
    n_paths : int
        Number of paths.
    """

    flow: np.ndarray
    flow_se: np.ndarray
    compensator: np.ndarray
    compensator_se: np.ndarray
    n_paths: int


def mean_flow(paths) -> FlowEstimate:
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


# ==============================================================================================
# Perplexity against the entropy rate
# ==============================================================================================


def batch_means_se(values, n_batches=20) -> float:
    r"""Batch-means standard error of the mean of a stationary, weakly dependent series.

    Split the :math:`N` values into ``n_batches`` :math:`= b` contiguous blocks of equal length :math:`\ell =
    \lfloor N/b \rfloor` (the tail is dropped), with block means :math:`\bar v_j`;
    :math:`\widehat{\mathrm{se}} = s_{\bar v} / \sqrt b`, :math:`s_{\bar v}` the sample standard deviation of the
    block means.  Valid when blocks are much longer than the correlation time.  Chapter 14.

    Parameters
    ----------
    values : array_like, shape (N,)
        A finite series, ``N >= n_batches``.
    n_batches : int >= 2, default 20
        Number of contiguous blocks.

    Returns
    -------
    float
        The standard error of the mean of ``values``, in the units of ``values``.
    """
    v = as_float(values, "values")
    if v.ndim != 1 or not np.all(np.isfinite(v)):
        raise ValueError("values must be a finite 1-D array")
    b = check_int(n_batches, "n_batches", minimum=2)
    ell = v.size // b
    if ell < 1:
        raise ValueError(f"values must hold at least n_batches = {b} entries, got {v.size}")
    means = v[: ell * b].reshape(b, ell).mean(axis=1)
    return float(means.std(ddof=1) / math.sqrt(b))


class PerplexityReport(NamedTuple):
    r"""A model scored on a held-out text (units of ``base`` per token).

    ``cross_entropy`` :math:`\hat H_\theta` with ``cross_entropy_se``, ``perplexity`` :math:`\mathrm{base}^{\hat H_\theta}`;
    ``model_losses`` the per-token losses :math:`-\log P_\theta(x_t \mid x^{t-1})`.  With a known source:
    ``entropy_rate`` :math:`\mathcal H` (exact), ``source_perplexity`` :math:`\mathrm{base}^{\mathcal H}`,
    ``source_losses`` (the source's own per-token losses on the same text), ``excess`` (mean paired difference,
    an estimate of the relative-entropy rate) and ``excess_se``; otherwise those are ``None``.  Chapter 14.

    Attributes
    ----------
    cross_entropy, cross_entropy_se : float
        :math:`\hat H_\theta` and its batch-means standard error (units of log ``base`` per token).
    perplexity : float
        ``base ** cross_entropy`` (tokens).
    model_losses : numpy.ndarray, shape (N,)
        Per-token losses of the model (units of log ``base``).
    entropy_rate, source_perplexity : float or None
        :math:`\mathcal H` of the source and ``base ** entropy_rate``.
    source_losses : numpy.ndarray or None
        Per-token losses of the source on the same text.
    excess, excess_se : float or None
        The paired estimate of the relative-entropy rate and its standard error (units of log ``base`` per token).
    """

    cross_entropy: float
    cross_entropy_se: float
    perplexity: float
    model_losses: np.ndarray
    entropy_rate: float | None
    source_perplexity: float | None
    source_losses: np.ndarray | None
    excess: float | None
    excess_se: float | None


def perplexity_report(model, tokens, *, source=None, n_batches=20, base=2) -> PerplexityReport:
    r"""Cross-entropy and perplexity of ``model`` on ``tokens``, against the true source's entropy rate when known.

    .. math:: \hat H_\theta = \frac1N\sum_t -\log P_\theta(x_t \mid x^{t-1}), \qquad
              \widehat{\Delta} = \frac1N\sum_t \log\frac{P(x_t \mid x^{t-1})}{P_\theta(x_t \mid x^{t-1})}

    (:math:`P` the ``source``, a :class:`~semtheory.channel.LanguageModel` with an ``entropy_rate(base=...)``
    method, e.g. a :class:`semtheory.sources.MarkovSource`).  For a stationary ergodic source and a model of
    finite memory, :math:`\hat H_\theta \to \mathcal H + \bar D` and :math:`\widehat\Delta \to \bar D`, the
    relative-entropy rate; when the model is close to the source the paired :math:`\widehat\Delta` cancels
    most of the token-to-token noise that :math:`\hat H_\theta` carries.  Standard errors by :func:`batch_means_se`.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    tokens : array_like of int, shape (N,)
        The held-out text, ``N >= 2``.
    source : semtheory.channel.LanguageModel with ``entropy_rate(base=...)``, keyword-only, optional
        The true source (e.g. a :class:`semtheory.sources.MarkovSource`), for the paired excess.
    n_batches : int >= 2, keyword-only, default 20
        Blocks of the batch-means standard errors (:func:`batch_means_se`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    PerplexityReport
        Cross-entropy and excess in units of log ``base`` per token (bits by default); perplexities in tokens.
    """
    log_base(base)  # validated before any work
    model = check_model(model)
    x = model.check_tokens(tokens, "tokens")
    if x.size < 2:
        raise ValueError(f"tokens must hold at least 2 tokens, got {x.size}")
    b = check_int(n_batches, "n_batches", minimum=2, maximum=x.size)
    ml = -model.token_logprobs(x, base=base)
    ce = float(ml.mean())
    ce_se = batch_means_se(ml, b)
    if source is None:
        return PerplexityReport(ce, ce_se, float(base**ce), ml, None, None, None, None, None)
    source = check_model(source, "source")
    if source.vocab_size != model.vocab_size:
        raise ValueError(f"source has {source.vocab_size} tokens but model has {model.vocab_size}")
    rate = getattr(source, "entropy_rate", None)
    if not callable(rate):
        raise ValueError("source must have an entropy_rate(base=...) method (e.g. a semtheory.sources.MarkovSource)")
    H = float(rate(base=base))
    sl = -source.token_logprobs(x, base=base)
    if not np.all(np.isfinite(sl)):
        raise ValueError("tokens contain a transition of probability 0 under source")
    d = ml - sl
    return PerplexityReport(ce, ce_se, float(base**ce), ml, H, float(base**H), sl, float(d.mean()), batch_means_se(d, b))


# ==============================================================================================
# Attention energies per layer
# ==============================================================================================


class AttentionEnergies(NamedTuple):
    r"""Per-layer Hopfield readout of a Transformer on one context; arrays of shape ``(layers, heads, n)``, position 0 = BOS.

    ``energy`` :math:`E(q_i)` (without Ramsauer's constant), ``energy_after`` :math:`E` after one CCCP step
    :math:`q_i \to K_{\le i}^\T\softmax(\beta K_{\le i} q_i)`, ``free_energy``
    :math:`-\beta^{-1}\ln\sum_{j\le i}e^{\beta k_j^\T q_i}`, ``entropy`` of the attention law (units of ``base``),
    ``max_weight`` its largest weight; ``alpha`` the attention weights ``(layers, heads, n, n)``, ``beta``
    :math:`1/\sqrt{d_k}`; ``queries`` and ``keys`` the vectors :math:`q_i, k_j`, shape ``(layers, heads, n, d_k)``.
    Chapter 14.

    Attributes
    ----------
    energy, energy_after, free_energy : numpy.ndarray, shape (layers, heads, n)
        :math:`E(q_i)`, :math:`E` after one CCCP step, :math:`F_i` (units of the inner products).
    entropy : numpy.ndarray, shape (layers, heads, n)
        Entropy of each attention law (units of log ``base``).
    max_weight : numpy.ndarray, shape (layers, heads, n)
        Largest attention weight (dimensionless).
    alpha : numpy.ndarray, shape (layers, heads, n, n)
        The attention weights.
    beta : float
        :math:`1/\sqrt{d_k}`.
    queries, keys : numpy.ndarray, shape (layers, heads, n, d_k), or None
        The vectors :math:`q_i` and :math:`k_j`.
    """

    energy: np.ndarray
    energy_after: np.ndarray
    free_energy: np.ndarray
    entropy: np.ndarray
    max_weight: np.ndarray
    alpha: np.ndarray
    beta: float
    queries: np.ndarray | None = None
    keys: np.ndarray | None = None


def attention_energies(model, context: Sequence[int], *, base=2) -> AttentionEnergies:
    r"""The modern Hopfield energy of every attention query of a trained Transformer, layer by layer.

    Layer :math:`l`, head :math:`h`, position :math:`i`: from the residual stream :math:`h_i` entering the block
    (:meth:`semtheory.transformer.Transformer.trace`), :math:`u = \mathrm{LN}_1(h)`, the query
    :math:`q_i = W_Q^h u_i` and keys :math:`k_j = W_K^h u_j`, :math:`j \le i`, define the Hopfield network that
    stores the keys, with :math:`\beta = 1/\sqrt{d_k}`:

    .. math:: E(q_i) = -\beta^{-1}\ln\sum_{j\le i} e^{\beta k_j^\T q_i} + \tfrac12 q_i^\T q_i,\qquad
              \alpha_{ij} = \softmax_j(\beta k_j^\T q_i)

    (the values of :func:`semtheory.energy.hopfield_energy` with ``constant=False`` and
    :func:`semtheory.energy.attention_weights`, computed for all queries at once under the causal mask; the
    weights equal the layer's attention weights).  ``energy_after`` is the energy after one CCCP step
    (:func:`semtheory.energy.hopfield_update`), which never raises it; the network itself does not perform
    that step (it averages values, not keys).  The entropy of :math:`\alpha_{i\cdot}`
    is :math:`\beta(\bar E - F)` in nats (:math:`\bar E` the mean pattern energy :math:`-k_j^\T q_i` under
    :math:`\alpha`, :math:`F` the free energy).  ``context``: at most ``context_length - 1`` tokens.  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    context : sequence of int
        At most ``context_length - 1`` token ids (BOS is prepended).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    AttentionEnergies
        Energies and free energies in the units of the inner products of the learned projections; entropies
        in units of log ``base`` (bits by default); weights dimensionless.
    """
    from .transformer import Transformer

    lb = log_base(base)
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    tr = model.trace(context)
    n = tr.hidden[0].shape[0]
    Lyr, H = len(model.blocks), model.blocks[0].attn.n_heads
    dk = model.blocks[0].attn.d_k
    beta = 1.0 / math.sqrt(dk)
    shape = (Lyr, H, n)
    E, E1, F, S, M = (np.zeros(shape) for _ in range(5))
    alpha = np.zeros((Lyr, H, n, n))
    Q, Kk = np.zeros((Lyr, H, n, dk)), np.zeros((Lyr, H, n, dk))
    causal = np.tril(np.ones((n, n), dtype=bool))
    for layer, blk in enumerate(model.blocks):
        g = blk.ln1.weight.detach().double().numpy()
        Wq = blk.attn.W_Q.weight.detach().double().numpy()
        Wk = blk.attn.W_K.weight.detach().double().numpy()
        h = tr.hidden[layer]
        c = h - h.mean(axis=1, keepdims=True)
        u = c / np.sqrt((c**2).mean(axis=1, keepdims=True) + blk.ln1.eps) * g
        q = (u @ Wq.T).reshape(n, H, dk).transpose(1, 0, 2)  # (H, n, dk)
        k = (u @ Wk.T).reshape(n, H, dk).transpose(1, 0, 2)
        Q[layer], Kk[layer] = q, k
        # all queries at once: the Hopfield network of query i stores the keys j <= i (causal mask)
        logit = np.where(causal, beta * np.einsum("hid,hjd->hij", q, k), -np.inf)
        lz = logsumexp(logit, axis=-1)  # (H, n)
        a = np.exp(logit - lz[..., None])
        alpha[layer] = a
        F[layer] = -lz / beta
        E[layer] = F[layer] + 0.5 * (q**2).sum(-1)
        q1 = np.einsum("hij,hjd->hid", a, k)  # one CCCP step: the keys averaged under the attention law
        E1[layer] = -logsumexp(np.where(causal, beta * np.einsum("hid,hjd->hij", q1, k), -np.inf), axis=-1) / beta \
            + 0.5 * (q1**2).sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            S[layer] = -np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0).sum(-1) / lb
        M[layer] = a.max(-1)
    return AttentionEnergies(E, E1, F, S, M, alpha, beta, Q, Kk)


def attention_readout(model, tokens, length, *, count=12, base=2) -> list[AttentionEnergies]:
    r""":func:`attention_energies` on ``count`` windows of ``length`` tokens spread evenly over ``tokens``.

    Window starts are ``linspace(0, len(tokens) - length - 1, count)`` (integer parts).  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    tokens : array_like of int, shape (N,)
        A text of more than ``length`` tokens.
    length : int >= 1
        Tokens per window (at most ``context_length - 1``).
    count : int >= 1, keyword-only, default 12
        Number of windows.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    list of AttentionEnergies
        One readout per window, units as in :func:`attention_energies`.
    """
    x = check_model(model).check_tokens(tokens, "tokens") if isinstance(model, _channel.LanguageModel) \
        else np.asarray(tokens)
    length = check_int(length, "length", minimum=1)
    count = check_int(count, "count", minimum=1)
    if x.ndim != 1 or x.size < length + 1:
        raise ValueError(f"tokens must be a 1-D sequence of more than length = {length} tokens")
    starts = np.linspace(0, x.size - length - 1, count).astype(int)
    return [attention_energies(model, x[s:s + length], base=base) for s in starts]


def per_layer_values(readouts, field) -> list[np.ndarray]:
    r"""The values of ``field`` of a list of :class:`AttentionEnergies`, pooled per layer.

    For each layer :math:`l`, every head and every query position :math:`i \ge 1` (BOS excluded) of every readout,
    concatenated into one 1-D array.  ``field`` is one of ``energy``, ``energy_after``, ``free_energy``,
    ``entropy``, ``max_weight``.  Chapter 14.

    Parameters
    ----------
    readouts : list of AttentionEnergies
        Readouts of one network (e.g. from :func:`attention_readout`).
    field : str
        ``"energy"``, ``"energy_after"``, ``"free_energy"``, ``"entropy"`` or ``"max_weight"``.

    Returns
    -------
    list of numpy.ndarray
        One 1-D array per layer, in the units of ``field``.
    """
    if not readouts or not all(isinstance(r, AttentionEnergies) for r in readouts):
        raise ValueError("readouts must be a non-empty list of AttentionEnergies (from attention_readout)")
    if field not in ("energy", "energy_after", "free_energy", "entropy", "max_weight"):
        raise ValueError(f"field must name a per-query array of AttentionEnergies, got {field!r}")
    layers = readouts[0].energy.shape[0]
    return [np.concatenate([getattr(r, field)[l, :, 1:].ravel() for r in readouts]) for l in range(layers)]


def previous_token_weight(readouts, *, layer=0) -> np.ndarray:
    r"""Mean attention weight :math:`\alpha_{i,i-1}` on the previous token, per head of ``layer``, over a list of readouts.

    Averaged over every query position :math:`i \ge 2` (position 0 is BOS, so :math:`i = 1`, whose previous
    position is BOS, is left out) of every :class:`AttentionEnergies` in ``readouts``; returns shape ``(heads,)``.
    A head that copies the previous token has weight 1; one that averages uniformly over the :math:`i + 1`
    causal keys has :math:`1/(i+1)`.  Chapter 14.

    Parameters
    ----------
    readouts : list of AttentionEnergies
        Readouts sharing one shape, with at least two tokens after BOS.
    layer : int >= 0, keyword-only, default 0
        The layer read.

    Returns
    -------
    numpy.ndarray, shape (heads,)
        Mean attention weight on the previous token, per head (dimensionless, in [0, 1]).
    """
    if not readouts or not all(isinstance(r, AttentionEnergies) for r in readouts):
        raise ValueError("readouts must be a non-empty list of AttentionEnergies (from attention_readout)")
    n_layers, n = readouts[0].alpha.shape[0], readouts[0].alpha.shape[-1]
    layer = check_int(layer, "layer", minimum=0, maximum=n_layers - 1)
    if n < 3 or any(r.alpha.shape != readouts[0].alpha.shape for r in readouts):
        raise ValueError("readouts must share one alpha shape with at least two tokens after BOS")
    i = np.arange(2, n)
    return np.mean([r.alpha[layer][:, i, i - 1].mean(-1) for r in readouts], axis=0)


# ==============================================================================================
# Reading exact laws at sampled paths
# ==============================================================================================


def _prompt_law_shape(law) -> tuple[np.ndarray, int, int, int]:
    q = as_pmf(law, "law")
    if q.ndim < 2 or q.ndim % 2:
        raise ValueError(f"law must be a prompt_flow_law (axes X_1, 1.., Y_1..Y_n), got shape {q.shape}")
    n = q.ndim // 2
    if any(s != 1 for s in q.shape[1:n]) or any(s != q.shape[-1] for s in q.shape[n:]):
        raise ValueError(f"law must be a prompt_flow_law (axes X_1, 1.., Y_1..Y_n), got shape {q.shape}")
    return q, q.shape[0], n, q.shape[-1]


def generation_law(law, k) -> np.ndarray:
    r"""The law :math:`P(y^n \mid X = x_k)` of the generation given prompt ``k``, shape ``(V,) * n``.

    ``law`` is a :func:`prompt_flow_law`; the result is its slice at :math:`X_1 = k` divided by the prompt's
    weight.  Comparable with :func:`semtheory.channel.sequence_law` ``(model, n, prompt=prompts[k])``.  Chapter 14.

    Parameters
    ----------
    law : array_like
        A :func:`prompt_flow_law`.
    k : int
        The prompt index, ``0 <= k < K``.

    Returns
    -------
    numpy.ndarray, shape (V,) * n
        The pmf of the generation given prompt ``k`` (dimensionless).
    """
    q, K, n, V = _prompt_law_shape(law)
    k = check_int(k, "k", minimum=0, maximum=K - 1)
    row = q[k].reshape((V,) * n)
    if row.sum() <= 0:
        raise ValueError(f"prompt k = {k} has probability 0 under law")
    return row / row.sum()


def path_densities(law, paths, *, base=2) -> np.ndarray:
    r"""The exact densities :math:`\iota_t` of a :func:`prompt_flow_law`, read at the sampled paths, shape ``(N, n)``.

    For path :math:`i` with prompt index ``paths.inputs[i, 0]`` and generation ``paths.outputs[i]`` this is
    :func:`semtheory.flow.exact_flow` ``(law).iota`` at that outcome: the enumerated value to compare with the
    densities that :func:`sample_prompt_flow` computes along the path.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    law : array_like
        A :func:`prompt_flow_law` with ``n`` generated tokens.
    paths : semtheory.flow.FlowPaths
        Sampled paths of the same ``n`` (e.g. from :func:`sample_prompt_flow`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (N, n)
        The exact densities at the sampled outcomes, in units of log ``base`` (bits by default).
    """
    from .flow import exact_flow

    q, K, n, V = _prompt_law_shape(law)
    if not isinstance(paths, FlowPaths):
        raise ValueError("paths must be a semtheory.flow.FlowPaths (from sample_prompt_flow)")
    if paths.outputs.shape[1] != n:
        raise ValueError(f"paths have {paths.outputs.shape[1]} generated tokens but law has n = {n}")
    k = paths.inputs[:, 0]
    if k.min() < 0 or k.max() >= K or paths.outputs.min() < 0 or paths.outputs.max() >= V:
        raise ValueError("paths hold prompt indices or tokens outside the law's axes")
    cells = np.ravel_multi_index(tuple(paths.outputs.T), (V,) * n)
    return exact_flow(q, base=base).iota.reshape(K, V**n, n)[k, cells]


# ==============================================================================================
# Ergodicity of a Markov source, and the price of a shorter memory
# ==============================================================================================


def _markov_source(source):
    from .sources import MarkovSource

    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    return source


def mixing_modulus(source) -> float:
    r"""Second-largest eigenvalue modulus of a Markov source's chain on its :math:`V^k` states (dimensionless).

    The order-:math:`k` source is lifted to a first-order chain on the blocks :math:`(x_{t-k+1}, \dots, x_t)`.
    A value below 1 means the chain has one closed class and is aperiodic, so the distribution of the state
    converges to the stationary law geometrically at this rate and the source is mixing; then every blocked
    process :math:`(X_{sj+1}, \dots, X_{s(j+1)})_j` is mixing, hence ergodic, which is what the proof of the
    perplexity gap needs.  Order 0 (i.i.d.) returns 0.  Chapter 14.

    Parameters
    ----------
    source : semtheory.sources.MarkovSource
        A Markov source of any order.

    Returns
    -------
    float
        The second-largest eigenvalue modulus of the lifted chain (dimensionless, in [0, 1]).
    """
    from .sources import lifted_transition

    src = _markov_source(source)
    if src.order == 0:
        return 0.0
    ev = np.sort(np.abs(np.linalg.eigvals(lifted_transition(src.transition))))[::-1]
    return float(ev[1]) if ev.size > 1 else 0.0


def markov_order_gap(source, order, *, base=2) -> float:
    r"""Relative-entropy rate between a stationary order-:math:`k` Markov source and its best order-``order`` model.

    The best Markov model of order :math:`j < k` predicts with the source's own stationary conditional
    :math:`Q(x_{k+1} \mid x_{k-j+1}^{k})`, and

    .. math:: \bar D = H(X_{k+1} \mid X_{k-j+1}^{k}) - H(X_{k+1} \mid X^{k}) = I(X_1^{k-j}; X_{k+1} \mid X_{k-j+1}^{k}),

    computed exactly from the stationary law of :math:`k+1` consecutive symbols.  ``order`` :math:`= j`,
    :math:`0 \le j \le k` (``j = k`` gives 0).  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    source : semtheory.sources.MarkovSource
        A Markov source of order ``k``.
    order : int
        The memory ``j`` of the model, ``0 <= j <= k``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The relative-entropy rate, in units of log ``base`` per token (bits by default).
    """
    from . import measures

    src = _markov_source(source)
    k = src.order
    j = check_int(order, "order", minimum=0, maximum=k)
    if k == 0 or j == k:
        return 0.0
    law = src.stationary[..., None] * src.transition  # (V,)*(k+1): stationary law of k+1 consecutive symbols
    past = tuple(range(0, k - j))
    recent = tuple(range(k - j, k))
    return float(max(measures.conditional_mutual_information(law, past, (k,), recent, base=base), 0.0))


# ==============================================================================================
# A simulated user in feedback with the model
# ==============================================================================================


def _as_user(kernel, first, V: int):
    K = as_float(kernel, "user")
    if K.shape != (V, V, V):
        raise ValueError(f"user must have shape (V, V, V) = ({V}, {V}, {V}) [x_prev, y_prev, x], got {K.shape}")
    if np.any(K < 0) or not np.allclose(K.sum(axis=-1), 1.0, atol=1e-9):
        raise ValueError("user must be a conditional pmf over its last axis")
    f = np.full(V, 1.0 / V) if first is None else as_pmf(first, "first", ndim=1)
    if f.size != V:
        raise ValueError(f"first must have {V} entries, got {f.size}")
    return K, f


def echo_user(V, repeat) -> np.ndarray:
    r"""A simulated user who echoes the model: :math:`P(x_t \mid x_{t-1}, y_{t-1}) = \lambda\,[x_t = y_{t-1}] + (1-\lambda)/V`.

    Returns the kernel ``user[x_prev, y_prev, x]`` of shape ``(V, V, V)`` for :func:`interaction_law` and
    :func:`sample_feedback_information` (``repeat`` :math:`= \lambda`; 0 is a user who ignores the model, i.e.
    no feedback).  Chapter 14.

    Parameters
    ----------
    V : int >= 2
        Vocabulary size.
    repeat : float in [0, 1]
        The echo probability :math:`\lambda`.

    Returns
    -------
    numpy.ndarray, shape (V, V, V)
        The kernel ``user[x_prev, y_prev, x]`` (conditional pmfs over the last axis).
    """
    from ._validate import check_probability

    V = check_int(V, "V", minimum=2)
    lam = check_probability(repeat, "repeat")
    K = np.full((V, V, V), (1.0 - lam) / V)
    K[:, np.arange(V), np.arange(V)] += lam
    return K


def interaction_channel(model, n) -> list[np.ndarray]:
    r"""The model as a channel in :mod:`semtheory.directed`'s layout, reading the interleaved turns :math:`x_1 y_1 x_2 y_2 \dots`.

    ``channel[t-1]`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds
    :math:`P_\theta(y_t \mid x_1, y_1, \dots, y_{t-1}, x_t)`: the model's next-token law after the user's
    :math:`t`-th turn.  All :math:`V^{2n-1}` interleaved histories are read through :func:`next_token_table`
    (one causal pass for a Transformer whose window holds :math:`2n` tokens), so :math:`V^{2n}` must stay
    below :math:`2^{24}`.  With a user policy, :func:`semtheory.directed.joint_law` gives the exact law of the
    interaction (:func:`interaction_law`).  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    n : int >= 1
        Number of turns, with :math:`V^{2n} \le 2^{24}`.

    Returns
    -------
    list of numpy.ndarray
        ``n`` conditional pmfs; entry ``t - 1`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)`.
    """
    model = check_model(model)
    V = model.vocab_size
    n = check_int(n, "n", minimum=1)
    if float(V) ** (2 * n) > MAX_CELLS:
        raise ValueError(f"n = {n} turns over {V} tokens gives more than {MAX_CELLS} cells")
    L = 2 * n - 1
    ctx = np.indices((V,) * L).reshape(L, -1).T
    tab = next_token_table(model, ctx).reshape((V,) * L + (L + 1, V))
    out = []
    for t in range(1, n + 1):
        r = 2 * t - 1  # the prefix x_1 y_1 .. x_t
        k = np.exp(tab[(slice(None),) * r + (0,) * (L - r) + (r,)])  # axes x1 y1 .. x_t, Y_t (interleaved)
        order = [2 * i for i in range(t)] + [2 * i + 1 for i in range(t - 1)] + [r]
        out.append(np.transpose(k, order))
    return out


def interaction_law(model, user, n, *, first=None, channel=None) -> np.ndarray:
    r"""Exact joint law of ``n`` turns of a user with one step of memory and the model, in :mod:`semtheory.directed`'s layout.

    .. math:: P(x^n, y^n) = \prod_{t=1}^n U(x_t \mid x_{t-1}, y_{t-1})\, P_\theta(y_t \mid x_1 y_1 \dots x_t),

    with :math:`U(x_1 \mid \cdot) =` ``first`` (default uniform) and ``user[x_prev, y_prev, x]`` (e.g.
    :func:`echo_user`).  The user reacts to the generation, so the interaction has feedback and in general
    :math:`I(X^n \to Y^n) < I(X^n; Y^n)`; the difference is the reverse directed information
    :math:`I(0{*}Y^{n-1} \to X^n)` (:func:`semtheory.directed.conservation`).  ``channel``: the kernels of
    :func:`interaction_channel` ``(model, n)`` if already computed (to compare several users at the cost of one
    table).  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    user : array_like, shape (V, V, V)
        The user kernel ``user[x_prev, y_prev, x]`` (e.g. :func:`echo_user`).
    n : int >= 1
        Number of turns.
    first : array_like, shape (V,), keyword-only, optional
        The law of the first turn; default uniform.
    channel : list of numpy.ndarray, keyword-only, optional
        The kernels of :func:`interaction_channel` ``(model, n)``, if already computed.

    Returns
    -------
    numpy.ndarray, shape (V,) * (2 n)
        The joint pmf of :math:`(X^n, Y^n)` (dimensionless), in :mod:`semtheory.directed`'s layout.
    """
    model = check_model(model)
    V = model.vocab_size
    K, f = _as_user(user, first, V)
    n = check_int(n, "n", minimum=1)
    if channel is None:
        channel = interaction_channel(model, n)
    elif len(channel) != n:
        raise ValueError(f"channel must hold the n = {n} kernels of interaction_channel(model, {n}), got {len(channel)}")
    return _directed.joint_law(_directed.unit_memory_policy(f, K, n), channel)


class FeedbackEstimate(NamedTuple):
    r"""Monte Carlo estimates (units of ``base``) of :math:`I(X^n \to Y^n)` (``directed``), :math:`I(X^n; Y^n)`
    (``mutual``) and their difference :math:`I(0{*}Y^{n-1} \to X^n)` (``reverse``), each with a standard error;
    ``n_paths`` and ``n_inner``.  Chapter 14.

    Attributes
    ----------
    directed, directed_se : float
        Estimate of :math:`I(X^n \to Y^n)` and its standard error (units of log ``base``).
    mutual, mutual_se : float
        Estimate of :math:`I(X^n; Y^n)` and its standard error.
    reverse, reverse_se : float
        Their difference, an estimate of :math:`I(0{*}Y^{n-1} \to X^n)`, and its standard error.
    n_paths, n_inner : int
        Outer interactions and inner draws per marginal.
    """

    directed: float
    directed_se: float
    mutual: float
    mutual_se: float
    reverse: float
    reverse_se: float
    n_paths: int
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


def sample_feedback_information(model, user, n, n_paths, *, n_inner=64, first=None, seed=None,
                                base=2) -> FeedbackEstimate:
    r"""Monte Carlo estimates of the directed and the mutual information of ``n`` turns of a user and the model.

    ``n_paths`` interactions :math:`(x^n, y^n)` are drawn (:func:`interaction_law`'s process).  On each, the
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
    n_paths : int >= 2
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
    N = check_int(n_paths, "n_paths", minimum=2)
    M = check_int(n_inner, "n_inner", minimum=1)
    rng = as_rng(seed)
    with np.errstate(divide="ignore"):
        lK, lf = np.log(K), np.log(f)

    def users(rows, y):  # draw x^n from P(. || y^{n-1}) for each row of y (rows, n)
        x = np.zeros((rows, n), dtype=np.int64)
        x[:, 0] = _draw(rng, np.broadcast_to(lf, (rows, V)).copy())
        for t in range(1, n):
            x[:, t] = _draw(rng, lK[x[:, t - 1], y[:, t - 1]])
        return x

    def user_logp(x, y):
        return lf[x[:, 0]] + sum(lK[x[:, t - 1], y[:, t - 1], x[:, t]] for t in range(1, n))

    def generate(x):  # draw y^n from P(. || x^n)
        rows = x.shape[0]
        y = np.zeros((rows, n), dtype=np.int64)
        for t in range(n):
            ctx = _interleave(x[:, :t + 1], y[:, :t])
            y[:, t] = _draw(rng, next_token_table(model, ctx, start=2 * t + 1)[:, 0])
        return y

    # outer paths: user and model in turn
    x = np.zeros((N, n), dtype=np.int64)
    y = np.zeros((N, n), dtype=np.int64)
    x[:, 0] = _draw(rng, np.broadcast_to(lf, (N, V)).copy())
    for t in range(n):
        if t:
            x[:, t] = _draw(rng, lK[x[:, t - 1], y[:, t - 1]])
        y[:, t] = _draw(rng, next_token_table(model, _interleave(x[:, :t + 1], y[:, :t]), start=2 * t + 1)[:, 0])
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


# ==============================================================================================
# Per-layer information: linear probes on the residual stream
# ==============================================================================================


def residual_streams(model, contexts) -> np.ndarray:
    r"""The residual stream of a Transformer on a batch of contexts, entering every block and after the last.

    ``contexts`` ``(B, n)`` token ids (``n + 1 <=`` ``context_length``); returns ``(layers + 1, B, n + 1, d)``
    (float64), position 0 = BOS, index :math:`l` = the input of block :math:`l` (0 = embeddings), the last =
    the output of the last block before the final layer norm.  Row :math:`b` equals
    :meth:`semtheory.transformer.Transformer.trace` ``(contexts[b]).hidden`` (to float32 round-off; this is one
    batched pass).  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    contexts : array_like of int, shape (B, n)
        Token ids, ``n + 1 <= context_length``.

    Returns
    -------
    numpy.ndarray, shape (layers + 1, B, n + 1, d)
        The residual streams (float64, in the units of the network's activations).
    """
    from .transformer import Transformer
    from .core.torchloop import one_thread

    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    ctx = as_contexts(contexts, model.vocab_size)
    if ctx.shape[1] + 1 > model.context_length:
        raise ValueError(f"contexts must hold at most context_length - 1 = {model.context_length - 1} tokens per row")
    x = torch.as_tensor(np.concatenate([np.full((ctx.shape[0], 1), model.bos), ctx], axis=1))
    out = []
    with torch.no_grad(), one_thread():
        h = model.embed(x) + model.pos.weight[: x.shape[1]]
        for blk in model.blocks:
            out.append(h.double().numpy())
            h = blk(h)
        out.append(h.double().numpy())
    return np.stack(out)


class ProbeResult(NamedTuple):
    r"""A linear probe's variational lower bound on :math:`I(T; H)` (units of ``base``): ``information`` with its
    standard error ``information_se``, the held-out ``cross_entropy`` and the ``entropy`` :math:`H(T)` used.
    Chapter 14.

    Attributes
    ----------
    information, information_se : float
        :math:`H(T)` minus the held-out cross-entropy, and its standard error (units of log ``base``).
    cross_entropy : float
        The held-out cross-entropy of the probe.
    entropy : float
        The :math:`H(T)` used.
    """

    information: float
    information_se: float
    cross_entropy: float
    entropy: float


def probe_information(features, labels, *, n_classes, entropy=None, train_fraction=0.5, l2=1e-3, max_iter=60,
                      seed=None, base=2) -> ProbeResult:
    r"""Barber–Agakov lower bound :math:`I(T; H) \ge H(T) - \E[-\log q(T \mid H)]` with a softmax-linear probe :math:`q`.

    A multinomial logistic regression :math:`q(t \mid h) = \softmax(W h + b)_t` is fitted (L-BFGS, ridge ``l2``,
    at most ``max_iter`` iterations; an unconverged fit only loosens the bound)
    on a random ``train_fraction`` of the rows of ``features`` ``(N, d)`` (standardised on that part) and
    scored on the rest; for any fixed :math:`q`, :math:`\E[-\log q(T\mid H)] \ge H(T \mid H)` (Gibbs), so
    :math:`H(T)` minus the held-out cross-entropy estimates a lower bound on the mutual information, with the
    standard error of the mean held-out loss.  ``entropy``: the exact :math:`H(T)` if known (units of ``base``),
    else the plug-in entropy of the held-out labels.  ``labels`` in ``[0, n_classes)``.  Deterministic under
    ``seed``.  Chapter 14.

    Parameters
    ----------
    features : array_like, shape (N, d)
        Finite representations, ``N >= 4``.
    labels : array_like of int, shape (N,)
        The target classes, in ``[0, n_classes)``.
    n_classes : int >= 2, keyword-only
        Number of classes.
    entropy : float >= 0, keyword-only, optional
        The exact :math:`H(T)` in units of log ``base``; default the plug-in entropy of the held-out labels.
    train_fraction : float in (0, 1), keyword-only, default 0.5
        Share of the rows used to fit the probe.
    l2 : float >= 0, keyword-only, default 1e-3
        Ridge penalty.
    max_iter : int >= 1, keyword-only, default 60
        L-BFGS iterations.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ProbeResult
        The lower bound and its standard error, the held-out cross-entropy and :math:`H(T)`, in units of log
        ``base`` (bits by default).
    """
    lb = log_base(base)
    X = as_float(features, "features")
    if X.ndim != 2 or X.shape[0] < 4 or not np.all(np.isfinite(X)):
        raise ValueError(f"features must be a finite (N, d) array with N >= 4, got shape {X.shape}")
    C = check_int(n_classes, "n_classes", minimum=2)
    y = _asarray(labels, "labels")
    if y.shape != (X.shape[0],) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= C:
        raise ValueError(f"labels must be {X.shape[0]} integers in [0, {C})")
    train_fraction = check_probability(train_fraction, "train_fraction", low_open=True, high_open=True)
    l2 = check_positive(l2, "l2", allow_zero=True)
    if entropy is not None:
        entropy = check_positive(entropy, "entropy", allow_zero=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    rng = as_rng(seed)
    perm = rng.permutation(X.shape[0])
    cut = int(round(train_fraction * X.shape[0]))
    tr, te = perm[:cut], perm[cut:]
    mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-12
    Z = torch.as_tensor((X - mu) / sd)
    Y = torch.as_tensor(y.astype(np.int64))
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    W = (0.01 * torch.randn(X.shape[1], C, generator=gen, dtype=torch.float64)).requires_grad_()
    b = torch.zeros(C, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([W, b], lr=1.0, max_iter=max_iter, tolerance_grad=1e-9, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(Z[tr] @ W + b, Y[tr]) + l2 * (W**2).sum()
        loss.backward()
        return loss

    from .core.torchloop import one_thread

    with one_thread():
        opt.step(closure)
    with torch.no_grad():
        nll = torch.nn.functional.cross_entropy(Z[te] @ W + b, Y[te], reduction="none").numpy() / lb
    if entropy is None:
        cnt = np.bincount(y[te], minlength=C) / te.size
        H = float(-(cnt[cnt > 0] * np.log(cnt[cnt > 0])).sum() / lb)
    else:
        H = float(entropy)
    return ProbeResult(H - float(nll.mean()), float(nll.std(ddof=1) / math.sqrt(te.size)), float(nll.mean()), H)


def state_probe(model, source, tokens, *, length=15, windows=100, seed=None, base=2) -> list[ProbeResult]:
    r"""Per-layer probe information about a Markov source's state :math:`S_i = (x_{i-k+1}, \dots, x_i)` in the residual stream.

    ``windows`` windows of ``length`` tokens are taken at random from ``tokens``; at every position with a full
    state (:math:`i \ge k`) the residual stream entering each block and after the last
    (:func:`residual_streams`) is probed for the state (:math:`V^k` classes, :func:`probe_information`), with
    :math:`H(S)` the exact entropy of the source's stationary law of :math:`k` consecutive symbols.  One
    :class:`ProbeResult` per layer index (0 = embeddings).  The state is the sufficient statistic for the next
    token, so :math:`I(S; H^{(l)})` measures how much of what the source's next-token law depends on is in
    layer :math:`l`.  Deterministic under ``seed``.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    source : semtheory.sources.MarkovSource
        The source of ``tokens``, of order ``k``.
    tokens : array_like of int, shape (N,)
        A text of more than ``length`` tokens.
    length : int >= max(k, 1), keyword-only, default 15
        Tokens per window (at most ``context_length - 1``).
    windows : int >= 2, keyword-only, default 100
        Number of random windows.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    list of ProbeResult
        One per layer index (0 = embeddings), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    src = _markov_source(source)
    k, V = src.order, src.vocab_size
    x = check_model(model).check_tokens(tokens, "tokens") if isinstance(model, _channel.LanguageModel) \
        else np.asarray(tokens)
    length = check_int(length, "length", minimum=max(k, 1))
    windows = check_int(windows, "windows", minimum=2)
    if x.ndim != 1 or x.size <= length:
        raise ValueError(f"tokens must be a 1-D sequence of more than length = {length} tokens")
    rng = as_rng(seed)
    starts = rng.integers(0, x.size - length, windows)
    ctx = np.stack([x[s:s + length] for s in starts]).astype(np.int64)
    R = residual_streams(model, ctx)  # (L+1, B, length+1, d); position p >= 1 holds token ctx[p-1]
    pos = np.arange(k, length + 1)  # positions whose state (ctx[p-k], .., ctx[p-1]) is complete
    lab = np.zeros((windows, pos.size), dtype=np.int64)
    for j in range(k):
        lab = lab * V + ctx[:, pos - k + j]
    pi = src.stationary.reshape(-1)
    H = float(-(pi[pi > 0] * np.log(pi[pi > 0])).sum() / lb)
    return [probe_information(R[l][:, pos].reshape(-1, R.shape[-1]), lab.ravel(), n_classes=V**k, entropy=H,
                              seed=rng, base=base) for l in range(R.shape[0])]


# ==============================================================================================
# Semantic entropy over meaning classes (Kuhn, Gal & Farquhar 2023)
# ==============================================================================================


class SemanticEntropy(NamedTuple):
    r"""Exact entropies (units of ``base``) of an answer :math:`Y` and its meaning :math:`C = c(Y)`: ``semantic``
    :math:`H(C)`, ``lexical`` :math:`H(Y)` and ``within`` :math:`H(Y \mid C) = H(Y) - H(C) \ge 0`; arrays when the
    law has a leading prompt axis.  Chapter 14.

    Attributes
    ----------
    semantic : float or numpy.ndarray
        :math:`H(C)` (units of log ``base``).
    lexical : float or numpy.ndarray
        :math:`H(Y)`.
    within : float or numpy.ndarray
        :math:`H(Y \mid C) = H(Y) - H(C) \ge 0`.
    """

    semantic: np.ndarray | float
    lexical: np.ndarray | float
    within: np.ndarray | float


def _class_map(classes, shape) -> tuple[np.ndarray, int]:
    c = _asarray(classes, "classes")
    if c.shape != shape or c.dtype.kind not in "iu" or c.size == 0 or c.min() < 0:
        raise ValueError(f"classes must be a non-negative integer array of shape {shape} (one class per answer)")
    return c.ravel().astype(np.int64), int(c.max()) + 1


def semantic_entropy(law, classes, *, base=2) -> SemanticEntropy:
    r"""Semantic entropy :math:`H(C) = -\sum_c P(c)\log P(c)`, :math:`P(c) = \sum_{y:\,c(y) = c} P(y)`, and the lexical entropy.

    ``law``: the law of an answer, a pmf of shape ``(V,) * n`` (e.g. :func:`generation_law`), or a stack of
    such laws ``(K,) + (V,) * n`` (one per prompt; the result is then per prompt); ``classes``: the meaning
    class :math:`c(y)` of every answer, an integer array of shape ``(V,) * n``.  Since :math:`C` is a function
    of :math:`Y`, :math:`H(Y) = H(C) + H(Y \mid C) \ge H(C)` (Kuhn, Gal & Farquhar 2023 measure uncertainty by
    :math:`H(C)` so that paraphrases do not count as uncertainty).  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    law : array_like, shape (V,) * n or (K,) + (V,) * n
        The pmf of an answer, or one per prompt.
    classes : array_like of int, shape (V,) * n
        The meaning class of every answer (non-negative integers).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    SemanticEntropy
        :math:`H(C)`, :math:`H(Y)` and :math:`H(Y \mid C)`, floats or arrays of shape ``(K,)``, in units of log
        ``base`` (bits by default).
    """
    lb = log_base(base)
    q = as_float(law, "law")
    c_shape = _asarray(classes, "classes").shape
    if q.shape == c_shape:
        q = q[None]
        single = True
    elif q.shape[1:] == c_shape:
        single = False
    else:
        raise ValueError(f"law must have the shape of classes {c_shape}, or a leading prompt axis, got {q.shape}")
    flat = q.reshape(q.shape[0], -1)
    if np.any(flat < 0) or not np.allclose(flat.sum(1), 1.0, atol=1e-9):
        raise ValueError("law must hold pmfs (non-negative, summing to 1 over the answers)")
    cm, C = _class_map(classes, c_shape)
    pc = np.zeros((flat.shape[0], C))
    np.add.at(pc.T, cm, flat.T)
    ent = lambda a: -(np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)).sum(1) / lb  # noqa: E731
    Hc, Hy = ent(pc), ent(flat)
    within = np.maximum(Hy - Hc, 0.0)
    if single:
        return SemanticEntropy(float(Hc[0]), float(Hy[0]), float(within[0]))
    return SemanticEntropy(Hc, Hy, within)


def sampled_semantic_entropy(model, prompt, n, classes, n_samples, *, repeats=1, seed=None, base=2) -> np.ndarray:
    r"""Discrete semantic entropy (Farquhar et al. 2024): the plug-in entropy of the meaning classes of ``n_samples`` sampled answers.

    ``n_samples`` answers of ``n`` tokens are generated after ``prompt`` (:func:`sample_prompt_flow`'s sampler),
    mapped to their classes (``classes``, shape ``(V,) * n``) and the empirical class frequencies
    :math:`\hat P(c)` give :math:`\hat H(C) = -\sum_c \hat P(c)\log\hat P(c)`, biased low by about
    :math:`(\#\text{classes} - 1)/(2 M \ln b)` for :math:`M` samples.  Returns ``repeats`` independent estimates.
    Deterministic under ``seed``.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    prompt : sequence of int
        One prompt of token ids.
    n : int >= 1
        Tokens per answer.
    classes : array_like of int, shape (V,) * n
        The meaning class of every answer.
    n_samples : int >= 1
        Answers per estimate.
    repeats : int >= 1, keyword-only, default 1
        Number of independent estimates.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (repeats,)
        The estimates, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    model = check_model(model)
    V = model.vocab_size
    P = _as_prompts(np.atleast_2d(_asarray(prompt, "prompt")), V, "prompt")
    if P.shape[0] != 1:
        raise ValueError(f"prompt must be one sequence of token ids, got shape {np.shape(prompt)}")
    n = check_int(n, "n", minimum=1)
    cm, C = _class_map(classes, (V,) * n)
    M = check_int(n_samples, "n_samples", minimum=1)
    R = check_int(repeats, "repeats", minimum=1)
    paths = sample_prompt_flow(model, P, n, M * R, seed=seed)
    cls = cm[np.ravel_multi_index(tuple(paths.outputs.T), (V,) * n)].reshape(R, M)
    out = np.empty(R)
    for r in range(R):
        f = np.bincount(cls[r], minlength=C) / M
        out[r] = -(f[f > 0] * np.log(f[f > 0])).sum() / lb
    return out
