r"""Semantic entropy over meaning classes (Kuhn, Gal & Farquhar 2023), exact and sampled (chapter 14).

:func:`semantic_entropy` splits the entropy of an answer into meaning and wording; :func:`sampled_semantic_entropy`
is the discrete plug-in estimator of Farquhar et al. (2024) on sampled answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from .._validate import as_array as _asarray
from .._validate import as_float, as_token_ids, check_int, log_base
from ..core.models import check_model
from .montecarlo import sample_prompt_flow

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, FloatArray, SeedLike


class SemanticEntropy(NamedTuple):
    r"""Exact entropies (units of ``base``) of an answer :math:`Y` and its meaning :math:`C = c(Y)`: ``semantic``
    :math:`H(C)`, ``lexical`` :math:`H(Y)` and ``within`` :math:`H(Y \mid C) = H(Y) - H(C) \ge 0`; arrays when the
    law has a leading prompt axis.  Chapter 14.

    Attributes
    ----------
    semantic : float or numpy.ndarray
        :math:`H(C)` (units of log ``base``).
    lexical : float or numpy.ndarray
        :math:`H(Y)`.
    within : float or numpy.ndarray
        :math:`H(Y \mid C) = H(Y) - H(C) \ge 0`.
    """

    semantic: np.ndarray | float
    lexical: np.ndarray | float
    within: np.ndarray | float


def _class_map(classes, shape) -> tuple[np.ndarray, int]:
    c = _asarray(classes, "classes")
    if c.shape != shape or c.dtype.kind not in "iu" or c.size == 0 or c.min() < 0:
        raise ValueError(f"classes must be a non-negative integer array of shape {shape} (one class per answer)")
    return c.ravel().astype(np.int64), int(c.max()) + 1


def semantic_entropy(law: ArrayLike, classes: ArrayLike, *, base: float = 2) -> SemanticEntropy:
    r"""Semantic entropy :math:`H(C) = -\sum_c P(c)\log P(c)`, :math:`P(c) = \sum_{y:\,c(y) = c} P(y)`, and the lexical entropy.

    ``law``: the law of an answer, a pmf of shape ``(V,) * n`` (e.g. :func:`generation_law`), or a stack of
    such laws ``(K,) + (V,) * n`` (one per prompt; the result is then per prompt); ``classes``: the meaning
    class :math:`c(y)` of every answer, an integer array of shape ``(V,) * n``.  Since :math:`C` is a function
    of :math:`Y`, :math:`H(Y) = H(C) + H(Y \mid C) \ge H(C)` (Kuhn, Gal & Farquhar 2023 measure uncertainty by
    :math:`H(C)` so that paraphrases do not count as uncertainty).  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    law : array_like, shape (V,) * n or (K,) + (V,) * n
        The pmf of an answer, or one per prompt.
    classes : array_like of int, shape (V,) * n
        The meaning class of every answer (non-negative integers).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    SemanticEntropy
        :math:`H(C)`, :math:`H(Y)` and :math:`H(Y \mid C)`, floats or arrays of shape ``(K,)``, in units of log
        ``base`` (bits by default).
    """
    lb = log_base(base)
    q = as_float(law, "law")
    c_shape = _asarray(classes, "classes").shape
    if q.shape == c_shape:
        q = q[None]
        single = True
    elif q.shape[1:] == c_shape:
        single = False
    else:
        raise ValueError(f"law must have the shape of classes {c_shape}, or a leading prompt axis, got {q.shape}")
    flat = q.reshape(q.shape[0], -1)
    if np.any(flat < 0) or not np.allclose(flat.sum(1), 1.0, atol=1e-9):
        raise ValueError("law must hold pmfs (non-negative, summing to 1 over the answers)")
    cm, C = _class_map(classes, c_shape)
    pc = np.zeros((flat.shape[0], C))
    np.add.at(pc.T, cm, flat.T)
    ent = lambda a: -(np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)).sum(1) / lb  # noqa: E731
    Hc, Hy = ent(pc), ent(flat)
    within = np.maximum(Hy - Hc, 0.0)
    if single:
        return SemanticEntropy(float(Hc[0]), float(Hy[0]), float(within[0]))
    return SemanticEntropy(Hc, Hy, within)


def sampled_semantic_entropy(model: LanguageModel, prompt: Sequence[int], n: int, classes: ArrayLike, n_samples: int, *,
                             repeats: int = 1, seed: SeedLike = None, base: float = 2) -> FloatArray:
    r"""Discrete semantic entropy (Farquhar et al. 2024): the plug-in entropy of the meaning classes of ``n_samples`` sampled answers.

    ``n_samples`` answers of ``n`` tokens are generated after ``prompt`` (:func:`sample_prompt_flow`'s sampler),
    mapped to their classes (``classes``, shape ``(V,) * n``) and the empirical class frequencies
    :math:`\hat P(c)` give :math:`\hat H(C) = -\sum_c \hat P(c)\log\hat P(c)`, biased low by about
    :math:`(\#\text{classes} - 1)/(2 M \ln b)` for :math:`M` samples.  Returns ``repeats`` independent estimates.
    Deterministic under ``seed``.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    prompt : sequence of int
        One prompt of token ids.
    n : int >= 1
        Tokens per answer.
    classes : array_like of int, shape (V,) * n
        The meaning class of every answer.
    n_samples : int >= 1
        Answers per estimate.
    repeats : int >= 1, keyword-only, default 1
        Number of independent estimates.
    seed : int >= 0, numpy.random.Generator or None, keyword-only, default None
        Randomness; the same seed gives the same result.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (repeats,)
        The estimates, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    model = check_model(model)
    V = model.vocab_size
    P = as_token_ids(np.atleast_2d(_asarray(prompt, "prompt")), "prompt", vocab_size=V, ndim=2)
    if P.shape[0] != 1:
        raise ValueError(f"prompt must be one sequence of token ids, got shape {np.shape(prompt)}")
    n = check_int(n, "n", minimum=1)
    cm, C = _class_map(classes, (V,) * n)
    M = check_int(n_samples, "n_samples", minimum=1)
    R = check_int(repeats, "repeats", minimum=1)
    paths = sample_prompt_flow(model, P, n, M * R, seed=seed)
    cls = cm[np.ravel_multi_index(tuple(paths.outputs.T), (V,) * n)].reshape(R, M)
    out = np.empty(R)
    for r in range(R):
        f = np.bincount(cls[r], minlength=C) / M
        out[r] = -(f[f > 0] * np.log(f[f > 0])).sum() / lb
    return out
