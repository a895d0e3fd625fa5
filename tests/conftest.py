"""Test configuration: hypothesis runs derandomised by default, so a run is reproducible (CI and locally).

Property tests still draw many examples, but the same ones on every run; set
``HYPOTHESIS_PROFILE=explore`` to search with fresh random examples (and keep what fails as a regression).
"""

import os

from hypothesis import settings

settings.register_profile("repro", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repro"))
