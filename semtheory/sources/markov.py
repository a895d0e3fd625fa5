r"""Markov and i.i.d. sources (chapter 1): stationary chains of any order with an exact entropy rate and a fast
seeded sampler."""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Sequence

import numpy as np
from scipy.special import xlogy

from .._validate import as_pmf, as_rng, as_stochastic, check_int, check_positive, check_probability, log_base
from ..core.models import MarkovLM
from ._common import MAX_STATES, check_n, check_temperature, cum_rows
from .stationary import lifted_transition, stationary_distribution

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike


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

    def __init__(self, transition: ArrayLike) -> None:
        T = as_stochastic(transition, "transition")
        V = T.shape[-1]
        if any(s != V for s in T.shape):
            raise ValueError(f"transition must have every axis of length V = {V} (shape (V,)*(k+1)), got {T.shape}")
        k = T.ndim - 1
        if k == 0:
            pi = T.copy()
        else:
            if V**k > MAX_STATES:
                raise ValueError(f"transition of order {k} over {V} symbols has {V**k} states, more than {MAX_STATES}")
            try:
                pi = stationary_distribution(lifted_transition(T)).reshape((V,) * k)
            except ValueError as exc:
                raise ValueError(f"transition: {exc}") from None
        super().__init__(T, initial=None if k == 0 else pi)
        self.stationary = pi

    @classmethod
    def two_state(cls, a: float, b: float) -> MarkovSource:
        r"""The two-state chain :math:`P = \begin{pmatrix} 1-a & a \\ b & 1-b \end{pmatrix}` (flip probabilities ``a``, ``b``).

        Stationary law :math:`\pi = (b, a)/(a+b)`, entropy rate :math:`(b\,h(a) + a\,h(b))/(a+b)`.  Chapter 1.

        Parameters
        ----------
        a : float
            :math:`P(1 \mid 0)`, in [0, 1].
        b : float
            :math:`P(0 \mid 1)`, in [0, 1]; ``a + b > 0``.

        Returns
        -------
        MarkovSource
            The order-1 source over two symbols.
        """
        a = check_probability(a, "a")
        b = check_probability(b, "b")
        if a + b == 0:
            raise ValueError("a and b must not both be 0 (the chain would not have a unique stationary law)")
        return cls(np.array([[1 - a, a], [b, 1 - b]]))

    def entropy_rate(self, *, base: float = 2) -> float:
        r""":math:`\mathcal H = \sum_s \pi(s) H(P(\cdot \mid s))` in units of ``base`` (exact).  Chapter 1.

        Parameters
        ----------
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        float
            The entropy rate, units of ``base`` per symbol.
        """
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
    def initial_state(self, prompt: Sequence[int] = ()) -> tuple[int, ...]:
        """The last ``min(order, len(prompt))`` tokens of the prompt.  Chapter 1.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first, ids in ``range(vocab_size)``.

        Returns
        -------
        tuple of int
            The state (at most ``order`` token ids).
        """
        ctx = tuple(int(v) for v in self.check_tokens(prompt, "prompt"))
        return ctx[max(0, len(ctx) - self.order) :]

    def next_state(self, state: tuple[int, ...], token: int) -> tuple[int, ...]:
        """Append ``token`` and keep the last ``min(order, len)`` tokens.  Chapter 1.

        Parameters
        ----------
        state : tuple of int
            The state (at most ``order`` token ids).
        token : int
            The token read, in ``range(vocab_size)``.

        Returns
        -------
        tuple of int
            The new state.
        """
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        s = tuple(state) + (tok,)
        return s[max(0, len(s) - self.order) :]

    def _fast(self, prompt, temperature) -> bool:
        return len(np.asarray(prompt).reshape(-1)) == 0 and check_temperature(temperature) == 1.0

    def sample(self, n: int, *, prompt: Sequence[int] = (), seed: SeedLike = None, temperature: float = 1.0) -> IntArray:
        r"""``n`` symbols of the stationary source, deterministic under ``seed`` (fast path).

        With a ``prompt`` or a ``temperature`` other than 1 this is
        :meth:`LanguageModel.sample <semtheory.channel.LanguageModel.sample>`.  Chapter 1.

        Parameters
        ----------
        n : int
            Number of symbols to draw, >= 0.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before the first draw.
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
        cum = cum_rows(self.transition.reshape(S, V))
        u = rng.random(n - k).tolist()
        for t, ut in enumerate(u):
            v = bisect.bisect_right(cum[s], ut)
            out[k + t] = v
            s = (s * V + v) % S
        return out

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), vectorised past the first :math:`k` positions.  Chapter 1.

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
            :math:`\log_b P(x_t \mid \text{prompt}, x^{t-1})`, units of ``base``; :math:`-\infty` for a token of
            probability 0.
        """
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

    def __init__(self, p: ArrayLike) -> None:
        super().__init__(as_pmf(p, "p", ndim=1))

    @classmethod
    def random(cls, vocab_size: int, *, seed: SeedLike = None, concentration: float = 1.0) -> IIDSource:
        """An i.i.d. source whose pmf is drawn from Dirichlet(``concentration``), deterministic under ``seed``.  Chapter 1.

        Parameters
        ----------
        vocab_size : int
            Number of symbols :math:`V \\ge 1`.
        seed : int, numpy.random.Generator or None, keyword-only, default None
            Seed of the draw of the pmf.
        concentration : float, keyword-only, default 1.0
            The Dirichlet parameter :math:`\\alpha > 0` of every symbol (1: uniform on the simplex).

        Returns
        -------
        IIDSource
            The source.
        """
        V = check_int(vocab_size, "vocab_size", minimum=1)
        a = check_positive(concentration, "concentration")
        p = as_rng(seed).dirichlet(np.full(V, a))
        return cls(p / p.sum())
