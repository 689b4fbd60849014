"""Benchmarks: ``python -m bench.<name>``; figures printed, not asserted."""
