r"""The LLM as a probabilistic model: autoregressive interface, Boltzmann form, decoding maps, channel with feedback.

Chapter 4 (used by chapters 1, 5–16).

**Interface.**  Every model in the book (n-gram/Markov models of chapter 1, the Transformer of chapter 10, the
state-space models of chapter 15) implements :class:`LanguageModel`: it only has to say, for a context, the
natural-log probabilities of the next token.  Sequence log-probabilities, cross-entropy, seeded sampling and
the exact law of short sequences (:func:`sequence_law`) then come for free and behave identically across
models.  Tokens are integers in ``range(vocab_size)``; a *context* is a sequence of such integers.

**State.**  A model also exposes a *state* protocol (:meth:`LanguageModel.initial_state`,
:meth:`LanguageModel.next_state`, :meth:`LanguageModel.state_logprobs`).  By default the state is the whole
context (a tuple of tokens, the analogue of a Transformer's KV cache, which grows by one entry per token);
:class:`MarkovLM` keeps a fixed-size state (its last ``order`` tokens), as a state-space model does.  The
channel-with-feedback functions (:func:`interaction_law`, :func:`simulate_interaction`,
:func:`sequence_law`) drive a model only through its state (or, for a Transformer, a batched causal pass that
reads the same next-token laws), so the state is what evolves with the inputs and with the model's own fed-back
outputs.

**Boltzmann form.**  A next-token law is :math:`P(v) = e^{-E(v)/T}/Z` with energies :math:`E = -\text{logits}`,
partition function :math:`Z = \sum_v e^{-E(v)/T}` and free energy :math:`F = -T \ln Z`
(:func:`boltzmann`, :func:`log_partition`, :func:`free_energy`, :func:`mean_energy`,
:func:`boltzmann_entropy`).  A *masked* token has energy :math:`+\infty` (logit :math:`-\infty`) and
probability exactly 0; an energy of :math:`-\infty`, NaN, or every token masked is an error.

**Decoding maps.**  Temperature, top-k, top-p (nucleus) and greedy decoding are maps from logits to a
normalised log-pmf (:func:`temperature_map`, :func:`top_k_map`, :func:`top_p_map`, :func:`greedy_map`,
:func:`decode`).  The truncating maps *renormalise explicitly* the mass they keep: that division is part of the
map's definition, and :func:`decoding_cost` reports the mass kept, the entropy and the KL it costs.

Units: two kinds of logarithm, one rule each.  *Laws* (log-pmfs) are natural logs, always: the hook
:meth:`LanguageModel.next_token_logprobs`, :meth:`LanguageModel.state_logprobs`, :func:`boltzmann_logprobs`
and the decoding maps return :math:`\ln P`, on the scale of the logits (:math:`E = -\ln P` at
:math:`T = 1`), so that they compose with :func:`decode`, ``logsumexp`` and the Boltzmann form without a
conversion.  *Scores and information measures* take ``base`` keyword-only (2 = bits, the default;
``math.e`` = nats): :meth:`LanguageModel.token_logprobs`, :meth:`LanguageModel.log_prob`,
:meth:`LanguageModel.cross_entropy`, the entropies and divergences.  All computations are in the log domain
(``logsumexp``).

**Files.**  :mod:`~semtheory.channel.models` (:class:`BoltzmannLM`, :class:`DecodedLM`),
:mod:`~semtheory.channel.boltzmann_form` (the Boltzmann form), :mod:`~semtheory.channel.logdomain` (entropy and
KL of log-pmfs), :mod:`~semtheory.channel.decoding` (the decoding maps and their cost),
:mod:`~semtheory.channel.interaction` (the LLM as a channel with feedback and state); the interface
(:class:`LanguageModel`, :class:`MarkovLM`, :func:`sequence_law`) lives in :mod:`semtheory.core.models`.  Every
public name is re-exported here.
"""

from __future__ import annotations

# The interface and the table model live in the core layer (semtheory.core); this chapter re-exports them.
from ..core.models import LanguageModel, MarkovLM, sequence_law
from .boltzmann_form import (
    boltzmann,
    boltzmann_entropy,
    boltzmann_logprobs,
    free_energy,
    log_partition,
    mean_energy,
)
from .decoding import (
    DecodingCost,
    decode,
    decoding_cost,
    frontier_gap,
    greedy_map,
    min_p_map,
    temperature_map,
    tempered_at_entropy,
    top_k_map,
    top_p_map,
    typical_map,
)
from .interaction import (  # importing it registers the Transformer's batched route with the core, once
    Transcript,
    echo_inputs,
    iid_inputs,
    interaction_channel,
    interaction_kernels,
    interaction_law,
    interleave,
    lm_inputs,
    prompt_generation_law,
    simulate_interaction,
)
from .logdomain import logprob_entropy, logprob_kl
from .models import BoltzmannLM, DecodedLM

__all__ = [
    # interface and models
    "LanguageModel",
    "MarkovLM",
    "BoltzmannLM",
    "DecodedLM",
    "sequence_law",
    # Boltzmann form
    "boltzmann",
    "boltzmann_logprobs",
    "log_partition",
    "free_energy",
    "mean_energy",
    "boltzmann_entropy",
    # decoding maps
    "temperature_map",
    "top_k_map",
    "top_p_map",
    "greedy_map",
    "min_p_map",
    "typical_map",
    "tempered_at_entropy",
    "frontier_gap",
    "decode",
    "decoding_cost",
    "DecodingCost",
    "logprob_entropy",
    "logprob_kl",
    # channel with feedback
    "interleave",
    "iid_inputs",
    "echo_inputs",
    "lm_inputs",
    "simulate_interaction",
    "Transcript",
    "interaction_channel",
    "interaction_kernels",
    "interaction_law",
    "prompt_generation_law",
]
