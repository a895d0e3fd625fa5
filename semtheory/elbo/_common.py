"""What the files of :mod:`semtheory.elbo` share and users do not need: the checks of an HMM and of an
observed sequence, and the log-parameters of an HMM."""

from __future__ import annotations

import numpy as np

from .._validate import as_token_ids
from .hmm import HMM


def check_hmm(hmm, name: str = "hmm") -> HMM:
    if not isinstance(hmm, HMM):
        raise ValueError(f"{name} must be a semtheory.elbo.HMM, got {type(hmm).__name__}")
    return hmm


def check_x(x, V: int, name: str = "x", *, max_len: int | None = 12) -> np.ndarray:
    arr = as_token_ids(x, name, vocab_size=V)
    if max_len is not None and arr.size > max_len:
        raise ValueError(f"{name} is too long to enumerate (n = {arr.size} > {max_len})")
    return arr


def logs(hmm: HMM):
    with np.errstate(divide="ignore"):
        return np.log(hmm.initial), np.log(hmm.transition), np.log(hmm.emission)
