r"""Cross-chapter synthesis for the conclusion: what an observational law does and does not fix.

Chapter 8 computes the three rungs of Pearl's ladder on two structural causal models (SCMs) with one
observational law.  The conclusion (Chapter 17) needs three small additions, all exact:

* :func:`rung_answers` - the rung-1, rung-2 and rung-3 answers of one SCM side by side;
* :func:`mixed_world_scm` - a one-parameter family of SCMs that all share the observational law of
  chapter 8's two worlds, so that the rung-1 answer is constant along it while the rung-2 and rung-3
  answers sweep intervals;
* :func:`natural_bounds` - the sharp bounds on :math:`P(Y=y \mid do(X=x))` implied by the observational
  law of :math:`(X, Y)` alone (Manski 1990), i.e. everything that a perfect rung-1 learner can say
  about an intervention without further assumptions.

Probabilities are plain numbers (no units).  Everything else lives in :mod:`semtheory.granger`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .core.types import ArrayLike
from ._validate import as_pmf, check_int, check_probability
from .granger import DiscreteSCM

__all__ = ["RungAnswers", "rung_answers", "mixed_world_scm", "NaturalBounds", "natural_bounds"]


class RungAnswers(NamedTuple):
    """The answers of one SCM on the three rungs (probabilities).  Chapter 17.

    ``association`` :math:`P(Y=y \\mid X=x)`, ``intervention`` :math:`P(Y=y \\mid do(X=x))`,
    ``counterfactual`` :math:`P(Y_{x'}=y \\mid X=x, Y=y)`.

    Attributes
    ----------
    association : float
        :math:`P(Y=y \\mid X=x)` (rung 1).
    intervention : float
        :math:`P(Y=y \\mid do(X=x))` (rung 2).
    counterfactual : float
        :math:`P(Y_{x'}=y \\mid X=x, Y=y)` (rung 3).
    """

    association: float
    intervention: float
    counterfactual: float


def _variable(scm: DiscreteSCM, name, arg: str) -> str:
    if not isinstance(name, str) or name not in scm.variables:
        raise ValueError(f"{arg} must name an endogenous variable of scm {scm.variables}, got {name!r}")
    return name


def rung_answers(scm: DiscreteSCM, *, cause: str = "X", effect: str = "Y", x: int = 1, y: int = 1,
                 x_alt: int = 0) -> RungAnswers:
    r"""The three rungs of Pearl's ladder for one SCM, computed exactly.

    .. math::

        \text{rung 1: } P(Y = y \mid X = x), \qquad
        \text{rung 2: } P(Y = y \mid do(X = x)), \qquad
        \text{rung 3: } P(Y_{X = x'} = y \mid X = x, Y = y),

    the last by abduction, action and prediction (:meth:`semtheory.granger.DiscreteSCM.counterfactual`).
    ``cause`` and ``effect`` name the variables :math:`X` and :math:`Y`; ``x``, ``y`` and ``x_alt``
    (:math:`x'`) are their values.  Probabilities, no units.  Chapter 17 (the objects are chapter 8's).

    Parameters
    ----------
    scm : semtheory.granger.DiscreteSCM
        A structural causal model over finite variables.
    cause, effect : str, keyword-only, default "X" and "Y"
        The names of :math:`X` and :math:`Y` in ``scm``.
    x, y, x_alt : int, keyword-only, default 1, 1 and 0
        The values :math:`x`, :math:`y` and :math:`x'`.

    Returns
    -------
    RungAnswers
        The three probabilities.
    """
    if not isinstance(scm, DiscreteSCM):
        raise ValueError(f"scm must be a semtheory.granger.DiscreteSCM, got {type(scm).__name__}")
    cause = _variable(scm, cause, "cause")
    effect = _variable(scm, effect, "effect")
    if cause == effect:
        raise ValueError("cause and effect must be different variables")
    x = check_int(x, "x", minimum=0, maximum=scm.cardinality(cause) - 1)
    x_alt = check_int(x_alt, "x_alt", minimum=0, maximum=scm.cardinality(cause) - 1)
    y = check_int(y, "y", minimum=0, maximum=scm.cardinality(effect) - 1)
    pxy = scm.probability({cause: x, effect: y})
    if not pxy > 0:
        raise ValueError(f"the evidence {cause}={x}, {effect}={y} has probability 0 in scm: choose x and y it can produce")
    return RungAnswers(
        association=scm.probability({effect: y}, given={cause: x}),
        intervention=scm.probability({effect: y}, do={cause: x}),
        counterfactual=scm.counterfactual({effect: y}, evidence={cause: x, effect: y}, do={cause: x_alt}),
    )


def _bern(q: float) -> np.ndarray:
    return np.array([1.0 - q, q])


def mixed_world_scm(weight: float, flip_x: float = 0.1, flip_y: float = 0.2) -> DiscreteSCM:
    r"""Chapter 8's confounded and direct worlds mixed unit by unit: one observational law for every weight.

    .. math::

        Z = U_Z,\quad X = Z \oplus N_X,\quad
        Y = \begin{cases} X \oplus N & S = 1 \text{ (direct mechanism)}\\
                          Z \oplus N_Y & S = 0 \text{ (confounded mechanism)}\end{cases}

    with independent :math:`U_Z \sim \mathrm{Bern}(1/2)`, :math:`N_X \sim \mathrm{Bern}(q_X)`,
    :math:`N_Y \sim \mathrm{Bern}(q_Y)`, :math:`S \sim \mathrm{Bern}(w)` (``weight``) and
    :math:`N \sim \mathrm{Bern}(s)`, :math:`s = q_X(1-q_Y) + q_Y(1-q_X)`.  Both mechanisms give :math:`X` a
    fair bit and :math:`P(Y \ne X) = s`, so the law of :math:`(X, Y)` does not depend on :math:`w`: the
    rung-1 answer :math:`P(Y=1 \mid X=1) = 1-s` is constant, while
    :math:`P(Y=1 \mid do(X=1)) = w(1-s) + (1-w)/2` and :math:`P(Y_{X=0}=1 \mid X=1, Y=1) = 1-w`.
    ``weight = 0`` is ``granger.confounded_scm(flip_x, flip_y)``; ``weight = 1`` has the law of
    ``granger.direct_scm(s)``.  Variables ``("Z", "X", "Y")``.  Chapter 17.

    Parameters
    ----------
    weight : float
        :math:`w \in [0, 1]`, the probability of the direct mechanism.
    flip_x, flip_y : float, default 0.1 and 0.2
        The noise probabilities :math:`q_X` and :math:`q_Y`, in [0, 1].

    Returns
    -------
    semtheory.granger.DiscreteSCM
        The mixed SCM over Z, X, Y (and its exogenous noises).
    """
    w = check_probability(weight, "weight")
    qx = check_probability(flip_x, "flip_x")
    qy = check_probability(flip_y, "flip_y")
    s = qx * (1.0 - qy) + qy * (1.0 - qx)
    return DiscreteSCM(
        {"U_Z": _bern(0.5), "N_X": _bern(qx), "N_Y": _bern(qy), "S": _bern(w), "N": _bern(s)},
        [
            ("Z", 2, lambda v: v["U_Z"]),
            ("X", 2, lambda v: v["Z"] ^ v["N_X"]),
            ("Y", 2, lambda v: np.where(v["S"] == 1, v["X"] ^ v["N"], v["Z"] ^ v["N_Y"])),
        ],
    )


class NaturalBounds(NamedTuple):
    """Sharp bounds ``lower <= P(Y=y | do(X=x)) <= upper`` from the observational law alone.  Chapter 17.

    Attributes
    ----------
    lower, upper : float
        The bounds on :math:`P(Y=y \\mid do(X=x))`.
    """

    lower: float
    upper: float

    @property
    def width(self) -> float:
        """``upper - lower`` :math:`= 1 - P(X = x)`: what the observational law leaves open."""
        return self.upper - self.lower


def natural_bounds(p_xy: ArrayLike, *, x: int, y: int) -> NaturalBounds:
    r"""The natural (Manski) bounds on an interventional probability from an observational law.

    For any SCM in which :math:`Y` is not a cause of :math:`X`, consistency gives
    :math:`P(Y_x = y) = P(X = x, Y = y) + P(X \ne x, Y_x = y)`, hence

    .. math::

        P(X = x, Y = y) \;\le\; P(Y = y \mid do(X = x)) \;\le\; P(X = x, Y = y) + 1 - P(X = x),

    and both ends are attained by some SCM with the given law of :math:`(X, Y)` (Manski 1990): without
    assumptions, this interval is all that the observational law - all that a perfect next-token
    predictor learns - says about rung 2.  ``p_xy[x, y]`` is the pmf of :math:`(X, Y)` (axis 0 the
    cause, axis 1 the effect; never renormalised).  Probabilities, no units.  Chapter 17.

    Parameters
    ----------
    p_xy : array_like, shape (``|X|``, ``|Y|``)
        The observational pmf of (cause, effect).
    x, y : int, keyword-only
        The values in :math:`P(Y=y \mid do(X=x))`.

    Returns
    -------
    NaturalBounds
        The sharp interval, probabilities.
    """
    p = as_pmf(p_xy, "p_xy", ndim=2)
    x = check_int(x, "x", minimum=0, maximum=p.shape[0] - 1)
    y = check_int(y, "y", minimum=0, maximum=p.shape[1] - 1)
    pxy = float(p[x, y])
    px = float(p[x].sum())
    return NaturalBounds(lower=pxy, upper=min(1.0, pxy + 1.0 - px))
