"""The book's build tooling (not part of the installed package): run as ``python -m tools.<module>`` from the
repository root, as the Makefile does."""
