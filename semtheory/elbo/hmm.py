"""The hidden Markov model of chapter 11: the :class:`HMM` record and its constructors."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._validate import as_pmf, as_rng, as_stochastic, check_int, check_positive

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike


class HMM(NamedTuple):
    r"""A hidden Markov model: ``initial`` :math:`\pi` (S,), ``transition`` :math:`A` (S, S), ``emission`` :math:`B` (S, V).  Chapter 11.

    Attributes
    ----------
    initial : numpy.ndarray, shape (S,)
        :math:`\pi` (probabilities).
    transition : numpy.ndarray, shape (S, S)
        :math:`A` (rows pmfs).
    emission : numpy.ndarray, shape (S, V)
        :math:`B` (rows pmfs).
    """

    initial: np.ndarray
    transition: np.ndarray
    emission: np.ndarray


def make_hmm(initial: ArrayLike, transition: ArrayLike, emission: ArrayLike) -> HMM:
    r"""Validate and build an :class:`HMM` (rows of ``transition`` and ``emission`` are pmfs; shapes agree).  Chapter 11.

    Parameters
    ----------
    initial : array_like, shape (S,)
        The initial pmf :math:`\pi`.
    transition : array_like, shape (S, S)
        The transition matrix (rows pmfs).
    emission : array_like, shape (S, V)
        The emission matrix (rows pmfs).

    Returns
    -------
    HMM
        The checked model (probabilities).
    """
    initial = as_pmf(initial, "initial", ndim=1)
    transition = as_stochastic(transition, "transition")
    emission = as_stochastic(emission, "emission")
    S = initial.size
    if transition.shape != (S, S):
        raise ValueError(f"transition must have shape ({S}, {S}), got {transition.shape}")
    if emission.ndim != 2 or emission.shape[0] != S:
        raise ValueError(f"emission must have shape ({S}, V), got {emission.shape}")
    return HMM(initial, transition, emission)


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
