r"""Result records shared by every chapter module.

Every result of the library is a :class:`typing.NamedTuple` whose fields are named for what they hold (the
book's conventions page, in its appendix).  :class:`Estimate` is the record of a Monte Carlo estimate: its
mean and its standard error, in the units the returning function documents (units of log ``base``, bits by default,
for an information quantity).  It unpacks as ``mean, se = estimate``, so code written for a ``(mean, se)`` pair reads
the same.
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["Estimate"]


class Estimate(NamedTuple):
    r"""A Monte Carlo estimate and its standard error.

    ``mean`` is the estimate :math:`\hat\theta` and ``se`` its standard error :math:`\widehat{\mathrm{se}}`
    (:math:`s/\sqrt N` for a mean of :math:`N` independent draws, or the batch-means error of a dependent series),
    both in the units of the function that returns it.

    Attributes
    ----------
    mean : float
        The estimate, in the units documented by the returning function.
    se : float
        Its standard error, same units; ``0.0`` when it is not estimable (a single draw).

    Examples
    --------
    >>> from semtheory.core.results import Estimate
    >>> e = Estimate(1.25, 0.05)
    >>> mean, se = e
    >>> e.interval()  # doctest: +ELLIPSIS
    (1.152..., 1.347...)
    """

    mean: float
    se: float

    def interval(self, z: float = 1.959963984540054) -> tuple[float, float]:
        r"""The normal-approximation interval :math:`\hat\theta \pm z\,\widehat{\mathrm{se}}`.

        Parameters
        ----------
        z : float, default 1.959963984540054
            The normal quantile (the default gives a 95 % interval).

        Returns
        -------
        tuple of float
            ``(mean - z * se, mean + z * se)``, in the units of ``mean``.
        """
        if not (isinstance(z, (int, float)) and not isinstance(z, bool) and math.isfinite(z) and z >= 0):
            raise ValueError(f"z must be a finite number >= 0, got {z!r}")
        return (self.mean - z * self.se, self.mean + z * self.se)

    def __repr__(self) -> str:
        return f"Estimate(mean={self.mean!r}, se={self.se!r})"
