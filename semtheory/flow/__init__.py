r"""Semantic information flow at inference: information density, a sub-martingale, its Doob decomposition (chapter 7).

An input process :math:`X_1, X_2, \dots` (prompt tokens, user turns, retrieved text) and the tokens
:math:`Y_1, Y_2, \dots` an LLM generates take turns in the order :math:`X_1, Y_1, X_2, Y_2, \dots` (the joint-law
layout of :mod:`semtheory.directed`: axes :math:`X_1..X_n, Y_1..Y_n`).  The information the :math:`t`-th token
carries about the inputs is the *information density*

.. math:: \iota_t = \log \frac{P(Y_t \mid Y^{t-1}, X^t)}{P(Y_t \mid Y^{t-1})},\qquad
          \Lambda_t = \sum_{s \le t} \iota_s,\qquad \E[\Lambda_n] = I(X^n \to Y^n).

With the filtration :math:`\mathcal G_{t} = \sigma(X^{t+1}, Y^{t})` (everything known just before
:math:`Y_{t+1}` is drawn), :math:`\E[\iota_{t+1} \mid \mathcal G_t] = D_{t+1} :=
D\big(P(\cdot \mid X^{t+1}, Y^t) \,\|\, P(\cdot \mid Y^t)\big) \ge 0`, so :math:`\Lambda` is a sub-martingale.  Its
Doob decomposition is :math:`\Lambda_t = M_t + A_t` with the predictable non-decreasing compensator
:math:`A_t = \sum_{s\le t} D_s` and the martingale :math:`M_t = \sum_{s \le t}(\iota_s - D_s)`.  Bounded martingale
differences give Azuma–Hoeffding concentration bands, the conditional variances Freedman's
(Bernstein-type) bands, and the non-negative supermartingale :math:`2^{-\Lambda_t}` Ville's time-uniform bound
:math:`\Prob(\inf_t \Lambda_t \le -a) \le 2^{-a}`.

Everything is computed **exactly** on enumerable joint laws (:func:`exact_flow`) and by **Monte Carlo** with an
exact forward filter on jointly Markov pairs of any length (:func:`simulate_markov_pair_flow`), e.g. an
order-2 Markov LM reading a Markov input source (:func:`lm_markov_pair`).

Units: ``base`` (2 = bits, the default; ``math.e`` = nats).  Provenance: the information-density process
and its Doob decomposition are the standard construction used here to formalise the treatise's "semantic
information flow, a sub-martingale" (see the chapter's note).

**Files.**  :mod:`~semtheory.flow.paths` (the exact flow of an enumerable joint law, conditional expectations,
sampled paths), :mod:`~semtheory.flow.pairs` (jointly Markov pairs, simulated with exact densities),
:mod:`~semtheory.flow.concentration` (Azuma–Hoeffding, Freedman and Ville bounds, empirical tails) and
:mod:`~semtheory.flow.decoding` (the flow under decoding); every public name is re-exported here.
"""

from __future__ import annotations

from .paths import (
    ExactFlow,
    FlowPaths,
    conditional_expectation,
    conditional_mean,
    exact_flow,
    expected_flow,
    sample_exact_paths,
)
from .pairs import lm_markov_pair, markov_pair_range_bound, simulate_markov_pair_flow
from .concentration import (
    azuma_band,
    azuma_tail,
    band_exceedance,
    freedman_band,
    hoeffding_azuma_band,
    min_flow_tail,
    ville_bound,
)
from .decoding import decoding_flow

__all__ = [
    "FlowPaths",
    "ExactFlow",
    "exact_flow",
    "conditional_expectation",
    "conditional_mean",
    "expected_flow",
    "sample_exact_paths",
    "lm_markov_pair",
    "simulate_markov_pair_flow",
    "markov_pair_range_bound",
    "azuma_tail",
    "azuma_band",
    "hoeffding_azuma_band",
    "freedman_band",
    "band_exceedance",
    "ville_bound",
    "min_flow_tail",
    "decoding_flow",
]
