r"""Granger causality, transfer entropy, directed information and Pearl's ladder (chapter 8).

**Vector autoregressions.**  A VAR(p) process :math:`X_t \in \mathbb{R}^d` is

.. math:: X_t = \sum_{k=1}^{p} A_k X_{t-k} + \varepsilon_t,\qquad \varepsilon_t \sim \mathcal N(0, \Sigma)\ \text{i.i.d.}

``coefs`` is an array of shape ``(p, d, d)`` with ``coefs[k-1] = A_k`` (a ``(d, d)`` array means p = 1);
``noise_cov`` is :math:`\Sigma` (``None`` = identity, a 1-D array = a diagonal).  Components are addressed by
their index ``0..d-1``.  Autocovariances follow the convention :math:`\Gamma(h) = E[X_t X_{t-h}^\top]`.

**Direction.**  Every directed quantity takes the keyword-only arguments ``source=`` and ``target=`` (the
two series, arrays) or, for a VAR given by its coefficients, ``source_index=`` and ``target_index=`` (the
components' indices; likewise ``condition=`` a series, ``condition_index=`` indices): it measures how much
the *past of the source* improves the prediction of the *target* beyond the target's own past.  There is
no positional form, so the direction can never be read backwards (contrast
``statsmodels.tsa.stattools.grangercausalitytests``, which tests whether *column 2* causes *column 1*).

**Units.**  ``base=2`` (bits) by default, ``base=math.e`` for nats, as everywhere in :mod:`semtheory`.
Geweke's measure is classically quoted in nats, :math:`F = \ln(\sigma^2_{r}/\sigma^2_{f})`; the identity
:math:`\mathrm{TE} = F/2` holds in any base as long as both sides use the same one.

**Structural causal models.**  :class:`DiscreteSCM` holds a finite SCM (exogenous noise pmfs and
deterministic structural equations) and answers the three rungs of Pearl's ladder exactly:
association :meth:`DiscreteSCM.probability` with ``given=``, intervention with ``do=``, and
counterfactuals :meth:`DiscreteSCM.counterfactual` by abduction, action and prediction.

**Geweke's decomposition** :func:`geweke_decomposition` splits the total linear dependence of two series into
the two Granger directions and the instantaneous part, :math:`F_{X,Y} = F_{X\to Y} + F_{Y\to X} + F_{X\cdot Y}`;
:func:`granger_chi2_test` and :func:`granger_surrogate_test` test :math:`F = 0`; :func:`granger_by_training`
compares two trained Transformers, Granger's definition with learned predictors.

References: Granger (1969); Geweke (1982); Schreiber (2000); Barnett, Barrett & Seth (2009);
Amblard & Michel (2011); Pearl (2009); Bareinboim, Correa, Ibeling & Icard (2022).
"""


from .amblard_michel import coupled_pair_transition
from .discrete import (
    TrainedGranger,
    granger_by_training,
    simulate_delayed_copy,
    transfer_entropy_plugin,
)
from .gaussian import (
    GewekeParts,
    GrangerTest,
    SurrogateTest,
    gaussian_conditional_mutual_information,
    geweke_decomposition,
    geweke_decomposition_sample,
    geweke_granger,
    granger_chi2_test,
    granger_null_statistics,
    granger_surrogate_test,
    granger_test,
)
from .scm import DiscreteSCM, confounded_scm, direct_scm, observational_twin
from .spectral import innovation_covariance, innovation_logdet_spectral, spectral_density
from .structural import masked_effect_var, spurious_granger_var, var_do
from .transfer import granger_var, transfer_entropy_gaussian, transfer_entropy_var
from .var import (
    VARFit,
    as_var,
    companion_matrix,
    fit_var,
    is_stable,
    simulate_var,
    spectral_radius,
    var_autocovariance,
    var_impulse_response,
    var_stationary_covariance,
)

__all__ = [
    # VAR processes
    "as_var",
    "companion_matrix",
    "spectral_radius",
    "is_stable",
    "simulate_var",
    "fit_var",
    "VARFit",
    "var_stationary_covariance",
    "var_autocovariance",
    "var_impulse_response",
    "spectral_density",
    "innovation_covariance",
    "innovation_logdet_spectral",
    # Granger and transfer entropy
    "gaussian_conditional_mutual_information",
    "geweke_granger",
    "granger_test",
    "GrangerTest",
    "transfer_entropy_gaussian",
    "transfer_entropy_var",
    "granger_var",
    "transfer_entropy_plugin",
    "simulate_delayed_copy",
    "GewekeParts",
    "geweke_decomposition",
    "geweke_decomposition_sample",
    "granger_null_statistics",
    "granger_chi2_test",
    "SurrogateTest",
    "granger_surrogate_test",
    "TrainedGranger",
    "granger_by_training",
    # directed information
    "coupled_pair_transition",
    # causal models
    "spurious_granger_var",
    "masked_effect_var",
    "var_do",
    "DiscreteSCM",
    "confounded_scm",
    "direct_scm",
    "observational_twin",
]
