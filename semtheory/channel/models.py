r"""Concrete language models of chapter 4: a model in Boltzmann form (:class:`BoltzmannLM`) and a model seen
through a decoding map (:class:`DecodedLM`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from .._validate import check_int, check_positive
from ..core.models import LanguageModel, check_model
from ._common import as_energies, decode_kwargs
from .boltzmann_form import boltzmann_logprobs
from .decoding import decode

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


class BoltzmannLM(LanguageModel):
    r"""A language model in Boltzmann form: :math:`P(v \mid \text{ctx}) = e^{-E(v;\,\text{ctx})/T} / Z(\text{ctx})`.

    ``energy(context)`` returns the ``vocab_size`` energies (negative logits) of the next token; ``+inf``
    masks a token.  ``temperature`` T > 0.  Every model is of this form with :math:`E = -\ln P` at
    :math:`T = 1`; the Transformer of chapter 10 computes :math:`E` from its last hidden state.  Chapters 4, 10.

    Parameters
    ----------
    energy : callable
        ``energy(context) -> energies``, shape ``(vocab_size,)``; ``+inf`` masks a token.
    vocab_size : int
        Number of tokens, >= 1.
    temperature : float, default 1.0
        :math:`T > 0`.

    Attributes
    ----------
    energy : callable
        The energy function.
    vocab_size : int
        Number of tokens.
    temperature : float
        :math:`T`.
    """

    def __init__(self, energy: Callable[..., ArrayLike], vocab_size: int, temperature: float = 1.0) -> None:
        if not callable(energy):
            raise ValueError(f"energy must be callable energy(context) -> energies, got {energy!r}")
        self.energy = energy
        self.vocab_size = check_int(vocab_size, "vocab_size", minimum=1)
        self.temperature = check_positive(temperature, "temperature")

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        ctx = self.check_tokens(context, "context")
        E = as_energies(self.energy(ctx), "energy(context)")
        if E.shape != (self.vocab_size,):
            raise ValueError(f"energy(context) must return shape ({self.vocab_size},), got {E.shape}")
        return boltzmann_logprobs(E, self.temperature)


class DecodedLM(LanguageModel):
    r"""The model ``model`` seen through a decoding map: :math:`\tilde P(\cdot \mid \text{ctx}) = \mathrm{decode}(\log P(\cdot \mid \text{ctx}))`.

    The map is :func:`decode` with the given ``temperature``, ``top_k``, ``top_p`` and ``greedy``.  Being a
    :class:`LanguageModel` itself, the decoded model can be sampled, scored and enumerated exactly
    (:func:`sequence_law`), which is how the book computes the law of what a decoder actually generates.
    The state protocol is delegated to ``model``.  Chapters 4, 6, 7.

    Parameters
    ----------
    model : LanguageModel
        The model decoded.
    temperature : float, keyword-only, default 1.0
        :math:`T > 0`.
    top_k : int or None, keyword-only, default None
        Keep the ``top_k`` most probable tokens (None: no truncation).
    top_p : float or None, keyword-only, default None
        Nucleus mass in :math:`(0, 1]` (None: no truncation).
    greedy : bool, keyword-only, default False
        Greedy decoding (absorbs the other steps).

    Attributes
    ----------
    model : LanguageModel
        The underlying model.
    vocab_size : int
        Number of tokens.
    """

    def __init__(self, model: LanguageModel, *, temperature: float = 1.0, top_k: int | None = None,
                 top_p: float | None = None, greedy: bool = False) -> None:
        self.model = check_model(model)
        self.vocab_size = model.vocab_size
        self._kw = decode_kwargs(temperature, top_k, top_p, greedy)

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        return decode(self.model.next_token_logprobs(self.check_tokens(context, "context")), **self._kw)

    def initial_state(self, prompt: Sequence[int] = ()) -> Any:
        return self.model.initial_state(prompt)

    def next_state(self, state: Any, token: int) -> Any:
        return self.model.next_state(state, token)

    def state_logprobs(self, state: Any) -> FloatArray:
        return decode(self.model.state_logprobs(state), **self._kw)
