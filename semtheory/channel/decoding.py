r"""Decoding maps (chapter 4): temperature, top-k, top-p, greedy, min-p and typical decoding as maps from
logits to a normalised log-pmf, the (entropy, KL) frontier of the tempered laws, and what a decoding map costs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp

from .._validate import as_logits, check_int, check_positive, check_probability, log_base
from ._common import as_logpmf, decode_kwargs, entropy_nats
from .boltzmann_form import boltzmann_logprobs
from .logdomain import logprob_entropy, logprob_kl

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


def temperature_map(logits: ArrayLike, temperature: float) -> FloatArray:
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
    return boltzmann_logprobs(-as_logits(logits), temperature)


def _normalise(L: np.ndarray) -> np.ndarray:
    return L - logsumexp(L, axis=-1, keepdims=True)


def _sorted_desc(L: np.ndarray) -> np.ndarray:
    """Indices sorting the last axis by decreasing logit, ties broken by the lower token id (stable)."""
    return np.argsort(-L, axis=-1, kind="stable")


def top_k_map(logits: ArrayLike, k: int) -> FloatArray:
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
    L = as_logits(logits)
    k = check_int(k, "k", minimum=1)
    order = _sorted_desc(L)
    rank = np.argsort(order, axis=-1)  # inverse permutation: rank[v] = position of token v
    keep = (rank < k) & np.isfinite(L)
    return _normalise(np.where(keep, L, -np.inf))


def top_p_map(logits: ArrayLike, top_p: float) -> FloatArray:
    r"""Top-p (nucleus) truncation: keep the smallest set of most probable tokens whose mass reaches ``top_p``, **renormalised explicitly**.

    Sort tokens by decreasing probability (ties: lower token id first) and keep token :math:`v` iff the mass
    of the tokens ranked before it is :math:`< p` (within :math:`10^{-12}`, so a boundary hit exactly stops
    there).  Then :math:`q(v) = p(v)\ind[v \in S_p]/p(S_p)` with :math:`p(S_p) \ge p`; the most probable token
    is always kept and ``p = 1`` keeps every unmasked token.  ``top_p`` must lie in :math:`(0, 1]`.  Cumulative
    masses are accumulated in the log domain (``logaddexp``).  Returns a normalised log-pmf.  Chapter 4.

    Parameters
    ----------
    logits : array_like of float, shape (..., V)
        Logits on the last axis (a log-pmf is valid input); ``-inf`` masks a token.
    top_p : float
        The nucleus mass, in :math:`(0, 1]`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    L = as_logits(logits)
    pv = check_probability(top_p, "top_p", low_open=True)
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


def greedy_map(logits: ArrayLike) -> FloatArray:
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
    L = as_logits(logits)
    top = L == np.max(L, axis=-1, keepdims=True)
    return _normalise(np.where(top, 0.0, -np.inf))


def min_p_map(logits: ArrayLike, p_min: float) -> FloatArray:
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
    L = as_logits(logits)
    pm = check_probability(p_min, "p_min", low_open=True)
    keep = np.isfinite(L) & (L >= np.max(L, axis=-1, keepdims=True) + math.log(pm) - 1e-12)
    return _normalise(np.where(keep, L, -np.inf))


def typical_map(logits: ArrayLike, mass: float) -> FloatArray:
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
    L = as_logits(logits)
    if L.ndim != 1:
        raise ValueError(f"logits must be 1-D (one next-token law), got shape {L.shape}")
    tau = check_probability(mass, "mass", low_open=True)
    lp = _normalise(L)
    fin = np.isfinite(lp)
    H = float(entropy_nats(lp))
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


def tempered_at_entropy(logits: ArrayLike, entropy: float, *, base: float = 2) -> float:
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
    L = as_logits(logits)
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
        return float(entropy_nats(_normalise(Lf / math.exp(logT)))) - h

    a, b = -1.0, 1.0
    while gap(a) > 0:
        a *= 2
    while gap(b) < 0:
        b *= 2
    return math.exp(brentq(gap, a, b, xtol=1e-14, rtol=1e-14))


def frontier_gap(logits: ArrayLike, logq: ArrayLike, *, base: float = 2) -> float:
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
    L = as_logits(logits)
    Q = as_logpmf(logq, "logq")
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



def decode(logits: ArrayLike, *, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
           greedy: bool = False) -> FloatArray:
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
    kw = decode_kwargs(temperature, top_k, top_p, greedy)
    L = as_logits(logits)
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


def decoding_cost(logits: ArrayLike, *, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
                  greedy: bool = False, base: float = 2) -> DecodingCost:
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
    L = as_logits(logits)
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
