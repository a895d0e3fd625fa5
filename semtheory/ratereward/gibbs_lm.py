"""The token-level optimum of a prompt-then-generate task, as a LanguageModel (chapter 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from scipy.special import logsumexp

from ..core.types import ArrayLike
from .. import channel as _channel
from .._validate import as_float, check_int
from ..core.models import check_model
from ._common import check_kl_weight, log
from .causal import reward_table

if TYPE_CHECKING:
    from ..core.models import LanguageModel


class GibbsLM(_channel.LanguageModel):
    r"""The KL-regularised optimum of a reference LM for a reward on the next ``n`` tokens, token by token.

    For contexts ``prompt + y^{t-1}`` with :math:`t \le n` the next-token law is

    .. math::

        \pi^*(y_t \mid y^{t-1}) = \pi_{\mathrm{ref}}(y_t \mid y^{t-1})\, \exp\big((V_t(y^t) - V_{t-1}(y^{t-1}))/\beta\big),
        \qquad V_n = r,\quad V_{t-1}(y^{t-1}) = \beta \log \sum_{y_t} \pi_{\mathrm{ref}}(y_t \mid y^{t-1})\, e^{V_t(y^t)/\beta},

    the soft value recursion, so that :math:`\pi^*(y^n) = \pi_{\mathrm{ref}}(y^n)e^{r(y^n)/\beta}/Z` exactly
    (:func:`sequence_gibbs`); any other context gets the reference's law.  ``reward``: a table of shape
    ``(V,)*n`` or a callable (see :func:`reward_table`).  Attributes: ``value`` :math:`= V_0 = \beta \log Z`
    (reward units), ``log_partition`` :math:`\log Z`, ``values`` (list of the tables :math:`V_t`, reward units).
    Being a :class:`~semtheory.channel.LanguageModel` it can be sampled and enumerated.  Chapter 6.

    Parameters
    ----------
    ref : semtheory.channel.LanguageModel
        The reference model.
    reward : array_like or callable
        The reward on the next ``n`` tokens (see :func:`reward_table`), reward units.
    n : int
        Number of generated tokens, >= 1.
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    prompt : sequence of int, keyword-only, default ()
        The prompt the generated tokens follow.

    Attributes
    ----------
    value : float
        :math:`V_0 = \beta \log Z`, reward units.
    log_partition : float
        :math:`\log Z`, nats.
    values : list of numpy.ndarray
        The tables :math:`V_t`, reward units.
    kl_weight : float
        The KL weight :math:`\beta`.
    """

    def __init__(self, ref: LanguageModel, reward: ArrayLike | Callable[..., ArrayLike], n: int, kl_weight: float, *,
                 prompt: Sequence[int] = ()):
        self.ref = check_model(ref, "ref")
        self.vocab_size = V = ref.vocab_size
        self.n = n = check_int(n, "n", minimum=1)
        self.kl_weight = b = check_kl_weight(kl_weight)
        self.prompt = tuple(int(v) for v in ref.check_tokens(prompt, "prompt"))
        self.reward = reward_table(reward, V, n)
        # log pi_ref(. | prompt, y^t) for every prefix y^t, t = 0..n-1: tables (V,)*t + (V,)
        self._logref = []
        for t in range(n):
            prefixes = np.indices((V,) * t).reshape(t, -1).T if t else np.zeros((1, 0), dtype=np.int64)
            rows = np.stack([_checked(ref.next_token_logprobs(np.array(self.prompt + tuple(int(v) for v in p), dtype=np.int64)), V) for p in prefixes])
            self._logref.append(rows.reshape((V,) * t + (V,)))
        U = [None] * (n + 1)
        U[n] = self.reward / b
        for t in range(n - 1, -1, -1):
            U[t] = logsumexp(self._logref[t] + U[t + 1], axis=-1)
        self._U = U
        self.log_partition = float(U[0])
        self.value = b * self.log_partition
        self.values = [b * u for u in U]

    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""Next-token log-law :math:`\ln \pi^*(\cdot \mid y^{t-1})` after ``prompt + y^{t-1}``, :math:`t \le n`.

        :math:`\ln \pi_{\mathrm{ref}}(y_t \mid y^{t-1}) + (V_t(y^t) - V_{t-1}(y^{t-1}))/\beta` for the contexts
        of the task; any other context gets the reference's law.  Chapter 6.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        ctx = self.check_tokens(context, "context")
        k = len(self.prompt)
        if len(ctx) >= k and tuple(int(v) for v in ctx[:k]) == self.prompt and len(ctx) - k < self.n:
            y = tuple(int(v) for v in ctx[k:])
            t = len(y)
            return self._logref[t][y] + self._U[t + 1][y] - self._U[t][y]
        return self.ref.next_token_logprobs(ctx)


def _checked(lp, V: int) -> np.ndarray:
    lp = as_float(lp, "lp")
    if lp.shape != (V,) or np.isnan(lp).any() or abs(logsumexp(lp)) > 1e-9:
        raise ValueError("ref.next_token_logprobs must return a normalised log-pmf of shape (vocab_size,)")
    return lp


def sequence_gibbs(ref: LanguageModel, reward: ArrayLike | Callable[..., ArrayLike], n: int, kl_weight: float, *,
                   prompt: Sequence[int] = ()) -> np.ndarray:
    r"""The sequence-level Gibbs optimum :math:`\pi^*(y^n) = \pi_{\mathrm{ref}}(y^n \mid \text{prompt})\, e^{r(y^n)/\beta} / Z`.

    A table of shape ``(V,)*n`` computed from :func:`semtheory.channel.sequence_law` in the log domain; equal
    to the law of :class:`GibbsLM` (the token-level form).  Chapter 6.

    Parameters
    ----------
    ref : semtheory.channel.LanguageModel
        The reference model.
    reward : array_like or callable
        The reward on sequences of ``n`` tokens (see :func:`reward_table`), reward units.
    n : int
        Sequence length, >= 1.
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    prompt : sequence of int, keyword-only, default ()
        The prompt the sequences follow.

    Returns
    -------
    numpy.ndarray, shape (V,) * n
        The law :math:`\pi^*(y^n)`, a pmf over the sequences.
    """
    check_model(ref, "ref")
    b = check_kl_weight(kl_weight)
    n = check_int(n, "n", minimum=1)
    law = _channel.sequence_law(ref, n, prompt=prompt)
    r = reward_table(reward, ref.vocab_size, n)
    s = log(law) + r / b
    return np.exp(s - logsumexp(s))
