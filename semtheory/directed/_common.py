"""What the files of :mod:`semtheory.directed` share and users do not need: the prefix-entropy profile of a
joint law (validated once, in the sweep that sums its entropy) and the causal kernels of a validated law."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validate import as_pmf_reduce, sweep
from ..core.law import conditional


def causal_kernels_of(p: np.ndarray, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:func:`causal_kernels` of an already validated joint law (no second validation)."""
    policy, channel = [], []
    for t in range(1, n + 1):
        # marginal over (X^t, Y^{t-1})
        drop = tuple(range(t, n)) + tuple(range(n + t - 1, 2 * n))
        mx = p.sum(axis=drop) if drop else p
        kx = conditional(mx, t - 1, p.shape[t - 1])
        policy.append(np.moveaxis(kx, t - 1, -1))
        drop = tuple(range(t, n)) + tuple(range(n + t, 2 * n))
        my = p.sum(axis=drop) if drop else p
        channel.append(conditional(my, -1, p.shape[n + t - 1]))
    return policy, channel


def _sum_axis(a: np.ndarray, axis: int) -> np.ndarray:
    """Sum ``a`` over one axis by adding its slices (fast for the short axes of a joint law); C-contiguous."""
    sh = a.shape
    r = a.reshape(math.prod(sh[:axis]), sh[axis], math.prod(sh[axis + 1 :]))
    out = r[:, 0, :].copy()
    for j in range(1, sh[axis]):
        out += r[:, j, :]
    return out.reshape(sh[:axis] + sh[axis + 1 :])


_TINY = float(np.finfo(float).smallest_subnormal)


def _neg_xlogx_block(c: np.ndarray, mn: float, buf: np.ndarray) -> float:
    r""":math:`-\sum c \ln c` (nats) of one contiguous block whose min is ``mn``, computed in ``buf``.

    One ``log`` and one product into the cache-sized scratch, then its (pairwise) sum.  With zeros (``mn == 0``) the log is taken
    of :math:`\max(c, 2^{-1074})`, which leaves every positive mass (subnormal ones included) unchanged and
    gives the zeros a finite log, so their terms are exactly :math:`0 \cdot \ln 2^{-1074} = 0` (the
    convention :math:`0 \ln 0 = 0`).  No ratio and no product of two masses is formed.  NaN for a block that
    cannot be part of a pmf (negative or NaN min); :func:`as_pmf_reduce` refuses it before the value is used.
    """
    if mn > 0:
        np.log(c, out=buf)
    elif mn == 0:
        np.maximum(c, _TINY, out=buf)
        np.log(buf, out=buf)
    else:
        return math.nan
    np.multiply(c, buf, out=buf)
    return -float(buf.sum())


def _h(q: np.ndarray) -> float:
    """Entropy (nats) of a block of already-validated masses, in cache-sized blocks (no validation)."""
    return max(sweep(q, _neg_xlogx_block)[2], 0.0)


def joint_with_entropy(p, name: str = "p") -> tuple[np.ndarray, int, float]:
    """``(p, n, H(p) in nats)``: the joint law validated and its entropy summed in the same sweep."""
    arr, h = as_pmf_reduce(p, _neg_xlogx_block, name)
    if arr.ndim == 0 or arr.ndim % 2:
        raise ValueError(
            f"{name} must have 2n axes ordered X1..Xn, Y1..Yn (one per variable), got shape {arr.shape}"
        )
    return arr, arr.ndim // 2, max(h, 0.0)


class Profile(NamedTuple):
    """Joint entropies (nats) of the prefixes of a joint law, index ``t = 0..n`` (entry 0 is 0)."""

    xy: np.ndarray  # H(X^t, Y^t)
    xy_: np.ndarray  # H(X^t, Y^{t-1})  (entry 0 unused)
    y: np.ndarray  # H(Y^t)
    x: np.ndarray  # H(X^t)
    x_y: np.ndarray | None  # H(X^{t-1}, Y^t)  (entry 0 unused; only when asked for)


def entropy_profile(p: np.ndarray, n: int, h_full: float | None = None, split: bool = False) -> Profile:
    """Every prefix entropy needed by the directed informations, from one pass of marginalisations.

    ``p`` is a validated joint law, ``h_full`` its entropy when already known (from the validating sweep).
    The marginal of :math:`(X^{t-1}, Y^{t-1})` is obtained from that of :math:`(X^t, Y^t)` by summing
    :math:`Y_t` then :math:`X_t`; each marginal is formed once and its entropy summed in cache-sized blocks
    (:func:`_neg_xlogx_block`), so the whole profile costs about two passes of logarithms over ``p``.
    With ``split`` the marginals of :math:`(X^{t-1}, Y^t)` are added (the Amblard–Michel split).
    """
    xy, xy_, hy, hx = (np.zeros(n + 1) for _ in range(4))
    x_y = np.zeros(n + 1) if split else None
    M = p
    for t in range(n, 0, -1):
        xy[t] = h_full if (t == n and h_full is not None) else _h(M)
        A = _sum_axis(M, M.ndim - 1)  # (X^t, Y^{t-1})
        xy_[t] = _h(A)
        if split:
            x_y[t] = _h(_sum_axis(M, t - 1))  # (X^{t-1}, Y^t)
        M = _sum_axis(A, t - 1)  # (X^{t-1}, Y^{t-1})
    nx = math.prod(p.shape[:n])
    flat = p.reshape(nx, -1)
    G = flat.sum(axis=0).reshape(p.shape[n:])  # Y^n
    F = flat.sum(axis=1).reshape(p.shape[:n])  # X^n
    for t in range(n, 0, -1):
        hy[t], hx[t] = _h(G), _h(F)
        if t > 1:
            G, F = _sum_axis(G, t - 1), _sum_axis(F, t - 1)
    return Profile(xy, xy_, hy, hx, x_y)


def profile_of(p, split: bool = False) -> Profile:
    """Validate ``p`` once (fused with the entropy of the whole law) and return its prefix entropies."""
    arr, n, h = joint_with_entropy(p)
    return entropy_profile(arr, n, h, split)


def clip_roundoff(terms: np.ndarray, scale: float) -> np.ndarray:
    """Clip the round-off of differences of entropies (quantities >= 0 in exact arithmetic)."""
    eps = 1e-12 * max(1.0, scale)
    return np.where((terms < 0) & (terms > -eps), 0.0, terms)


def di_terms(pr: Profile) -> np.ndarray:
    """:math:`I(X^t; Y_t \\mid Y^{t-1})` (nats) from a profile."""
    return clip_roundoff(pr.xy_[1:] - pr.xy[1:] + pr.y[1:] - pr.y[:-1], float(pr.xy[-1]))


def rdi_terms(pr: Profile) -> np.ndarray:
    """:math:`I(Y^{t-1}; X_t \\mid X^{t-1})` (nats) from a profile; the first term is 0."""
    n = pr.xy.size - 1
    terms = np.zeros(n)
    terms[1:] = pr.x[2:] - pr.x[1:-1] - pr.xy_[2:] + pr.xy[1:-1]
    return clip_roundoff(terms, float(pr.xy[-1]))
