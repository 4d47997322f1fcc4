"""Scale: synthetic national-scale data, the benchmark and the load test (issue 3)."""
