"""What the parts of :mod:`semtheory.semantic` share and users do not call: the checks of a prompt set and its
weights, the memory budget of one block of next-token laws, the inverse-CDF draw of one token per row, and the
check of a Markov source (chapter 14).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported by
:mod:`semtheory.semantic`.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_pmf

TABLE_BYTES = 2**25  # memory budget of one block of next-token laws


def prompt_weights(weights, K: int) -> np.ndarray:
    """The pmf of ``K`` prompts: ``weights`` checked (one entry per prompt), or uniform when None."""
    if weights is None:
        return np.full(K, 1.0 / K)
    w = as_pmf(weights, "weights", ndim=1)
    if w.size != K:
        raise ValueError(f"weights must have one entry per prompt ({K}), got {w.size}")
    return w


def draw(rng: np.random.Generator, logp: np.ndarray) -> np.ndarray:
    """One token per row of the log-laws ``logp`` ``(B, V)`` by the inverse CDF (one uniform per row)."""
    c = np.cumsum(np.exp(logp), axis=1)
    c[:, -1] = np.inf
    return (rng.random((logp.shape[0], 1)) >= c).sum(axis=1)


def as_markov_source(source):
    """``source`` itself if it is a :class:`semtheory.sources.MarkovSource`, else ValueError."""
    from ..sources import MarkovSource

    if not isinstance(source, MarkovSource):
        raise ValueError(f"source must be a semtheory.sources.MarkovSource, got {type(source).__name__}")
    return source

