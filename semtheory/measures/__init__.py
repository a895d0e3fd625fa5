r"""Shannon's information measures on discrete pmfs (chapter 2, used throughout the book).

A joint pmf is a numpy array with **one axis per random variable**: ``p[x, y, z] = P(X=x, Y=y, Z=z)``.
Functions take the axes that name each variable group (an int or a tuple of ints), so the same array
serves every measure.  Units: ``base=2`` (bits) by default; ``base=math.e`` gives nats.

All sums of the form :math:`\sum p \log p` use :func:`scipy.special.xlogy`, so that
:math:`0 \log 0 = 0` exactly; no outcome is ever clipped and no input is ever renormalised: an array
that is not a pmf (negative or NaN mass, wrong total) raises :class:`ValueError` naming the argument.

Conditional quantities are computed as a single sum of log-ratios, e.g.
:math:`H(A \mid B) = -\sum p(a,b)\log\frac{p(a,b)}{p(b)}` and
:math:`I(A;B \mid C) = \sum p(a,b,c) \log \frac{p(a,b,c)p(c)}{p(a,c)p(b,c)}`, never as differences of
large entropies.

**Round-off rule.**  A quantity that is :math:`\ge 0` in exact arithmetic (a (conditional) mutual
information, a relative entropy, a total or dual total correlation) is returned as exactly ``0.0`` when its
computed value lies within :math:`\tau = 4\,\varepsilon\,(1 + \log_2 n) + 2\delta` nats of 0.  Here
:math:`\varepsilon = 2.2\times 10^{-16}` is the machine epsilon of ``float64``, in which every input is
computed, :math:`n` the number of cells summed (a pairwise-summed sum of :math:`n` log-ratios errs by a few
:math:`\varepsilon` times :math:`1 + \log_2 n`), and :math:`\delta` the shift that the input's accepted mass
error :math:`d = \sum p - 1` causes: a total of :math:`1 + d` moves a mutual information or a total
correlation of :math:`k` groups by about :math:`-d` and :math:`-(k-1)d`, and :math:`D(p\|q)` by about
:math:`d_p - d_q`, while conditional measures are invariant under a rescaling of the array.  A ``float32``
pmf's rounding enters, to first order, only through :math:`d`.  So the MI of a product law is exactly 0,
also for a ``float32`` input, and a true value below :math:`\tau` (indistinguishable from round-off) is
reported as 0; a value below :math:`-\tau` is returned as it is, since it is not round-off.

**Layout.**  A subpackage: :mod:`~semtheory.measures.basic` (entropies, MI, divergences),
:mod:`~semtheory.measures.multivariate`, :mod:`~semtheory.measures.typicality`, :mod:`~semtheory.measures.fano`,
:mod:`~semtheory.measures.laws` and :mod:`~semtheory.measures.estimators`; every public name is re-exported here.

**Contents.**  Entropies, conditional entropies, (conditional) mutual information, KL divergence and
cross-entropy (also conditional: :func:`conditional_kl_divergence`, :func:`conditional_cross_entropy`);
multivariate measures on any number of groups (:func:`co_information`, :func:`interaction_information`,
:func:`total_correlation`, :func:`dual_total_correlation`, :func:`o_information`); typical sets
(:func:`typical_set`), :func:`total_variation`, differential entropy (:func:`gaussian_entropy`,
:func:`differential_entropy`); Fano's inequality; entropy estimators from samples (plug-in, Miller–Madow,
jackknife, Chao–Shen) with exact biases (:func:`plugin_bias`, :func:`estimator_bias`).

**Overlap rule.**  Variable groups may overlap: every measure is defined through the entropies of *unions*
of groups, in which a shared axis counts once.  Thus
:math:`I(A;B \mid C) = H(A\cup C) + H(B\cup C) - H(A\cup B\cup C) - H(C)`, which gives
:math:`H(X\mid X) = 0`, :math:`I(X;X) = H(X)`, :math:`I(A;B) = H(A) + H(B) - H(A\cup B)` for any groups,
and :math:`I(A;B\mid C) = I(A\setminus C; B\setminus C \mid C)`.
"""

from __future__ import annotations

from .basic import (
    marginal,
    entropy,
    conditional_entropy,
    mutual_information,
    conditional_mutual_information,
    kl_divergence,
    cross_entropy,
    perplexity,
    binary_entropy,
)
from .multivariate import (
    conditional_kl_divergence,
    conditional_cross_entropy,
    co_information,
    interaction_information,
    total_correlation,
    dual_total_correlation,
    o_information,
)
from .typicality import (
    TypicalSet,
    typical_set,
    total_variation,
    gaussian_entropy,
    differential_entropy,
)
from .fano import (
    fano_bound,
    fano_error_lower_bound,
    map_error_probability,
)
from .laws import (
    product_law,
    markov_chain_law,
)
from .estimators import (
    empirical_pmf,
    entropy_plugin,
    entropy_miller_madow,
    entropy_jackknife,
    entropy_chao_shen,
    entropy_estimates,
    estimator_bias,
    plugin_bias,
    mutual_information_plugin,
)

__all__ = [
    "marginal",
    "entropy",
    "conditional_entropy",
    "mutual_information",
    "conditional_mutual_information",
    "kl_divergence",
    "cross_entropy",
    "perplexity",
    "conditional_kl_divergence",
    "conditional_cross_entropy",
    "co_information",
    "interaction_information",
    "total_correlation",
    "dual_total_correlation",
    "o_information",
    "TypicalSet",
    "typical_set",
    "total_variation",
    "gaussian_entropy",
    "differential_entropy",
    "binary_entropy",
    "fano_bound",
    "fano_error_lower_bound",
    "map_error_probability",
    "product_law",
    "markov_chain_law",
    "empirical_pmf",
    "entropy_plugin",
    "entropy_miller_madow",
    "entropy_jackknife",
    "entropy_chao_shen",
    "entropy_estimates",
    "estimator_bias",
    "plugin_bias",
    "mutual_information_plugin",
]
