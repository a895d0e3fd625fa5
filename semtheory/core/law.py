r"""The joint-law layout of two interacting processes :math:`X^n, Y^n` (chapter 3; used by chapters 4, 5, 6, 7, 8, 14).

One public home for the array layout shared by :mod:`semtheory.directed`, :mod:`semtheory.diestimate`,
:mod:`semtheory.ratereward`, :mod:`semtheory.ratedistortion`, :mod:`semtheory.channel` and
:mod:`semtheory.semantic`.

**Joint law.**  A joint pmf of :math:`(X^n, Y^n)` is an ndarray with ``2n`` axes, one per variable, ordered
:math:`X_1, \dots, X_n, Y_1, \dots, Y_n`:

    ``p[x1, ..., xn, y1, ..., yn] = P(X^n = x^n, Y^n = y^n)``

so axis ``t-1`` is :math:`X_t` and axis ``n+t-1`` is :math:`Y_t` (:func:`axis_names`, :func:`x_axes`,
:func:`y_axes`).  Alphabet sizes may differ between axes.

**Kernels.**  A *policy* and a *channel* are lists of ``n`` arrays, one per time step, each a conditional pmf
over its **last** axis, with the history axes first in the joint layout's order (all X's, then all Y's):
``policy[t-1]`` has axes :math:`(X_1..X_{t-1}, Y_1..Y_{t-1}, X_t)`, ``channel[t-1]`` has axes
:math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` (:func:`kernel_shape`).  A history axis of length 1 broadcasts.

**Markov pairs.**  A jointly Markov pair is given by ``transition[x, y, x2, y2]``
:math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)` (:func:`pair_transition`).

Every function validates its input and raises ``ValueError`` naming the argument; nothing is renormalised.
In the docstrings' shapes ``kx``, ``ky`` and ``ks`` are the alphabet sizes of :math:`X`, :math:`Y` and of a
channel's hidden state.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .types import ArrayLike
from .._validate import as_float, as_pmf, as_stochastic, check_int

__all__ = [
    "MAX_CELLS",
    "axis_names",
    "x_axes",
    "y_axes",
    "num_steps",
    "as_joint_law",
    "check_kernels",
    "kernel_shape",
    "check_kernel_shape",
    "expand_policy",
    "expand_channel",
    "conditional",
    "pair_transition",
]

MAX_CELLS = 2**24
"""Largest joint law or kernel table (number of cells) the law-layout functions build: a memory guard."""


def axis_names(n: int) -> tuple[str, ...]:
    r"""Names of the ``2n`` axes of a joint law of :math:`(X^n, Y^n)`: ``("X1", ..., "Xn", "Y1", ..., "Yn")``.

    Axis ``t-1`` is :math:`X_t`, axis ``n+t-1`` is :math:`Y_t`.  Chapter 3.

    Parameters
    ----------
    n : int
        Number of time steps, at least 1.

    Returns
    -------
    tuple of str
        The ``2n`` axis names, in the layout's order.

    Examples
    --------
    >>> axis_names(2)
    ('X1', 'X2', 'Y1', 'Y2')
    """
    n = check_int(n, "n", minimum=1)
    return tuple(f"X{t}" for t in range(1, n + 1)) + tuple(f"Y{t}" for t in range(1, n + 1))


def x_axes(n: int, t: int | None = None) -> tuple[int, ...]:
    r"""Axes of :math:`X^t = (X_1, \dots, X_t)` in a joint law of :math:`(X^n, Y^n)` (``t=None`` means ``n``).

    ``t = 0`` gives the empty tuple.  Chapter 3.

    Parameters
    ----------
    n : int
        Number of time steps, at least 1.
    t : int or None, default None
        Length of the prefix, ``0 <= t <= n`` (None: ``n``).

    Returns
    -------
    tuple of int
        The axis indices ``0, ..., t-1``.

    Examples
    --------
    >>> x_axes(3, 2)
    (0, 1)
    """
    n = check_int(n, "n", minimum=1)
    t = n if t is None else check_int(t, "t", minimum=0, maximum=n)
    return tuple(range(t))


def y_axes(n: int, t: int | None = None) -> tuple[int, ...]:
    r"""Axes of :math:`Y^t = (Y_1, \dots, Y_t)` in a joint law of :math:`(X^n, Y^n)` (``t=None`` means ``n``).

    ``t = 0`` gives the empty tuple.  Chapter 3.

    Parameters
    ----------
    n : int
        Number of time steps, at least 1.
    t : int or None, default None
        Length of the prefix, ``0 <= t <= n`` (None: ``n``).

    Returns
    -------
    tuple of int
        The axis indices ``n, ..., n+t-1``.

    Examples
    --------
    >>> y_axes(3, 2)
    (3, 4)
    """
    n = check_int(n, "n", minimum=1)
    t = n if t is None else check_int(t, "t", minimum=0, maximum=n)
    return tuple(range(n, n + t))


def as_joint_law(p, name: str = "p") -> tuple[np.ndarray, int]:
    r"""Validate a joint law of :math:`(X^n, Y^n)` in the layout and return it with its number of steps.

    Chapter 3.

    Parameters
    ----------
    p : array_like, 2n axes
        A pmf with axes :math:`X_1..X_n, Y_1..Y_n`.
    name : str, default "p"
        The argument's name, used in the error message.

    Returns
    -------
    law : ndarray
        ``p`` as a float array (not renormalised).
    n : int
        The number of time steps (half the number of axes).

    Raises
    ------
    ValueError
        Naming ``name`` if ``p`` is not a pmf or has an odd or zero number of axes.
    """
    arr = as_pmf(p, name)
    if arr.ndim == 0 or arr.ndim % 2:
        raise ValueError(
            f"{name} must have 2n axes ordered X1..Xn, Y1..Yn (one per variable), got shape {arr.shape}"
        )
    return arr, arr.ndim // 2


def num_steps(p: ArrayLike) -> int:
    r"""Number of time steps ``n`` of a joint law of :math:`(X^n, Y^n)` (its number of axes over 2).

    Raises ``ValueError`` naming ``p`` if ``p`` is not a pmf with an even, positive number of axes.
    Chapter 3.

    Parameters
    ----------
    p : array_like, 2n axes
        A joint pmf in the layout :math:`X_1..X_n, Y_1..Y_n`.

    Returns
    -------
    int
        The number of steps ``n``.

    Examples
    --------
    >>> num_steps(np.full((2, 2, 2, 2), 1 / 16))
    2
    """
    return as_joint_law(p)[1]


def check_kernels(kernels, name: str, n: int | None = None) -> list[np.ndarray]:
    r"""Validate a list of per-step kernels (a policy or a channel), each a conditional pmf over its last axis.

    Only each kernel's stochasticity is checked here; :func:`check_kernel_shape` checks its axes.  Chapter 3.

    Parameters
    ----------
    kernels : sequence of array_like
        ``n`` arrays, one per time step, non-negative and summing to 1 over the last axis.
    name : str
        The argument's name, used in the error messages (``name[i]`` for the i-th kernel).
    n : int or None, default None
        The number of steps required (None: any positive number).

    Returns
    -------
    list of ndarray
        The kernels as float arrays (not renormalised).

    Raises
    ------
    ValueError
        Naming ``name`` if ``kernels`` is not a non-empty sequence, has the wrong length, or a kernel is not
        stochastic.
    """
    if isinstance(kernels, np.ndarray) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise ValueError(f"{name} must be a non-empty list of per-step kernel arrays (one per time step)")
    if n is not None and len(kernels) != n:
        raise ValueError(f"{name} has {len(kernels)} steps, expected {n}")
    return [as_stochastic(k, f"{name}[{i}]") for i, k in enumerate(kernels)]


def kernel_shape(kind: str, t: int, x_cards: Sequence[int], y_cards: Sequence[int]) -> tuple[int, ...]:
    r"""Full shape of the step-``t`` kernel of a policy or a channel: its history axes, then the new variable.

    A policy's step-``t`` kernel has axes :math:`(X^{t-1}, Y^{t-1}, X_t)`, a channel's
    :math:`(X^t, Y^{t-1}, Y_t)`.  Chapter 3.

    Parameters
    ----------
    kind : {"policy", "channel"}
        Which kernel.
    t : int
        The time step, 1-based.
    x_cards, y_cards : sequence of int
        The alphabet sizes of :math:`X_1, X_2, \dots` and :math:`Y_1, Y_2, \dots`.

    Returns
    -------
    tuple of int
        The kernel's full (unbroadcast) shape.

    Examples
    --------
    >>> kernel_shape("channel", 2, [2, 3], [4, 5])
    (2, 3, 4, 5)
    """
    if kind not in ("policy", "channel"):
        raise ValueError(f"kind must be 'policy' or 'channel', got {kind!r}")
    if kind == "policy":
        return tuple(x_cards[: t - 1]) + tuple(y_cards[: t - 1]) + (x_cards[t - 1],)
    return tuple(x_cards[:t]) + tuple(y_cards[: t - 1]) + (y_cards[t - 1],)


def check_kernel_shape(k: np.ndarray, full: tuple[int, ...], name: str) -> None:
    r"""Check that a kernel broadcasts to its full shape (history axes of length 1 or full, last axis full).

    Chapter 3.

    Parameters
    ----------
    k : ndarray
        The kernel.
    full : tuple of int
        Its full shape (:func:`kernel_shape`).
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        Naming ``name`` if the number of axes, a history axis or the outcome axis does not fit.
    """
    if k.ndim != len(full):
        raise ValueError(f"{name} must have {len(full)} axes (history then new variable), got shape {k.shape}")
    for got, want in zip(k.shape[:-1], full[:-1]):
        if got not in (1, want):
            raise ValueError(f"{name} has shape {k.shape}, not broadcastable to {full}")
    if k.shape[-1] != full[-1]:
        raise ValueError(f"{name} has {k.shape[-1]} outcomes on its last axis, expected {full[-1]}")


def expand_policy(k: np.ndarray, t: int, n: int) -> np.ndarray:
    r"""A step-``t`` policy kernel, axes :math:`(X^{t-1}, Y^{t-1}, X_t)`, reshaped to broadcast against a joint law.

    The result has ``2n`` axes in the layout (length 1 on the variables the kernel does not involve).  The
    input is trusted (validated by the caller).  Chapter 3.

    Parameters
    ----------
    k : ndarray
        The kernel, ``2t - 1`` axes.
    t : int
        The time step, 1-based.
    n : int
        The number of steps of the joint law.

    Returns
    -------
    ndarray
        A view of ``k`` with ``2n`` axes, :math:`X_t` moved to axis ``t-1``.
    """
    a = np.moveaxis(k, -1, t - 1)  # (X^t, Y^{t-1})
    shape = a.shape[:t] + (1,) * (n - t) + a.shape[t:] + (1,) * (n - t + 1)
    return a.reshape(shape)


def expand_channel(k: np.ndarray, t: int, n: int) -> np.ndarray:
    r"""A step-``t`` channel kernel, axes :math:`(X^t, Y^{t-1}, Y_t)`, reshaped to broadcast against a joint law.

    The input is trusted (validated by the caller).  Chapter 3.

    Parameters
    ----------
    k : ndarray
        The kernel, ``2t`` axes.
    t : int
        The time step, 1-based.
    n : int
        The number of steps of the joint law.

    Returns
    -------
    ndarray
        A view of ``k`` with ``2n`` axes (length 1 on :math:`X_{t+1..n}` and :math:`Y_{t+1..n}`).
    """
    shape = k.shape[:t] + (1,) * (n - t) + k.shape[t:] + (1,) * (n - t)
    return k.reshape(shape)


def conditional(m: np.ndarray, axis: int, card: int) -> np.ndarray:
    r"""Conditional pmf ``m / m.sum(axis)``, uniform (``1/card``) where the conditioning event has probability 0.

    The layout's convention for kernels on zero-probability histories (any choice gives the same joint law).
    The input is trusted.  Chapter 3.

    Parameters
    ----------
    m : ndarray
        A (marginal) law; ``axis`` is the variable conditioned on the others.
    axis : int
        The axis of the new variable.
    card : int
        Its alphabet size (``m.shape[axis]``).

    Returns
    -------
    ndarray
        Same shape as ``m``, summing to 1 over ``axis``.

    Examples
    --------
    >>> conditional(np.array([[0.2, 0.2], [0.0, 0.0]]), 1, 2)
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    den = m.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, m / np.where(den > 0, den, 1.0), 1.0 / card)


def pair_transition(transition, name: str = "transition") -> tuple[np.ndarray, int, int]:
    r"""Validate the transition ``transition[x, y, x2, y2]`` of a jointly Markov pair; return it as a matrix.

    Chapters 3, 8.

    Parameters
    ----------
    transition : array_like, shape (kx, ky, kx, ky)
        :math:`P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`.
    name : str, default "transition"
        The argument's name, used in the error messages.

    Returns
    -------
    P : ndarray, shape (kx * ky, kx * ky)
        The row-stochastic matrix on the pair states, state ``x * |Y| + y``.
    kx : int
        The alphabet size ``|X|``.
    ky : int
        The alphabet size ``|Y|``.

    Raises
    ------
    ValueError
        Naming ``name`` if the shape is wrong or a row is not a pmf.

    Examples
    --------
    >>> P, kx, ky = pair_transition(np.full((2, 2, 2, 2), 0.25))
    >>> P.shape, kx, ky
    ((4, 4), 2, 2)
    """
    T = as_float(transition, name)
    if T.ndim != 4 or T.shape[:2] != T.shape[2:]:
        raise ValueError(f"{name} must have shape (|X|, |Y|, |X|, |Y|), got {np.shape(transition)}")
    kx, ky = T.shape[:2]
    P = as_stochastic(T.reshape(kx * ky, kx * ky), name)
    return P, kx, ky
