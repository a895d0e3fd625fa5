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
:func:`sequence_law`) drive a model only through its state, so the state is what evolves with the inputs and
with the model's own fed-back outputs.

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
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy.special import logsumexp

from . import directed
from ._validate import (
    as_array,
    as_float,
    as_real_array,
    as_pmf,
    as_rng,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
)
from .core import law
from .core.models import (
    MAX_CELLS,
    NORM_ATOL,
    LanguageModel,
    MarkovLM,
    StateWalker,
    check_model,
    checked_logprobs,
    register_batched_route,
    sequence_law,
)

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
    "interaction_kernels",
    "interaction_law",
    "prompt_generation_law",
]

# The interface and the table model live in the core layer (semtheory.core); this chapter re-exports them.
_LAW_CELLS = law.MAX_CELLS  # largest joint law of inputs and outputs built here (the layout's memory guard)


# ==============================================================================================
# Concrete models
# ==============================================================================================


class BoltzmannLM(LanguageModel):
    r"""A language model in Boltzmann form: :math:`P(v \mid \text{ctx}) = e^{-E(v;\,\text{ctx})/T} / Z(\text{ctx})`.

    ``energy(context)`` returns the ``vocab_size`` energies (negative logits) of the next token; ``+inf``
    masks a token.  ``temperature`` T > 0.  Every model is of this form with :math:`E = -\ln P` at
    :math:`T = 1`; the Transformer of chapter 10 computes :math:`E` from its last hidden state.  Chapters 4, 10.

    Parameters
    ----------
    energy : callable
        ``energy(context) -> energies``, shape ``(vocab_size,)``; ``+inf`` masks a token.
    vocab_size : int
        Number of tokens, >= 1.
    temperature : float, default 1.0
        :math:`T > 0`.

    Attributes
    ----------
    energy : callable
        The energy function.
    vocab_size : int
        Number of tokens.
    temperature : float
        :math:`T`.
    """

    def __init__(self, energy: Callable, vocab_size, temperature=1.0):
        if not callable(energy):
            raise ValueError(f"energy must be callable energy(context) -> energies, got {energy!r}")
        self.energy = energy
        self.vocab_size = check_int(vocab_size, "vocab_size", minimum=1)
        self.temperature = check_positive(temperature, "temperature")

    def next_token_logprobs(self, context):
        ctx = self.check_tokens(context, "context")
        E = _as_energies(self.energy(ctx), "energy(context)")
        if E.shape != (self.vocab_size,):
            raise ValueError(f"energy(context) must return shape ({self.vocab_size},), got {E.shape}")
        return boltzmann_logprobs(E, self.temperature)


class DecodedLM(LanguageModel):
    r"""The model ``model`` seen through a decoding map: :math:`\tilde P(\cdot \mid \text{ctx}) = \mathrm{decode}(\log P(\cdot \mid \text{ctx}))`.

    The map is :func:`decode` with the given ``temperature``, ``top_k``, ``top_p`` and ``greedy``.  Being a
    :class:`LanguageModel` itself, the decoded model can be sampled, scored and enumerated exactly
    (:func:`sequence_law`), which is how the book computes the law of what a decoder actually generates.
    The state protocol is delegated to ``model``.  Chapters 4, 6, 7.

    Parameters
    ----------
    model : LanguageModel
        The model decoded.
    temperature : float, keyword-only, default 1.0
        :math:`T > 0`.
    top_k : int or None, keyword-only, default None
        Keep the ``top_k`` most probable tokens (None: no truncation).
    top_p : float or None, keyword-only, default None
        Nucleus mass in :math:`(0, 1]` (None: no truncation).
    greedy : bool, keyword-only, default False
        Greedy decoding (absorbs the other steps).

    Attributes
    ----------
    model : LanguageModel
        The underlying model.
    vocab_size : int
        Number of tokens.
    """

    def __init__(self, model, *, temperature=1.0, top_k=None, top_p=None, greedy=False):
        self.model = check_model(model)
        self.vocab_size = model.vocab_size
        self._kw = _decode_kwargs(temperature, top_k, top_p, greedy)

    def next_token_logprobs(self, context):
        return decode(self.model.next_token_logprobs(self.check_tokens(context, "context")), **self._kw)

    def initial_state(self, prompt=()):
        return self.model.initial_state(prompt)

    def next_state(self, state, token):
        return self.model.next_state(state, token)

    def state_logprobs(self, state):
        return decode(self.model.state_logprobs(state), **self._kw)


# ==============================================================================================
# The Boltzmann form
# ==============================================================================================


def _as_real_array(x, name: str) -> np.ndarray:
    arr = as_real_array(x, name, finite=False, nonempty=False)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one token on its last axis, got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def _as_energies(energies, name: str = "energies") -> np.ndarray:
    E = _as_real_array(energies, name)
    if np.isneginf(E).any():
        raise ValueError(f"{name} contains -inf (infinite weight); mask a token with energy +inf instead")
    if not np.isfinite(E).any(axis=-1).all():
        raise ValueError(f"{name} masks every token (all +inf): there is no distribution")
    return E


def _as_logits(logits, name: str = "logits") -> np.ndarray:
    L = _as_real_array(logits, name)
    if np.isposinf(L).any():
        raise ValueError(f"{name} contains +inf; mask a token with logit -inf instead")
    if not np.isfinite(L).any(axis=-1).all():
        raise ValueError(f"{name} masks every token (all -inf): there is no distribution")
    return L


def _scaled_logits(E: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray]:
    """(-(E - E_min)/T, E_min): shifted so the largest entry is 0 (no overflow, exact T -> 0 limit)."""
    emin = np.min(E, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        z = -(E - emin) / T
    return z, emin


def boltzmann_logprobs(energies, temperature=1.0) -> np.ndarray:
    r"""Natural-log Boltzmann law :math:`\ln P(v) = -E(v)/T - \ln Z`, :math:`Z = \sum_u e^{-E(u)/T}`.

    ``energies`` has the vocabulary on its last axis (any leading batch axes); ``+inf`` masks a token (log
    probability :math:`-\infty`).  Computed as :math:`-(E - E_{\min})/T - \operatorname{logsumexp}`, so a tiny
    ``temperature`` gives the exact greedy limit without overflow.  Chapters 4, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    T = check_positive(temperature, "temperature")
    E = _as_energies(energies)
    z, _ = _scaled_logits(E, T)
    return z - logsumexp(z, axis=-1, keepdims=True)


def boltzmann(energies, temperature=1.0) -> np.ndarray:
    r"""Boltzmann (Gibbs) distribution :math:`P(v) = e^{-E(v)/T} / Z` over the last axis of ``energies``.

    Energies are negative logits, so :math:`P = \softmax(\text{logits}/T)`.  ``+inf`` masks a token;
    ``temperature`` T > 0.  Chapters 4, 6, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        Probabilities on the last axis (no units), 0 for a masked token.
    """
    return np.exp(boltzmann_logprobs(energies, temperature))


def log_partition(energies, temperature=1.0):
    r"""Log partition function :math:`\ln Z = \ln \sum_v e^{-E(v)/T}` (over the last axis; log domain).  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`\ln Z`, in nats when the energies are in nats.
    """
    T = check_positive(temperature, "temperature")
    E = _as_energies(energies)
    z, emin = _scaled_logits(E, T)
    out = logsumexp(z, axis=-1) - emin[..., 0] / T
    return float(out) if out.ndim == 0 else out


def free_energy(energies, temperature=1.0):
    r"""Helmholtz free energy :math:`F = -T \ln Z = E_{\min} - T \ln \sum_v e^{-(E(v) - E_{\min})/T}`.

    In the units of the energies (nats when :math:`E = -\ln P`).  :math:`\partial F / \partial E(v) = P(v)`,
    :math:`\partial F / \partial T = -S` (the entropy in nats) and :math:`F = U - T S`; :math:`F \to E_{\min}` as
    :math:`T \to 0`.  Chapters 4, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`F`, in the units of the energies.
    """
    T = check_positive(temperature, "temperature")
    E = _as_energies(energies)
    z, emin = _scaled_logits(E, T)
    out = emin[..., 0] - T * logsumexp(z, axis=-1)
    return float(out) if out.ndim == 0 else out


def mean_energy(energies, temperature=1.0):
    r"""Internal energy :math:`U = \E_P[E] = \sum_v P(v) E(v)` (masked tokens contribute 0).  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`U`, in the units of the energies.
    """
    E = _as_energies(energies)
    P = boltzmann(E, temperature)
    out = np.where(P > 0, P * np.where(np.isfinite(E), E, 0.0), 0.0).sum(axis=-1)
    return float(out) if out.ndim == 0 else out


def boltzmann_entropy(energies, temperature=1.0, *, base=2):
    r"""Entropy :math:`H(P) = -\sum_v P(v) \log P(v)` of the Boltzmann law; in nats :math:`S = (U - F)/T`.

    Non-decreasing in :math:`T` (:math:`\dd S/\dd T = \Var_P(E)/T^3`), from :math:`\log m` at :math:`T \to 0`
    (:math:`m` minimisers of :math:`E`) to :math:`\log(\text{unmasked tokens})` as :math:`T \to \infty`.
    Finite with masked tokens.  Units of ``base``.  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The entropy, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    out = _entropy_nats(boltzmann_logprobs(energies, temperature)) / lb
    return float(out) if out.ndim == 0 else out


# ==============================================================================================
# Log-domain measures on log-pmfs
# ==============================================================================================


def _as_logpmf(lp, name: str) -> np.ndarray:
    L = _as_logits(lp, name)
    z = logsumexp(L, axis=-1)
    if np.any(np.abs(z) > NORM_ATOL):
        raise ValueError(f"{name} must be a normalised log-pmf (logsumexp = {np.max(np.abs(z)):.3g} away from 0)")
    return L


def _entropy_nats(L: np.ndarray) -> np.ndarray:
    """Entropy (nats) of an already validated, normalised log-pmf along the last axis; masked terms are 0."""
    fin = np.isfinite(L)
    Lf = np.where(fin, L, 0.0)
    return np.maximum(-np.where(fin, np.exp(Lf) * Lf, 0.0).sum(axis=-1), 0.0)


def logprob_entropy(logprobs, *, base=2):
    r"""Entropy :math:`H = -\sum_v e^{\ell_v} \ell_v` of a normalised log-pmf :math:`\ell` (last axis), in the log domain.

    Masked tokens (:math:`\ell = -\infty`) contribute exactly 0, so the result is finite.  Agrees with
    :func:`semtheory.measures.entropy` on ``exp(logprobs)``, without leaving the log domain.  Units of
    ``base``.  Chapter 4.

    Parameters
    ----------
    logprobs : array_like of float, shape (..., V)
        A normalised log-pmf on the last axis (natural logs).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The entropy, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    out = _entropy_nats(_as_logpmf(logprobs, "logprobs")) / lb
    return float(out) if out.ndim == 0 else out


def logprob_kl(logq, logp, *, base=2):
    r"""Relative entropy :math:`D(q \| p) = \sum_v q_v (\ln q_v - \ln p_v)` of two normalised log-pmfs (last axis).

    Terms with :math:`q_v = 0` are 0 (so masked tokens give finite values); ``inf`` when :math:`q` puts mass
    where :math:`p` has none.  Agrees with :func:`semtheory.measures.kl_divergence`.  Units of ``base``.
    Chapter 4.

    Parameters
    ----------
    logq, logp : array_like of float, shape (..., V)
        Normalised log-pmfs of the same shape (natural logs).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`D(q \| p)`, in units of log ``base`` (bits by default); ``inf`` off the support.
    """
    lb = log_base(base)
    Q = _as_logpmf(logq, "logq")
    P = _as_logpmf(logp, "logp")
    if Q.shape != P.shape:
        raise ValueError(f"logq and logp must have the same shape, got {Q.shape} and {P.shape}")
    fq = np.isfinite(Q)
    miss = (fq & ~np.isfinite(P)).any(axis=-1)
    with np.errstate(invalid="ignore"):
        terms = np.where(fq, np.exp(np.where(fq, Q, 0.0)) * (np.where(fq, Q, 0.0) - np.where(np.isfinite(P), P, 0.0)), 0.0)
    out = terms.sum(axis=-1) / lb
    out = np.where(miss, np.inf, np.maximum(out, 0.0))
    return float(out) if out.ndim == 0 else out


# ==============================================================================================
# Decoding maps
# ==============================================================================================


def temperature_map(logits, temperature) -> np.ndarray:
    r"""Temperature scaling :math:`q_T(v) = e^{\ell_v/T} / \sum_u e^{\ell_u/T}`, returned as a normalised log-pmf.

    ``logits`` :math:`\ell` (last axis; ``-inf`` masks a token) are defined up to an additive constant, so a
    log-pmf is a valid input.  :math:`T \to 0`: greedy; :math:`T = 1`: the model; :math:`T \to \infty`: uniform
    on the unmasked tokens.  Equal to :func:`boltzmann_logprobs` of the energies :math:`-\ell`.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    temperature : float
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    return boltzmann_logprobs(-_as_logits(logits), temperature)


def _normalise(L: np.ndarray) -> np.ndarray:
    return L - logsumexp(L, axis=-1, keepdims=True)


def _sorted_desc(L: np.ndarray) -> np.ndarray:
    """Indices sorting the last axis by decreasing logit, ties broken by the lower token id (stable)."""
    return np.argsort(-L, axis=-1, kind="stable")


def top_k_map(logits, k) -> np.ndarray:
    r"""Top-k truncation: keep the ``k`` most probable tokens and **renormalise explicitly**.

    .. math:: q(v) = \frac{p(v)\,\ind[v \in S_k]}{p(S_k)},\qquad p = \softmax(\ell),

    where :math:`S_k` holds the ``k`` largest logits (ties broken by the lower token id; masked tokens are
    never kept, so if fewer than ``k`` tokens are unmasked all of them are kept; ``k`` larger than the
    vocabulary keeps everything).  The division by the kept mass :math:`p(S_k)` is part of the map; its cost
    is :math:`D(q \| p) = -\log p(S_k)` (:func:`decoding_cost`).  Returns a normalised log-pmf.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    k : int
        Number of tokens kept, >= 1.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    L = _as_logits(logits)
    k = check_int(k, "k", minimum=1)
    order = _sorted_desc(L)
    rank = np.argsort(order, axis=-1)  # inverse permutation: rank[v] = position of token v
    keep = (rank < k) & np.isfinite(L)
    return _normalise(np.where(keep, L, -np.inf))


def top_p_map(logits, p) -> np.ndarray:
    r"""Top-p (nucleus) truncation: keep the smallest set of most probable tokens whose mass reaches ``p``, **renormalised explicitly**.

    Sort tokens by decreasing probability (ties: lower token id first) and keep token :math:`v` iff the mass
    of the tokens ranked before it is :math:`< p` (within :math:`10^{-12}`, so a boundary hit exactly stops
    there).  Then :math:`q(v) = p(v)\ind[v \in S_p]/p(S_p)` with :math:`p(S_p) \ge p`; the most probable token
    is always kept and ``p = 1`` keeps every unmasked token.  ``p`` must lie in :math:`(0, 1]`.  Cumulative
    masses are accumulated in the log domain (``logaddexp``).  Returns a normalised log-pmf.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    p : float
        The nucleus mass, in :math:`(0, 1]`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    L = _as_logits(logits)
    pv = check_probability(p, "p", low_open=True)
    lp = _normalise(L)
    order = _sorted_desc(L)
    sl = np.take_along_axis(lp, order, axis=-1)
    cum = np.logaddexp.accumulate(sl, axis=-1)
    before = np.concatenate([np.full(sl.shape[:-1] + (1,), -np.inf), cum[..., :-1]], axis=-1)
    keep_sorted = before < math.log(pv) - 1e-12 if pv < 1 else np.ones(sl.shape, dtype=bool)
    keep = np.empty_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    keep &= np.isfinite(L)
    return _normalise(np.where(keep, L, -np.inf))


def greedy_map(logits) -> np.ndarray:
    r"""Greedy decoding as a map: the uniform law on :math:`\argmax_v \ell_v` (a point mass if the maximiser is unique).

    This is the :math:`T \to 0` limit of :func:`temperature_map` (ties share the mass equally; a sampler that
    breaks ties by the lowest id agrees whenever the maximiser is unique).  Returns a normalised log-pmf.
    Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    L = _as_logits(logits)
    top = L == np.max(L, axis=-1, keepdims=True)
    return _normalise(np.where(top, 0.0, -np.inf))


def min_p_map(logits, p_min) -> np.ndarray:
    r"""Min-p truncation: keep the tokens at least ``p_min`` times as probable as the most probable one, **renormalised explicitly**.

    .. math:: S = \{v : p(v) \ge p_{\min} \max_u p(u)\},\qquad q(v) = p(v)\,\ind[v \in S] / p(S)

    (Nguyen et al. 2024).  ``p_min`` in :math:`(0, 1]`; ``p_min = 1`` keeps the maximisers (greedy's
    support).  The comparison is made on logits, :math:`\ell_v \ge \max \ell + \ln p_{\min}`.  Returns a
    normalised log-pmf.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    p_min : float
        The ratio to the most probable token, in :math:`(0, 1]`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    L = _as_logits(logits)
    pm = check_probability(p_min, "p_min", low_open=True)
    keep = np.isfinite(L) & (L >= np.max(L, axis=-1, keepdims=True) + math.log(pm) - 1e-12)
    return _normalise(np.where(keep, L, -np.inf))


def typical_map(logits, mass) -> np.ndarray:
    r"""Locally typical truncation (Meister, Pimentel, Wiher & Cotterell 2023), **renormalised explicitly**.

    Rank tokens by :math:`|{-\ln p(v)} - H(p)|`, the distance of their surprisal from the entropy (ties:
    lower token id first), and keep the shortest prefix of that ranking whose mass reaches ``mass``
    (:math:`\tau \in (0, 1]`), as :func:`top_p_map` does for the ranking by probability.
    :math:`q = p\,\ind_S / p(S)`.  Returns a normalised log-pmf (1-D ``logits``).  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (V,)
        One next-token law's logits; ``-inf`` masks a token.
    mass : float
        The mass :math:`\tau` to reach, in :math:`(0, 1]`.

    Returns
    -------
    numpy.ndarray of float, shape (V,)
        A normalised log-pmf, natural logs.
    """
    L = _as_logits(logits)
    if L.ndim != 1:
        raise ValueError(f"logits must be 1-D (one next-token law), got shape {L.shape}")
    tau = check_probability(mass, "mass", low_open=True)
    lp = _normalise(L)
    fin = np.isfinite(lp)
    H = float(_entropy_nats(lp))
    dist = np.where(fin, np.abs(-np.where(fin, lp, 0.0) - H), np.inf)
    order = np.argsort(dist, kind="stable")
    sl = lp[order]
    cum = np.logaddexp.accumulate(sl)
    before = np.concatenate([[-np.inf], cum[:-1]])
    keep_sorted = before < math.log(tau) - 1e-12 if tau < 1 else np.ones(sl.shape, dtype=bool)
    keep = np.empty_like(keep_sorted)
    keep[order] = keep_sorted
    keep &= fin
    return _normalise(np.where(keep, L, -np.inf))


def tempered_at_entropy(logits, entropy, *, base=2) -> float:
    r"""The temperature :math:`T` at which the tempered law :math:`q_T = \softmax(\ell / T)` has entropy ``entropy``.

    :math:`H(q_T)` increases strictly with :math:`T` (chapter 4, :math:`\dd S/\dd T = \Var(E)/T^3`) from
    :math:`\log |\argmax \ell|` to :math:`\log |\{v: \ell_v > -\infty\}|`, so the root is unique; it is found by
    Brent's method in :math:`\ln T`.  ``entropy`` in units of ``base`` must lie strictly inside that range
    (``ValueError`` naming ``entropy`` otherwise).  With :func:`frontier_gap`, the tempered laws are the
    minimum-KL laws at given entropy (chapter 4's frontier theorem).  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (V,)
        Logits, at least two tokens; ``-inf`` masks a token.
    entropy : float
        The target entropy, in units of log ``base``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The temperature :math:`T > 0` (no units).
    """
    from scipy.optimize import brentq

    lb = log_base(base)
    L = _as_logits(logits)
    if L.ndim != 1 or L.size < 2:
        raise ValueError(f"logits must be 1-D with at least two tokens, got shape {L.shape}")
    fin = np.isfinite(L)
    h = check_positive(entropy, "entropy") * lb  # nats
    lo = math.log(int((L == L.max()).sum()))
    hi = math.log(int(fin.sum()))
    if not lo < h < hi:
        raise ValueError(f"entropy must lie strictly between {lo / lb:.6g} and {hi / lb:.6g} (units of base), got {entropy!r}")
    Lf = L[fin] - L.max()

    def gap(logT):
        return float(_entropy_nats(_normalise(Lf / math.exp(logT)))) - h

    a, b = -1.0, 1.0
    while gap(a) > 0:
        a *= 2
    while gap(b) < 0:
        b *= 2
    return math.exp(brentq(gap, a, b, xtol=1e-14, rtol=1e-14))


def frontier_gap(logits, logq, *, base=2) -> float:
    r"""How far a decoded law :math:`q` lies above the (entropy, KL) frontier of the model law :math:`p = \softmax(\ell)`.

    .. math:: D(q \| p) - D(q_T \| p),\qquad H(q_T) = H(q),

    with :math:`q_T` the tempered law of the same entropy (:func:`tempered_at_entropy`).  Non-negative for every
    :math:`q` by chapter 4's frontier theorem, zero iff :math:`q = q_T`; ``inf`` when :math:`q` leaves the
    support of :math:`p`.  ``logq`` is a normalised log-pmf (e.g. from :func:`top_k_map`).  Units of ``base``.
    Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (V,)
        The model's logits; ``-inf`` masks a token.
    logq : array_like of float, shape (V,)
        The decoded law, a normalised log-pmf (natural logs).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The gap, >= 0, in units of log ``base`` (bits by default); ``inf`` off the support of :math:`p`.
    """
    L = _as_logits(logits)
    Q = _as_logpmf(logq, "logq")
    if Q.shape != L.shape or L.ndim != 1:
        raise ValueError(f"logq must be 1-D with the shape of logits {L.shape}, got {Q.shape}")
    lp = _normalise(L)
    kl = logprob_kl(Q, lp, base=base)
    if not math.isfinite(kl):
        return math.inf
    h = logprob_entropy(Q, base=math.e)
    fin = np.isfinite(L)
    if h <= math.log(int((L == L.max()).sum())) + 1e-12:  # the T -> 0 end: greedy
        ref = greedy_map(L)
    elif h >= math.log(int(fin.sum())) - 1e-12:  # the T -> infinity end: uniform on the support
        ref = _normalise(np.where(fin, 0.0, -np.inf))
    else:
        ref = temperature_map(L, tempered_at_entropy(L, h, base=math.e))
    return kl - logprob_kl(ref, lp, base=base)


def _decode_kwargs(temperature, top_k, top_p, greedy) -> dict:
    T = check_positive(temperature, "temperature")
    k = None if top_k is None else check_int(top_k, "top_k", minimum=1)
    pv = None if top_p is None else check_probability(top_p, "top_p", low_open=True)
    if not isinstance(greedy, (bool, np.bool_)):
        raise ValueError(f"greedy must be True or False, got {greedy!r}")
    return dict(temperature=T, top_k=k, top_p=pv, greedy=bool(greedy))


def decode(logits, *, temperature=1.0, top_k=None, top_p=None, greedy=False) -> np.ndarray:
    r"""The decoding map actually applied by a sampler: temperature, then top-k, then top-p (or greedy).

    .. math:: q = \mathrm{topp}_{p} \circ \mathrm{topk}_{k} \circ \mathrm{temp}_{T}(\ell)

    (the order of common samplers: the nucleus is taken on the *tempered* law).  ``top_k=None`` /
    ``top_p=None`` skip that step; ``greedy=True`` returns :func:`greedy_map` (every other step keeps the
    argmax, so greedy absorbs them).  Returns a normalised log-pmf (last axis).  Chapters 4, 6, 7.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    temperature : float, keyword-only, default 1.0
        :math:`T > 0`.
    top_k : int or None, keyword-only, default None
        Keep the ``top_k`` most probable tokens (None: skip).
    top_p : float or None, keyword-only, default None
        Nucleus mass in :math:`(0, 1]` (None: skip).
    greedy : bool, keyword-only, default False
        Return :func:`greedy_map` instead.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    kw = _decode_kwargs(temperature, top_k, top_p, greedy)
    L = _as_logits(logits)
    if kw["greedy"]:
        return greedy_map(L)
    out = temperature_map(L, kw["temperature"])
    if kw["top_k"] is not None:
        out = top_k_map(out, kw["top_k"])
    if kw["top_p"] is not None:
        out = top_p_map(out, kw["top_p"])
    return out


class DecodingCost(NamedTuple):
    r"""What a decoding map costs, for the model law :math:`p = \softmax(\ell)` and the decoded law :math:`q`.

    ``entropy`` :math:`H(q)`, ``entropy_before`` :math:`H(p)`, ``kl`` :math:`D(q \| p)` (units of the ``base``
    asked for), ``mass_kept`` :math:`p(\operatorname{supp} q)`, ``support`` :math:`|\operatorname{supp} q|`.

    Attributes
    ----------
    entropy : float
        :math:`H(q)`, units of log ``base``.
    entropy_before : float
        :math:`H(p)`, units of log ``base``.
    kl : float
        :math:`D(q \| p)`, units of log ``base``.
    mass_kept : float
        :math:`p(\operatorname{supp} q)` (a probability).
    support : int
        :math:`|\operatorname{supp} q|`.
    """

    entropy: float
    entropy_before: float
    kl: float
    mass_kept: float
    support: int


def decoding_cost(logits, *, temperature=1.0, top_k=None, top_p=None, greedy=False, base=2) -> DecodingCost:
    r"""Entropy and KL cost of :func:`decode` on one next-token law (``logits`` a 1-D array).

    For a pure truncation (``temperature=1`` with top-k, top-p or greedy) :math:`q = p\,\ind_S / p(S)`, hence
    :math:`D(q \| p) = -\log p(S)`: the KL cost is the surprisal of the kept set.  (The reverse
    :math:`D(p \| q)` is infinite whenever mass is cut.)  Units of ``base``.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (V,)
        One next-token law's logits; ``-inf`` masks a token.
    temperature, top_k, top_p, greedy
        The decoding map, keyword-only, as in :func:`decode`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    DecodingCost
        Entropies and KL in units of log ``base`` (bits by default), the mass kept and the support size.
    """
    log_base(base)
    L = _as_logits(logits)
    if L.ndim != 1:
        raise ValueError(f"logits must be 1-D (one next-token law), got shape {L.shape}")
    lp = _normalise(L)
    lq = decode(L, temperature=temperature, top_k=top_k, top_p=top_p, greedy=greedy)
    fin = np.isfinite(lq)
    return DecodingCost(
        entropy=logprob_entropy(lq, base=base),
        entropy_before=logprob_entropy(lp, base=base),
        kl=logprob_kl(lq, lp, base=base),
        mass_kept=float(np.exp(logsumexp(lp[fin]))),
        support=int(fin.sum()),
    )


# ==============================================================================================
# The LLM as a channel with feedback and state
# ==============================================================================================


def interleave(inputs, outputs) -> np.ndarray:
    r"""The context :math:`x_1 y_1 x_2 y_2 \dots` an LLM reads when inputs and its own outputs alternate.

    ``len(inputs)`` must equal ``len(outputs)`` or exceed it by one (the context just before :math:`y_t`
    is ``interleave(x^t, y^{t-1})``).  Chapter 4.

    Parameters
    ----------
    inputs : array_like of int, shape (m,)
        Input tokens :math:`x_1 \dots x_m`.
    outputs : array_like of int, shape (m,) or (m - 1,)
        Output tokens :math:`y_1 \dots`.

    Returns
    -------
    numpy.ndarray of int64, shape (len(inputs) + len(outputs),)
        The interleaved context (token ids).
    """
    x, y = as_array(inputs, "inputs").reshape(-1), as_array(outputs, "outputs").reshape(-1)
    for arr, name in ((x, "inputs"), (y, "outputs")):
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0):
            raise ValueError(f"{name} must hold non-negative integer token ids")
    x, y = x.astype(np.int64), y.astype(np.int64)
    if not (len(x) == len(y) or len(x) == len(y) + 1):
        raise ValueError(f"inputs must have len(outputs) or len(outputs) + 1 tokens, got {len(x)} and {len(y)}")
    out = np.empty(len(x) + len(y), dtype=np.int64)
    out[0::2] = x
    out[1::2] = y
    return out


def _check_pmf_vector(q, V: int, name: str) -> np.ndarray:
    q = as_pmf(q, name, ndim=1)
    if q.size != V:
        raise ValueError(f"{name} must be a pmf over the {V} tokens, got {q.size} entries")
    return q


def iid_inputs(q) -> Callable:
    r"""Input policy of i.i.d. tokens :math:`P(x_t \mid x^{t-1}, y^{t-1}) = q(x_t)`: a prompt without feedback.  Chapter 4.

    Parameters
    ----------
    q : array_like, shape (V,)
        The pmf of every input token.

    Returns
    -------
    callable
        ``policy(x_hist, y_hist) -> q`` (a pmf; attribute ``vocab`` = V).
    """
    q = as_pmf(q, "q", ndim=1)

    def policy(x_hist, y_hist):
        return q

    policy.vocab = q.size
    return policy


def echo_inputs(q, repeat) -> Callable:
    r"""A feedback input policy: :math:`x_1 \sim q`; then :math:`x_t = y_{t-1}` with probability ``repeat``, else a fresh draw from ``q``.

    :math:`P(x_t \mid x^{t-1}, y^{t-1}) = (1-\lambda)\,q(x_t) + \lambda\,\ind[x_t = y_{t-1}]`.  A user who
    quotes the model's last token back to it; ``repeat = 0`` is :func:`iid_inputs` (no feedback).
    Chapter 4.

    Parameters
    ----------
    q : array_like, shape (V,)
        The pmf of a fresh input token.
    repeat : float
        :math:`\lambda \in [0, 1]`, the probability of quoting the last output.

    Returns
    -------
    callable
        ``policy(x_hist, y_hist) -> pmf`` over the V tokens.
    """
    q = as_pmf(q, "q", ndim=1)
    lam = check_probability(repeat, "repeat")

    def policy(x_hist, y_hist):
        if len(y_hist) == 0:
            return q
        out = (1 - lam) * q
        out[int(y_hist[-1])] += lam
        return out

    policy.vocab = q.size
    return policy


def lm_inputs(model, *, feedback: bool) -> Callable:
    r"""Inputs produced by another language model ``model`` (a user, an environment, a second agent).

    ``feedback=False``: :math:`P(x_t \mid x^{t-1})`, the model reads only past inputs (a prompt source that
    ignores the replies).  ``feedback=True``: :math:`P(x_t \mid x_1 y_1 \dots x_{t-1} y_{t-1})`, it reads the
    whole transcript and reacts to the replies.  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The user, itself a language model.
    feedback : bool, keyword-only
        Whether the user reads the model's replies (True) or only its own past inputs (False).

    Returns
    -------
    callable
        ``policy(x_hist, y_hist) -> pmf`` over the model's tokens.
    """
    model = check_model(model)
    if not isinstance(feedback, (bool, np.bool_)):
        raise ValueError(f"feedback must be True or False, got {feedback!r}")

    def policy(x_hist, y_hist):
        ctx = interleave(x_hist, y_hist) if feedback else np.asarray(x_hist, dtype=np.int64)
        return model.next_token_probs(ctx)

    policy.vocab = model.vocab_size
    return policy


def _as_policy(policy, V: int) -> Callable:
    if callable(policy):
        if getattr(policy, "vocab", V) != V:
            raise ValueError(f"policy draws from {policy.vocab} tokens but the model has {V}")
        return policy
    q = _check_pmf_vector(policy, V, "policy")
    return iid_inputs(q)


def _policy_pmf(policy, x_hist, y_hist, V: int) -> np.ndarray:
    q = np.asarray(policy(np.asarray(x_hist, dtype=np.int64), np.asarray(y_hist, dtype=np.int64)), dtype=float)
    return _check_pmf_vector(q, V, "policy(x_hist, y_hist)")


class Transcript(NamedTuple):
    r"""One simulated interaction: ``inputs`` :math:`x^n`, ``outputs`` :math:`y^n`, the ``context`` the model read
    (prompt then :math:`x_1 y_1 \dots x_n y_n`), and ``states``: the model's state after each output (list of n).

    Attributes
    ----------
    inputs : numpy.ndarray of int64, shape (n,)
        :math:`x^n`.
    outputs : numpy.ndarray of int64, shape (n,)
        :math:`y^n`.
    context : numpy.ndarray of int64
        The prompt, then :math:`x_1 y_1 \dots x_n y_n`.
    states : list
        The model's state after each output (n entries).
    """

    inputs: np.ndarray
    outputs: np.ndarray
    context: np.ndarray
    states: list


def simulate_interaction(model, policy, n, *, prompt: Sequence[int] = (), seed=None) -> Transcript:
    r"""Simulate ``n`` rounds of input → output through an LLM with state, deterministic under ``seed``.

    Round :math:`t`: the input process draws :math:`x_t \sim P(\cdot \mid x^{t-1}, y^{t-1})` (``policy``: a
    pmf for i.i.d. inputs, or a callable ``policy(x_hist, y_hist) -> pmf``, e.g. :func:`echo_inputs`); the state
    absorbs it, :math:`S \leftarrow f(S, x_t)`; the model draws :math:`y_t \sim P(\cdot \mid S)`; the state
    absorbs its own output, :math:`S \leftarrow f(S, y_t)` (the feedback of the autoregression).  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The LLM (driven through its state protocol).
    policy : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs) or ``policy(x_hist, y_hist) -> pmf``
        (e.g. :func:`echo_inputs`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    Transcript
        The inputs, outputs, context (token ids) and states.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    policy = _as_policy(policy, V)
    rng = as_rng(seed)
    pre = model.check_tokens(prompt, "prompt")
    state = model.initial_state(pre)
    xs, ys, states = [], [], []
    for _ in range(n):
        x = int(rng.choice(V, p=_policy_pmf(policy, xs, ys, V)))
        xs.append(x)
        state = model.next_state(state, x)
        lp = checked_logprobs(model.state_logprobs(state), V, "model.state_logprobs")
        y = int(rng.choice(V, p=np.exp(lp)))
        ys.append(y)
        state = model.next_state(state, y)
        states.append(state)
    x, y = np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)
    return Transcript(x, y, np.concatenate([pre, interleave(x, y)]), states)


def interaction_kernels(model, policy, n, *, prompt: Sequence[int] = ()) -> tuple[list, list]:
    r"""The input policy and the LLM channel as per-step kernels in :mod:`semtheory.directed`'s layout.

    ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1}, y^{t-1})` from ``policy``; ``channel[t-1]``
    :math:`= P(y_t \mid x^t, y^{t-1}) = P_\theta(y_t \mid \text{prompt}, x_1 y_1 \dots y_{t-1} x_t)`, the model
    read through its state.  The channel depends on its own past outputs (its state holds them); the policy
    has feedback when it depends on them too.  Every history is enumerated: :math:`V^{2t-1}` at step
    :math:`t`.  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The LLM (driven through its state protocol).
    policy : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs) or ``policy(x_hist, y_hist) -> pmf``
        (e.g. :func:`echo_inputs`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.

    Returns
    -------
    tuple of (list, list)
        ``(policy, channel)``: n kernels each, probabilities in :mod:`semtheory.directed`'s layout.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    if V ** (2 * n) > _LAW_CELLS:
        raise ValueError(f"n={n} with vocab_size={V} gives a joint law larger than {_LAW_CELLS} cells")
    policy = _as_policy(policy, V)
    walker = StateWalker(model, prompt)

    def pol_fn(t, xh, yh):
        return np.stack([_policy_pmf(policy, xh[i], yh[i], V) for i in range(xh.shape[0])])

    def ch_fn(t, xh, yh):
        return np.stack([np.exp(walker.logprobs(tuple(interleave(xh[i], yh[i]).tolist()))) for i in range(xh.shape[0])])

    pol = directed.policy_from_function(pol_fn, n, V, V)
    ch = directed.channel_from_function(ch_fn, n, V, V)
    return pol, ch


def interaction_law(model, policy, n, *, prompt: Sequence[int] = ()) -> np.ndarray:
    r"""Exact joint law :math:`P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n)` of inputs and LLM outputs.

    Built from :func:`interaction_kernels` by :func:`semtheory.directed.joint_law`; axes
    :math:`X_1..X_n, Y_1..Y_n` (each of size ``vocab_size``), ready for
    :func:`semtheory.directed.directed_information`, :func:`~semtheory.directed.sequence_mutual_information`
    and :func:`~semtheory.directed.conservation`.  With a policy that ignores past outputs,
    :math:`I(X^n \to Y^n) = I(X^n; Y^n)`; with feedback the difference is the reverse directed information.
    Chapters 4, 7.

    Parameters
    ----------
    model : LanguageModel
        The LLM (driven through its state protocol).
    policy : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs) or ``policy(x_hist, y_hist) -> pmf``
        (e.g. :func:`echo_inputs`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * (2 n)
        The joint pmf of :math:`(X^n, Y^n)` (probabilities), axes :math:`X_1 \dots X_n, Y_1 \dots Y_n`.
    """
    pol, ch = interaction_kernels(model, policy, n, prompt=prompt)
    return directed.joint_law(pol, ch)


def prompt_generation_law(model, prompt_law, n) -> np.ndarray:
    r"""Joint law of a whole prompt :math:`X` (drawn first) and the ``n`` tokens :math:`Y^n` generated after it.

    ``prompt_law`` is a pmf over prompts of length :math:`m`, shape ``(V,) * m``.  The result is in
    :mod:`semtheory.directed`'s layout with the prompt as the single input symbol :math:`X_1` (an axis of size
    :math:`V^m`, prompts in C order), :math:`X_2, \dots, X_n` constant (axes of size 1) and :math:`Y_1..Y_n`:
    :math:`P(x, y^n) = P(x) \prod_t P_\theta(y_t \mid x, y^{t-1})`.  Since the prompt is fixed before any
    output, there is no feedback: :math:`I(X^n \to Y^n) = I(X; Y^n)`, and the per-step terms
    :math:`I(X; Y_t \mid Y^{t-1})` say how much of it each generated token carries.  A
    :class:`~semtheory.transformer.Transformer` whose window holds prompt and generation is read once per
    position, all prompts and continuations in one batch (:func:`semtheory.semantic.next_token_table` at the last
    prefix); any other model walks :func:`sequence_law` prompt by prompt.  Chapters 4, 7.

    Parameters
    ----------
    model : LanguageModel
        The LLM.
    prompt_law : array_like, shape (V,) * m
        The pmf of the prompt :math:`X^m`.
    n : int
        Number of generated tokens, >= 1.

    Returns
    -------
    numpy.ndarray of float
        The joint pmf of prompt and generation (probabilities), in :mod:`semtheory.directed`'s layout:
        shape ``(V**m,) + (1,) * (n - 1) + (V,) * n``.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    q = as_pmf(prompt_law, "prompt_law")
    if any(s != V for s in q.shape):
        raise ValueError(f"prompt_law must have shape (V,)*m with V = {V}, got {q.shape}")
    m = q.ndim
    if q.size * V**n > _LAW_CELLS:
        raise ValueError(f"prompt_law and n={n} give more than {_LAW_CELLS} cells")
    prompts = np.indices(q.shape).reshape(m, -1).T
    if _batchable(model, m + n - 1):
        rows = np.exp(_batched_logw(model, prompts, n))
    else:
        rows = np.stack([sequence_law(model, n, prompt=pr) for pr in prompts])
    law = q.reshape(-1, *([1] * n)) * rows
    return law.reshape((q.size,) + (1,) * (n - 1) + (V,) * n)


def _batchable(model, length: int) -> bool:
    """A Transformer whose window holds ``length`` tokens after BOS can be read in batched causal passes."""
    import sys

    tmod = sys.modules.get("semtheory.transformer")  # a Transformer exists only if its module was imported
    return tmod is not None and isinstance(model, tmod.Transformer) and length + 1 <= model.context_length


_BATCH_TABLE_CELLS = 2**23  # largest table (rows x positions x V) read in one causal pass by _batched_logw


def _batched_logw(model, prompts: np.ndarray, n: int) -> np.ndarray:
    r"""Natural-log law :math:`\ln P(y^n \mid x)` of the ``n`` tokens after each row ``x`` of ``prompts`` (K, m).

    Shape ``(K,) + (V,) * n``.  One causal pass over the :math:`K V^{n-1}` rows ``(x, y^{n-1})`` gives the
    next-token law after every prefix (``semantic.next_token_table``); the law of :math:`y_{t+1}` given
    :math:`y^t` is read from the row that continues :math:`y^t` with zeros, so every history uses one law
    and the result sums to 1 to double round-off.  A table larger than :data:`_BATCH_TABLE_CELLS` cells is
    built once per position instead (:math:`K V^t` rows at step :math:`t`).
    """
    from .core.tables import next_token_table

    V = model.vocab_size
    K, m = prompts.shape
    if K * V**n * n > _BATCH_TABLE_CELLS:
        logw = np.zeros(K)
        for t in range(n):  # one batched pass per position over every (prompt, y^t)
            ys = np.indices((V,) * t).reshape(t, -1).T if t else np.zeros((1, 0), dtype=np.int64)
            ctx = np.concatenate([np.repeat(prompts, len(ys), axis=0), np.tile(ys, (K, 1))], axis=1)
            logw = (logw[:, None] + _batched_logprobs(model, ctx)).reshape(-1)
        return logw.reshape((K,) + (V,) * n)
    ys = np.indices((V,) * (n - 1)).reshape(n - 1, -1).T if n > 1 else np.zeros((1, 0), dtype=np.int64)
    ctx = np.concatenate([np.repeat(prompts, len(ys), axis=0), np.tile(ys, (K, 1))], axis=1)
    tab = _normalised(next_token_table(model, ctx, start=m)).reshape((K,) + (V,) * (n - 1) + (n, V))
    logw = np.zeros((K,) + (V,) * n)
    for t in range(n):
        lt = tab[(slice(None),) * (t + 1) + (0,) * (n - 1 - t) + (t,)]  # (K,) + (V,)*t + (V,): y_{t+1} | x, y^t
        logw += lt.reshape(lt.shape + (1,) * (n - 1 - t))
    return logw


def _normalised(lp: np.ndarray) -> np.ndarray:
    """``lp`` after checking every last-axis row is a normalised log-pmf (to :data:`NORM_ATOL`).

    The rows are log-softmaxes (every entry <= 0 up to round-off), so ``log(sum(exp))`` cannot overflow; a NaN
    or +inf fails the check.
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = np.log(np.exp(lp).sum(axis=-1))
    if not np.all(np.abs(z) <= NORM_ATOL):
        raise ValueError("model returned next-token log-laws that are not normalised")
    return lp


def _batched_logprobs(model, ctx: np.ndarray) -> np.ndarray:
    """Next-token log-laws after every row of ``ctx`` (B, L), in one batched pass; rows checked as log-pmfs."""
    from .core.tables import next_token_table

    return _normalised(next_token_table(model, ctx, start=ctx.shape[1])[:, 0])


register_batched_route(_batchable, _batched_logw)  # sequence_law (core) reads a Transformer in batched passes
