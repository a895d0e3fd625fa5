"""What the files of :mod:`semtheory.channel` share and users do not need: the validation of energies
and log-pmfs (logits: :func:`semtheory._validate.as_logits`), the entropy of a validated log-pmf, and the checked keywords of :func:`~semtheory.channel.decode`."""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .._validate import as_logits, as_real_array, check_int, check_positive, check_probability
from ..core.models import NORM_ATOL


def as_energies(energies, name: str = "energies") -> np.ndarray:
    E = as_real_array(energies, name, finite=False, nonempty=False)
    if E.ndim == 0 or E.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one token on its last axis, got shape {E.shape}")
    if np.isnan(E).any():
        raise ValueError(f"{name} contains NaN")
    if np.isneginf(E).any():
        raise ValueError(f"{name} contains -inf (infinite weight); mask a token with energy +inf instead")
    if not np.isfinite(E).any(axis=-1).all():
        raise ValueError(f"{name} masks every token (all +inf): there is no distribution")
    return E


def as_logpmf(lp, name: str) -> np.ndarray:
    L = as_logits(lp, name)
    z = logsumexp(L, axis=-1)
    if np.any(np.abs(z) > NORM_ATOL):
        raise ValueError(f"{name} must be a normalised log-pmf (logsumexp = {np.max(np.abs(z)):.3g} away from 0)")
    return L


def entropy_nats(L: np.ndarray) -> np.ndarray:
    """Entropy (nats) of an already validated, normalised log-pmf along the last axis; masked terms are 0."""
    fin = np.isfinite(L)
    Lf = np.where(fin, L, 0.0)
    return np.maximum(-np.where(fin, np.exp(Lf) * Lf, 0.0).sum(axis=-1), 0.0)


def decode_kwargs(temperature, top_k, top_p, greedy) -> dict:
    T = check_positive(temperature, "temperature")
    k = None if top_k is None else check_int(top_k, "top_k", minimum=1)
    pv = None if top_p is None else check_probability(top_p, "top_p", low_open=True)
    if not isinstance(greedy, (bool, np.bool_)):
        raise ValueError(f"greedy must be True or False, got {greedy!r}")
    return dict(temperature=T, top_k=k, top_p=pv, greedy=bool(greedy))
