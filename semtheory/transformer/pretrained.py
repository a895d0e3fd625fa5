r"""Cheap, reproducible pre-trained models for later chapters, cached in-process (chapters 10, 14 and 15).

Part of :mod:`semtheory.transformer`, which re-exports its public names.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Callable

import numpy as np
from .._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.transformer")

from .._validate import check_int, check_positive, torch_seed
from ..core.torchloop import Pretrained, cached
from .model import Transformer
from .training import train

if TYPE_CHECKING:
    from ..core.types import SeedLike
    from ..sources import MarkovSource

__all__ = ["trainer", "markov_source", "pretrained_on_markov", "pretrained_on_english"]


def trainer(*, steps: int = 200, seed: SeedLike = 0, d_model: int = 16, n_heads: int = 2, n_layers: int = 1,
            context_length: int = 16, lr: float = 1e-2) -> Callable[[np.ndarray, int], "Transformer"]:
    r"""A ``fit(tokens, vocab_size)`` that builds a :class:`Transformer` and :func:`train`\ s it on ``tokens``.

    For code that takes "a way to train a predictor" (chapter 8's
    :func:`semtheory.granger.granger_by_training`): each call builds a fresh model with the given shape and
    ``seed`` and trains it for ``steps`` Adam steps at learning rate ``lr`` with the same seed, so equal
    streams give identical models.  Chapters 8, 10.

    Parameters
    ----------
    steps : int, keyword-only, default 200
        Training steps of each model, >= 1.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the batches (a Generator gives one draw, shared by every call).
    d_model, n_heads, n_layers, context_length : int, keyword-only
        The Transformer's shape (defaults 16, 2, 1, 16).
    lr : float, keyword-only, default 0.01
        Peak learning rate.

    Returns
    -------
    callable
        ``fit(tokens, vocab_size) -> Transformer``, trained.

    Examples
    --------
    >>> from semtheory import transformer
    >>> fit = transformer.trainer(steps=2, d_model=4, context_length=4)
    >>> fit([0, 1, 0, 1, 0, 1, 0, 1], 2).vocab_size
    2
    """
    steps = check_int(steps, "steps", minimum=1)
    seed = torch_seed(seed)
    lr = check_positive(lr, "lr")
    shape = dict(d_model=d_model, n_heads=n_heads, n_layers=n_layers, context_length=context_length)
    Transformer(2, seed=seed, **shape)  # the shape is checked once, here

    def fit(tokens, vocab_size: int) -> Transformer:
        model = Transformer(vocab_size, seed=seed, **shape)
        train(model, tokens, steps, lr=lr, seed=seed)
        return model

    return fit


def markov_source(*, seed: SeedLike = 0) -> MarkovSource:
    r"""The chapter's source with a known entropy rate: an order-2 Markov chain on 4 symbols, rows Dirichlet(0.3).

    A :class:`semtheory.sources.MarkovSource` drawn with ``seed`` (``MarkovSource.random(4, order=2,
    concentration=0.3)``): predicting it needs the last *two* tokens, so attention must look back.
    ``seed`` is an int >= 0, a numpy ``Generator`` or ``None`` (fresh entropy), turned into torch's int seed by ``semtheory._validate.torch_seed``.  Chapter 10.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, default 0
        Seed of the Dirichlet rows.

    Returns
    -------
    semtheory.sources.MarkovSource
        The order-2 source on 4 symbols.
    """
    from ..sources import MarkovSource

    return MarkovSource.random(4, order=2, seed=torch_seed(seed), concentration=0.3)


def pretrained_on_markov(*, seed: SeedLike = 0, source_seed: int = 0, steps: int = 300, batch_size: int = 32,
                         lr: float = 5e-3, n_train: int = 40_000, n_test: int = 20_000, d_model: int = 32,
                         n_layers: int = 2, n_heads: int = 2, context_length: int = 16) -> Pretrained:
    r"""A Transformer trained on :func:`markov_source` ``(source_seed)``: a few seconds on one CPU thread, cached in-process.

    Train and test streams are independent samples of the source (seeds ``2 * seed + 1`` and ``2 * seed + 2``);
    the model is initialised and trained (:func:`train`) with ``seed``.  The same arguments always give
    identical weights; each call returns a fresh copy (safe to modify).  ``seed`` (keyword-only) is an int >= 0, a
    numpy ``Generator`` or ``None``, turned into one int first.  Chapters 10, 14, 15.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the training batches.
    source_seed : int, keyword-only, default 0
        Seed of :func:`markov_source`.
    steps, batch_size, lr : keyword-only
        Training, as in :func:`train`.
    n_train, n_test : int, keyword-only
        Lengths of the training and test streams.
    d_model, n_layers, n_heads, context_length : int, keyword-only
        The architecture, as in :class:`Transformer`.

    Returns
    -------
    Pretrained
        A fresh copy: the model, its streams, the training run, and the test cross-entropy (bits per token).
    """
    seed = torch_seed(seed)
    source_seed = check_int(source_seed, "source_seed", minimum=0)
    context_length = check_int(context_length, "context_length", minimum=1)
    steps, batch_size = check_int(steps, "steps", minimum=1), check_int(batch_size, "batch_size", minimum=1)
    lr, n_layers = check_positive(lr, "lr"), check_int(n_layers, "n_layers", minimum=1)
    d_model, n_train = check_int(d_model, "d_model", minimum=1), check_int(n_train, "n_train", minimum=context_length)
    n_test = check_int(n_test, "n_test", minimum=1)
    n_heads = check_int(n_heads, "n_heads", minimum=1)
    key = ("markov", seed, source_seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, n_heads, context_length)

    def build():
        src = markov_source(seed=source_seed)
        tr = src.sample(check_int(n_train, "n_train", minimum=context_length), seed=2 * seed + 1)
        te = src.sample(check_int(n_test, "n_test", minimum=1), seed=2 * seed + 2)
        m = Transformer(src.vocab_size, d_model=d_model, n_heads=n_heads, n_layers=n_layers,
                        context_length=context_length, seed=seed)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, src, tr, te, res, m.cross_entropy(te, base=2), src.entropy_rate(base=2))

    return cached(key, build)


def pretrained_on_english(*, seed: SeedLike = 0, steps: int = 400, batch_size: int = 32, lr: float = 1e-2,
                          n_train: int = 200_000, n_test: int = 4_000, d_model: int = 48, n_layers: int = 2,
                          n_heads: int = 4, context_length: int = 32) -> Pretrained:
    r"""A byte-level Transformer (vocabulary 256) trained on the book's English corpus, cached in-process.

    The first ``n_train`` bytes of :func:`semtheory.sources.english_corpus` (UTF-8) are the training stream,
    the next ``n_test`` the test stream.  ``entropy_rate`` is ``None`` (unknown for real text).  ``seed``
    (keyword-only) is an int >= 0, a numpy ``Generator`` or ``None``, turned into one int first.  Chapters 10, 14.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initialisation and of the training batches.
    steps, batch_size, lr : keyword-only
        Training, as in :func:`train`.
    n_train, n_test : int, keyword-only
        Bytes of the training and test streams.
    d_model, n_layers, n_heads, context_length : int, keyword-only
        The architecture, as in :class:`Transformer`.

    Returns
    -------
    Pretrained
        A fresh copy: the model, its streams, the training run, and the test cross-entropy (bits per token).
    """
    seed = torch_seed(seed)
    key = ("english", seed, steps, batch_size, lr, n_train, n_test, d_model, n_layers, n_heads, context_length)

    def build():
        from ..sources import english_corpus

        n1 = check_int(n_train, "n_train", minimum=context_length)
        n2 = check_int(n_test, "n_test", minimum=1)
        data = np.frombuffer(english_corpus().encode("utf-8"), dtype=np.uint8).astype(np.int64)
        if data.size < n1 + n2:
            raise ValueError(f"n_train + n_test = {n1 + n2} exceeds the corpus ({data.size} bytes)")
        tr, te = data[:n1].copy(), data[n1:n1 + n2].copy()
        m = Transformer(256, d_model=d_model, n_heads=n_heads, n_layers=n_layers, context_length=context_length, seed=seed)
        res = train(m, tr, steps, batch_size=batch_size, lr=lr, seed=seed)
        return Pretrained(m, None, tr, te, res, m.cross_entropy(te, base=2), None)

    return cached(key, build)
