r"""The fixed-size state as a finite-state channel: the noisy delay source, the best sliding-window predictor,
the state-bottleneck lower bound, and a finite-state predictor that nearly meets it (chapter 15)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from .. import measures
from .._validate import check_int, check_positive, check_probability, log_base
from ..channel import LanguageModel
from ..sources import MarkovSource
from ..core.types import FloatArray


def delay_source(vocab_size: int, delay: int, noise: float) -> MarkovSource:
    r"""The noisy delay (copy) source: :math:`X_t = X_{t-k}` with probability :math:`1 - \varepsilon`, else uniform.

    .. math:: P(X_t = v \mid X_{t-k}^{t-1}) = (1 - \varepsilon)\,\ind[v = x_{t-k}] + \varepsilon / V,

    a :class:`~semtheory.sources.MarkovSource` of order :math:`k` = ``delay`` over :math:`V` = ``vocab_size``
    symbols, ``noise`` :math:`= \varepsilon`.  Its stationary law is uniform, so every window of :math:`k`
    symbols carries :math:`k \log V` bits, all of which the predictor must keep: each of them is copied
    :math:`k` steps later.  Entropy rate :math:`H(\,(1-\varepsilon)\delta + \varepsilon u\,)`.  Chapter 15.

    Parameters
    ----------
    vocab_size : int
        :math:`V \ge 2` symbols.
    delay : int
        :math:`k \ge 1`, with :math:`V^k \le 2048`.
    noise : float
        :math:`\varepsilon \in (0, 1]`.

    Returns
    -------
    MarkovSource
        The source, of order :math:`k`.

    Examples
    --------
    >>> round(delay_source(4, 2, 0.1).entropy_rate(), 4)
    0.5032
    """
    V = check_int(vocab_size, "vocab_size", minimum=2)
    k = check_int(delay, "delay", minimum=1)
    eps = check_probability(noise, "noise", low_open=True)
    if V**k > 2048:
        raise ValueError(f"vocab_size ** delay = {V ** k} states exceeds 2048 (too large for an exact stationary law)")
    T = np.full((V,) * (k + 1), eps / V)
    first = np.indices((V,) * (k + 1))
    T[first[0] == first[-1]] += 1 - eps
    return MarkovSource(T)


def _window_law(source: MarkovSource, m: int) -> np.ndarray:
    """Stationary joint law of m consecutive symbols (shape (V,)*m) of a MarkovSource."""
    V, k = source.vocab_size, source.order
    if k == 0:
        p = source.transition
        out = p
        for _ in range(m - 1):
            out = np.multiply.outer(out, p)
        return out.reshape((V,) * m) if m else np.ones(())
    if m <= k:
        return source.stationary.sum(axis=tuple(range(k - m))) if m < k else source.stationary
    p = source.stationary
    T = source.transition
    for _ in range(m - k):
        # p over (x_1..x_j), append x_{j+1} ~ T[x_{j-k+1..j}, .]
        p = p[..., None] * T.reshape((1,) * (p.ndim - k) + T.shape)
    return p


def window_cross_entropy(source: MarkovSource, window: int, *, base: float = 2) -> float:
    r"""Best cross-entropy of a predictor that sees only the last ``window`` = :math:`j` tokens: :math:`H(X_{t+1} \mid X_{t-j+1}^{t})`.

    Exact, from the stationary law of :math:`j+1` consecutive symbols (:func:`semtheory.measures.conditional_entropy`):
    what a sliding-window model (an order-:math:`j` n-gram, a Transformer with context :math:`j`) can reach at
    best, with a state of :math:`V^j` values.  Units of ``base``.  Chapter 15.

    Parameters
    ----------
    source : MarkovSource
        A stationary source.
    window : int
        :math:`j`, 0 to 12 tokens.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The conditional entropy, in units of log ``base`` per token (bits by default).
    """
    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    j = check_int(window, "window", minimum=0)
    log_base(base)
    if j > 12:
        raise ValueError(f"window must be <= 12 (the joint law has V**(window+1) entries), got {j}")
    if j == 0:
        return measures.entropy(_window_law(source, 1), base=base)
    p = _window_law(source, j + 1)
    return measures.conditional_entropy(p, [j], list(range(j)), base=base)


class BottleneckBound(NamedTuple):
    r"""``bound``: the lower bound on the per-token cross-entropy (units of ``base``), ``entropy_rate``,
    ``block`` (the block length :math:`m` that attains it; 0 when the entropy rate is the binding term) and
    ``log_states`` (:math:`\log S` in the same units).

    Attributes
    ----------
    bound : float
        Lower bound per token, units of log ``base``.
    entropy_rate : float
        :math:`\mathcal H`, same units.
    block : int
        Binding block length :math:`m` (0: the entropy rate binds).
    log_states : float
        :math:`\log S`, same units.
    """

    bound: float
    entropy_rate: float
    block: int
    log_states: float


def state_bottleneck_bound(source: MarkovSource, log2_states: float, *, base: float = 2) -> BottleneckBound:
    r"""Lower bound on the cross-entropy of any predictor whose law is a function of a state with :math:`S` values.

    .. math:: \frac1m \E\bigl[-\log Q(X_{t+1}^{t+m} \mid S_t)\bigr] \;\ge\;
              \max\Bigl(\mathcal H,\ \max_{m \ge 1} \frac{H(X_1^m) - \log S}{m}\Bigr)

    for a stationary source (``source``, a :class:`~semtheory.sources.MarkovSource` of order :math:`k`) and a
    state :math:`S_t = f(S_{t-1}, X_t)` with :math:`\log_2 S` = ``log2_states`` bits.  For :math:`m \ge k`,
    :math:`H(X_1^m) = H(X_1^k) + (m-k)\mathcal H`, so the ratio is monotone there and the maximum is attained
    at some :math:`m \le k` (or is :math:`\mathcal H`); the block entropies are exact
    (:func:`semtheory.measures.entropy` of the stationary law).  Units of ``base``.  Chapter 15.

    Parameters
    ----------
    source : MarkovSource
        A stationary source.
    log2_states : float
        :math:`\log_2 S \ge 0`, bits of state.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    BottleneckBound
        The bound in units of log ``base`` per token (bits by default), the entropy rate, the binding block
        length and :math:`\log S`.

    Examples
    --------
    >>> round(state_bottleneck_bound(delay_source(4, 4, 0.1), 4.0).bound, 6)
    1.0
    """
    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    bits = check_positive(log2_states, "log2_states", allow_zero=True)
    lb = log_base(base)
    logS = bits * math.log(2) / lb
    H = source.entropy_rate(base=base)
    best, arg = H, 0
    for m in range(1, source.order + 1):
        val = (measures.entropy(_window_law(source, m), base=base) - logS) / m
        if val > best + 1e-12:
            best, arg = val, m
    return BottleneckBound(float(best), float(H), arg, float(logS))


class RegisterPredictor(LanguageModel):
    r"""A finite-state predictor for :func:`delay_source`: a phase counter mod :math:`k` and :math:`j` stored symbols.

    At phases :math:`0, \ldots, j-1` (mod :math:`k`) it stores the incoming symbol in the register of that
    phase, overwriting the one stored :math:`k` steps earlier, after using it: it predicts the next symbol
    with the source's law :math:`(1-\varepsilon)\delta_{x_{t+1-k}} + \varepsilon/V` when :math:`x_{t+1-k}` is
    held, and uniformly otherwise.  :math:`S = k V^j` states, stationary cross-entropy
    :math:`\tfrac{j}{k}\mathcal H + (1 - \tfrac jk)\log V` (:meth:`stationary_cross_entropy`).  Chapter 15.

    Parameters
    ----------
    vocab_size : int
        :math:`V \ge 2`.
    delay : int
        :math:`k \ge 1`.
    noise : float
        :math:`\varepsilon` of the delay source.
    slots : int
        Registers :math:`j`, 0 to :math:`k`.
    """

    def __init__(self, vocab_size: int, delay: int, noise: float, slots: int) -> None:
        self.vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
        self.delay = check_int(delay, "delay", minimum=1)
        self.noise = check_probability(noise, "noise", low_open=True)
        self.slots = check_int(slots, "slots", minimum=0, maximum=self.delay)
        V, eps = self.vocab_size, self.noise
        self._uniform = np.full(V, -math.log(V))
        self._copy = np.log(np.full((V, V), eps / V) + (1 - eps) * np.eye(V))  # row u: law when x_{t+1-k} = u

    @property
    def log2_states(self) -> float:
        r""":math:`\log_2 S = \log_2 k + j \log_2 V` bits of state."""
        return math.log2(self.delay) + self.slots * math.log2(self.vocab_size)

    def initial_state(self, prompt: Sequence[int] = ()) -> tuple[int, tuple[int, ...]]:
        r"""The state ``(phase, registers)`` after ``prompt``: the phase is the position of the next token mod :math:`k`.  Chapter 15.

        The start is phase 0 with every register empty (``-1``), folded through :meth:`next_state`.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first.

        Returns
        -------
        tuple
            ``(phase, registers)``: ``len(prompt) % delay`` and a tuple of ``slots`` stored tokens (``-1``: empty).
        """
        st = (0, (-1,) * self.slots)  # phase of the next position, registers (-1 = empty)
        for v in self.check_tokens(prompt, "prompt"):
            st = self.next_state(st, int(v))
        return st

    def next_state(self, state: tuple[int, tuple[int, ...]], token: int) -> tuple[int, tuple[int, ...]]:
        r"""One step :math:`S_t = f(S_{t-1}, x_t)`: store ``token`` in the register of the current phase (if there is one) and advance the phase.  Chapter 15.

        Parameters
        ----------
        state : tuple
            ``(phase, registers)``, from :meth:`initial_state` or :meth:`next_state`.
        token : int
            The token read, in ``range(vocab_size)``.

        Returns
        -------
        tuple
            The new ``(phase, registers)``, phase :math:`+1` mod :math:`k`.
        """
        tok = check_int(token, "token", minimum=0, maximum=self.vocab_size - 1)
        phase, regs = state
        if phase < self.slots:
            regs = regs[:phase] + (tok,) + regs[phase + 1:]
        return ((phase + 1) % self.delay, regs)

    def state_logprobs(self, state: tuple[int, tuple[int, ...]]) -> FloatArray:
        r"""Copy law :math:`(1-\varepsilon)\delta_{r} + \varepsilon/V` if the register of this phase holds :math:`r`, else uniform.  Chapter 15.

        :math:`r` is then the token :math:`k` steps before the next one, which the delay source copies.

        Parameters
        ----------
        state : tuple
            ``(phase, registers)``, a state of this predictor.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        phase, regs = state
        if phase < self.slots and regs[phase] >= 0:
            return self._copy[regs[phase]].copy()
        return self._uniform.copy()

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        r"""The next-token law :math:`\ln Q(\cdot \mid S_t)` after ``context``, by walking the state from the start.  Chapter 15.

        Parameters
        ----------
        context : sequence of int
            The tokens read.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return self.state_logprobs(self.initial_state(context))

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log Q(x_t \mid S_{t-1})` (units of ``base``, bits by default) by walking the state once; :math:`O(n)`.  Chapter 15.

        Equal to :meth:`next_token_logprobs` at every position, divided by :math:`\ln b`.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            :math:`\log_b Q(x_t \mid S_{t-1})`, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        st = self.initial_state(prompt)
        out = np.empty(len(s))
        for t, v in enumerate(s):
            out[t] = self.state_logprobs(st)[v]
            st = self.next_state(st, int(v))
        return out / lb

    def stationary_cross_entropy(self, *, base: float = 2) -> float:
        r"""Stationary cross-entropy against :func:`delay_source` ``(V, k, noise)``: :math:`\tfrac{j}{k}\mathcal H + (1-\tfrac jk)\log V`.  Chapter 15.

        A fraction :math:`j/k` of the positions (once the registers are full) is predicted with the copy law, at
        cross-entropy :math:`\mathcal H = H\bigl((1-\varepsilon)\delta + \varepsilon u\bigr)`, the source's
        entropy rate; the others uniformly, at :math:`\log V`.

        Parameters
        ----------
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

        Returns
        -------
        float
            Per token, in units of log ``base`` (bits by default).

        Examples
        --------
        >>> round(RegisterPredictor(4, 2, 0.1, 1).stationary_cross_entropy(), 4)
        1.2516
        """
        lb = log_base(base)
        V, eps, j, k = self.vocab_size, self.noise, self.slots, self.delay
        q = np.full(V, eps / V)
        q[0] += 1 - eps
        h = measures.entropy(q, base=base)
        return j / k * h + (1 - j / k) * math.log(V) / lb
