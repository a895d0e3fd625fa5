r"""Post-training as a rate-reward trade-off: KL-regularised RL, its Gibbs optimum, DPO (chapter 6).

**Single decision (a bandit).**  A reference policy :math:`\pi_{\mathrm{ref}}` (the pre-trained model) over
:math:`K` responses, a reward :math:`r` and a temperature :math:`\beta > 0`, the weight of the KL term (the
argument ``kl_weight``: the library keeps the name ``beta`` for inverse temperatures, and this :math:`\beta`
is a temperature, a larger one keeping the policy closer to the reference).  The KL-regularised objective

.. math:: J_\beta(\pi) = \E_\pi[r] - \beta\, D(\pi \,\|\, \pi_{\mathrm{ref}})

is maximised by the Gibbs (Boltzmann) tilt :math:`\pi^*_\beta \propto \pi_{\mathrm{ref}}\, e^{r/\beta}`, with
value :math:`\beta \log \E_{\pi_{\mathrm{ref}}}[e^{r/\beta}]` and, for every policy,
:math:`J_\beta(\pi) = J_\beta(\pi^*_\beta) - \beta D(\pi \| \pi^*_\beta)` (Donsker–Varadhan; Todorov 2009).

**Rate-reward function.**  :math:`R(\rho) = \min\{D(\pi\|\pi_{\mathrm{ref}}) : \E_\pi r \ge \rho\}`, traced by
:math:`\beta`: the point :math:`(\E_{\pi^*_\beta} r,\ D(\pi^*_\beta\|\pi_{\mathrm{ref}}))` lies on the curve and the
slope there is :math:`1/\beta` (nats per reward unit).

**Sequences and inputs.**  Sequence policies are causal kernels in :mod:`semtheory.directed`'s layout
(``policy[t-1]`` the input process :math:`P(x_t \mid x^{t-1}, y^{t-1})`, ``channel[t-1]`` the LLM
:math:`\pi(y_t \mid x^t, y^{t-1})`; joint laws have axes :math:`X_1..X_n, Y_1..Y_n`) and rewards are arrays on
whole sequences in that layout.  The causal optimum is a soft (log-sum-exp) value recursion
(:func:`causal_gibbs`); its rate is a causally conditioned relative entropy, and with the reference left
free among policies blind to the input it is Massey's directed information (:func:`directed_rate_reward`).
:class:`GibbsLM` is the optimum of a prompt-then-generate task as a
:class:`semtheory.channel.LanguageModel`.

**DPO.**  The implicit reward :math:`\beta \log \pi^*/\pi_{\mathrm{ref}} = r - \beta \log Z`, Bradley–Terry
preference data and a seeded torch fit of the DPO loss (Rafailov et al. 2023).

Units: rewards are in their own units and :math:`\beta` (``kl_weight``) in reward units per nat, so objectives and values are
in reward units; KL-divergence *rates* take ``base`` (2 = bits, the default; ``math.e`` = nats).
Provenance: the rate-reward functions are standard constructions used as a reconstruction of the treatise's
"directed rate-reward function" (see the chapter's note).
"""

from __future__ import annotations

from .bandit import (  # noqa: F401
    gibbs_logpolicy,
    gibbs_policy,
    optimal_value,
    kl_objective,
    random_policies,
    best_random_objective,
    simplex_grid,
)
from .curve import (  # noqa: F401
    RateRewardCurve,
    RateRewardLimits,
    rate_reward_curve,
    rate_reward,
    kl_weight_for_reward,
    rate_reward_limits,
)
from .causal import (  # noqa: F401
    reward_table,
    matching_reward,
    CausalGibbs,
    causal_gibbs,
    causal_objective,
    causally_conditioned_kl,
    per_token_kl,
    anticipative_value,
    causal_rate_reward_curve,
)
from .directed_rr import (  # noqa: F401
    DirectedRateReward,
    directed_rate_reward,
    directed_rate_reward_curve,
)
from .gibbs_lm import (  # noqa: F401
    GibbsLM,
    sequence_gibbs,
)
from .dpo import (  # noqa: F401
    implicit_reward,
    bradley_terry,
    PreferenceData,
    sample_preferences,
    dpo_loss,
    expected_dpo_loss,
    DPOFit,
    fit_dpo,
    ARDPOFit,
    fit_dpo_autoregressive,
)
from .best_of_n import (  # noqa: F401
    BestOfN,
    best_of_n_policy,
    best_of_n_kl_bound,
    best_of_n_curve,
    ProxyCurve,
    proxy_reward_curve,
)

__all__ = [
    # single decision
    "gibbs_logpolicy",
    "gibbs_policy",
    "optimal_value",
    "kl_objective",
    "random_policies",
    "best_random_objective",
    "simplex_grid",
    # rate-reward
    "RateRewardCurve",
    "RateRewardLimits",
    "rate_reward_curve",
    "rate_reward",
    "kl_weight_for_reward",
    "rate_reward_limits",
    # sequences and inputs
    "reward_table",
    "matching_reward",
    "CausalGibbs",
    "causal_gibbs",
    "causal_objective",
    "causally_conditioned_kl",
    "per_token_kl",
    "anticipative_value",
    "causal_rate_reward_curve",
    "DirectedRateReward",
    "directed_rate_reward",
    "directed_rate_reward_curve",
    "GibbsLM",
    "sequence_gibbs",
    # DPO
    "implicit_reward",
    "bradley_terry",
    "PreferenceData",
    "sample_preferences",
    "dpo_loss",
    "expected_dpo_loss",
    "DPOFit",
    "fit_dpo",
    "ARDPOFit",
    "fit_dpo_autoregressive",
    "BestOfN",
    "best_of_n_policy",
    "best_of_n_kl_bound",
    "best_of_n_curve",
    "ProxyCurve",
    "proxy_reward_curve",
]
