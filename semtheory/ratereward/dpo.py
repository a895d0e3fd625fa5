"""DPO: the implicit reward, Bradley–Terry preferences, the DPO loss and its seeded torch fits (chapter 6)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import expit, logsumexp

from ..core.types import ArrayLike, FloatArray, SeedLike
from .._validate import as_float, as_pmf, as_rng, as_stochastic, check_int, check_positive, torch_seed
from ._common import as_reward, check_kl_weight, log


def implicit_reward(logpolicy: ArrayLike, logref: ArrayLike, kl_weight: float) -> np.ndarray:
    r"""DPO's implicit reward :math:`\hat r = \beta \log \frac{\pi(y)}{\pi_{\mathrm{ref}}(y)}` from natural-log probabilities.

    For the Gibbs optimum :math:`\hat r = r - \beta \log Z` (per prompt): the reward up to a constant, which
    Bradley–Terry preferences cannot see.  ``inf``/``nan`` entries are not allowed where the reference has
    mass; entries with both log-probabilities :math:`-\infty` give :math:`-\infty`.  Reward units.  Chapter 6.

    Parameters
    ----------
    logpolicy : array_like, shape (K,) or (prompts, K)
        Natural-log probabilities of the policy.
    logref : array_like, shape of ``logpolicy``
        Natural-log probabilities of the reference.
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    numpy.ndarray, shape of ``logpolicy``
        :math:`\hat r`, in reward units.

    Examples
    --------
    >>> import numpy as np
    >>> from semtheory.ratereward import gibbs_logpolicy, implicit_reward
    >>> ref, r = np.array([0.5, 0.5]), np.array([0.0, 1.0])
    >>> h = implicit_reward(gibbs_logpolicy(ref, r, 1.0), np.log(ref), 1.0)
    >>> round(float(h[1] - h[0]), 12)  # the reward difference, the constant beta log Z cancels
    1.0
    """
    lp = _as_logs(logpolicy, "logpolicy")
    lr = _as_logs(logref, "logref")
    if lp.shape != lr.shape:
        raise ValueError(f"logpolicy and logref must have the same shape, got {lp.shape} and {lr.shape}")
    b = check_kl_weight(kl_weight)
    both = np.isneginf(lp) & np.isneginf(lr)
    if np.any(np.isneginf(lr) & ~np.isneginf(lp)):
        raise ValueError("logpolicy puts mass where logref has none (infinite implicit reward)")
    with np.errstate(invalid="ignore"):
        return np.where(both, -np.inf, b * (lp - np.where(both, 0.0, lr)))


def _as_logs(x, name: str) -> np.ndarray:
    try:
        a = as_float(x, name)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of log-probabilities") from None
    if a.size == 0 or np.isnan(a).any() or np.isposinf(a).any() or np.any(a > 1e-9):
        raise ValueError(f"{name} must hold log-probabilities (<= 0, no NaN)")
    return a


def bradley_terry(reward_a: ArrayLike, reward_b: ArrayLike) -> float | FloatArray:
    r"""Bradley–Terry probability that :math:`a` is preferred: :math:`P(a \succ b) = \sigma(r_a - r_b) = 1/(1 + e^{r_b - r_a})`.

    Vectorised; invariant under adding a constant to both rewards.  Chapter 6.

    Parameters
    ----------
    reward_a, reward_b : float or array_like
        Finite rewards of the two responses (reward units), broadcastable against each other.

    Returns
    -------
    float or numpy.ndarray
        :math:`P(a \succ b)`, a probability (a float for scalar rewards).

    Examples
    --------
    >>> from semtheory.ratereward import bradley_terry
    >>> bradley_terry(1.0, 1.0)
    0.5
    """
    ra = as_float(reward_a, "reward_a")
    rb = as_float(reward_b, "reward_b")
    if not (np.all(np.isfinite(ra)) and np.all(np.isfinite(rb))):
        raise ValueError("reward_a and reward_b must be finite")
    out = expit(ra - rb)
    return float(out) if np.ndim(out) == 0 else out


class PreferenceData(NamedTuple):
    """A preference data set: for each pair, the ``prompts`` index, the ``chosen`` and the ``rejected`` response.

    Attributes
    ----------
    prompts : numpy.ndarray of int, shape (m,)
        The prompt index of each pair.
    chosen : numpy.ndarray of int, shape (m,)
        The preferred response of each pair.
    rejected : numpy.ndarray of int, shape (m,)
        The other response of each pair.
    """

    prompts: np.ndarray
    chosen: np.ndarray
    rejected: np.ndarray


def _ref2d(ref, reward, name="ref") -> tuple[np.ndarray, np.ndarray]:
    """(ref as a (prompts, K) table, reward broadcast to it)."""
    P = as_stochastic(ref, name)
    if P.ndim not in (1, 2):
        raise ValueError(f"{name} must be a pmf (K,) or a table (prompts, K), got shape {P.shape}")
    r = np.array(as_reward(reward, P.shape), dtype=float)
    return np.atleast_2d(P), np.atleast_2d(r)


def sample_preferences(ref: ArrayLike, reward: ArrayLike, n_pairs: int, *, prompt_law: ArrayLike | None = None,
                       seed: SeedLike = None) -> PreferenceData:
    r"""Sample ``n_pairs`` Bradley–Terry comparisons of two responses drawn from the reference.

    For each pair: a prompt :math:`x \sim` ``prompt_law`` (uniform by default), two responses
    :math:`y, y' \sim \pi_{\mathrm{ref}}(\cdot \mid x)` independently, and :math:`y` is *chosen* with probability
    :math:`\sigma(r(x,y) - r(x,y'))` (:func:`bradley_terry`).  ``ref`` is ``(K,)`` or ``(prompts, K)``;
    ``reward`` broadcastable to it.  With the implicit reward of the Gibbs optimum as ``reward`` this samples
    the optimum's own Bradley–Terry model.  Deterministic under ``seed``.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,) or (prompts, K)
        The reference policy, a pmf over the last axis.
    reward : array_like
        A finite reward, broadcastable to ``ref`` (reward units).
    n_pairs : int
        Number of comparisons, >= 1.
    prompt_law : array_like, shape (prompts,), keyword-only, optional
        Law of the prompts (default uniform).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws (None: fresh entropy).

    Returns
    -------
    PreferenceData
        The sampled comparisons, ``n_pairs`` of them.
    """
    P, r = _ref2d(ref, reward)
    m = check_int(n_pairs, "n_pairs", minimum=1)
    X, K = P.shape
    w = np.full(X, 1.0 / X) if prompt_law is None else as_pmf(prompt_law, "prompt_law", ndim=1)
    if w.size != X:
        raise ValueError(f"prompt_law must have {X} entries, got {w.size}")
    rng = as_rng(seed)
    x = rng.choice(X, size=m, p=w)
    cdf = np.cumsum(P, axis=1)
    cdf[:, -1] = 1.0
    y1 = (rng.random(m)[:, None] > cdf[x]).sum(axis=1)
    y2 = (rng.random(m)[:, None] > cdf[x]).sum(axis=1)
    first = rng.random(m) < expit(r[x, y1] - r[x, y2])
    return PreferenceData(x, np.where(first, y1, y2), np.where(first, y2, y1))


def _check_data(data, X: int, K: int) -> PreferenceData:
    if not isinstance(data, PreferenceData):
        raise ValueError("data must be a PreferenceData(prompts, chosen, rejected)")
    arrs = [np.asarray(a) for a in data]
    if any(a.ndim != 1 for a in arrs) or len({a.size for a in arrs}) != 1 or arrs[0].size == 0:
        raise ValueError("data must hold three 1-D integer arrays of the same positive length")
    for a, hi, nm in zip(arrs, (X, K, K), ("prompts", "chosen", "rejected")):
        if a.dtype.kind not in "iu" or a.min() < 0 or a.max() >= hi:
            raise ValueError(f"data.{nm} must hold integer indices in [0, {hi})")
    return PreferenceData(*arrs)


def dpo_loss(logpolicy: ArrayLike, logref: ArrayLike, data: PreferenceData, kl_weight: float) -> float:
    r"""The DPO loss on a preference data set (nats per pair).

    .. math::

        L(\pi) = -\frac1m \sum_{i=1}^m \log \sigma\Big(\beta \log\frac{\pi(y^w_i \mid x_i)}{\pi_{\mathrm{ref}}(y^w_i \mid x_i)}
        - \beta \log\frac{\pi(y^l_i \mid x_i)}{\pi_{\mathrm{ref}}(y^l_i \mid x_i)}\Big),

    the Bradley–Terry negative log-likelihood with the implicit reward of :math:`\pi` as the reward
    (Rafailov et al. 2023).  ``logpolicy``, ``logref``: ``(K,)`` or ``(prompts, K)`` natural-log tables.
    A pair whose chosen response has probability 0 under the policy gives ``inf``; a response compared with
    itself contributes :math:`\log 2`; two distinct responses both of policy probability 0 are undefined
    (``ValueError``) unless another pair already makes the loss infinite.  Chapter 6.

    Parameters
    ----------
    logpolicy : array_like, shape (K,) or (prompts, K)
        Natural-log probabilities of the policy.
    logref : array_like, shape of ``logpolicy``
        Natural-log probabilities of the reference.
    data : PreferenceData
        The comparisons (prompt index, chosen response, rejected response).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    float
        The mean loss in nats per pair (``inf`` as described above).
    """
    lp = np.atleast_2d(_as_logs(logpolicy, "logpolicy"))
    lr = np.atleast_2d(_as_logs(logref, "logref"))
    if lp.shape != lr.shape:
        raise ValueError(f"logpolicy and logref must have the same shape, got {lp.shape} and {lr.shape}")
    b = check_kl_weight(kl_weight)
    d = _check_data(data, *lp.shape)
    h = implicit_reward(lp, lr, b)
    same = d.chosen == d.rejected  # a response against itself: difference 0, even where its reward is -inf
    with np.errstate(invalid="ignore"):
        z = np.where(same, 0.0, h[d.prompts, d.chosen] - h[d.prompts, d.rejected])
        terms = np.logaddexp(0.0, -z)
    return _softplus_total(terms, "a pair of data", np.mean)


def _softplus_total(terms: np.ndarray, where: str, reduce) -> float:
    """``reduce(terms)`` for non-negative terms; a NaN term (two responses of probability 0 under the policy,
    implicit rewards -inf - (-inf)) lies in [0, inf], so the total is inf if another term is inf, else undefined."""
    bad = np.isnan(terms)
    if not bad.any():
        return float(reduce(terms))
    if np.isposinf(terms[~bad]).any():
        return math.inf
    raise ValueError(f"logpolicy gives probability 0 to both responses of {where} (implicit rewards -inf - (-inf)): "
                     "the DPO loss is undefined")


def expected_dpo_loss(logpolicy: ArrayLike, ref: ArrayLike, reward: ArrayLike, kl_weight: float, *,
                      prompt_law: ArrayLike | None = None) -> float:
    r"""The population DPO loss: the expectation of :func:`dpo_loss` under :func:`sample_preferences`'s law.

    .. math::

        \bar L(\pi) = \E_x \sum_{y, y'} \pi_{\mathrm{ref}}(y|x)\,\pi_{\mathrm{ref}}(y'|x)\,
        \Big[\sigma(\Delta r)\, \mathrm{softplus}(-\Delta \hat r_\pi) + \sigma(-\Delta r)\, \mathrm{softplus}(\Delta \hat r_\pi)\Big],

    with :math:`\Delta r = r(x,y) - r(x,y')` and :math:`\Delta\hat r_\pi` the same difference of the implicit reward,

    minimised exactly when :math:`\hat r_\pi = r + c(x)` on the support, i.e. at the Gibbs optimum.  Nats.
    A policy of probability 0 on a response the reference supports gives ``inf`` (no NaN), as in :func:`dpo_loss`.
    Chapter 6.

    Parameters
    ----------
    logpolicy : array_like, shape (K,) or (prompts, K)
        Natural-log probabilities of the policy.
    ref : array_like, shape of ``logpolicy``
        The reference policy (probabilities), a pmf over the last axis.
    reward : array_like
        The reward that generates the preferences, broadcastable to ``ref`` (reward units).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    prompt_law : array_like, shape (prompts,), keyword-only, optional
        Law of the prompts (default uniform).

    Returns
    -------
    float
        :math:`\bar L(\pi)`, in nats per pair.
    """
    P, r = _ref2d(ref, reward)
    lp = np.atleast_2d(_as_logs(logpolicy, "logpolicy"))
    if lp.shape != P.shape:
        raise ValueError(f"logpolicy must have shape {P.shape}, got {lp.shape}")
    b = check_kl_weight(kl_weight)
    X = P.shape[0]
    w = np.full(X, 1.0 / X) if prompt_law is None else as_pmf(prompt_law, "prompt_law", ndim=1)
    if w.size != X:
        raise ValueError(f"prompt_law must have {X} entries, got {w.size}")
    with np.errstate(invalid="ignore"):
        h = np.where(P > 0, b * (lp - log(np.where(P > 0, P, 1.0))), 0.0)
    same = np.eye(P.shape[1], dtype=bool)[None]  # y against itself: difference 0, even where h(y) = -inf
    with np.errstate(invalid="ignore"):
        dz = np.where(same, 0.0, h[:, :, None] - h[:, None, :])
        pref = expit(r[:, :, None] - r[:, None, :])
        pair = P[:, :, None] * P[:, None, :]
        terms = np.where(pair > 0, pair * (pref * np.logaddexp(0.0, -dz) + (1.0 - pref) * np.logaddexp(0.0, dz)), 0.0)
    return _softplus_total(np.where(w[:, None, None] > 0, w[:, None, None] * terms, 0.0),  # prompts of probability 0 do not count
                           "two responses the reference supports", np.sum)


class DPOFit(NamedTuple):
    """Result of :func:`fit_dpo`: the fitted natural-log ``logpolicy`` (prompts, K) and the training ``losses``.

    Attributes
    ----------
    logpolicy : numpy.ndarray, shape of ``logref``
        The fitted policy, natural-log probabilities.
    losses : numpy.ndarray, shape (steps,)
        The DPO loss at each step, nats per pair.
    """

    logpolicy: np.ndarray
    losses: np.ndarray


def fit_dpo(logref: ArrayLike, data: PreferenceData, kl_weight: float, *, steps: int = 400, lr: float = 0.1,
            seed: SeedLike = 0) -> DPOFit:
    r"""Fit a tabular policy :math:`\pi_\theta(y|x) = \softmax(\theta_x)_y` by minimising :func:`dpo_loss` with torch.

    Returns log-probabilities with the shape of ``logref`` (``(K,)`` or ``(prompts, K)``).  Full-batch Adam (written out) on
    CPU in float64 (``steps`` iterations, learning rate ``lr``), started at the reference
    plus a small perturbation drawn from ``torch.Generator().manual_seed(seed)``: deterministic under
    ``seed``.  The loss is evaluated on the pair counts, so its cost does not grow with the data.  With
    enough preference data from the Gibbs optimum's Bradley–Terry model the fit recovers
    :math:`\pi^*_\beta`.  ``logref`` must have full support.  Chapter 6.

    Parameters
    ----------
    logref : array_like, shape (K,) or (prompts, K)
        Natural-log probabilities of the reference, full support, normalised on each row.
    data : PreferenceData
        The comparisons (prompt index, chosen response, rejected response).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    steps : int, keyword-only, default 400
        Number of Adam steps, >= 1.
    lr : float, keyword-only, default 0.1
        Learning rate, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initial perturbation (an int seeds torch's generator; a Generator gives one draw that does;
        None: fresh entropy).

    Returns
    -------
    DPOFit
        The fitted log-policy (nats) and the training losses (nats per pair).
    """
    import torch

    lr_ = np.atleast_2d(_as_logs(logref, "logref"))
    if not np.all(np.isfinite(lr_)):
        raise ValueError("logref must give every response positive probability for fit_dpo")
    if np.any(np.abs(logsumexp(lr_, axis=1)) > 1e-9):
        raise ValueError("logref must be a normalised log-pmf on each row")
    b = check_kl_weight(kl_weight)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    X, K = lr_.shape
    d = _check_data(data, X, K)
    counts = np.zeros((X, K, K))
    np.add.at(counts, (d.prompts, d.chosen, d.rejected), 1.0)
    counts /= counts.sum()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: thread start-up would dominate; restored below
    try:
        return _adam_dpo(torch, lr_, counts, b, steps, lr, seed, np.ndim(logref) == 1)
    finally:
        torch.set_num_threads(threads)


def _adam_dpo(torch, lr_, counts, b, steps, lr, seed, one_d) -> DPOFit:
    # Adam (Kingma & Ba 2015) written out: torch.optim's first use imports the compiler stack (seconds)
    X, K = lr_.shape
    gen = torch.Generator().manual_seed(seed)
    ref_t = torch.tensor(lr_, dtype=torch.float64)
    theta = (ref_t + 0.01 * torch.randn(X, K, generator=gen, dtype=torch.float64)).requires_grad_(True)
    C = torch.tensor(counts, dtype=torch.float64)
    m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    losses = np.empty(steps)
    for i in range(steps):
        logpi = torch.log_softmax(theta, dim=1)
        h = b * (logpi - ref_t)
        z = h[:, :, None] - h[:, None, :]
        loss = (C * torch.nn.functional.softplus(-z)).sum()
        (g,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            m1.mul_(b1).add_(g, alpha=1 - b1)
            m2.mul_(b2).addcmul_(g, g, value=1 - b2)
            step = lr * (m1 / (1 - b1 ** (i + 1))) / ((m2 / (1 - b2 ** (i + 1))).sqrt() + eps)
            theta -= step
        losses[i] = float(loss.detach())
    with torch.no_grad():
        out = torch.log_softmax(theta, dim=1).numpy().copy()
    return DPOFit(out[0] if one_d else out, losses)


class ARDPOFit(NamedTuple):
    r"""Result of :func:`fit_dpo_autoregressive`.

    ``kernels[t, c, v]`` = :math:`\log\pi_\theta(y_{t+1} = v \mid \text{position } t+1,\ y_t = c)` (natural log; at the
    first position the row ``c = first`` is used), ``logpolicy`` the induced natural-log law of the
    :math:`V^n` sequences (row-major, as :func:`semtheory.channel.sequence_law` ravels), ``losses`` the
    training losses.

    Attributes
    ----------
    kernels : numpy.ndarray, shape (n, V, V)
        The fitted per-token conditionals, natural logs.
    logpolicy : numpy.ndarray, shape (V**n,)
        The induced law of the sequences, natural logs, row-major.
    losses : numpy.ndarray, shape (steps,)
        The DPO loss at each step, nats per pair.
    """

    kernels: np.ndarray
    logpolicy: np.ndarray
    losses: np.ndarray


def _ar_index(V: int, n: int, first: int) -> tuple[np.ndarray, np.ndarray]:
    """For every sequence (row-major), the (context, token) index at each position: shapes (V^n, n)."""
    seqs = np.array(list(np.ndindex(*((V,) * n))), dtype=np.int64).reshape(-1, n)
    prev = np.concatenate([np.full((seqs.shape[0], 1), first, dtype=np.int64), seqs[:, :-1]], axis=1)
    return prev, seqs


def fit_dpo_autoregressive(logref: ArrayLike, data: PreferenceData, kl_weight: float, n: int, vocab_size: int, *,
                           first_token: int = 0, steps: int = 400, lr: float = 0.1, seed: SeedLike = 0) -> ARDPOFit:
    r"""Fit an autoregressive, per-token policy by DPO: :math:`\pi_\theta(y^n) = \prod_t \softmax(\theta_{t, y_{t-1}})_{y_t}`.

    The policy is a position-dependent first-order model: one logit vector per (position :math:`t`, previous
    token :math:`y_{t-1}`), with :math:`y_0` = ``first_token`` (the last prompt token), so :math:`n V^2` logits instead of
    a table over the :math:`V^n` sequences.  Its sequence log-probability is the sum of the per-token
    log-softmaxes, and the DPO loss (:func:`dpo_loss`) is the one of the induced sequence law against
    ``logref`` (natural logs over the :math:`V^n` sequences, row-major; full support).  ``data`` indexes sequences
    (one prompt).  Full-batch Adam in float64 on CPU, started at the reference's own per-token conditionals
    :math:`\pi_{\mathrm{ref}}(y_t \mid t, y_{t-1})` plus a perturbation from ``torch.Generator().manual_seed(seed)``:
    deterministic under ``seed``.  When the Gibbs optimum lies in this family (for instance a first-order
    Markov reference with a reward that adds per-token terms and a last-token term) the fit can recover it
    exactly.  Chapter 6.

    Parameters
    ----------
    logref : array_like, shape (vocab_size**n,)
        Natural-log probabilities of the reference's sequences (row-major), full support, normalised.
    data : PreferenceData
        The comparisons (prompt index, chosen response, rejected response).
        Its ``chosen`` and ``rejected`` index sequences; one prompt (index 0).
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    n : int
        Sequence length, between 1 and 12.
    vocab_size : int
        Vocabulary size :math:`V`, between 2 and 64 (at most :math:`2^{16}` sequences).
    first_token : int, keyword-only, default 0
        The token :math:`y_0` before the first position (the last prompt token).
    steps : int, keyword-only, default 400
        Number of Adam steps, >= 1.
    lr : float, keyword-only, default 0.1
        Learning rate, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the initial perturbation (an int seeds torch's generator; a Generator gives one draw that does;
        None: fresh entropy).

    Returns
    -------
    ARDPOFit
        The fitted per-token kernels and sequence law (natural logs) and the training losses (nats per pair).
    """
    import torch

    V = check_int(vocab_size, "vocab_size", minimum=2, maximum=64)
    n = check_int(n, "n", minimum=1, maximum=12)
    first_token = check_int(first_token, "first_token", minimum=0, maximum=V - 1)
    if V**n > 2**16:
        raise ValueError(f"vocab_size**n = {V**n} sequences is too many for fit_dpo_autoregressive")
    lref = _as_logs(logref, "logref")
    if lref.shape != (V**n,):
        raise ValueError(f"logref must hold the log-probabilities of the {V**n} sequences, got shape {lref.shape}")
    if not np.all(np.isfinite(lref)) or abs(logsumexp(lref)) > 1e-9:
        raise ValueError("logref must be a normalised log-pmf with full support")
    b = check_kl_weight(kl_weight)
    if b == 0.0:
        raise ValueError("kl_weight must be > 0 for fit_dpo_autoregressive")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    d = _check_data(data, 1, V**n)
    counts = np.zeros((V**n, V**n))
    np.add.at(counts, (d.chosen, d.rejected), 1.0)
    counts /= counts.sum()
    prev, tok = _ar_index(V, n, first_token)
    # the reference's per-token conditionals pi_ref(y_t | t, y_{t-1}) (exact for a Markov reference)
    pref = np.exp(lref)
    init = np.zeros((n, V, V))
    for t in range(n):
        joint = np.zeros((V, V))
        np.add.at(joint, (prev[:, t], tok[:, t]), pref)
        init[t] = np.log(np.maximum(joint, 1e-300)) - np.log(np.maximum(joint.sum(axis=1, keepdims=True), 1e-300))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        gen = torch.Generator().manual_seed(seed)
        theta = torch.tensor(init, dtype=torch.float64)
        theta = (theta + 0.01 * torch.randn(theta.shape, generator=gen, dtype=torch.float64)).requires_grad_(True)
        P_t, T_t = torch.tensor(prev), torch.tensor(tok)
        pos = torch.arange(n).expand_as(P_t)
        ref_t, C = torch.tensor(lref, dtype=torch.float64), torch.tensor(counts, dtype=torch.float64)
        m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
        b1, b2, eps = 0.9, 0.999, 1e-8
        losses = np.empty(steps)

        def seq_logpi(th):
            return torch.log_softmax(th, dim=2)[pos, P_t, T_t].sum(dim=1)

        for i in range(steps):
            h = b * (seq_logpi(theta) - ref_t)
            loss = (C * torch.nn.functional.softplus(-(h[:, None] - h[None, :]))).sum()
            (g,) = torch.autograd.grad(loss, theta)
            with torch.no_grad():
                m1.mul_(b1).add_(g, alpha=1 - b1)
                m2.mul_(b2).addcmul_(g, g, value=1 - b2)
                theta -= lr * (m1 / (1 - b1 ** (i + 1))) / ((m2 / (1 - b2 ** (i + 1))).sqrt() + eps)
            losses[i] = float(loss.detach())
        with torch.no_grad():
            kern = torch.log_softmax(theta, dim=2).numpy().copy()
            lp = seq_logpi(theta).numpy().copy()
    finally:
        torch.set_num_threads(threads)
    return ARDPOFit(kern, lp, losses)
