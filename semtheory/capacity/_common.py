"""What the files of :mod:`semtheory.capacity` share and users do not call: the check of a real scalar or array
argument, the float-for-a-scalar return rule of the vectorised functions, and the tie-keeping sign of the
zero-temperature updates (chapter 13).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported by
:mod:`semtheory.capacity`.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_float


def as_real_array(x: object, name: str) -> np.ndarray:
    """``x`` as a non-empty float array of finite reals (a bool is refused); ``ValueError`` naming ``name``."""
    if isinstance(x, bool):
        raise ValueError(f"{name} must be real, got {x!r}")
    try:
        arr = as_float(x, name)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array: {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def float_or_array(arr: np.ndarray, like: object) -> float | np.ndarray:
    """``arr`` as a float when ``like`` (the argument it was computed from) is a scalar, else ``arr`` itself."""
    return float(arr) if np.ndim(like) == 0 else arr


def sign_keep(h: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The sign of the local field ``h``, keeping the spin ``s`` where ``h`` is exactly 0 (a tie)."""
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
