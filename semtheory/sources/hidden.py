r"""Hidden Markov sources (chapter 1): a stationary hidden chain seen through a noisy emission, its forward
filter, and the exact Cover–Thomas sandwich on its entropy rate."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np
from scipy.special import xlogy

from .._validate import as_float, as_rng, as_stochastic, check_int, log_base
from ..core.models import LanguageModel
from ._common import check_n, check_temperature, cum_rows
from .stationary import stationary_distribution

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike

_SANDWICH_CELLS = 2**22  # table budget (S * S * V**n) that sets the default n of the exact HMM sandwich


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
    def gap(self) -> FloatArray:
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

    def __init__(self, transition: ArrayLike, emission: ArrayLike) -> None:
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

    def initial_state(self, prompt: Sequence[int] = ()) -> FloatArray:
        """Predictive belief :math:`P(S_{t+1} \\mid \\text{prompt})` over the hidden states (an array).  Chapter 1.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first, ids in ``range(vocab_size)``.

        Returns
        -------
        numpy.ndarray of float, shape (hidden_states,)
            The belief, a pmf over the hidden states (the stationary law after an empty prompt).
        """
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

    def next_state(self, state: ArrayLike, token: int) -> FloatArray:
        """Bayes update of the belief by ``token``, then one step of the hidden chain.  Chapter 1.

        Parameters
        ----------
        state : array_like of float, shape (hidden_states,)
            The belief :math:`b = P(S_t \\mid y^{t-1})`.
        token : int
            The symbol :math:`y_t` read, in ``range(vocab_size)``.

        Returns
        -------
        numpy.ndarray of float, shape (hidden_states,)
            :math:`P(S_{t+1} \\mid y^t) \\propto \\sum_s b(s) B(s, y_t) A(s, \\cdot)` (the stationary law if :math:`y_t`
            has probability 0 under :math:`b`).
        """
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        return self._update(as_float(state, "state"), tok)

    def state_logprobs(self, state: ArrayLike) -> FloatArray:
        r"""Next-symbol law :math:`\ln \sum_s b(s) B(s, \cdot)` from a belief :math:`b` over the hidden states.  Chapter 1.

        Parameters
        ----------
        state : array_like of float, shape (hidden_states,)
            The belief :math:`b`, a pmf over the hidden states.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A log-pmf (nats); :math:`-\infty` for a symbol of probability 0.
        """
        with np.errstate(divide="ignore"):
            return np.log(as_float(state, "state") @ self.emission)

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        r""":math:`\ln P(y_t \mid y^{t-1}) = \ln \sum_s P(S_t = s \mid y^{t-1}) B(s, y_t)` by the forward filter.  Chapter 1.

        Parameters
        ----------
        context : sequence of int
            Symbols :math:`y^{t-1}` in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats); :math:`-\infty` for a symbol of probability 0.
        """
        return self.state_logprobs(self.initial_state(context))

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log P(y_t \mid \text{prompt}, y^{t-1})` (units of ``base``, bits by default) in one forward pass (linear in the length).  Chapter 1.

        Parameters
        ----------
        seq : sequence of int
            The scored symbols, ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Symbols read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            :math:`\log_b P(y_t \mid \text{prompt}, y^{t-1})`, units of ``base``.
        """
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

    def sample_with_states(self, n: int, *, seed: SeedLike = None) -> tuple[IntArray, IntArray]:
        """``(states, outputs)``: ``n`` hidden states and their emissions, deterministic under ``seed``.  Chapter 1.

        Parameters
        ----------
        n : int
            Number of steps, >= 0.
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the draws.

        Returns
        -------
        tuple of numpy.ndarray of int64, each shape (n,)
            ``states`` (:math:`S_1 \\sim \\pi`, then the chain :math:`A`) and ``outputs``
            (:math:`Y_t \\sim B(S_t, \\cdot)`).
        """
        n = check_n(n)
        rng = as_rng(seed)
        states = np.empty(n, dtype=np.int64)
        if n:
            s = int(rng.choice(self.hidden_states, p=self.stationary))
            cum = cum_rows(self.transition)
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

    def sample(self, n: int, *, prompt: Sequence[int] = (), seed: SeedLike = None, temperature: float = 1.0) -> IntArray:
        """``n`` observed symbols, deterministic under ``seed`` (fast path without a prompt at temperature 1).  Chapter 1.

        Parameters
        ----------
        n : int
            Number of symbols to draw, >= 0.
        prompt : sequence of int, keyword-only, default ``()``
            Symbols read before the first draw (the draws then follow the forward filter).
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the draws.
        temperature : float, keyword-only, default 1.0
            The sampling temperature :math:`T > 0`.

        Returns
        -------
        numpy.ndarray of int64, shape (n,)
            The drawn symbols.
        """
        n = check_n(n)
        if len(np.asarray(prompt).reshape(-1)) or check_temperature(temperature) != 1.0:
            return super().sample(n, prompt=prompt, seed=seed, temperature=temperature)
        return self.sample_with_states(n, seed=seed)[1]

    # -- the entropy-rate sandwich ----------------------------------------------------------------

    def max_sandwich_n(self) -> int:
        """Largest ``n`` for which :meth:`entropy_rate_bounds` fits its exact table (:math:`S^2 V^n \\le 2^{22}`).  Chapter 1.

        Returns
        -------
        int
            The largest such ``n``, at least 1 (64 for a one-symbol alphabet).
        """
        S, V = self.hidden_states, self.vocab_size
        if V == 1:
            return 64
        n = 0
        while S * S * V ** (n + 1) <= _SANDWICH_CELLS:
            n += 1
        return max(n, 1)

    def entropy_rate_bounds(self, n_max: int, *, base: float = 2) -> SandwichBounds:
        r"""The exact sandwich :math:`H(Y_n \mid Y^{n-1}, S_1) \le \mathcal H(\mathcal Y) \le H(Y_n \mid Y^{n-1})` for :math:`n = 1..n_{\max}`.

        Cover & Thomas (Thm 4.5.1 in the 2nd edition): the lower bound is non-decreasing, the upper bound
        non-increasing, and both converge to the entropy rate.  Computed exactly by the forward algorithm on
        every output sequence: :math:`F_n(y^n, s) = P(y^n, S_{n+1} = s)` and, for each start state,
        :math:`G_n(s_1, y^n, s) = P(y^n, S_{n+1} = s \mid S_1 = s_1)`; each conditional entropy is a single sum
        of log-ratios, e.g. :math:`H(Y_n \mid Y^{n-1}) = -\sum P(y^n) \log \frac{P(y^n)}{P(y^{n-1})}`.
        Cost and memory :math:`\propto S^2 V^n` (``n_max`` at most :meth:`max_sandwich_n`).  Units of
        ``base``.  Chapter 1.

        Parameters
        ----------
        n_max : int
            The largest ``n``, ``1 <= n_max <=`` :meth:`max_sandwich_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        SandwichBounds
            ``n`` (``1..n_max``), ``lower`` and ``upper`` (arrays of shape ``(n_max,)``), units of ``base`` per symbol.
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

    def entropy_rate(self, *, base: float = 2, n: int | None = None) -> float:
        r"""Estimate of the entropy rate: the midpoint of the sandwich at ``n`` (default ``min(16, max_sandwich_n())``).

        Not closed-form: the error is at most half of ``entropy_rate_bounds(n).gap[-1]``.  Units of ``base``.
        Chapter 1.

        Parameters
        ----------
        base : float, keyword-only, default 2
            Logarithm base (2: bits).
        n : int or None, keyword-only, default None
            The sandwich's ``n``, ``1 <= n <=`` :meth:`max_sandwich_n`.

        Returns
        -------
        float
            The estimate, units of ``base`` per symbol.
        """
        cap = self.max_sandwich_n()
        n = min(16, cap) if n is None else check_int(n, "n", minimum=1, maximum=cap)
        b = self.entropy_rate_bounds(n, base=base)
        return float((b.lower[-1] + b.upper[-1]) / 2)
