"""The Python runtime's entry: bootstrap.py from its cached bytecode (lambda_sim_runtime/entry.py)."""

from lambda_sim_runtime.entry import run_bootstrap

run_bootstrap()
