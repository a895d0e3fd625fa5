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
import torch
from scipy.special import logsumexp

from . import channel as _channel
from . import directed as _directed
from . import energy as _energy
from .flow import FlowPaths
from ._validate import as_pmf, as_rng, check_int, log_base

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
]

_CHUNK = 1024  # sequences per batched forward pass
_TABLE_BYTES = 2**25  # memory budget of one block of next-token laws


# ==============================================================================================
# Next-token laws after every prefix, for many contexts at once
# ==============================================================================================


def _as_contexts(contexts, V: int, name: str = "contexts") -> np.ndarray:
    arr = np.asarray(contexts)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows of equal length) of token ids, got shape {arr.shape}")
    if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= V):
        raise ValueError(f"{name} must hold integer token ids in [0, {V})")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one row")
    return arr.astype(np.int64)


def _is_fast_transformer(model, L: int) -> bool:
    from .transformer import Transformer

    return isinstance(model, Transformer) and L + 1 <= model.context_length


def _transformer_table(model, ctx: np.ndarray, start: int) -> np.ndarray:
    from .transformer import _one_thread

    B, L = ctx.shape
    out = np.empty((B, L - start + 1, model.vocab_size))
    x = np.concatenate([np.full((B, 1), model.bos, dtype=np.int64), ctx], axis=1)
    with torch.no_grad(), _one_thread():
        for b0 in range(0, B, _CHUNK):
            logits = model(torch.as_tensor(x[b0:b0 + _CHUNK]))[:, start:].double()
            out[b0:b0 + _CHUNK] = torch.log_softmax(logits, dim=-1).numpy()
    return out


def next_token_table(model, contexts, *, start=0) -> np.ndarray:
    r"""Next-token log-laws :math:`\ln P(\cdot \mid c_{1..r})` after every prefix length :math:`r = \text{start}..L` of each row.

    ``contexts`` is a 2-D integer array ``(B, L)``; the result has shape ``(B, L - start + 1, V)`` (nats), row
    ``[b, r - start]`` equal to ``model.next_token_logprobs(contexts[b, :r])``.  Duplicate rows are evaluated
    once.  A :class:`~semtheory.transformer.Transformer` whose window holds the whole row (:math:`L + 1 \le`
    ``context_length``) reads each row in one causal pass, batched (to float32 round-off); any other
    :class:`~semtheory.channel.LanguageModel` is driven through its state protocol, memoised by prefix.
    Chapter 14.
    """
    model = _channel._check_model(model)
    V = model.vocab_size
    ctx = _as_contexts(contexts, V)
    L = ctx.shape[1]
    start = check_int(start, "start", minimum=0, maximum=L)
    uniq, inv = np.unique(ctx, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if _is_fast_transformer(model, L):
        tab = _transformer_table(model, uniq, start)
    else:
        walker = _channel._StateWalker(model)
        tab = np.empty((len(uniq), L - start + 1, V))
        for b, row in enumerate(uniq.tolist()):
            for r in range(start, L + 1):
                tab[b, r - start] = walker.logprobs(tuple(row[:r]))
    return tab[inv]


# ==============================================================================================
# Prompts and the exact joint law of prompt and generation
# ==============================================================================================


def _as_prompts(prompts, V: int) -> np.ndarray:
    arr = np.asarray(prompts)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"prompts must be a 2-D array (K prompts of equal length m >= 1), got shape {arr.shape}")
    if arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"prompts must hold integer token ids in [0, {V})")
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
    """
    model = _channel._check_model(model)
    V = model.vocab_size
    P = _as_prompts(prompts, V)
    K, m = P.shape
    w = _prompt_weights(weights, K)
    n = check_int(n, "n", minimum=1)
    if K * float(V) ** n > _directed._MAX_CELLS:
        raise ValueError(f"n={n} with {K} prompts and vocab_size={V} gives more than {_directed._MAX_CELLS} cells")
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
    """
    lb = log_base(base)
    model = _channel._check_model(model)
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
    """
    v = np.asarray(values, dtype=float)
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

    (:math:`P` the ``source``, a :class:`~semtheory.channel.LanguageModel` with an ``entropy_rate(base)``
    method, e.g. a :class:`semtheory.sources.MarkovSource`).  For a stationary ergodic source and a model of
    finite memory, :math:`\hat H_\theta \to \mathcal H + \bar D` and :math:`\widehat\Delta \to \bar D`, the
    relative-entropy rate; when the model is close to the source the paired :math:`\widehat\Delta` cancels
    most of the token-to-token noise that :math:`\hat H_\theta` carries.  Standard errors by :func:`batch_means_se`.  Units of ``base``.  Chapter 14.
    """
    lb = log_base(base)
    model = _channel._check_model(model)
    x = model._check_tokens(tokens, "tokens")
    if x.size < 2:
        raise ValueError(f"tokens must hold at least 2 tokens, got {x.size}")
    b = check_int(n_batches, "n_batches", minimum=2, maximum=x.size)
    ml = -model.token_logprobs(x) / lb
    ce = float(ml.mean())
    ce_se = batch_means_se(ml, b)
    if source is None:
        return PerplexityReport(ce, ce_se, float(base**ce), ml, None, None, None, None, None)
    source = _channel._check_model(source, "source")
    if source.vocab_size != model.vocab_size:
        raise ValueError(f"source has {source.vocab_size} tokens but model has {model.vocab_size}")
    rate = getattr(source, "entropy_rate", None)
    if not callable(rate):
        raise ValueError("source must have an entropy_rate(base) method (e.g. a semtheory.sources.MarkovSource)")
    H = float(rate(base=base))
    sl = -source.token_logprobs(x) / lb
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
    :math:`1/\sqrt{d_k}`.  Chapter 14.
    """

    energy: np.ndarray
    energy_after: np.ndarray
    free_energy: np.ndarray
    entropy: np.ndarray
    max_weight: np.ndarray
    alpha: np.ndarray
    beta: float


def attention_energies(model, context: Sequence[int], *, base=2) -> AttentionEnergies:
    r"""The modern Hopfield energy of every attention query of a trained Transformer, layer by layer.

    Layer :math:`l`, head :math:`h`, position :math:`i`: from the residual stream :math:`h_i` entering the block
    (:meth:`semtheory.transformer.Transformer.trace`), :math:`u = \mathrm{LN}_1(h)`, the query
    :math:`q_i = W_Q^h u_i` and keys :math:`k_j = W_K^h u_j`, :math:`j \le i`, define the Hopfield network that
    stores the keys, with :math:`\beta = 1/\sqrt{d_k}`:

    .. math:: E(q_i) = -\beta^{-1}\ln\sum_{j\le i} e^{\beta k_j^\T q_i} + \tfrac12 q_i^\T q_i,\qquad
              \alpha_{ij} = \softmax_j(\beta k_j^\T q_i)

    (:func:`semtheory.energy.hopfield_energy` with ``constant=False``,
    :func:`semtheory.energy.attention_weights`; the weights equal the layer's attention weights).  One CCCP
    step (:func:`semtheory.energy.hopfield_update`) never raises the energy.  The entropy of :math:`\alpha_{i\cdot}`
    is :math:`\beta(\bar E - F)` in nats (:math:`\bar E` the mean pattern energy :math:`-k_j^\T q_i` under
    :math:`\alpha`, :math:`F` the free energy).  ``context``: at most ``context_length - 1`` tokens.  Chapter 14.
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
    for layer, blk in enumerate(model.blocks):
        g = blk.ln1.weight.detach().double().numpy()
        Wq = blk.attn.W_Q.weight.detach().double().numpy()
        Wk = blk.attn.W_K.weight.detach().double().numpy()
        h = tr.hidden[layer]
        c = h - h.mean(axis=1, keepdims=True)
        u = c / np.sqrt((c**2).mean(axis=1, keepdims=True) + blk.ln1.eps) * g
        q = (u @ Wq.T).reshape(n, H, dk)
        k = (u @ Wk.T).reshape(n, H, dk)
        for hd in range(H):
            for i in range(n):
                K = k[: i + 1, hd]
                xi = q[i, hd]
                a = _energy.attention_weights(xi, K, beta)
                alpha[layer, hd, i, : i + 1] = a
                E[layer, hd, i] = _energy.hopfield_energy(xi, K, beta, constant=False)
                E1[layer, hd, i] = _energy.hopfield_energy(_energy.hopfield_update(xi, K, beta), K, beta, constant=False)
                F[layer, hd, i] = -_energy.lse(K @ xi, beta)
                nz = a > 0
                S[layer, hd, i] = -float(np.sum(a[nz] * np.log(a[nz]))) / lb
                M[layer, hd, i] = float(a.max())
    return AttentionEnergies(E, E1, F, S, M, alpha, beta)
