r"""n-gram models fitted to samples (chapter 1): additive (Lidstone) and interpolated Kneser–Ney smoothing,
their held-out and exact stationary cross-entropies, and the plug-in entropy rate of a sample."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .._validate import as_array, as_token_ids, check_int, check_positive, log_base
from ..core.law import MAX_CELLS
from ..core.models import LanguageModel, check_model, sequence_law

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, IntArray


def _context_ids(x: np.ndarray, j: int, V: int, start: int) -> np.ndarray:
    """ids of the length-j contexts x[t-j:t] for t = start..len(x)-1 (requires start >= j)."""
    L = len(x) - start
    ids = np.zeros(L, dtype=np.int64)
    for i in range(j):
        ids = ids * V + x[start - j + i : start - j + i + L]
    return ids


class NGramModel(LanguageModel):
    r"""An order-:math:`k` n-gram (Markov) model fitted to ``tokens`` with additive (Lidstone) smoothing.

    .. math:: \hat P(v \mid c) = \frac{n(c, v) + \alpha}{n(c) + \alpha V}

    where :math:`c` is the last :math:`k` tokens, :math:`n(c, v)` the number of times :math:`c` was followed by
    :math:`v` in the training sequence and :math:`n(c) = \sum_v n(c, v)`; :math:`\alpha = 1` is Laplace's rule,
    :math:`\alpha > 0` always.  An unseen context gets the uniform law.  While fewer than :math:`k` tokens
    are known (the start of a sequence) the model uses the order-:math:`t` table built from the same data, so
    every position is scored.  Counts are stored sparsely (sorted keys), so :math:`V^{k+1}` may be huge
    (bytes, BPE tokens); :meth:`token_logprobs` (hence ``cross_entropy``, ``log_prob``, ``perplexity``) is
    vectorised.  Chapters 1, 14.

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        The training sequence.
    order : int
        :math:`k` >= 0.
    vocab_size : int, keyword-only
        :math:`V`.
    alpha : float, keyword-only, default 1.0
        The additive smoothing :math:`\alpha > 0`.

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    order : int
        :math:`k`.
    """

    def __init__(self, tokens: ArrayLike, order: int, *, vocab_size: int, alpha: float = 1.0,
                 _tables: dict | None = None) -> None:
        # ``_tables``: a dict shared by models of several orders fitted to the same tokens (ngram_cross_entropies)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        k = check_int(order, "order", minimum=0)
        self.alpha = check_positive(alpha, "alpha")
        x = as_token_ids(tokens, "tokens", vocab_size=V, nonempty=False)
        if x.size == 0:
            raise ValueError("tokens must contain at least one token")
        if math.log(V) * (k + 1) >= math.log(2.0**62):
            raise ValueError(f"order={k} with vocab_size={V} gives n-gram keys beyond 64-bit integers")
        self.vocab_size, self.order, self.n_train = V, k, int(x.size)
        self._tables = []  # per j = 0..k: (sorted (ctx, v) keys, their counts, sorted ctx ids, their totals)
        for j in range(k + 1):
            if len(x) <= j:
                e = np.zeros(0, dtype=np.int64)
                self._tables.append((e, e, e, e))
                continue
            if _tables is not None and j in _tables:
                self._tables.append(_tables[j])
                continue
            ctx = _context_ids(x, j, V, j)
            keys, counts = np.unique(ctx * V + x[j:], return_counts=True)
            cids, totals = np.unique(ctx, return_counts=True)
            self._tables.append((keys, counts.astype(np.int64), cids, totals.astype(np.int64)))
            if _tables is not None:
                _tables[j] = self._tables[-1]

    @staticmethod
    def _lookup(sorted_keys: np.ndarray, values: np.ndarray, q: np.ndarray) -> np.ndarray:
        if sorted_keys.size == 0:
            return np.zeros(q.shape, dtype=np.int64)
        i = np.searchsorted(sorted_keys, q)
        i = np.minimum(i, sorted_keys.size - 1)
        return np.where(sorted_keys[i] == q, values[i], 0)

    def _logp(self, j: int, ctx: np.ndarray, v: np.ndarray) -> np.ndarray:
        keys, counts, cids, totals = self._tables[j]
        V, a = self.vocab_size, self.alpha
        num = self._lookup(keys, counts, ctx * V + v) + a
        den = self._lookup(cids, totals, ctx) + a * V
        return np.log(num) - np.log(den)

    def counts(self, context: Sequence[int]) -> IntArray:
        r"""The counts :math:`n(c, \cdot)` after the last :math:`\min(k, t)` tokens of ``context`` (shape ``(V,)``).  Chapter 1.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of int64, shape (vocab_size,)
            The training counts of each next token after that context (no smoothing).
        """
        c = self.check_tokens(context, "context")
        j = min(self.order, len(c))
        cid = 0
        for v in c[len(c) - j :].tolist():
            cid = cid * self.vocab_size + v
        keys, counts, _, _ = self._tables[j]
        return self._lookup(keys, counts, cid * self.vocab_size + np.arange(self.vocab_size, dtype=np.int64))

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        r""":math:`\ln \hat P(\cdot \mid c)` with :math:`c` the last :math:`\min(k, t)` tokens of ``context``.  Chapter 1.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        num = self.counts(context) + self.alpha
        return np.log(num) - np.log(num.sum())

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log \hat P(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), fully vectorised.

        Equal to the generic
        :meth:`LanguageModel.token_logprobs <semtheory.channel.LanguageModel.token_logprobs>` (one call per
        position), only faster.
        Chapter 1.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens, ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            The per-token log-probabilities, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        k, start, V = self.order, len(p), self.vocab_size
        out = np.empty(len(s))
        for t in range(start, min(k, len(full))):  # the first positions: shorter contexts
            out[t - start] = self._logp(t, _context_ids(full[: t + 1], t, V, t), full[t : t + 1])[0]
        t0 = max(k, start)
        if t0 < len(full):
            out[t0 - start :] = self._logp(k, _context_ids(full, k, V, t0), full[t0:])
        return out / lb

    def __repr__(self) -> str:
        return f"NGramModel(order={self.order}, vocab_size={self.vocab_size}, alpha={self.alpha:g}, n_train={self.n_train})"


class KneserNeyModel(LanguageModel):
    r"""An order-:math:`k` interpolated Kneser–Ney model fitted to ``tokens`` (Kneser and Ney 1995; Chen and Goodman 1999).

    With :math:`c_j` the last :math:`j` tokens of the context, the prediction is built from the empty context
    up, starting from the uniform law :math:`P_{-1}(v) = 1/V`:

    .. math:: P_j(v \mid c_j) = \frac{\max(m_j(c_j, v) - D_j, 0)}{m_j(c_j)}
              + \frac{D_j\, N_{1+}(c_j\, \cdot)}{m_j(c_j)}\, P_{j-1}(v \mid c_{j-1}),

    and :math:`P_j = P_{j-1}` when :math:`m_j(c_j) = 0` (an unseen context).  At the top order :math:`j = k` the
    counts :math:`m_k(c, v) = n(c, v)` are the raw counts; below it they are the *continuation counts*
    :math:`m_j(c_j, v) = N_{1+}(\cdot\, c_j\, v)`, the number of distinct tokens seen before :math:`c_j v`, which is
    what makes the lower orders predict how many contexts a token follows rather than how often it occurs.
    :math:`m_j(c_j) = \sum_v m_j(c_j, v)`, :math:`N_{1+}(c_j \cdot)` is the number of :math:`v` with
    :math:`m_j(c_j, v) > 0`, and the discount is :math:`D_j = n_1 / (n_1 + 2 n_2)` from the numbers
    :math:`n_1, n_2` of level-:math:`j` n-grams with count 1 and 2 (``discount=None``), or a fixed value in
    (0, 1); the estimate is clipped to [0.05, 0.95], and is 0.5 when no n-gram has count 1.  Every :math:`P_j` is a pmf (the discounted mass is exactly the mass handed down), and every
    token keeps positive probability.  At the first :math:`t < k` positions of a sequence the recursion stops
    at level :math:`t`.  Sparse sorted keys as in :class:`NGramModel`; :meth:`token_logprobs` is vectorised.
    Chapter 1.

    Parameters
    ----------
    tokens : array_like of int, shape (N,)
        The training sequence.
    order : int
        :math:`k` >= 0.
    vocab_size : int, keyword-only
        :math:`V`.
    discount : float or None, keyword-only, default None
        A fixed discount in (0, 1) for every level (None: estimated per level).

    Attributes
    ----------
    vocab_size : int
        :math:`V`.
    order : int
        :math:`k`.
    """

    def __init__(self, tokens: ArrayLike, order: int, *, vocab_size: int, discount: float | None = None,
                 _tables: dict | None = None) -> None:
        # ``_tables``: a dict shared by models of several orders fitted to the same tokens (ngram_cross_entropies)
        V = check_int(vocab_size, "vocab_size", minimum=1)
        k = check_int(order, "order", minimum=0)
        if discount is not None:
            d = check_positive(discount, "discount")
            if not d < 1:
                raise ValueError(f"discount must lie in (0, 1), got {discount!r}")
        x = as_token_ids(tokens, "tokens", vocab_size=V, nonempty=False)
        if x.size == 0:
            raise ValueError("tokens must contain at least one token")
        if math.log(V) * (k + 1) >= math.log(2.0**62):
            raise ValueError(f"order={k} with vocab_size={V} gives n-gram keys beyond 64-bit integers")
        self.vocab_size, self.order, self.n_train = V, k, int(x.size)
        self._levels = []  # per j: (sorted (ctx, v) keys, counts m_j, sorted ctx ids, totals m_j(c), types N1+(c .), D_j)
        for j in range(k + 1):
            if len(x) <= j:
                e = np.zeros(0, dtype=np.int64)
                self._levels.append((e, e, e, e, e, 0.5 if discount is None else float(discount)))
                continue
            kind = "raw" if j == k else "continuation"
            if _tables is not None and (kind, j) in _tables:
                keys, counts, cids, totals, types = _tables[kind, j]
            else:
                if j == k:  # raw counts of the (j+1)-grams
                    keys, counts = np.unique(_context_ids(x, j, V, j) * V + x[j:], return_counts=True)
                else:  # continuation counts: distinct (j+2)-grams, with their first token dropped
                    grams = np.unique(_context_ids(x, j + 1, V, j + 1) * V + x[j + 1 :])
                    keys, counts = np.unique(grams % (V ** (j + 1)), return_counts=True)
                counts = counts.astype(np.int64)
                cids, inv = np.unique(keys // V, return_inverse=True)
                totals = np.bincount(inv, weights=counts).astype(np.int64)
                types = np.bincount(inv).astype(np.int64)
                if _tables is not None:
                    _tables[kind, j] = (keys, counts, cids, totals, types)
            if discount is None:
                n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
                dj = n1 / (n1 + 2 * n2) if n1 > 0 else 0.5
                dj = min(max(dj, 0.05), 0.95)  # keep D in (0, 1) on degenerate count spectra
            else:
                dj = float(discount)
            self._levels.append((keys, counts, cids, totals, types, dj))
        self.discounts = tuple(lv[5] for lv in self._levels)

    def _prob(self, ctx_ids: list, v: np.ndarray) -> np.ndarray:
        """P_J(v | c) for J = len(ctx_ids) - 1, with ctx_ids[j] the ids of the last j tokens (vectorised)."""
        V = self.vocab_size
        p = np.full(v.shape, 1.0 / V)
        for j, cid in enumerate(ctx_ids):
            keys, counts, cids, totals, types, dj = self._levels[j]
            m = NGramModel._lookup(keys, counts, cid * V + v)
            tot = NGramModel._lookup(cids, totals, cid)
            n1p = NGramModel._lookup(cids, types, cid)
            seen = tot > 0
            safe = np.where(seen, tot, 1)
            p = np.where(seen, (np.maximum(m - dj, 0.0) + dj * n1p * p) / safe, p)
        return p

    def next_token_logprobs(self, context: Sequence[int]) -> FloatArray:
        r""":math:`\ln P_{KN}(\cdot \mid c)` with :math:`c` the last :math:`\min(k, t)` tokens of ``context``.  Chapter 1.

        Parameters
        ----------
        context : sequence of int
            Token ids in ``range(vocab_size)`` (possibly empty).

        Returns
        -------
        numpy.ndarray of float, shape (vocab_size,)
            A normalised log-pmf (nats).
        """
        c = self.check_tokens(context, "context")
        J = min(self.order, len(c))
        V = self.vocab_size
        v = np.arange(V, dtype=np.int64)
        ids = []
        for j in range(J + 1):
            cid = 0
            for u in c[len(c) - j :].tolist():
                cid = cid * V + u
            ids.append(np.full(V, cid, dtype=np.int64))
        return np.log(self._prob(ids, v))

    def token_logprobs(self, seq: Sequence[int], *, prompt: Sequence[int] = (), base: float = 2) -> FloatArray:
        r"""Per-token :math:`\log P_{KN}(x_t \mid \text{prompt}, x^{t-1})` (units of ``base``, bits by default), vectorised.  Chapter 1.

        Parameters
        ----------
        seq : sequence of int
            The scored tokens, ids in ``range(vocab_size)``.
        prompt : sequence of int, keyword-only, default ``()``
            Tokens read before ``seq`` (not scored).
        base : float, keyword-only, default 2
            Logarithm base (2: bits).

        Returns
        -------
        numpy.ndarray of float, shape (len(seq),)
            The per-token log-probabilities, units of ``base``.
        """
        lb = log_base(base)
        s = self.check_tokens(seq, "seq")
        p = self.check_tokens(prompt, "prompt")
        full = np.concatenate([p, s])
        k, start, V = self.order, len(p), self.vocab_size
        out = np.empty(len(s))
        for t in range(start, min(k, len(full))):
            ids = [_context_ids(full[: t + 1], j, V, t) for j in range(t + 1)]
            out[t - start] = math.log(self._prob(ids, full[t : t + 1])[0])
        t0 = max(k, start)
        if t0 < len(full):
            ids = [_context_ids(full, j, V, t0) for j in range(k + 1)]
            out[t0 - start :] = np.log(self._prob(ids, full[t0:]))
        return out / lb

    def __repr__(self) -> str:
        return f"KneserNeyModel(order={self.order}, vocab_size={self.vocab_size}, n_train={self.n_train})"


def ngram_cross_entropies(train: ArrayLike, test: ArrayLike, orders: Sequence[int], *, vocab_size: int, alpha: float = 1.0,
                          base: float = 2, smoothing: str = "lidstone") -> FloatArray:
    r"""Held-out cross-entropy :math:`-\frac1n \sum_t \log \hat P_k(x_t \mid x^{t-1})` of n-gram models of each order.

    For each ``k`` in ``orders`` fit a model of order ``k`` to ``train`` and score ``test``; returns an array
    (units of ``base`` per token).  ``smoothing="lidstone"`` fits :class:`NGramModel` ``(train, k, alpha=alpha)``,
    ``smoothing="kneser-ney"`` fits :class:`KneserNeyModel` ``(train, k)`` (``alpha`` unused).  Chapter 1.

    Parameters
    ----------
    train, test : array_like of int
        Training and held-out token sequences.
    orders : sequence of int
        The orders :math:`k` to fit.
    vocab_size : int, keyword-only
        :math:`V`.
    alpha : float, keyword-only, default 1.0
        Lidstone smoothing (``smoothing="lidstone"`` only).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).
    smoothing : {"lidstone", "kneser-ney"}, keyword-only
        The estimator.

    Returns
    -------
    numpy.ndarray of float, shape (len(orders),)
        Cross-entropies, units of log ``base`` per token (bits by default).
    """
    lb = log_base(base)
    if smoothing not in ("lidstone", "kneser-ney"):
        raise ValueError(f"smoothing must be 'lidstone' or 'kneser-ney', got {smoothing!r}")
    V = check_int(vocab_size, "vocab_size", minimum=1)
    tr = as_token_ids(train, "train", vocab_size=V, nonempty=False)
    if tr.size == 0:
        raise ValueError("train must contain at least one token")
    te = as_token_ids(test, "test", vocab_size=V, nonempty=False)
    if te.size == 0:
        raise ValueError("test must contain at least one token")
    ks = as_array(orders, "orders")
    if ks.ndim != 1 or ks.size == 0 or ks.dtype.kind not in "iu" or np.any(ks < 0):
        raise ValueError(f"orders must be a non-empty 1-D sequence of integers >= 0, got {orders!r}")
    out, shared = [], {}  # Kneser-Ney models of different orders share their count tables
    for k in ks.tolist():
        if smoothing == "lidstone":
            m = NGramModel(tr, k, vocab_size=V, alpha=alpha, _tables=shared)
        else:
            m = KneserNeyModel(tr, k, vocab_size=V, _tables=shared)
        out.append(-m.token_logprobs(te, base=math.e).mean() / lb)
    return np.array(out)


def stationary_cross_entropy(source: LanguageModel, model: LanguageModel, *, base: float = 2) -> float:
    r"""Exact expected per-symbol loss of a finite-context ``model`` :math:`Q` on the stationary ``source`` :math:`P`.

    .. math:: \E_P\big[-\log Q(X_{k+1} \mid X^k)\big] = \sum_{x^{k+1}} P(x^{k+1}) \big(-\log Q(x_{k+1} \mid x^k)\big)
              = H(X_{k+1} \mid X^k) + \E\, D\big(P(\cdot \mid X^k) \,\|\, Q(\cdot \mid X^k)\big)

    where :math:`k` = ``model.order`` (the model looks at most :math:`k` symbols back, e.g. an
    :class:`NGramModel` or a :class:`~semtheory.channel.MarkovLM`).  This is what the model would score per
    symbol on an infinitely long held-out text, so it is :math:`\ge H(X_{k+1} \mid X^k) \ge \mathcal H` exactly,
    with no sampling noise.  :math:`P(x^{k+1})` is the exact law of the first :math:`k+1` symbols
    (:func:`semtheory.channel.sequence_law`; a source of this module starts stationary).  Needs
    :math:`V^{k+1} \le 2^{22}`.  Units of ``base``.  Chapter 1.

    Parameters
    ----------
    source : LanguageModel
        The stationary source :math:`P` (a source of this module).
    model : LanguageModel
        The model :math:`Q`, with an ``order`` attribute (or a :class:`~semtheory.channel.MarkovLM`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The expected loss per symbol, units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    source = check_model(source, "source")
    model = check_model(model, "model")
    if model.vocab_size != source.vocab_size:
        raise ValueError(f"model has {model.vocab_size} symbols but source has {source.vocab_size}")
    k = getattr(model, "order", None)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError("model must have a finite context length (an integer attribute model.order >= 0)")
    V = source.vocab_size
    if V ** (k + 1) > MAX_CELLS:
        raise ValueError(f"model.order = {k} with {V} symbols needs {V}**{k + 1} cells, more than {MAX_CELLS}")
    law = sequence_law(source, k + 1).reshape(-1, V)
    if isinstance(model, NGramModel):  # vectorised: context ids in C order are 0 .. V**k - 1
        cid = np.repeat(np.arange(V**k, dtype=np.int64), V)
        logq = model._logp(k, cid, np.tile(np.arange(V, dtype=np.int64), V**k)).reshape(-1, V)
    elif isinstance(model, KneserNeyModel):  # the last j symbols of context id c have id c mod V**j
        cid = np.repeat(np.arange(V**k, dtype=np.int64), V)
        ids = [cid % (V**j) for j in range(k + 1)]
        logq = np.log(model._prob(ids, np.tile(np.arange(V, dtype=np.int64), V**k))).reshape(-1, V)
    else:
        ctxs = np.indices((V,) * k).reshape(k, -1).T if k else np.zeros((1, 0), dtype=np.int64)
        logq = np.stack([model.next_token_logprobs(c) for c in ctxs])
    with np.errstate(invalid="ignore"):
        terms = np.where(law > 0, -law * logq, 0.0)
    return float(terms.sum() / lb)


def plugin_entropy_rate(samples: ArrayLike, order: int, *, base: float = 2) -> float:
    r"""Plug-in estimate :math:`\hat H(X_t \mid X_{t-k}^{t-1})` of the entropy rate from one long sample.

    .. math:: \hat H = \sum_{c, v} \frac{n(c,v)}{N} \log \frac{n(c)}{n(c, v)}

    over the :math:`N = n - k` positions :math:`t > k` (``order`` :math:`k`; :math:`k = 0` gives the plug-in
    entropy of single symbols).  Consistent for a stationary ergodic source of order :math:`\le k`, biased
    low by about :math:`(\#\text{contexts})(V-1)/(2N)` nats.  Units of ``base``.  Chapter 1.

    Parameters
    ----------
    samples : array_like of int, shape (n,)
        One long sample.
    order : int
        :math:`k` >= 0.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\hat H`, units of log ``base`` per symbol (bits by default).
    """
    lb = log_base(base)
    x = as_token_ids(samples, "samples", nonempty=False)
    k = check_int(order, "order", minimum=0)
    if x.size <= k:
        raise ValueError(f"samples must hold more than order = {k} symbols, got {x.size}")
    V = int(x.max()) + 1
    if math.log(V) * (k + 1) >= math.log(2.0**62):
        raise ValueError(f"order={k} is too large for symbols up to {V - 1}")
    ctx = _context_ids(x, k, V, k)
    keys, n_cv = np.unique(ctx * V + x[k:], return_counts=True)
    cids, n_c = np.unique(ctx, return_counts=True)
    n_c_of_key = n_c[np.searchsorted(cids, keys // V)]
    N = x.size - k
    return float((n_cv / N * (np.log(n_c_of_key) - np.log(n_cv))).sum() / lb)
