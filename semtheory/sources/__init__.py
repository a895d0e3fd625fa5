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
"""

from __future__ import annotations

import bisect
import math
from typing import NamedTuple, Sequence

import numpy as np
from scipy.special import xlogy

from ._validate import as_array as _asarray
from ._validate import as_float, as_pmf, as_rng, as_stochastic, check_int, check_positive, log_base
from .core.law import MAX_CELLS
from .core.models import LanguageModel, MarkovLM, check_model, sequence_law

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

_MAX_STATES = 2048  # largest state space (V**k for an order-k chain) whose stationary law is solved densely
_SANDWICH_CELLS = 2**22  # table budget (S * S * V**n) that sets the default n of the exact HMM sandwich


def english_corpus(max_chars: int | None = None) -> str:
    """The book's real English text: the help topics that ship with every CPython (``pydoc_data.topics``).

    About half a megabyte of English prose (the Python language reference, as shown by ``help()``), read from the
    standard library without any network access.  Topics are concatenated in sorted key order, so the
    text is the same on every run for a given Python version.  ``max_chars`` truncates it.  Chapters 1, 9, 10.

    Parameters
    ----------
    max_chars : int or None, default None
        Keep the first ``max_chars`` characters (None: the whole text).

    Returns
    -------
    str
        The text.
    """
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[k].strip() for k in sorted(topics))
    if max_chars is not None:
        text = text[: check_int(max_chars, "max_chars", minimum=1)]
    return text


# ==============================================================================================
# Stationary laws
# ==============================================================================================


def stationary_distribution(transition) -> np.ndarray:
    r"""The unique stationary law :math:`\pi = \pi P`, :math:`\sum_i \pi_i = 1`, of a row-stochastic matrix.

    Solved directly (least squares on the stacked system :math:`[P^\T - I;\ \mathbf 1^\T]\,\pi = [0; 1]`, which
    has full column rank exactly when :math:`\pi` is unique), not by power iteration, so periodic chains are
    fine.  Raises ``ValueError`` if that system is rank-deficient, which happens exactly when the chain has
    more than one closed communicating class (then the stationary law is not unique).  Chapter 1.

    Parameters
    ----------
    transition : array_like, shape (S, S)
        A row-stochastic matrix.

    Returns
    -------
    numpy.ndarray of float, shape (S,)
        The stationary pmf (probabilities).

    Examples
    --------
    >>> from semtheory.sources import stationary_distribution
    >>> stationary_distribution([[0.9, 0.1], [0.2, 0.8]]).round(4).tolist()
    [0.6667, 0.3333]
    """
    P = as_stochastic(transition, "transition")
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"transition must be a square matrix, got shape {P.shape}")
    S = P.shape[0]
    if S > _MAX_STATES:
        raise ValueError(f"transition has {S} states, more than {_MAX_STATES}")
    A = np.vstack([P.T - np.eye(S), np.ones((1, S))])
    b = np.zeros(S + 1)
    b[-1] = 1.0
    pi, _, rank, _ = np.linalg.lstsq(A, b, rcond=None)
    if rank < S:  # the null space of P^T - I has one dimension per closed class
        raise ValueError(f"transition has {S - rank + 1} closed classes: its stationary law is not unique")
    pi = np.where(pi < 0, 0.0, pi)  # round-off only: a stationary law is >= 0
    return pi / pi.sum()


def lifted_transition(transition) -> np.ndarray:
    r"""An order-:math:`k` table as a first-order chain on the :math:`V^k` states :math:`(v_1, \dots, v_k)`.

    :math:`M[(v_1 \dots v_k), (v_2 \dots v_k v)] = T[v_1, \dots, v_k, v]`, states in C order (the index of
    :math:`(v_1 \dots v_k)` is :math:`\sum_i v_i V^{k-i}`); every other entry is 0.  The stationary law of
    an order-:math:`k` source is the stationary law of this chain (:class:`MarkovSource`).  Chapter 1.

    Parameters
    ----------
    transition : array_like, shape (V,) * (k + 1)
        ``transition[v_1, ..., v_k, v]`` :math:`= P(x_t = v \mid v_1 \dots v_k)`; every last-axis slice a pmf.

    Returns
    -------
    numpy.ndarray of float, shape (V**k, V**k)
        A row-stochastic matrix (probabilities).

    Examples
    --------
    >>> from semtheory.sources import lifted_transition
    >>> lifted_transition([[0.9, 0.1], [0.2, 0.8]]).tolist()
    [[0.9, 0.1], [0.2, 0.8]]
    """
    T = as_stochastic(transition, "transition")
    V, k = T.shape[-1], T.ndim - 1
    if any(s != V for s in T.shape):
        raise ValueError(f"transition must have every axis of length V = {V} (shape (V,)*(k+1)), got {T.shape}")
    if V**k > _MAX_STATES:
        raise ValueError(f"transition of order {k} over {V} symbols has {V**k} states, more than {_MAX_STATES}")
    S = V**k
    M = np.zeros((S, S))
    flat = T.reshape(S, V)
    nxt = (np.arange(S)[:, None] * V + np.arange(V)[None, :]) % S
    np.put_along_axis(M, nxt, flat, axis=1)
    return M




def _cum_rows(P: np.ndarray) -> list:
    c = np.cumsum(P, axis=-1)
    c[:, -1] = 1.0 + 1e-12  # so that a uniform draw in [0, 1) always lands in a row
    return [list(r) for r in c]


def _check_n(n) -> int:
    return check_int(n, "n", minimum=0)


def _check_temperature(temperature) -> float:
    return check_positive(temperature, "temperature")


# ==============================================================================================
# Markov and i.i.d. sources
# ==============================================================================================


class MarkovSource(MarkovLM):
    r"""A stationary Markov source of order :math:`k` over :math:`V` symbols (a :class:`~semtheory.channel.MarkovLM`).

    ``transition`` has :math:`k+1` axes of length :math:`V`, ``transition[s_1..s_k, v]``
    :math:`= P(X_t = v \mid X_{t-k}^{t-1} = s)`; order 1 is a :math:`V \times V` row-stochastic matrix and
    order 0 (a single pmf) an i.i.d. source.  The first :math:`k` symbols are drawn from the stationary law
    ``stationary`` (shape :math:`(V,)^k`), so the process is stationary and its entropy rate is

    .. math:: \mathcal H = \lim_n \tfrac1n H(X^n) = H(X_{k+1} \mid X^k) = \sum_s \pi(s)\, H(P(\cdot \mid s)).

    Exposes ``transition``, ``order``, ``vocab_size``, ``stationary``, :meth:`entropy_rate`, fast seeded
    :meth:`sample` and vectorised :meth:`token_logprobs`.  Chapters 1, 4, 7, 14.

    Parameters
    ----------
    transition : array_like, shape (V,) * (k + 1)
        The transition table; every last-axis slice a pmf; the stationary law must be unique.

    Attributes
    ----------
    transition : numpy.ndarray
        The table (probabilities).
    order : int
        :math:`k`.
    vocab_size : int
        :math:`V`.
    stationary : numpy.ndarray, shape (V,) * k
        The stationary law of the first :math:`k` symbols (probabilities).
    """

    def __init__(self, transition):
        T = as_stochastic(transition, "transition")
        V = T.shape[-1]
        if any(s != V for s in T.shape):
            raise ValueError(f"transition must have every axis of length V = {V} (shape (V,)*(k+1)), got {T.shape}")
        k = T.ndim - 1
        if k == 0:
            pi = T.copy()
        else:
            if V**k > _MAX_STATES:
                raise ValueError(f"transition of order {k} over {V} symbols has {V**k} states, more than {_MAX_STATES}")
            try:
                pi = stationary_distribution(lifted_transition(T)).reshape((V,) * k)
            except ValueError as exc:
                raise ValueError(f"transition: {exc}") from None
        super().__init__(T, initial=None if k == 0 else pi)
        self.stationary = pi

    @classmethod
    def two_state(cls, a, b) -> "MarkovSource":
        r"""The two-state chain :math:`P = \begin{pmatrix} 1-a & a \\ b & 1-b \end{pmatrix}` (flip probabilities ``a``, ``b``).

        Stationary law :math:`\pi = (b, a)/(a+b)`, entropy rate :math:`(b\,h(a) + a\,h(b))/(a+b)`.  Chapter 1.
        """
        from ._validate import check_probability

        a = check_probability(a, "a")
        b = check_probability(b, "b")
        if a + b == 0:
            raise ValueError("a and b must not both be 0 (the chain would not have a unique stationary law)")
        return cls(np.array([[1 - a, a], [b, 1 - b]]))

    def entropy_rate(self, *, base=2) -> float:
        r""":math:`\mathcal H = \sum_s \pi(s) H(P(\cdot \mid s))` in units of ``base`` (exact).  Chapter 1."""
        lb = log_base(base)
        if self.order == 0:
            return float(-xlogy(self.transition, self.transition).sum() / lb)
        V = self.vocab_size
        rows = self.transition.reshape(-1, V)
        h_rows = -xlogy(rows, rows).sum(axis=1) / lb
        return float(self.stationary.reshape(-1) @ h_rows)

    # MarkovLM (channel.py) slices ``s[len(s) - order:]``, which drops tokens while len(s) < order - 1 (a negative
    # start); the state must be the last min(order, len(s)) tokens.  Overridden here so that exact laws
    # (channel.sequence_law) of sources of order >= 3 start in the stationary law.
    def initial_state(self, prompt=()):
        """The last ``min(order, len(prompt))`` tokens of the prompt.  Chapter 1."""
        ctx = tuple(int(v) for v in self.check_tokens(prompt, "prompt"))
        return ctx[max(0, len(ctx) - self.order) :]

    def next_state(self, state, token):
        """Append ``token`` and keep the last ``min(order, len)`` tokens.  Chapter 1."""
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        s = tuple(state) + (tok,)
        return s[max(0, len(s) - self.order) :]

    def _fast(self, prompt, temperature) -> bool:
        return len(np.asarray(prompt).reshape(-1)) == 0 and _check_temperature(temperature) == 1.0

    def sample(self, n, *, prompt: Sequence[int] = (), seed=None, temperature: float = 1.0) -> np.ndarray:
        r"""``n`` symbols of the stationary source, deterministic under ``seed`` (fast path).

        With a ``prompt`` or a ``temperature`` other than 1 this is
        :meth:`LanguageModel.sample <semtheory.channel.LanguageModel.sample>`.  Chapter 1.
        """
        n = _check_n(n)
        if not self._fast(prompt, temperature):
            return super().sample(n, prompt=prompt, seed=seed, temperature=temperature)
        rng = as_rng(seed)
        V, k = self.vocab_size, self.order
        if k == 0:
            return rng.choice(V, size=n, p=self.transition).astype(np.int64)
        S = V**k
        out = np.empty(n, dtype=np.int64)
        s = int(rng.choice(S, p=self.stationary.reshape(-1)))
        head = np.array(np.unravel_index(s, (V,) * k), dtype=np.int64)
        m = min(n, k)
        out[:m] = head[:m]
        if n <= k:
            return out
        cum = _cum_rows(self.transition.reshape(S, V))
        u = rng.random(n - k).tolist()
        for t, ut in enumerate(u):
            v = bisect.bisect_right(cum[s], ut)
            out[k + t] = v
            s = (s * V + v) % S
        return out

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token :math:`\log P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), vectorised past the first :math:`k` positions.  Chapter 1."""
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        k, start = self.order, len(p)
        out = np.empty(len(s))
        head = range(start, min(k, len(full)))
        for t in head:
            out[t - start] = self.next_token_logprobs(full[:t])[full[t]]
        t0 = max(k, start)
        if t0 < len(full):
            idx = tuple(full[t0 - k + j : len(full) - k + j] for j in range(k + 1))
            out[t0 - start :] = self._log_transition[idx]
        return out / lb


class IIDSource(MarkovSource):
    r"""An i.i.d. source :math:`X_t \sim p`: entropy rate :math:`H(p)`.  A :class:`MarkovSource` of order 0.  Chapter 1.

    Parameters
    ----------
    p : array_like, shape (V,)
        The pmf of every symbol.
    """

    def __init__(self, p):
        super().__init__(as_pmf(p, "p", ndim=1))

    @classmethod
    def random(cls, vocab_size, *, seed=None, concentration=1.0) -> "IIDSource":
        """An i.i.d. source whose pmf is drawn from Dirichlet(``concentration``), deterministic under ``seed``.  Chapter 1."""
        V = check_int(vocab_size, "vocab_size", minimum=1)
        a = check_positive(concentration, "concentration")
        p = as_rng(seed).dirichlet(np.full(V, a))
        return cls(p / p.sum())


# ==============================================================================================
# Hidden Markov sources
# ==============================================================================================


class SandwichBounds(NamedTuple):
    r"""The Cover–Thomas bounds for ``n = 1..n_max``: ``lower[i]`` :math:`= H(Y_n \mid Y^{n-1}, S_1)`,
    ``upper[i]`` :math:`= H(Y_n \mid Y^{n-1})` at ``n[i]``, and ``gap = upper - lower``.  Chapter 1.

    Attributes
    ----------
    n : numpy.ndarray of int
        The block lengths ``1..n_max``.
    lower : numpy.ndarray of float
        :math:`H(Y_n \mid Y^{n-1}, S_1)`, units of ``base``.
    upper : numpy.ndarray of float
        :math:`H(Y_n \mid Y^{n-1})`, units of ``base``.
    gap : numpy.ndarray of float
        ``upper - lower``, units of ``base``.
    """

    n: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        r"""``upper - lower`` :math:`= I(S_1; Y_n \mid Y^{n-1}) \ge 0`.  Chapter 1."""
        return self.upper - self.lower


class HiddenMarkovSource(LanguageModel):
    r"""A stationary hidden Markov source: hidden :math:`S_{t+1} \sim A(S_t, \cdot)`, observed :math:`Y_t \sim B(S_t, \cdot)`.

    ``transition`` :math:`A` is :math:`S \times S`, ``emission`` :math:`B` is :math:`S \times V` (rows are
    pmfs); :math:`S_1 \sim \pi`, the stationary law of :math:`A`, so :math:`(Y_t)` is stationary.  As a
    :class:`~semtheory.channel.LanguageModel` over the :math:`V` output symbols it predicts with the forward
    filter; its *state* is the belief :math:`P(S_{t+1} \mid y^t)` over the hidden states, a fixed-size state
    (the finite-state channel of chapter 15).  The entropy rate has no closed form:
    :meth:`entropy_rate_bounds` gives the exact sandwich.  Chapters 1, 14, 15.

    Parameters
    ----------
    transition : array_like, shape (S, S)
        Hidden-state transition matrix :math:`A` (rows pmfs).
    emission : array_like, shape (S, V)
        Emission matrix :math:`B` (rows pmfs).

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    """

    def __init__(self, transition, emission):
        A = as_stochastic(transition, "transition")
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"transition must be a square matrix, got shape {A.shape}")
        B = as_stochastic(emission, "emission")
        if B.ndim != 2 or B.shape[0] != A.shape[0]:
            raise ValueError(f"emission must have shape ({A.shape[0]}, V), got {B.shape}")
        try:
            pi = stationary_distribution(A)
        except ValueError as exc:
            raise ValueError(f"transition: {exc}") from None
        self.transition = A
        self.emission = B
        self.stationary = pi
        self.hidden_states = A.shape[0]
        self.vocab_size = B.shape[1]

    # -- the forward filter as a state ------------------------------------------------------------

    def initial_state(self, prompt: Sequence[int] = ()):
        """Predictive belief :math:`P(S_{t+1} \\mid \\text{prompt})` over the hidden states (an array).  Chapter 1."""
        b = self.stationary.copy()
        for y in self.check_tokens(prompt, "prompt").tolist():
            b = self._update(b, y)
        return b

    def _update(self, belief: np.ndarray, y: int) -> np.ndarray:
        w = belief * self.emission[:, y]
        z = w.sum()
        if z <= 0:  # an impossible context: it never carries weight; fall back to the stationary belief
            return self.stationary.copy()
        return (w / z) @ self.transition

    def next_state(self, state, token):
        """Bayes update of the belief by ``token``, then one step of the hidden chain.  Chapter 1."""
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return self._update(as_float(state, "state"), tok)

    def state_logprobs(self, state) -> np.ndarray:
        r"""Next-symbol law :math:`\ln \sum_s b(s) B(s, \cdot)` from a belief :math:`b` over the hidden states.  Chapter 1."""
        with np.errstate(divide="ignore"):
            return np.log(as_float(state, "state") @ self.emission)

    def next_token_logprobs(self, context) -> np.ndarray:
        r""":math:`\ln P(y_t \mid y^{t-1}) = \ln \sum_s P(S_t = s \mid y^{t-1}) B(s, y_t)` by the forward filter.  Chapter 1."""
        return self.state_logprobs(self.initial_state(context))

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token :math:`\log P(y_t \mid \text{prompt}, y^{t-1})` (units of ``base``, bits by default) in one forward pass (linear in the length).  Chapter 1."""
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        b = self.initial_state(prompt)
        B = self.emission
        out = np.empty(len(s))
        with np.errstate(divide="ignore"):
            for t, y in enumerate(s.tolist()):
                py = float(b @ B[:, y])
                out[t] = math.log(py) if py > 0 else -math.inf
                b = self._update(b, y)
        return out / lb

    # -- sampling ---------------------------------------------------------------------------------

    def sample_with_states(self, n, *, seed=None) -> tuple[np.ndarray, np.ndarray]:
        """``(states, outputs)``: ``n`` hidden states and their emissions, deterministic under ``seed``.  Chapter 1."""
        n = _check_n(n)
        rng = as_rng(seed)
        states = np.empty(n, dtype=np.int64)
        if n:
            s = int(rng.choice(self.hidden_states, p=self.stationary))
            cum = _cum_rows(self.transition)
            u = rng.random(n - 1).tolist()
            states[0] = s
            for t, ut in enumerate(u):
                s = bisect.bisect_right(cum[s], ut)
                states[t + 1] = s
        cb = np.cumsum(self.emission, axis=1)
        cb[:, -1] = 1.0 + 1e-12
        u2 = rng.random(n)
        outputs = (u2[:, None] >= cb[states]).sum(axis=1).astype(np.int64)
        return states, outputs

    def sample(self, n, *, prompt: Sequence[int] = (), seed=None, temperature: float = 1.0) -> np.ndarray:
        """``n`` observed symbols, deterministic under ``seed`` (fast path without a prompt at temperature 1).  Chapter 1."""
        n = _check_n(n)
        if len(np.asarray(prompt).reshape(-1)) or _check_temperature(temperature) != 1.0:
            return super().sample(n, prompt=prompt, seed=seed, temperature=temperature)
        return self.sample_with_states(n, seed=seed)[1]

    # -- the entropy-rate sandwich ----------------------------------------------------------------

    def max_sandwich_n(self) -> int:
        """Largest ``n`` for which :meth:`entropy_rate_bounds` fits its exact table (:math:`S^2 V^n \\le 2^{22}`).  Chapter 1."""
        S, V = self.hidden_states, self.vocab_size
        if V == 1:
            return 64
        n = 0
        while S * S * V ** (n + 1) <= _SANDWICH_CELLS:
            n += 1
        return max(n, 1)

    def entropy_rate_bounds(self, n_max, *, base=2) -> SandwichBounds:
        r"""The exact sandwich :math:`H(Y_n \mid Y^{n-1}, S_1) \le \mathcal H(\mathcal Y) \le H(Y_n \mid Y^{n-1})` for :math:`n = 1..n_{\max}`.

        Cover & Thomas (Thm 4.5.1 in the 2nd edition): the lower bound is non-decreasing, the upper bound
        non-increasing, and both converge to the entropy rate.  Computed exactly by the forward algorithm on
        every output sequence: :math:`F_n(y^n, s) = P(y^n, S_{n+1} = s)` and, for each start state,
        :math:`G_n(s_1, y^n, s) = P(y^n, S_{n+1} = s \mid S_1 = s_1)`; each conditional entropy is a single sum
        of log-ratios, e.g. :math:`H(Y_n \mid Y^{n-1}) = -\sum P(y^n) \log \frac{P(y^n)}{P(y^{n-1})}`.
        Cost and memory :math:`\propto S^2 V^n` (``n_max`` at most :meth:`max_sandwich_n`).  Units of
        ``base``.  Chapter 1.
        """
        lb = log_base(base)
        n_max = check_int(n_max, "n_max", minimum=1, maximum=self.max_sandwich_n())
        A, B, pi = self.transition, self.emission, self.stationary
        S, V = self.hidden_states, self.vocab_size
        F = pi[None, :]  # (V^{t}, S): P(y^t, S_{t+1})
        G = np.eye(S)[:, None, :]  # (S1, V^t, S): P(y^t, S_{t+1} | S_1)
        pF = np.ones(1)
        pG = np.ones((S, 1))
        lower, upper = np.empty(n_max), np.empty(n_max)
        for t in range(n_max):
            F = ((F[:, None, :] * B.T[None, :, :]) @ A).reshape(-1, S)
            G = ((G[:, :, None, :] * B.T[None, None, :, :]) @ A).reshape(S, -1, S)
            qF, qG = F.sum(-1), G.sum(-1)
            prevF = np.repeat(pF, V)
            prevG = np.repeat(pG, V, axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                upper[t] = -(xlogy(qF, qF) - xlogy(qF, prevF)).sum() / lb
                cond = -(xlogy(qG, qG) - xlogy(qG, prevG)).sum(axis=1) / lb
            lower[t] = float(pi @ cond)
            pF, pG = qF, qG
        return SandwichBounds(np.arange(1, n_max + 1), lower, upper)

    def entropy_rate(self, *, base=2, n=None) -> float:
        r"""Estimate of the entropy rate: the midpoint of the sandwich at ``n`` (default ``min(16, max_sandwich_n())``).

        Not closed-form: the error is at most half of ``entropy_rate_bounds(n).gap[-1]``.  Units of ``base``.
        Chapter 1.
        """
        cap = self.max_sandwich_n()
        n = min(16, cap) if n is None else check_int(n, "n", minimum=1, maximum=cap)
        b = self.entropy_rate_bounds(n, base=base)
        return float((b.lower[-1] + b.upper[-1]) / 2)


# ==============================================================================================
# n-gram models fitted to samples
# ==============================================================================================


def _as_token_array(tokens, name: str, vocab_size: int | None = None) -> np.ndarray:
    arr = _asarray(tokens, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold non-negative token ids")
    if vocab_size is not None and arr.size and arr.max() >= vocab_size:
        raise ValueError(f"{name} holds token id {arr.max()} >= vocab_size = {vocab_size}")
    return arr.astype(np.int64)


def _context_ids(x: np.ndarray, j: int, V: int, start: int) -> np.ndarray:
    """ids of the length-j contexts x[t-j:t] for t = start..len(x)-1 (requires start >= j)."""
    L = len(x) - start
    ids = np.zeros(L, dtype=np.int64)
    for i in range(j):
        ids = ids * V + x[start - j + i : start - j + i + L]
    return ids


class NGramModel(LanguageModel):
    r"""An order-:math:`k` n-gram (Markov) model fitted to ``tokens`` with additive (Lidstone) smoothing.

    .. math:: \hat P(v \mid c) = \frac{n(c, v) + \alpha}{n(c) + \alpha V}

    where :math:`c` is the last :math:`k` tokens, :math:`n(c, v)` the number of times :math:`c` was followed by
    :math:`v` in the training sequence and :math:`n(c) = \sum_v n(c, v)`; :math:`\alpha = 1` is Laplace's rule,
    :math:`\alpha > 0` always.  An unseen context gets the uniform law.  While fewer than :math:`k` tokens
    are known (the start of a sequence) the model uses the order-:math:`t` table built from the same data, so
    every position is scored.  Counts are stored sparsely (sorted keys), so :math:`V^{k+1}` may be huge
    (bytes, BPE tokens); :meth:`token_logprobs` (hence ``cross_entropy``, ``log_prob``, ``perplexity``) is
    vectorised.  Chapters 1, 14.

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        The training sequence.
    order : int
        :math:`k` >= 0.
    vocab_size : int, keyword-only
        :math:`V`.
    alpha : float, keyword-only, default 1.0
        The additive smoothing :math:`\alpha > 0`.

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    order : int
        :math:`k`.
    """

    def __init__(self, tokens, order, *, vocab_size, alpha=1.0, _tables=None):
        # ``_tables``: a dict shared by models of several orders fitted to the same tokens (ngram_cross_entropies)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        k = check_int(order, "order", minimum=0)
        self.alpha = check_positive(alpha, "alpha")
        x = _as_token_array(tokens, "tokens", V)
        if x.size == 0:
            raise ValueError("tokens must contain at least one token")
        if math.log(V) * (k + 1) >= math.log(2.0**62):
            raise ValueError(f"order={k} with vocab_size={V} gives n-gram keys beyond 64-bit integers")
        self.vocab_size, self.order, self.n_train = V, k, int(x.size)
        self._tables = []  # per j = 0..k: (sorted (ctx, v) keys, their counts, sorted ctx ids, their totals)
        for j in range(k + 1):
            if len(x) <= j:
                e = np.zeros(0, dtype=np.int64)
                self._tables.append((e, e, e, e))
                continue
            if _tables is not None and j in _tables:
                self._tables.append(_tables[j])
                continue
            ctx = _context_ids(x, j, V, j)
            keys, counts = np.unique(ctx * V + x[j:], return_counts=True)
            cids, totals = np.unique(ctx, return_counts=True)
            self._tables.append((keys, counts.astype(np.int64), cids, totals.astype(np.int64)))
            if _tables is not None:
                _tables[j] = self._tables[-1]

    @staticmethod
    def _lookup(sorted_keys: np.ndarray, values: np.ndarray, q: np.ndarray) -> np.ndarray:
        if sorted_keys.size == 0:
            return np.zeros(q.shape, dtype=np.int64)
        i = np.searchsorted(sorted_keys, q)
        i = np.minimum(i, sorted_keys.size - 1)
        return np.where(sorted_keys[i] == q, values[i], 0)

    def _logp(self, j: int, ctx: np.ndarray, v: np.ndarray) -> np.ndarray:
        keys, counts, cids, totals = self._tables[j]
        V, a = self.vocab_size, self.alpha
        num = self._lookup(keys, counts, ctx * V + v) + a
        den = self._lookup(cids, totals, ctx) + a * V
        return np.log(num) - np.log(den)

    def counts(self, context) -> np.ndarray:
        r"""The counts :math:`n(c, \cdot)` after the last :math:`\min(k, t)` tokens of ``context`` (shape ``(V,)``).  Chapter 1."""
        c = self.check_tokens(context, "context")
        j = min(self.order, len(c))
        cid = 0
        for v in c[len(c) - j :].tolist():
            cid = cid * self.vocab_size + v
        keys, counts, _, _ = self._tables[j]
        return self._lookup(keys, counts, cid * self.vocab_size + np.arange(self.vocab_size, dtype=np.int64))

    def next_token_logprobs(self, context) -> np.ndarray:
        r""":math:`\ln \hat P(\cdot \mid c)` with :math:`c` the last :math:`\min(k, t)` tokens of ``context``.  Chapter 1."""
        num = self.counts(context) + self.alpha
        return np.log(num) - np.log(num.sum())

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token :math:`\log \hat P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), fully vectorised.

        Equal to the generic
        :meth:`LanguageModel.token_logprobs <semtheory.channel.LanguageModel.token_logprobs>` (one call per
        position), only faster.
        Chapter 1.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        k, start, V = self.order, len(p), self.vocab_size
        out = np.empty(len(s))
        for t in range(start, min(k, len(full))):  # the first positions: shorter contexts
            out[t - start] = self._logp(t, _context_ids(full[: t + 1], t, V, t), full[t : t + 1])[0]
        t0 = max(k, start)
        if t0 < len(full):
            out[t0 - start :] = self._logp(k, _context_ids(full, k, V, t0), full[t0:])
        return out / lb

    def __repr__(self) -> str:
        return f"NGramModel(order={self.order}, vocab_size={self.vocab_size}, alpha={self.alpha:g}, n_train={self.n_train})"


class KneserNeyModel(LanguageModel):
    r"""An order-:math:`k` interpolated Kneser–Ney model fitted to ``tokens`` (Kneser and Ney 1995; Chen and Goodman 1999).

    With :math:`c_j` the last :math:`j` tokens of the context, the prediction is built from the empty context
    up, starting from the uniform law :math:`P_{-1}(v) = 1/V`:

    .. math:: P_j(v \mid c_j) = \frac{\max(m_j(c_j, v) - D_j, 0)}{m_j(c_j)}
              + \frac{D_j\, N_{1+}(c_j\, \cdot)}{m_j(c_j)}\, P_{j-1}(v \mid c_{j-1}),

    and :math:`P_j = P_{j-1}` when :math:`m_j(c_j) = 0` (an unseen context).  At the top order :math:`j = k` the
    counts :math:`m_k(c, v) = n(c, v)` are the raw counts; below it they are the *continuation counts*
    :math:`m_j(c_j, v) = N_{1+}(\cdot\, c_j\, v)`, the number of distinct tokens seen before :math:`c_j v`, which is
    what makes the lower orders predict how many contexts a token follows rather than how often it occurs.
    :math:`m_j(c_j) = \sum_v m_j(c_j, v)`, :math:`N_{1+}(c_j \cdot)` is the number of :math:`v` with
    :math:`m_j(c_j, v) > 0`, and the discount is :math:`D_j = n_1 / (n_1 + 2 n_2)` from the numbers
    :math:`n_1, n_2` of level-:math:`j` n-grams with count 1 and 2 (``discount=None``), or a fixed value in
    (0, 1); the estimate is clipped to [0.05, 0.95], and is 0.5 when no n-gram has count 1.  Every :math:`P_j` is a pmf (the discounted mass is exactly the mass handed down), and every
    token keeps positive probability.  At the first :math:`t < k` positions of a sequence the recursion stops
    at level :math:`t`.  Sparse sorted keys as in :class:`NGramModel`; :meth:`token_logprobs` is vectorised.
    Chapter 1.

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        The training sequence.
    order : int
        :math:`k` >= 0.
    vocab_size : int, keyword-only
        :math:`V`.
    discount : float or None, keyword-only, default None
        A fixed discount in (0, 1) for every level (None: estimated per level).

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    order : int
        :math:`k`.
    """

    def __init__(self, tokens, order, *, vocab_size, discount=None, _tables=None):
        # ``_tables``: a dict shared by models of several orders fitted to the same tokens (ngram_cross_entropies)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        k = check_int(order, "order", minimum=0)
        if discount is not None:
            d = check_positive(discount, "discount")
            if not d < 1:
                raise ValueError(f"discount must lie in (0, 1), got {discount!r}")
        x = _as_token_array(tokens, "tokens", V)
        if x.size == 0:
            raise ValueError("tokens must contain at least one token")
        if math.log(V) * (k + 1) >= math.log(2.0**62):
            raise ValueError(f"order={k} with vocab_size={V} gives n-gram keys beyond 64-bit integers")
        self.vocab_size, self.order, self.n_train = V, k, int(x.size)
        self._levels = []  # per j: (sorted (ctx, v) keys, counts m_j, sorted ctx ids, totals m_j(c), types N1+(c .), D_j)
        for j in range(k + 1):
            if len(x) <= j:
                e = np.zeros(0, dtype=np.int64)
                self._levels.append((e, e, e, e, e, 0.5 if discount is None else float(discount)))
                continue
            kind = "raw" if j == k else "continuation"
            if _tables is not None and (kind, j) in _tables:
                keys, counts, cids, totals, types = _tables[kind, j]
            else:
                if j == k:  # raw counts of the (j+1)-grams
                    keys, counts = np.unique(_context_ids(x, j, V, j) * V + x[j:], return_counts=True)
                else:  # continuation counts: distinct (j+2)-grams, with their first token dropped
                    grams = np.unique(_context_ids(x, j + 1, V, j + 1) * V + x[j + 1 :])
                    keys, counts = np.unique(grams % (V ** (j + 1)), return_counts=True)
                counts = counts.astype(np.int64)
                cids, inv = np.unique(keys // V, return_inverse=True)
                totals = np.bincount(inv, weights=counts).astype(np.int64)
                types = np.bincount(inv).astype(np.int64)
                if _tables is not None:
                    _tables[kind, j] = (keys, counts, cids, totals, types)
            if discount is None:
                n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
                dj = n1 / (n1 + 2 * n2) if n1 > 0 else 0.5
                dj = min(max(dj, 0.05), 0.95)  # keep D in (0, 1) on degenerate count spectra
            else:
                dj = float(discount)
            self._levels.append((keys, counts, cids, totals, types, dj))
        self.discounts = tuple(lv[5] for lv in self._levels)

    def _prob(self, ctx_ids: list, v: np.ndarray) -> np.ndarray:
        """P_J(v | c) for J = len(ctx_ids) - 1, with ctx_ids[j] the ids of the last j tokens (vectorised)."""
        V = self.vocab_size
        p = np.full(v.shape, 1.0 / V)
        for j, cid in enumerate(ctx_ids):
            keys, counts, cids, totals, types, dj = self._levels[j]
            m = NGramModel._lookup(keys, counts, cid * V + v)
            tot = NGramModel._lookup(cids, totals, cid)
            n1p = NGramModel._lookup(cids, types, cid)
            seen = tot > 0
            safe = np.where(seen, tot, 1)
            p = np.where(seen, (np.maximum(m - dj, 0.0) + dj * n1p * p) / safe, p)
        return p

    def next_token_logprobs(self, context) -> np.ndarray:
        r""":math:`\ln P_{KN}(\cdot \mid c)` with :math:`c` the last :math:`\min(k, t)` tokens of ``context``.  Chapter 1."""
        c = self.check_tokens(context, "context")
        J = min(self.order, len(c))
        V = self.vocab_size
        v = np.arange(V, dtype=np.int64)
        ids = []
        for j in range(J + 1):
            cid = 0
            for u in c[len(c) - j :].tolist():
                cid = cid * V + u
            ids.append(np.full(V, cid, dtype=np.int64))
        return np.log(self._prob(ids, v))

    def token_logprobs(self, seq, *, prompt: Sequence[int] = (), base=2) -> np.ndarray:
        r"""Per-token :math:`\log P_{KN}(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), vectorised.  Chapter 1."""
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        k, start, V = self.order, len(p), self.vocab_size
        out = np.empty(len(s))
        for t in range(start, min(k, len(full))):
            ids = [_context_ids(full[: t + 1], j, V, t) for j in range(t + 1)]
            out[t - start] = math.log(self._prob(ids, full[t : t + 1])[0])
        t0 = max(k, start)
        if t0 < len(full):
            ids = [_context_ids(full, j, V, t0) for j in range(k + 1)]
            out[t0 - start :] = np.log(self._prob(ids, full[t0:]))
        return out / lb

    def __repr__(self) -> str:
        return f"KneserNeyModel(order={self.order}, vocab_size={self.vocab_size}, n_train={self.n_train})"


def ngram_cross_entropies(train, test, orders, *, vocab_size, alpha=1.0, base=2, smoothing="lidstone") -> np.ndarray:
    r"""Held-out cross-entropy :math:`-\frac1n \sum_t \log \hat P_k(x_t \mid x^{t-1})` of n-gram models of each order.

    For each ``k`` in ``orders`` fit a model of order ``k`` to ``train`` and score ``test``; returns an array
    (units of ``base`` per token).  ``smoothing="lidstone"`` fits :class:`NGramModel` ``(train, k, alpha=alpha)``,
    ``smoothing="kneser-ney"`` fits :class:`KneserNeyModel` ``(train, k)`` (``alpha`` unused).  Chapter 1.

    Parameters
    ----------
    train, test : array_like of int
        Training and held-out token sequences.
    orders : sequence of int
        The orders :math:`k` to fit.
    vocab_size : int, keyword-only
        :math:`V`.
    alpha : float, keyword-only, default 1.0
        Lidstone smoothing (``smoothing="lidstone"`` only).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    smoothing : {"lidstone", "kneser-ney"}, keyword-only
        The estimator.

    Returns
    -------
    numpy.ndarray of float, shape (len(orders),)
        Cross-entropies, units of log ``base`` per token (bits by default).
    """
    lb = log_base(base)
    if smoothing not in ("lidstone", "kneser-ney"):
        raise ValueError(f"smoothing must be 'lidstone' or 'kneser-ney', got {smoothing!r}")
    V = check_int(vocab_size, "vocab_size", minimum=1)
    tr = _as_token_array(train, "train", V)
    if tr.size == 0:
        raise ValueError("train must contain at least one token")
    te = _as_token_array(test, "test", V)
    if te.size == 0:
        raise ValueError("test must contain at least one token")
    ks = _asarray(orders, "orders")
    if ks.ndim != 1 or ks.size == 0 or ks.dtype.kind not in "iu" or np.any(ks < 0):
        raise ValueError(f"orders must be a non-empty 1-D sequence of integers >= 0, got {orders!r}")
    out, shared = [], {}  # Kneser-Ney models of different orders share their count tables
    for k in ks.tolist():
        if smoothing == "lidstone":
            m = NGramModel(tr, k, vocab_size=V, alpha=alpha, _tables=shared)
        else:
            m = KneserNeyModel(tr, k, vocab_size=V, _tables=shared)
        out.append(-m.token_logprobs(te, base=math.e).mean() / lb)
    return np.array(out)


def stationary_cross_entropy(source, model, *, base=2) -> float:
    r"""Exact expected per-symbol loss of a finite-context ``model`` :math:`Q` on the stationary ``source`` :math:`P`.

    .. math:: \E_P\big[-\log Q(X_{k+1} \mid X^k)\big] = \sum_{x^{k+1}} P(x^{k+1}) \big(-\log Q(x_{k+1} \mid x^k)\big)
              = H(X_{k+1} \mid X^k) + \E\, D\big(P(\cdot \mid X^k) \,\|\, Q(\cdot \mid X^k)\big)

    where :math:`k` = ``model.order`` (the model looks at most :math:`k` symbols back, e.g. an
    :class:`NGramModel` or a :class:`~semtheory.channel.MarkovLM`).  This is what the model would score per
    symbol on an infinitely long held-out text, so it is :math:`\ge H(X_{k+1} \mid X^k) \ge \mathcal H` exactly,
    with no sampling noise.  :math:`P(x^{k+1})` is the exact law of the first :math:`k+1` symbols
    (:func:`semtheory.channel.sequence_law`; a source of this module starts stationary).  Needs
    :math:`V^{k+1} \le 2^{22}`.  Units of ``base``.  Chapter 1.

    Parameters
    ----------
    source : LanguageModel
        The stationary source :math:`P` (a source of this module).
    model : LanguageModel
        The model :math:`Q`, with an ``order`` attribute (or a :class:`~semtheory.channel.MarkovLM`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The expected loss per symbol, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    source = check_model(source, "source")
    model = check_model(model, "model")
    if model.vocab_size != source.vocab_size:
        raise ValueError(f"model has {model.vocab_size} symbols but source has {source.vocab_size}")
    k = getattr(model, "order", None)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError("model must have a finite context length (an integer attribute model.order >= 0)")
    V = source.vocab_size
    if V ** (k + 1) > MAX_CELLS:
        raise ValueError(f"model.order = {k} with {V} symbols needs {V}**{k + 1} cells, more than {MAX_CELLS}")
    law = sequence_law(source, k + 1).reshape(-1, V)
    if isinstance(model, NGramModel):  # vectorised: context ids in C order are 0 .. V**k - 1
        cid = np.repeat(np.arange(V**k, dtype=np.int64), V)
        logq = model._logp(k, cid, np.tile(np.arange(V, dtype=np.int64), V**k)).reshape(-1, V)
    elif isinstance(model, KneserNeyModel):  # the last j symbols of context id c have id c mod V**j
        cid = np.repeat(np.arange(V**k, dtype=np.int64), V)
        ids = [cid % (V**j) for j in range(k + 1)]
        logq = np.log(model._prob(ids, np.tile(np.arange(V, dtype=np.int64), V**k))).reshape(-1, V)
    else:
        ctxs = np.indices((V,) * k).reshape(k, -1).T if k else np.zeros((1, 0), dtype=np.int64)
        logq = np.stack([model.next_token_logprobs(c) for c in ctxs])
    with np.errstate(invalid="ignore"):
        terms = np.where(law > 0, -law * logq, 0.0)
    return float(terms.sum() / lb)


def plugin_entropy_rate(samples, order, *, base=2) -> float:
    r"""Plug-in estimate :math:`\hat H(X_t \mid X_{t-k}^{t-1})` of the entropy rate from one long sample.

    .. math:: \hat H = \sum_{c, v} \frac{n(c,v)}{N} \log \frac{n(c)}{n(c, v)}

    over the :math:`N = n - k` positions :math:`t > k` (``order`` :math:`k`; :math:`k = 0` gives the plug-in
    entropy of single symbols).  Consistent for a stationary ergodic source of order :math:`\le k`, biased
    low by about :math:`(\#\text{contexts})(V-1)/(2N)` nats.  Units of ``base``.  Chapter 1.

    Parameters
    ----------
    samples : array_like of int, shape (n,)
        One long sample.
    order : int
        :math:`k` >= 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\hat H`, units of log ``base`` per symbol (bits by default).
    """
    lb = log_base(base)
    x = _as_token_array(samples, "samples")
    k = check_int(order, "order", minimum=0)
    if x.size <= k:
        raise ValueError(f"samples must hold more than order = {k} symbols, got {x.size}")
    V = int(x.max()) + 1
    if math.log(V) * (k + 1) >= math.log(2.0**62):
        raise ValueError(f"order={k} is too large for symbols up to {V - 1}")
    ctx = _context_ids(x, k, V, k)
    keys, n_cv = np.unique(ctx * V + x[k:], return_counts=True)
    cids, n_c = np.unique(ctx, return_counts=True)
    n_c_of_key = n_c[np.searchsorted(cids, keys // V)]
    N = x.size - k
    return float((n_cv / N * (np.log(n_c_of_key) - np.log(n_cv))).sum() / lb)
