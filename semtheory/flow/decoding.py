r"""Decoding and the flow: the directed-information rate of an LM under temperature, top-k, top-p and greedy
decoding (chapter 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .. import channel as _channel
from .. import directed
from .._validate import as_pmf, as_real_array, check_int, log_base
from ..core.types import ArrayLike, FloatArray

if TYPE_CHECKING:
    from ..core.models import LanguageModel


def decoding_flow(model: LanguageModel, inputs: ArrayLike | Callable[..., ArrayLike], n: int, *, temperatures: ArrayLike,
                  top_k: int | None = None, top_p: float | None = None, greedy: bool = False,
                  base: float = 2) -> FloatArray:
    r"""Directed information per generated token :math:`\frac1n I(X^n \to Y^n)` when ``model`` is decoded at each temperature.

    For each :math:`T` in ``temperatures`` the model is seen through the decoding map
    (:class:`semtheory.channel.DecodedLM` with ``temperature=T`` and the given ``top_k`` / ``top_p`` /
    ``greedy``) and the exact joint law with the input process ``inputs`` (a pmf or a policy callable, as in
    :func:`semtheory.channel.interaction_law`) is enumerated.  The result is :math:`\E[\Lambda_n]/n`, the mean
    information flow per token.  Units of ``base``.  Chapters 7, 14.

    ``greedy=True`` is the :math:`T \to 0` limit of the temperature map (the uniform law on each context's most
    likely tokens, chapter 4), whatever ``temperatures`` says; ``top_k=1`` is the deterministic argmax decoder,
    which breaks a tie by the smaller token id.  The two agree exactly when no context the decoder reaches has
    a tie.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The model to decode.
    inputs : array_like, shape (V,), or callable
        The input process: a pmf of i.i.d. inputs over the model's tokens, or a policy callable
        (:func:`semtheory.channel.interaction_law`).
    n : int
        The horizon, at least 1.
    temperatures : array_like, shape (k,), keyword-only
        The decoding temperatures, finite and positive.
    top_k : int or None, keyword-only
        Top-k truncation (:class:`semtheory.channel.DecodedLM`).
    top_p : float or None, keyword-only
        Nucleus truncation.
    greedy : bool, keyword-only, default False
        Decode at the :math:`T \to 0` limit.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (k,)
        :math:`\frac1n I(X^n \to Y^n)` at each temperature, in units of log ``base`` per token (bits by default).
    """
    log_base(base)
    n = check_int(n, "n", minimum=1)
    if not callable(inputs):  # a pmf of the i.i.d. inputs: checked here, so the message names inputs
        q = as_pmf(inputs, "inputs", ndim=1)
        V = getattr(model, "vocab_size", q.size)
        if q.size != V:
            raise ValueError(f"inputs must be a pmf over the model's {V} tokens, got {q.size} entries")
    Ts = np.atleast_1d(as_real_array(temperatures, "temperatures", finite=False, nonempty=False))
    if Ts.ndim != 1 or Ts.size == 0 or not np.all(np.isfinite(Ts)) or np.any(Ts <= 0):
        raise ValueError("temperatures must be a non-empty 1-D array of finite values > 0")
    out = np.empty(Ts.size)
    for i, T in enumerate(Ts):
        lm = _channel.DecodedLM(model, temperature=float(T), top_k=top_k, top_p=top_p, greedy=greedy)
        law = _channel.interaction_law(lm, inputs, n)
        out[i] = directed.directed_information(law, base=base) / n
    return out
