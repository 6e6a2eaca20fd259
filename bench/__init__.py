"""`make bench`: the authentication benchmark. Not a test; results in docs/benchmarks.md."""
