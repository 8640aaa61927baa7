"""The load benchmark of issue 11: `bench/run.py` (see its docstring)."""
