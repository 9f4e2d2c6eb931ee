"""Benchmarks run by hand (``make bench``); also a Django app under ``bench.settings`` only."""
