r"""Next-token laws after every prefix of many contexts at once: one home for the batched logits plumbing.

:func:`next_token_table` is what chapters 10, 14 and 15 read a model through when they need the next-token
law after every prefix of many rows.  A model that reads a batch of rows in one causal pass says so by a
``table(contexts, *, start=0)`` method (the Transformer of chapter 10, :class:`semtheory.hf.CausalLM`); any
other :class:`~semtheory.core.models.LanguageModel` is driven through its state protocol, memoised by
prefix.  The core needs no chapter's module for it.  Units: natural logs (nats).
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_token_ids, check_int
from .models import LanguageModel, StateWalker, check_model
from .types import ArrayLike

__all__ = ["as_contexts", "next_token_table"]


def as_contexts(contexts, vocab_size: int, name: str = "contexts") -> np.ndarray:
    """``contexts`` as a 2-D int64 array of token ids in ``[0, vocab_size)``, with at least one row.

    Parameters
    ----------
    contexts : array_like of int, shape (B, L)
        Rows of token ids.
    vocab_size : int
        The vocabulary size ``V``.
    name : str, default "contexts"
        The argument's name in error messages.

    Returns
    -------
    numpy.ndarray of int64, shape (B, L)
        The rows (a copy).
    """
    arr = as_token_ids(contexts, name, vocab_size=vocab_size, ndim=2, nonempty=False)
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one row")
    return arr


def next_token_table(model: LanguageModel, contexts: ArrayLike, *, start: int = 0) -> np.ndarray:
    r"""Next-token log-laws :math:`\ln P(\cdot \mid c_{1..r})` after every prefix length :math:`r = \text{start}..L` of each row.

    ``contexts`` is a 2-D integer array ``(B, L)``; the result has shape ``(B, L - start + 1, V)`` (nats), row
    ``[b, r - start]`` equal to ``model.next_token_logprobs(contexts[b, :r])``.  Duplicate rows are evaluated
    once.  A model with a ``table(contexts, *, start=0)`` method of this contract (a
    :class:`~semtheory.transformer.Transformer` whose window holds the whole row, :math:`L + 1 \le`
    ``context_length``; :class:`semtheory.hf.CausalLM`) reads each row in one causal pass, batched (to float32
    round-off); any other :class:`~semtheory.channel.LanguageModel` is driven through its state protocol,
    memoised by prefix.  Chapters 10, 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (one with a ``table`` method gets the batched fast path).
    contexts : array_like of int, shape (B, L)
        Rows of token ids in ``[0, V)``.
    start : int, keyword-only, default 0
        The shortest prefix length read, ``0 <= start <= L``.

    Returns
    -------
    numpy.ndarray, shape (B, L - start + 1, V)
        Natural-log next-token probabilities (nats); row ``[b, r - start]`` follows the prefix ``contexts[b, :r]``.

    Examples
    --------
    >>> import numpy as np
    >>> from semtheory.core import MarkovLM
    >>> from semtheory.core.tables import next_token_table
    >>> lm = MarkovLM([[0.9, 0.1], [0.2, 0.8]], initial=[0.5, 0.5])
    >>> np.exp(next_token_table(lm, [[0, 1]])).round(2).tolist()
    [[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]]]
    """
    model = check_model(model)
    V = model.vocab_size
    ctx = as_contexts(contexts, V)
    L = ctx.shape[1]
    start = check_int(start, "start", minimum=0, maximum=L)
    uniq, inv = np.unique(ctx, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if callable(getattr(model, "table", None)) and L + 1 <= getattr(model, "context_length", math.inf):
        tab = np.asarray(model.table(uniq, start=start), dtype=float)
    else:
        walker = StateWalker(model)
        tab = np.empty((len(uniq), L - start + 1, V))
        for b, row in enumerate(uniq.tolist()):
            for r in range(start, L + 1):
                tab[b, r - start] = walker.logprobs(tuple(row[:r]))
    return tab[inv]
