r"""Token embedding as vectorisation on the semantic manifold: PMI, the unit sphere, JL, IB and InfoNCE.

Chapter 9.  Five groups of tools, each exact where an exact value exists.

**Co-occurrence and PMI.**  :func:`word_tokens` cuts a text into lowercase words (the regular expression
``[a-z]+``; a word-level vocabulary keeps nearest neighbours readable, and the chapter is about embeddings, not
tokenisers; any integer token stream, e.g. the BPE ids of :mod:`semtheory.tokens`, works the same way).
:func:`cooccurrence` counts pairs of tokens at distance :math:`1..w` in a ``scipy.sparse`` matrix,
:func:`pmi_matrix` gives :math:`\mathrm{PMI}(w,c) = \log\frac{\#(w,c)\,D}{\#(w)\,\#_\alpha(c)}`, and
:func:`shifted_pmi` the sparse shifted (positive) PMI :math:`\max(\mathrm{PMI} - \log k, 0)` that skip-gram
with :math:`k` negative samples factorises implicitly (Levy and Goldberg 2014).  :func:`truncated_svd` and
:func:`svd_embeddings` factorise it; :func:`to_sphere` puts the rows on the unit sphere, where the inner
product is the cosine; :func:`nearest`, :func:`analogy` and :func:`analogy_test` query the result.

**Probability--inner-product space.**  :func:`sphere_logprobs` is the next-token law
:math:`Q(v \mid c) = \softmax_v(s\,\langle u_c, w_v\rangle)` with :math:`\|u_c\| = \|w_v\| = 1` and scale
:math:`s`; its log-probability matrix has rank at most :math:`d + 1` (:func:`numerical_rank`), so a source whose
log-probability matrix has higher rank cannot be matched: :func:`fit_sphere_softmax` finds the best one
(the *softmax bottleneck*, Yang et al. 2018).

**Johnson--Lindenstrauss and quasi-orthogonality.**  :func:`gaussian_projection`, :func:`jl_distortions`,
the Dasgupta--Gupta dimension :func:`jl_dimension` and pair-failure bound :func:`jl_pair_failure_bound`
(with its exact value :func:`jl_pair_failure_exact` for Gaussian projections); the cap probability of two
random unit vectors (:func:`cap_probability`, its bound :func:`cap_bound`, Ball 1997), the resulting
exponential lower bound on the number of :math:`\varepsilon`-quasi-orthogonal directions
(:func:`quasi_orthogonal_bound`) and a greedy experiment (:func:`greedy_quasi_orthogonal`).

**Optimal vectorisation on a known source.**  :func:`context_next_law` gives the exact joint law of a
context window and the next token of any :class:`~semtheory.channel.LanguageModel`;
:func:`encoder_information` the exact :math:`(I(X;T), I(T;Y))` of a deterministic context encoder
:math:`T = f(X)` (:func:`last_k_encoder`, :func:`sign_hash_encoder`, :func:`agglomerative_ib`);
:func:`information_bottleneck` the IB curve by the log-domain iterative algorithm of Tishby, Pereira and
Bialek (1999).

**InfoNCE.**  :func:`infonce` evaluates :math:`\log N - \mathcal L_N` on a score matrix (always
:math:`\le \log N`), :func:`optimal_critic` the critic :math:`\log p(y\mid x)/p(y)`,
:func:`infonce_exact` the exact expectation of the bound for small :math:`N`, :func:`infonce_monte_carlo` its
Monte-Carlo estimate, and :func:`train_infonce_critic` a CPC-style critic on the unit sphere trained in
torch (van den Oord et al. 2018; Poole et al. 2019).

Units: every function that returns an information value takes ``base`` (keyword-only, default 2 = bits, as
everywhere in :mod:`semtheory.measures`); ``base=math.e`` gives nats, the unit of the SGNS shift :math:`\log k`
and of the InfoNCE ceiling :math:`\log N`.  Scores, critics and the shifted PMI targets that the SGNS and
sphere models factorise are natural logarithms (nats) throughout.

The groups live in the submodules ``pmi`` (words, counts, PMI, SGNS), ``factorisation`` (weighted and SVD
factorisations, vectors, analogies), ``sphere``, ``jl``, ``quasi_orthogonal``, ``vectorisation`` and
``contrastive`` (InfoNCE); every public name is re-exported here, so ``embedding.name`` and ``from semtheory.embedding import
name`` both work.
"""

from __future__ import annotations

from .pmi import (
    WORD_PATTERN,
    WordTokens,
    word_tokens,
    cooccurrence,
    pmi_matrix,
    shifted_pmi,
    sgns_optimal_inner_product,
    sgns_weight,
    sgns_least_squares,
)
from .factorisation import (
    WeightedFit,
    weighted_factorisation,
    FactorisationErrors,
    factorisation_errors,
    pair_correlations,
    truncated_svd,
    Embeddings,
    svd_embeddings,
    to_sphere,
    nearest,
    analogy,
    AnalogyResult,
    analogy_test,
)
from .sphere import (
    sphere_logprobs,
    numerical_rank,
    SoftmaxFit,
    fit_sphere_softmax,
)
from .jl import (
    gaussian_projection,
    jl_distortions,
    jl_dimension,
    jl_pair_failure_bound,
    jl_pair_failure_exact,
)
from .quasi_orthogonal import (
    cap_probability,
    cap_bound,
    quasi_orthogonal_bound,
    greedy_quasi_orthogonal,
)
from .vectorisation import (
    context_next_law,
    context_samples,
    EncoderInfo,
    encoder_information,
    stochastic_encoder_information,
    last_k_encoder,
    sign_hash_encoder,
    agglomerative_ib,
    IBCurve,
    information_bottleneck,
    DIBResult,
    deterministic_information_bottleneck,
)
from .contrastive import (
    readable_information,
    optimal_critic,
    infonce,
    infonce_exact,
    infonce_monte_carlo,
    InfoNCEFit,
    train_infonce_critic,
)

__all__ = [
    # corpus and PMI
    "WORD_PATTERN",
    "WordTokens",
    "word_tokens",
    "cooccurrence",
    "pmi_matrix",
    "shifted_pmi",
    "sgns_optimal_inner_product",
    "sgns_weight",
    "sgns_least_squares",
    "WeightedFit",
    "weighted_factorisation",
    "FactorisationErrors",
    "factorisation_errors",
    "pair_correlations",
    "truncated_svd",
    "Embeddings",
    "svd_embeddings",
    "to_sphere",
    "nearest",
    "analogy",
    "AnalogyResult",
    "analogy_test",
    # probability-inner-product space
    "sphere_logprobs",
    "numerical_rank",
    "SoftmaxFit",
    "fit_sphere_softmax",
    # Johnson-Lindenstrauss and quasi-orthogonality
    "gaussian_projection",
    "jl_distortions",
    "jl_dimension",
    "jl_pair_failure_bound",
    "jl_pair_failure_exact",
    "cap_probability",
    "cap_bound",
    "quasi_orthogonal_bound",
    "greedy_quasi_orthogonal",
    # optimal vectorisation
    "context_next_law",
    "context_samples",
    "EncoderInfo",
    "encoder_information",
    "stochastic_encoder_information",
    "last_k_encoder",
    "sign_hash_encoder",
    "agglomerative_ib",
    "IBCurve",
    "information_bottleneck",
    "DIBResult",
    "deterministic_information_bottleneck",
    # InfoNCE
    "readable_information",
    "optimal_critic",
    "infonce",
    "infonce_exact",
    "infonce_monte_carlo",
    "InfoNCEFit",
    "train_infonce_critic",
]
