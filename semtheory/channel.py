r"""The LLM as a probabilistic model: the autoregressive language-model interface (chapter 4).

Every model in the book (n-gram/Markov models of chapter 1, the Transformer of chapter 10, the state-space
models of chapter 15) implements :class:`LanguageModel`: it only has to say, for a context, the
natural-log probabilities of the next token.  Sequence log-probabilities, cross-entropy and seeded
sampling then come for free and behave identically across models.

Tokens are integers in ``range(vocab_size)``.  A *context* is a sequence of such integers.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
from scipy.special import logsumexp

from ._validate import as_rng, check_int, log_base

__all__ = ["LanguageModel"]


class LanguageModel(ABC):
    r"""Autoregressive language model :math:`P(x^n) = \prod_t P(x_t \mid x^{t-1})` over ``vocab_size`` tokens.

    Subclasses implement :meth:`next_token_logprobs`; everything else is derived from it.  Chapters 1, 4–16.
    """

    #: Number of tokens in the vocabulary; tokens are ``0 .. vocab_size - 1``.
    vocab_size: int

    @abstractmethod
    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""Natural-log next-token distribution :math:`\log P(\cdot \mid \text{context})`, shape ``(vocab_size,)``."""

    # -- helpers shared by every model -------------------------------------------------------------

    def _check_tokens(self, seq, name: str) -> np.ndarray:
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {arr.shape}")
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= self.vocab_size):
            raise ValueError(f"{name} must hold integer token ids in [0, {self.vocab_size})")
        return arr.astype(np.int64)

    def next_token_probs(self, context: Sequence[int]) -> np.ndarray:
        """Next-token pmf :math:`P(\\cdot \\mid \\text{context})` (probabilities, sums to 1).  Chapter 4."""
        ctx = self._check_tokens(context, "context")
        return np.exp(self.next_token_logprobs(ctx))

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = ()) -> np.ndarray:
        r"""Per-token :math:`\ln P(x_t \mid \text{prompt}, x^{t-1})` for each token of ``seq`` (nats).  Chapters 1, 7, 14."""
        s = self._check_tokens(seq, "seq")
        p = self._check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        out = np.empty(len(s))
        for t in range(len(s)):
            out[t] = self.next_token_logprobs(full[: len(p) + t])[s[t]]
        return out

    def log_prob(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base=2) -> float:
        r"""Sequence log-probability :math:`\log P(x^n \mid \text{prompt}) = \sum_t \log P(x_t \mid \cdot)`, units of ``base``.  Chapter 4."""
        lb = log_base(base)
        return float(self.token_logprobs(seq, prompt=prompt).sum() / lb)

    def cross_entropy(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base=2) -> float:
        r"""Per-token cross-entropy :math:`-\frac1n \log P(x^n \mid \text{prompt})` on ``seq`` (the pre-training loss).  Chapters 1, 5."""
        s = self._check_tokens(seq, "seq")
        if len(s) == 0:
            raise ValueError("seq must contain at least one token")
        return -self.log_prob(s, prompt=prompt, base=base) / len(s)

    def perplexity(self, seq: Sequence[int], *, prompt: Sequence[int] = ()) -> float:
        r"""Per-token perplexity :math:`e^{\text{cross-entropy in nats}}` on ``seq``.  Chapters 1, 14."""
        return math.exp(self.cross_entropy(seq, prompt=prompt, base=math.e))

    def sample(self, n: int, *, prompt: Sequence[int] = (), seed=None, temperature: float = 1.0) -> np.ndarray:
        r"""Draw ``n`` tokens autoregressively after ``prompt``, deterministic under ``seed``.

        Each token is drawn from :math:`\softmax(\log P(\cdot\mid\text{context}) / T)`; ``temperature`` T > 0.
        Chapters 4, 7.
        """
        n = check_int(n, "n", minimum=0)
        if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
        rng = as_rng(seed)
        ctx = list(self._check_tokens(prompt, "prompt"))
        out = np.empty(n, dtype=np.int64)
        for t in range(n):
            lp = self.next_token_logprobs(np.asarray(ctx, dtype=np.int64)) / temperature
            lp = lp - logsumexp(lp)
            tok = int(rng.choice(self.vocab_size, p=np.exp(lp)))
            out[t] = tok
            ctx.append(tok)
        return out
