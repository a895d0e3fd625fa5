r"""Shannon's information measures on discrete pmfs (chapter 2, used throughout the book).

A joint pmf is a numpy array with **one axis per random variable**: ``p[x, y, z] = P(X=x, Y=y, Z=z)``.
Functions take the axes that name each variable group (an int or a tuple of ints), so the same array
serves every measure.  Units: ``base=2`` (bits) by default; ``base=math.e`` gives nats.

All sums of the form :math:`\sum p \log p` use :func:`scipy.special.xlogy`, so that
:math:`0 \log 0 = 0` exactly; no outcome is ever clipped and no input is ever renormalised: an array
that is not a pmf (negative or NaN mass, wrong total) raises :class:`ValueError` naming the argument.

Conditional quantities are computed as a single sum of log-ratios, e.g.
:math:`H(A \mid B) = -\sum p(a,b)\log\frac{p(a,b)}{p(b)}` and
:math:`I(A;B \mid C) = \sum p(a,b,c) \log \frac{p(a,b,c)p(c)}{p(a,c)p(b,c)}`, never as differences of
large entropies.

**Round-off rule.**  A quantity that is :math:`\ge 0` in exact arithmetic (a (conditional) mutual
information, a relative entropy, a total or dual total correlation) is returned as exactly ``0.0`` when its
computed value lies within :math:`\tau = 4\,\varepsilon\,(1 + \log_2 n) + 2\delta` nats of 0.  Here
:math:`\varepsilon = 2.2\times 10^{-16}` is the machine epsilon of ``float64``, in which every input is
computed, :math:`n` the number of cells summed (a pairwise-summed sum of :math:`n` log-ratios errs by a few
:math:`\varepsilon` times :math:`1 + \log_2 n`), and :math:`\delta` the shift that the input's accepted mass
error :math:`d = \sum p - 1` causes: a total of :math:`1 + d` moves a mutual information or a total
correlation of :math:`k` groups by about :math:`-d` and :math:`-(k-1)d`, and :math:`D(p\|q)` by about
:math:`d_p - d_q`, while conditional measures are invariant under a rescaling of the array.  A ``float32``
pmf's rounding enters, to first order, only through :math:`d`.  So the MI of a product law is exactly 0,
also for a ``float32`` input, and a true value below :math:`\tau` (indistinguishable from round-off) is
reported as 0; a value below :math:`-\tau` is returned as it is, since it is not round-off.

**Contents.**  Entropies, conditional entropies, (conditional) mutual information, KL divergence and
cross-entropy (also conditional: :func:`conditional_kl_divergence`, :func:`conditional_cross_entropy`);
multivariate measures on any number of groups (:func:`co_information`, :func:`interaction_information`,
:func:`total_correlation`, :func:`dual_total_correlation`, :func:`o_information`); typical sets
(:func:`typical_set`), :func:`total_variation`, differential entropy (:func:`gaussian_entropy`,
:func:`differential_entropy`); Fano's inequality; entropy estimators from samples (plug-in, Miller–Madow,
jackknife, Chao–Shen) with exact biases (:func:`plugin_bias`, :func:`estimator_bias`).

**Overlap rule.**  Variable groups may overlap: every measure is defined through the entropies of *unions*
of groups, in which a shared axis counts once.  Thus
:math:`I(A;B \mid C) = H(A\cup C) + H(B\cup C) - H(A\cup B\cup C) - H(C)`, which gives
:math:`H(X\mid X) = 0`, :math:`I(X;X) = H(X)`, :math:`I(A;B) = H(A) + H(B) - H(A\cup B)` for any groups,
and :math:`I(A;B\mid C) = I(A\setminus C; B\setminus C \mid C)`.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy

from ._validate import (
    SWEEP_BLOCK,
    as_float,
    as_axes,
    as_real_array,
    as_pmf,
    as_pmf_reduce,
    as_rng,
    as_samples,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
    sweep,
)

__all__ = [
    "marginal",
    "entropy",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "conditional_mutual_information",
    "kl_divergence",
    "cross_entropy",
    "perplexity",
    "conditional_kl_divergence",
    "conditional_cross_entropy",
    "co_information",
    "interaction_information",
    "total_correlation",
    "dual_total_correlation",
    "o_information",
    "TypicalSet",
    "typical_set",
    "total_variation",
    "gaussian_entropy",
    "differential_entropy",
    "binary_entropy",
    "fano_bound",
    "fano_error_lower_bound",
    "map_error_probability",
    "product_law",
    "markov_chain_law",
    "empirical_pmf",
    "entropy_plugin",
    "entropy_miller_madow",
    "entropy_jackknife",
    "entropy_chao_shen",
    "entropy_estimates",
    "estimator_bias",
    "plugin_bias",
    "mutual_information_plugin",
]


# ----------------------------------------------------------------------------------------------
# helpers (on validated pmfs)
# ----------------------------------------------------------------------------------------------


def _nonempty_axes(axes, ndim: int, name: str) -> tuple[int, ...]:
    out = as_axes(axes, ndim, name)
    if len(out) == 0:
        raise ValueError(f"{name} must name at least one axis (use None for all axes)")
    return out


def _is_empty_group(given) -> bool:
    if given is None:
        return True
    if isinstance(given, (int, np.integer)) or isinstance(given, (str, bytes)):
        return False
    try:
        return len(given) == 0
    except TypeError:
        return False


def _groups(p, named: dict) -> list[tuple[int, ...]]:
    """Validate named axis groups of ``p``: each non-empty (groups may overlap, see the overlap rule)."""
    return [_nonempty_axes(axes, p.ndim, name) for name, axes in named.items()]


def _minus(a: tuple[int, ...], c: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x for x in a if x not in c)


def _union(*groups) -> tuple[int, ...]:
    return tuple(sorted(set().union(*groups)))


def _keep(p: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Sum out every axis not in ``axes``, keeping dims (so axis numbers stay valid)."""
    drop = tuple(a for a in range(p.ndim) if a not in axes)
    return p.sum(axis=drop, keepdims=True) if drop else p


def _neg_xlogx_block(c: np.ndarray, mn: float, buf: np.ndarray) -> float:
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


def _h(p: np.ndarray, lb: float) -> float:
    """Entropy of an already validated pmf, in units of exp(lb): one sweep over cache-sized blocks.

    A mass of 1 + 1e-16 (a marginal summed in floating point) would give -1e-16: entropy is >= 0.
    """
    return max(sweep(p, _neg_xlogx_block)[2], 0.0) / lb


def _q_log_q_over(q: np.ndarray, dens: list) -> float:
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


def _ratio_sum(q: np.ndarray, num: np.ndarray, den: np.ndarray) -> float:
    r""":math:`\sum q \log(\mathrm{num}/\mathrm{den})` in nats over the support of ``q`` (where num, den > 0)."""
    # where q = 0 the term is 0 whatever the ratio (xlogy(0, y) = 0 for finite y); where q > 0, den > 0
    return float(xlogy(q, num / np.where(den > 0, den, 1.0)).sum())


def _roundoff_tol(dtype, n_cells: int) -> float:
    r"""Round-off bound :math:`4\varepsilon(1 + \log_2 n)` (nats) of a pairwise-summed sum of ``n_cells`` log-ratios."""
    return 4.0 * float(np.finfo(np.dtype(dtype)).eps) * (1.0 + math.log2(max(int(n_cells), 1)))


def _clip_roundoff(val: float, dtype=np.float64, n_cells: int = 1, defect: float = 0.0) -> float:
    r"""A quantity in nats that is >= 0 in exact arithmetic: 0.0 within the round-off bound (see the module's round-off rule).

    ``defect``: the offset that the input's accepted mass error adds to the computed value (a multiple of
    :math:`|1 - \sum p|`, see the round-off rule); it is added twice to the tolerance.  Values below
    ``-max(tol, 1e-12)`` are returned unchanged: they are not round-off, and hiding them would hide a bug.
    """
    tol = _roundoff_tol(dtype, n_cells) + 2.0 * float(defect)
    return 0.0 if -max(tol, 1e-12) < val <= tol else val


def _positive(x: np.ndarray) -> np.ndarray:
    """``x`` with its zeros replaced by 1 (a safe denominator: where a marginal is 0, so is the joint)."""
    return np.where(x > 0, x, 1.0)


def _cmi(p, a, b, c, lb) -> float:
    """I(A;B|C) = sum p(u) log p(u) p(c) / (p(a u c) p(b u c)) over u = A u B u C, on a validated pmf.

    Groups may overlap (the overlap rule): A and B are first reduced to A \\ C and B \\ C, and every
    marginal is a marginal of the union, so a shared axis counts once.  Zeros are guarded on the (small)
    marginals; the full-size array is read once more, in cache-sized slabs (:func:`_q_log_q_over`).
    """
    a, b = _minus(a, c), _minus(b, c)
    if not a or not b:  # I(A;B|C) <= H(A|C) = 0 when A is inside C
        return 0.0
    u = _union(a, b, c)
    q = _keep(p, u)

    def marg(keep):
        drop = tuple(x for x in u if x not in keep)
        return q.sum(axis=drop, keepdims=True) if drop else q

    pac, pbc = marg(set(a) | set(c)), marg(set(b) | set(c))
    if c:  # p(b | c): the sum is then invariant under a rescaling of p, so the mass defect does not enter
        pbc = pbc / _positive(marg(set(c)))
        defect = 0.0
    else:  # a total T = 1 + d shifts the computed I(A;B) by about -d
        defect = abs(float(pac.sum()) - 1.0)
    return _clip_roundoff(_q_log_q_over(q, [_positive(pac), _positive(pbc)]), q.dtype, q.size, defect) / lb


# ----------------------------------------------------------------------------------------------
# measures of pmfs
# ----------------------------------------------------------------------------------------------


def marginal(p, axes) -> np.ndarray:
    r"""Marginal pmf of the variables on ``axes``: :math:`p(x_A) = \sum_{x_{\bar A}} p(x)`.

    The result keeps the named axes in ascending order (``axes=None``: all of them, i.e. ``p``).
    Unitless.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int or None
        The axes to keep (None: all).

    Returns
    -------
    numpy.ndarray
        The marginal pmf, with the kept axes in ascending order.

    Examples
    --------
    >>> marginal([[0.1, 0.2], [0.3, 0.4]], 0).round(2).tolist()
    [0.3, 0.7]
    """
    p = as_pmf(p, "p")
    keep = _nonempty_axes(axes, p.ndim, "axes")
    drop = tuple(a for a in range(p.ndim) if a not in keep)
    return p.sum(axis=drop) if drop else p


def entropy(p, axes=None, base=2) -> float:
    r"""Entropy :math:`H(X_A) = -\sum_{x_A} p(x_A) \log p(x_A)` of the variables on ``axes``.

    ``axes=None`` means all axes, i.e. the joint entropy of every variable.  Units of ``base``
    (bits by default).  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int or None, default None
        The axes of the variables :math:`X_A` (None: every axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The entropy :math:`H(X_A) \ge 0`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.25])
    1.5
    """
    lb = log_base(base)
    if axes is None:  # the joint entropy: validation fused into the computing pass (one sweep over memory)
        _, h = as_pmf_reduce(p, _neg_xlogx_block, "p")
        return max(h, 0.0) / lb
    p = as_pmf(p, "p")
    keep = _nonempty_axes(axes, p.ndim, "axes")
    return _h(_keep(p, keep), lb)


def joint_entropy(p, axes=None, base=2) -> float:
    r"""Joint entropy :math:`H(X_A)`; an alias of :func:`entropy` that reads better for several axes.

    Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int or None, default None
        The axes of the variables (None: every axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The joint entropy, in units of log ``base`` (bits by default).
    """
    return entropy(p, axes, base)


def conditional_entropy(p, axes, given, base=2) -> float:
    r"""Conditional entropy :math:`H(X_A \mid X_B) = -\sum p(x_A, x_B) \log \frac{p(x_A, x_B)}{p(x_B)}`.

    Equal to :math:`H(X_A, X_B) - H(X_B)`, but computed as one sum of non-positive log-ratios so it
    is never negative.  ``axes`` names A and ``given`` names B; they may overlap (a shared axis counts
    once, so :math:`H(X \mid X) = H(X \mid X, Y) = 0`); ``given=()`` or ``None`` gives :math:`H(X_A)`.
    Units of ``base``.  Chapters 2, 3.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int
        The axes of :math:`X_A`.
    given : int or tuple of int or None
        The axes of :math:`X_B` (``()`` or None: no conditioning).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional entropy :math:`H(X_A \mid X_B) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    if _is_empty_group(given):
        (a,) = _groups(p, {"axes": axes})
        return _h(_keep(p, a), lb)
    a, b = _groups(p, {"axes": axes, "given": given})
    if not _minus(a, b):
        return 0.0
    q = _keep(p, _union(a, b))
    return max(-_q_log_q_over(q, [q.sum(axis=_minus(a, b), keepdims=True)]), 0.0) / lb


def mutual_information(p, axes_a, axes_b, base=2) -> float:
    r"""Mutual information :math:`I(X_A; X_B) = \sum p(a,b) \log \frac{p(a,b)}{p(a)p(b)}`.

    Equal to :math:`H(X_A) + H(X_B) - H(X_A \cup X_B)`.  The groups may overlap (a shared axis counts
    once: :math:`I(X;X) = H(X)`).  The log-ratio form is never negative, and by the module's round-off
    rule it is exactly 0 for a product law.  Units of ``base``.  Chapters 2, 3.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes_a, axes_b : int or tuple of int
        The axes of :math:`X_A` and of :math:`X_B`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The mutual information :math:`I(X_A; X_B) \ge 0`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]], 0, 1)
    1.0
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    a, b = _groups(p, {"axes_a": axes_a, "axes_b": axes_b})
    return _cmi(p, a, b, (), lb)


def conditional_mutual_information(p, axes_a, axes_b, given, base=2) -> float:
    r"""Conditional mutual information :math:`I(X_A; X_B \mid X_C)`.

    :math:`\sum p(a,b,c) \log \frac{p(a,b,c)\,p(c)}{p(a,c)\,p(b,c)}`; ``given=()`` or ``None`` gives
    the unconditional MI.  Groups may overlap (the overlap rule: :math:`I(A;B \mid C) = I(A\setminus C;
    B\setminus C \mid C)`, e.g. :math:`I(X;Y \mid X) = 0`).  Units of ``base``.  Chapters 2, 3, 8.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes_a, axes_b : int or tuple of int
        The axes of :math:`X_A` and of :math:`X_B`.
    given : int or tuple of int or None
        The axes of :math:`X_C` (``()`` or None: the unconditional MI).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional mutual information :math:`I(X_A; X_B \mid X_C) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    if _is_empty_group(given):
        a, b = _groups(p, {"axes_a": axes_a, "axes_b": axes_b})
        return _cmi(p, a, b, (), lb)
    a, b, c = _groups(p, {"axes_a": axes_a, "axes_b": axes_b, "given": given})
    return _cmi(p, a, b, c, lb)


def _pair(p, q):
    p = as_pmf(p, "p")
    q = as_pmf(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got p {p.shape} and q {q.shape}")
    return p, q


def kl_divergence(p, q, base=2) -> float:
    r"""Relative entropy :math:`D(p\,\|\,q) = \sum_x p(x) \log \frac{p(x)}{q(x)}`.

    ``p`` and ``q`` are pmfs of the same shape (any number of axes).  Returns ``inf`` when ``p`` puts
    mass where ``q`` has none (the honest answer, not an error).  Units of ``base``.  Chapters 2, 4, 6.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The relative entropy :math:`D(p\|q) \ge 0` (``inf`` when ``p`` is not absolutely continuous with respect to ``q``), in units of log ``base`` (bits by default).

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.25, 0.75]) > 0
    True
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    # totals T_p, T_q shift the computed divergence by about T_p - T_q (the round-off rule's mass defect)
    return _clip_roundoff(_ratio_sum(p, p, q), p.dtype, p.size, abs(float(p.sum()) - float(q.sum()))) / lb


def cross_entropy(p, q, base=2) -> float:
    r"""Cross-entropy :math:`H(p, q) = -\sum_x p(x) \log q(x) = H(p) + D(p\|q)`.

    The expected code length (per symbol) of a code built for ``q`` when the data follow ``p``:
    the pre-training loss of a language model.  ``inf`` when ``q`` misses support of ``p``.
    Units of ``base``.  Chapters 1, 2, 5.

    Parameters
    ----------
    p : array_like
        The law of the data.
    q : array_like
        The model's pmf, of the same shape as ``p``.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The cross-entropy :math:`H(p, q) \ge H(p)` (``inf`` when ``q`` misses the support of ``p``), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    return float(-xlogy(p, q).sum() / lb)


def perplexity(p, q=None) -> float:
    r"""Perplexity :math:`\mathrm{PPL} = e^{H(p, q)}` (nats), i.e. :math:`2^{H(p,q)}` in bits.

    With ``q=None`` this is the perplexity of ``p`` itself, :math:`e^{H(p)}`: the size of a uniform
    law with the same entropy.  Unitless (the same in any base).  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        The law of the data.
    q : array_like, optional
        The model's pmf, of the same shape (default: ``p`` itself).

    Returns
    -------
    float
        The perplexity :math:`e^{H(p,q)} \ge 1`, a number of equally likely choices (unitless).
    """
    if q is None:
        return math.exp(entropy(p, base=math.e))
    return math.exp(cross_entropy(p, q, base=math.e))


def binary_entropy(x, base=2):
    r"""Binary entropy :math:`h(x) = -x \log x - (1-x) \log(1-x)`, vectorised over ``x`` in [0, 1].

    Units of ``base``.  Chapters 2, 3, 5.

    Parameters
    ----------
    x : float or array_like
        Probabilities in [0, 1].
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float or numpy.ndarray
        :math:`h(x)`, in units of log ``base`` (bits by default); an array for an array ``x``.
    """
    lb = log_base(base)
    arr = as_real_array(x, "x", finite=False, nonempty=False)
    if arr.size == 0:
        raise ValueError("x is empty")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("x must lie in [0, 1] (and be finite)")
    out = -(xlogy(arr, arr) + xlogy(1 - arr, 1 - arr)) / lb
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------------------------
# conditional divergences and multivariate measures (any number of groups, overlaps allowed)
# ----------------------------------------------------------------------------------------------


def conditional_kl_divergence(p, q, given, *, base=2) -> float:
    r"""Conditional relative entropy :math:`D(p_{A\mid B} \,\|\, q_{A\mid B} \mid p_B) = \sum_{a,b} p(a,b) \log \frac{p(a \mid b)}{q(a \mid b)}`.

    ``p`` and ``q`` are joint pmfs of the same shape; ``given`` names the conditioning axes B and A is
    every other axis.  It is the expected KL divergence between the conditional laws, averaged over
    :math:`b \sim p_B`, and satisfies the chain rule :math:`D(p_{AB}\|q_{AB}) = D(p_B\|q_B) +
    D(p_{A\mid B}\|q_{A\mid B}\mid p_B)`.  ``inf`` when some :math:`p(a,b) > 0` has :math:`q(a,b) = 0`
    (then :math:`q(a\mid b) = 0` or is undefined).  ``given=()`` gives :func:`kl_divergence`.  Units of
    ``base``.  Chapters 2, 6.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).
    given : int or tuple of int or None
        The conditioning axes B; A is every other axis (``()``: the unconditional divergence).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional relative entropy :math:`D(p_{A\mid B}\|q_{A\mid B} \mid p_B) \ge 0`, or ``inf``, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if _is_empty_group(given):
        return kl_divergence(p, q, base=base)
    (b,) = _groups(p, {"given": given})
    if np.any((p > 0) & (q == 0)):
        return math.inf
    pb, qb = _keep(p, b), _keep(q, b)
    # log [p(a,b) q(b) / (q(a,b) p(b))]; where p(a,b) > 0 all four factors are > 0
    val = float(xlogy(p, p * _positive(qb) / (_positive(q) * _positive(pb))).sum())
    return _clip_roundoff(val, p.dtype, p.size) / lb


def conditional_cross_entropy(p, q, given, *, base=2) -> float:
    r"""Conditional cross-entropy :math:`H(p_{A\mid B}, q_{A\mid B}) = -\sum_{a,b} p(a,b) \log q(a \mid b)`.

    The expected per-token loss of a model :math:`q(a \mid b)` (next token A, context B) on data from
    :math:`p`: it equals :math:`H_p(A \mid B) + D(p_{A\mid B}\|q_{A\mid B}\mid p_B)`.  ``p``, ``q`` joint pmfs of
    the same shape, ``given`` the context axes, A every other axis; ``inf`` where :math:`q` misses
    support of :math:`p`.  ``given=()`` gives :func:`cross_entropy`.  Units of ``base``.  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        The joint law of the data, context axes and next-token axes.
    q : array_like
        The model's joint pmf, of the same shape; only its conditionals :math:`q(a \mid b)` matter.
    given : int or tuple of int or None
        The context axes B; A is every other axis.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional cross-entropy (the expected per-token loss), or ``inf``, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = _pair(p, q)
    if _is_empty_group(given):
        return cross_entropy(p, q, base=base)
    (b,) = _groups(p, {"given": given})
    if np.any((p > 0) & (q == 0)):
        return math.inf
    qb = _keep(q, b)
    return float(-xlogy(p, q / _positive(qb)).sum()) / lb


def _group_list(p, groups, name: str) -> list[tuple[int, ...]]:
    """``groups`` (None: one group per axis) as a non-empty list of non-empty axis groups."""
    if groups is None:
        return [(a,) for a in range(p.ndim)]
    if isinstance(groups, (str, bytes, Real, np.integer)) or not hasattr(groups, "__len__"):
        raise ValueError(f"{name} must be a sequence of axis groups (ints or tuples of ints), got {groups!r}")
    if len(groups) == 0:
        raise ValueError(f"{name} must hold at least one axis group")
    if len(groups) > 16:
        raise ValueError(f"{name} holds {len(groups)} groups; at most 16 (the sums run over all 2**n subsets)")
    return [_nonempty_axes(g, p.ndim, f"{name}[{i}]") for i, g in enumerate(groups)]


def _cond_h(p, axes: tuple[int, ...], c: tuple[int, ...]) -> float:
    """H(axes | c) in nats on a validated pmf (overlap rule), the difference of two entropies."""
    u = _union(axes, c)
    return _h(_keep(p, u), 1.0) - (_h(_keep(p, c), 1.0) if c else 0.0)


def co_information(p, groups=None, given=None, *, base=2) -> float:
    r"""Co-information :math:`I(X_1; \dots; X_n \mid Z) = -\sum_{\emptyset \ne T \subseteq [n]} (-1)^{|T|} H(X_T \mid Z)` (Bell 2003).

    :math:`X_T` is the union of the groups in :math:`T` (the overlap rule: a shared axis counts once).
    For :math:`n = 1` it is :math:`H(X_1 \mid Z)`, for :math:`n = 2` the (conditional) mutual information,
    and for :math:`n = 3`, :math:`I(X;Y;Z) = I(X;Y) - I(X;Y \mid Z)`, which may be negative: for
    :math:`Z = X \oplus Y` with independent fair bits it is :math:`-1` bit.  This is the sign convention of
    Fano, Yeung's I-measure and Bell; :func:`interaction_information` is the other one.  ``groups``: a
    sequence of axis groups (default: one per axis), at most 16; ``given``: axes of :math:`Z` (default
    none); with ``given`` inside a group the co-information is 0.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis). At most 16.
    given : int or tuple of int, optional
        The axes of :math:`Z` (default: none).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The co-information (any sign), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    c = () if _is_empty_group(given) else _groups(p, {"given": given})[0]
    n = len(gs)
    total = 0.0
    for mask in range(1, 2**n):
        members = [gs[i] for i in range(n) if mask >> i & 1]
        total -= (-1) ** len(members) * _cond_h(p, _union(*members), c)
    return total / lb


def interaction_information(p, groups=None, given=None, *, base=2) -> float:
    r"""Interaction information :math:`\mathrm{II}(X_1; \dots; X_n) = (-1)^n\, I(X_1; \dots; X_n)` (Jakulin and Bratko 2003).

    The co-information (:func:`co_information`) with the sign flipped for an odd number of groups:
    :math:`\mathrm{II}(X;Y) = I(X;Y)` and :math:`\mathrm{II}(X;Y;Z) = I(X;Y \mid Z) - I(X;Y)`, positive
    (*synergy*) when knowing Z increases the information between X and Y, as for
    :math:`Z = X \oplus Y` (+1 bit).  Arguments as :func:`co_information`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    given : int or tuple of int, optional
        The axes of :math:`Z` (default: none).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The interaction information (any sign; positive for synergy), in units of log ``base`` (bits by default).
    """
    gs = _group_list(as_pmf(p, "p"), groups, "groups")
    return (-1) ** len(gs) * co_information(p, gs, given, base=base)


def total_correlation(p, groups=None, *, base=2) -> float:
    r"""Total correlation (Watanabe 1960) :math:`C(X_1, \dots, X_n) = \sum_i H(X_i) - H(X_1, \dots, X_n)`.

    Equal to :math:`D(p \,\|\, \prod_i p_{X_i})` for disjoint groups, so :math:`\ge 0` with equality iff
    the groups are independent; for two groups it is :math:`I(X_1;X_2)`.  ``groups`` as in
    :func:`co_information`; the joint entropy is that of their union.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The total correlation :math:`\ge 0` (for disjoint groups), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    margs = [_keep(p, g) for g in gs]
    val = sum(_h(m, 1.0) for m in margs) - _h(_keep(p, _union(*gs)), 1.0)
    # each entropy of a law of total T = 1 + d is shifted by about -d: n - 1 of them do not cancel
    defect = (len(gs) - 1) * abs(float(margs[0].sum()) - 1.0)
    return _clip_roundoff(val, p.dtype, p.size, defect) / lb


def dual_total_correlation(p, groups=None, *, base=2) -> float:
    r"""Dual total correlation (Han 1978) :math:`D(X_1, \dots, X_n) = H(X) - \sum_i H(X_i \mid X_{-i})`.

    :math:`X` is the union of all groups and :math:`X_{-i}` the union of all but the :math:`i`-th: the
    part of the joint entropy shared by at least two groups (the *binding information*).  Non-negative
    for disjoint groups; for two groups it equals :math:`I(X_1;X_2)`.  ``groups`` as in
    :func:`co_information`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The dual total correlation :math:`\ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    whole = _union(*gs)
    rest = [_union(*(gs[:i] + gs[i + 1 :])) for i in range(len(gs))]
    pw = _keep(p, whole)
    val = _h(pw, 1.0) - sum(_cond_h(p, g, r) for g, r in zip(gs, rest))
    # the entropies' shifts by the mass defect cancel in each H(X_i | X_-i) and leave the one of H(X)
    return _clip_roundoff(val, p.dtype, p.size, abs(float(pw.sum()) - 1.0)) / lb


def o_information(p, groups=None, *, base=2) -> float:
    r"""O-information (Rosas et al. 2019) :math:`\Omega(X_1, \dots, X_n) = C(X) - D(X)`, total minus dual total correlation.

    Positive when the dependences are dominated by redundancy, negative when by synergy; for three
    variables it equals the co-information :math:`I(X_1;X_2;X_3)`.  Equivalently
    :math:`\Omega = (n-2)H(X) + \sum_i [H(X_i) - H(X_{-i})]`.  ``groups`` as in :func:`co_information`.
    Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The O-information (positive: redundancy dominates; negative: synergy), in units of log ``base`` (bits by default).
    """
    return total_correlation(p, groups, base=base) - dual_total_correlation(p, groups, base=base)


# ----------------------------------------------------------------------------------------------
# typicality, divergence inequalities, differential entropy
# ----------------------------------------------------------------------------------------------


class TypicalSet(NamedTuple):
    r"""The weakly typical set :math:`A_\epsilon^{(n)}` of an i.i.d. source (see :func:`typical_set`); sizes in units of ``base``.

    Attributes
    ----------
    n : int
        Block length.
    eps : float
        Tolerance, in units of log ``base`` per symbol.
    probability : float
        :math:`P(X^n \in A_\epsilon^{(n)})`.
    log_size : float
        :math:`\log |A_\epsilon^{(n)}|` in units of log ``base`` (``-inf`` for an empty set).
    entropy, varentropy : float
        :math:`H(p)` and :math:`\mathrm{Var}[-\log p(X)]`, in units of log ``base`` and its square.
    """

    #: Block length :math:`n` and tolerance :math:`\epsilon` (units of ``base`` per symbol).
    n: int
    eps: float
    #: :math:`P(X^n \in A_\epsilon^{(n)})`.
    probability: float
    #: :math:`\log |A_\epsilon^{(n)}|` (``-inf`` when the set is empty).
    log_size: float
    #: Entropy :math:`H(p)` and varentropy :math:`\sigma^2 = \mathrm{Var}[-\log p(X)]` (units of ``base`` and their square).
    entropy: float
    varentropy: float


def _compositions(n: int, k: int) -> np.ndarray:
    """All vectors of k non-negative integers summing to n (one per row)."""
    if k == 1:
        return np.array([[n]], dtype=np.int64)
    rows = [np.column_stack([np.full(len(r), first, dtype=np.int64), r])
            for first in range(n + 1) for r in (_compositions(n - first, k - 1),)]
    return np.vstack(rows)


def typical_set(p, n, eps, *, base=2) -> TypicalSet:
    r"""Exact probability and size of the weakly typical set of ``n`` i.i.d. draws from ``p``.

    :math:`A_\epsilon^{(n)} = \{x^n : |-\tfrac1n \log p(x^n) - H(p)| \le \epsilon\}`.  The surprisal of a
    sequence depends only on its *type* (the counts :math:`N_x`), so both the probability
    :math:`\sum \binom{n}{N} \prod_x p_x^{N_x}` and the size :math:`\sum \binom{n}{N}` are sums over the
    :math:`\binom{n + K - 1}{K - 1}` types (multinomial coefficients in the log domain; at most :math:`2\times10^6`
    types).  The AEP says the probability tends to 1, with :math:`1 - P \le \sigma^2/(n\epsilon^2)`
    (Chebyshev), and :math:`(1-\delta)\,b^{n(H-\epsilon)} \le |A| \le b^{n(H+\epsilon)}` once
    :math:`P \ge 1-\delta`.  Outcomes of probability 0 are dropped.  ``eps`` > 0 in units of ``base``.
    Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The pmf of one draw.
    n : int
        Block length, >= 1.
    eps : float
        Tolerance > 0, in units of log ``base`` per symbol.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    TypicalSet
        The set's probability and log-size, with :math:`H(p)` and the varentropy.
    """
    from scipy.special import gammaln, logsumexp

    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    p = p[p > 0]
    n = check_int(n, "n", minimum=1)
    e = float(check_positive(eps, "eps")) * lb  # nats
    k = p.size
    if math.comb(n + k - 1, k - 1) > 2_000_000:
        raise ValueError(f"n = {n} with {k} outcomes has more than 2e6 types; use a smaller n")
    counts = _compositions(n, k)
    logp = np.log(p)
    h = float(-(p * logp).sum())
    var = float((p * logp**2).sum() - h**2)
    log_coef = gammaln(n + 1.0) - gammaln(counts + 1.0).sum(axis=1)
    log_prob_seq = counts @ logp  # log p(x^n) of each sequence of that type
    inside = np.abs(-log_prob_seq / n - h) <= e * (1 + 1e-12)
    if not inside.any():
        return TypicalSet(n, eps, 0.0, -math.inf, h / lb, max(var, 0.0) / lb**2)
    prob = float(np.exp(logsumexp(log_coef[inside] + log_prob_seq[inside])))
    log_size = float(logsumexp(log_coef[inside]))
    return TypicalSet(n, float(eps), min(prob, 1.0), log_size / lb, h / lb, max(var, 0.0) / lb**2)


def total_variation(p, q) -> float:
    r"""Total variation distance :math:`\delta(p, q) = \tfrac12 \sum_x |p(x) - q(x)| = \max_A |p(A) - q(A)|`.

    ``p``, ``q`` pmfs of the same shape.  Pinsker's inequality bounds it by the relative entropy,
    :math:`\delta \le \sqrt{D(p\|q)/2}` with :math:`D` in nats.  Unitless.  Chapter 2.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).

    Returns
    -------
    float
        :math:`\delta(p, q) = \tfrac12 \sum_x |p(x) - q(x)| \in [0, 1]` (unitless).
    """
    p, q = _pair(p, q)
    return float(0.5 * np.abs(p - q).sum())


def gaussian_entropy(cov, *, base=2) -> float:
    r"""Differential entropy of a Gaussian vector, :math:`H_d(\mathcal N(\mu, \Sigma)) = \tfrac12 \log\big((2\pi e)^d \det\Sigma\big)`.

    ``cov`` is a positive-definite :math:`d \times d` matrix (or a positive variance for :math:`d = 1`).  The
    largest differential entropy of any density with covariance :math:`\Sigma` (chapter 2's maximum-entropy
    theorem); used by chapter 5's Gaussian rate-distortion function.  Units of ``base`` (may be negative).
    Chapters 2, 5.

    Parameters
    ----------
    cov : float or array_like, shape (d, d)
        A positive variance, or a positive-definite covariance matrix.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The differential entropy :math:`\tfrac12 \log((2\pi e)^d \det\Sigma)` (may be negative), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    s = np.atleast_2d(as_real_array(cov, "cov", finite=False, nonempty=False))
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.size == 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"cov must be a finite square matrix, got shape {s.shape}")
    if not np.allclose(s, s.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric")
    sign, logdet = np.linalg.slogdet(s)
    if sign <= 0 or np.linalg.eigvalsh(s).min() <= 0:
        raise ValueError("cov must be positive definite")
    d = s.shape[0]
    return 0.5 * (d * math.log(2 * math.pi * math.e) + logdet) / lb


def differential_entropy(pdf, lower, upper, *, base=2) -> float:
    r"""Differential entropy :math:`H_d(f) = -\int_a^b f(x) \log f(x)\, dx` of a 1-D density, by adaptive quadrature.

    ``pdf`` is a vectorisable callable, ``lower`` < ``upper`` the support (``-inf``/``inf`` allowed).  The
    density must integrate to 1 within 1e-6 (checked); :math:`0 \log 0 = 0`.  An independent route to the
    closed forms (Gaussian, uniform, Laplace) of chapter 2.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    pdf : callable
        A vectorisable density.
    lower, upper : float
        The support, ``lower < upper`` (``-inf`` and ``inf`` allowed).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The differential entropy :math:`-\int f \log f` (may be negative), in units of log ``base`` (bits by default).
    """
    from scipy.integrate import quad

    lb = log_base(base)
    if not callable(pdf):
        raise ValueError(f"pdf must be a callable density, got {type(pdf).__name__}")
    for name, v in (("lower", lower), ("upper", upper)):
        if isinstance(v, bool) or not isinstance(v, (Real, np.floating, np.integer)) or math.isnan(v):
            raise ValueError(f"{name} must be a real number (or +-inf), got {v!r}")
    if not lower < upper:
        raise ValueError(f"lower must be < upper, got {lower!r} and {upper!r}")
    mass = quad(lambda x: float(pdf(x)), lower, upper, limit=200)[0]
    if not abs(mass - 1.0) < 1e-6:
        raise ValueError(f"pdf must integrate to 1 over [lower, upper], got {mass:.9g}")
    val = quad(lambda x: float(-xlogy(pdf(x), pdf(x))), lower, upper, limit=200)[0]
    return val / lb


# ----------------------------------------------------------------------------------------------
# Fano's inequality
# ----------------------------------------------------------------------------------------------


def fano_bound(error_probability, alphabet_size, base=2) -> float:
    r"""Fano's bound :math:`H(X \mid \hat X) \le h(P_e) + P_e \log(|\mathcal X| - 1)`.

    Returns the right-hand side: the largest conditional entropy (equivocation) compatible with
    error probability ``P_e`` over an alphabet of size ``alphabet_size`` (>= 2).  Units of ``base``.
    Chapter 2.

    Parameters
    ----------
    error_probability : float
        :math:`P_e \in [0, 1]`.
    alphabet_size : int
        :math:`|\mathcal X| \ge 2`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The largest equivocation :math:`h(P_e) + P_e \log(|\mathcal X| - 1)` compatible with :math:`P_e`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    pe = check_probability(error_probability, "error_probability")
    m = check_int(alphabet_size, "alphabet_size", minimum=2)
    return float(binary_entropy(pe, base)) + pe * math.log(m - 1) / lb


def fano_error_lower_bound(equivocation, alphabet_size, base=2) -> float:
    r"""Smallest error probability allowed by Fano's inequality for a given equivocation :math:`H(X\mid Y)`.

    The Fano function :math:`F(P_e) = h(P_e) + P_e \log(|\mathcal X|-1)` increases from 0 to
    :math:`\log|\mathcal X|` on :math:`[0, 1 - 1/|\mathcal X|]`; the result is the unique
    :math:`P_e` there with :math:`F(P_e) = H(X \mid Y)` (0 when the equivocation is 0).  Every
    estimator of X from Y errs at least this often.  ``equivocation`` is in units of ``base`` and must
    lie in :math:`[0, \log|\mathcal X|]`.  Chapter 2.

    Parameters
    ----------
    equivocation : float
        :math:`H(X \mid Y)`, in units of log ``base``, in :math:`[0, \log|\mathcal X|]`.
    alphabet_size : int
        :math:`|\mathcal X| \ge 2`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The smallest error probability allowed by Fano's inequality, in :math:`[0, 1 - 1/|\mathcal X|]`.
    """
    from scipy.optimize import brentq

    lb = log_base(base)
    m = check_int(alphabet_size, "alphabet_size", minimum=2)
    if isinstance(equivocation, bool) or not isinstance(equivocation, (Real, np.floating, np.integer)):
        raise ValueError(f"equivocation must be a real number, got {equivocation!r}")
    h = float(equivocation) * lb  # nats
    hmax = math.log(m)
    if not math.isfinite(h) or h < 0:
        raise ValueError(f"equivocation must be finite and >= 0 (in units of base), got {equivocation!r}")
    if h > hmax * (1 + 1e-12):
        raise ValueError(f"equivocation must be <= log(alphabet_size) = {hmax / lb:.6g}, got {equivocation!r}")
    if h == 0:
        return 0.0
    top = 1 - 1 / m
    if h >= hmax:
        return top

    def f(x):
        return fano_bound(x, m, math.e) - h

    return float(brentq(f, 0.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def map_error_probability(p, axes, given) -> float:
    r"""Error probability of the best (maximum a posteriori) guess of :math:`X_A` from :math:`X_B`.

    :math:`P_e^* = 1 - \sum_{x_B} \max_{x_A} p(x_A, x_B)`; with ``given=()`` or ``None`` it is
    :math:`1 - \max_{x_A} p(x_A)` (guessing blind).  No estimator of :math:`X_A` from :math:`X_B`
    does better, so Fano's inequality applied to :math:`P_e^*` is the strongest form.  Unitless.
    Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int
        The axes of :math:`X_A`, the guessed variables.
    given : int or tuple of int or None
        The axes of :math:`X_B`, the observed ones (``()`` or None: guess blind).

    Returns
    -------
    float
        :math:`P_e^*`, a probability.
    """
    p = as_pmf(p, "p")
    if _is_empty_group(given):
        (a,) = _groups(p, {"axes": axes})
        return float(max(0.0, 1.0 - _keep(p, a).max()))
    a, b = _groups(p, {"axes": axes, "given": given})
    a = _minus(a, b)  # overlap rule: the axes of A inside B are known
    if not a:
        return 0.0
    q = _keep(p, _union(a, b))
    best = q.max(axis=a)  # max over x_A, for every x_B (other axes have length 1)
    return float(min(1.0, max(0.0, 1.0 - best.sum())))


# ----------------------------------------------------------------------------------------------
# building joint laws
# ----------------------------------------------------------------------------------------------


def product_law(*pmfs) -> np.ndarray:
    r"""Joint law of independent groups of variables: :math:`p(x, y) = p_1(x)\,p_2(y) \cdots`.

    The axes of the result are those of ``pmfs[0]``, then those of ``pmfs[1]``, and so on.  With
    ``product_law(*[pxy] * n)`` this is the law of ``n`` i.i.d. pairs, axes ``(x1, y1, x2, y2, ...)``.
    Unitless.  Chapter 2.

    Parameters
    ----------
    *pmfs : array_like
        Pmfs (each with any number of axes).

    Returns
    -------
    numpy.ndarray
        Their product, with the axes of ``pmfs[0]`` first, then those of ``pmfs[1]``, and so on.
    """
    if len(pmfs) == 0:
        raise ValueError("pmfs must contain at least one pmf")
    out = np.ones(())
    for i, q in enumerate(pmfs):
        q = as_pmf(q, f"pmfs[{i}]")
        out = np.multiply.outer(out, q)
    return out


def markov_chain_law(initial, *kernels) -> np.ndarray:
    r"""Joint law of a Markov chain :math:`X_0 \to X_1 \to \cdots \to X_n`.

    :math:`p(x_0, \dots, x_n) = p_0(x_0) \prod_{t=1}^n W_t(x_t \mid x_{t-1})`, where ``initial`` is
    the pmf of :math:`X_0` and ``kernels[t-1][x_{t-1}, x_t]`` is :math:`W_t` (rows sum to 1).  One axis
    per variable.  Unitless.  Chapter 2.

    Parameters
    ----------
    initial : array_like, shape (k,)
        The pmf of :math:`X_0`.
    *kernels : array_like, shape (k, k)
        Transition matrices :math:`W_t[x_{t-1}, x_t]`, rows summing to 1.

    Returns
    -------
    numpy.ndarray, shape (k,) * (n + 1)
        The joint law of :math:`X_0, \dots, X_n`, one axis per time.
    """
    out = as_pmf(initial, "initial", ndim=1)
    for i, w in enumerate(kernels):
        w = as_stochastic(w, f"kernels[{i}]")
        if w.ndim != 2 or w.shape[0] != out.shape[-1]:
            raise ValueError(
                f"kernels[{i}] must have shape ({out.shape[-1]}, k), got {w.shape}"
            )
        out = out[..., None] * w.reshape((1,) * (out.ndim - 1) + w.shape)
    return out


# ----------------------------------------------------------------------------------------------
# Estimators from samples
# ----------------------------------------------------------------------------------------------


def _counts(samples, name="samples") -> np.ndarray:
    arr = as_samples(samples, name)
    if arr.ndim == 1:
        _, counts = np.unique(arr, return_counts=True)
    else:
        _, counts = np.unique(arr, axis=0, return_counts=True)
    return counts


def empirical_pmf(samples) -> tuple[np.ndarray, np.ndarray]:
    r"""Empirical law of ``samples``: ``(values, pmf)`` with :math:`\hat p(x) = N_x / N`.

    ``samples`` is 1-D (n,) or 2-D (n, k) with rows as joint outcomes; only observed values appear.
    Unitless.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.

    Returns
    -------
    values : numpy.ndarray
        The distinct observed outcomes (rows, for 2-D samples).
    pmf : numpy.ndarray
        Their relative frequencies, summing to 1.
    """
    arr = as_samples(samples, "samples")
    if arr.ndim == 1:
        vals, counts = np.unique(arr, return_counts=True)
    else:
        vals, counts = np.unique(arr, axis=0, return_counts=True)
    return vals, counts / counts.sum()


def entropy_plugin(samples, base=2) -> float:
    r"""Plug-in (maximum-likelihood) entropy :math:`\hat H = -\sum_x \hat p(x) \log \hat p(x)`, :math:`\hat p = N_x/N`.

    Biased downward: :math:`E[\hat H] = H - \frac{K-1}{2N} + O(N^{-2})` (nats) for K outcomes of
    positive probability (Miller 1955); the exact bias is :func:`plugin_bias`.  ``samples`` is 1-D or
    2-D (rows are joint outcomes).  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The plug-in estimate :math:`H(\hat p)`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    return _h(c / c.sum(), lb)


def entropy_miller_madow(samples, base=2) -> float:
    r"""Miller–Madow entropy :math:`\hat H_{MM} = \hat H + \frac{\hat K - 1}{2N}` (the correction in nats).

    :math:`\hat K` is the number of distinct observed outcomes.  Removes the leading
    :math:`O(1/N)` bias of :func:`entropy_plugin`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The Miller–Madow estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    n = c.sum()
    return _h(c / n, lb) + (len(c) - 1) / (2 * n) / lb


_METHODS = ("plugin", "miller_madow", "jackknife", "chao_shen")


def _estimates_from_counts(counts: np.ndarray, method: str) -> np.ndarray:
    """Entropy estimates in nats from count vectors (one per row; zeros allowed)."""
    counts = as_float(counts, "counts")
    n = counts.sum(axis=1)
    q = counts / n[:, None]
    h = -xlogy(q, q).sum(axis=1)
    if method == "plugin":
        return h
    if method == "miller_madow":
        return h + ((counts > 0).sum(axis=1) - 1) / (2 * n)
    if method == "jackknife":
        m = n - 1  # leave one out: the count of the removed symbol drops by one
        s = xlogy(counts, counts).sum(axis=1)
        loo = np.log(m)[:, None] - (s[:, None] - xlogy(counts, counts) + xlogy(counts - 1, np.maximum(counts - 1, 1))) / m[:, None]
        mean_loo = (np.where(counts > 0, counts, 0.0) * np.where(counts > 0, loo, 0.0)).sum(axis=1) / n
        return n * h - m * mean_loo
    # Chao-Shen: coverage-adjusted probabilities in a Horvitz-Thompson sum
    f1 = (counts == 1).sum(axis=1)
    f1 = np.where(f1 == n, n - 1, f1)
    cov = 1 - f1 / n
    pa = cov[:, None] * q
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, -xlogy(pa, pa) / (1 - (1 - pa) ** n[:, None]), 0.0)
    return terms.sum(axis=1)


def entropy_jackknife(samples, *, base=2) -> float:
    r"""Jackknife entropy estimate (Zahl 1977) :math:`\hat H_{JK} = N \hat H_N - \frac{N-1}{N} \sum_{i=1}^N \hat H_{N-1}^{(-i)}`.

    :math:`\hat H_{N-1}^{(-i)}` is the plug-in estimate without sample :math:`i`; it depends only on the
    removed value, so the sum has one term per observed value, weighted by its count.  Each
    leave-one-out estimate is a plug-in estimate from :math:`N-1` i.i.d. draws, hence the exact bias
    :math:`N b_N - (N-1) b_{N-1}` with :math:`b_N` the plug-in bias (:func:`estimator_bias`): the
    :math:`1/N` term cancels.  Needs :math:`N \ge 2`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes. At least 2 draws.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The jackknife estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    if c.sum() < 2:
        raise ValueError("samples must hold at least 2 draws for the jackknife")
    return float(_estimates_from_counts(c[None, :], "jackknife")[0]) / lb


def entropy_chao_shen(samples, *, base=2) -> float:
    r"""Chao–Shen entropy estimate (Chao and Shen 2003), for samples that miss part of the alphabet.

    With :math:`f_1` the number of values seen once, the sample coverage is :math:`\hat C = 1 - f_1/N`
    (:math:`f_1 = N - 1` if every value is a singleton), the coverage-adjusted probabilities are
    :math:`\tilde p_x = \hat C N_x / N`, and a Horvitz–Thompson sum divides each term by the probability
    that value :math:`x` is observed at all:
    :math:`\hat H_{CS} = -\sum_{x: N_x > 0} \frac{\tilde p_x \log \tilde p_x}{1 - (1 - \tilde p_x)^N}`.
    No closed-form bias; chapter 2 measures it by Monte Carlo against the exact biases of the others.
    Units of ``base``.  Chapter 2.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, k)
        The draws; rows of a 2-D array are joint outcomes.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The Chao–Shen estimate, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    c = _counts(samples)
    return float(_estimates_from_counts(c[None, :], "chao_shen")[0]) / lb


def entropy_estimates(p, n, reps, method="plugin", seed=None, base=2) -> np.ndarray:
    r"""``reps`` independent estimates of :math:`H(p)` from ``n`` i.i.d. draws each (Monte Carlo).

    Draws the count vectors :math:`(N_x) \sim \mathrm{Multinomial}(n, p)` directly (vectorised) and
    applies ``method``: ``"plugin"`` (:func:`entropy_plugin`), ``"miller_madow"``
    (:func:`entropy_miller_madow`), ``"jackknife"`` (:func:`entropy_jackknife`, needs ``n >= 2``) or
    ``"chao_shen"`` (:func:`entropy_chao_shen`).  The values equal those functions applied to the
    corresponding samples.  Deterministic under ``seed``.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        Draws per estimate, >= 1 (>= 2 for ``"jackknife"``).
    reps : int
        Number of independent estimates, >= 1.
    method : {"plugin", "miller_madow", "jackknife", "chao_shen"}, default "plugin"
        The estimator.
    seed : int, numpy.random.Generator or None, keyword-only
        Randomness (None: fresh entropy).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    numpy.ndarray, shape (reps,)
        The estimates, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    reps = check_int(reps, "reps", minimum=1)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "jackknife" and n < 2:
        raise ValueError("n must be >= 2 for the jackknife")
    rng = as_rng(seed)
    if abs(p.sum() - 1.0) > 1e-12:  # within as_pmf's tolerance, but numpy's multinomial is stricter
        p = p / p.sum()
    counts = rng.multinomial(n, p, size=reps)
    return _estimates_from_counts(counts, method) / lb


def estimator_bias(p, n, method="plugin", *, base=2) -> float:
    r"""Exact expected bias :math:`E[\hat H] - H(p)` of an entropy estimator from ``n`` i.i.d. draws of ``p``.

    * ``"plugin"``: :func:`plugin_bias` (a sum over the binomial law of each count).
    * ``"miller_madow"``: plug-in bias :math:`+\, (E[\hat K] - 1)/(2n)` nats, with
      :math:`E[\hat K] = \sum_x (1 - (1 - p_x)^n)` the expected number of observed values.
    * ``"jackknife"``: :math:`n\, b_n - (n-1)\, b_{n-1}` with :math:`b` the plug-in bias, because each
      leave-one-out estimate is a plug-in estimate from :math:`n - 1` draws (needs ``n >= 2``).

    Exact to round-off, so estimators can be compared without Monte-Carlo noise.  Units of ``base``.
    Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        The number of draws, >= 1 (>= 2 for ``"jackknife"``).
    method : {"plugin", "miller_madow", "jackknife"}, default "plugin"
        The estimator.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The exact bias :math:`E[\hat H] - H(p)`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    if method not in ("plugin", "miller_madow", "jackknife"):
        raise ValueError(f"method must be 'plugin', 'miller_madow' or 'jackknife' (no closed form for others), got {method!r}")
    b = plugin_bias(p, n, base=math.e)
    if method == "miller_madow":
        with np.errstate(divide="ignore"):  # p_x = 1: log1p(-1) = -inf, and the value is surely observed
            expected_k = float(-np.expm1(n * np.log1p(-p)).sum())
        b += (expected_k - 1) / (2 * n)
    elif method == "jackknife":
        if n < 2:
            raise ValueError("n must be >= 2 for the jackknife")
        b = n * b - (n - 1) * plugin_bias(p, n - 1, base=math.e)
    return b / lb


def plugin_bias(p, n, base=2) -> float:
    r"""Exact expected bias :math:`E[\hat H_N] - H(p)` of the plug-in entropy from ``n`` i.i.d. draws of ``p``.

    Each count is binomial, :math:`N_x \sim \mathrm{Bin}(n, p_x)`, so by linearity
    :math:`E[\hat H] = -\sum_x \sum_{k=0}^n \binom{n}{k} p_x^k (1-p_x)^{n-k} \frac{k}{n}\log\frac{k}{n}`,
    computed exactly (to round-off) so that tests and figures can compare an estimator's average with
    the truth instead of the asymptotic :math:`-(K-1)/2N`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like, shape (k,)
        The true pmf.
    n : int
        The number of draws, >= 1.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The exact bias :math:`E[\hat H_N] - H(p) \le 0`, in units of log ``base`` (bits by default).
    """
    from scipy.special import gammaln, xlog1py

    lb = log_base(base)
    p = as_pmf(p, "p").ravel()
    n = check_int(n, "n", minimum=1)
    k = np.arange(n + 1, dtype=float)
    f = -xlogy(k / n, k / n)
    log_choose = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
    expected = 0.0
    chunk = max(1, 2_000_000 // (n + 1))  # bound the (chunk, n+1) temporary
    for s in range(0, p.size, chunk):
        px = p[s : s + chunk, None]
        # binomial log-pmf; xlogy/xlog1py give 0*log 0 = 0 at p_x = 0 or 1
        pk = np.exp(log_choose[None, :] + xlogy(k[None, :], px) + xlog1py(n - k[None, :], -px))
        expected += float((pk @ f).sum())
    return (expected - _h(p, 1.0)) / lb


def mutual_information_plugin(x, y, base=2) -> float:
    r"""Plug-in mutual information :math:`\hat I(X;Y) = \hat H(X) + \hat H(Y) - \hat H(X,Y)` from paired samples.

    ``x`` and ``y`` are 1-D arrays of equal length n >= 1.  Biased upward by about
    :math:`\frac{(K_X-1)(K_Y-1)}{2N}` nats under independence.  Units of ``base``.  Chapters 2, 8.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Paired samples, n >= 1.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The plug-in estimate :math:`\hat I(X;Y) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    xa = as_samples(x, "x")
    ya = as_samples(y, "y")
    if xa.ndim != 1:
        raise ValueError(f"x must be a 1-D sample array, got shape {xa.shape}")
    if ya.ndim != 1:
        raise ValueError(f"y must be a 1-D sample array, got shape {ya.shape}")
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    _, xi = np.unique(xa, return_inverse=True)
    _, yi = np.unique(ya, return_inverse=True)
    n = len(xa)
    nx, ny = np.bincount(xi), np.bincount(yi)
    pairs, nxy = np.unique(xi.astype(np.int64) * len(ny) + yi, return_counts=True)
    a, b = pairs // len(ny), pairs % len(ny)
    # sum_xy (n_xy/n) log(n n_xy / (n_x n_y)): the MI of the empirical joint law, over observed pairs only
    val = float((nxy / n * np.log(n * nxy / (nx[a] * ny[b].astype(float)))).sum())
    return _clip_roundoff(val, np.float64, len(pairs)) / lb
