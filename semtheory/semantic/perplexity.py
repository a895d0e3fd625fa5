r"""Perplexity of a model against the entropy rate of its source, with batch-means standard errors (chapter 14).

:func:`perplexity_report` scores a held-out text with the model and, when the source is known, with the
source on the same tokens; the paired difference estimates the relative-entropy rate (:func:`batch_means_se`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._validate import as_float, check_int, log_base
from ..core.models import check_model

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike


def batch_means_se(values: ArrayLike, n_batches: int = 20) -> float:
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


def perplexity_report(model: LanguageModel, tokens: ArrayLike, *, source: LanguageModel | None = None,
                      n_batches: int = 20, base: float = 2) -> PerplexityReport:
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
