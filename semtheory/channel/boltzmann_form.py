r"""The Boltzmann form of a next-token law (chapter 4): :math:`P(v) = e^{-E(v)/T}/Z`, the log partition
function, the free energy, the mean energy and the entropy, all in the log domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import logsumexp

from .._validate import check_positive, log_base
from ._common import as_energies, entropy_nats

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


def _scaled_logits(E: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray]:
    """(-(E - E_min)/T, E_min): shifted so the largest entry is 0 (no overflow, exact T -> 0 limit)."""
    emin = np.min(E, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        z = -(E - emin) / T
    return z, emin


def boltzmann_logprobs(energies: ArrayLike, temperature: float = 1.0) -> FloatArray:
    r"""Natural-log Boltzmann law :math:`\ln P(v) = -E(v)/T - \ln Z`, :math:`Z = \sum_u e^{-E(u)/T}`.

    ``energies`` has the vocabulary on its last axis (any leading batch axes); ``+inf`` masks a token (log
    probability :math:`-\infty`).  Computed as :math:`-(E - E_{\min})/T - \operatorname{logsumexp}`, so a tiny
    ``temperature`` gives the exact greedy limit without overflow.  Chapters 4, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        A normalised log-pmf on the last axis, natural logs (``-inf`` for a token of probability 0).
    """
    T = check_positive(temperature, "temperature")
    E = as_energies(energies)
    z, _ = _scaled_logits(E, T)
    return z - logsumexp(z, axis=-1, keepdims=True)


def boltzmann(energies: ArrayLike, temperature: float = 1.0) -> FloatArray:
    r"""Boltzmann (Gibbs) distribution :math:`P(v) = e^{-E(v)/T} / Z` over the last axis of ``energies``.

    Energies are negative logits, so :math:`P = \softmax(\text{logits}/T)`.  ``+inf`` masks a token;
    ``temperature`` T > 0.  Chapters 4, 6, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., V)
        Probabilities on the last axis (no units), 0 for a masked token.
    """
    return np.exp(boltzmann_logprobs(energies, temperature))


def log_partition(energies: ArrayLike, temperature: float = 1.0) -> float | FloatArray:
    r"""Log partition function :math:`\ln Z = \ln \sum_v e^{-E(v)/T}` (over the last axis; log domain).  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`\ln Z`, in nats when the energies are in nats.
    """
    T = check_positive(temperature, "temperature")
    E = as_energies(energies)
    z, emin = _scaled_logits(E, T)
    out = logsumexp(z, axis=-1) - emin[..., 0] / T
    return float(out) if out.ndim == 0 else out


def free_energy(energies: ArrayLike, temperature: float = 1.0) -> float | FloatArray:
    r"""Helmholtz free energy :math:`F = -T \ln Z = E_{\min} - T \ln \sum_v e^{-(E(v) - E_{\min})/T}`.

    In the units of the energies (nats when :math:`E = -\ln P`).  :math:`\partial F / \partial E(v) = P(v)`,
    :math:`\partial F / \partial T = -S` (the entropy in nats) and :math:`F = U - T S`; :math:`F \to E_{\min}` as
    :math:`T \to 0`.  Chapters 4, 10.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`F`, in the units of the energies.
    """
    T = check_positive(temperature, "temperature")
    E = as_energies(energies)
    z, emin = _scaled_logits(E, T)
    out = emin[..., 0] - T * logsumexp(z, axis=-1)
    return float(out) if out.ndim == 0 else out


def mean_energy(energies: ArrayLike, temperature: float = 1.0) -> float | FloatArray:
    r"""Internal energy :math:`U = \E_P[E] = \sum_v P(v) E(v)` (masked tokens contribute 0).  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`U`, in the units of the energies.
    """
    E = as_energies(energies)
    P = boltzmann(E, temperature)
    out = np.where(P > 0, P * np.where(np.isfinite(E), E, 0.0), 0.0).sum(axis=-1)
    return float(out) if out.ndim == 0 else out


def boltzmann_entropy(energies: ArrayLike, temperature: float = 1.0, *, base: float = 2) -> float | FloatArray:
    r"""Entropy :math:`H(P) = -\sum_v P(v) \log P(v)` of the Boltzmann law; in nats :math:`S = (U - F)/T`.

    Non-decreasing in :math:`T` (:math:`\dd S/\dd T = \Var_P(E)/T^3`), from :math:`\log m` at :math:`T \to 0`
    (:math:`m` minimisers of :math:`E`) to :math:`\log(\text{unmasked tokens})` as :math:`T \to \infty`.
    Finite with masked tokens.  Units of ``base``.  Chapter 4.

    Parameters
    ----------
    energies : array_like of float, shape (..., V)
        Energies (negative logits) on the last axis; ``+inf`` masks a token.
    temperature : float, default 1.0
        :math:`T > 0`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The entropy, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    out = entropy_nats(boltzmann_logprobs(energies, temperature)) / lb
    return float(out) if out.ndim == 0 else out
