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

**Files.**  :mod:`~semtheory.semantic.prompts` (prompt sets and the exact prompt/generation law),
:mod:`~semtheory.semantic.montecarlo` (Monte Carlo flow with exact densities),
:mod:`~semtheory.semantic.perplexity` (perplexity against the entropy rate, batch-means standard errors),
:mod:`~semtheory.semantic.attention` (attention energies per layer), :mod:`~semtheory.semantic.reading` (exact
laws read at sampled paths, Markov ergodicity and the order gap), :mod:`~semtheory.semantic.feedback` (a simulated
user in feedback with the model), :mod:`~semtheory.semantic.probes` (per-layer linear probes) and
:mod:`~semtheory.semantic.entropy` (semantic entropy); every public name is re-exported here, with
:func:`next_token_table` of :mod:`semtheory.core.tables`.
"""

from __future__ import annotations

from .._extras import require as _require

_require("torch", "torch", needed_by="semtheory.semantic")  # needed at import, as before the split

from ..core.tables import next_token_table
from .prompts import prompts_from_law, prompt_flow_law
from .montecarlo import sample_prompt_flow, FlowEstimate, mean_flow
from .perplexity import batch_means_se, PerplexityReport, perplexity_report
from .attention import (
    AttentionEnergies,
    attention_energies,
    attention_readout,
    per_layer_values,
    previous_token_weight,
)
from .reading import generation_law, path_densities, mixing_modulus, markov_order_gap
from .feedback import echo_user, FeedbackEstimate, sample_feedback_information
from .probes import residual_streams, ProbeResult, probe_information, state_probe
from .entropy import SemanticEntropy, semantic_entropy, sampled_semantic_entropy

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
