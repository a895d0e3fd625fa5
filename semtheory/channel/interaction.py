r"""The LLM as a channel with feedback and state (chapter 4): input policies, simulated interactions, the exact
joint law of inputs and outputs in :mod:`semtheory.directed`'s layout, and the batched causal pass that
:func:`~semtheory.core.models.sequence_law` uses for a Transformer (registered once, when this file is imported)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

import numpy as np

from .. import directed
from .._validate import as_array, as_pmf, as_rng, as_stochastic, check_int, check_probability
from ..core import law
from ..core.models import (
    NORM_ATOL,
    check_model,
    checked_logprobs,
    register_batched_route,
    sequence_law,
)

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike

_LAW_CELLS = law.MAX_CELLS  # largest joint law of inputs and outputs built here (the layout's memory guard)


def interleave(inputs: ArrayLike, outputs: ArrayLike) -> IntArray:
    r"""The context :math:`x_1 y_1 x_2 y_2 \dots` an LLM reads when inputs and its own outputs alternate.

    ``len(inputs)`` must equal ``len(outputs)`` or exceed it by one (the context just before :math:`y_t`
    is ``interleave(x^t, y^{t-1})``).  Chapter 4.

    Parameters
    ----------
    inputs : array_like of int, shape (m,)
        Input tokens :math:`x_1 \dots x_m`.
    outputs : array_like of int, shape (m,) or (m - 1,)
        Output tokens :math:`y_1 \dots`.

    Returns
    -------
    numpy.ndarray of int64, shape (len(inputs) + len(outputs),)
        The interleaved context (token ids).
    """
    x, y = as_array(inputs, "inputs").reshape(-1), as_array(outputs, "outputs").reshape(-1)
    for arr, name in ((x, "inputs"), (y, "outputs")):
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0):
            raise ValueError(f"{name} must hold non-negative integer token ids")
    x, y = x.astype(np.int64), y.astype(np.int64)
    if not (len(x) == len(y) or len(x) == len(y) + 1):
        raise ValueError(f"inputs must have len(outputs) or len(outputs) + 1 tokens, got {len(x)} and {len(y)}")
    out = np.empty(len(x) + len(y), dtype=np.int64)
    out[0::2] = x
    out[1::2] = y
    return out


def _check_pmf_vector(q, V: int, name: str) -> np.ndarray:
    q = as_pmf(q, name, ndim=1)
    if q.size != V:
        raise ValueError(f"{name} must be a pmf over the {V} tokens, got {q.size} entries")
    return q


def iid_inputs(q: ArrayLike) -> Callable[..., FloatArray]:
    r"""A user who sends i.i.d. tokens :math:`P(x_t \mid x^{t-1}, y^{t-1}) = q(x_t)`: a prompt without feedback.  Chapter 4.

    Parameters
    ----------
    q : array_like, shape (V,)
        The pmf of every input token.

    Returns
    -------
    callable
        ``user(x_hist, y_hist) -> q`` (a pmf; attribute ``vocab`` = V).
    """
    q = as_pmf(q, "q", ndim=1)

    def policy(x_hist, y_hist):
        return q

    policy.vocab = q.size
    return policy


def echo_inputs(q: ArrayLike, repeat: float) -> Callable[..., FloatArray]:
    r"""A user with feedback: :math:`x_1 \sim q`; then :math:`x_t = y_{t-1}` with probability ``repeat``, else a fresh draw from ``q``.

    :math:`P(x_t \mid x^{t-1}, y^{t-1}) = (1-\lambda)\,q(x_t) + \lambda\,\ind[x_t = y_{t-1}]`.  A user who
    quotes the model's last token back to it; ``repeat = 0`` is :func:`iid_inputs` (no feedback).
    Chapter 4.

    Parameters
    ----------
    q : array_like, shape (V,)
        The pmf of a fresh input token.
    repeat : float
        :math:`\lambda \in [0, 1]`, the probability of quoting the last output.

    Returns
    -------
    callable
        ``user(x_hist, y_hist) -> pmf`` over the V tokens.
    """
    q = as_pmf(q, "q", ndim=1)
    lam = check_probability(repeat, "repeat")

    def policy(x_hist, y_hist):
        if len(y_hist) == 0:
            return q
        out = (1 - lam) * q
        out[int(y_hist[-1])] += lam
        return out

    policy.vocab = q.size
    return policy


def lm_inputs(model: LanguageModel, *, feedback: bool) -> Callable[..., FloatArray]:
    r"""Inputs produced by another language model ``model`` (a user, an environment, a second agent).

    ``feedback=False``: :math:`P(x_t \mid x^{t-1})`, the model reads only past inputs (a prompt source that
    ignores the replies).  ``feedback=True``: :math:`P(x_t \mid x_1 y_1 \dots x_{t-1} y_{t-1})`, it reads the
    whole transcript and reacts to the replies.  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The user, itself a language model.
    feedback : bool, keyword-only
        Whether the user reads the model's replies (True) or only its own past inputs (False).

    Returns
    -------
    callable
        ``user(x_hist, y_hist) -> pmf`` over the model's tokens.
    """
    model = check_model(model)
    if not isinstance(feedback, (bool, np.bool_)):
        raise ValueError(f"feedback must be True or False, got {feedback!r}")

    def policy(x_hist, y_hist):
        ctx = interleave(x_hist, y_hist) if feedback else np.asarray(x_hist, dtype=np.int64)
        return model.next_token_probs(ctx)

    policy.vocab = model.vocab_size
    return policy


def _as_user(user, V: int, first) -> tuple[Callable | None, np.ndarray | None, np.ndarray | None]:
    """``(callable, None, None)`` for a pmf or a callable user; ``(None, kernel, first)`` for a memory-one kernel."""
    if callable(user):
        if getattr(user, "vocab", V) != V:
            raise ValueError(f"user draws from {user.vocab} tokens but the model has {V}")
        callable_user = user
    else:
        arr = as_array(user, "user")
        if arr.ndim == 3:
            if arr.shape != (V, V, V):
                raise ValueError(f"user must have shape (V, V, V) = ({V}, {V}, {V}) [x_prev, y_prev, x], got {arr.shape}")
            K = as_stochastic(arr, "user")  # a conditional pmf over its last axis
            f = np.full(V, 1.0 / V) if first is None else _check_pmf_vector(first, V, "first")
            return None, K, f
        if arr.ndim != 1:
            raise ValueError("user must be a pmf of shape (V,), a kernel of shape (V, V, V) or a callable "
                             f"user(x_hist, y_hist) -> pmf, got shape {arr.shape}")
        callable_user = iid_inputs(_check_pmf_vector(arr, V, "user"))
    if first is not None:
        raise ValueError("first (the law of X_1) goes only with a memory-one kernel user[x_prev, y_prev, x]")
    return callable_user, None, None


def _kernel_user(K: np.ndarray, f: np.ndarray) -> Callable[..., FloatArray]:
    """The memory-one kernel as a callable user: ``first`` at t = 1, then ``K[x_{t-1}, y_{t-1}]``."""

    def user(x_hist, y_hist):
        return f if len(x_hist) == 0 else K[int(x_hist[-1]), int(y_hist[-1])]

    user.vocab = f.size
    return user


def _user_pmf(user, x_hist, y_hist, V: int) -> np.ndarray:
    q = np.asarray(user(np.asarray(x_hist, dtype=np.int64), np.asarray(y_hist, dtype=np.int64)), dtype=float)
    return _check_pmf_vector(q, V, "user(x_hist, y_hist)")


class Transcript(NamedTuple):
    r"""One simulated interaction: ``inputs`` :math:`x^n`, ``outputs`` :math:`y^n`, the ``context`` the model read
    (prompt then :math:`x_1 y_1 \dots x_n y_n`), and ``states``: the model's state after each output (list of n).

    Attributes
    ----------
    inputs : numpy.ndarray of int64, shape (n,)
        :math:`x^n`.
    outputs : numpy.ndarray of int64, shape (n,)
        :math:`y^n`.
    context : numpy.ndarray of int64
        The prompt, then :math:`x_1 y_1 \dots x_n y_n`.
    states : list
        The model's state after each output (n entries).
    """

    inputs: np.ndarray
    outputs: np.ndarray
    context: np.ndarray
    states: list


def simulate_interaction(model: LanguageModel, user: ArrayLike | Callable[..., ArrayLike], n: int, *,
                         prompt: Sequence[int] = (), first: ArrayLike | None = None,
                         seed: SeedLike = None) -> Transcript:
    r"""Simulate ``n`` rounds of input → output through an LLM with state, deterministic under ``seed``.

    Round :math:`t`: the user draws :math:`x_t \sim P(\cdot \mid x^{t-1}, y^{t-1})` (``user``: a pmf for
    i.i.d. inputs, a callable ``user(x_hist, y_hist) -> pmf`` such as :func:`echo_inputs`, or a memory-one
    kernel); the state absorbs it, :math:`S \leftarrow f(S, x_t)`; the model draws
    :math:`y_t \sim P(\cdot \mid S)`; the state absorbs its own output, :math:`S \leftarrow f(S, y_t)` (the
    feedback of the autoregression).  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The LLM (driven through its state protocol).
    user : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs), a callable
        ``user(x_hist, y_hist) -> pmf`` (e.g. :func:`echo_inputs`, :func:`lm_inputs`), or a memory-one kernel
        ``user[x_prev, y_prev, x]`` of shape ``(V, V, V)`` (e.g. :func:`semtheory.semantic.echo_user`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.
    first : array_like, shape (V,), keyword-only, optional
        With a kernel ``user`` only: the law of :math:`X_1`; default uniform.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    Transcript
        The inputs, outputs, context (token ids) and states.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    fn, K, f = _as_user(user, V, first)
    fn = _kernel_user(K, f) if fn is None else fn
    rng = as_rng(seed)
    pre = model.check_tokens(prompt, "prompt")
    state = model.initial_state(pre)
    xs, ys, states = [], [], []
    for _ in range(n):
        x = int(rng.choice(V, p=_user_pmf(fn, xs, ys, V)))
        xs.append(x)
        state = model.next_state(state, x)
        lp = checked_logprobs(model.state_logprobs(state), V, "model.state_logprobs")
        y = int(rng.choice(V, p=np.exp(lp)))
        ys.append(y)
        state = model.next_state(state, y)
        states.append(state)
    x, y = np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)
    return Transcript(x, y, np.concatenate([pre, interleave(x, y)]), states)


def interaction_channel(model: LanguageModel, n: int, *, prompt: Sequence[int] = ()) -> list[FloatArray]:
    r"""The LLM as a channel in :mod:`semtheory.directed`'s layout, reading the interleaved turns :math:`x_1 y_1 x_2 y_2 \dots`.

    ``channel[t-1]`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds
    :math:`P_\theta(y_t \mid \text{prompt}, x_1, y_1, \dots, y_{t-1}, x_t)`: the model's next-token law after
    the user's :math:`t`-th turn.  The channel depends on its own past outputs (its state holds them).  All
    :math:`V^{2n-1}` interleaved histories are read through :func:`semtheory.core.tables.next_token_table`
    (one batched causal pass for a :class:`~semtheory.transformer.Transformer` whose window holds them, the
    state protocol memoised by prefix otherwise), so :math:`V^{2n}` must stay within the layout's memory
    guard.  Chapters 4, 14.

    Parameters
    ----------
    model : LanguageModel
        The LLM.
    n : int
        Number of turns, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first turn.

    Returns
    -------
    list of numpy.ndarray
        ``n`` conditional pmfs (probabilities); entry ``t - 1`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)`.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    pre = model.check_tokens(prompt, "prompt")
    return _interaction_channel(model, n, pre)


def _interaction_channel(model, n: int, pre: np.ndarray) -> list[np.ndarray]:
    from ..core.tables import next_token_table

    V = model.vocab_size
    if float(V) ** (2 * n) > _LAW_CELLS:
        raise ValueError(f"n={n} with vocab_size={V} gives a joint law larger than {_LAW_CELLS} cells")
    L, m = 2 * n - 1, len(pre)
    ctx = np.indices((V,) * L).reshape(L, -1).T
    if m:
        ctx = np.concatenate([np.broadcast_to(pre, (len(ctx), m)), ctx], axis=1)
    tab = next_token_table(model, ctx, start=m).reshape((V,) * L + (L + 1, V))
    out = []
    for t in range(1, n + 1):
        r = 2 * t - 1  # the prefix x_1 y_1 .. x_t
        k = np.exp(tab[(slice(None),) * r + (0,) * (L - r) + (r,)])  # axes x1 y1 .. x_t, Y_t (interleaved)
        order = [2 * i for i in range(t)] + [2 * i + 1 for i in range(t - 1)] + [r]
        out.append(np.transpose(k, order))
    return out


def interaction_kernels(model: LanguageModel, user: ArrayLike | Callable[..., ArrayLike], n: int, *,
                        prompt: Sequence[int] = (), first: ArrayLike | None = None
                        ) -> tuple[list[FloatArray], list[FloatArray]]:
    r"""The user and the LLM channel as per-step kernels in :mod:`semtheory.directed`'s layout.

    ``policy[t-1]`` :math:`= P(x_t \mid x^{t-1}, y^{t-1})` from ``user``; ``channel[t-1]``
    :math:`= P(y_t \mid x^t, y^{t-1}) = P_\theta(y_t \mid \text{prompt}, x_1 y_1 \dots y_{t-1} x_t)`
    (:func:`interaction_channel`).  The channel depends on its own past outputs (its state holds them); the
    user has feedback when it depends on them too.  Every history is enumerated: :math:`V^{2t-1}` at step
    :math:`t`.  Chapter 4.

    Parameters
    ----------
    model : LanguageModel
        The LLM.
    user : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs), a callable
        ``user(x_hist, y_hist) -> pmf`` (e.g. :func:`echo_inputs`, :func:`lm_inputs`), or a memory-one kernel
        ``user[x_prev, y_prev, x]`` of shape ``(V, V, V)`` (e.g. :func:`semtheory.semantic.echo_user`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.
    first : array_like, shape (V,), keyword-only, optional
        With a kernel ``user`` only: the law of :math:`X_1`; default uniform.

    Returns
    -------
    tuple of (list, list)
        ``(policy, channel)``: n kernels each, probabilities in :mod:`semtheory.directed`'s layout.
    """
    model, n, pre, (fn, K, f) = _check_interaction(model, user, n, prompt, first)
    return _user_kernels(fn, K, f, n, model.vocab_size), _interaction_channel(model, n, pre)


def _check_interaction(model, user, n, prompt, first):
    """The public boundary of interaction_kernels and interaction_law: the model, n, the prompt, the user."""
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    pre = model.check_tokens(prompt, "prompt")
    parts = _as_user(user, V, first)
    if float(V) ** (2 * n) > _LAW_CELLS:
        raise ValueError(f"n={n} with vocab_size={V} gives a joint law larger than {_LAW_CELLS} cells")
    return model, n, pre, parts


def _user_kernels(fn, K, f, n: int, V: int) -> list[np.ndarray]:
    if fn is None:
        return directed.unit_memory_policy(f, K, n)

    def pol_fn(t, xh, yh):
        return np.stack([_user_pmf(fn, xh[i], yh[i], V) for i in range(xh.shape[0])])

    return directed.policy_from_function(pol_fn, n, V, V)


def interaction_law(model: LanguageModel, user: ArrayLike | Callable[..., ArrayLike], n: int, *,
                    prompt: Sequence[int] = (), first: ArrayLike | None = None,
                    channel: Sequence[ArrayLike] | None = None) -> FloatArray:
    r"""Exact joint law :math:`P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n)` of a user's inputs and the LLM's outputs.

    .. math:: P(x^n, y^n) = \prod_{t=1}^n P(x_t \mid x^{t-1}, y^{t-1})\,
              P_\theta(y_t \mid \text{prompt}, x_1 y_1 \dots y_{t-1} x_t),

    the kernels of :func:`interaction_kernels` multiplied by :func:`semtheory.directed.joint_law`; axes
    :math:`X_1..X_n, Y_1..Y_n` (each of size ``vocab_size``), ready for
    :func:`semtheory.directed.directed_information`, :func:`~semtheory.directed.sequence_mutual_information`
    and :func:`~semtheory.directed.conservation`.  With a user who ignores past outputs,
    :math:`I(X^n \to Y^n) = I(X^n; Y^n)`; with feedback the difference is the reverse directed information
    :math:`I(0{*}Y^{n-1} \to X^n)`.  ``channel``: the kernels of :func:`interaction_channel`
    ``(model, n, prompt=prompt)`` if already computed (to compare several users at the cost of one table).
    Chapters 4, 7, 14.

    Parameters
    ----------
    model : LanguageModel
        The LLM.
    user : array_like or callable
        The input process: a pmf over the ``vocab_size`` tokens (i.i.d. inputs), a callable
        ``user(x_hist, y_hist) -> pmf`` (e.g. :func:`echo_inputs`, :func:`lm_inputs`), or a memory-one kernel
        ``user[x_prev, y_prev, x]`` of shape ``(V, V, V)`` (e.g. :func:`semtheory.semantic.echo_user`).
    n : int
        Number of rounds, >= 1.
    prompt : sequence of int, keyword-only, default ``()``
        Tokens read before the first round.
    first : array_like, shape (V,), keyword-only, optional
        With a kernel ``user`` only: the law of :math:`X_1`; default uniform.
    channel : list of numpy.ndarray, keyword-only, optional
        The kernels of :func:`interaction_channel` ``(model, n, prompt=prompt)``, if already computed.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * (2 n)
        The joint pmf of :math:`(X^n, Y^n)` (probabilities), axes :math:`X_1 \dots X_n, Y_1 \dots Y_n`.
    """
    model, n, pre, (fn, K, f) = _check_interaction(model, user, n, prompt, first)
    V = model.vocab_size
    if channel is None:
        channel = _interaction_channel(model, n, pre)
    elif len(channel) != n:
        raise ValueError(f"channel must hold the n = {n} kernels of interaction_channel(model, {n}), got {len(channel)}")
    return directed.joint_law(_user_kernels(fn, K, f, n, V), channel)


def prompt_generation_law(model: LanguageModel, prompt_law: ArrayLike, n: int) -> FloatArray:
    r"""Joint law of a whole prompt :math:`X` (drawn first) and the ``n`` tokens :math:`Y^n` generated after it.

    ``prompt_law`` is a pmf over prompts of length :math:`m`, shape ``(V,) * m``.  The result is in
    :mod:`semtheory.directed`'s layout with the prompt as the single input symbol :math:`X_1` (an axis of size
    :math:`V^m`, prompts in C order), :math:`X_2, \dots, X_n` constant (axes of size 1) and :math:`Y_1..Y_n`:
    :math:`P(x, y^n) = P(x) \prod_t P_\theta(y_t \mid x, y^{t-1})`.  Since the prompt is fixed before any
    output, there is no feedback: :math:`I(X^n \to Y^n) = I(X; Y^n)`, and the per-step terms
    :math:`I(X; Y_t \mid Y^{t-1})` say how much of it each generated token carries.  A
    :class:`~semtheory.transformer.Transformer` whose window holds prompt and generation is read once per
    position, all prompts and continuations in one batch (:func:`semtheory.semantic.next_token_table` at the last
    prefix); any other model walks :func:`sequence_law` prompt by prompt.  Chapters 4, 7.

    Parameters
    ----------
    model : LanguageModel
        The LLM.
    prompt_law : array_like, shape (V,) * m
        The pmf of the prompt :math:`X^m`.
    n : int
        Number of generated tokens, >= 1.

    Returns
    -------
    numpy.ndarray of float
        The joint pmf of prompt and generation (probabilities), in :mod:`semtheory.directed`'s layout:
        shape ``(V**m,) + (1,) * (n - 1) + (V,) * n``.
    """
    model = check_model(model)
    n = check_int(n, "n", minimum=1)
    V = model.vocab_size
    q = as_pmf(prompt_law, "prompt_law")
    if any(s != V for s in q.shape):
        raise ValueError(f"prompt_law must have shape (V,)*m with V = {V}, got {q.shape}")
    m = q.ndim
    if q.size * V**n > _LAW_CELLS:
        raise ValueError(f"prompt_law and n={n} give more than {_LAW_CELLS} cells")
    prompts = np.indices(q.shape).reshape(m, -1).T
    if _batchable(model, m + n - 1):
        rows = np.exp(_batched_logw(model, prompts, n))
    else:
        rows = np.stack([sequence_law(model, n, prompt=pr) for pr in prompts])
    law = q.reshape(-1, *([1] * n)) * rows
    return law.reshape((q.size,) + (1,) * (n - 1) + (V,) * n)


def _batchable(model, length: int) -> bool:
    """A Transformer whose window holds ``length`` tokens after BOS can be read in batched causal passes."""
    import sys

    tmod = sys.modules.get("semtheory.transformer")  # a Transformer exists only if its module was imported
    return tmod is not None and isinstance(model, tmod.Transformer) and length + 1 <= model.context_length


_BATCH_TABLE_CELLS = 2**23  # largest table (rows x positions x V) read in one causal pass by _batched_logw


def _batched_logw(model, prompts: np.ndarray, n: int) -> np.ndarray:
    r"""Natural-log law :math:`\ln P(y^n \mid x)` of the ``n`` tokens after each row ``x`` of ``prompts`` (K, m).

    Shape ``(K,) + (V,) * n``.  One causal pass over the :math:`K V^{n-1}` rows ``(x, y^{n-1})`` gives the
    next-token law after every prefix (``semantic.next_token_table``); the law of :math:`y_{t+1}` given
    :math:`y^t` is read from the row that continues :math:`y^t` with zeros, so every history uses one law
    and the result sums to 1 to double round-off.  A table larger than :data:`_BATCH_TABLE_CELLS` cells is
    built once per position instead (:math:`K V^t` rows at step :math:`t`).
    """
    from ..core.tables import next_token_table

    V = model.vocab_size
    K, m = prompts.shape
    if K * V**n * n > _BATCH_TABLE_CELLS:
        logw = np.zeros(K)
        for t in range(n):  # one batched pass per position over every (prompt, y^t)
            ys = np.indices((V,) * t).reshape(t, -1).T if t else np.zeros((1, 0), dtype=np.int64)
            ctx = np.concatenate([np.repeat(prompts, len(ys), axis=0), np.tile(ys, (K, 1))], axis=1)
            logw = (logw[:, None] + _batched_logprobs(model, ctx)).reshape(-1)
        return logw.reshape((K,) + (V,) * n)
    ys = np.indices((V,) * (n - 1)).reshape(n - 1, -1).T if n > 1 else np.zeros((1, 0), dtype=np.int64)
    ctx = np.concatenate([np.repeat(prompts, len(ys), axis=0), np.tile(ys, (K, 1))], axis=1)
    tab = _normalised(next_token_table(model, ctx, start=m)).reshape((K,) + (V,) * (n - 1) + (n, V))
    logw = np.zeros((K,) + (V,) * n)
    for t in range(n):
        lt = tab[(slice(None),) * (t + 1) + (0,) * (n - 1 - t) + (t,)]  # (K,) + (V,)*t + (V,): y_{t+1} | x, y^t
        logw += lt.reshape(lt.shape + (1,) * (n - 1 - t))
    return logw


def _normalised(lp: np.ndarray) -> np.ndarray:
    """``lp`` after checking every last-axis row is a normalised log-pmf (to :data:`NORM_ATOL`).

    The rows are log-softmaxes (every entry <= 0 up to round-off), so ``log(sum(exp))`` cannot overflow; a NaN
    or +inf fails the check.
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = np.log(np.exp(lp).sum(axis=-1))
    if not np.all(np.abs(z) <= NORM_ATOL):
        raise ValueError("model returned next-token log-laws that are not normalised")
    return lp


def _batched_logprobs(model, ctx: np.ndarray) -> np.ndarray:
    """Next-token log-laws after every row of ``ctx`` (B, L), in one batched pass; rows checked as log-pmfs."""
    from ..core.tables import next_token_table

    return _normalised(next_token_table(model, ctx, start=ctx.shape[1])[:, 0])


register_batched_route(_batchable, _batched_logw)  # sequence_law (core) reads a Transformer in batched passes
