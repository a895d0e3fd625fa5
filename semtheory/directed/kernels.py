"""Kernels and joint laws: policies, channels, jointly Markov pairs, causal conditioning (chapter 3).

The layout is :mod:`semtheory.core.law`'s; see :mod:`semtheory.directed`."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from ..core.types import ArrayLike
from .._validate import as_pmf, as_stochastic, check_int, check_probability
from ..core.law import (
    MAX_CELLS,
    as_joint_law,
    check_kernel_shape,
    check_kernels,
    conditional,
    expand_channel,
    expand_policy,
    kernel_shape,
    pair_transition,
)
from ._common import causal_kernels_of


def joint_law(policy: Sequence[ArrayLike], channel: Sequence[ArrayLike]) -> np.ndarray:
    r"""Joint law :math:`P(x^n, y^n) = \prod_{t=1}^n P(x_t \mid x^{t-1}, y^{t-1})\,P(y_t \mid x^t, y^{t-1})`.

    ``policy`` and ``channel`` are lists of ``n`` per-step kernels in the layout of the module docstring
    (``policy[t-1]``: axes :math:`X^{t-1}, Y^{t-1}, X_t`; ``channel[t-1]``: axes :math:`X^t, Y^{t-1}, Y_t`;
    history axes of length 1 broadcast).  The result has axes :math:`X_1..X_n, Y_1..Y_n`.  With a policy
    that ignores past outputs the channel is used *without* feedback; otherwise *with* feedback.
    Vectorised: one broadcast product per step (``n = 8`` binary steps is a 65 536-cell array).
    Chapters 3, 4, 5.

    Parameters
    ----------
        policy : list of array_like
            ``n`` policy kernels, ``policy[t-1]`` with axes :math:`(X^{t-1}, Y^{t-1}, X_t)`.
        channel : list of array_like
            ``n`` channel kernels, ``channel[t-1]`` with axes :math:`(X^t, Y^{t-1}, Y_t)`.

    Returns
    -------
        ndarray, 2n axes
            The joint pmf :math:`P(x^n, y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.

    Examples
    --------
    >>> p = joint_law(iid_policy([0.5, 0.5], 2), memoryless_channel(binary_symmetric_channel(0.1), 2))
    >>> p.shape, round(float(p.sum()), 12)
    ((2, 2, 2, 2), 1.0)
    """
    pol = check_kernels(policy, "policy")
    ch = check_kernels(channel, "channel", len(pol))
    n = len(pol)
    xc = [k.shape[-1] for k in pol]
    yc = [k.shape[-1] for k in ch]
    if math.prod(xc) * math.prod(yc) > MAX_CELLS:
        raise ValueError(f"policy/channel describe a joint law with more than {MAX_CELLS} cells; use fewer steps")
    w = np.ones(())
    for t in range(1, n + 1):
        check_kernel_shape(pol[t - 1], kernel_shape("policy", t, xc, yc), f"policy[{t - 1}]")
        check_kernel_shape(ch[t - 1], kernel_shape("channel", t, xc, yc), f"channel[{t - 1}]")
        # w has axes (X^{t-1}, Y^{t-1}); append X_t then move it after the X's.
        w = np.moveaxis(w[..., None] * pol[t - 1], -1, t - 1)
        # now axes (X^t, Y^{t-1}); append Y_t (already last).
        w = w[..., None] * ch[t - 1]
    return w


def iid_policy(q: ArrayLike, n: int) -> list[np.ndarray]:
    r"""Policy of i.i.d. inputs :math:`P(x_t \mid x^{t-1}, y^{t-1}) = q(x_t)` for ``n`` steps (no feedback).

    ``q`` is a pmf over the input alphabet.  History axes have length 1.  Chapters 3, 5.

    Parameters
    ----------
        q : array_like, shape (kx,)
            The pmf of each input.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    q = as_pmf(q, "q", ndim=1)
    n = check_int(n, "n", minimum=1)
    return [q.reshape((1,) * (2 * (t - 1)) + (q.size,)) for t in range(1, n + 1)]


def policy_from_source(p_x: ArrayLike) -> list[np.ndarray]:
    r"""The policy without feedback of a source law :math:`P(x^n)`: ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1})`.

    ``p_x`` is a pmf with one axis per input :math:`X_1..X_n`; the result's Y axes have length 1, so with any
    channel it gives the joint law of a source transmitted (or compressed) without feedback.  Conditionals
    on zero-probability prefixes are uniform.  Chapters 3, 5.

    Parameters
    ----------
        p_x : array_like, n axes
            The source law :math:`P(x^n)`, one axis per input :math:`X_1..X_n`.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    p_x = as_pmf(p_x, "p_x")
    if p_x.ndim == 0:
        raise ValueError("p_x must have one axis per time step, got a scalar")
    n = p_x.ndim
    out = []
    for t in range(1, n + 1):
        m = p_x.sum(axis=tuple(range(t, n))) if t < n else p_x
        k = conditional(m, t - 1, p_x.shape[t - 1])
        out.append(k.reshape(p_x.shape[: t - 1] + (1,) * (t - 1) + (p_x.shape[t - 1],)))
    return out


def unit_memory_policy(first: ArrayLike, kernel: ArrayLike, n: int) -> list[np.ndarray]:
    r"""Policy with one step of memory: :math:`P(x_1) = ` ``first``, :math:`P(x_t \mid x_{t-1}, y_{t-1}) = ` ``kernel``.

    ``kernel[x_prev, y_prev, x]`` (shape ``(|X|, |Y|, |X|)``; a ``|Y|`` axis of length 1, or equal rows
    across ``y_prev``, means no feedback).  With feedback the input reacts to the last output, e.g. an
    "echo" policy that repeats :math:`y_{t-1}`.  Chapter 3.

    Parameters
    ----------
        first : array_like, shape (kx,)
            The law of :math:`X_1`.
        kernel : array_like, shape (kx, ky, kx)
            ``kernel[x_prev, y_prev, x]`` :math:`= P(x_t \mid x_{t-1}, y_{t-1})`, stochastic over its last axis.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    first = as_pmf(first, "first", ndim=1)
    kernel = as_stochastic(kernel, "kernel")
    n = check_int(n, "n", minimum=1)
    if kernel.ndim != 3 or kernel.shape[0] != first.size or kernel.shape[2] != first.size:
        raise ValueError(
            f"kernel must have shape (|X|, |Y|, |X|) = ({first.size}, |Y|, {first.size}), got {kernel.shape}"
        )
    out = [first]
    for t in range(2, n + 1):
        shape = [1] * (2 * (t - 1)) + [first.size]
        shape[t - 2] = kernel.shape[0]  # X_{t-1}
        shape[2 * (t - 1) - 1] = kernel.shape[1]  # Y_{t-1}
        out.append(kernel.reshape(shape))
    return out


def echo_policy(repeat: float, n: int) -> list[np.ndarray]:
    r"""Binary feedback policy: :math:`X_1` is a fair bit; then :math:`X_t = Y_{t-1}` with probability ``repeat``, else a fresh fair bit.

    ``repeat = 0`` is i.i.d. uniform input (no feedback); ``repeat = 1`` is the pure echo
    :math:`X_t = Y_{t-1}`, whose inputs copy the outputs without carrying anything new through the
    channel.  A :func:`unit_memory_policy`.  Chapter 3.

    Parameters
    ----------
        repeat : float
            Probability in [0, 1] that :math:`X_t` repeats :math:`Y_{t-1}`.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    lam = check_probability(repeat, "repeat")
    kernel = np.full((2, 2, 2), (1 - lam) / 2)
    kernel[:, 0, 0] += lam
    kernel[:, 1, 1] += lam
    return unit_memory_policy([0.5, 0.5], kernel, n)


def fixed_prompt_policy(q: ArrayLike, n: int) -> list[np.ndarray]:
    r"""Policy of a prompt fixed before generation: :math:`X_1 \sim q`, then :math:`X_t = X_{t-1}` (= :math:`X_1`).

    The input process is the prompt, re-read at every step; it never looks at the outputs, so there is no
    feedback and :math:`I(X^n \to Y^n) = I(X^n; Y^n)` whatever the channel does with its own past outputs.
    ``q`` is a pmf over the input alphabet.  A :func:`unit_memory_policy`.  Chapter 3.

    Parameters
    ----------
        q : array_like, shape (kx,)
            The law of the prompt :math:`X_1`.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    q = as_pmf(q, "q", ndim=1)
    n = check_int(n, "n", minimum=1)
    k = q.size
    kernel = np.broadcast_to(np.eye(k)[:, None, :], (k, 1, k))
    return unit_memory_policy(q, kernel, n)


def sticky_channel(stick: float, crossover: float, n: int) -> list[np.ndarray]:
    r"""A binary channel that reads its own last output: a model of an autoregressive generator's state.

    .. math:: P(y_t \mid x^t, y^{t-1}) = \rho\,\ind[y_t = y_{t-1}] + (1-\rho)\,W_\epsilon(y_t \mid x_t)
              \quad (t \ge 2), \qquad P(y_1 \mid x_1) = W_\epsilon(y_1 \mid x_1),

    with :math:`\rho` = ``stick`` and :math:`W_\epsilon` the binary symmetric channel of crossover
    :math:`\epsilon` = ``crossover``.  The channel has memory (its state is its last output) but that is not
    feedback: feedback is an *input* that depends on past outputs.  Chapter 3.

    Parameters
    ----------
        stick : float
            Probability :math:`\rho \in [0, 1]` of repeating the last output.
        crossover : float
            Crossover probability :math:`\epsilon \in [0, 1]` of the binary symmetric channel.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` channel kernels; ``channel[t-1]`` has axes :math:`(X^t, Y^{t-1}, Y_t)` (history axes the
            kernel ignores have length 1).
    """
    rho = check_probability(stick, "stick")
    W = binary_symmetric_channel(crossover)
    n = check_int(n, "n", minimum=1)
    out = [W]
    for t in range(2, n + 1):
        k = rho * np.eye(2)[None, :, :] + (1 - rho) * W[:, None, :]  # [x_t, y_{t-1}, y_t]
        shape = [1] * (2 * t - 1) + [2]
        shape[t - 1], shape[2 * t - 2] = 2, 2  # X_t and Y_{t-1}
        out.append(k.reshape(shape))
    return out


def memoryless_channel(W: ArrayLike, n: int) -> list[np.ndarray]:
    r"""A memoryless channel :math:`P(y_t \mid x^t, y^{t-1}) = W(y_t \mid x_t)` used ``n`` times.

    ``W[x, y]`` is a row-stochastic matrix.  Chapters 3, 4.

    Parameters
    ----------
        W : array_like, shape (kx, ky)
            Row-stochastic matrix ``W[x, y]`` :math:`= W(y \mid x)`.
        n : int
            Number of time steps, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` channel kernels; ``channel[t-1]`` has axes :math:`(X^t, Y^{t-1}, Y_t)` (history axes the
            kernel ignores have length 1).
    """
    W = as_stochastic(W, "W")
    n = check_int(n, "n", minimum=1)
    if W.ndim != 2:
        raise ValueError(f"W must be a matrix W[x, y], got shape {W.shape}")
    out = []
    for t in range(1, n + 1):
        shape = [1] * (2 * t - 1) + [W.shape[1]]
        shape[t - 1] = W.shape[0]
        out.append(W.reshape(shape))
    return out


def binary_symmetric_channel(crossover: float) -> np.ndarray:
    r"""Transition matrix of the binary symmetric channel, :math:`W(y \mid x) = 1-\epsilon` if :math:`y = x` else :math:`\epsilon`.

    Capacity :math:`1 - h(\epsilon)` bits per use.  Chapters 2, 3.

    Parameters
    ----------
        crossover : float
            Crossover probability :math:`\epsilon \in [0, 1]`.

    Returns
    -------
        ndarray, shape (2, 2)
            The row-stochastic matrix ``W[x, y]``.

    Examples
    --------
    >>> binary_symmetric_channel(0.25)
    array([[0.75, 0.25],
           [0.25, 0.75]])
    """
    e = check_probability(crossover, "crossover")
    return np.array([[1 - e, e], [e, 1 - e]])


def _histories(cards: list[int]) -> np.ndarray:
    """All tuples of the given cardinalities, shape (prod, len(cards)), in C order."""
    if not cards:
        return np.zeros((1, 0), dtype=np.int64)
    grids = np.indices(cards).reshape(len(cards), -1).T
    return grids.astype(np.int64)


def _kernels_from_function(fn, n, x_card, y_card, kind: str) -> list[np.ndarray]:
    if not callable(fn):
        raise ValueError(f"fn must be callable fn(t, x_hist, y_hist) -> probabilities, got {fn!r}")
    n = check_int(n, "n", minimum=1)
    x_card = check_int(x_card, "x_card", minimum=1)
    y_card = check_int(y_card, "y_card", minimum=1)
    out_card = x_card if kind == "policy" else y_card
    out = []
    for t in range(1, n + 1):
        nx = t - 1 if kind == "policy" else t
        cards = [x_card] * nx + [y_card] * (t - 1)
        if math.prod(cards) * out_card > MAX_CELLS:
            raise ValueError(f"n={n} gives kernels larger than {MAX_CELLS} cells")
        h = _histories(cards)
        vals = np.asarray(fn(t, h[:, :nx], h[:, nx:]), dtype=float)
        if vals.shape != (h.shape[0], out_card):
            raise ValueError(
                f"fn returned shape {vals.shape} at t={t}; expected (number of histories, {out_card}) = "
                f"({h.shape[0]}, {out_card})"
            )
        out.append(as_stochastic(vals.reshape(tuple(cards) + (out_card,)), f"fn output at t={t}"))
    return out


def policy_from_function(fn: Callable, n: int, x_card: int, y_card: int) -> list[np.ndarray]:
    r"""Build a policy from a vectorised function ``fn(t, x_hist, y_hist)`` returning :math:`P(x_t \mid x^{t-1}, y^{t-1})`.

    At step ``t`` (1-based) ``fn`` receives every history at once: ``x_hist`` of shape ``(H, t-1)`` and
    ``y_hist`` of shape ``(H, t-1)`` (integer symbols) and returns an ``(H, x_card)`` array of pmfs.
    Use it for feedback encoders and for token-level policies.  Chapters 3, 4.

    Parameters
    ----------
        fn : callable
            ``fn(t, x_hist, y_hist)`` returning an ``(H, x_card)`` array of pmfs, one row per history.
        n : int
            Number of time steps, at least 1.
        x_card : int
            Input alphabet size, at least 1.
        y_card : int
            Output alphabet size, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` policy kernels; ``policy[t-1]`` has axes :math:`(X^{t-1}, Y^{t-1}, X_t)` (history axes the
            kernel ignores have length 1).
    """
    return _kernels_from_function(fn, n, x_card, y_card, "policy")


def channel_from_function(fn: Callable, n: int, x_card: int, y_card: int) -> list[np.ndarray]:
    r"""Build a channel from a vectorised function ``fn(t, x_hist, y_hist)`` returning :math:`P(y_t \mid x^t, y^{t-1})`.

    At step ``t`` ``fn`` receives ``x_hist`` of shape ``(H, t)`` (inputs up to and including time ``t``)
    and ``y_hist`` of shape ``(H, t-1)`` and returns an ``(H, y_card)`` array of pmfs.  Chapters 3, 4.

    Parameters
    ----------
        fn : callable
            ``fn(t, x_hist, y_hist)`` returning an ``(H, y_card)`` array of pmfs, one row per history.
        n : int
            Number of time steps, at least 1.
        x_card : int
            Input alphabet size, at least 1.
        y_card : int
            Output alphabet size, at least 1.

    Returns
    -------
        list of ndarray
            The ``n`` channel kernels; ``channel[t-1]`` has axes :math:`(X^t, Y^{t-1}, Y_t)` (history axes the
            kernel ignores have length 1).
    """
    return _kernels_from_function(fn, n, x_card, y_card, "channel")


def finite_state_channel(transition: ArrayLike, n: int, initial_state: int | ArrayLike = 0) -> list[np.ndarray]:
    r"""Channel kernels of a finite-state channel with hidden state, used for ``n`` steps.

    ``transition[s, x, y, s2]`` :math:`= P(Y_t = y, S_t = s_2 \mid X_t = x, S_{t-1} = s)`; ``initial_state`` is
    an int (a known :math:`s_0`) or a pmf over states.  The state is not observed; the kernels are

    .. math:: P(y_t \mid x^t, y^{t-1}) = \sum_{s_{t-1}} P(s_{t-1} \mid x^{t-1}, y^{t-1})\,P(y_t \mid x_t, s_{t-1}),

    computed by a forward recursion on :math:`P(y^t, s_t \| x^t)` (vectorised over all histories).
    Histories of zero probability get the uniform output law (they never matter).  Chapters 3, 4, 15.

    Parameters
    ----------
        transition : array_like, shape (ks, kx, ky, ks)
            ``transition[s, x, y, s2]`` :math:`= P(Y_t = y, S_t = s_2 \mid X_t = x, S_{t-1} = s)`.
        n : int
            Number of time steps, at least 1.
        initial_state : int or array_like, default 0
            A known initial state :math:`s_0` or a pmf over the states.

    Returns
    -------
        list of ndarray
            The ``n`` channel kernels; ``channel[t-1]`` has axes :math:`(X^t, Y^{t-1}, Y_t)` (history axes the
            kernel ignores have length 1).
    """
    try:
        T = np.asarray(transition, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("transition must be an array of probabilities of shape (|S|, |X|, |Y|, |S|)") from None
    if T.ndim != 4 or T.shape[0] != T.shape[3]:
        raise ValueError(f"transition must have shape (|S|, |X|, |Y|, |S|), got {T.shape}")
    as_stochastic(T.reshape(T.shape[0], T.shape[1], -1), "transition")
    n = check_int(n, "n", minimum=1)
    S, kx, ky, _ = T.shape
    if (kx * ky) ** n * S > MAX_CELLS:
        raise ValueError(f"n={n} is too large for this alphabet (more than {MAX_CELLS} cells)")
    if isinstance(initial_state, (int, np.integer)) and not isinstance(initial_state, bool):
        s0 = check_int(initial_state, "initial_state", minimum=0, maximum=S - 1)
        alpha = np.zeros(S)
        alpha[s0] = 1.0
    else:
        alpha = as_pmf(initial_state, "initial_state", ndim=1)
        if alpha.size != S:
            raise ValueError(f"initial_state must be a pmf over {S} states, got {alpha.size} entries")
    # alpha: axes (X^{t-1}, Y^{t-1}, S_{t-1}) holding P(y^{t-1}, s_{t-1} || x^{t-1}).
    out = []
    for t in range(1, n + 1):
        h = alpha.ndim - 1  # number of history axes = 2(t-1)
        a = alpha.reshape(alpha.shape[:-1] + (S, 1, 1, 1))
        beta = (a * T).sum(axis=h)  # axes (X^{t-1}, Y^{t-1}, X_t, Y_t, S_t)
        # move X_t to sit after X^{t-1}
        beta = np.moveaxis(beta, h, t - 1)  # axes (X^t, Y^{t-1}, Y_t, S_t)
        num = beta.sum(axis=-1)  # P(y^t || x^t): axes (X^t, Y^{t-1}, Y_t)
        den = num.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / ky)
        out.append(k)
        alpha = beta
    return out


def trapdoor_channel() -> np.ndarray:
    r"""The trapdoor (chemical) channel as a finite-state channel ``transition[s, x, y, s2]``.

    The state :math:`s` is the ball (0 or 1) inside the channel.  The input ball :math:`x` is added; the
    output :math:`y` is one of the two balls chosen uniformly at random, and the other one stays:
    :math:`s_2 = s \oplus x \oplus y`.  If :math:`x = s` the output is :math:`x` with certainty.  Its
    feedback capacity is :math:`\log_2 \frac{1+\sqrt5}{2} \approx 0.694` bits per use (Permuter, Cuff,
    Van Roy & Weissman 2008).  Use with :func:`finite_state_channel`.  Chapter 3.

    Returns
    -------
        ndarray, shape (2, 2, 2, 2)
            ``transition[s, x, y, s2]`` for :func:`finite_state_channel`.
    """
    T = np.zeros((2, 2, 2, 2))
    for s in range(2):
        for x in range(2):
            for y in (s, x):
                T[s, x, y, s ^ x ^ y] += 0.5
    return T


def markov_pair_stationary(transition: ArrayLike) -> np.ndarray:
    r"""Stationary law :math:`\pi(x, y)` of a jointly Markov pair with ``transition[x, y, x2, y2]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`.

    Solves :math:`\pi P = \pi`, :math:`\sum \pi = 1`; raises ``ValueError`` naming ``transition`` if the
    stationary law is not unique.  Chapter 3.

    Parameters
    ----------
        transition : array_like, shape (kx, ky, kx, ky)
            ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`.

    Returns
    -------
        ndarray, shape (kx, ky)
            The stationary law :math:`\pi(x, y)`.

    Examples
    --------
    >>> markov_pair_stationary(bsc_feedback_pair(0.2, 0.1))
    array([[0.45, 0.05],
           [0.05, 0.45]])
    """
    P, kx, ky = pair_transition(transition)
    K = kx * ky
    A = P.T - np.eye(K)
    if np.linalg.matrix_rank(A, tol=1e-10) != K - 1:
        raise ValueError("transition must have a unique stationary law (an irreducible chain)")
    M = np.vstack([A, np.ones((1, K))])
    b = np.zeros(K + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(M, b, rcond=None)[0]
    pi = np.clip(pi, 0.0, None)
    pi /= pi.sum()
    return pi.reshape(kx, ky)


def bsc_feedback_pair(flip: float, crossover: float) -> np.ndarray:
    r"""A jointly Markov pair: a BSC used with noisy feedback, ``transition[x, y, x2, y2]``.

    :math:`X_t = Y_{t-1} \oplus U_t` with :math:`U_t \sim \mathrm{Bern}(a)` (``flip``) and
    :math:`Y_t = X_t \oplus Z_t` with :math:`Z_t \sim \mathrm{Bern}(\epsilon)` (``crossover``).  Both marginals are
    Markov chains with flip probability :math:`a \star \epsilon = a(1-\epsilon) + \epsilon(1-a)`, so the rates
    have closed forms: directed :math:`h(a\star\epsilon) - h(\epsilon)`, reverse :math:`h(a\star\epsilon) - h(a)`.
    Chapter 3.

    Parameters
    ----------
        flip : float
            Probability :math:`a \in [0, 1]` that the input flips the last output.
        crossover : float
            Crossover probability :math:`\epsilon \in [0, 1]` of the channel.

    Returns
    -------
        ndarray, shape (2, 2, 2, 2)
            ``transition[x, y, x2, y2]`` of the jointly Markov pair.
    """
    a = check_probability(flip, "flip")
    e = check_probability(crossover, "crossover")
    ux = np.array([[1 - a, a], [a, 1 - a]])  # [y_prev, x2]
    zy = np.array([[1 - e, e], [e, 1 - e]])  # [x2, y2]
    T = ux[:, :, None] * zy[None, :, :]  # [y_prev, x2, y2]
    return np.broadcast_to(T[None], (2, 2, 2, 2)).copy()


def markov_pair_law(transition: ArrayLike, n: int, initial: ArrayLike | None = None) -> np.ndarray:
    r"""Joint law of :math:`(X^n, Y^n)` for a jointly Markov pair, in the module's layout.

    ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)` and
    ``initial[x, y]`` is the law of :math:`(X_1, Y_1)` (default: the stationary law, so the pair is
    stationary).  As a policy/channel pair: :math:`P(x_t \mid x_{t-1}, y_{t-1})` (feedback whenever it
    depends on :math:`y_{t-1}`) and :math:`P(y_t \mid x_t, x_{t-1}, y_{t-1})`.  Chapters 3, 8.

    Parameters
    ----------
        transition : array_like, shape (kx, ky, kx, ky)
            ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)`.
        n : int
            Number of time steps, at least 1.
        initial : array_like, shape (kx, ky), optional
            The law of :math:`(X_1, Y_1)` (default: the stationary law).

    Returns
    -------
        ndarray, 2n axes
            The joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
    """
    P, kx, ky = pair_transition(transition)
    n = check_int(n, "n", minimum=1)
    if (kx * ky) ** n > MAX_CELLS:
        raise ValueError(f"n={n} is too large (more than {MAX_CELLS} cells)")
    init = markov_pair_stationary(transition) if initial is None else as_pmf(initial, "initial", ndim=2)
    if init.shape != (kx, ky):
        raise ValueError(f"initial must have shape ({kx}, {ky}), got {init.shape}")
    T = P.reshape(kx, ky, kx, ky)
    # w: interleaved axes (X1, Y1, X2, Y2, ...); last two are (X_t, Y_t)
    w = init
    for _ in range(2, n + 1):
        w = w[..., None, None] * T.reshape((1,) * (w.ndim - 2) + T.shape)
    order = [2 * i for i in range(n)] + [2 * i + 1 for i in range(n)]
    return np.ascontiguousarray(np.transpose(w, order))


def causal_kernels(p: ArrayLike) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Split a joint law into its policy and channel: ``(policy, channel)`` with ``joint_law(policy, channel) == p``.

    ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1}, y^{t-1})`, ``channel[t-1]`` :math:`= P(y_t \mid x^t, y^{t-1})`
    in the module's kernel layout.  Conditionals on zero-probability histories are set to the uniform
    law (any choice gives the same joint law).  Chapters 3, 7.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.

    Returns
    -------
        policy : list of ndarray
            ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1}, y^{t-1})`, axes :math:`(X^{t-1}, Y^{t-1}, X_t)`.
        channel : list of ndarray
            ``channel[t-1]`` :math:`= P(y_t \mid x^t, y^{t-1})`, axes :math:`(X^t, Y^{t-1}, Y_t)`.
    """
    p, n = as_joint_law(p)
    return causal_kernels_of(p, n)


def causal_conditioning(p: ArrayLike) -> np.ndarray:
    r"""Causally conditioned law :math:`P(y^n \| x^n) = \prod_{t=1}^n P(y_t \mid y^{t-1}, x^t)` from a joint law.

    Returns an array in the joint layout (axes :math:`X_1..X_n, Y_1..Y_n`); for each :math:`x^n` it is a
    pmf over :math:`y^n`.  Zero-probability histories use the uniform convention of
    :func:`causal_kernels`.  Chapters 3, 4, 5.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.

    Returns
    -------
        ndarray, 2n axes
            :math:`P(y^n \| x^n)` in the joint layout (a pmf over :math:`y^n` for each :math:`x^n`).
    """
    p, n = as_joint_law(p)
    _, ch = causal_kernels_of(p, n)
    out = np.ones(p.shape)
    for t in range(1, n + 1):
        out = out * expand_channel(ch[t - 1], t, n)
    return out


def reverse_causal_conditioning(p: ArrayLike) -> np.ndarray:
    r"""Delayed causally conditioned law :math:`P(x^n \| y^{n-1}) = \prod_{t=1}^n P(x_t \mid x^{t-1}, y^{t-1})`.

    The input (policy) side of the joint law: :math:`P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n)`.
    Array in the joint layout.  Chapters 3, 4.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.

    Returns
    -------
        ndarray, 2n axes
            :math:`P(x^n \| y^{n-1})` in the joint layout.
    """
    p, n = as_joint_law(p)
    pol, _ = causal_kernels_of(p, n)
    out = np.ones(p.shape)
    for t in range(1, n + 1):
        out = out * expand_policy(pol[t - 1], t, n)
    return out
