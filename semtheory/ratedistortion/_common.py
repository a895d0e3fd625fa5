"""What the parts of :mod:`semtheory.ratedistortion` share and users do not call: argument checks, the
log-sum-exp, the block-table size limit and the certified dual gap of a Gibbs test channel (chapter 5).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported
by :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import as_pmf, check_int, check_positive


MAX_CELLS = 2**23  # largest (X^n, Y^n) table the directed solver builds


def lse(A: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """log-sum-exp along ``axis`` (plain numpy: scipy's version costs ~1 ms of overhead per call)."""
    m = np.max(A, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", under="ignore"):
        out = np.log(np.sum(np.exp(A - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def scaling_gap(logp: np.ndarray, logu: np.ndarray, logc: np.ndarray, merge: float = 0.0) -> float:
    r"""Certified dual gap (nats) of a Gibbs test channel: a feasible rescaling of Blahut's dual point.

    Blahut's dual point :math:`\lambda_0(x) = 1/Z(x)` has constraint values
    :math:`c(y) = \sum_x a(x, y)`, :math:`a(x,y) = p(x)\,u(x,y)`, :math:`u = q(y \mid x)/r(y)`; it is feasible where
    :math:`c(y) \le 1`.  For each violated :math:`y` the best rescaling :math:`s_y(x) \le 1` of that single constraint
    is :math:`s_y(x) = \min(1, p(x)/(\nu_y a(x,y)))` with :math:`\sum_x \min(a(x,y), p(x)/\nu_y) = 1`; then
    :math:`s(x) = \min_y s_y(x)` satisfies every constraint, so :math:`L^* \ge U(r) + \sum_x p(x)\log s(x)` and the
    returned gap is :math:`-\sum_x p(x)\log s(x)` (0 when :math:`\lambda_0` is already feasible).  Unlike
    :math:`\max_y \log c(y)` it charges a violated reproduction only to the source letters that feed it, so
    far reproductions that are still converging (to zero mass) do not dominate it.  ``logp`` over the support.
    Reproductions violated by at most ``merge`` (``0 < log c(y) <= merge``) share the uniform rescaling
    :math:`s \le 1/\max c(y)` over them (feasible for each, since :math:`\sum_x a(x,y) = c(y)`), which adds at
    most ``merge`` to the gap and spares their sort.
    """
    small = logc[(logc > 0) & (logc <= merge)]
    small_max = float(small.max()) if small.size else 0.0
    viol = np.nonzero(logc > max(merge, 0.0))[0]
    if viol.size == 0:
        return small_max
    m = viol.size
    lu = logu[:, viol]
    order = np.argsort(-lu, axis=0, kind="stable")  # b = 1/u ascending
    lus = np.take_along_axis(lu, order, axis=0)
    ps = np.exp(logp)[order]
    la = logp[order] + lus
    # when no term a(x, y) is astronomically large (a <= c(y), so this is the usual case) the cumulative sums
    # run in the linear domain after a shift by each column's largest term: what underflows then is below
    # e^{-745} of that term, i.e. absolute errors under e^{-445}, far below round-off of the sums near 1
    top = la.max(axis=0)
    fast = float(top.max()) < 300.0 and float(ps.min()) > 1e-290
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        if fast:
            a = np.exp(la - top)
            rev = np.log(np.cumsum(a[::-1], axis=0)[::-1]) + top  # log sum_{i >= k} a_i
            logP = np.log(np.cumsum(ps, axis=0))  # log sum_{i <= k} p_i
        else:
            rev = np.logaddexp.accumulate(la[::-1], axis=0)[::-1]
            logP = np.logaddexp.accumulate(logp[order], axis=0)
        logA_gt = np.vstack([rev[1:], np.full((1, m), -np.inf)])  # log sum_{i > k} a_i
        nxt = np.vstack([lus[1:], np.full((1, m), -np.inf)])  # log u of the next entry (b_{k+1} = 1/u)
        logf_end = np.logaddexp(logP + nxt, logA_gt)  # f at the right end of bracket k
    k = np.argmax(logf_end <= 0, axis=0)
    cols = np.arange(m)
    lA = logA_gt[k, cols]
    with np.errstate(divide="ignore"):
        lognu = logP[k, cols] - np.log(-np.expm1(np.minimum(lA, -1e-300)))
    logs = np.minimum(-small_max, (-lu - lognu[None, :]).min(axis=1))
    val = float(-(np.exp(logp) @ logs))
    return val if math.isfinite(val) else math.inf


def check_flag(v, name: str) -> bool:
    """A boolean switch: ``True`` or ``False`` (numpy booleans too), else ValueError naming it."""
    if not isinstance(v, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {v!r}")
    return bool(v)


def reject_complex(v, name: str) -> None:
    """Raise ValueError if ``v`` is a complex array (``np.asarray(v, dtype=float)`` would drop the imaginary part)."""
    try:
        if np.iscomplexobj(np.asarray(v)):
            raise ValueError(f"{name} must hold real numbers, got complex values")
    except (TypeError, ValueError) as e:  # ragged input and the like: the caller's conversion reports it
        if "complex" in str(e):
            raise


def as_distortion(d, nx: int | None = None, name: str = "distortion") -> np.ndarray:
    reject_complex(d, name)
    try:
        arr = np.array(d, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a matrix of real numbers d[x, y]") from None
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty matrix d[x, y], got shape {arr.shape}")
    if nx is not None and arr.shape[0] != nx:
        raise ValueError(f"{name} has {arr.shape[0]} rows but the source has {nx} outcomes")
    if np.isnan(arr).any() or (arr == -np.inf).any():
        raise ValueError(f"{name} contains NaN or -inf (+inf is allowed: it forbids a pair)")
    if not np.isfinite(arr).any(axis=1).all():
        raise ValueError(f"{name} has a row with no finite entry: every reproduction of that source symbol is forbidden")
    return arr


def as_points(v, name: str) -> np.ndarray:
    reject_complex(v, name)
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D array of real numbers") from None
    if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be a non-empty 1-D array of finite reals, got shape {arr.shape}")
    return arr


def check_beta(beta, name: str = "beta") -> float:
    return check_positive(beta, name, allow_zero=True)


def zero_rate_column(p: np.ndarray, d: np.ndarray) -> tuple[int, float]:
    r"""The best constant reproduction: :math:`\arg\min_y \sum_x p(x) d(x,y)` and :math:`D_{\max}` (p on its support).

    This is the point of slope :math:`\beta = 0`, the zero-rate end :math:`(D_{\max}, 0)` of the curve.
    Raises ``ValueError`` naming ``beta`` when every reproduction has infinite expected distortion."""
    finite = np.isfinite(d)
    col = np.where(finite.all(axis=0), p @ np.where(finite, d, 0.0), np.inf)
    y = int(np.argmin(col))
    if not math.isfinite(col[y]):
        raise ValueError("beta = 0 is the zero-rate point (R = 0, D = D_max), but every reproduction has an "
                         "infinite expected distortion, so D_max is infinite")
    return y, float(col[y])


def check_tol(tol, max_iter) -> tuple[float, int]:
    return check_positive(tol, "tol"), check_int(max_iter, "max_iter", minimum=1)


def as_betas(betas) -> np.ndarray:
    reject_complex(betas, "betas")
    try:
        b = np.asarray(betas, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("betas must be a 1-D array of non-negative numbers") from None
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D array, got shape {b.shape}")
    if not (np.isfinite(b).all() and (b >= 0).all()):
        raise ValueError("betas must be finite and >= 0 (beta = 0 is the zero-rate end of the curve)")
    return np.sort(b)


def as_nonneg_array(x, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be a real number or an array of them, got {x!r}")
    reject_complex(x, name)
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or an array of them") from None
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must be finite and >= 0")
    return arr


def as_output(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def as_source_law(px, name: str = "px") -> np.ndarray:
    p = as_pmf(px, name)
    if p.ndim == 0:
        raise ValueError(f"{name} must have one axis per time step X_1..X_n, got a scalar")
    if len(set(p.shape)) != 1:
        raise ValueError(f"{name} must use the same alphabet at every step, got shape {p.shape}")
    return p


def check_ar(a, noise_variance) -> tuple[float, float]:
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) or not -1 < float(a) < 1:
        raise ValueError(f"a must be a real number in (-1, 1) (a stationary AR(1) source), got {a!r}")
    return float(a), check_positive(noise_variance, "noise_variance")


def conditional_rows(J: np.ndarray) -> np.ndarray:
    den = J.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, J / np.where(den > 0, den, 1.0), 1.0 / J.shape[1])
