"""Type aliases for the library's public signatures (PEP 484; the package ships ``py.typed``).

``ArrayLike`` is anything numpy turns into an array; ``FloatArray`` and ``IntArray`` are the arrays the library
returns; ``SeedLike`` is the seed convention (an int >= 0, a ``numpy.random.Generator`` or ``None``); ``Base`` is a
logarithm base (``2`` for bits, ``math.e`` for nats).
"""

from __future__ import annotations

from typing import Union

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

__all__ = ["ArrayLike", "Base", "FloatArray", "IntArray", "SeedLike"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SeedLike = Union[int, np.integer, np.random.Generator, None]
Base = float
