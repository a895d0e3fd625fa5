r"""Memory capacity: Cover's counting, Gardner's capacity, Hebbian, dense and modern Hopfield networks (chapter 13).

The chapter asks one question of four models: *how many random patterns can a network of width
:math:`N` store?*  Capacities are counts of patterns (dimensionless); the load is :math:`\alpha = P/N`.

**Perceptron (one neuron, N weights).**  Cover's function-counting theorem (Cover 1965): :math:`P` points
in general position in :math:`\mathbb{R}^N` admit

.. math::

    C(P, N) = 2 \sum_{k=0}^{N-1} \binom{P-1}{k}

dichotomies realisable by a homogeneous linear threshold unit :math:`y = \operatorname{sgn}(w\cdot x)`,
so a random labelling is separable with probability :math:`C(P,N)/2^P`, which equals exactly
:math:`1/2` at :math:`P = 2N`.  :func:`cover_count` and :func:`cover_fraction` return exact integers
and :class:`fractions.Fraction`; :func:`is_linearly_separable` decides separability of a given
labelled set by a linear-programming feasibility problem (``scipy.optimize.linprog``, HiGHS).

**Gardner (1988).**  With margin :math:`\kappa \ge 0` (stability :math:`y_\mu w\cdot x_\mu/\|w\| \ge
\kappa` for :math:`\|w\|^2 = N`), the critical load of random patterns is

.. math::

    \alpha_c(\kappa) = \Bigl[\int_{-\kappa}^{\infty} Dt\,(t+\kappa)^2\Bigr]^{-1}
    = \bigl[(1+\kappa^2)\,\Phi(\kappa) + \kappa\,\varphi(\kappa)\bigr]^{-1},

with :math:`Dt = \varphi(t)\,dt` the standard Gaussian measure and :math:`\Phi` its CDF; :math:`\alpha_c(0)
= 2` agrees with Cover.

**Hebbian Hopfield network (Amit, Gutfreund & Sompolinsky 1985).**  At zero temperature the
replica-symmetric retrieval solution satisfies

.. math::

    m = \operatorname{erf}\Bigl(\frac{m}{\sqrt{2\alpha r}}\Bigr),\quad
    C = \sqrt{\frac{2}{\pi\alpha r}}\,e^{-m^2/(2\alpha r)},\quad r = \frac{1}{(1-C)^2};

with :math:`y = m/\sqrt{2\alpha r}` they reduce to :math:`m = \operatorname{erf}(y)` and
:math:`\sqrt{2\alpha} = g(y) := \operatorname{erf}(y)/y - (2/\sqrt{\pi})e^{-y^2}`, so the largest load
with a retrieval solution is :math:`\alpha_c = \max_y g(y)^2/2 \approx 0.138`
(:func:`hopfield_rs_capacity`).  :func:`hopfield_retrieval` simulates the network.

**Dense and modern Hopfield networks.**  The energy :math:`E(\sigma) = -\sum_\mu F(\xi^\mu\cdot\sigma)`
with :math:`F(x) = x^n` (Krotov & Hopfield 2016) stores :math:`\propto N^{n-1}` patterns; with
:math:`F(x) = e^x` (Demircigil et al. 2017) it stores :math:`e^{\alpha N}` patterns for
:math:`\alpha < I(1-2\rho)/2`, :math:`I(x) = \tfrac12[(1+x)\ln(1+x) + (1-x)\ln(1-x)]`, when cues carry
a fraction :math:`\rho` of flipped bits; the continuous modern Hopfield network (Ramsauer et al. 2021)
stores at least :math:`\sqrt{p}\,c^{(d-1)/4}` random patterns on a sphere.  :func:`dam_retrieval` and
:func:`dam_empirical_capacity` simulate one-step retrieval in these models.

Provenance: all formulas are standard results ([R] in the dossier); the treatise's summary claim that
"memory capacity grows exponentially as parameters grow linearly" ([S1]) is reconstructed in
chapter 13 as the exponential-in-:math:`N` capacity of the exponential-interaction model.

**Files.**  :mod:`~semtheory.capacity.cover` (Cover's counting, linear separability, random patterns),
:mod:`~semtheory.capacity.gardner` (Gardner's capacity of the spherical perceptron),
:mod:`~semtheory.capacity.ising` (the Ising perceptron's replica-symmetric entropy),
:mod:`~semtheory.capacity.hopfield_rs` (the Hopfield network's replica-symmetric theory),
:mod:`~semtheory.capacity.hopfield_sim` (couplings, dynamics and retrieval simulated),
:mod:`~semtheory.capacity.dense` (dense and exponential associative memories); every public name is
re-exported here.
"""

from __future__ import annotations

from .cover import (
    cover_count,
    cover_fraction,
    random_patterns,
    is_linearly_separable,
    count_separable_dichotomies,
    separability_sweep,
)
from .gardner import (
    gardner_integral,
    gardner_integral_quad,
    gardner_alpha,
    gardner_margin,
    gardner_rs_load,
)
from .ising import (
    IsingRS,
    ising_perceptron_rs,
    ising_perceptron_capacity,
)
from .hopfield_rs import (
    RSSolution,
    hopfield_rs_gain,
    hopfield_rs_capacity,
    hopfield_rs_solution,
    hopfield_rs_overlap,
    hopfield_rs_residuals,
    hopfield_rs_finite_temperature,
)
from .hopfield_sim import (
    hebbian_couplings,
    perceptron_couplings,
    pattern_stabilities,
    hopfield_dynamics,
    hopfield_retrieval,
    hopfield_overlap_sweep,
)
from .dense import (
    cramer_rate,
    dense_capacity,
    demircigil_exponent,
    exponential_capacity,
    ramsauer_capacity_bound,
    dam_retrieval,
    dam_empirical_capacity,
)

__all__ = [
    "cover_count",
    "cover_fraction",
    "random_patterns",
    "is_linearly_separable",
    "count_separable_dichotomies",
    "separability_sweep",
    "gardner_integral",
    "gardner_integral_quad",
    "gardner_alpha",
    "gardner_margin",
    "gardner_rs_load",
    "IsingRS",
    "ising_perceptron_rs",
    "ising_perceptron_capacity",
    "RSSolution",
    "hopfield_rs_gain",
    "hopfield_rs_capacity",
    "hopfield_rs_solution",
    "hopfield_rs_overlap",
    "hopfield_rs_residuals",
    "hopfield_rs_finite_temperature",
    "hebbian_couplings",
    "perceptron_couplings",
    "pattern_stabilities",
    "hopfield_dynamics",
    "hopfield_retrieval",
    "hopfield_overlap_sweep",
    "cramer_rate",
    "dense_capacity",
    "demircigil_exponent",
    "exponential_capacity",
    "ramsauer_capacity_bound",
    "dam_retrieval",
    "dam_empirical_capacity",
]
