"""Runs bootstrap.py as __main__, as `python3 bootstrap.py` would, but from its cached bytecode
(__pycache__): a script given on the command line is compiled at every start, which costs a few
milliseconds of every cold start. sys.argv[0] and the traceback frames still name bootstrap.py.
Used by run.py (a process started for its function) and sandbox.py (a pre-started one).
"""

import importlib.util
import os
import sys

BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bootstrap.py")


def run_bootstrap():
    sys.argv[0] = BOOTSTRAP
    # As __main__: the name `bootstrap` stays free for a function's own module of that name.
    spec = importlib.util.spec_from_file_location("__main__", BOOTSTRAP)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__main__"] = module
    spec.loader.exec_module(module)
