"""Input validation shared by every module.

Every public function of :mod:`semtheory` validates its inputs with these helpers, so that bad input
raises a :class:`ValueError` that names the offending argument.  Nothing is ever silently
renormalised: a pmf that does not sum to one is an error, not something to fix quietly.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

#: Absolute floor of the tolerance on the total mass of a pmf (see :func:`pmf_tolerance`).
PMF_ATOL = 1e-9

#: Factor ``c`` of the round-off part ``c * eps(dtype) * sqrt(n)`` of :func:`pmf_tolerance`.
PMF_EPS_FACTOR = 2.0

#: Cells per block of the chunked sweeps (min, sum and a kernel while the block sits in cache).
SWEEP_BLOCK = 1 << 15


def pmf_tolerance(dtype, n: int, atol: float = PMF_ATOL) -> float:
    r"""Tolerance on the total mass of a pmf of ``n`` cells stored as ``dtype``: :math:`\max(a, c\,\varepsilon\sqrt n)`.

    :math:`a` = ``atol`` (``1e-9`` by default), :math:`c` = :data:`PMF_EPS_FACTOR` (2) and :math:`\varepsilon`
    the machine epsilon of ``dtype`` (float64 for integer, boolean and object input).  Each cell of a
    float pmf carries a relative rounding error of up to :math:`\varepsilon/2` and a computed normaliser
    (a softmax's sum) errs by a random walk of about :math:`\varepsilon\sqrt n`, so a float32 softmax over
    50k tokens (:math:`\varepsilon = 1.2\times10^{-7}`, tolerance :math:`5.3\times10^{-5}`) is a pmf, while a
    float64 pmf keeps the absolute :math:`10^{-9}` up to :math:`n \approx 5\times10^{12}` cells.  Nothing is
    renormalised: the tolerance decides only what is accepted as it is.
    """
    eps = _EPS.get(dtype)
    if eps is None:
        dt = np.dtype(dtype)
        eps = _EPS[dtype] = float(np.finfo(dt if dt.kind == "f" else np.float64).eps)
    return max(float(atol), PMF_EPS_FACTOR * eps * math.sqrt(max(int(n), 1)))


_EPS: dict = {}  # machine epsilon by dtype (np.finfo is slow to ask)


def _real_array_dt(x, name: str, what: str) -> tuple[np.ndarray, np.dtype]:
    """(``x`` as a float64 array, the dtype it came in); complex, boolean, string and object arrays are refused."""
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {what}: {exc}") from None
    kind = raw.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {raw.dtype})")
    if kind in "bUSO" and raw.size:
        if kind == "O" and all(isinstance(v, (Real, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_))
                               for v in raw.flat):
            return raw.astype(float), np.dtype(float)
        raise ValueError(f"{name} must be {what} (numbers), got dtype {raw.dtype}")
    try:
        return raw.astype(float, copy=False), raw.dtype
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be {what}: {exc}") from None


def _real_array(x, name: str, what: str) -> np.ndarray:
    """``x`` as a float array; complex, boolean, string and object arrays are refused (never cast)."""
    return _real_array_dt(x, name, what)[0]


def _blocks(arr: np.ndarray):
    """Consecutive contiguous 1-D blocks of ``arr`` in memory order (no copy for a C- or F-contiguous array)."""
    flat = arr.ravel(order="K")
    for i in range(0, flat.size, SWEEP_BLOCK):
        yield flat[i : i + SWEEP_BLOCK]


def sweep(arr: np.ndarray, kernel=None) -> tuple[float, float, float]:
    """(min, total, sum of ``kernel(block, block_min, scratch)``) in one sweep over memory.

    A NaN makes the min NaN, ``-inf`` the min ``-inf`` and ``+inf`` the total ``inf``: min and sum certify
    finiteness and sign together.  Block totals are added with :func:`math.fsum`.
    """
    if arr.size <= SWEEP_BLOCK:
        mn, tot = float(arr.min()), float(arr.sum())
        val = kernel(arr.reshape(-1), mn, np.empty(arr.size)) if kernel is not None else 0.0
        return mn, tot, val
    mn, tots, vals = math.inf, [], []
    buf = np.empty(SWEEP_BLOCK) if kernel is not None else None
    for blk in _blocks(arr):
        m = float(blk.min())
        if mn == mn and not m >= mn:  # smaller, or NaN (which then stays: NaN never compares)
            mn = m
        tots.append(float(blk.sum()))
        if kernel is not None:
            vals.append(kernel(blk, m, buf[: blk.size]))
    return mn, _fsum(tots), _fsum(vals)


def _fsum(xs: list) -> float:
    """:func:`math.fsum`, or the plain sum where it cannot be exact (an inf, a NaN, an overflow)."""
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return float(sum(xs))


def _pmf_verdict(arr: np.ndarray, name: str, mn: float, total: float, tol: float) -> None:
    """Raise the error ``as_pmf`` raises, from the sweep's min and total (``arr`` is read again only on failure)."""
    if not (mn >= 0 and math.isfinite(total)):
        if math.isnan(mn) or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
        if mn < 0:
            raise ValueError(f"{name} has negative mass (min {mn:.3g})")
    if not abs(total - 1.0) <= tol:
        raise ValueError(f"{name} must sum to 1 (sums to {total:.12g}); semtheory never renormalises silently")


def _pmf_input(p, name: str, ndim: int | None) -> tuple[np.ndarray, np.dtype]:
    arr, dt = _real_array_dt(p, name, "an array of probabilities")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a pmf needs at least one outcome")
    return arr, dt


def as_pmf(p, name: str = "p", *, atol: float = PMF_ATOL, ndim: int | None = None) -> np.ndarray:
    """Return ``p`` as a float array after checking that it is a pmf.

    A pmf is a finite, non-negative array whose entries sum to one within :func:`pmf_tolerance` (``atol``
    = 1e-9 for float64; looser by round-off for a float32 or float16 input and a large ``n``).  Raises
    ``ValueError`` naming ``name`` otherwise (empty, NaN/inf, negative mass, wrong total, wrong number of
    axes).  One sweep over memory (min and sum per cache-sized block).
    """
    arr, dt = _pmf_input(p, name, ndim)
    mn, total, _ = sweep(arr)
    _pmf_verdict(arr, name, mn, total, pmf_tolerance(dt, arr.size, atol))
    return arr


def as_pmf_reduce(p, kernel, name: str = "p", *, atol: float = PMF_ATOL, ndim: int | None = None):
    """``(as_pmf(p), sum of kernel over blocks)``: validation fused into the computing pass.

    ``kernel(block, block_min, scratch)`` is called on consecutive contiguous 1-D blocks of the array (in
    memory order, :data:`SWEEP_BLOCK` cells; ``scratch`` a float buffer of the block's size) while the
    block is in cache, and returns a float; the floats are added with :func:`math.fsum`.  The kernel may
    return anything (NaN) for a block whose min is NaN or negative: the pmf is then refused before its
    value is used.  Same errors as :func:`as_pmf`.
    """
    arr, dt = _pmf_input(p, name, ndim)
    mn, total, val = sweep(arr, kernel)
    _pmf_verdict(arr, name, mn, total, pmf_tolerance(dt, arr.size, atol))
    return arr, val


def as_stochastic(k, name: str = "kernel", *, axis: int = -1, atol: float = PMF_ATOL) -> np.ndarray:
    """Return ``k`` as a float array whose slices along ``axis`` are pmfs (a Markov kernel).

    Each slice sums to one within :func:`pmf_tolerance` of its length and the input's dtype.
    """
    arr, dt = _real_array_dt(k, name, "an array of probabilities")
    if arr.ndim < 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array, got shape {arr.shape}")
    mn, total = float(arr.min()), float(arr.sum())
    if not (mn >= 0 and math.isfinite(total)):
        if math.isnan(mn) or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
        if mn < 0:
            raise ValueError(f"{name} has negative mass (min {mn:.3g})")
    sums = arr.sum(axis=axis)
    tol = pmf_tolerance(dt, arr.shape[axis], atol)
    if np.any(np.abs(sums - 1.0) > tol):
        worst = sums.flat[np.argmax(np.abs(sums - 1.0))]
        raise ValueError(f"{name} must sum to 1 along axis {axis} (a row sums to {worst:.12g})")
    return arr


def log_base(base) -> float:
    """Natural log of ``base``: divide a quantity in nats by it to get units of ``base``.

    ``base`` must be a real number > 0 and != 1 (``2`` for bits, ``math.e`` for nats).
    """
    if isinstance(base, bool) or not isinstance(base, Real):
        raise ValueError(f"base must be a real number > 0 and != 1, got {base!r}")
    b = float(base)
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise ValueError(f"base must be a real number > 0 and != 1, got {base!r}")
    return math.log(b)


def as_axes(axes, ndim: int, name: str = "axes") -> tuple[int, ...]:
    """Normalise ``axes`` (an int or a sequence of ints) to a sorted tuple of distinct axes of an ``ndim`` array."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (Integral, np.integer)) and not isinstance(axes, bool):
        axes = (int(axes),)
    try:
        if isinstance(axes, (str, bytes)):
            raise TypeError
        seq = [int(a) for a in axes]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an int or a sequence of ints, got {axes!r}") from None
    out = []
    for a in seq:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name} contains axis {a}, out of range for a pmf with {ndim} axes")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} repeats an axis: {axes!r}")
    return tuple(sorted(out))


def check_disjoint(name_a: str, a: tuple, name_b: str, b: tuple) -> None:
    """Raise if two axis groups share an axis."""
    common = set(a) & set(b)
    if common:
        raise ValueError(f"{name_a} and {name_b} share axes {sorted(common)}; they must be disjoint")


def check_positive(x, name: str, *, allow_zero: bool = False) -> float:
    """Return ``x`` as a float after checking it is finite and > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    v = float(x)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {x!r}")
    return v


def check_int(x, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``x`` as an int after checking its type and range."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    v = int(x)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {v}")
    return v


def check_probability(x, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """Return ``x`` as a float after checking it lies in [0, 1] (ends open as requested)."""
    if isinstance(x, bool) or not isinstance(x, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number in [0, 1], got {x!r}")
    v = float(x)
    lo_ok = v > 0 if low_open else v >= 0
    hi_ok = v < 1 if high_open else v <= 1
    if not (math.isfinite(v) and lo_ok and hi_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"{name} must lie in {interval}, got {x!r}")
    return v


def as_array(x, name: str) -> np.ndarray:
    """``np.asarray(x)``; a ragged nesting (numpy's inhomogeneous-shape error) raises ValueError naming ``name``."""
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array (a regular nesting of numbers): {exc}") from None


def as_samples(x, name: str = "samples") -> np.ndarray:
    """Return samples as an array of shape (n,) or (n, k) (rows are joint outcomes); n >= 1."""
    arr = as_array(x, name)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (n,) or 2-D (n, k), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def check_seed(seed, name: str = "seed"):
    """Return ``seed`` after checking it is ``None``, a numpy Generator or an int >= 0.

    For functions that pass the seed on (to torch, to another function) rather than build a generator
    here; an invalid seed is refused even on a path where it would not be used.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (Integral, np.integer)):
        raise ValueError(f"{name} must be an int >= 0, a numpy Generator or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0, a numpy Generator or None, got {seed!r}")
    return int(seed)


def as_rng(seed, name: str = "seed") -> np.random.Generator:
    """A numpy Generator from a seed (an int >= 0), an existing Generator, or ``None`` (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, name))


def torch_seed(seed, name: str = "seed") -> int:
    """An int seed for torch's generators, from the library's seed convention.

    ``seed`` is an int >= 0 (returned as is), a numpy Generator (one draw from it, so the same Generator state
    gives the same torch run) or ``None`` (fresh entropy). The torch training paths call this instead of
    insisting on an int.
    """
    seed = check_seed(seed, name)
    if isinstance(seed, int):
        return seed
    return int(as_rng(seed).integers(2**63 - 1))


def check_flag(x, name: str) -> bool:
    """Return ``x`` as a bool after checking it is one (``True``/``False`` or a numpy bool).

    Strings such as ``'False'`` (which Python counts as true) and the integers 0 and 1 are refused:
    booleans are booleans.
    """
    if not isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False (a bool), got {x!r}")
    return bool(x)


def check_real(x, name: str, *, finite: bool = True) -> float:
    """Return ``x`` as a float after checking it is a real number (not a bool, string or complex)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    v = float(x)
    if finite and not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if math.isnan(v):
        raise ValueError(f"{name} is NaN")
    return v


def check_choice(x, name: str, options) -> str:
    """Return ``x`` after checking it is one of the strings ``options``."""
    if not isinstance(x, str) or x not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {x!r}")
    return x


def as_float(x, name: str) -> np.ndarray:
    """``np.asarray(x, dtype=float)`` that refuses what it would silently cast or convert.

    Complex values (whose imaginary part numpy would drop), strings (which numpy would parse), ``None``
    and non-numeric objects raise a ``ValueError`` naming ``name``; real numbers and booleans convert as
    before, so results for valid input are unchanged.  No finiteness or shape check (see
    :func:`as_real_array` for those).
    """
    if x is None:
        raise ValueError(f"{name} must be a real number or an array of real numbers, got None")
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiub":
        return x.astype(float, copy=False)
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or an array of real numbers: {exc}") from None
    kind = raw.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got complex values (dtype {raw.dtype})")
    if kind in "USV" or (kind == "O" and not all(
            isinstance(v, (Real, np.floating, np.integer)) for v in raw.flat)):
        raise ValueError(f"{name} must be a real number or an array of real numbers, got dtype {raw.dtype}")
    try:
        return raw.astype(float, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or an array of real numbers: {exc}") from None


def as_real_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, finite: bool = True,
                  nonempty: bool = True, minimum: float | None = None) -> np.ndarray:
    """``x`` as a float array: complex, boolean, string and object arrays (and ``None``) are refused, never cast.

    Optionally checks the number of axes (an int or a tuple of allowed ones), that it is non-empty, that
    every entry is finite and that every entry is ``>= minimum``; each failure is a ``ValueError`` naming
    ``name``.
    """
    if x is None:
        raise ValueError(f"{name} must be an array of real numbers, got None")
    arr = _real_array(x, name, "an array of real numbers")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(map(str, allowed))
            raise ValueError(f"{name} must have {want} axes, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} is empty")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    if minimum is not None and arr.size and not np.all(arr >= minimum):
        raise ValueError(f"{name} must have entries >= {minimum:g}")
    return arr


def as_int_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, minimum: int | None = 0,
                 maximum: int | None = None, nonempty: bool = True) -> np.ndarray:
    """``x`` as an int array (token ids, counts): non-integer entries (0.5), complex, strings and bools are refused.

    Floats that are whole numbers (``2.0``) are accepted; ``minimum``/``maximum`` bound every entry.
    """
    if x is None:
        raise ValueError(f"{name} must be an array of integers, got None")
    raw = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if raw.dtype.kind in "iu":
        arr = raw.astype(np.int64, copy=False)
    else:
        f = _real_array(raw, name, "an array of integers")
        if f.size and (not np.all(np.isfinite(f)) or np.any(f != np.round(f))):
            raise ValueError(f"{name} must contain integers, got non-integer entries")
        arr = f.astype(np.int64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(map(str, allowed))
            raise ValueError(f"{name} must have {want} axes, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} is empty")
    if arr.size and minimum is not None and arr.min() < minimum:
        raise ValueError(f"{name} must have entries >= {minimum}, got {arr.min()}")
    if arr.size and maximum is not None and arr.max() > maximum:
        raise ValueError(f"{name} must have entries <= {maximum}, got {arr.max()}")
    return arr


def _want_ndim(arr: np.ndarray, ndim, name: str, what: str) -> None:
    """Raise unless ``arr`` has ``ndim`` axes (an int or a tuple of allowed ones; ``None``: at least one)."""
    if ndim is None:
        if arr.ndim < 1:
            raise ValueError(f"{name} must be an array of {what}, got a scalar")
        return
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed:
        want = " or ".join(map(str, allowed))
        raise ValueError(f"{name} must be a {want}-D array of {what}, got shape {arr.shape}")


def as_token_ids(x, name: str, *, vocab_size: int | None = None, ndim: int | tuple[int, ...] | None = 1,
                 minimum: int = 0, nonempty: bool = True) -> np.ndarray:
    """``x`` as an int64 array of token ids (symbols) in ``[minimum, vocab_size)``.

    The entries must have an integer dtype (floats, even whole ones, and booleans are refused); an empty
    input may have any dtype (``[]`` is float in numpy).

    Parameters
    ----------
    x : array_like of int
        The token ids.
    name : str
        The argument's name, for the error messages.
    vocab_size : int or None, keyword-only, default None
        Ids must be ``< vocab_size`` (None: no upper bound).
    ndim : int, tuple of int or None, keyword-only, default 1
        The allowed numbers of axes (None: any number >= 1).
    minimum : int, keyword-only, default 0
        The smallest allowed id (``-1`` where it marks "out of vocabulary").
    nonempty : bool, keyword-only, default True
        Refuse an empty array.

    Returns
    -------
    numpy.ndarray of int64
        The ids (a copy), dimensionless.
    """
    arr = as_array(x, name)
    _want_ndim(arr, ndim, name, "integer token ids")
    if arr.size == 0:
        if nonempty:
            raise ValueError(f"{name} is empty: it must hold at least one token id, got shape {arr.shape}")
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer token ids, got dtype {arr.dtype}")
    lo, hi = arr.min(), arr.max()
    if lo < minimum or (vocab_size is not None and hi >= vocab_size):
        top = "" if vocab_size is None else f", {vocab_size})"
        rng = f"[{minimum}{top}" if top else f">= {minimum}"
        raise ValueError(f"{name} must hold token ids in {rng}, got ids from {lo} to {hi}")
    return arr.astype(np.int64)


def as_spins(x, name: str, *, ndim: int | None = None, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``x`` as a non-empty float array of spins (or labels) each ``+1`` or ``-1``.

    Parameters
    ----------
    x : array_like
        The spins.
    name : str
        The argument's name, for the error messages.
    ndim : int or None, keyword-only, default None
        The required number of axes (None: any).
    shape : tuple of int or None, keyword-only, default None
        The required shape (None: any).

    Returns
    -------
    numpy.ndarray of float
        The spins, dimensionless (``+1.0`` / ``-1.0``).
    """
    try:
        arr = as_float(x, name)
    except ValueError as exc:
        raise ValueError(f"{name} must be an array of +-1 spins: {exc}") from None
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if (ndim is not None and arr.ndim != ndim) or arr.size == 0:
        what = f"{ndim}-D " if ndim is not None else ""
        raise ValueError(f"{name} must be a non-empty {what}array of +-1, got shape {arr.shape}")
    if not np.all((arr == 1.0) | (arr == -1.0)):
        raise ValueError(f"{name} must contain only +1 and -1")
    return arr


def as_logits(x, name: str = "logits", *, finite: bool = False, min_classes: int = 1) -> np.ndarray:
    r"""``x`` as a float array of logits over its last axis (classes or tokens).

    A logit of :math:`-\infty` masks a class (probability 0); :math:`+\infty` and NaN are refused, and so
    is a row masking every class.  With ``finite`` every logit must be finite.

    Parameters
    ----------
    x : array_like, shape (..., K)
        The logits (nats, up to an additive constant per row).
    name : str, default "logits"
        The argument's name, for the error messages.
    finite : bool, keyword-only, default False
        Refuse ``-inf`` too.
    min_classes : int, keyword-only, default 1
        The smallest allowed length ``K`` of the last axis.

    Returns
    -------
    numpy.ndarray of float
        The logits, in nats (not normalised).
    """
    arr = as_real_array(x, name, finite=False, nonempty=False)
    if arr.ndim == 0 or arr.shape[-1] < min_classes:
        raise ValueError(f"{name} must have a last axis of length >= {min_classes} (one entry per class), "
                         f"got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if finite:
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
        return arr
    if np.isposinf(arr).any():
        raise ValueError(f"{name} contains +inf; mask a token with logit -inf instead")
    if not np.isfinite(arr).any(axis=-1).all():
        raise ValueError(f"{name} masks every token (all -inf): there is no distribution")
    return arr


def as_sizes(x, name: str, *, minimum: float = 1) -> np.ndarray:
    """``x`` (a size or an array of sizes) as a float array of finite whole numbers ``>= minimum``.

    Parameters
    ----------
    x : float or array_like
        The sizes (numbers of neurons, dimensions, ...).
    name : str
        The argument's name, for the error messages.
    minimum : float, keyword-only, default 1
        The smallest allowed size.

    Returns
    -------
    numpy.ndarray of float
        The sizes (counts, dimensionless), same shape as ``x``.
    """
    a = as_real_array(x, name)
    if np.any(a < minimum):
        raise ValueError(f"{name} must be >= {minimum:g}")
    if np.any(a != np.round(a)):
        raise ValueError(f"{name} must be whole numbers (sizes), got {x!r}")
    return a


def check_text(x, name: str = "text") -> str:
    """Return ``x`` after checking it is a ``str`` that UTF-8 can encode (no lone surrogates).

    Parameters
    ----------
    x : str
        The text.
    name : str, default "text"
        The argument's name, for the error messages.

    Returns
    -------
    str
        ``x`` itself.
    """
    if not isinstance(x, str):
        raise ValueError(f"{name} must be a str, got {type(x).__name__}")
    try:
        x.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} contains characters that cannot be encoded as UTF-8 (lone surrogates)") from None
    return x


def as_covariance(x, name: str, d: int) -> np.ndarray:
    """``x`` as a symmetric positive semi-definite ``(d, d)`` float matrix (a covariance).

    A 1-D array of ``d`` variances (finite, ``>= 0``) is the diagonal matrix it names.  Symmetry and the
    smallest eigenvalue are checked to ``1e-10`` times ``max(1, max |x|)``; the matrix returned is the
    symmetric part ``(x + x^T) / 2``.

    Parameters
    ----------
    x : array_like, shape (d, d) or (d,)
        The covariance, or its diagonal.
    name : str
        The argument's name, for the error messages.
    d : int
        The dimension.

    Returns
    -------
    numpy.ndarray of float, shape (d, d)
        The covariance, in the squared units of the variables.
    """
    S = np.array(as_real_array(x, name, finite=False, nonempty=False), dtype=float)
    if S.ndim == 1:
        if S.shape != (d,):
            raise ValueError(f"{name} as variances must have length {d}, got shape {S.shape}")
        if not np.all(np.isfinite(S)) or np.any(S < 0):
            raise ValueError(f"{name} variances must be finite and >= 0")
        S = np.diag(S)
    if S.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}), got {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError(f"{name} contains NaN or inf")
    scale = max(1.0, float(np.abs(S).max()))
    if np.abs(S - S.T).max() > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric")
    S = 0.5 * (S + S.T)
    if np.linalg.eigvalsh(S).min() < -1e-10 * scale:
        raise ValueError(f"{name} must be positive semi-definite")
    return S
