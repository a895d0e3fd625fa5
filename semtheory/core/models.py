r"""The language-model layer every chapter module shares: the autoregressive interface and its basic models.

Core (no chapter of its own; defined in chapter 4, used by chapters 1, 4–16).  :class:`LanguageModel` is the
interface every model of the book implements (it only has to give the natural-log next-token law of a
context); :class:`MarkovLM` is the table model (order-:math:`k` Markov chains, chapter 1's sources);
:func:`sequence_law` enumerates the exact law of a few tokens; :func:`check_model`, :func:`checked_logprobs` and
:class:`StateWalker` are the checks and the memoised state walk that the chapter modules use.
:mod:`semtheory.channel` (chapter 4) re-exports the interface and adds the Boltzmann form, the decoding maps and
the channel with feedback.

Units: laws (the hooks) are natural logs; scores of a sequence take ``base`` keyword-only, 2 (bits) by default.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Callable, Sequence

import numpy as np
from scipy.special import logsumexp

from .types import ArrayLike, SeedLike
from .._validate import as_array, as_float, as_pmf, as_rng, as_stochastic, check_int, check_positive, log_base

__all__ = [
    "LanguageModel",
    "MarkovLM",
    "sequence_law",
    "check_model",
    "checked_logprobs",
    "StateWalker",
    "register_batched_route",
    "MAX_CELLS",
    "NORM_ATOL",
]

#: Largest exact law (number of sequences, or table cells) that :func:`sequence_law` and
#: :meth:`MarkovLM.random` build.
from .law import MAX_CELLS  # noqa: E402  (the one memory guard, re-exported)
#: A model's next-token log-pmf must have ``logsumexp`` within this of 0 (:func:`checked_logprobs`).
NORM_ATOL = 1e-9

_BATCHED_ROUTES: list[tuple[Callable, Callable]] = []


def register_batched_route(batchable: Callable, logw: Callable) -> None:
    r"""Register a faster exact route for :func:`sequence_law`: ``logw(model, prompts, n)`` when ``batchable(model, length)``.

    ``batchable(model, length)`` says whether ``model`` can read ``length`` tokens (prompt and continuation)
    in batched passes; ``logw(model, prompts, n)`` returns the natural-log law :math:`\ln P(y^n \mid x)` of
    the ``n`` tokens after each row of ``prompts`` ``(K, m)``, shape ``(K,) + (V,) * n``, equal to the state
    walk up to the model's round-off.  :mod:`semtheory.channel` registers the Transformer's batched causal
    pass (chapter 10), so the core layer needs no later chapter's module.  Registering the same pair twice
    has no effect.

    Parameters
    ----------
    batchable : callable
        ``batchable(model, length) -> bool``.
    logw : callable
        ``logw(model, prompts, n) -> numpy.ndarray`` (nats).

    Returns
    -------
    None
    """
    if not (callable(batchable) and callable(logw)):
        raise ValueError("batchable and logw must be callables")
    if (batchable, logw) not in _BATCHED_ROUTES:
        _BATCHED_ROUTES.append((batchable, logw))


# ==============================================================================================
# The autoregressive interface
# ==============================================================================================


class LanguageModel(ABC):
    r"""Autoregressive language model :math:`P(x^n) = \prod_t P(x_t \mid x^{t-1})` over ``vocab_size`` tokens.

    Subclasses implement :meth:`next_token_logprobs`; everything else is derived from it.  A subclass may
    also override the state protocol (:meth:`initial_state`, :meth:`next_state`, :meth:`state_logprobs`) to
    carry a fixed-size state or a cache instead of the whole context, and :meth:`token_logprobs` to score a
    sequence faster (taking and honouring the same keyword-only ``base``).  Chapters 1, 4–16.

    Units: the kernel hooks :meth:`next_token_logprobs` and :meth:`state_logprobs` return natural logs
    :math:`\ln P(\cdot \mid \text{context})` (a normalised log-pmf on the scale of the logits, the input of
    :func:`~semtheory.channel.decode` and of the Boltzmann form), and take no ``base``.  Every score of a sequence takes ``base``
    keyword-only, 2 (bits) by default, ``math.e`` for nats: :meth:`token_logprobs`, :meth:`log_prob`,
    :meth:`cross_entropy`; :meth:`perplexity` is unitless.
    """

    #: Number of tokens in the vocabulary; tokens are ``0 .. vocab_size - 1``.
    vocab_size: int

    @abstractmethod
    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""Natural-log next-token distribution :math:`\ln P(\cdot \mid \text{context})`: the one hook a model implements.

        Chapter 4.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats); :math:`-\infty` for a token of probability 0.
        """

    # -- helpers shared by every model -------------------------------------------------------------

    def check_tokens(self, seq: ArrayLike, name: str = "tokens") -> np.ndarray:
        r"""``seq`` as a 1-D int64 array of token ids in ``range(vocab_size)``; else a ``ValueError`` naming ``name``.

        Parameters
        ----------
        seq : array_like of int, shape (n,)
            Token ids (an empty sequence is allowed).
        name : str, default ``"tokens"``
            The argument's name, for the error message.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The token ids (no units).
        """
        arr = as_array(seq, name)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= self.vocab_size):
            raise ValueError(f"{name} must hold integer token ids in [0, {self.vocab_size})")
        return arr.astype(np.int64)

    def next_token_probs(self, context: Sequence[int]) -> np.ndarray:
        r"""Next-token pmf :math:`P(\cdot \mid \text{context})`, the exponential of :meth:`next_token_logprobs`.  Chapter 4.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            Probabilities (they sum to 1).
        """
        ctx = self.check_tokens(context, "context")
        return np.exp(self.next_token_logprobs(ctx))

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> np.ndarray:
        r"""Per-token :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1}) = \ln P(x_t \mid \cdot) / \ln b` for each token of ``seq``.

        Units of ``base`` :math:`b` (keyword-only): bits by default, ``base=math.e`` for nats.  A token of
        probability 0 scores :math:`-\infty`.  One call of :meth:`next_token_logprobs` per position; subclasses
        may override with a faster route that returns the same numbers.  Chapters 1, 4, 7, 14.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens, ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1})`, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        out = np.empty(len(s))
        for t in range(len(s)):
            out[t] = self.next_token_logprobs(full[: len(p) + t])[s[t]]
        return out / lb

    def log_prob(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> float:
        r"""Sequence log-probability :math:`\log P(x^n \mid \text{prompt}) = \sum_t \log P(x_t \mid \cdot)`, units of ``base``.  Chapter 4.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens, ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        float
            :math:`\log_b P(x^n \mid \text{prompt})`, units of ``base``.
        """
        lb = log_base(base)
        return float(self.token_logprobs(seq, prompt=prompt, base=math.e).sum() / lb)  # sum in nats, convert once

    def cross_entropy(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> float:
        r"""Per-token cross-entropy :math:`-\frac1n \log P(x^n \mid \text{prompt})` on ``seq`` (the pre-training loss).  Chapters 1, 5.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens (at least one), ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        float
            Units of ``base`` per token.
        """
        s = self.check_tokens(seq, "seq")
        if len(s) == 0:
            raise ValueError("seq must contain at least one token")
        return -self.log_prob(s, prompt=prompt, base=base) / len(s)

    def perplexity(self, seq: Sequence[int], *, prompt: Sequence[int] = ()) -> float:
        r"""Per-token perplexity :math:`e^{\text{cross-entropy in nats}}` on ``seq``.  Chapters 1, 14.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens (at least one), ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).

        Returns
        -------
        float
            The perplexity (no units; at least 1).
        """
        return math.exp(self.cross_entropy(seq, prompt=prompt, base=math.e))

    def sample(self, n: int, *, prompt: Sequence[int] = (), seed: SeedLike = None, temperature: float = 1.0) -> np.ndarray:
        r"""Draw ``n`` tokens autoregressively after ``prompt``, deterministic under ``seed``.

        Each token is drawn from :math:`\softmax(\log P(\cdot\mid\text{context}) / T)`; ``temperature`` T > 0.
        For top-k / top-p decoding sample from a :class:`~semtheory.channel.DecodedLM`.  Chapters 4, 7.

        Parameters
        ----------
        n : int
            Number of tokens to draw, >= 0.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before the first draw.
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the draws.
        temperature : float, keyword-only, default 1.0
            The sampling temperature :math:`T > 0`.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The drawn token ids.
        """
        n = check_int(n, "n", minimum=0)
        if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
        rng = as_rng(seed)
        ctx = list(self.check_tokens(prompt, "prompt"))
        out = np.empty(n, dtype=np.int64)
        for t in range(n):
            lp = self.next_token_logprobs(np.asarray(ctx, dtype=np.int64)) / temperature
            lp = lp - logsumexp(lp)
            tok = int(rng.choice(self.vocab_size, p=np.exp(lp)))
            out[t] = tok
            ctx.append(tok)
        return out

    # -- the state protocol (chapter 4's channel with state) -------------------------------------------

    def initial_state(self, prompt: Sequence[int] = ()) -> object:
        r"""The model's state :math:`S_0` after reading ``prompt``.

        Default: the context itself, a tuple of token ids (it grows by one entry per token, like a
        Transformer's KV cache).  Subclasses with a fixed-size state override this, :meth:`next_state` and
        :meth:`state_logprobs` together.  Chapter 4.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first.

        Returns
        -------
        object
            The state (by default a tuple of token ids).
        """
        return tuple(int(v) for v in self.check_tokens(prompt, "prompt"))

    def next_state(self, state: object, token: int) -> object:
        r"""State update :math:`S_{t} = f(S_{t-1}, v)` after the token ``token`` is appended to the context.

        The same update serves an input token (the prompt, the user) and a fed-back output token (the
        model's own sample).  Default: append to the context tuple.  Chapter 4.

        Parameters
        ----------
        state : object
            A state of this model (from :meth:`initial_state` or :meth:`next_state`).
        token : int
            The token read, in ``range(vocab_size)``.

        Returns
        -------
        object
            The new state.
        """
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return tuple(state) + (tok,)

    def state_logprobs(self, state: object) -> np.ndarray:
        r"""Natural-log next-token law :math:`\ln P(\cdot \mid S)` read from a state.  Default: from the context.  Chapter 4.

        Parameters
        ----------
        state : object
            A state of this model.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return self.next_token_logprobs(np.asarray(state, dtype=np.int64).reshape(-1))


def check_model(model: LanguageModel, name: str = "model") -> LanguageModel:
    r"""``model`` after checking it is a :class:`LanguageModel` with an int ``vocab_size`` >= 1.

    The check every function that takes a model runs first.  Chapters 1, 4 (used by every model-taking
    function of the package).

    Parameters
    ----------
    model : LanguageModel
        The model to check.
    name : str, default ``"model"``
        The argument's name, for the error message.

    Returns
    -------
    LanguageModel
        ``model`` itself (no copy).

    Examples
    --------
    >>> from semtheory.core import MarkovLM, check_model
    >>> check_model(MarkovLM([0.5, 0.5])).vocab_size
    2
    """
    if not isinstance(model, LanguageModel):
        raise ValueError(f"{name} must be a semtheory.core.LanguageModel, got {type(model).__name__}")
    check_int(model.vocab_size, f"{name}.vocab_size", minimum=1)
    return model


def checked_logprobs(logp: ArrayLike, vocab_size: int, where: str) -> np.ndarray:
    r"""A model's next-token log-pmf, checked: shape ``(vocab_size,)``, no NaN or :math:`+\infty`, normalised.

    Normalised means :math:`|\ln \sum_v e^{\ell_v}| \le` ``NORM_ATOL``; nothing is renormalised.
    Chapter 4.

    Parameters
    ----------
    logp : array_like of float, shape (vocab_size,)
        Natural-log probabilities of the next token (:math:`-\infty` allowed for a masked token).
    vocab_size : int
        The expected length.
    where : str
        What returned ``logp`` (e.g. ``"model.state_logprobs"``), for the error message.

    Returns
    -------
    numpy.ndarray of float, shape (vocab_size,)
        ``logp`` as floats, in nats.
    """
    logp = as_float(logp, "logp")
    if logp.shape != (vocab_size,):
        raise ValueError(f"{where} must return shape ({vocab_size},), got {logp.shape}")
    if np.isnan(logp).any() or np.isposinf(logp).any():
        raise ValueError(f"{where} returned NaN or +inf log-probabilities (logp)")
    z = logsumexp(logp)
    if not abs(z) <= NORM_ATOL:
        raise ValueError(f"{where} must return a normalised log-pmf (logsumexp = {z:.3g}, not 0)")
    return logp


class StateWalker:
    r"""Drive a model through its state protocol, memoising states by the token prefix read so far.

    ``walker.state(seq)`` is the state after ``prompt`` and then the tuple ``seq``; ``walker.logprobs(seq)`` is
    the checked (:func:`checked_logprobs`) natural-log next-token law in that state, computed once per
    distinct (hashable) state.  The exact laws of chapters 4, 7 and 14 are enumerated with it.

    Parameters
    ----------
    model : LanguageModel
        The model to drive (not checked here: callers run :func:`check_model`).
    prompt : sequence of int, default ``()``
        Tokens read before the first state.

    Attributes
    ----------
    model : LanguageModel
        The model.
    root : object
        The state after ``prompt``.
    states : dict
        Token prefix (tuple) -> state.
    lp_cache : dict
        State (or prefix, for an unhashable state) -> next-token log-law, nats.
    """

    def __init__(self, model: LanguageModel, prompt: Sequence[int] = ()):
        self.model = model
        self.root = model.initial_state(prompt)
        self.states: dict[tuple, object] = {(): self.root}
        self.lp_cache: dict = {}

    def state(self, seq: tuple) -> object:
        """The model's state after ``prompt`` and then the tokens ``seq``, memoised by prefix.

        Parameters
        ----------
        seq : tuple of int
            The tokens read after the prompt.

        Returns
        -------
        object
            The model's state.
        """
        s = self.states.get(seq)
        if s is None:
            s = self.model.next_state(self.state(seq[:-1]), seq[-1])
            self.states[seq] = s
        return s

    def logprobs(self, seq: tuple) -> np.ndarray:
        """The checked natural-log next-token law in the state after ``seq``, computed once per distinct state.

        Parameters
        ----------
        seq : tuple of int
            The tokens read after the prompt.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        s = self.state(seq)
        try:
            key = ("s", s)
            hash(key)
        except TypeError:
            key = ("q", seq)
        lp = self.lp_cache.get(key)
        if lp is None:
            lp = checked_logprobs(self.model.state_logprobs(s), self.model.vocab_size, "model.state_logprobs")
            self.lp_cache[key] = lp
        return lp



# ==============================================================================================
# Concrete models
# ==============================================================================================


def _safe_log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


class MarkovLM(LanguageModel):
    r"""An order-:math:`k` Markov (n-gram) language model given by tables: a fixed-size state.

    ``transition`` has :math:`k+1` axes of length :math:`V`:
    ``transition[v_1, ..., v_k, v]`` :math:`= P(x_t = v \mid x_{t-k}^{t-1} = v_1 \dots v_k)` (each last-axis
    slice a pmf).  ``initial`` is the joint pmf of the first :math:`k` tokens (shape :math:`(V,)^k`, default
    uniform); contexts shorter than :math:`k` use its conditionals, and a context of probability 0 under
    ``initial`` gets the uniform law (it never carries weight).  ``order = 0`` (``transition`` a single pmf)
    is an i.i.d. model.  The state is the last ``min(k, t)`` tokens.  Chapters 1, 4, 7.

    Parameters
    ----------
    transition : array_like, shape (V,) * (k + 1)
        The transition table; every last-axis slice a pmf.
    initial : array_like, shape (V,) * k, optional
        Joint pmf of the first ``k`` tokens (default uniform); ignored when ``k = 0``.

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    order : int
        :math:`k`.
    transition : numpy.ndarray
        The table (probabilities).
    initial : numpy.ndarray
        The law of the first :math:`k` tokens (probabilities; shape ``()`` when :math:`k = 0`).

    Examples
    --------
    >>> from semtheory.core import MarkovLM
    >>> m = MarkovLM([[0.9, 0.1], [0.2, 0.8]], initial=[0.5, 0.5])
    >>> round(m.log_prob([0, 0], base=2), 4)   # log2(0.5 * 0.9)
    -1.152
    """

    def __init__(self, transition: ArrayLike, initial: ArrayLike | None = None):
        T = as_stochastic(transition, "transition")
        V = T.shape[-1]
        if any(s != V for s in T.shape):
            raise ValueError(f"transition must have every axis of length V = {V} (shape (V,)*(k+1)), got {T.shape}")
        k = T.ndim - 1
        self.vocab_size = V
        self.order = k
        self.transition = T
        self._log_transition = _safe_log(T)
        if k == 0:
            self.initial = np.ones(())
        elif initial is None:
            self.initial = np.full((V,) * k, float(V) ** -k)
        else:
            self.initial = as_pmf(initial, "initial", ndim=k)
            if self.initial.shape != (V,) * k:
                raise ValueError(f"initial must have shape {(V,) * k}, got {self.initial.shape}")
        # conditionals P(x_{t+1} | x^t) for t < k, from the marginals of `initial`
        self._log_initial = []
        for t in range(k):
            m = self.initial.sum(axis=tuple(range(t + 1, k))) if t + 1 < k else self.initial
            den = m.sum(axis=-1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                cond = np.where(den > 0, m / np.where(den > 0, den, 1.0), 1.0 / V)
            self._log_initial.append(_safe_log(cond))

    @classmethod
    def random(cls, vocab_size: int, order: int = 1, *, seed: SeedLike = None,
               concentration: float = 1.0) -> "MarkovLM":
        r"""A random order-``order`` model: every row of the table drawn from Dirichlet(``concentration``).

        Deterministic under ``seed``; the initial law is uniform.  Small ``concentration`` gives peaked rows
        (low entropy), large gives near-uniform rows.  Chapter 4.

        Parameters
        ----------
        vocab_size : int
            Number of tokens, >= 1.
        order : int, default 1
            Markov order :math:`k \ge 0`.
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the Dirichlet draws.
        concentration : float, keyword-only, default 1.0
            The Dirichlet parameter, > 0.

        Returns
        -------
        MarkovLM
            The model (uniform initial law).
        """
        V = check_int(vocab_size, "vocab_size", minimum=1)
        k = check_int(order, "order", minimum=0)
        a = check_positive(concentration, "concentration")
        if V ** (k + 1) > MAX_CELLS:
            raise ValueError(f"order={k} with vocab_size={V} gives a table larger than {MAX_CELLS} cells")
        rng = as_rng(seed)
        T = rng.dirichlet(np.full(V, a), size=(V,) * k) if k else rng.dirichlet(np.full(V, a))
        # a Dirichlet draw may underflow to exact zeros for tiny concentration; keep rows exact pmfs
        T = T / T.sum(axis=-1, keepdims=True)
        return cls(T)

    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r""":math:`\ln P(\cdot \mid x_{t-k}^{t-1})` from the table (or from ``initial`` while :math:`t \le k`).

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)``.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        ctx = self.check_tokens(context, "context")
        k = self.order
        if k == 0:
            return self._log_transition.copy()
        if len(ctx) < k:
            return self._log_initial[len(ctx)][tuple(ctx)].copy()
        return self._log_transition[tuple(ctx[len(ctx) - k :])].copy()

    def initial_state(self, prompt: Sequence[int] = ()) -> tuple:
        """The last ``min(order, len(prompt))`` tokens of the prompt: a state of fixed maximal size.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first.

        Returns
        -------
        tuple of int
            The state.
        """
        ctx = super().initial_state(prompt)
        return ctx[max(0, len(ctx) - self.order) :]

    def next_state(self, state: tuple, token: int) -> tuple:
        """Append ``token`` and keep the last ``order`` tokens.

        Parameters
        ----------
        state : tuple of int
            The current state.
        token : int
            The token read.

        Returns
        -------
        tuple of int
            The new state.
        """
        s = super().next_state(state, token)
        return s[max(0, len(s) - self.order) :]

    def state_logprobs(self, state: tuple) -> np.ndarray:
        """The next-token law after the tokens held in ``state`` (:meth:`next_token_logprobs`).

        Parameters
        ----------
        state : tuple of int
            The state.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return self.next_token_logprobs(np.asarray(state, dtype=np.int64).reshape(-1))



def sequence_law(model: LanguageModel, n: int, *, prompt: Sequence[int] = ()) -> np.ndarray:
    r"""The exact law :math:`P(x^n \mid \text{prompt}) = \prod_{t=1}^n P(x_t \mid \text{prompt}, x^{t-1})` of the next ``n`` tokens.

    Enumerates every continuation through the model's state protocol (memoised by state, so a Markov model
    costs one call per distinct state) and multiplies the next-token laws in the log domain.  A
    :class:`~semtheory.transformer.Transformer` whose window holds prompt and continuation is instead read
    in batched causal passes, all continuations at once (:func:`~semtheory.channel.prompt_generation_law`'s route; equal to the
    walk to float32 round-off).  Returns an array of shape ``(vocab_size,) * n`` (axis ``t-1`` is
    :math:`X_t`) that sums to 1.  Refuses laws with more than :math:`2^{22}` cells.  Chapters 4, 5, 6, 7.

    Parameters
    ----------
    model : LanguageModel
        The model.
    n : int
        Number of tokens, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first one.

    Returns
    -------
    numpy.ndarray of float, shape (vocab_size,) * n
        Probabilities (no units), summing to 1.

    Examples
    --------
    >>> from semtheory.core import MarkovLM, sequence_law
    >>> sequence_law(MarkovLM([[0.9, 0.1], [0.2, 0.8]], initial=[0.5, 0.5]), 2).round(3).tolist()
    [[0.45, 0.05], [0.1, 0.4]]
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    if V**n > MAX_CELLS:
        raise ValueError(f"n={n} with vocab_size={V} gives {V}**{n} sequences, more than {MAX_CELLS}")
    pre = model.check_tokens(prompt, "prompt")
    for batchable, logw in _BATCHED_ROUTES:
        if batchable(model, len(pre) + n - 1):
            return np.exp(logw(model, pre[None, :], n))[0]
    walker = StateWalker(model, prompt)
    seqs: list[tuple] = [()]
    logw = np.zeros(1)
    for t in range(n):
        lps = np.stack([walker.logprobs(s) for s in seqs])  # (H, V)
        logw = (logw[:, None] + lps).reshape(-1)
        if t < n - 1:
            seqs = [s + (v,) for s in seqs for v in range(V)]
    return np.exp(logw).reshape((V,) * n)
