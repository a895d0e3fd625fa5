"""What the parts of :mod:`semtheory.measures` share and users do not call: axis-group handling (the
overlap rule), the fused entropy kernels on validated pmfs, and the round-off rule (see the package docstring).

The names here are public within the subpackage (its sibling modules import them) but are not re-exported by
:mod:`semtheory.measures`.  Chapter 2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import xlogy

from .._validate import SWEEP_BLOCK, as_axes, as_pmf, sweep


# ----------------------------------------------------------------------------------------------
# helpers (on validated pmfs)
# ----------------------------------------------------------------------------------------------


def nonempty_axes(axes, ndim: int, name: str) -> tuple[int, ...]:
    out = as_axes(axes, ndim, name)
    if len(out) == 0:
        raise ValueError(f"{name} must name at least one axis (use None for all axes)")
    return out


def is_empty_group(given) -> bool:
    if given is None:
        return True
    if isinstance(given, (int, np.integer)) or isinstance(given, (str, bytes)):
        return False
    try:
        return len(given) == 0
    except TypeError:
        return False


def axis_groups(p, named: dict) -> list[tuple[int, ...]]:
    """Validate named axis groups of ``p``: each non-empty (groups may overlap, see the overlap rule)."""
    return [nonempty_axes(axes, p.ndim, name) for name, axes in named.items()]


def axes_minus(a: tuple[int, ...], c: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x for x in a if x not in c)


def axes_union(*groups) -> tuple[int, ...]:
    return tuple(sorted(set().union(*groups)))


def keep_axes(p: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Sum out every axis not in ``axes``, keeping dims (so axis numbers stay valid)."""
    drop = tuple(a for a in range(p.ndim) if a not in axes)
    return p.sum(axis=drop, keepdims=True) if drop else p


def neg_xlogx_block(c: np.ndarray, mn: float, buf: np.ndarray) -> float:
    r""":math:`-\sum c \ln c` (nats) of one block whose min is ``mn``, computed in ``buf`` (the sweeps' kernel).

    No zero (``mn > 0``): one ``log`` and one product in cache; with zeros, ``xlogy`` (:math:`0 \log 0 = 0`).
    NaN for a block that is not a piece of a pmf (negative or NaN min): it is refused before the value is used.
    """
    if mn > 0:
        np.log(c, out=buf)
        np.multiply(c, buf, out=buf)
        return -float(buf.sum())
    if mn == 0:
        return -float(xlogy(c, c, out=buf).sum())
    return math.nan


def entropy_nats(p: np.ndarray, lb: float) -> float:
    """Entropy of an already validated pmf, in units of exp(lb): one sweep over cache-sized blocks.

    A mass of 1 + 1e-16 (a marginal summed in floating point) would give -1e-16: entropy is >= 0.
    """
    return max(sweep(p, neg_xlogx_block)[2], 0.0) / lb


def q_log_q_over(q: np.ndarray, dens: list) -> float:
    r""":math:`\sum q \ln \frac{q}{\prod_i d_i}` (nats) over the support of ``q``, in cache-sized blocks.

    Each ``d_i`` is an array broadcastable to ``q`` (a keepdims marginal, or ``q``'s own shape) that is > 0
    wherever ``q > 0`` (where ``q = 0`` the term is 0, whatever the ratio).  The blocks are slabs along the
    first axis of length > 1, so no full-size temporary is made: the ratio, its log and the product with
    ``q`` are formed in one scratch buffer while the slab is in cache.
    """
    ax = next((i for i, k in enumerate(q.shape) if k > 1), 0)
    length = q.shape[ax] if q.ndim else 1
    inner = max(q.size // max(length, 1), 1)
    step = max(1, SWEEP_BLOCK // inner)
    buf = np.empty(min(q.size, step * inner))
    parts = []
    for i0 in range(0, length, step):
        sl = (slice(None),) * ax + (slice(i0, i0 + step),)
        qc = q[sl] if q.ndim else q
        d = [x[sl] if x.ndim and x.shape[ax] > 1 else x for x in dens]
        r = buf[: qc.size].reshape(qc.shape)
        positive = qc.min() > 0
        with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 only where q = 0: masked below
            if len(d) == 1:
                np.divide(qc, d[0], out=r)
            else:
                np.multiply(d[0], d[1], out=r)
                for x in d[2:]:
                    np.multiply(r, x, out=r)
                np.divide(qc, r, out=r)
        if not positive:
            np.putmask(r, qc == 0, 1.0)  # the term 0 log(0/d) is 0
        np.log(r, out=r)
        np.multiply(qc, r, out=r)
        parts.append(float(r.sum()))
    return math.fsum(parts)


def ratio_sum(q: np.ndarray, num: np.ndarray, den: np.ndarray) -> float:
    r""":math:`\sum q \log(\mathrm{num}/\mathrm{den})` in nats over the support of ``q`` (where num, den > 0)."""
    # where q = 0 the term is 0 whatever the ratio (xlogy(0, y) = 0 for finite y); where q > 0, den > 0
    return float(xlogy(q, num / np.where(den > 0, den, 1.0)).sum())


def roundoff_tol(dtype, n_cells: int) -> float:
    r"""Round-off bound :math:`4\varepsilon(1 + \log_2 n)` (nats) of a pairwise-summed sum of ``n_cells`` log-ratios."""
    return 4.0 * float(np.finfo(np.dtype(dtype)).eps) * (1.0 + math.log2(max(int(n_cells), 1)))


def clip_roundoff(val: float, dtype=np.float64, n_cells: int = 1, defect: float = 0.0) -> float:
    r"""A quantity in nats that is >= 0 in exact arithmetic: 0.0 within the round-off bound (see the module's round-off rule).

    ``defect``: the offset that the input's accepted mass error adds to the computed value (a multiple of
    :math:`|1 - \sum p|`, see the round-off rule); it is added twice to the tolerance.  Values below
    ``-max(tol, 1e-12)`` are returned unchanged: they are not round-off, and hiding them would hide a bug.
    """
    tol = roundoff_tol(dtype, n_cells) + 2.0 * float(defect)
    return 0.0 if -max(tol, 1e-12) < val <= tol else val


def positive_part(x: np.ndarray) -> np.ndarray:
    """``x`` with its zeros replaced by 1 (a safe denominator: where a marginal is 0, so is the joint)."""
    return np.where(x > 0, x, 1.0)


def cmi_nats(p, a, b, c, lb) -> float:
    """I(A;B|C) = sum p(u) log p(u) p(c) / (p(a u c) p(b u c)) over u = A u B u C, on a validated pmf.

    Groups may overlap (the overlap rule): A and B are first reduced to A \\ C and B \\ C, and every
    marginal is a marginal of the union, so a shared axis counts once.  Zeros are guarded on the (small)
    marginals; the full-size array is read once more, in cache-sized slabs (:func:`q_log_q_over`).
    """
    a, b = axes_minus(a, c), axes_minus(b, c)
    if not a or not b:  # I(A;B|C) <= H(A|C) = 0 when A is inside C
        return 0.0
    u = axes_union(a, b, c)
    q = keep_axes(p, u)

    def marg(keep):
        drop = tuple(x for x in u if x not in keep)
        return q.sum(axis=drop, keepdims=True) if drop else q

    pac, pbc = marg(set(a) | set(c)), marg(set(b) | set(c))
    if c:  # p(b | c): the sum is then invariant under a rescaling of p, so the mass defect does not enter
        pbc = pbc / positive_part(marg(set(c)))
        defect = 0.0
    else:  # a total T = 1 + d shifts the computed I(A;B) by about -d
        defect = abs(float(pac.sum()) - 1.0)
    return clip_roundoff(q_log_q_over(q, [positive_part(pac), positive_part(pbc)]), q.dtype, q.size, defect) / lb

def pmf_pair(p, q):
    p = as_pmf(p, "p")
    q = as_pmf(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got p {p.shape} and q {q.shape}")
    return p, q
