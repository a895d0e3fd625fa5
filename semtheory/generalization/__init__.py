r"""Information-theoretic generalisation bounds and the softmax cross-entropy range (chapter 12).

* :func:`hoeffding_sigma` — a loss in :math:`[a, b]` is :math:`(b-a)/2`-sub-Gaussian (Hoeffding's lemma);
* :func:`mi_generalization_bound` — :math:`|\E[\mathrm{gen}]| \le \sqrt{2\sigma^2 \I(W;S)/n}`
  (Xu–Raginsky 2017, Russo–Zou 2016);
* :func:`softmax_cross_entropy`, :func:`cross_entropy_range`, :func:`cross_entropy_upper` — the loss
  :math:`\ell(z, y) = \log\sum_k e^{z_k} - z_y` lies in :math:`[0, \log K + \max z - \min z]`;
* :func:`logit_sum_bound` — with :math:`\max z - \min z \le \|z\|_1 \le B` the bound becomes
  :math:`(\log K + B)\sqrt{\I(W;S)/(2n)}`;
* :func:`gibbs_study` — an exact study on a finite class of softmax classifiers with a Gibbs posterior:
  :math:`\I(W;S)` and the expected gap computed by enumerating dataset types, plus a Monte-Carlo check.

Information quantities (:math:`\I(W;S)`, :math:`\H(W)`, the CMI, the entropy of a type) are in units of log
``base``, keyword-only, bits by default (``base=math.e`` for nats), and the bounds take their information argument
in the same units.  Losses, logits, gaps and the bounds on the gap are natural-log cross-entropies, in nats,
whatever ``base``.

**Files.**  :mod:`~semtheory.generalization.bounds` (the loss range, the logit budgets and the bounds),
:mod:`~semtheory.generalization.gibbs` (the Gibbs learner on a finite class and its exact study),
:mod:`~semtheory.generalization.cmi` (the supersample CMI and the entropies of types),
:mod:`~semtheory.generalization.sgld` (noisy gradient descent and its bound); every public name is re-exported here.
"""

from __future__ import annotations

from .bounds import (
    LogitBudgets,
    cmi_generalization_bound,
    cross_entropy_range,
    cross_entropy_sup_given_range,
    cross_entropy_upper,
    hoeffding_sigma,
    logit_budgets,
    logit_spread_bound,
    logit_sum_bound,
    mi_generalization_bound,
    softmax_cross_entropy,
)
from .cmi import ml_table_entropy, supersample_cmi, supersample_cmi_brute_force, type_entropy
from .gibbs import (
    GibbsStudy,
    decoupling_cgf,
    enumerate_types,
    gibbs_posterior,
    gibbs_study,
    individual_sample_mi,
    mutual_information_brute_force,
    random_hypotheses,
)
from .sgld import SGLDStudy, sgld_study

__all__ = [
    "hoeffding_sigma",
    "mi_generalization_bound",
    "softmax_cross_entropy",
    "cross_entropy_range",
    "cross_entropy_upper",
    "cross_entropy_sup_given_range",
    "logit_sum_bound",
    "random_hypotheses",
    "enumerate_types",
    "ml_table_entropy",
    "gibbs_posterior",
    "GibbsStudy",
    "gibbs_study",
    "mutual_information_brute_force",
    "logit_spread_bound",
    "LogitBudgets",
    "logit_budgets",
    "decoupling_cgf",
    "individual_sample_mi",
    "supersample_cmi",
    "supersample_cmi_brute_force",
    "cmi_generalization_bound",
    "type_entropy",
    "SGLDStudy",
    "sgld_study",
]
