r"""Sources with known entropy rates, n-gram models fitted to samples, and the book's real English corpus.

Chapter 1 (and every chapter that needs a source whose entropy rate is known exactly: 4, 5, 7, 10, 14, 15).

**Sources.**  Every source is a :class:`semtheory.channel.LanguageModel`, so it can serve as the "true model"
of later chapters (exact sequence laws, cross-entropy of another model against it, sampling):

* :class:`IIDSource` ``(p)``: :math:`X_t \sim p` i.i.d.; entropy rate :math:`H(p)`.
* :class:`MarkovSource` ``(transition)``: a *stationary* Markov chain of order :math:`k` (``transition`` has
  :math:`k+1` axes; order 1 is a :math:`V \times V` matrix).  It starts in its stationary law :math:`\pi`
  (computed exactly by a linear solve, :func:`stationary_distribution`) and has entropy rate
  :math:`\mathcal H = \sum_s \pi(s) H(P(\cdot \mid s))`.
* :class:`HiddenMarkovSource` ``(transition, emission)``: a stationary hidden chain :math:`S_t` seen through
  a noisy emission :math:`Y_t \sim B(S_t, \cdot)`.  Its entropy rate has no closed form; the Cover–Thomas
  sandwich :math:`H(Y_n \mid Y^{n-1}, S_1) \le \mathcal H \le H(Y_n \mid Y^{n-1})` is computed exactly by the
  forward algorithm over all :math:`V^n` output sequences, and closes as :math:`n` grows.

Each has a seeded, fast ``sample(n, seed=...)``.

**Models fitted to samples.**  :class:`NGramModel` is an order-:math:`k` Markov model with additive
(Lidstone; Laplace for :math:`\alpha = 1`) smoothing; its held-out cross-entropy (vectorised
:meth:`NGramModel.token_logprobs`) is never below the source's entropy rate by more than sampling noise, and
approaches it when :math:`k` reaches the source's order; :class:`KneserNeyModel` is interpolated Kneser–Ney
smoothing, the strong classical smoother, whose loss does not climb with the order the way Lidstone's does;
:func:`stationary_cross_entropy` gives the exact
expected loss of a fitted model on the stationary source (no held-out noise).  :func:`plugin_entropy_rate` is the plug-in
estimate :math:`\hat H(X_t \mid X_{t-k}^{t-1})` from a long sample.

Units: ``base=2`` (bits) by default; ``base=math.e`` gives nats.

**Files.**  :mod:`~semtheory.sources.corpus` (:func:`english_corpus`), :mod:`~semtheory.sources.stationary`
(stationary laws), :mod:`~semtheory.sources.markov` (Markov and i.i.d. sources),
:mod:`~semtheory.sources.hidden` (hidden Markov sources and the entropy-rate sandwich),
:mod:`~semtheory.sources.ngram` (n-gram models fitted to samples, cross-entropies, the plug-in estimate); every
public name is re-exported here.
"""

from __future__ import annotations

from .corpus import english_corpus
from .hidden import HiddenMarkovSource, SandwichBounds
from .markov import IIDSource, MarkovSource
from .ngram import KneserNeyModel, NGramModel, ngram_cross_entropies, plugin_entropy_rate, stationary_cross_entropy
from .stationary import lifted_transition, stationary_distribution

__all__ = [
    "english_corpus",
    "stationary_distribution",
    "lifted_transition",
    "MarkovSource",
    "IIDSource",
    "HiddenMarkovSource",
    "SandwichBounds",
    "NGramModel",
    "KneserNeyModel",
    "ngram_cross_entropies",
    "stationary_cross_entropy",
    "plugin_entropy_rate",
]
