"""Validators shared by the :mod:`semtheory.embedding` submodules (not part of the public API).

The names are public within the subpackage (its modules import them) and not re-exported.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps

from .._validate import (
    as_pmf,
    as_real_array,
    check_probability,
)

# ==============================================================================================
# Small validators (public within the subpackage: the siblings import them)
# ==============================================================================================


def as_real_matrix(x, name: str, *, allow_neg_inf: bool = False) -> np.ndarray:
    if sps.issparse(x):
        x = sparse_real(x, name).toarray()
    arr = as_real_array(x, name, finite=False, nonempty=False)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    bad = np.isnan(arr) | (arr == np.inf)
    if not allow_neg_inf:
        bad |= arr == -np.inf
    if bad.any():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def sparse_real(x, name: str) -> sps.csr_matrix:
    """A sparse matrix as a float CSR matrix; complex entries (whose imaginary part scipy would drop) are refused."""
    if np.asarray(x.data).dtype.kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {x.dtype})")
    if np.asarray(x.data).dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold real numbers, got dtype {x.dtype}")
    return sps.csr_matrix(x, dtype=float)


def check_eps(eps) -> float:
    return check_probability(eps, "eps", low_open=True, high_open=True)


def as_joint(p_xy, name: str = "p_xy") -> np.ndarray:
    return as_pmf(p_xy, name, ndim=2)


def check_counts(counts, name: str = "counts"):
    """Return (csr matrix, is_sparse) after checking a non-negative finite 2-D count matrix with mass."""
    if sps.issparse(counts):
        C = sparse_real(counts, name)
        data = C.data
    else:
        C = as_real_matrix(counts, name)
        data = C
    if C.ndim != 2 or C.shape[0] == 0 or C.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {C.shape}")
    if not np.all(np.isfinite(data)):
        raise ValueError(f"{name} contains NaN or inf")
    if np.any(data < 0):
        raise ValueError(f"{name} has negative entries")
    if not data.sum() > 0:
        raise ValueError(f"{name} is all zero: no co-occurrences to compute PMI from")
    return sps.csr_matrix(C)
