"""The hidden Markov model of chapter 11: the :class:`HMM` record and its constructors."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._validate import as_pmf, as_rng, as_stochastic, check_int, check_positive

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike


class HMM(NamedTuple):
    r"""A hidden Markov model: ``init`` :math:`\pi` (S,), ``trans`` :math:`A` (S, S), ``emit`` :math:`B` (S, V).  Chapter 11.

    Attributes
    ----------
    init : numpy.ndarray, shape (S,)
        :math:`\pi` (probabilities).
    trans : numpy.ndarray, shape (S, S)
        :math:`A` (rows pmfs).
    emit : numpy.ndarray, shape (S, V)
        :math:`B` (rows pmfs).
    """

    init: np.ndarray
    trans: np.ndarray
    emit: np.ndarray


def make_hmm(init: ArrayLike, trans: ArrayLike, emit: ArrayLike) -> HMM:
    r"""Validate and build an :class:`HMM` (rows of ``trans`` and ``emit`` are pmfs; shapes agree).  Chapter 11.

    Parameters
    ----------
    init : array_like, shape (S,)
        The initial pmf :math:`\pi`.
    trans : array_like, shape (S, S)
        The transition matrix (rows pmfs).
    emit : array_like, shape (S, V)
        The emission matrix (rows pmfs).

    Returns
    -------
    HMM
        The checked model (probabilities).
    """
    init = as_pmf(init, "init", ndim=1)
    trans = as_stochastic(trans, "trans")
    emit = as_stochastic(emit, "emit")
    S = init.size
    if trans.shape != (S, S):
        raise ValueError(f"trans must have shape ({S}, {S}), got {trans.shape}")
    if emit.ndim != 2 or emit.shape[0] != S:
        raise ValueError(f"emit must have shape ({S}, V), got {emit.shape}")
    return HMM(init, trans, emit)


def random_hmm(n_states: int = 2, vocab_size: int = 3, *, concentration: float = 1.0,
               seed: SeedLike = 0) -> HMM:
    r"""An HMM with Dirichlet(``concentration``) rows, seeded.  Chapter 11.

    Parameters
    ----------
    n_states : int, default 2
        :math:`S`.
    vocab_size : int, default 3
        :math:`V`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    HMM
        The random model.
    """
    S = check_int(n_states, "n_states", minimum=1)
    V = check_int(vocab_size, "vocab_size", minimum=1)
    a = check_positive(concentration, "concentration")
    rng = as_rng(seed)
    return HMM(rng.dirichlet(np.full(S, a)), rng.dirichlet(np.full(S, a), size=S), rng.dirichlet(np.full(V, a), size=S))
