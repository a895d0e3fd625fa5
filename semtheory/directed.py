r"""Directed information and causal conditioning (chapter 3; used by chapters 4, 5, 7, 8 and 14).

Two processes :math:`X^n = (X_1,\dots,X_n)` (input, prompt, source) and :math:`Y^n` (output, generated
tokens) interact in the order :math:`X_1, Y_1, X_2, Y_2, \dots`: the input at time :math:`t` may depend on
past outputs (feedback), the output at time :math:`t` on the inputs up to :math:`t` and past outputs.

**Joint-law layout.**  A joint pmf of :math:`(X^n, Y^n)` is an ndarray with ``2n`` axes, one per variable,
ordered :math:`X_1, \dots, X_n, Y_1, \dots, Y_n`:

    ``p[x1, ..., xn, y1, ..., yn] = P(X^n = x^n, Y^n = y^n)``

so axis ``t-1`` is :math:`X_t` and axis ``n+t-1`` is :math:`Y_t` (see :func:`axis_names`, :func:`x_axes`,
:func:`y_axes`).  Alphabet sizes may differ between axes.

**Kernels.**  A *policy* (input law, encoder, source) and a *channel* are lists of ``n`` arrays, one per
time step, each a conditional pmf over its **last** axis, with the history axes first, in the joint
layout's order (all X's of the history, then all Y's):

* ``policy[t-1]`` has axes :math:`(X_1..X_{t-1}, Y_1..Y_{t-1}, X_t)` and holds
  :math:`P(x_t \mid x^{t-1}, y^{t-1})`;
* ``channel[t-1]`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds
  :math:`P(y_t \mid x^t, y^{t-1})`.

A history axis may have length 1 when the kernel ignores that variable (numpy broadcasting), e.g. a
policy without feedback keeps its Y axes of length 1.  Without feedback the policy ignores the past
outputs; with feedback it may use them.

**Units.**  Every measure takes ``base`` (2 = bits, the default; ``math.e`` = nats).  The directed
informations, causally conditioned entropies and the Amblard–Michel terms are differences of the entropies
of prefix marginals, computed here from one validation of the joint law (see
:func:`directed_information_terms`); the mutual information of the conservation law and the rates use
:mod:`semtheory.measures`.

Definitions (Marko 1973; Massey 1990; Kramer 1998; Massey & Massey 2005):

.. math::

    P(y^n \| x^n) = \prod_t P(y_t \mid y^{t-1}, x^t),\qquad
    P(x^n \| y^{n-1}) = \prod_t P(x_t \mid x^{t-1}, y^{t-1}),\qquad
    P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n),

.. math::

    I(X^n \to Y^n) = \sum_t I(X^t; Y_t \mid Y^{t-1}),\qquad
    I(0{*}Y^{n-1} \to X^n) = \sum_t I(Y^{t-1}; X_t \mid X^{t-1}),

and the conservation law :math:`I(X^n;Y^n) = I(X^n\to Y^n) + I(0{*}Y^{n-1}\to X^n)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
from scipy.special import logsumexp

from . import measures
from .core.law import (
    MAX_CELLS,
    as_joint_law,
    axis_names,
    check_kernel_shape,
    check_kernels,
    conditional,
    expand_channel,
    expand_policy,
    kernel_shape,
    num_steps,
    pair_transition,
    x_axes,
    y_axes,
)
from ._validate import (
    as_pmf,
    as_pmf_reduce,
    as_stochastic,
    check_int,
    check_positive,
    check_probability,
    log_base,
    sweep,
)

__all__ = [
    # layout
    "axis_names",
    "x_axes",
    "y_axes",
    "num_steps",
    # kernels and laws
    "joint_law",
    "iid_policy",
    "policy_from_source",
    "unit_memory_policy",
    "echo_policy",
    "fixed_prompt_policy",
    "sticky_channel",
    "memoryless_channel",
    "binary_symmetric_channel",
    "policy_from_function",
    "channel_from_function",
    "finite_state_channel",
    "trapdoor_channel",
    "bsc_feedback_pair",
    "markov_pair_law",
    "causal_kernels",
    "causal_conditioning",
    "reverse_causal_conditioning",
    # measures
    "causally_conditioned_entropy",
    "reverse_causally_conditioned_entropy",
    "directed_information",
    "directed_information_terms",
    "reverse_directed_information",
    "reverse_directed_information_terms",
    "sequence_mutual_information",
    "conservation",
    "directed_information_decomposition",
    "amblard_michel_terms",
    "directed_information_density",
    # rates and capacity
    "markov_pair_stationary",
    "markov_pair_rates",
    "directed_information_rate",
    "feedback_capacity",
    "nonfeedback_capacity",
    "Conservation",
    "DIDecomposition",
    "MarkovPairRates",
    "CapacityResult",
]

_MAX_CELLS = MAX_CELLS  # kept for the modules that still read directed.MAX_CELLS (use core.law.MAX_CELLS)


# ----------------------------------------------------------------------------------------------
# Kernels and joint laws
# ----------------------------------------------------------------------------------------------


def joint_law(policy, channel) -> np.ndarray:
    r"""Joint law :math:`P(x^n, y^n) = \prod_{t=1}^n P(x_t \mid x^{t-1}, y^{t-1})\,P(y_t \mid x^t, y^{t-1})`.

    ``policy`` and ``channel`` are lists of ``n`` per-step kernels in the layout of the module docstring
    (``policy[t-1]``: axes :math:`X^{t-1}, Y^{t-1}, X_t`; ``channel[t-1]``: axes :math:`X^t, Y^{t-1}, Y_t`;
    history axes of length 1 broadcast).  The result has axes :math:`X_1..X_n, Y_1..Y_n`.  With a policy
    that ignores past outputs the channel is used *without* feedback; otherwise *with* feedback.
    Vectorised: one broadcast product per step (``n = 8`` binary steps is a 65 536-cell array).
    Chapters 3, 4, 5.
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


def iid_policy(q, n) -> list[np.ndarray]:
    r"""Policy of i.i.d. inputs :math:`P(x_t \mid x^{t-1}, y^{t-1}) = q(x_t)` for ``n`` steps (no feedback).

    ``q`` is a pmf over the input alphabet.  History axes have length 1.  Chapters 3, 5.
    """
    q = as_pmf(q, "q", ndim=1)
    n = check_int(n, "n", minimum=1)
    return [q.reshape((1,) * (2 * (t - 1)) + (q.size,)) for t in range(1, n + 1)]


def policy_from_source(px) -> list[np.ndarray]:
    r"""The policy without feedback of a source law :math:`P(x^n)`: ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1})`.

    ``px`` is a pmf with one axis per input :math:`X_1..X_n`; the result's Y axes have length 1, so with any
    channel it gives the joint law of a source transmitted (or compressed) without feedback.  Conditionals
    on zero-probability prefixes are uniform.  Chapters 3, 5.
    """
    px = as_pmf(px, "px")
    if px.ndim == 0:
        raise ValueError("px must have one axis per time step, got a scalar")
    n = px.ndim
    out = []
    for t in range(1, n + 1):
        m = px.sum(axis=tuple(range(t, n))) if t < n else px
        k = conditional(m, t - 1, px.shape[t - 1])
        out.append(k.reshape(px.shape[: t - 1] + (1,) * (t - 1) + (px.shape[t - 1],)))
    return out


def unit_memory_policy(first, kernel, n) -> list[np.ndarray]:
    r"""Policy with one step of memory: :math:`P(x_1) = ` ``first``, :math:`P(x_t \mid x_{t-1}, y_{t-1}) = ` ``kernel``.

    ``kernel[x_prev, y_prev, x]`` (shape ``(|X|, |Y|, |X|)``; a ``|Y|`` axis of length 1, or equal rows
    across ``y_prev``, means no feedback).  With feedback the input reacts to the last output, e.g. an
    "echo" policy that repeats :math:`y_{t-1}`.  Chapter 3.
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


def echo_policy(repeat, n) -> list[np.ndarray]:
    r"""Binary feedback policy: :math:`X_1` is a fair bit; then :math:`X_t = Y_{t-1}` with probability ``repeat``, else a fresh fair bit.

    ``repeat = 0`` is i.i.d. uniform input (no feedback); ``repeat = 1`` is the pure echo
    :math:`X_t = Y_{t-1}`, whose inputs copy the outputs without carrying anything new through the
    channel.  A :func:`unit_memory_policy`.  Chapter 3.
    """
    lam = check_probability(repeat, "repeat")
    kernel = np.full((2, 2, 2), (1 - lam) / 2)
    kernel[:, 0, 0] += lam
    kernel[:, 1, 1] += lam
    return unit_memory_policy([0.5, 0.5], kernel, n)


def fixed_prompt_policy(q, n) -> list[np.ndarray]:
    r"""Policy of a prompt fixed before generation: :math:`X_1 \sim q`, then :math:`X_t = X_{t-1}` (= :math:`X_1`).

    The input process is the prompt, re-read at every step; it never looks at the outputs, so there is no
    feedback and :math:`I(X^n \to Y^n) = I(X^n; Y^n)` whatever the channel does with its own past outputs.
    ``q`` is a pmf over the input alphabet.  A :func:`unit_memory_policy`.  Chapter 3.
    """
    q = as_pmf(q, "q", ndim=1)
    n = check_int(n, "n", minimum=1)
    k = q.size
    kernel = np.broadcast_to(np.eye(k)[:, None, :], (k, 1, k))
    return unit_memory_policy(q, kernel, n)


def sticky_channel(stick, crossover, n) -> list[np.ndarray]:
    r"""A binary channel that reads its own last output: a model of an autoregressive generator's state.

    .. math:: P(y_t \mid x^t, y^{t-1}) = \rho\,\ind[y_t = y_{t-1}] + (1-\rho)\,W_\epsilon(y_t \mid x_t)
              \quad (t \ge 2), \qquad P(y_1 \mid x_1) = W_\epsilon(y_1 \mid x_1),

    with :math:`\rho` = ``stick`` and :math:`W_\epsilon` the binary symmetric channel of crossover
    :math:`\epsilon` = ``crossover``.  The channel has memory (its state is its last output) but that is not
    feedback: feedback is an *input* that depends on past outputs.  Chapter 3.
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


def memoryless_channel(W, n) -> list[np.ndarray]:
    r"""A memoryless channel :math:`P(y_t \mid x^t, y^{t-1}) = W(y_t \mid x_t)` used ``n`` times.

    ``W[x, y]`` is a row-stochastic matrix.  Chapters 3, 4.
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


def binary_symmetric_channel(crossover) -> np.ndarray:
    r"""Transition matrix of the binary symmetric channel, :math:`W(y \mid x) = 1-\epsilon` if :math:`y = x` else :math:`\epsilon`.

    Capacity :math:`1 - h(\epsilon)` bits per use.  Chapters 2, 3.
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


def policy_from_function(fn: Callable, n, x_card, y_card) -> list[np.ndarray]:
    r"""Build a policy from a vectorised function ``fn(t, x_hist, y_hist)`` returning :math:`P(x_t \mid x^{t-1}, y^{t-1})`.

    At step ``t`` (1-based) ``fn`` receives every history at once: ``x_hist`` of shape ``(H, t-1)`` and
    ``y_hist`` of shape ``(H, t-1)`` (integer symbols) and returns an ``(H, x_card)`` array of pmfs.
    Use it for feedback encoders and for token-level policies.  Chapters 3, 4.
    """
    return _kernels_from_function(fn, n, x_card, y_card, "policy")


def channel_from_function(fn: Callable, n, x_card, y_card) -> list[np.ndarray]:
    r"""Build a channel from a vectorised function ``fn(t, x_hist, y_hist)`` returning :math:`P(y_t \mid x^t, y^{t-1})`.

    At step ``t`` ``fn`` receives ``x_hist`` of shape ``(H, t)`` (inputs up to and including time ``t``)
    and ``y_hist`` of shape ``(H, t-1)`` and returns an ``(H, y_card)`` array of pmfs.  Chapters 3, 4.
    """
    return _kernels_from_function(fn, n, x_card, y_card, "channel")


def finite_state_channel(transition, n, initial_state=0) -> list[np.ndarray]:
    r"""Channel kernels of a finite-state channel with hidden state, used for ``n`` steps.

    ``transition[s, x, y, s2]`` :math:`= P(Y_t = y, S_t = s_2 \mid X_t = x, S_{t-1} = s)`; ``initial_state`` is
    an int (a known :math:`s_0`) or a pmf over states.  The state is not observed; the kernels are

    .. math:: P(y_t \mid x^t, y^{t-1}) = \sum_{s_{t-1}} P(s_{t-1} \mid x^{t-1}, y^{t-1})\,P(y_t \mid x_t, s_{t-1}),

    computed by a forward recursion on :math:`P(y^t, s_t \| x^t)` (vectorised over all histories).
    Histories of zero probability get the uniform output law (they never matter).  Chapters 3, 4, 15.
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
    """
    T = np.zeros((2, 2, 2, 2))
    for s in range(2):
        for x in range(2):
            for y in (s, x):
                T[s, x, y, s ^ x ^ y] += 0.5
    return T


def markov_pair_stationary(transition) -> np.ndarray:
    r"""Stationary law :math:`\pi(x, y)` of a jointly Markov pair with ``transition[x, y, x2, y2]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`.

    Solves :math:`\pi P = \pi`, :math:`\sum \pi = 1`; raises ``ValueError`` naming ``transition`` if the
    stationary law is not unique.  Chapter 3.
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


def bsc_feedback_pair(flip, crossover) -> np.ndarray:
    r"""A jointly Markov pair: a BSC used with noisy feedback, ``transition[x, y, x2, y2]``.

    :math:`X_t = Y_{t-1} \oplus U_t` with :math:`U_t \sim \mathrm{Bern}(a)` (``flip``) and
    :math:`Y_t = X_t \oplus Z_t` with :math:`Z_t \sim \mathrm{Bern}(\epsilon)` (``crossover``).  Both marginals are
    Markov chains with flip probability :math:`a \star \epsilon = a(1-\epsilon) + \epsilon(1-a)`, so the rates
    have closed forms: directed :math:`h(a\star\epsilon) - h(\epsilon)`, reverse :math:`h(a\star\epsilon) - h(a)`.
    Chapter 3.
    """
    a = check_probability(flip, "flip")
    e = check_probability(crossover, "crossover")
    ux = np.array([[1 - a, a], [a, 1 - a]])  # [y_prev, x2]
    zy = np.array([[1 - e, e], [e, 1 - e]])  # [x2, y2]
    T = ux[:, :, None] * zy[None, :, :]  # [y_prev, x2, y2]
    return np.broadcast_to(T[None], (2, 2, 2, 2)).copy()


def markov_pair_law(transition, n, initial=None) -> np.ndarray:
    r"""Joint law of :math:`(X^n, Y^n)` for a jointly Markov pair, in the module's layout.

    ``transition[x, y, x2, y2]`` :math:`= P(X_t = x_2, Y_t = y_2 \mid X_{t-1} = x, Y_{t-1} = y)` and
    ``initial[x, y]`` is the law of :math:`(X_1, Y_1)` (default: the stationary law, so the pair is
    stationary).  As a policy/channel pair: :math:`P(x_t \mid x_{t-1}, y_{t-1})` (feedback whenever it
    depends on :math:`y_{t-1}`) and :math:`P(y_t \mid x_t, x_{t-1}, y_{t-1})`.  Chapters 3, 8.
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


def causal_kernels(p) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Split a joint law into its policy and channel: ``(policy, channel)`` with ``joint_law(policy, channel) == p``.

    ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1}, y^{t-1})`, ``channel[t-1]`` :math:`= P(y_t \mid x^t, y^{t-1})`
    in the module's kernel layout.  Conditionals on zero-probability histories are set to the uniform
    law (any choice gives the same joint law).  Chapters 3, 7.
    """
    p, n = as_joint_law(p)
    return _causal_kernels(p, n)


def _causal_kernels(p: np.ndarray, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
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


def causal_conditioning(p) -> np.ndarray:
    r"""Causally conditioned law :math:`P(y^n \| x^n) = \prod_{t=1}^n P(y_t \mid y^{t-1}, x^t)` from a joint law.

    Returns an array in the joint layout (axes :math:`X_1..X_n, Y_1..Y_n`); for each :math:`x^n` it is a
    pmf over :math:`y^n`.  Zero-probability histories use the uniform convention of
    :func:`causal_kernels`.  Chapters 3, 4, 5.
    """
    p, n = as_joint_law(p)
    _, ch = _causal_kernels(p, n)
    out = np.ones(p.shape)
    for t in range(1, n + 1):
        out = out * expand_channel(ch[t - 1], t, n)
    return out


def reverse_causal_conditioning(p) -> np.ndarray:
    r"""Delayed causally conditioned law :math:`P(x^n \| y^{n-1}) = \prod_{t=1}^n P(x_t \mid x^{t-1}, y^{t-1})`.

    The input (policy) side of the joint law: :math:`P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n)`.
    Array in the joint layout.  Chapters 3, 4.
    """
    p, n = as_joint_law(p)
    pol, _ = _causal_kernels(p, n)
    out = np.ones(p.shape)
    for t in range(1, n + 1):
        out = out * expand_policy(pol[t - 1], t, n)
    return out


# ----------------------------------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------------------------------


def causally_conditioned_entropy(p, base=2) -> float:
    r"""Causally conditioned entropy :math:`H(Y^n \| X^n) = \sum_{t=1}^n H(Y_t \mid Y^{t-1}, X^t) = E[-\log P(Y^n \| X^n)]`.

    ``p`` is a joint law in the module's layout.  Computed as
    :math:`\sum_t [H(X^t, Y^t) - H(X^t, Y^{t-1})]` from the prefix entropies of ``p`` (validated once; see
    :func:`directed_information_terms`).  Units of ``base`` (bits by default).  Chapters 3, 5.
    """
    lb = log_base(base)
    pr = _profile_of(p)
    return max(float(np.sum(pr.xy[1:] - pr.xy_[1:])), 0.0) / lb


def reverse_causally_conditioned_entropy(p, base=2) -> float:
    r"""Delayed causally conditioned entropy :math:`H(X^n \| Y^{n-1}) = \sum_{t=1}^n H(X_t \mid X^{t-1}, Y^{t-1})`.

    Chain rule: :math:`H(X^n, Y^n) = H(Y^n \| X^n) + H(X^n \| Y^{n-1})`.  Computed as
    :math:`\sum_t [H(X^t, Y^{t-1}) - H(X^{t-1}, Y^{t-1})]` from the prefix entropies.  Units of ``base``.
    Chapter 3.
    """
    lb = log_base(base)
    pr = _profile_of(p)
    return max(float(np.sum(pr.xy_[1:] - pr.xy[:-1])), 0.0) / lb


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


def _joint_h(p, name: str = "p") -> tuple[np.ndarray, int, float]:
    """``(p, n, H(p) in nats)``: the joint law validated and its entropy summed in the same sweep."""
    arr, h = as_pmf_reduce(p, _neg_xlogx_block, name)
    if arr.ndim == 0 or arr.ndim % 2:
        raise ValueError(
            f"{name} must have 2n axes ordered X1..Xn, Y1..Yn (one per variable), got shape {arr.shape}"
        )
    return arr, arr.ndim // 2, max(h, 0.0)


class _Profile(NamedTuple):
    """Joint entropies (nats) of the prefixes of a joint law, index ``t = 0..n`` (entry 0 is 0)."""

    xy: np.ndarray  # H(X^t, Y^t)
    xy_: np.ndarray  # H(X^t, Y^{t-1})  (entry 0 unused)
    y: np.ndarray  # H(Y^t)
    x: np.ndarray  # H(X^t)
    x_y: np.ndarray | None  # H(X^{t-1}, Y^t)  (entry 0 unused; only when asked for)


def _entropy_profile(p: np.ndarray, n: int, h_full: float | None = None, split: bool = False) -> _Profile:
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
    return _Profile(xy, xy_, hy, hx, x_y)


def _profile_of(p, split: bool = False) -> _Profile:
    """Validate ``p`` once (fused with the entropy of the whole law) and return its prefix entropies."""
    arr, n, h = _joint_h(p)
    return _entropy_profile(arr, n, h, split)


def _clip(terms: np.ndarray, scale: float) -> np.ndarray:
    """Clip the round-off of differences of entropies (quantities >= 0 in exact arithmetic)."""
    eps = 1e-12 * max(1.0, scale)
    return np.where((terms < 0) & (terms > -eps), 0.0, terms)


def _di_terms(pr: _Profile) -> np.ndarray:
    """:math:`I(X^t; Y_t \\mid Y^{t-1})` (nats) from a profile."""
    return _clip(pr.xy_[1:] - pr.xy[1:] + pr.y[1:] - pr.y[:-1], float(pr.xy[-1]))


def _rdi_terms(pr: _Profile) -> np.ndarray:
    """:math:`I(Y^{t-1}; X_t \\mid X^{t-1})` (nats) from a profile; the first term is 0."""
    n = pr.xy.size - 1
    terms = np.zeros(n)
    terms[1:] = pr.x[2:] - pr.x[1:-1] - pr.xy_[2:] + pr.xy[1:-1]
    return _clip(terms, float(pr.xy[-1]))


def directed_information_terms(p, base=2) -> np.ndarray:
    r"""Per-step terms :math:`I(X^t; Y_t \mid Y^{t-1})`, :math:`t = 1..n`, of Massey's directed information.

    Computed as :math:`H(X^t, Y^{t-1}) - H(X^t, Y^t) + H(Y^t) - H(Y^{t-1})` from the entropies of the
    prefixes of ``p``: the joint law is validated once, in the same sweep that sums the entropy of the whole
    law; each prefix marginal is formed once, and only :math:`-q \ln q` of single masses is summed (in the
    log domain, no ratio or product of two small marginals, so laws with subnormal masses give finite
    values).  A ``2^22``-cell law costs about two passes of logarithms.  Their sum is
    :func:`directed_information`; their running sum is the expected cumulative information flow of
    chapter 7.  Units of ``base``.  Chapters 3, 7.
    """
    lb = log_base(base)
    return _di_terms(_profile_of(p)) / lb


def directed_information(p, base=2) -> float:
    r"""Massey's directed information :math:`I(X^n \to Y^n) = \sum_{t=1}^n I(X^t; Y_t \mid Y^{t-1}) = H(Y^n) - H(Y^n \| X^n)`.

    ``p`` is a joint law with axes :math:`X_1..X_n, Y_1..Y_n`.  Non-negative, at most
    :math:`I(X^n; Y^n)`, with equality when there is no feedback.  Computed from prefix entropies as in
    :func:`directed_information_terms`.  Units of ``base`` (bits by default).  Chapters 3, 4, 5, 7, 8, 14.
    """
    return float(directed_information_terms(p, base).sum())


def reverse_directed_information_terms(p, base=2) -> np.ndarray:
    r"""Per-step terms :math:`I(Y^{t-1}; X_t \mid X^{t-1})`, :math:`t = 1..n` (the first is 0), of the reverse DI.

    Computed as :math:`H(X^t) - H(X^{t-1}) - H(X^t, Y^{t-1}) + H(X^{t-1}, Y^{t-1})` from the prefix
    entropies, like :func:`directed_information_terms`.  Units of ``base``.  Chapter 3.
    """
    lb = log_base(base)
    return _rdi_terms(_profile_of(p)) / lb


def reverse_directed_information(p, base=2) -> float:
    r"""Delayed reverse directed information :math:`I(0{*}Y^{n-1} \to X^n) = \sum_{t=1}^n I(Y^{t-1}; X_t \mid X^{t-1})`.

    The information the past outputs carry into the inputs (the feedback); zero iff the policy ignores
    past outputs.  Equals :math:`H(X^n) - H(X^n \| Y^{n-1})`.  Units of ``base``.  Chapters 3, 4.
    """
    return float(reverse_directed_information_terms(p, base).sum())


def sequence_mutual_information(p, base=2) -> float:
    r"""Mutual information :math:`I(X^n; Y^n)` between the whole sequences of a joint law in the module's layout.

    A thin wrapper of :func:`semtheory.measures.mutual_information` over the X and Y axes.  Units of
    ``base``.  Chapter 3.
    """
    p, n = as_joint_law(p)
    return measures.mutual_information(p, x_axes(n), y_axes(n), base)


class Conservation(NamedTuple):
    """The three terms of the conservation law and the residual ``mutual - directed - reverse``."""

    mutual: float
    directed: float
    reverse: float
    residual: float


def conservation(p, base=2) -> Conservation:
    r"""Massey & Massey's conservation law :math:`I(X^n; Y^n) = I(X^n \to Y^n) + I(0{*}Y^{n-1} \to X^n)`.

    Returns ``Conservation(mutual, directed, reverse, residual)`` with ``residual`` = mutual - directed -
    reverse (zero up to round-off).  The mutual information is the ratio form over the whole law
    (:func:`semtheory.measures.mutual_information`), an independent route; both directed terms come from
    one profile of prefix entropies.  Units of ``base``.  Chapter 3.
    """
    lb = log_base(base)
    arr, n, h = _joint_h(p)
    mi = measures.mutual_information(arr, x_axes(n), y_axes(n), base)
    pr = _entropy_profile(arr, n, h)
    di = float(_di_terms(pr).sum()) / lb
    rdi = float(_rdi_terms(pr).sum()) / lb
    return Conservation(mi, di, rdi, mi - di - rdi)


class DIDecomposition(NamedTuple):
    """Directed information split into its transfer-entropy (Granger) and instantaneous parts."""

    transfer: float
    instantaneous: float


def amblard_michel_terms(p, base=2) -> tuple[np.ndarray, np.ndarray]:
    r"""The per-step terms of the Amblard–Michel split of :math:`I(X^n \to Y^n)`, as two arrays of length n.

    .. math:: T_t = I(X^{t-1}; Y_t \mid Y^{t-1}), \qquad J_t = I(X_t; Y_t \mid X^{t-1}, Y^{t-1}),

    with :math:`T_1 = 0`; :math:`\sum_t (T_t + J_t) = I(X^n \to Y^n)` by the chain rule of conditional
    mutual information.  Computed from prefix entropies of the exact joint ``p`` (axes
    :math:`X_1..X_n, Y_1..Y_n`, validated once):
    :math:`T_t = H(X^{t-1}, Y^{t-1}) - H(X^{t-1}, Y^t) + H(Y^t) - H(Y^{t-1})` and
    :math:`J_t = H(X^t, Y^{t-1}) + H(X^{t-1}, Y^t) - H(X^t, Y^t) - H(X^{t-1}, Y^{t-1})`.
    Units of ``base``.  Chapters 3, 8.
    """
    lb = log_base(base)
    pr = _profile_of(p, split=True)
    n, scale = pr.xy.size - 1, float(pr.xy[-1])
    transfer = np.zeros(n)
    transfer[1:] = pr.xy[1:-1] - pr.x_y[2:] + pr.y[2:] - pr.y[1:-1]
    inst = pr.xy_[1:] + pr.x_y[1:] - pr.xy[1:] - pr.xy[:-1]
    inst[0] = pr.xy_[1] + pr.y[1] - pr.xy[1]  # J_1 = I(X_1; Y_1): H(X^0, Y^1) = H(Y_1)
    return _clip(transfer, scale) / lb, _clip(inst, scale) / lb


def directed_information_decomposition(p, base=2) -> DIDecomposition:
    r"""Split :math:`I(X^n \to Y^n)` into a transfer part and an instantaneous part (Amblard & Michel 2011).

    .. math:: I(X^n \to Y^n) = \sum_t I(X^{t-1}; Y_t \mid Y^{t-1}) + \sum_t I(X_t; Y_t \mid X^{t-1}, Y^{t-1}).

    The first sum is the (sequence) transfer entropy, the Granger part; the second the instantaneous
    coupling (the sums of :func:`amblard_michel_terms`).  Units of ``base``.  Chapters 3, 8.
    """
    transfer, inst = amblard_michel_terms(p, base)
    return DIDecomposition(float(transfer.sum()), float(inst.sum()))


def directed_information_density(p, base=2) -> np.ndarray:
    r"""Per-step information densities :math:`\iota_t = \log \frac{P(y_t \mid y^{t-1}, x^t)}{P(y_t \mid y^{t-1})}`.

    Returns an array of shape ``p.shape + (n,)``; entry ``[..., t-1]`` is :math:`\iota_t(x^n, y^n)`
    (0 on outcomes of zero probability).  :math:`E[\iota_t] = I(X^t; Y_t \mid Y^{t-1})`, so
    :math:`E[\sum_t \iota_t] = I(X^n \to Y^n)`.  Units of ``base``.  Chapters 3, 7.
    """
    lb = log_base(base)
    p, n = as_joint_law(p)
    _, ch = _causal_kernels(p, n)
    out = np.zeros(p.shape + (n,))
    for t in range(1, n + 1):
        # P(y_t | y^{t-1}) from the marginal over Y^t
        drop = tuple(range(n)) + tuple(range(n + t, 2 * n))
        my = p.sum(axis=drop)
        py = conditional(my, -1, p.shape[n + t - 1])
        num = np.broadcast_to(expand_channel(ch[t - 1], t, n), p.shape)
        den = np.broadcast_to(py.reshape((1,) * n + py.shape + (1,) * (n - t)), p.shape)
        pos = p > 0  # there both conditionals are > 0: a difference of logs, no ratio of small numbers
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., t - 1] = np.where(pos, np.log(np.where(pos, num, 1.0)) - np.log(np.where(pos, den, 1.0)), 0.0) / lb
    return out


# ----------------------------------------------------------------------------------------------
# Rates of stationary Markov pairs
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkovPairRates:
    r"""Information rates of a stationary jointly Markov pair (units of the ``base`` asked for).

    ``directed`` = :math:`\lim \frac1n I(X^n\to Y^n)`, ``reverse`` = :math:`\lim \frac1n I(0{*}Y^{n-1}\to X^n)`,
    ``mutual`` = :math:`\lim \frac1n I(X^n;Y^n)`; ``entropy_x``, ``entropy_y``, ``entropy_xy`` are the
    entropy rates; ``error`` bounds the absolute error of every field (from the sandwich bounds on the
    hidden-Markov entropy rates of X and Y); ``order`` is the block length at which the bounds met.
    """

    directed: float
    reverse: float
    mutual: float
    entropy_x: float
    entropy_y: float
    entropy_xy: float
    error: float
    order: int


def _hidden_entropy_rate(P: np.ndarray, pi: np.ndarray, obs: np.ndarray, m: int, tol: float, max_order: int):
    """Entropy rate (nats) of Y_t = obs[S_t] for a stationary chain: sandwich bounds (Cover & Thomas, Sec. 4.5).

    Upper H(Y_k | Y^{k-1}) (decreasing), lower H(Y_k | Y^{k-1}, S_1) (increasing).  Returns (mid, half_width, k).
    """
    K = P.shape[0]
    E = np.zeros((K, m))
    E[np.arange(K), obs] = 1.0
    # beta[s1, y^k, s_k] = P(Y^k = y^k, S_k = s_k | S_1 = s1)
    beta = (np.eye(K)[:, :, None] * E[None, :, :]).transpose(0, 2, 1)  # (s1, y1, s1')
    prev_u = prev_l = 0.0
    hu_prev = hl_prev = 0.0
    lo, hi = -math.inf, math.inf
    k = 1
    while True:
        py = np.einsum("a,ays->y", pi, beta)  # P(y^k)
        hu = measures.entropy(py / py.sum(), base=math.e)
        joint = pi[:, None] * beta.sum(axis=2)  # P(s1, y^k)
        hl = measures.conditional_entropy(joint / joint.sum(), 1, 0, base=math.e)
        u, l = hu - hu_prev, hl - hl_prev
        hi, lo = min(hi, u), max(lo, l)
        hu_prev, hl_prev = hu, hl
        if k >= 2 and (hi - lo) <= tol:
            break
        if k >= max_order or beta.size * m > MAX_CELLS:
            break
        nxt = beta @ P  # (s1, y^k, s_{k+1})
        beta = (nxt[:, :, None, :] * E.T[None, None, :, :]).reshape(K, -1, K)
        k += 1
    lo = min(lo, hi)
    return 0.5 * (hi + lo), 0.5 * (hi - lo), k


def markov_pair_rates(transition, base=2, *, tol=1e-10, max_order=20) -> MarkovPairRates:
    r"""Exact information rates of a stationary jointly Markov pair :math:`(X_t, Y_t)`.

    ``transition[x, y, x2, y2]`` :math:`= P(x_t, y_t \mid x_{t-1}, y_{t-1})`, started from its stationary law.

    .. math::

        \lim_n \tfrac1n I(X^n \to Y^n) = \bar H(\mathcal Y) - H(Y_t \mid X_t, X_{t-1}, Y_{t-1}),\qquad
        \lim_n \tfrac1n I(0{*}Y^{n-1} \to X^n) = \bar H(\mathcal X) - H(X_t \mid X_{t-1}, Y_{t-1}),

    because :math:`P(y_t \mid x^t, y^{t-1})` and :math:`P(x_t \mid x^{t-1}, y^{t-1})` depend only on the last
    step.  The conditional entropies are exact single-letter quantities of the stationary law.  The
    entropy rates :math:`\bar H` of the marginal processes (hidden Markov in general) are pinned between
    :math:`H(Y_k \mid Y^{k-1}, S_1) \le \bar H \le H(Y_k \mid Y^{k-1})` (Cover & Thomas, Sec. 4.5), computed
    exactly by enumerating output blocks (cost :math:`|\mathcal Y|^k`); blocks grow until the bounds meet
    within ``tol`` (nats) or ``max_order`` is reached, and ``error`` reports the remaining half-width.  When a
    marginal is itself Markov the bounds meet at once.  Units of ``base``.  Chapters 3, 8.
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_order = check_int(max_order, "max_order", minimum=2, maximum=40)
    P, kx, ky = pair_transition(transition)
    pi = markov_pair_stationary(transition)
    J = pi[:, :, None, None] * P.reshape(kx, ky, kx, ky)  # (X_{t-1}, Y_{t-1}, X_t, Y_t)
    J = J / J.sum()
    h_xy = measures.conditional_entropy(J, (2, 3), (0, 1), base=math.e)
    h_y_given = measures.conditional_entropy(J, 3, (0, 1, 2), base=math.e)
    h_x_given = measures.conditional_entropy(J, 2, (0, 1), base=math.e)
    states = np.indices((kx, ky)).reshape(2, -1)
    flat_pi = pi.ravel()
    hy, ey, ky_ord = _hidden_entropy_rate(P, flat_pi, states[1], ky, tol, max_order)
    hx, ex, kx_ord = _hidden_entropy_rate(P, flat_pi, states[0], kx, tol, max_order)
    err = ex + ey
    return MarkovPairRates(
        directed=(hy - h_y_given) / lb,
        reverse=(hx - h_x_given) / lb,
        mutual=(hx + hy - h_xy) / lb,
        entropy_x=hx / lb,
        entropy_y=hy / lb,
        entropy_xy=h_xy / lb,
        error=err / lb,
        order=max(kx_ord, ky_ord),
    )


def directed_information_rate(transition, base=2, *, tol=1e-10, max_order=20) -> float:
    r"""Directed-information rate :math:`\lim_n \frac1n I(X^n \to Y^n)` of a stationary jointly Markov pair.

    Shorthand for ``markov_pair_rates(transition, base, tol=tol, max_order=max_order).directed``; see
    :func:`markov_pair_rates` for the formula and the error bound.  Units of ``base``.  Chapters 3, 8.
    """
    return markov_pair_rates(transition, base, tol=tol, max_order=max_order).directed


# ----------------------------------------------------------------------------------------------
# Capacity with and without feedback (n-letter, exact by alternating maximisation)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityResult:
    r"""Result of an n-letter capacity computation (units of the ``base`` asked for).

    ``rate`` = :math:`\frac1n I` achieved by ``policy`` (a certified lower bound on the n-letter capacity),
    ``upper`` a certified upper bound (per use); ``total`` = ``n * rate``; ``policy`` the optimising input
    policy (list of kernels; without feedback its Y axes have length 1); ``iterations`` used;
    ``converged`` whether ``upper - rate <= tol``.
    """

    rate: float
    upper: float
    n: int
    policy: list
    iterations: int
    converged: bool

    @property
    def total(self) -> float:
        """n-letter value :math:`\\max I` (not divided by n)."""
        return self.rate * self.n


class _Tree(NamedTuple):
    """The histories a channel can produce, level by level (``t = 1..n``), for the directed BA.

    A level-``t`` node is a history :math:`(x^t, y^t)` with :math:`P(y^t \\| x^t) > 0`; a *half node* of
    level ``t`` is a pair (level-``t-1`` node, :math:`x_t`), index ``node * |X_t| + x_t``, every input
    allowed.  ``hpar[t-1]`` is the half node of each level-``t`` node, ``ch``/``logch`` its channel factor
    :math:`P(y_t \\mid x^t, y^{t-1}) > 0`, ``xi``/``yi`` the flat indices of its :math:`x^t` and
    :math:`y^t`.  The leaves are sorted by :math:`y^n`; ``starts`` marks where each output sequence's
    leaves begin and ``gid`` numbers them, ``lw`` is :math:`\\log P(y^n \\| x^n)` at each leaf.
    """

    hpar: list
    ch: list
    logch: list
    xi: list
    yi: list
    sizes: list  # number of nodes per level, entry 0 = 1 (the empty history)
    lw: np.ndarray
    starts: np.ndarray
    gid: np.ndarray


def _channel_tree(full: list, n: int, xc: list, yc: list) -> _Tree:
    """Enumerate the histories of positive channel probability (cost: their number, not the full table)."""
    xi, yi, lw = np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1)
    H, C, LC, XI, YI, sizes = [], [], [], [xi], [yi], [1]
    for t in range(1, n + 1):
        X, Y, PY = xc[t - 1], yc[t - 1], math.prod(yc[: t - 1])
        hx = (xi[:, None] * X + np.arange(X)).ravel()  # x^t of each half node
        hy = np.repeat(yi, X)  # y^{t-1} of each half node
        k = np.ascontiguousarray(full[t - 1]).reshape(-1, Y)  # rows (x^t, y^{t-1}), C order
        vals = k[hx * PY + hy]  # (half nodes, Y_t)
        h, y = np.nonzero(vals > 0)  # children grouped by their half node
        c = vals[h, y]
        lc = np.log(c)
        lw = lw[h // X] + lc
        xi, yi = hx[h], hy[h] * Y + y
        H.append(h), C.append(c), LC.append(lc), XI.append(xi), YI.append(yi), sizes.append(h.size)
    order = np.argsort(YI[-1], kind="stable")  # leaves grouped by output sequence
    for lst in (H, C, LC, XI, YI):
        lst[-1] = lst[-1][order]
    lw = lw[order]
    ys = YI[-1]
    starts = np.flatnonzero(np.r_[True, ys[1:] != ys[:-1]])
    gid = np.cumsum(np.r_[False, ys[1:] != ys[:-1]])
    return _Tree(H, C, LC, XI, YI, sizes, lw, starts, gid)


def _rows_max(a: np.ndarray) -> np.ndarray:
    """Max of each row of a 2-D array with few columns (a loop over the columns: no short-axis reduce)."""
    m = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(m, a[:, j], out=m)
    return m


def _rows_lse(a: np.ndarray) -> np.ndarray:
    """log-sum-exp of each row of a finite 2-D array with few columns, shifted by the row max."""
    m = _rows_max(a)
    s = np.exp(a[:, 0] - m)
    for j in range(1, a.shape[1]):
        s += np.exp(a[:, j] - m)
    return m + np.log(s)


_STORE_BYTES = 1 << 27  # memory for the policies kept for the Richardson step of feedback_capacity


class _FBState(NamedTuple):
    logpol: list  # log r_t(x_t | x^{t-1}, y^{t-1}), shape (nodes of level t-1, |X_t|)
    logP: np.ndarray  # log P(x^n, y^n) at the leaves
    logPY: np.ndarray  # log P(y^n), one entry per output sequence
    lower: float  # I(X^n -> Y^n) of the policy, nats


def _channel_kernels(channel) -> tuple[list[np.ndarray], int, list[int], list[int]]:
    """Validated channel kernels broadcast to their full shapes ``(X^t, Y^t)`` (views), with n and the alphabets."""
    ch = check_kernels(channel, "channel")
    n = len(ch)
    yc = [k.shape[-1] for k in ch]
    xc = [ch[t - 1].shape[t - 1] for t in range(1, n + 1)]
    for t in range(1, n + 1):
        # history axis cards must be consistent with x/y alphabets (broadcast allowed)
        check_kernel_shape(ch[t - 1], kernel_shape("channel", t, xc, yc), f"channel[{t - 1}]")
        if ch[t - 1].shape[t - 1] != xc[t - 1]:
            raise ValueError(f"channel[{t - 1}] must spell out the X_{t} axis (input alphabet)")
    if math.prod(xc) * math.prod(yc) > MAX_CELLS:
        raise ValueError(f"channel too large: more than {MAX_CELLS} cells")
    full = [np.broadcast_to(ch[t - 1], tuple(xc[:t]) + tuple(yc[:t])) for t in range(1, n + 1)]
    return full, n, xc, yc


def _channel_law(channel) -> tuple[list[np.ndarray], np.ndarray, int, list[int], list[int]]:
    full, n, xc, yc = _channel_kernels(channel)
    W = np.ones(())
    for t in range(1, n + 1):
        W = W * expand_channel(full[t - 1], t, n)
    W = np.broadcast_to(W, tuple(xc) + tuple(yc))
    return full, np.ascontiguousarray(W), n, xc, yc


def feedback_capacity(channel, base=2, *, tol=1e-7, max_iter=20000) -> CapacityResult:
    r"""n-letter feedback capacity :math:`C^{\mathrm{FB}}_n = \frac1n \max_{P(x^n \| y^{n-1})} I(X^n \to Y^n)`.

    ``channel`` is a list of ``n`` channel kernels (:func:`memoryless_channel`, :func:`finite_state_channel`,
    :func:`channel_from_function`).  The maximum over causally conditioned input laws is computed by the
    directed Blahut–Arimoto algorithm of Naiss & Permuter (2013): alternately set
    :math:`q(x^n \mid y^n)` to the posterior of the current law and update the policy by a backward
    (soft dynamic-programming) recursion

    .. math:: r_t(x_t \mid x^{t-1}, y^{t-1}) \propto \exp Q_t,\quad
              Q_t = \sum_{y_t} P(y_t \mid x^t, y^{t-1}) V_{t+1},\quad V_t = \log \sum_{x_t} e^{Q_t},\quad
              V_{n+1} = \log q(x^n \mid y^n).

    **Where it runs.**  Only the histories the channel can produce, :math:`P(y^t \| x^t) > 0`, are
    visited: they are enumerated once as a tree (one level per time step; a level-``t`` node has one child
    per input and per output of positive probability), and every pass of the algorithm is a gather or a
    ``bincount`` over one level.  The policy on the other histories cannot change the joint law; it is
    returned uniform.  The trapdoor channel has :math:`3^n` such histories among :math:`4^n` cells.

    **Log domain.**  Everything is carried as logarithms (log-policy, log joint law, log output law by a
    log-sum-exp per output sequence), so policies whose entries decay towards zero never underflow and no
    product of two small masses is formed.  Each step cannot decrease the directed information.  Entries
    that should vanish decay only geometrically under this update, so each step is followed by a
    safeguarded over-relaxation in the log domain,
    :math:`\log r \leftarrow \log r + \omega(\log r_{\mathrm{BA}} - \log r)` renormalised, kept only when
    it beats the current law (:math:`\omega` doubles on success and halves on failure).  At a degenerate
    optimum (the trapdoor channel from :math:`n = 5` on) the entries that should vanish decay only like
    :math:`1/k`, so every fourth step also tries the Richardson extrapolation of the policy,
    :math:`(k\,r^{(k)} - j\,r^{(j)})/(k - j)` with :math:`j \approx k/2` (clipped at :math:`10^{-300}`,
    renormalised), kept only if it raises the directed information.  None of this affects what is
    certified: the lower end is the directed information of the returned policy, whatever produced it.

    **Certificate.**  For every law :math:`Q` on :math:`y^n` let
    :math:`U(Q) = \max_{r} E_r[\log P(Y^n\|X^n)/Q(Y^n)]`, the maximum over all causally conditioned input
    laws, computed exactly by the hard backward recursion :math:`V_t = \max_{x_t}\sum_{y_t}
    P(y_t\mid x^t,y^{t-1})V_{t+1}`, :math:`V_{n+1} = \log P(y^n\|x^n) - \log Q(y^n)`.  Then
    :math:`n C^{\mathrm{FB}}_n \le U(Q)`.  *Proof.*  Let :math:`r^*` attain the maximum and :math:`P^*_Y` be
    its output law.  Since :math:`P(x^n, y^n) = r^*(x^n\|y^{n-1}) P(y^n\|x^n)`, the directed information
    is :math:`I(X^n\to Y^n) = H(Y^n) - H(Y^n\|X^n) = E_{r^*}[\log P(Y^n\|X^n)/P^*_Y(Y^n)]
    = E_{r^*}[\log P(Y^n\|X^n)/Q(Y^n)] - D(P^*_Y\|Q) \le E_{r^*}[\log P(Y^n\|X^n)/Q(Y^n)] \le U(Q)`,
    because :math:`D \ge 0` for any pmf :math:`Q`.  The recursion is exact because the expectation
    factorises over time given the policy, so maximising over each :math:`r_t(\cdot\mid x^{t-1},y^{t-1})`
    backwards (a linear function of a pmf is maximised at a vertex) attains the maximum over all policies.
    :math:`\square`  Histories of zero channel probability carry zero weight in every expectation, so the
    tree loses nothing.  The iteration stops when :math:`U(Q)/n` is within ``tol`` (per use, units of
    ``base``) of the achieved value, with :math:`Q` the current output law or its extrapolation below.
    When the optimum is degenerate (the trapdoor channel from :math:`n = 5` on) the output law converges
    only like :math:`1/k`, so the certificate is also evaluated at its Richardson extrapolation
    :math:`2P_Y^{(k)} - P_Y^{(k/2)}` (clipped, renormalised: any pmf is allowed).  The default
    ``tol = 1e-7`` certifies the trapdoor channel up to :math:`n = 10`, while ``1e-9`` may need tens of
    thousands of steps (``converged`` then reports honestly whether ``max_iter`` sufficed).  ``rate`` is
    recomputed from the dense joint law by :func:`directed_information`'s prefix entropies.  Chapter 3.
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    full, n, xc, yc = _channel_kernels(channel)
    tr = _channel_tree(full, n, xc, yc)
    G = tr.starts.size  # number of output sequences the channel can produce

    def group_lse(a: np.ndarray) -> np.ndarray:
        m = np.maximum.reduceat(a, tr.starts)
        return m + np.log(np.add.reduceat(np.exp(a - m[tr.gid]), tr.starts))

    def bound(logQ) -> float:
        """U(Q) >= n C_n^FB for every pmf Q on y^n (proof in the docstring)."""
        V = tr.lw - logQ[tr.gid]
        for t in range(n, 0, -1):
            Qh = np.bincount(tr.hpar[t - 1], weights=tr.ch[t - 1] * V, minlength=tr.sizes[t - 1] * xc[t - 1])
            V = _rows_max(Qh.reshape(tr.sizes[t - 1], xc[t - 1]))
        return float(V[0])

    def evaluate(logpol) -> _FBState:
        lr = np.zeros(1)
        for t in range(1, n + 1):
            lr = (lr[:, None] + logpol[t - 1]).ravel()[tr.hpar[t - 1]] + tr.logch[t - 1]
        logPY = group_lse(lr)
        lower = float((np.exp(lr) * (tr.lw - logPY[tr.gid])).sum())  # no BLAS dot: its threads stall
        return _FBState(logpol, lr, logPY, lower)

    def ba_step(s: _FBState) -> list:
        V = s.logP - s.logPY[tr.gid]  # log q(x^n | y^n)
        new = [None] * n
        for t in range(n, 0, -1):
            Qh = np.bincount(tr.hpar[t - 1], weights=tr.ch[t - 1] * V, minlength=tr.sizes[t - 1] * xc[t - 1])
            Qh = Qh.reshape(tr.sizes[t - 1], xc[t - 1])
            V = _rows_lse(Qh)
            new[t - 1] = Qh - V[:, None]
        return new

    def relax(old, ba, omega) -> list:
        out = []
        for a, b in zip(old, ba):
            z = a + omega * (b - a)
            out.append(z - _rows_lse(z)[:, None])
        return out

    def extrapolate(a_list, b_list, k: int, j: int) -> list:
        """Richardson step of the policies, (k r_k - j r_j) / (k - j), clipped to 1e-300 and renormalised."""
        out = []
        for a, b in zip(a_list, b_list):
            z = np.maximum((k * np.exp(a) - j * np.exp(b)) / (k - j), 1e-300)
            out.append(np.log(z / z.sum(axis=1, keepdims=True)))
        return out

    logpol = [np.full((tr.sizes[t - 1], xc[t - 1]), -math.log(xc[t - 1])) for t in range(1, n + 1)]
    s = evaluate(logpol)
    it, omega, history, best, store = 0, 2.0, [s.logPY], bound(s.logPY), {}
    while it < max_iter and (best - s.lower) / lb / n > tol:
        it += 1
        ba = ba_step(s)
        trial = evaluate(relax(s.logpol, ba, omega))
        if trial.lower > s.lower:  # the over-relaxed step is kept when it beats the current law
            s, omega = trial, min(2 * omega, 64.0)
        else:
            s, omega = evaluate(ba), max(omega / 2, 2.0)
        history.append(s.logPY)
        if it % 4 and it < max_iter:
            continue  # the certificate costs a backward pass: check every fourth step
        # Degenerate optima: entries that should vanish decay like 1/k, so try the Richardson extrapolation
        # of the policy from steps j ~ k/2 and k; kept only if it raises the directed information.
        store[it] = s.logpol
        j = max((key for key in store if key <= it // 2), default=0)  # 4 * (it // 8) unless thinned
        if j > 0:
            e = evaluate(extrapolate(s.logpol, store[j], it, j))
            if e.lower > s.lower:
                s, history = e, [e.logPY]  # the output laws restart from the extrapolated law
        for key in [key for key in store if key < j]:
            del store[key]
        if len(store) * 8 * sum(a.size for a in s.logpol) > _STORE_BYTES:  # bounded memory: keep every other
            keys = sorted(store)
            for key in keys[1:-1:2]:
                del store[key]
        # The output laws converge like 1/k too; the bound holds for any law on y^n, so also try the
        # Richardson extrapolation 2 P_Y(k) - P_Y(k/2) (clipped, renormalised).
        q = np.maximum(2 * np.exp(s.logPY) - np.exp(history[len(history) // 2]), 1e-300)
        best = min(best, bound(s.logPY), bound(np.log(q / q.sum())))
    # the dense joint law and policy (uniform on histories the channel cannot produce)
    NY = math.prod(yc)
    P = np.zeros(math.prod(xc) * NY)
    P[tr.xi[-1] * NY + tr.yi[-1]] = np.exp(s.logP)
    P = P.reshape(tuple(xc) + tuple(yc))
    value = float(_di_terms(_entropy_profile(P / P.sum(), n)).sum()) / lb / n  # recomputed from the joint law
    pol = []
    for t in range(1, n + 1):
        X, PY = xc[t - 1], math.prod(yc[: t - 1])
        k = np.full(math.prod(xc[: t - 1]) * PY * X, 1.0 / X)
        rows = tr.xi[t - 1] * PY + tr.yi[t - 1]
        r = np.exp(s.logpol[t - 1])
        k[(rows[:, None] * X + np.arange(X)).ravel()] = (r / r.sum(axis=1, keepdims=True)).ravel()
        pol.append(k.reshape(tuple(xc[: t - 1]) + tuple(yc[: t - 1]) + (X,)))
    return CapacityResult(
        rate=value,
        upper=max(best / lb / n, value),
        n=n,
        policy=pol,
        iterations=it,
        converged=(best - s.lower) / lb / n <= tol,
    )


def nonfeedback_capacity(channel, base=2, *, tol=1e-9, max_iter=20000) -> CapacityResult:
    r"""n-letter capacity without feedback :math:`C_n = \frac1n \max_{P(x^n)} I(X^n; Y^n)`.

    Without feedback :math:`P(y^n \mid x^n) = P(y^n \| x^n)`, so this is the capacity of the super-channel
    :math:`x^n \mapsto y^n`, computed by the Blahut–Arimoto algorithm (Blahut 1972; Arimoto 1972) in the
    log domain, stopped when the certified upper bound :math:`\max_{x^n} D(P(\cdot \| x^n) \,\|\, P_Y)` is
    within ``tol`` per use.  The returned ``policy`` ignores past outputs (its Y axes have length 1).
    Always :math:`\le` :func:`feedback_capacity` of the same channel.  Units of ``base``.  Chapter 3.
    """
    lb = log_base(base)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    _, W, n, xc, yc = _channel_law(channel)
    NX, NY = math.prod(xc), math.prod(yc)
    M = W.reshape(NX, NY)
    with np.errstate(divide="ignore"):
        logM = np.where(M > 0, np.log(np.where(M > 0, M, 1.0)), -np.inf)
    logr = np.full(NX, -math.log(NX))

    def dvec(logr):
        logq = logsumexp(logr[:, None] + logM, axis=0)
        with np.errstate(invalid="ignore"):
            d = np.where(M > 0, M * (logM - np.where(np.isfinite(logq), logq, 0.0)[None, :]), 0.0).sum(axis=1)
        return d

    it = 0
    d = dvec(logr)
    lower = float((np.exp(logr) * d).sum())
    upper = float(d.max())
    while it < max_iter and (upper - lower) / lb / n > tol:
        it += 1
        logr = logr + d
        logr -= logsumexp(logr)
        d = dvec(logr)
        lower = float((np.exp(logr) * d).sum())
        upper = float(d.max())
    r = np.exp(logr)
    r = (r / r.sum()).reshape(xc)
    pol = policy_from_source(r)  # the input law as a policy without feedback
    joint = r.reshape(tuple(xc) + (1,) * n) * W  # P(x^n) P(y^n | x^n): the channel is not validated again
    value = measures.mutual_information(joint, x_axes(n), y_axes(n), base) / n
    return CapacityResult(
        rate=value,
        upper=max(upper / lb / n, value),
        n=n,
        policy=pol,
        iterations=it,
        converged=(upper - lower) / lb / n <= tol,
    )
