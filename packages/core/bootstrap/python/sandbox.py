"""A pre-started, unspecialised sandbox (packages/core/src/runtime/sandbox-pool.ts): the
interpreter is up and the bootstrap's standard-library imports are done before any function is
known. It then blocks on its private channel until lambda-sim sends the function it is to serve
(its environment variables and code directory), takes them as its own, and runs bootstrap.py as
__main__ (lambda_sim_runtime/entry.py) exactly as a process started for that function would: Init (the handler's import) starts
only now, and so does the Init Duration lambda-sim measures.
"""

import importlib  # noqa: F401  (what bootstrap.py imports, loaded ahead)
import json
import os
import sys
import time

from lambda_sim_runtime import boto3_support, lambda_context, runtime_api_client  # noqa: F401
from lambda_sim_runtime.entry import run_bootstrap
# Set by the interpreter itself as it started (PEP 538 locale coercion), from the locale variables
# the sandbox shares with its function (they are part of its pool key): a process started for the
# function has it too.
_COERCED = os.environ.get("LC_CTYPE")


def specialise():
    try:
        header, body = runtime_api_client.open_channel(os.environ["_LAMBDA_SIM_RUNTIME_FD"])._read()
    except Exception:
        # The channel closed: lambda-sim is shutting the pool down.
        sys.exit(0)
    env = json.loads(body)
    os.environ.clear()
    os.environ.update(env)
    if _COERCED is not None and "LC_CTYPE" not in env:
        os.environ["LC_CTYPE"] = _COERCED
    time.tzset()
    os.chdir(header.get("cwd") or "/")
    run_bootstrap()


if __name__ == "__main__":
    specialise()
