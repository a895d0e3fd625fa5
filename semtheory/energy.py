r"""The autoregressive LLM as a Boltzmann distribution; attention as a modern-Hopfield energy step.

Chapter 10 (used by chapters 13, 14 and 15).

**The general AR-LLM.**  :class:`EnergyLM` is the general autoregressive model of chapter 10: a state
:math:`s_t = f(s_{t-1}, x_t)` read from the tokens so far, an energy :math:`E(v, s)` of every candidate next
token and a temperature :math:`T`, with

.. math:: P(x_{t+1} = v \mid x^t) = \frac{e^{-E(v, s_t)/T}}{Z(s_t)}, \qquad Z(s) = \sum_u e^{-E(u, s)/T}.

Every :class:`~semtheory.channel.LanguageModel` is of this form (:func:`as_energy_lm`: :math:`s_t = x^t`,
:math:`E = -\ln P`, :math:`T = 1`); a Markov chain keeps its last :math:`k` tokens as state, a Transformer its
KV cache (:mod:`semtheory.transformer`), a state-space model a fixed-size vector (chapter 15).  The
Boltzmann arithmetic (:math:`Z`, the free energy :math:`F = -T \ln Z`) is :mod:`semtheory.channel`'s.

**Modern Hopfield energy.**  Stored patterns :math:`x_1, \dots, x_N \in \R^d` (the rows of ``patterns``;
the book writes :math:`X = [x_1 \cdots x_N] \in \R^{d \times N}`), a state (query) :math:`\xi \in \R^d` and an
inverse temperature :math:`\beta > 0` (Ramsauer et al. 2021):

.. math:: E(\xi) = -\beta^{-1} \ln \sum_{j=1}^N e^{\beta x_j^\T \xi} + \tfrac12 \xi^\T \xi
          + \beta^{-1} \ln N + \tfrac12 M^2, \qquad M = \max_j \lVert x_j \rVert .

The first term is the free energy :math:`F` of the Boltzmann law over the *patterns* with energies
:math:`-x_j^\T \xi` at temperature :math:`1/\beta` (:func:`semtheory.channel.free_energy`), and that law is
the attention weight vector :math:`\softmax(\beta X^\T \xi)` (:func:`attention_weights`).  The energy is a
convex term :math:`\tfrac12\xi^\T\xi` plus a concave one :math:`-\operatorname{lse}`; the concave-convex
procedure (CCCP, Yuille & Rangarajan 2003) replaces the concave part by its tangent at the current state and
minimises the resulting convex majoriser :func:`cccp_bound`, which gives the update

.. math:: \xi \leftarrow X \softmax(\beta X^\T \xi) = \xi - \nabla E(\xi),

one step of softmax attention with query :math:`\xi`, keys and values :math:`x_j` and scale :math:`\beta`
(:func:`hopfield_update`).  Along the updates the energy never increases (:func:`hopfield_retrieve`).  As
:math:`\beta \to \infty` one step returns the pattern of largest overlap :math:`x_j^\T\xi` (the nearest one
when all patterns have the same norm), with error at most :math:`2M(N-1)e^{-\beta\delta}` (:math:`\delta` the
overlap gap); as :math:`\beta \to 0` it returns the mean pattern, with error at most :math:`M(e^{\beta R}-1)`
(:math:`R` the range of the overlaps) (:func:`retrieval_error_bounds`).

All energies are in the units of the inner products (nats when they are log-probabilities).  Provenance:
standard constructions ([R] in the dossier) standing in for the treatise's energy-based formulation.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy.special import logsumexp

from .core.types import ArrayLike, FloatArray
from ._validate import as_float, as_real_array, check_flag, check_int, check_positive
from .channel import boltzmann, boltzmann_logprobs, free_energy
from .core.models import LanguageModel, check_model

__all__ = [
    # the general AR-LLM
    "EnergyLM",
    "as_energy_lm",
    "token_energies",
    # modern Hopfield energy and attention
    "lse",
    "attention_weights",
    "hopfield_energy",
    "hopfield_update",
    "hopfield_gradient",
    "cccp_bound",
    "hopfield_retrieve",
    "Retrieval",
    "hopfield_fixed_points",
    "FixedPoints",
    "nearest_pattern",
    "retrieval_error_bounds",
    "RetrievalBounds",
    "softmax_attention",
]


# ==============================================================================================
# The general autoregressive LLM as a Boltzmann distribution
# ==============================================================================================


class EnergyLM(LanguageModel):
    r"""The general AR-LLM: :math:`P(x_{t+1}=v \mid x^t) = e^{-E(v, s_t)/T}/Z(s_t)` with state :math:`s_t = f(s_{t-1}, x_t)`.

    ``energy(state)`` returns the ``vocab_size`` energies :math:`E(\cdot, s)` (``+inf`` masks a token);
    ``update(state, token)`` is the state map :math:`f`; ``start`` is :math:`s_0`, the state of the empty
    context; ``temperature`` :math:`T > 0`.  The model runs through the chapter-4 state protocol
    (:meth:`initial_state`, :meth:`next_state`, :meth:`state_logprobs`), so the channel-with-feedback
    functions of :mod:`semtheory.channel` drive it through its state.  Chapter 10.

    Parameters
    ----------
    energy : callable
        ``energy(state) -> energies``, shape ``(vocab_size,)``; ``+inf`` masks a token.
    update : callable
        ``update(state, token) -> state``, the map :math:`f`.
    start : object
        :math:`s_0`.
    vocab_size : int
        Number of tokens, >= 1.
    temperature : float, default 1.0
        :math:`T > 0`.

    Attributes
    ----------
    energy, update, start
        As given.
    vocab_size : int
        Number of tokens.
    temperature : float
        :math:`T`.
    """

    def __init__(self, energy: Callable, update: Callable, start: object, vocab_size: int, temperature: float = 1.0):
        if not callable(energy):
            raise ValueError(f"energy must be callable energy(state) -> energies, got {energy!r}")
        if not callable(update):
            raise ValueError(f"update must be callable update(state, token) -> state, got {update!r}")
        self.energy = energy
        self.update = update
        self.start = start
        self.vocab_size = check_int(vocab_size, "vocab_size", minimum=1)
        self.temperature = check_positive(temperature, "temperature")

    def initial_state(self, prompt: Sequence[int] = ()) -> object:
        r"""The state after reading ``prompt``: :math:`s_0` folded through :math:`f`.  Chapter 10.

        Parameters
        ----------
        prompt : sequence of int, default ``()``
            Tokens read first.

        Returns
        -------
        object
            The state :math:`s`.
        """
        s = self.start
        for v in self.check_tokens(prompt, "prompt").tolist():
            s = self.update(s, v)
        return s

    def next_state(self, state: object, token: int) -> object:
        r""":math:`s_t = f(s_{t-1}, x_t)`.  Chapter 10.

        Parameters
        ----------
        state : object
            The state :math:`s_{t-1}`.
        token : int
            The token :math:`x_t`, in ``range(vocab_size)``.

        Returns
        -------
        object
            The state :math:`s_t`.
        """
        return self.update(state, check_int(token, "token", minimum=0, maximum=self.vocab_size - 1))

    def energies(self, state: object) -> np.ndarray:
        r"""The energies :math:`E(\cdot, s)` of the next token in state ``state`` (checked: shape, no NaN).  Chapter 10.

        Parameters
        ----------
        state : object
            A state of this model.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            The energies (nats at :math:`T = 1`; ``+inf`` masks a token).
        """
        E = np.asarray(self.energy(state), dtype=float)
        if E.shape != (self.vocab_size,):
            raise ValueError(f"energy(state) must return shape ({self.vocab_size},), got {E.shape}")
        return E

    def state_logprobs(self, state: object) -> np.ndarray:
        r""":math:`\ln P(\cdot \mid s) = -E(\cdot, s)/T - \ln Z(s)` (:func:`semtheory.channel.boltzmann_logprobs`).  Chapter 10.

        Parameters
        ----------
        state : object
            A state of this model.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return boltzmann_logprobs(self.energies(state), self.temperature)

    def free_energy(self, context: Sequence[int] = ()) -> float:
        r"""Free energy :math:`F(s) = -T \ln Z(s)` of the next-token law after ``context``.  Chapter 10.

        Parameters
        ----------
        context : sequence of int, default ``()``
            The tokens read.

        Returns
        -------
        float
            :math:`F`, in the units of the energies (nats at :math:`T = 1`).
        """
        return free_energy(self.energies(self.initial_state(context)), self.temperature)

    def next_token_logprobs(self, context: Sequence[int]) -> np.ndarray:
        r"""The next-token law in the state after ``context`` (:meth:`state_logprobs`).  Chapter 10.

        Parameters
        ----------
        context : sequence of int
            The tokens read.

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        return self.state_logprobs(self.initial_state(context))


def as_energy_lm(model: LanguageModel) -> EnergyLM:
    r"""Any :class:`~semtheory.channel.LanguageModel` in Boltzmann form: :math:`s_t = ` the model's own state, :math:`E = -\ln P`, :math:`T = 1`.

    The representation is the trivial one (it proves that every autoregressive law is a Boltzmann law, with
    :math:`Z = 1` and :math:`F = 0`); a model with a smaller state (a Markov chain) keeps it.  Tokens of
    probability 0 get energy :math:`+\infty`.  Chapter 10.

    Parameters
    ----------
    model : LanguageModel
        Any model.

    Returns
    -------
    EnergyLM
        The same law in Boltzmann form (energies in nats, :math:`T = 1`).
    """
    model = check_model(model)

    def energy(state):
        with np.errstate(divide="ignore"):
            return -np.asarray(model.state_logprobs(state), dtype=float)

    return EnergyLM(energy, model.next_state, model.initial_state(()), model.vocab_size)


def token_energies(model: LanguageModel, context: Sequence[int] = (), temperature: float = 1.0) -> np.ndarray:
    r"""Energies :math:`E(v) = -T \ln P(v \mid \text{context})` of a model's next-token law, normalised so that :math:`F = 0`.

    Energies are defined up to a state-dependent constant (a shift leaves :math:`P` unchanged and moves
    :math:`F` by the same amount); this representative has :math:`Z = 1`.  Chapter 10.

    Parameters
    ----------
    model : LanguageModel
        The model.
    context : sequence of int, default ``()``
        The context.
    temperature : float, default 1.0
        :math:`T > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (vocab_size,)
        :math:`E(v)`, in nats times :math:`T` (``+inf`` for a token of probability 0).
    """
    model = check_model(model)
    T = check_positive(temperature, "temperature")
    lp = np.asarray(model.next_token_logprobs(model.check_tokens(context, "context")), dtype=float)
    return -T * lp


# ==============================================================================================
# Modern Hopfield energy = attention
# ==============================================================================================


def _as_state(xi, d: int, name: str = "xi") -> np.ndarray:
    q = as_real_array(xi, name, nonempty=False)
    if q.ndim == 0 or q.shape[-1] != d:
        raise ValueError(f"{name} must have last axis of length d = {d} (the pattern dimension), got shape {q.shape}")
    return q


def _out(a):
    a = np.asarray(a)
    return float(a) if a.ndim == 0 else a


def lse(z: ArrayLike, beta: float = 1.0) -> float | FloatArray:
    r"""Log-sum-exp at inverse temperature :math:`\beta`: :math:`\operatorname{lse}(\beta, z) = \beta^{-1} \ln \sum_j e^{\beta z_j}` (last axis).

    Convex in :math:`z`, with gradient :math:`\softmax(\beta z)`; :math:`\max_j z_j \le \operatorname{lse} \le
    \max_j z_j + \beta^{-1}\ln N`.  Chapter 10.

    Parameters
    ----------
    z : array_like of float, shape (..., N)
        Finite values (last axis summed over).
    beta : float, default 1.0
        Inverse temperature :math:`\beta > 0`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`\operatorname{lse}(\beta, z)`, in the units of ``z``.
    """
    b = check_positive(beta, "beta")
    try:
        z = as_float(z, "z")
    except (TypeError, ValueError):
        raise ValueError("z must be a real array") from None
    if z.ndim == 0 or z.shape[-1] == 0 or not np.all(np.isfinite(z)):
        raise ValueError(f"z must be a finite array with at least one entry on its last axis, got shape {z.shape}")
    return _out(logsumexp(b * z, axis=-1) / b)


def attention_weights(xi: ArrayLike, patterns: ArrayLike, beta: float) -> np.ndarray:
    r"""Attention weights :math:`p = \softmax(\beta X^\T \xi)`: the Boltzmann law over the stored patterns.

    Pattern :math:`j` has energy :math:`-x_j^\T \xi` and the temperature is :math:`1/\beta`
    (:func:`semtheory.channel.boltzmann`).  ``xi`` has shape ``(d,)`` or ``(..., d)``; the result has the
    patterns on its last axis.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        The state (query) :math:`\xi`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.

    Returns
    -------
    numpy.ndarray of float, shape (..., N)
        Probabilities over the patterns.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    b = check_positive(beta, "beta")
    return boltzmann(-(q @ X.T), 1.0 / b)


def hopfield_energy(xi: ArrayLike, patterns: ArrayLike, beta: float, *, constant: bool = True) -> float | FloatArray:
    r"""Modern Hopfield energy :math:`E(\xi) = -\operatorname{lse}(\beta, X^\T\xi) + \tfrac12\xi^\T\xi + \beta^{-1}\ln N + \tfrac12 M^2`.

    The first term is the free energy :math:`-\beta^{-1}\ln\sum_j e^{\beta x_j^\T\xi}` of
    :func:`attention_weights`.  With ``constant=True`` (Ramsauer et al.'s normalisation) :math:`0 \le E \le
    2M^2` on the convex hull of the patterns; ``constant=False`` drops :math:`\beta^{-1}\ln N +
    \tfrac12 M^2`.  ``xi`` of shape ``(..., d)`` gives an array.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        The state (query) :math:`\xi`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.
    constant : bool, keyword-only, default True
        Add Ramsauer et al.'s constant :math:`\beta^{-1}\ln N + \tfrac12 M^2`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`E(\xi)` (units of squared pattern norm; no logarithm base).
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    b = check_positive(beta, "beta")
    E = free_energy(-(q @ X.T), 1.0 / b) + 0.5 * np.sum(q * q, axis=-1)
    if check_flag(constant, "constant"):
        E = E + math.log(X.shape[0]) / b + 0.5 * float(np.max(np.sum(X * X, axis=1)))
    return _out(E)


def hopfield_update(xi: ArrayLike, patterns: ArrayLike, beta: float) -> np.ndarray:
    r"""One CCCP step :math:`\xi^{\text{new}} = X \softmax(\beta X^\T \xi) = \sum_j p_j x_j`: softmax attention.

    Query :math:`\xi`, keys and values the stored patterns, scale :math:`\beta` (``scaled_dot_product_attention``
    with ``scale=beta``).  Equal to :math:`\xi - \nabla E(\xi)`.  ``xi`` of shape ``(..., d)`` updates
    every state at once.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        The state (query) :math:`\xi`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.

    Returns
    -------
    numpy.ndarray of float, shape of ``xi``
        :math:`\xi^{\text{new}}`.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    return attention_weights(xi, X, beta) @ X


def hopfield_gradient(xi: ArrayLike, patterns: ArrayLike, beta: float) -> np.ndarray:
    r"""Gradient :math:`\nabla E(\xi) = \xi - X \softmax(\beta X^\T \xi)` of :func:`hopfield_energy`.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        The state (query) :math:`\xi`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.

    Returns
    -------
    numpy.ndarray of float, shape of ``xi``
        :math:`\nabla E(\xi)`.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    return q - hopfield_update(q, X, beta)


def cccp_bound(xi: ArrayLike, xi_t: ArrayLike, patterns: ArrayLike, beta: float, *,
               constant: bool = True) -> float | FloatArray:
    r"""The CCCP majoriser :math:`U(\xi; \xi_t)`: the energy with its concave part replaced by the tangent at :math:`\xi_t`.

    .. math:: U(\xi;\xi_t) = \tfrac12\xi^\T\xi - \operatorname{lse}(\beta, X^\T\xi_t)
              - p_t^\T X^\T (\xi - \xi_t) + c,\qquad p_t = \softmax(\beta X^\T \xi_t).

    :math:`U(\xi;\xi_t) \ge E(\xi)` for all :math:`\xi` (a concave function lies below its tangents), with
    equality at :math:`\xi = \xi_t`; :math:`U` is a convex quadratic minimised at
    :math:`\xi = X p_t`, the update.  Hence :math:`E(\xi_{t+1}) \le U(\xi_{t+1};\xi_t) \le U(\xi_t;\xi_t) =
    E(\xi_t)`.  ``constant`` as in :func:`hopfield_energy`.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        Where the majoriser is evaluated.
    xi_t : array_like of float, shape (d,) or (..., d)
        The tangent point :math:`\xi_t`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.
    constant : bool, keyword-only, default True
        As in :func:`hopfield_energy`.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        :math:`U(\xi; \xi_t)`, in the units of :func:`hopfield_energy`.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    qt = _as_state(xi_t, X.shape[1], "xi_t")
    Et = hopfield_energy(qt, X, beta, constant=check_flag(constant, "constant")) - 0.5 * np.sum(qt * qt, axis=-1)  # concave part at xi_t + c
    lin = np.sum(hopfield_update(qt, X, beta) * (q - qt), axis=-1)
    return _out(0.5 * np.sum(q * q, axis=-1) + Et - lin)


class Retrieval(NamedTuple):
    r"""A run of the Hopfield update: final state ``xi``, ``trajectory`` (iterations + 1, d) from the start,
    ``energies`` along it, ``weights`` :math:`\softmax(\beta X^\T\xi)` at the end, ``iterations`` taken, and
    ``converged`` (the last move was below ``tol``).

    Attributes
    ----------
    xi : numpy.ndarray, shape (d,)
        The final state.
    trajectory : numpy.ndarray, shape (iterations + 1, d)
        The states from the start.
    energies : numpy.ndarray, shape (iterations + 1,)
        :func:`hopfield_energy` along the trajectory.
    weights : numpy.ndarray, shape (N,)
        The attention weights at the end (probabilities).
    iterations : int
        Updates taken.
    converged : bool
        Whether the last move was below ``tol``.
    """

    xi: np.ndarray
    trajectory: np.ndarray
    energies: np.ndarray
    weights: np.ndarray
    iterations: int
    converged: bool


def hopfield_retrieve(xi: ArrayLike, patterns: ArrayLike, beta: float, *, max_iter: int = 100,
                      tol: float = 1e-10) -> Retrieval:
    r"""Iterate :func:`hopfield_update` from ``xi`` (shape ``(d,)``) until the move :math:`\lVert\xi_{t+1}-\xi_t\rVert_\infty` is below ``tol``.

    Records the trajectory and the energy (:func:`hopfield_energy`) at every state; the energies are
    non-increasing (CCCP, :func:`cccp_bound`).  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,)
        The start.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.
    max_iter : int, keyword-only, default 100
        Most updates.
    tol : float, keyword-only, default 1e-10
        Stop when the max-norm move is below this.

    Returns
    -------
    Retrieval
        The run.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    if q.ndim != 1:
        raise ValueError(f"xi must have shape (d,) for a single retrieval, got {q.shape}")
    b = check_positive(beta, "beta")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol")
    traj = [q]
    converged = False
    for _ in range(max_iter):
        nxt = hopfield_update(traj[-1], X, b)
        move = float(np.max(np.abs(nxt - traj[-1])))
        traj.append(nxt)
        if move < tol:
            converged = True
            break
    T = np.array(traj)
    return Retrieval(T[-1], T, hopfield_energy(T, X, b), attention_weights(T[-1], X, b), len(traj) - 1, converged)


class FixedPoints(NamedTuple):
    r"""Distinct fixed points of the Hopfield update found from many starts: ``points`` (K, d), their
    ``energies``, ``max_weight`` (the largest attention weight at each: near 1 for a single retrieved pattern,
    near :math:`1/N` for the global average, in between for a metastable mixture), and ``basin`` (how many
    starts ended at each).

    Attributes
    ----------
    points : numpy.ndarray, shape (K, d)
        The distinct fixed points, by increasing energy.
    energies : numpy.ndarray, shape (K,)
        Their :func:`hopfield_energy`.
    max_weight : numpy.ndarray, shape (K,)
        The largest attention weight at each (a probability).
    basin : numpy.ndarray of int, shape (K,)
        How many starts ended at each.
    """

    points: np.ndarray
    energies: np.ndarray
    max_weight: np.ndarray
    basin: np.ndarray


def hopfield_fixed_points(patterns: ArrayLike, beta: float, starts: ArrayLike, *, max_iter: int = 500,
                          tol: float = 1e-10, merge: float = 1e-5) -> FixedPoints:
    r"""Run the update from every row of ``starts`` (shape (S, d)) and collect the distinct limits.

    All starts are iterated together (vectorised) for ``max_iter`` steps or until every move is below
    ``tol``; limits closer than ``merge`` (max-norm) are one fixed point.  Sorted by energy.  Chapter 10.

    Parameters
    ----------
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.
    starts : array_like of float, shape (S, d)
        The starting states.
    max_iter : int, keyword-only, default 500
        Most updates.
    tol : float, keyword-only, default 1e-10
        Convergence threshold on the max-norm move.
    merge : float, keyword-only, default 1e-5
        Limits closer than this (max-norm) are one point.

    Returns
    -------
    FixedPoints
        The distinct limits, their energies, weights and basins.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    S = _as_state(starts, X.shape[1], "starts")
    if S.ndim != 2:
        raise ValueError(f"starts must have shape (S, d), got {S.shape}")
    b = check_positive(beta, "beta")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol")
    merge = check_positive(merge, "merge")
    for _ in range(max_iter):
        nxt = hopfield_update(S, X, b)
        done = np.max(np.abs(nxt - S)) < tol
        S = nxt
        if done:
            break
    pts, counts = [], []
    for s in S:
        for k, p in enumerate(pts):
            if np.max(np.abs(s - p)) < merge:
                counts[k] += 1
                break
        else:
            pts.append(s)
            counts.append(1)
    P = np.array(pts)
    E = np.atleast_1d(hopfield_energy(P, X, b))
    order = np.argsort(E, kind="stable")
    w = attention_weights(P, X, b).max(axis=-1)
    return FixedPoints(P[order], E[order], w[order], np.array(counts)[order])


def nearest_pattern(xi: ArrayLike, patterns: ArrayLike) -> int | np.ndarray:
    r"""Index :math:`\argmax_j x_j^\T \xi` of the pattern of largest overlap (the :math:`\beta\to\infty` retrieval).

    For patterns of equal norm this is the Euclidean nearest pattern, since
    :math:`\lVert x_j-\xi\rVert^2 = M^2 - 2x_j^\T\xi + \lVert\xi\rVert^2`.  Ties go to the lower index.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,) or (..., d)
        The state (query) :math:`\xi`.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).

    Returns
    -------
    int or numpy.ndarray of int
        The index of the largest overlap (per state).
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    j = np.argmax(q @ X.T, axis=-1)
    return int(j) if np.ndim(j) == 0 else j


class RetrievalBounds(NamedTuple):
    r"""Bounds on one update's distance from its two limits: ``to_nearest`` :math:`\le 2M(N-1)e^{-\beta\delta}`
    (``gap`` :math:`\delta` = largest minus second-largest overlap) and ``to_mean`` :math:`\le M(e^{\beta R}-1)`
    (``spread`` :math:`R` = largest minus smallest overlap).

    Attributes
    ----------
    to_nearest : float
        The bound :math:`2M(N-1)e^{-\beta\delta}` on the distance to the nearest pattern.
    to_mean : float
        The bound :math:`M(e^{\beta R}-1)` on the distance to the mean pattern.
    gap : float
        :math:`\delta`.
    spread : float
        :math:`R`.
    """

    to_nearest: float
    to_mean: float
    gap: float
    spread: float


def retrieval_error_bounds(xi: ArrayLike, patterns: ArrayLike, beta: float) -> RetrievalBounds:
    r"""The two limits of one Hopfield update, quantified (Chapter 10, the retrieval theorem).

    With overlaps :math:`z_j = x_j^\T\xi`, :math:`j^* = \argmax_j z_j`, gap
    :math:`\delta = z_{j^*} - \max_{j\ne j^*} z_j`, spread :math:`R = \max_j z_j - \min_j z_j` and
    :math:`M = \max_j\lVert x_j\rVert`:

    .. math:: \lVert \xi^{\text{new}} - x_{j^*} \rVert \le 2M(N-1)e^{-\beta\delta}, \qquad
              \lVert \xi^{\text{new}} - \bar x \rVert \le M(e^{\beta R} - 1),

    so :math:`\beta\to\infty` retrieves :math:`x_{j^*}` (when :math:`\delta > 0`) and :math:`\beta\to 0` the mean
    :math:`\bar x`.  ``xi`` of shape ``(d,)``.  Chapter 10.

    Parameters
    ----------
    xi : array_like of float, shape (d,)
        The state.
    patterns : array_like of float, shape (N, d)
        The stored patterns :math:`x_j` (rows).
    beta : float
        Inverse temperature :math:`\beta > 0`.

    Returns
    -------
    RetrievalBounds
        The two bounds (in the units of the patterns), the gap and the spread.
    """
    X = as_real_array(patterns, "patterns", ndim=2)
    q = _as_state(xi, X.shape[1])
    if q.ndim != 1:
        raise ValueError(f"xi must have shape (d,), got {q.shape}")
    b = check_positive(beta, "beta")
    z = X @ q
    N = X.shape[0]
    M = float(np.sqrt(np.max(np.sum(X * X, axis=1))))
    zs = np.sort(z)[::-1]
    gap = float(zs[0] - zs[1]) if N > 1 else math.inf
    spread = float(zs[0] - zs[-1])
    to_nearest = 0.0 if N == 1 else 2 * M * (N - 1) * math.exp(-b * gap)
    with np.errstate(over="ignore"):
        to_mean = M * math.expm1(min(b * spread, 700.0))
    return RetrievalBounds(to_nearest, to_mean, gap, spread)


def softmax_attention(Q: ArrayLike, K: ArrayLike, V: ArrayLike, *, scale: float | None = None,
                      causal: bool = False) -> np.ndarray:
    r"""Reference softmax attention :math:`\softmax(s\,QK^\T)V` in NumPy (float64), rows of ``Q`` the queries.

    ``scale`` :math:`s` defaults to :math:`1/\sqrt{d_k}`.  With ``causal=True`` query :math:`i` sees keys
    :math:`j \le i` only.  Shapes ``(..., n, d_k)``, ``(..., m, d_k)``, ``(..., m, d_v)``.  Row :math:`i` is the
    Hopfield update of :math:`q_i` with stored keys :math:`K` and retrieved values :math:`V`.  Chapter 10.

    Parameters
    ----------
    Q : array_like of float, shape (..., n, d_k)
        Queries.
    K : array_like of float, shape (..., m, d_k)
        Keys.
    V : array_like of float, shape (..., m, d_v)
        Values.
    scale : float or None, keyword-only, default None
        :math:`s` (None: :math:`1/\sqrt{d_k}`).
    causal : bool, keyword-only, default False
        Query :math:`i` sees keys :math:`j \le i` only.

    Returns
    -------
    numpy.ndarray of float, shape (..., n, d_v)
        The attention output (float64).
    """
    q = as_float(Q, "Q")
    k = as_float(K, "K")
    v = as_float(V, "V")
    for name, a in (("Q", q), ("K", k), ("V", v)):
        if a.ndim < 2 or not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be a finite array of shape (..., rows, dim), got shape {a.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"Q and K must have the same last axis (d_k), got {q.shape} and {k.shape}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"K and V must have the same number of rows, got {k.shape} and {v.shape}")
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else check_positive(scale, "scale")
    scores = s * (q @ np.swapaxes(k, -1, -2))
    if check_flag(causal, "causal"):
        n, m = scores.shape[-2:]
        scores = np.where(np.tril(np.ones((n, m), dtype=bool)), scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    return (w / w.sum(axis=-1, keepdims=True)) @ v
