"""Sampling by iterative unmasking: the unmask schedule, the sampler and its exact law, the sampling run laid
out as two processes along the steps, and sample quality.  Chapter 16 (see :mod:`semtheory.diffusion`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from .. import measures
from .._validate import as_pmf, as_rng, as_token_ids, check_choice, check_int, log_base, torch_seed
from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike
from ._common import (
    MAX_CELLS,
    all_sequences,
    check_law,
    check_order,
    check_table,
    flat_table,
    row_index,
)
from .predictor import MaskPredictor

_REMASKING = ("random", "low_confidence")


def unmask_schedule(n: int, steps: int) -> IntArray:
    r"""Tokens revealed at each step: :math:`k_s = \lfloor sn/S\rfloor - \lfloor (s-1)n/S\rfloor`, :math:`s = 1..S`.

    The masked count after step :math:`s` is :math:`n - \lfloor sn/S \rfloor \approx n t_s` on the linear
    grid :math:`t_s = 1 - s/S` of LLaDA's reverse process.  ``steps`` :math:`S` in ``1..n``.  Chapter 16.

    Parameters
    ----------
    n : int
        :math:`n`.
    steps : int
        :math:`S` in ``1..n``.

    Returns
    -------
    numpy.ndarray of int, shape (steps,)
        Tokens revealed per step (they sum to ``n``).
    """
    n = check_int(n, "n", minimum=1)
    S = check_int(steps, "steps", minimum=1, maximum=n)
    s = np.arange(S + 1)
    return np.diff(s * n // S)


def _predict_fn(predictor):
    """(n, V, fn) where fn maps partially masked sequences (B, n) to laws (B, n, V)."""
    if isinstance(predictor, MaskPredictor):
        return predictor.n, predictor.vocab_size, predictor.predict
    q, n, V = check_table(predictor, "predictor")
    qf = flat_table(q, n, V)
    return n, V, lambda z: qf[row_index(z, n, V)]


class Samples(NamedTuple):
    r"""``tokens`` (N, n) the samples; ``step`` (N, n) the denoising step (1..S) at which each position was revealed.

    Attributes
    ----------
    tokens : numpy.ndarray of int64, shape (N, n)
        The samples.
    step : numpy.ndarray of int64, shape (N, n)
        The step (1..S) at which each position was revealed.
    """

    tokens: np.ndarray
    step: np.ndarray


def sample(predictor: ArrayLike | MaskPredictor, n_samples: int, *, steps: int, remasking: str = "random",
           seed: SeedLike = None) -> Samples:
    r"""LLaDA's reverse process: start from :math:`M^n`; at step :math:`s` predict every masked token, keep :math:`k_s`, remask the rest.

    At each step every masked position draws a candidate :math:`\hat x^i \sim q(\cdot\mid z)` (temperature 1);
    ``remasking="random"`` keeps :math:`k_s` (:func:`unmask_schedule`) masked positions chosen uniformly,
    ``"low_confidence"`` keeps the :math:`k_s` candidates of highest confidence :math:`q(\hat x^i\mid z)` (ties:
    lower position first) and remasks the others.  Revealed tokens are never changed.  ``predictor`` is a table
    or a :class:`MaskPredictor`.  Deterministic under ``seed``.  Chapter 16.

    Parameters
    ----------
    predictor : array_like or MaskPredictor
        A predictor table (shape ``(V+1,)*n + (n, V)``) or a trained :class:`MaskPredictor`.
    n_samples : int
        :math:`N`.
    steps : int, keyword-only
        :math:`S` in ``1..n``.
    remasking : {"random", "low_confidence"}, keyword-only, default "random"
        The remasking rule.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws.

    Returns
    -------
    Samples
        The sequences and their reveal steps.
    """
    n, V, fn = _predict_fn(predictor)
    N = check_int(n_samples, "n_samples", minimum=1)
    ks = unmask_schedule(n, steps)
    remasking = check_choice(remasking, "remasking", _REMASKING)
    rng = as_rng(seed)
    z = np.full((N, n), V, dtype=np.int64)
    when = np.zeros((N, n), dtype=np.int64)
    rows = np.arange(N)[:, None]
    for s, k in enumerate(ks, start=1):
        probs = fn(z)  # (N, n, V)
        cum = np.cumsum(probs, axis=-1)
        u = rng.random((N, n, 1))
        cand = np.minimum((u * cum[..., -1:] > cum).sum(axis=-1), V - 1)
        conf = np.take_along_axis(probs, cand[..., None], axis=-1)[..., 0]
        masked = z == V
        score = rng.random((N, n)) if remasking == "random" else conf
        score = np.where(masked, score, -np.inf)
        pick = np.argsort(-score, axis=1, kind="stable")[:, :k]
        z[rows, pick] = cand[rows, pick]
        when[rows, pick] = s
    return Samples(z, when)


def sampler_law(q: ArrayLike, steps: int, remasking: str = "random") -> FloatArray:
    r"""The exact law of :func:`sample`'s output for a predictor table, by enumerating every run.

    Random remasking: at a step with :math:`k` tokens to reveal among :math:`r` masked, each :math:`k`-subset
    has probability :math:`1/\binom rk` and its tokens are drawn independently from their predicted laws.
    Low-confidence remasking: every candidate assignment of the masked positions is enumerated and the
    :math:`k` most confident kept (ties: lower position).  With ``steps = n`` and random remasking this is
    :func:`mixture_law`.  Shape (V,)*n.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    steps : int
        :math:`S` in ``1..n``.
    remasking : {"random", "low_confidence"}, default "random"
        The remasking rule.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        The law of the output (a pmf).
    """
    q, n, V = check_table(q, "q")
    ks = unmask_schedule(n, steps)
    remasking = check_choice(remasking, "remasking", _REMASKING)
    qf = flat_table(q, n, V)
    states = {(V,) * n: 1.0}
    for k in ks:
        nxt: dict = {}
        for z, w in states.items():
            probs = qf[row_index(np.array(z), n, V)]
            hid = [i for i in range(n) if z[i] == V]
            if remasking == "random":
                subsets = list(itertools.combinations(hid, int(k)))
                for sub in subsets:
                    vals = np.array(list(itertools.product(range(V), repeat=len(sub))), dtype=np.int64).reshape(-1, len(sub))
                    pv = np.prod(probs[list(sub)][np.arange(len(sub)), vals], axis=1) if sub else np.ones(1)
                    for a, pa in zip(vals, pv):
                        if pa > 0:
                            zz = list(z)
                            for i, v in zip(sub, a):
                                zz[i] = int(v)
                            key = tuple(zz)
                            nxt[key] = nxt.get(key, 0.0) + w * pa / len(subsets)
            else:
                vals = np.array(list(itertools.product(range(V), repeat=len(hid))), dtype=np.int64)
                ph = probs[hid]  # (r, V)
                conf = ph[np.arange(len(hid)), vals]  # (A, r)
                pv = np.prod(conf, axis=1)
                order = np.argsort(-conf, axis=1, kind="stable")[:, : int(k)]
                for a, pa, keep in zip(vals, pv, order):
                    if pa > 0:
                        zz = list(z)
                        for j in keep:
                            zz[hid[j]] = int(a[j])
                        key = tuple(zz)
                        nxt[key] = nxt.get(key, 0.0) + w * pa
        states = nxt
    law = np.zeros((V,) * n)
    for z, w in states.items():
        law[z] += w
    return law


def step_joint_law(law: ArrayLike, permutation: Sequence[int], left: Iterable[int]) -> FloatArray:
    r"""A one-token-per-step run in the fixed order :math:`\sigma`, laid out as two processes along the denoising steps.

    Step :math:`s` reveals position :math:`\sigma_s`.  :math:`X_s` is its token if :math:`\sigma_s` lies in
    ``left`` (a set of positions) and the blank symbol ``V`` otherwise; :math:`Y_s` likewise for the other
    positions.  Returns the joint pmf of :math:`(X_1..X_n, Y_1..Y_n)` in the layout of
    :mod:`semtheory.directed` (alphabet ``V+1`` on every axis), built from the sequence law ``law`` (shape
    (V,)*n; e.g. the data law, which a sampler with the exact conditionals reproduces in every order).
    Chapter 16.

    Parameters
    ----------
    law : array_like of float, shape (V,) * n
        The sequence law.
    permutation : sequence of int
        The reveal order (a permutation of ``0..n-1``).
    left : iterable of int
        The positions of the first process.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * (2 n)
        The joint pmf of :math:`(X^n, Y^n)` in :mod:`semtheory.directed`'s layout.
    """
    law, n, V = check_law(law, "law")
    permutation = check_order(permutation, n)
    try:
        L = {int(i) for i in left}
    except (TypeError, ValueError):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}") from None
    if not L <= set(range(n)):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}")
    if (V + 1) ** (2 * n) > MAX_CELLS:
        raise ValueError(f"law with n={n}, V={V} gives a joint law of {(V + 1) ** (2 * n)} cells, too many")
    out = np.zeros((V + 1,) * (2 * n))
    X = all_sequences(n, V)
    idx = np.full((X.shape[0], 2 * n), V, dtype=np.int64)
    for s, i in enumerate(permutation):
        idx[:, s if i in L else n + s] = X[:, i]
    np.add.at(out, tuple(idx.T), law.reshape(-1))
    return out


def sampler_step_law(q: ArrayLike, left: Iterable[int], remasking: str = "low_confidence") -> FloatArray:
    r"""The exact law of a one-token-per-step sampling run (``steps = n``), laid out as two processes along the steps.

    At step :math:`s` the sampler of :func:`sample` reveals one position :math:`i_s` with token :math:`v_s`.
    :math:`X_s = (i_s, v_s)` if :math:`i_s` lies in ``left`` (:math:`A`) and a blank otherwise; :math:`Y_s`
    likewise for the other positions :math:`B`.  Unlike :func:`step_joint_law`, the order may depend on the
    tokens (``remasking="low_confidence"``: the most confident candidate is revealed, ties to the lower
    position, as in :func:`sample`) or be uniformly random (``"random"``), so the step processes carry the
    position as well as the token.  Symbols: :math:`j V + v` for the :math:`j`-th position of the half (in
    increasing order) and token :math:`v`; the blank is the last symbol; every axis has
    :math:`\max(|A|, |B|)\,V + 1` symbols.  Returns the joint pmf of :math:`(X_1..X_n, Y_1..Y_n)` in the layout of
    :mod:`semtheory.directed`, by enumerating every run (every candidate assignment at every step).  Its
    sequence marginal is :func:`sampler_law` with ``steps = n``.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    left : iterable of int
        The positions :math:`A`.
    remasking : {"random", "low_confidence"}, default "low_confidence"
        The remasking rule.

    Returns
    -------
    numpy.ndarray of float
        The joint pmf of :math:`(X^n, Y^n)` in :mod:`semtheory.directed`'s layout (the blank is the last symbol).
    """
    q, n, V = check_table(q, "q")
    remasking = check_choice(remasking, "remasking", _REMASKING)
    try:
        Aset = sorted({int(i) for i in left})
    except (TypeError, ValueError):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}") from None
    if not set(Aset) <= set(range(n)):
        raise ValueError(f"left must be a set of positions in 0..{n - 1}, got {left!r}")
    Bset = [i for i in range(n) if i not in Aset]
    K = max(len(Aset), len(Bset)) * V + 1
    if K ** (2 * n) > MAX_CELLS:
        raise ValueError(f"n={n}, V={V} gives a step law of {K ** (2 * n)} cells, too many")
    slot = {i: (0, Aset.index(i)) if i in Aset else (1, Bset.index(i)) for i in range(n)}
    qf = flat_table(q, n, V)
    runs = {((V,) * n, ()): 1.0}  # (z, revealed (position, token) so far) -> probability
    for _ in range(n):
        nxt: dict = {}
        for (z, hist), w in runs.items():
            probs = qf[row_index(np.array(z), n, V)]
            hid = [i for i in range(n) if z[i] == V]
            if remasking == "random":
                moves = [(i, v, probs[i, v] / len(hid)) for i in hid for v in range(V)]
            else:
                vals = np.array(list(itertools.product(range(V), repeat=len(hid))), dtype=np.int64)
                conf = probs[hid][np.arange(len(hid)), vals]  # (V^r, r)
                best = np.argmax(conf, axis=1)  # first maximum: the lower position on ties
                pv = np.prod(conf, axis=1)
                acc: dict = {}
                for a, pa, j in zip(vals, pv, best):
                    acc[(hid[j], int(a[j]))] = acc.get((hid[j], int(a[j])), 0.0) + pa
                moves = [(i, v, pa) for (i, v), pa in acc.items()]
            for i, v, pm in moves:
                if pm > 0:
                    zz = z[:i] + (v,) + z[i + 1:]
                    key = (zz, hist + ((i, v),))
                    nxt[key] = nxt.get(key, 0.0) + w * pm
        runs = nxt
    out = np.zeros((K,) * (2 * n))
    for (_, hist), w in runs.items():
        idx = [K - 1] * (2 * n)
        for s, (i, v) in enumerate(hist):
            side, j = slot[i]
            idx[side * n + s] = j * V + v
        out[tuple(idx)] += w
    return out


def schedule_entropy(step_law: ArrayLike, *, base: float = 2) -> float:
    r"""Entropy of the schedule :math:`D^n` (which half each step reveals) of a :func:`sampler_step_law`.

    :math:`D_s = A` iff :math:`X_s` is not blank.  :math:`D^n` is a function of :math:`X^n` and also of
    :math:`Y^n`, so :math:`I(X^n; Y^n) \ge H(D^n)`: the schedule is information that both halves share.  Units
    of ``base``.  Chapter 16.

    Parameters
    ----------
    step_law : array_like of float
        A :func:`sampler_step_law`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`H(D^n)`, units of log ``base``.
    """
    lb = log_base(base)
    P = as_pmf(step_law, "step_law")
    if P.ndim == 0 or P.ndim % 2:
        raise ValueError(f"step_law must have 2n axes, got shape {P.shape}")
    n, K = P.ndim // 2, P.shape[0]
    X = P.sum(axis=tuple(range(n, 2 * n)))  # law of X^n
    D = np.zeros(2**n)
    for idx in zip(*np.nonzero(X)):
        D[sum((int(v) != K - 1) << s for s, v in enumerate(idx))] += X[idx]
    return measures.entropy(D, base=math.e) / lb


class ScheduleFlows(NamedTuple):
    r"""Flows of a :func:`sampler_step_law` split by its schedule :math:`D^n`: ``mutual`` :math:`I(X^n; Y^n)`,
    ``schedule`` :math:`H(D^n)`, ``content`` :math:`I(X^n; Y^n \mid D^n)`, and ``directed`` / ``reverse``, the
    schedule-conditioned :math:`\E_d[I(X^n \to Y^n \mid D^n = d)]` and :math:`\E_d[I(0{*}Y^{n-1} \to X^n \mid D^n = d)]`
    (which add up to ``content``).

    Attributes
    ----------
    mutual, schedule, content : float
        :math:`I(X^n; Y^n) = H(D^n) + I(X^n; Y^n \mid D^n)`, units of log ``base``.
    directed, reverse : float
        The schedule-conditioned directed informations (they add up to ``content``), units of log ``base``.
    """

    mutual: float
    schedule: float
    content: float
    directed: float
    reverse: float


def schedule_flows(step_law: ArrayLike, *, base: float = 2) -> ScheduleFlows:
    r"""Split the information exchanged along the steps into the schedule and the content: :math:`I(X^n;Y^n) = H(D^n) + I(X^n;Y^n\mid D^n)`.

    :math:`D^n` (which half step :math:`s` reveals; :math:`X_s` blank iff :math:`D_s = B`) is a function of
    :math:`X^n` and of :math:`Y^n`.  For each schedule :math:`d` the conditional law :math:`P(\cdot \mid D^n = d)`
    obeys chapter 3's conservation law (:func:`semtheory.directed.conservation`); averaging over :math:`d`
    gives ``directed`` and ``reverse``.  ``step_law`` from :func:`sampler_step_law` (the blank is the last
    symbol).  Units of ``base``.  Chapter 16.

    Parameters
    ----------
    step_law : array_like of float
        A :func:`sampler_step_law`.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    ScheduleFlows
        The flows, units of log ``base`` (bits by default).
    """
    from .. import directed as _directed

    log_base(base)
    P = as_pmf(step_law, "step_law")
    if P.ndim == 0 or P.ndim % 2:
        raise ValueError(f"step_law must have 2n axes, got shape {P.shape}")
    n, K = P.ndim // 2, P.shape[0]
    blank = [np.arange(K) == K - 1] * 1
    di = rdi = cm = 0.0
    for d in itertools.product([True, False], repeat=n):  # d_s True: step s reveals a position of A
        ind = np.ones(P.shape, dtype=bool)
        for s, a in enumerate(d):
            shape = [1] * (2 * n)
            shape[s], shape[n + s] = K, 1
            ind &= (~blank[0] if a else blank[0]).reshape(shape)
            shape[s], shape[n + s] = 1, K
            ind &= (blank[0] if a else ~blank[0]).reshape(shape)
        w = float(P[ind].sum())
        if w <= 0:
            continue
        c = _directed.conservation(np.where(ind, P, 0.0) / w, base=base)
        di, rdi, cm = di + w * c.directed, rdi + w * c.reverse, cm + w * c.mutual
    mi = _directed.sequence_mutual_information(P, base=base)
    return ScheduleFlows(float(mi), float(schedule_entropy(P, base=base)), float(cm), float(di), float(rdi))


def source_nll(p: ArrayLike, tokens: ArrayLike, *, base: float = 2) -> FloatArray:
    r"""The source's negative log-likelihood :math:`-\log p(x)` of each sequence (rows of ``tokens``), units of ``base``.

    Averaged over samples of a sampler it estimates :math:`\E_{\rm sampler}[-\log p(X)]`, the statistic
    of sample quality used in chapter 16 (``inf`` for a sequence the source cannot produce).  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    tokens : array_like of int, shape (N, n)
        Sequences (rows).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray of float, shape (N,)
        :math:`-\log p(x)` per sequence, units of log ``base``.
    """
    lb = log_base(base)
    p, n, V = check_law(p, "p")
    x = as_token_ids(tokens, "tokens", vocab_size=V, ndim=None)
    if x.ndim != 2 or x.shape[1] != n:
        raise ValueError(f"tokens must have shape (N, {n}), got {x.shape}")
    with np.errstate(divide="ignore"):
        return -np.log(p[tuple(x.T)]) / lb


class SamplingQuality(NamedTuple):
    r"""One sampler setting: ``steps``, ``remasking``; for the exact law of the table's sampler, ``law_nll``
    :math:`\E_{\rm law}[-\log p]`, ``law_entropy`` :math:`H(\rm law)` and ``kl`` :math:`\KL(p\cc{\rm law})`; for
    Monte-Carlo samples of ``model``, ``sample_nll`` (mean source NLL) and ``sample_nll_se`` (its standard error).

    Attributes
    ----------
    steps : int
        Number of denoising steps.
    remasking : str
        The remasking rule.
    law_nll, law_entropy, kl : float
        Of the exact sampler law of the table, units of log ``base`` per sequence.
    sample_nll, sample_nll_se : float
        Mean source NLL of the model's samples and its standard error, units of log ``base``.
    """

    steps: int
    remasking: str
    law_nll: float
    law_entropy: float
    kl: float
    sample_nll: float
    sample_nll_se: float


def sampling_quality(p: ArrayLike, table: ArrayLike, model: ArrayLike | MaskPredictor, *, steps: Iterable[int] | None = None,
                     n_samples: int = 2000, base: float = 2, seed: SeedLike = 0) -> list[SamplingQuality]:
    r"""Sample quality for every number of steps and both remasking rules: exact (``table``) and sampled (``model``).

    ``table`` is a predictor table whose sampler law is enumerated (:func:`sampler_law`); ``model`` a table or a
    :class:`MaskPredictor` sampled ``n_samples`` times per setting (seed ``seed + steps``).  ``steps`` an
    iterable of step counts (default ``1..n``).  Returns a list of :class:`SamplingQuality`; units of ``base``
    per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).
    table : array_like
        A predictor table (its sampler law is enumerated).
    model : array_like or MaskPredictor
        A table or a trained predictor (sampled).
    steps : iterable of int or None, keyword-only, default None
        Step counts (None: ``1..n``).
    n_samples : int, keyword-only, default 2000
        Samples per setting.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    list of SamplingQuality
        One record per (steps, remasking).
    """
    log_base(base)
    p, n, V = check_law(p, "p")
    q, nq, Vq = check_table(table, "table")
    if (nq, Vq) != (n, V):
        raise ValueError(f"table is a predictor for n={nq}, V={Vq} but p has n={n}, V={V}")
    nm, Vm = (model.n, model.vocab_size) if isinstance(model, MaskPredictor) else check_table(model, "model")[1:]
    if (nm, Vm) != (n, V):
        raise ValueError(f"model is a predictor for n={nm}, V={Vm} but p has n={n}, V={V}")
    N = check_int(n_samples, "n_samples", minimum=2)
    seed = torch_seed(seed)
    if steps is None:
        steps = range(1, n + 1)
    else:
        if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
            raise ValueError(f"steps must be None or an iterable of step counts in 1..{n}, got {steps!r}")
        steps = [check_int(s, "steps", minimum=1, maximum=n) for s in steps]
        if not steps:
            raise ValueError("steps must name at least one step count (None: every count 1..n)")
    out = []
    for S in steps:
        for rm in _REMASKING:
            law = sampler_law(q, S, rm)
            nll = source_nll(p, sample(model, N, steps=S, remasking=rm, seed=seed + S).tokens, base=base)
            out.append(SamplingQuality(S, rm, measures.cross_entropy(law, p, base=base), measures.entropy(law, base=base),
                                       measures.kl_divergence(p, law, base=base), float(nll.mean()),
                                       float(nll.std(ddof=1) / math.sqrt(N))))
    return out
