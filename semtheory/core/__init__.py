r"""The core layer: what the chapter modules share, under public names, owned by no chapter.

* :mod:`semtheory.core.models`: the :class:`LanguageModel` interface every model of the book implements, the
  table model :class:`MarkovLM`, the exact law of a few tokens (:func:`sequence_law`) and the model checks
  (:func:`check_model`, :func:`checked_logprobs`, :class:`StateWalker`).  Chapter 4 defines them; chapter 1's
  sources and tokenisers build on them, so they live here rather than in a chapter module.
* :mod:`semtheory.core.torchloop` (needs the ``torch`` extra, imported only when asked for): the book's one
  training loop :func:`~semtheory.core.torchloop.minimise`, determinism and one-thread inference
  (:func:`~semtheory.core.torchloop.one_thread`), the optimiser :class:`~semtheory.core.torchloop.Adam`, and the
  in-process model cache (:func:`~semtheory.core.torchloop.cached`, :class:`~semtheory.core.torchloop.Pretrained`).
* :mod:`semtheory.core.law`: the :math:`X_1 \dots X_n, Y_1 \dots Y_n` layout of joint laws.
* :mod:`semtheory.core.results`: the shared result records, :class:`~semtheory.core.results.Estimate` (a Monte
  Carlo mean and its standard error).
* :mod:`semtheory.core.tables`: the next-token law after every prefix of many rows
  (:func:`~semtheory.core.tables.next_token_table`), batched for a model with a ``table`` method.
* :mod:`semtheory.core.alternating`: the one certified alternating-optimisation loop
  (:func:`~semtheory.core.alternating.alternate`) that Blahut–Arimoto's relatives run on: channel and feedback
  capacity, directed rate-distortion, the information bottleneck, directed rate-reward.
* :mod:`semtheory.core.logexp`: the one log-sum-exp of the log-domain solvers
  (:func:`~semtheory.core.logexp.logsumexp`, :func:`~semtheory.core.logexp.log_normalise`), used by chapter 5's
  Blahut–Arimoto and chapter 9's information bottleneck.
* :mod:`semtheory.core.types`: the aliases of the type annotations (``ArrayLike``, ``FloatArray``, ``SeedLike``).

Validation of arguments lives in ``semtheory._validate`` (one home for every module).  Chapter modules import
these names from here; ``semtheory.channel`` and ``semtheory.transformer`` re-export the ones readers use
(``LanguageModel``, ``MarkovLM``, ``sequence_law``, ``minimise``, ``TrainResult``, ``Pretrained``), so the
chapters read the same.  Units: as in each submodule (laws in nats, scores in units of ``base``, bits by default).
"""

from __future__ import annotations

from . import law, logexp
from .results import Estimate
from .models import (
    MAX_CELLS,
    NORM_ATOL,
    LanguageModel,
    MarkovLM,
    StateWalker,
    check_model,
    checked_logprobs,
    register_batched_route,
    sequence_law,
)

__all__ = [
    "Estimate",
    "LanguageModel",
    "MarkovLM",
    "sequence_law",
    "check_model",
    "checked_logprobs",
    "StateWalker",
    "register_batched_route",
]
