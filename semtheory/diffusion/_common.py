"""What the files of :mod:`semtheory.diffusion` share and users do not need: the validation of a data law, a
predictor table and token arrays, the enumeration of sequences and the indexing of flattened tables."""

from __future__ import annotations

import numpy as np

from .._validate import as_int_array, as_pmf, as_stochastic
from ..core.law import MAX_CELLS  # largest table ((V+1)^n * n * V cells) or law handled by enumeration
from ..core.types import ArrayLike

__all__ = [
    "MAX_CELLS",
    "check_law",
    "check_table",
    "check_pair",
    "all_sequences",
    "flat_table",
    "row_index",
    "visible_one_hot",
    "check_order",
]


def check_law(p: ArrayLike, name: str = "p") -> tuple[np.ndarray, int, int]:
    """A joint pmf of n >= 1 tokens over one alphabet: shape (V,)*n; returns (p, n, V)."""
    p = as_pmf(p, name)
    if p.ndim < 1 or len(set(p.shape)) != 1:
        raise ValueError(f"{name} must be a joint pmf of shape (V,)*n (all axes of one length), got {p.shape}")
    n, V = p.ndim, p.shape[0]
    if V < 1 or (V + 1) ** n * n * V > MAX_CELLS:
        raise ValueError(f"{name} is too large to enumerate masks for (n={n}, V={V})")
    return p, n, V


def check_table(q: ArrayLike, name: str = "q") -> tuple[np.ndarray, int, int]:
    """A predictor table of shape (V+1,)*n + (n, V) whose last axis holds pmfs."""
    q = as_stochastic(q, name)
    if q.ndim < 3:
        raise ValueError(f"{name} must have shape (V+1,)*n + (n, V), got {q.shape}")
    n, V = q.shape[-2], q.shape[-1]
    if q.ndim != n + 2 or any(s != V + 1 for s in q.shape[:-2]):
        raise ValueError(f"{name} must have shape (V+1,)*n + (n, V) = {(V + 1,) * n + (n, V)}, got {q.shape}")
    return q, n, V


def check_pair(p: ArrayLike, q: ArrayLike) -> tuple[np.ndarray, np.ndarray, int, int]:
    """A data law and a predictor table for the same n and V; returns (p, q, n, V)."""
    p, n, V = check_law(p, "p")
    q, nq, Vq = check_table(q, "q")
    if (nq, Vq) != (n, V):
        raise ValueError(f"q is a predictor for n={nq}, V={Vq} but p has n={n}, V={V}")
    return p, q, n, V


def all_sequences(n: int, V: int) -> np.ndarray:
    """Every x in V^n as rows, in C order of a (V,)*n array."""
    return np.indices((V,) * n).reshape(n, -1).T


def flat_table(q: np.ndarray, n: int, V: int) -> np.ndarray:
    """A validated table with its (V+1)^n context axes flattened into one: shape ((V+1)^n, n, V)."""
    return q.reshape((V + 1) ** n, n, V)


def row_index(z: np.ndarray, n: int, V: int) -> np.ndarray:
    """Row index of partially masked sequences z (..., n) into a flattened table."""
    return np.ravel_multi_index(tuple(np.moveaxis(z, -1, 0)), (V + 1,) * n)


def visible_one_hot(n: int, V: int) -> tuple[np.ndarray, np.ndarray]:
    """(table, Z): the flattened table with the one-hot law of the visible token at visible positions and zeros
    elsewhere, and every partially masked sequence Z ((V+1)^n, n) in the order of its rows."""
    Z = np.indices((V + 1,) * n).reshape(n, -1).T  # ((V+1)^n, n)
    out = np.zeros((Z.shape[0], n, V))
    r, i = np.nonzero(Z < V)
    out[r, i, Z[r, i]] = 1.0
    return out, Z


def check_order(order: ArrayLike, n: int) -> tuple[int, ...]:
    """A permutation of 0..n-1, as a tuple."""
    try:
        o = tuple(int(v) for v in as_int_array(order, "order", ndim=1))
    except (TypeError, ValueError):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {order!r}") from None
    if sorted(o) != list(range(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {order!r}")
    return o
