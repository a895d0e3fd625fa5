"""What the files of :mod:`semtheory.capacity` share and users do not call: the float-for-a-scalar return rule
of the vectorised functions and the tie-keeping sign of the zero-temperature updates (chapter 13).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported by
:mod:`semtheory.capacity`.
"""

from __future__ import annotations

import numpy as np


def float_or_array(arr: np.ndarray, like: object) -> float | np.ndarray:
    """``arr`` as a float when ``like`` (the argument it was computed from) is a scalar, else ``arr`` itself."""
    return float(arr) if np.ndim(like) == 0 else arr


def sign_keep(h: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The sign of the local field ``h``, keeping the spin ``s`` where ``h`` is exactly 0 (a tie)."""
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
