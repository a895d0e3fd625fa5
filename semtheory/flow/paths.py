r"""The information-density process of an enumerable joint law: its exact paths and Doob decomposition, the
conditional expectations on the filtration, the expected flow, and sampled paths (chapter 7)."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .. import directed
from .._validate import as_float, as_pmf, as_rng, check_int, log_base
from ..core.types import ArrayLike, FloatArray, SeedLike


class FlowPaths(NamedTuple):
    r"""Sampled paths of the flow, arrays of shape ``(n_samples, n)`` (units of the ``base`` asked for).

    ``iota`` the densities :math:`\iota_t`, ``kl`` the compensator increments :math:`D_t = \E[\iota_t \mid \mathcal G_{t-1}]`,
    ``ranges`` the length of the interval in which :math:`\iota_t` lies given :math:`\mathcal G_{t-1}`;
    ``inputs`` and ``outputs`` the sampled tokens; ``cvar`` (optional, ``None`` where not computed) the
    conditional variances :math:`\Var(\iota_t \mid \mathcal G_{t-1})`.  Properties ``Lambda`` (cumulative flow),
    ``A`` (compensator), ``M`` (martingale part) and ``V`` (predictable quadratic variation of ``M``) are
    running sums.

    Attributes
    ----------
    iota : numpy.ndarray, shape (n_samples, n)
        The densities :math:`\iota_t`, in units of log ``base``.
    kl : numpy.ndarray, shape (n_samples, n)
        The compensator increments :math:`D_t`, in units of log ``base``.
    ranges : numpy.ndarray, shape (n_samples, n)
        The spread of :math:`\iota_t` given :math:`\mathcal G_{t-1}`, in units of log ``base``.
    inputs : numpy.ndarray of int, shape (n_samples, n)
        The sampled inputs :math:`x_1..x_n`.
    outputs : numpy.ndarray of int, shape (n_samples, n)
        The sampled outputs :math:`y_1..y_n`.
    cvar : numpy.ndarray, shape (n_samples, n), or None
        The conditional variances, in units of log ``base`` squared (``None`` where not computed).
    """

    iota: np.ndarray
    kl: np.ndarray
    ranges: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    cvar: np.ndarray | None = None

    @property
    def Lambda(self) -> np.ndarray:
        r""":math:`\Lambda_t = \sum_{s\le t}\iota_s`."""
        return np.cumsum(self.iota, axis=-1)

    @property
    def A(self) -> np.ndarray:
        r"""Predictable non-decreasing part :math:`A_t = \sum_{s \le t} D_s`."""
        return np.cumsum(self.kl, axis=-1)

    @property
    def M(self) -> np.ndarray:
        r"""Martingale part :math:`M_t = \Lambda_t - A_t`."""
        return np.cumsum(self.iota - self.kl, axis=-1)

    @property
    def V(self) -> np.ndarray:
        r"""Predictable quadratic variation :math:`V_t = \sum_{s \le t} \Var(\iota_s \mid \mathcal G_{s-1})` (needs ``cvar``)."""
        if self.cvar is None:
            raise ValueError("these paths carry no conditional variances (cvar is None)")
        return np.cumsum(self.cvar, axis=-1)


class ExactFlow(NamedTuple):
    r"""The flow of an enumerable joint law (:func:`exact_flow`), every array of shape ``law.shape + (n,)``.

    Entry ``[x1..xn, y1..yn, t-1]`` is the value at time :math:`t` on that outcome: ``iota`` :math:`\iota_t`,
    ``kl`` :math:`D_t` (a function of :math:`x^t, y^{t-1}` only), ``ranges`` (the spread of :math:`\iota_t` over
    :math:`y_t` given :math:`x^t, y^{t-1}`).  ``law`` the joint law.  Properties ``Lambda``, ``A``, ``M`` as in
    :class:`FlowPaths`; ``range_bounds`` the deterministic :math:`r_t = \max` of ``ranges`` over outcomes of
    positive probability (for :func:`hoeffding_azuma_band`).

    Attributes
    ----------
    law : numpy.ndarray, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint law.
    iota : numpy.ndarray, shape law.shape + (n,)
        The densities :math:`\iota_t` on every outcome, in units of log ``base``.
    kl : numpy.ndarray, shape law.shape + (n,)
        The compensator increments :math:`D_t`, in units of log ``base``.
    ranges : numpy.ndarray, shape law.shape + (n,)
        The spread of :math:`\iota_t` over :math:`y_t`, in units of log ``base``.
    """

    law: np.ndarray
    iota: np.ndarray
    kl: np.ndarray
    ranges: np.ndarray

    @property
    def Lambda(self) -> np.ndarray:
        return np.cumsum(self.iota, axis=-1)

    @property
    def A(self) -> np.ndarray:
        return np.cumsum(self.kl, axis=-1)

    @property
    def M(self) -> np.ndarray:
        return np.cumsum(self.iota - self.kl, axis=-1)

    @property
    def range_bounds(self) -> np.ndarray:
        sup = self.law > 0
        return np.array([self.ranges[..., t][sup].max() for t in range(self.iota.shape[-1])])

    @property
    def cvar(self) -> np.ndarray:
        r"""Conditional variances :math:`\Var(\iota_t \mid \mathcal G_{t-1}) = \E[\iota_t^2 \mid \mathcal G_{t-1}] - D_t^2` on every outcome."""
        n = self.iota.shape[-1]
        out = np.stack(
            [conditional_expectation(self.law, self.iota[..., t] ** 2, t + 1) - self.kl[..., t] ** 2 for t in range(n)], axis=-1
        )
        return np.where((self.law > 0)[..., None], np.maximum(out, 0.0), 0.0)

    @property
    def V(self) -> np.ndarray:
        r"""Predictable quadratic variation :math:`V_t = \sum_{s\le t}\Var(\iota_s \mid \mathcal G_{s-1})` of :math:`M`."""
        return np.cumsum(self.cvar, axis=-1)


def _joint(p: ArrayLike, name: str = "p") -> tuple[FloatArray, int]:
    arr = as_pmf(p, name)
    if arr.ndim == 0 or arr.ndim % 2:
        raise ValueError(f"{name} must have 2n axes ordered X1..Xn, Y1..Yn (one per variable), got shape {arr.shape}")
    return arr, arr.ndim // 2


def _given_axes(n: int, t: int) -> tuple[int, ...]:
    """Axes of G_{t-1} = sigma(X^t, Y^{t-1}) in the joint layout."""
    return tuple(range(t)) + tuple(range(n, n + t - 1))


def conditional_expectation(p: ArrayLike, values: ArrayLike, t: int) -> FloatArray:
    r"""Exact conditional expectation :math:`\E[f \mid \mathcal G_{t-1}]`, :math:`\mathcal G_{t-1} = \sigma(X^t, Y^{t-1})`.

    ``p`` is a joint law in the joint layout, ``values`` an array :math:`f(x^n, y^n)` broadcastable to it,
    ``t`` in ``1..n``: the conditioning is on what is known just before :math:`Y_t` is drawn.  Returned
    broadcast to ``p.shape``; 0 on histories of probability 0.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    values : array_like
        :math:`f(x^n, y^n)`, broadcastable to ``p.shape``, finite where ``p > 0``.
    t : int
        The time, in ``1..n``.

    Returns
    -------
    numpy.ndarray, shape p.shape
        :math:`\E[f \mid \mathcal G_{t-1}]` on every outcome (units of ``values``).

    Examples
    --------
    >>> p = np.full((2, 2), 0.25)                  # X_1, Y_1 independent fair bits
    >>> conditional_expectation(p, np.array([[0.0, 1.0], [2.0, 3.0]]), 1)
    array([[0.5, 0.5],
           [2.5, 2.5]])
    """
    p, n = _joint(p)
    t = check_int(t, "t", minimum=1, maximum=n)
    v = as_float(values, "values")
    try:
        f = np.broadcast_to(v, p.shape)
    except ValueError:
        raise ValueError(f"values has shape {v.shape}, not broadcastable to p's shape {p.shape}") from None
    if not np.all(np.isfinite(f[p > 0])):
        raise ValueError("values must be finite where p > 0")
    keep = set(_given_axes(n, t))
    other = tuple(a for a in range(2 * n) if a not in keep)
    num = np.where(p > 0, p * np.where(p > 0, f, 0.0), 0.0).sum(axis=other, keepdims=True)
    den = p.sum(axis=other, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.broadcast_to(out, p.shape).copy()


def conditional_mean(p: ArrayLike, values: ArrayLike, *, given: Sequence[int]) -> FloatArray:
    r"""Exact conditional expectation :math:`\E[f \mid V_a : a \in \text{given}]` for any set of variables.

    ``p`` is a joint law in the joint layout (axes :math:`X_1..X_n, Y_1..Y_n`), ``values`` an array
    :math:`f(x^n, y^n)` broadcastable to it, ``given`` a sequence of axis numbers (``0..n-1`` the inputs,
    ``n..2n-1`` the outputs).  Used to test a filtration other than :math:`\mathcal G_t`, e.g.
    :math:`\sigma(X^n, Y^t)` (all inputs, future ones included): ``given = range(n) + range(n, n + t)``.
    With ``given`` the axes of :math:`\mathcal G_{t-1}` it equals :func:`conditional_expectation`.  Returned
    broadcast to ``p.shape``; 0 on conditioning events of probability 0.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    values : array_like
        :math:`f(x^n, y^n)`, broadcastable to ``p.shape``, finite where ``p > 0``.
    given : sequence of int, keyword-only
        The axes conditioned on, each in ``0..2n-1``.

    Returns
    -------
    numpy.ndarray, shape p.shape
        The conditional expectation on every outcome (units of ``values``).
    """
    p, n = _joint(p)
    try:
        keep = {check_int(int(a) if isinstance(a, np.integer) else a, "given", minimum=0, maximum=2 * n - 1) for a in given}
    except TypeError:
        raise ValueError("given must be a sequence of axis numbers") from None
    v = as_float(values, "values")
    try:
        f = np.broadcast_to(v, p.shape)
    except ValueError:
        raise ValueError(f"values has shape {v.shape}, not broadcastable to p's shape {p.shape}") from None
    if not np.all(np.isfinite(f[p > 0])):
        raise ValueError("values must be finite where p > 0")
    other = tuple(a for a in range(2 * n) if a not in keep)
    num = np.where(p > 0, p * np.where(p > 0, f, 0.0), 0.0).sum(axis=other, keepdims=True)
    den = p.sum(axis=other, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.broadcast_to(out, p.shape).copy()


def exact_flow(p: ArrayLike, *, base: float = 2) -> ExactFlow:
    r"""The information flow of a joint law of :math:`(X^n, Y^n)`, exactly, on every outcome.

    .. math::

        \iota_t = \log\frac{P(y_t \mid y^{t-1}, x^t)}{P(y_t \mid y^{t-1})},\qquad
        D_t = \sum_{y} P(y \mid x^t, y^{t-1}) \log\frac{P(y \mid x^t, y^{t-1})}{P(y \mid y^{t-1})} = \E[\iota_t \mid \mathcal G_{t-1}] \ge 0,

    and ``ranges`` :math:`= \max_y \iota_t - \min_y \iota_t` over the outputs of positive conditional probability.
    The densities come from :func:`semtheory.directed.directed_information_density`.  Outcomes of
    probability 0 carry 0.  Units of ``base``.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ExactFlow
        The densities, compensator increments and ranges on every outcome, in units of log ``base`` (bits by
        default).

    Examples
    --------
    >>> p = np.array([[0.5, 0.0], [0.0, 0.5]])    # Y_1 = X_1, a fair bit
    >>> f = exact_flow(p)
    >>> f.iota[..., 0]
    array([[1., 0.],
           [0., 1.]])
    >>> float(f.kl[0, 0, 0])
    1.0
    """
    lb = log_base(base)
    p, n = _joint(p)
    iota = directed.directed_information_density(p, base=base)
    _, ch = directed.causal_kernels(p)
    kl = np.zeros(p.shape + (n,))
    rng_ = np.zeros(p.shape + (n,))
    for t in range(1, n + 1):
        drop = tuple(range(n)) + tuple(range(n + t, 2 * n))
        my = p.sum(axis=drop)  # (Y^t)
        den = my.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            py = np.where(den > 0, my / np.where(den > 0, den, 1.0), 0.0)
        py = py.reshape((1,) * t + py.shape)  # axes (X^t [1], Y^{t-1}, Y_t)
        k = ch[t - 1]  # axes (X^t, Y^{t-1}, Y_t)
        hist = p.sum(axis=tuple(range(t, n)) + tuple(range(n + t - 1, 2 * n)))  # P(x^t, y^{t-1})
        ok = (hist > 0)[..., None] & (k > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            lr = np.where(ok, np.log(np.where(ok, k, 1.0)) - np.log(np.where(ok, py, 1.0)), 0.0)
        d = np.where(ok, k * lr, 0.0).sum(axis=-1)  # (X^t, Y^{t-1})
        hi = np.where(ok, lr, -np.inf).max(axis=-1)
        lo = np.where(ok, lr, np.inf).min(axis=-1)
        spread = np.where(np.isfinite(hi) & np.isfinite(lo), hi - lo, 0.0)
        shape = d.shape[:t] + (1,) * (n - t) + d.shape[t:] + (1,) * (n - t + 1)
        kl[..., t - 1] = np.broadcast_to(d.reshape(shape), p.shape)
        rng_[..., t - 1] = np.broadcast_to(spread.reshape(shape), p.shape)
    kl = np.where((p > 0)[..., None], np.maximum(kl, 0.0), 0.0) / lb
    rng_ = np.where((p > 0)[..., None], rng_, 0.0) / lb
    return ExactFlow(p, iota, kl, rng_)


def expected_flow(p: ArrayLike, *, base: float = 2) -> FloatArray:
    r""":math:`\E[\Lambda_t] = \E[A_t] = I(X^t \to Y^t)` for :math:`t = 1..n` (the running sum of :func:`semtheory.directed.directed_information_terms`).

    Units of ``base``.  Chapter 7.

    Parameters
    ----------
    p : array_like, shape (k_1, ..., k_n, l_1, ..., l_n)
        The joint pmf of :math:`(X^n, Y^n)`, one axis per variable, ordered :math:`X_1..X_n, Y_1..Y_n`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`I(X^t \to Y^t)` for :math:`t = 1..n`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> expected_flow(np.array([[0.5, 0.0], [0.0, 0.5]]))
    array([1.])
    """
    return np.cumsum(directed.directed_information_terms(p, base=base))


def sample_exact_paths(flow: ExactFlow, n_samples: int, *, seed: SeedLike = None) -> FlowPaths:
    r"""Draw ``n_samples`` outcomes from ``flow.law`` and read off their flow paths (exact densities).

    Deterministic under ``seed``.  Returns :class:`FlowPaths` with arrays of shape ``(n_samples, n)``.  Chapter 7.

    Parameters
    ----------
    flow : ExactFlow
        The flow of an enumerated law (:func:`exact_flow`).
    n_samples : int
        The number of paths, at least 1.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the draw.

    Returns
    -------
    FlowPaths
        Arrays of shape ``(n_samples, n)``, in the units of ``flow``.
    """
    if not isinstance(flow, ExactFlow):
        raise ValueError("flow must be an ExactFlow (from exact_flow)")
    m = check_int(n_samples, "n_samples", minimum=1)
    rng = as_rng(seed)
    p = flow.law
    n = p.ndim // 2
    flat = p.ravel()
    idx = rng.choice(flat.size, size=m, p=flat / flat.sum())
    cells = np.unravel_index(idx, p.shape)
    pick = lambda a: a.reshape(-1, n)[idx]  # noqa: E731 - (cells, n) view of a law-shaped array
    coords = np.stack(cells, axis=1)
    return FlowPaths(pick(flow.iota), pick(flow.kl), pick(flow.ranges), coords[:, :n], coords[:, n:], pick(flow.cvar))
