"""Discrete structural causal models: the three rungs of Pearl's ladder (chapter 8)."""

from __future__ import annotations

import itertools
from typing import Callable, Mapping, Sequence

import numpy as np

from ..core.types import SeedLike
from .._validate import as_pmf, as_rng, check_int, check_probability


# ----------------------------------------------------------------------------------------------
# Discrete structural causal models: the three rungs of Pearl's ladder
# ----------------------------------------------------------------------------------------------


class DiscreteSCM:
    r"""A finite structural causal model: exogenous noises with pmfs and deterministic mechanisms.

    ``noise`` maps each exogenous variable's name to its pmf (1-D, values ``0..K-1``; independent of each
    other).  ``equations`` is an ordered list of ``(name, cardinality, mechanism)``: ``mechanism(v)``
    receives a mapping ``v`` from names (noises and earlier variables) to integer arrays over every
    noise configuration and returns the variable's values (integers in ``0..cardinality-1``).

    * rung 1, association: ``probability(event, given=...)`` = :math:`P(y \mid x)`;
    * rung 2, intervention: ``probability(event, do=...)`` = :math:`P(y \mid do(x))`, by replacing the
      mechanisms of the intervened variables with constants (truncated factorisation);
    * rung 3, counterfactual: ``counterfactual(event, evidence=..., do=...)`` =
      :math:`P(Y_{x} = y \mid \text{evidence})` by abduction (posterior of the noises given the
      evidence), action (the intervention) and prediction (push the posterior through the modified model).

    Everything is exact: the noises are enumerated.  Chapter 8.

    Parameters
    ----------
    noise : mapping of str to array_like
        Each exogenous noise's name and its pmf, shape (K,) (values ``0..K-1``).
    equations : sequence of (str, int, callable)
        ``(name, cardinality, mechanism)`` per endogenous variable, in causal order.

    Examples
    --------
    >>> m = DiscreteSCM({"U": [0.5, 0.5]}, [("X", 2, lambda v: v["U"]), ("Y", 2, lambda v: v["X"])])
    >>> m.probability({"Y": 1}, do={"X": 0})
    0.0
    """

    def __init__(self, noise: Mapping[str, Sequence[float]], equations: Sequence[tuple[str, int, Callable]]):
        if not isinstance(noise, Mapping) or not noise:
            raise ValueError("noise must be a non-empty mapping from names to pmfs")
        self._noise = {}
        for name, pmf in noise.items():
            if not isinstance(name, str):
                raise ValueError(f"noise names must be strings, got {name!r}")
            self._noise[name] = as_pmf(pmf, f"noise[{name!r}]", ndim=1)
        if isinstance(equations, (str, bytes)) or not isinstance(equations, Sequence) or not equations:
            raise ValueError("equations must be a non-empty list of (name, cardinality, mechanism)")
        self._eqs = []
        seen = set(self._noise)
        for item in equations:
            if not isinstance(item, (tuple, list)) or len(item) != 3:
                raise ValueError("equations must hold (name, cardinality, mechanism) triples")
            name, card, fn = item
            if not isinstance(name, str) or name in seen:
                raise ValueError(f"equations: variable name {name!r} is not a new string")
            card = check_int(card, f"cardinality of {name}", minimum=1)
            if not callable(fn):
                raise ValueError(f"equations: the mechanism of {name!r} is not callable")
            seen.add(name)
            self._eqs.append((name, card, fn))
        names = list(self._noise)
        grids = np.meshgrid(*[np.arange(len(self._noise[u])) for u in names], indexing="ij")
        self._u = {u: g.ravel() for u, g in zip(names, grids)}
        w = np.ones(1)
        for u in names:
            w = np.multiply.outer(w, self._noise[u])
        self._pu = w.ravel()
        self._factual = self._solve({})

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the endogenous variables, in equation order (the axes of :meth:`joint`)."""
        return tuple(e[0] for e in self._eqs)

    @property
    def noise_names(self) -> tuple[str, ...]:
        """Names of the exogenous noise variables (the axes of :meth:`abduction`)."""
        return tuple(self._noise)

    def cardinality(self, name: str) -> int:
        """Number of values of endogenous variable ``name``.

        Parameters
        ----------
        name : str
            An endogenous variable.

        Returns
        -------
        int
            Its number of values.
        """
        for n, c, _ in self._eqs:
            if n == name:
                return c
        raise ValueError(f"name {name!r} is not an endogenous variable of this model ({self.variables})")

    def _check_assignment(self, assignment, name: str) -> dict[str, int]:
        if assignment is None:
            return {}
        if not isinstance(assignment, Mapping):
            raise ValueError(f"{name} must be a mapping from variable names to values")
        out = {}
        for var, val in assignment.items():
            if var not in self.variables:
                raise ValueError(f"{name} names {var!r}, not an endogenous variable ({self.variables})")
            card = self.cardinality(var)
            out[var] = check_int(val, f"{name}[{var!r}]", minimum=0, maximum=card - 1)
        return out

    def _solve(self, do: dict[str, int]) -> dict[str, np.ndarray]:
        K = self._pu.size
        vals: dict[str, np.ndarray] = dict(self._u)
        for name, card, fn in self._eqs:
            if name in do:
                v = np.full(K, do[name], dtype=np.int64)
            else:
                raw = np.broadcast_to(np.asarray(fn(vals)), (K,))
                if raw.dtype.kind == "b":
                    raw = raw.astype(np.int64)
                if raw.dtype.kind not in "iu" or raw.min() < 0 or raw.max() >= card:
                    raise ValueError(f"equations: the mechanism of {name!r} must return integers in 0..{card - 1}")
                v = raw.astype(np.int64)
            vals[name] = v
        return vals

    def _mask(self, vals, event: dict[str, int]) -> np.ndarray:
        m = np.ones(self._pu.size, dtype=bool)
        for var, val in event.items():
            m &= vals[var] == val
        return m

    def joint(self, do: Mapping[str, int] | None = None) -> np.ndarray:
        r"""Joint pmf of the endogenous variables (axes in :attr:`variables` order), under ``do`` if given (rung 1 / 2).

        Parameters
        ----------
        do : mapping of str to int, optional
            The intervention ``{name: value}`` (``None``: the observational law).

        Returns
        -------
        ndarray
            The joint pmf, one axis per variable of :attr:`variables`.
        """
        do = self._check_assignment(do, "do")
        vals = self._solve(do) if do else self._factual
        shape = tuple(c for _, c, _ in self._eqs)
        idx = np.ravel_multi_index(tuple(vals[n] for n in self.variables), shape)
        return np.bincount(idx, weights=self._pu, minlength=int(np.prod(shape))).reshape(shape)

    def probability(self, event: Mapping[str, int], *, given: Mapping[str, int] | None = None,
                    do: Mapping[str, int] | None = None) -> float:
        r""":math:`P(\text{event} \mid \text{given})` in the model, after the intervention ``do`` if given.

        ``given`` alone: rung 1 (association, what a predictor fitted to observational data learns);
        ``do`` alone: rung 2 (intervention).  Events are mappings ``{name: value}``.

        Parameters
        ----------
        event : mapping of str to int
            The event ``{name: value}``.
        given : mapping of str to int, keyword-only, optional
            The conditioning event (rung 1).
        do : mapping of str to int, keyword-only, optional
            The intervention (rung 2).

        Returns
        -------
        float
            The probability, in [0, 1].
        """
        ev = self._check_assignment(event, "event")
        gv = self._check_assignment(given, "given")
        do = self._check_assignment(do, "do")
        vals = self._solve(do) if do else self._factual
        mg = self._mask(vals, gv)
        pg = float(self._pu[mg].sum())
        if not pg > 0:
            raise ValueError(f"given has probability 0 in this model: {gv}")
        return float(self._pu[mg & self._mask(vals, ev)].sum() / pg)

    def abduction(self, evidence: Mapping[str, int]) -> np.ndarray:
        r"""Posterior pmf of the exogenous noises given factual ``evidence`` (axes in :attr:`noise_names` order).

        :math:`P(u \mid e) \propto P(u)\,\mathbb 1[\text{the model with noise } u \text{ produces } e]`; step 1 of a
        counterfactual.  Raises ``ValueError`` naming ``evidence`` if it has probability 0.

        Parameters
        ----------
        evidence : mapping of str to int
            The factual observation ``{name: value}``.

        Returns
        -------
        ndarray
            The posterior pmf of the noises, one axis per name of :attr:`noise_names`.
        """
        ev = self._check_assignment(evidence, "evidence")
        w = self._pu * self._mask(self._factual, ev)
        tot = w.sum()
        if not tot > 0:
            raise ValueError(f"evidence has probability 0 in this model: {ev}")
        return (w / tot).reshape(tuple(len(self._noise[u]) for u in self._noise))

    def counterfactual(self, event: Mapping[str, int], *, evidence: Mapping[str, int], do: Mapping[str, int]) -> float:
        r"""Rung 3: :math:`P(\text{event}_{do} \mid \text{evidence})` by abduction, action and prediction.

        The noises are updated on the factual ``evidence`` (:meth:`abduction`), the mechanisms of the
        ``do`` variables replaced by constants, and the event's probability computed under the posterior
        noise law in the modified model.  E.g. ``counterfactual({"Y": 1}, evidence={"X": 1, "Y": 1},
        do={"X": 0})`` is "had X been 0, would Y still have been 1?".

        Parameters
        ----------
        event : mapping of str to int
            The counterfactual event ``{name: value}``.
        evidence : mapping of str to int, keyword-only
            The factual observation.
        do : mapping of str to int, keyword-only
            The hypothetical intervention (at least one variable).

        Returns
        -------
        float
            The counterfactual probability, in [0, 1].
        """
        ev = self._check_assignment(event, "event")
        post = self.abduction(evidence).ravel()
        dov = self._check_assignment(do, "do")
        if not dov:
            raise ValueError("do must name at least one intervened variable for a counterfactual")
        vals = self._solve(dov)
        return float(post[self._mask(vals, ev)].sum())

    def backdoor(self, event: Mapping[str, int], *, do: Mapping[str, int], adjust: Sequence[str]) -> float:
        r"""Back-door adjustment from the *observational* joint law: :math:`\sum_z P(\text{event} \mid x, z)\,P(z)`.

        ``do`` is the treatment assignment :math:`\{X: x\}`, ``adjust`` a sequence of variable names :math:`Z`.
        Only :meth:`joint` (rung 1) is used; when :math:`Z` satisfies the back-door criterion for the
        treatment and the event's variables this equals ``probability(event, do=do)`` (rung 2, computed by
        replacing mechanisms), which makes the two an independent check.  Strata :math:`z` with
        :math:`P(x, z) = 0` raise ``ValueError`` naming ``adjust`` (positivity fails).  Chapter 8.

        Parameters
        ----------
        event : mapping of str to int
            The outcome event ``{name: value}``.
        do : mapping of str to int, keyword-only
            The treatment assignment.
        adjust : sequence of str, keyword-only
            The adjustment set :math:`Z`.

        Returns
        -------
        float
            The adjusted probability, in [0, 1].
        """
        ev = self._check_assignment(event, "event")
        dov = self._check_assignment(do, "do")
        if not dov:
            raise ValueError("do must name at least one treatment variable")
        if isinstance(adjust, str) or not all(a in self.variables for a in adjust):
            raise ValueError(f"adjust must be a sequence of endogenous variable names ({self.variables})")
        Z = list(adjust)
        if set(Z) & (set(dov) | set(ev)):
            raise ValueError("adjust must not contain the treatment or the event's variables")
        P = self.joint()
        names = self.variables
        keep = [names.index(v) for v in Z]
        pz = P.sum(axis=tuple(i for i in range(P.ndim) if i not in keep))
        total = 0.0
        for zval in itertools.product(*[range(self.cardinality(v)) for v in Z]):
            if pz[zval] == 0:
                continue
            cond = dict(zip(Z, zval)) | dov
            sl = tuple(cond.get(n, slice(None)) for n in names)
            pxz = P[sl].sum()
            if not pxz > 0:
                raise ValueError(f"adjust: the stratum {dict(zip(Z, zval))} never has the treatment {dov} (positivity)")
            sl_e = tuple((ev | cond).get(n, slice(None)) for n in names) if all(ev.get(k, v) == v for k, v in cond.items()) else None
            pexz = 0.0 if sl_e is None else P[sl_e].sum()
            total += pz[zval] * pexz / pxz
        return float(total)

    def sample(self, n: int, *, do: Mapping[str, int] | None = None, seed: SeedLike = None) -> dict[str, np.ndarray]:
        """``n`` i.i.d. draws of the endogenous variables (under ``do`` if given), as a dict of integer arrays.

        Parameters
        ----------
        n : int
            The number of draws (>= 1).
        do : mapping of str to int, keyword-only, optional
            The intervention (``None``: observational draws).
        seed : int, numpy.random.Generator or None, keyword-only, default None
            The randomness (an int >= 0 gives reproducible draws).

        Returns
        -------
        dict of str to ndarray of int64, shape (n,)
            The draws of each endogenous variable.
        """
        n = check_int(n, "n", minimum=1)
        do = self._check_assignment(do, "do")
        rng = as_rng(seed)
        vals = self._solve(do) if do else self._factual
        pick = rng.choice(self._pu.size, size=n, p=self._pu / self._pu.sum())
        return {v: vals[v][pick] for v in self.variables}


def _bern(q: float) -> np.ndarray:
    return np.array([1.0 - q, q])


def confounded_scm(flip_x: float = 0.1, flip_y: float = 0.1, effect_size: float = 0.0) -> DiscreteSCM:
    r"""Binary SCM with a hidden common cause Z of a token X the model reads and a token Y it writes.

    .. math:: Z = U_Z,\quad X = Z \oplus N_X,\quad Y = (Z \oplus N_Y) \lor (X \land E)

    with :math:`U_Z \sim \mathrm{Bern}(1/2)`, :math:`N_X \sim \mathrm{Bern}(\text{flip\_x})`,
    :math:`N_Y \sim \mathrm{Bern}(\text{flip\_y})`, :math:`E \sim \mathrm{Bern}(\text{effect\_size})`.  With
    ``effect_size = 0`` X has no causal effect on Y, yet X predicts Y: :math:`P(Y=1 \mid X=1) \ne P(Y=1 \mid do(X=1)) = 1/2`.
    Variables ``("Z", "X", "Y")``.  Chapter 8.

    Parameters
    ----------
    flip_x : float, default 0.1
        :math:`P(N_X = 1)`, in [0, 1].
    flip_y : float, default 0.1
        :math:`P(N_Y = 1)`, in [0, 1].
    effect_size : float, default 0.0
        :math:`P(E = 1)`, the probability that X acts on Y, in [0, 1].

    Returns
    -------
    DiscreteSCM
        The model, variables ``("Z", "X", "Y")``.

    Examples
    --------
    >>> m = confounded_scm(0.1, 0.1)
    >>> round(m.probability({"Y": 1}, given={"X": 1}), 2), m.probability({"Y": 1}, do={"X": 1})
    (0.82, 0.5)
    """
    qx = check_probability(flip_x, "flip_x")
    qy = check_probability(flip_y, "flip_y")
    e = check_probability(effect_size, "effect_size")
    return DiscreteSCM(
        {"U_Z": _bern(0.5), "N_X": _bern(qx), "N_Y": _bern(qy), "E": _bern(e)},
        [
            ("Z", 2, lambda v: v["U_Z"]),
            ("X", 2, lambda v: v["Z"] ^ v["N_X"]),
            ("Y", 2, lambda v: (v["Z"] ^ v["N_Y"]) | (v["X"] & v["E"])),
        ],
    )


def direct_scm(flip: float = 0.18) -> DiscreteSCM:
    r"""Binary SCM where X causes Y directly and nothing else: :math:`X = U_X`, :math:`Y = X \oplus N`.

    :math:`U_X \sim \mathrm{Bern}(1/2)`, :math:`N \sim \mathrm{Bern}(\text{flip})`.  With
    ``flip = qx(1-qy) + qy(1-qx)`` its law of (X, Y) equals that of ``confounded_scm(qx, qy)``: the two
    models agree on rung 1 and disagree on rungs 2 and 3.  Variables ``("X", "Y")``.  Chapter 8.

    Parameters
    ----------
    flip : float, default 0.18
        :math:`P(N = 1)`, in [0, 1].

    Returns
    -------
    DiscreteSCM
        The model, variables ``("X", "Y")``.
    """
    q = check_probability(flip, "flip")
    return DiscreteSCM(
        {"U_X": _bern(0.5), "N": _bern(q)},
        [("X", 2, lambda v: v["U_X"]), ("Y", 2, lambda v: v["X"] ^ v["N"])],
    )


def observational_twin(scm: DiscreteSCM, *, cause: str, effect: str) -> DiscreteSCM:
    r"""The unconfounded SCM :math:`X \to Y` with the same observational law of ``(cause, effect)`` as ``scm``.

    :math:`X := N_X` with :math:`N_X \sim P(x)`, and :math:`Y := N_{Y,X}` with independent response noises
    :math:`N_{Y,x} \sim P(y \mid x)`, one per value :math:`x` (the canonical response-function form).  Its law of
    :math:`(X, Y)` is that of ``scm``, and its interventional answer is the rung-1 one,
    :math:`P_{\text{twin}}(y \mid do(x)) = P(y \mid x)`; so whenever ``scm`` has
    :math:`P(y \mid do(x)) \ne P(y \mid x)`, the pair is a witness that rung 1 does not determine rung 2.
    Chapter 8.

    Parameters
    ----------
    scm : DiscreteSCM
        The model whose observational law of ``(cause, effect)`` is copied.
    cause : str, keyword-only
        The variable X.
    effect : str, keyword-only
        The variable Y (not ``cause``).

    Returns
    -------
    DiscreteSCM
        The twin, variables ``(cause, effect)``.
    """
    if not isinstance(scm, DiscreteSCM):
        raise ValueError(f"scm must be a DiscreteSCM, got {type(scm).__name__}")
    names = scm.variables
    for nm, val in (("cause", cause), ("effect", effect)):
        if val not in names:
            raise ValueError(f"{nm} must name an endogenous variable of scm ({names}), got {val!r}")
    if cause == effect:
        raise ValueError("effect must differ from cause")
    P = scm.joint()
    ic, ie = names.index(cause), names.index(effect)
    pxy = P.sum(axis=tuple(i for i in range(P.ndim) if i not in (ic, ie)))
    if ic > ie:
        pxy = pxy.T
    px = pxy.sum(axis=1)
    K, L = pxy.shape
    noise = {"N_" + cause: px}
    for x in range(K):
        noise[f"N_{effect}|{x}"] = pxy[x] / px[x] if px[x] > 0 else np.full(L, 1.0 / L)
    eqs = [
        (cause, K, lambda v: v["N_" + cause]),
        (effect, L, lambda v: np.choose(v[cause], [v[f"N_{effect}|{x}"] for x in range(K)])),
    ]
    return DiscreteSCM(noise, eqs)
