r"""One loop for the alternating optimisations of the book: Blahut–Arimoto, capacity, the information bottleneck
and rate-reward (chapters 3, 5, 6 and 9b).

Each of these problems iterates a map :math:`x \mapsto F(x)` (a log output law, a list of causal kernels, an
encoder) and either knows a certificate at every iterate, a lower and an upper bound on the optimum whose
difference (the *gap*) bounds the error of the current point, or knows none (the information bottleneck is not
convex).  :func:`alternate` owns what they share: the iteration count, the stopping rule (the certified gap
:math:`\le` ``tol``; without a certificate a documented change criterion, and then ``certified=False``), the
guard against NaN, ``max_iter``, and an optional squared extrapolation (SQUAREM, Varadhan and Roland 2008) of
the iterate that is kept only when it does not worsen the objective.  The problem supplies one function,
``step(x, check)``, which evaluates the iterate ``x`` and returns a :class:`Round`: the next iterate, the
objective at ``x`` and, when ``check`` is true, the certified bounds at ``x``.

:func:`squarem_steps` and :func:`squarem_point` are the extrapolation itself, public so that a problem that
supplies its own extrapolations (the mass-weighted step of Blahut–Arimoto in ``semtheory.ratedistortion``, which
also eliminates reproductions through the ``refine`` hook) uses the same step.  No chapter module is imported here.  Units: whatever the problem's bounds are in (the solvers of the book work in nats).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Iterator, NamedTuple

import numpy as np

from .types import ArrayLike, FloatArray

__all__ = ["Round", "AlternatingResult", "alternate", "squarem_steps", "squarem_point"]


class Round(NamedTuple):
    r"""What one evaluation of an iterate :math:`x` returns to :func:`alternate`.

    Attributes
    ----------
    next : object
        The next iterate :math:`F(x)` (an array, or a list or tuple of arrays), or a callable without arguments
        that returns it: the loop calls it only when it moves on, so a costly update is not computed at the
        iterate where the loop stops.
    value : float, default nan
        The objective at :math:`x`, which the iteration lowers (used only to accept an extrapolation), in the
        problem's units.
    lower : float, default nan
        A certified lower bound on the optimum, computed at :math:`x` (only needed when ``check`` was true).
    upper : float, default nan
        A certified upper bound on the optimum (the value of :math:`x` itself for a minimisation).
    change : float, default nan
        For a problem without a certificate: the change from :math:`x` to ``next`` that the stopping rule
        compares with ``tol`` (for example :math:`\max|F(x) - x|`, or the gain of the objective).
    info : object, default None
        Whatever else the problem computed at :math:`x` (a channel, a rate), handed back in the result.
    gap : float, default nan
        A certified gap computed directly by the problem (more accurate than ``upper - lower`` when the bounds
        are large and close); when it is a number the loop uses it instead of ``upper - lower``, in the
        problem's units.
    """

    next: Any
    value: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    change: float = math.nan
    info: Any = None
    gap: float = math.nan


class AlternatingResult(NamedTuple):
    r"""The outcome of :func:`alternate`.

    Attributes
    ----------
    state : object
        The final iterate (for a certified problem the one the bounds were computed at; without a certificate the
        last ``next``).
    last : Round
        The evaluation of the final iterate (certified) or of the one before it (without a certificate); its
        ``info`` carries the problem's by-products.
    lower : float
        The certified lower bound at the final iterate, in the problem's units (nan without a certificate).
    upper : float
        The certified upper bound at the final iterate (nan without a certificate).
    gap : float
        ``max(upper - lower, 0)``: the certified error of the final iterate (nan without a certificate).
    iterations : int
        Applications of the map :math:`F` (an accepted extrapolation counts its two steps).
    converged : bool
        Certified: ``gap <= tol``.  Without a certificate: the change criterion fell to ``tol`` within
        ``max_iter``.  False when the loop stopped on a NaN.
    certified : bool
        Whether ``gap`` is a certificate (False for a problem that has none, such as the information bottleneck).
    accepted : int
        Extrapolations kept (0 without ``accelerate``).
    """

    state: Any
    last: Round
    lower: float
    upper: float
    gap: float
    iterations: int
    converged: bool
    certified: bool
    accepted: int


def _has_nan(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_nan(v) for v in x)
    if isinstance(x, np.ndarray) and x.dtype.kind in "fc":
        return bool(np.isnan(x).any())
    if isinstance(x, float):
        return math.isnan(x)
    return False


def squarem_steps(x0: ArrayLike, x1: ArrayLike, x2: ArrayLike, *, weights: ArrayLike | None = None,
                  max_step: float = 1e4) -> list[float]:
    r"""Step lengths of a squared extrapolation (SQUAREM) from three iterates :math:`x_0, x_1 = F(x_0), x_2 = F(x_1)`.

    With :math:`r = x_1 - x_0` and :math:`v = (x_2 - x_1) - r`, the step length is
    :math:`\alpha = \max(\min(-\lVert r\rVert / \lVert v\rVert, -1), -\text{max\_step})` (Varadhan and Roland 2008,
    scheme S3), in the weighted norm :math:`\lVert r\rVert_w^2 = \sum_i w_i r_i^2` when ``weights`` are given and in
    the plain norm; entries where :math:`r` or :math:`v` is not finite (a log weight at :math:`-\infty`) are left
    out.  Returns the distinct lengths below :math:`-1` in increasing order (:math:`\alpha = -1` is the plain double
    step :math:`x_2`, so it is dropped).  Dimensionless.

    Parameters
    ----------
    x0, x1, x2 : array_like, shape (m,)
        Three successive iterates of the map.
    weights : array_like, shape (m,), keyword-only, optional
        Weights of the first norm tried (for a log law, the masses :math:`e^{x_2}`), over all ``m`` entries.
    max_step : float, keyword-only, default 1e4
        Largest step length :math:`|\alpha|`, at least 1.

    Returns
    -------
    list of float
        The step lengths, each below ``-1``, increasing (the longest first); empty when none applies.

    Examples
    --------
    >>> from semtheory.core.alternating import squarem_steps
    >>> squarem_steps([0.0], [0.5], [0.75])  # F(x) = (x + 1) / 2: r = 0.5, v = -0.25
    [-2.0]
    """
    x0, x1, x2 = (np.asarray(v, dtype=float) for v in (x0, x1, x2))
    if not (max_step >= 1.0):
        raise ValueError(f"max_step must be at least 1, got {max_step!r}")
    with np.errstate(invalid="ignore"):  # -inf - -inf on entries with no mass
        d1, d2 = x1 - x0, (x2 - x1) - (x1 - x0)
    ok = np.isfinite(d1) & np.isfinite(d2)
    every = bool(ok.all())  # the usual case: no entry to leave out, no copies
    d1o, d2o = (d1, d2) if every else (d1[ok], d2[ok])
    norms = []
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        w = w if every else w[ok]
        norms.append((float(np.sqrt(w @ d1o**2)), float(np.sqrt(w @ d2o**2))))
    norms.append((math.sqrt(d1o @ d1o), math.sqrt(d2o @ d2o)))  # = np.linalg.norm of a 1-D array, bit for bit
    steps = []
    for n1, n2 in norms:
        if n1 > 0 and n2 > 0:
            steps.append(max(min(-n1 / n2, -1.0), -max_step))
    return [a for a in sorted(set(steps)) if not a > -1.0 - 1e-12]


def squarem_point(x0: ArrayLike, x1: ArrayLike, x2: ArrayLike, alpha: float) -> FloatArray:
    r"""The squared extrapolation :math:`x_0 - 2\alpha r + \alpha^2 v` of step length ``alpha`` (see :func:`squarem_steps`).

    Entries where :math:`r = x_1 - x_0` or :math:`v = x_2 - 2x_1 + x_0` is not finite keep the value of
    :math:`x_2`.  Same units as the iterates.

    Parameters
    ----------
    x0, x1, x2 : array_like, shape (m,)
        Three successive iterates of the map.
    alpha : float
        The step length (``-1`` gives :math:`x_2` back).

    Returns
    -------
    numpy.ndarray, shape (m,)
        The extrapolated iterate (not projected: a log law still has to be normalised by the caller).

    Examples
    --------
    >>> from semtheory.core.alternating import squarem_point
    >>> float(squarem_point([0.0], [0.5], [0.75], -2.0)[0])  # the fixed point of F(x) = (x + 1) / 2
    1.0
    """
    x0, x1, x2 = (np.asarray(v, dtype=float) for v in (x0, x1, x2))
    with np.errstate(invalid="ignore"):
        d1, d2 = x1 - x0, (x2 - x1) - (x1 - x0)
        ok = np.isfinite(d1) & np.isfinite(d2)
        xe = x0 - 2 * alpha * d1 + alpha * alpha * d2
        return xe if ok.all() else np.where(ok, xe, x2)


def alternate(step: Callable[[Any, bool], Round], x0: Any, *, tol: float, max_iter: int, certified: bool = True,
              check_every: int = 1, accelerate: bool | Callable[[Any, Any, Any], Iterable[Any]] = False,
              project: Callable[[FloatArray], FloatArray] | None = None,
              better: Callable[[Round, Round], bool] | None = None,
              refine: Callable[[Any, Round, int], tuple[Any, Round] | None] | None = None,
              restart: Callable[[Any, Round, int], tuple[Any, Round] | None] | None = None) -> AlternatingResult:
    r"""Iterate ``step`` from ``x0`` until the certified gap (or, without a certificate, the change) is at most ``tol``.

    **Certified** (``certified=True``): iterate :math:`k` is evaluated by ``step(x_k, check)`` with ``check`` true
    every ``check_every`` iterations and at ``max_iter``; at a checked iterate the loop stops when
    :math:`\text{gap} = \max(\text{upper} - \text{lower}, 0) \le` ``tol`` or :math:`k \ge` ``max_iter``, and
    otherwise moves to ``next``.  The result's bounds are those of the final iterate, so ``converged`` is exactly
    ``gap <= tol``.  **Without a certificate** (``certified=False``): the loop moves to ``next`` and stops when
    the round's ``change`` is at most ``tol`` (``converged=True``) or after ``max_iter`` moves; ``gap`` is nan
    and ``certified`` False.  **Guards**: a NaN in the bounds (or, without a certificate, in the change) stops
    the loop at the last iterate whose bounds (change) were numbers, with ``converged=False``; an extrapolated
    iterate that holds NaN is refused.  **Acceleration** (``accelerate=True``, certified problems whose
    iterate is one array): after two plain steps :math:`x_1 = F(x_0)`, :math:`x_2 = F(x_1)` the squared
    extrapolations of :func:`squarem_steps` (plain norm) are tried, each passed through ``project`` (for example
    the normalisation of a log law), and the first whose ``value`` is below that of :math:`x_2` replaces it;
    otherwise :math:`x_2` is kept, so the objective never worsens against the plain iteration and the
    certificate still decides when to stop.  A problem may supply its own extrapolations (``accelerate`` a
    callable) and its own test of improvement (``better``).  **Hooks of a certified loop** (neither counts as an
    iteration): at a checked iterate whose gap exceeds ``tol``, ``refine(x, round, k)`` may return a sharper
    round for the same ``x`` (a costlier certificate) or a *reduced* iterate with its round (for example
    reproduction letters that a bound proves to carry no mass in any optimum removed, which leaves the optimum
    unchanged); a reduced iterate is refined again.  At a checked iterate where the loop does not stop,
    ``restart(x, round, k)`` may return another iterate with its round to continue from (a warm start that
    failed its budget falling back to a cold one); the count :math:`k` goes on.  Units: those of the problem's
    bounds.  Chapters 3, 5, 6, 9b.

    Parameters
    ----------
    step : callable
        ``step(x, check) -> Round``: evaluate the iterate ``x``; when ``check`` is true fill ``lower`` and
        ``upper`` (certified) — without a certificate fill ``change``; with ``accelerate`` fill ``value``.
    x0 : object
        The starting iterate.
    tol : float, keyword-only
        Stopping threshold on the gap (or the change), in the problem's units; positive.
    max_iter : int, keyword-only
        Largest number of applications of the map, at least 1 (the certified loop evaluates the iterate reached
        then, so the result always carries bounds).
    certified : bool, keyword-only, default True
        Whether the problem has a certificate.
    check_every : int, keyword-only, default 1
        Compute the certificate every this many iterations (certified problems whose bound is costly).
    accelerate : bool or callable, keyword-only, default False
        Squared extrapolation, kept only when it lowers ``value``; a callable ``accelerate(x0, x1, x2)`` yields the
        problem's own extrapolated iterates (already in its domain), tried in order.
    project : callable, keyword-only, optional
        Maps an extrapolated iterate of the built-in extrapolation back to the problem's domain (default:
        unchanged).
    better : callable, keyword-only, optional
        ``better(extrapolated_round, plain_round) -> bool``: whether an extrapolation improves on the plain double
        step (default: its ``value`` is finite and below that of the plain step).
    refine : callable, keyword-only, optional
        ``refine(x, round, k) -> (x', round') or None``, called at a checked iterate whose gap exceeds ``tol``:
        ``x' is x`` with a sharper ``round'``, or a reduced iterate ``x'`` with its round; None leaves both.
    restart : callable, keyword-only, optional
        ``restart(x, round, k) -> (x', round') or None``, called at a checked iterate where the loop goes on;
        ``x'`` replaces ``x`` (it is then refined and tested like any iterate).

    Returns
    -------
    AlternatingResult
        The final iterate, its round, its bounds and gap (problem's units), the iteration count and the flags.

    Examples
    --------
    Blahut–Arimoto for the capacity of a binary symmetric channel (crossover 0.1), in nats: the iterate is the log
    input law, the bounds are Arimoto's :math:`\sum_x r(x) D_x \le C \le \max_x D_x`.

    >>> import math
    >>> import numpy as np
    >>> from semtheory.core.alternating import Round, alternate
    >>> W = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> def step(logr, check):
    ...     D = (W * np.log(W / (np.exp(logr) @ W))).sum(axis=1)
    ...     nxt = logr + D
    ...     return Round(nxt - np.logaddexp.reduce(nxt), -np.exp(logr) @ D, np.exp(logr) @ D, D.max())
    >>> res = alternate(step, np.log([0.9, 0.1]), tol=1e-12, max_iter=1000)
    >>> res.converged, res.certified, round(res.lower / math.log(2), 6)
    (True, True, 0.531004)
    """
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    if isinstance(check_every, bool) or not isinstance(check_every, (int, np.integer)) or check_every < 1:
        raise ValueError(f"check_every must be an integer >= 1, got {check_every!r}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not tol > 0:
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    if accelerate and not certified:
        raise ValueError("accelerate needs a certified problem (the stopping rule must not depend on the path)")
    nan = math.nan
    x, it = x0, 0
    if not certified:
        while True:
            rnd = step(x, False)
            if math.isnan(rnd.change):  # a NaN in the update: stop at the last iterate without one
                return AlternatingResult(x, rnd, nan, nan, nan, it, False, False, 0)
            x, it = _advance(rnd), it + 1
            if float(rnd.change) <= tol:
                return AlternatingResult(x, rnd, nan, nan, nan, it, True, False, 0)
            if it >= max_iter:
                return AlternatingResult(x, rnd, nan, nan, nan, it, False, False, 0)

    def checks(k: int) -> bool:
        return k % check_every == 0 or k >= max_iter

    accepted = 0
    check = checks(0)
    rnd = step(x, check)
    good = None  # the last checked iterate with finite bounds, (x, round, iterations)
    while True:
        if check:
            g = _gap_of(rnd)
            while refine is not None and g > tol:  # a sharper certificate, or a reduced iterate (refined again)
                out = refine(x, rnd, it)
                if out is None:
                    break
                reduced = out[0] is not x
                x, rnd = out
                g = _gap_of(rnd)
                if not reduced:
                    break
            lo, up = float(rnd.lower), float(rnd.upper)
            if math.isnan(g):  # a NaN reached the bounds: report the last iterate whose bounds were numbers
                if good is None:
                    return AlternatingResult(x, rnd, lo, up, nan, it, False, True, accepted)
                x, rnd, it = good
                lo, up = float(rnd.lower), float(rnd.upper)
                return AlternatingResult(x, rnd, lo, up, max(_gap_of(rnd), 0.0), it, False, True, accepted)
            gap = max(g, 0.0)
            if gap <= tol or it >= max_iter:
                return AlternatingResult(x, rnd, lo, up, gap, it, gap <= tol, True, accepted)
            good = (x, rnd, it)
            if restart is not None:
                out = restart(x, rnd, it)
                if out is not None:  # continue from another iterate, evaluated and tested like any other
                    x, rnd = out
                    continue
        x1 = _advance(rnd)
        if not accelerate or it + 2 > max_iter:
            it += 1
            check = checks(it)
            x, rnd = x1, step(x1, check)
            continue
        x2 = _advance(step(x1, False))
        it += 2
        check = checks(it)
        r2 = step(x2, check)
        best = (x2, r2)
        for xe in (accelerate(x, x1, x2) if callable(accelerate) else _squarem_candidates(x, x1, x2, project)):
            if _has_nan(xe):
                continue
            re = step(xe, check)
            if better(re, r2) if better is not None else (math.isfinite(re.value) and re.value < r2.value):
                best = (xe, re)
                accepted += 1
                break
        x, rnd = best


def _gap_of(rnd: Round) -> float:
    """The round's certified gap: its own ``gap`` when the problem computed one, else ``upper - lower``."""
    g = float(rnd.gap)
    return g if not math.isnan(g) else float(rnd.upper) - float(rnd.lower)


def _squarem_candidates(x0: Any, x1: Any, x2: Any, project: Callable[[FloatArray], FloatArray] | None) -> Iterator[Any]:
    """The built-in extrapolations: squared steps of plain-norm length, each passed through ``project``."""
    for a in squarem_steps(x0, x1, x2):
        xe = squarem_point(x0, x1, x2, a)
        yield project(xe) if project is not None else xe


def _advance(rnd: Round) -> Any:
    """The next iterate of a round, computed now if the problem deferred it (a callable ``next``)."""
    return rnd.next() if callable(rnd.next) else rnd.next
