"""semtheory: the executable companion to B. Bai, *Forget BIT, It is All about TOKEN: Towards Semantic
Information Theory for LLMs* (arXiv:2511.01202).

One module per concept of the treatise; see the README's chapter table for which chapter uses which.
Units: bits (``base=2``) by default everywhere; pass ``base=math.e`` for nats.
"""

__version__ = "0.1.0"
