"""Batches of talks: job files, the steps of each talk, and running them (locally or on a
Dask cluster)."""
