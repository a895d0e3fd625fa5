"""Helpers shared by the :mod:`semtheory.granger` submodules (not part of the public API)."""

from __future__ import annotations

import numpy as np

from .._validate import as_axes, as_real_array


def real(x, name: str) -> np.ndarray:
    """A float copy of ``x``; complex (whose imaginary part would be dropped), strings and None raise naming ``name``."""
    return np.array(as_real_array(x, name, finite=False, nonempty=False), dtype=float)


def stable_var(coefs, noise_cov) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~semtheory.granger.as_var`, and a ``ValueError`` naming ``coefs`` unless the VAR is stable."""
    from .var import as_var, spectral_radius  # var imports this module

    A, S = as_var(coefs, noise_cov)
    r = spectral_radius(A)
    if not r < 1.0:
        raise ValueError(f"coefs: the VAR is not stable (spectral radius {r:.6g} >= 1); no stationary law exists")
    return A, S


def psd_sqrt(S: np.ndarray) -> np.ndarray:
    """A matrix R with R R^T = S for a symmetric PSD S (eigen-decomposition; tolerates singular S)."""
    w, V = np.linalg.eigh(S)
    return V * np.sqrt(np.clip(w, 0.0, None))


def component_axes(sel, d: int, name: str) -> tuple[int, ...]:
    """``as_axes`` without Python's negative indices: components are addressed as 0..d-1 only."""
    out = as_axes(sel, d, name)
    if sel is not None and any(int(c) < 0 for c in np.ravel(np.asarray(sel, dtype=object))):
        raise ValueError(f"{name} must hold indices 0..{d - 1} (no negative indices), got {sel!r}")
    return out


def components(sel, d: int, name: str) -> tuple[int, ...]:
    if sel is None:
        raise ValueError(f"{name} is required (a component index or a list of indices)")
    out = component_axes(sel, d, name)
    if not out:
        raise ValueError(f"{name} must name at least one component")
    return out


def empty(x) -> bool:
    try:
        return len(x) == 0
    except TypeError:
        return False


def as_series(x, name: str) -> np.ndarray:
    arr = real(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, m) with n >= 1, got {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def lagged(series: np.ndarray, lags: int, start: int) -> list[np.ndarray]:
    n = series.shape[0]
    return [series[start - j : n - j] for j in range(1, lags + 1)]


def regression_blocks(source, target, condition, k, l):
    """Response and the (target past, source past, condition past) blocks, rows t = h..n-1."""
    y = as_series(target, "target")
    x = as_series(source, "source")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"source and target must have the same length, got {x.shape[0]} and {y.shape[0]}")
    z = None if condition is None else as_series(condition, "condition")
    if z is not None and z.shape[0] != y.shape[0]:
        raise ValueError(f"condition must have the same length as target, got {z.shape[0]} and {y.shape[0]}")
    h = max(k, l)
    n = y.shape[0]
    ncols = 1 + k * y.shape[1] + l * x.shape[1] + (0 if z is None else k * z.shape[1])
    if n - h <= ncols:
        raise ValueError(f"target is too short ({n} values) for these histories (k={k}, l={l})")
    resp = y[h:]
    own = lagged(y, k, h) + ([] if z is None else lagged(z, k, h))
    src = lagged(x, l, h)
    cat = lambda blocks: np.concatenate(blocks, axis=1) if blocks else np.zeros((n - h, 0))  # noqa: E731
    return resp, cat(own), cat(src)


def logdet(M: np.ndarray, name: str) -> float:
    sign, val = np.linalg.slogdet(np.atleast_2d(M))
    if sign <= 0:
        raise ValueError(f"{name}: a residual covariance is singular (collinear or constant series)")
    return float(val)
