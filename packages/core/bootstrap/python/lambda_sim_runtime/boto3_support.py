"""boto3 for handlers, as AWS's Python runtimes provide it outside the function's code.

- When the interpreter has no boto3, python-interpreter.ts finds another python3 on the machine
  that has one and passes its site directory: boto3 and its dependencies alone are imported from
  there, after the function's code and the interpreter's own packages, as /var/runtime comes after
  /var/task on AWS.
- botocore before 1.31 ignores AWS_ENDPOINT_URL (the runtimes AWS ships have a newer one): with such
  a botocore (Debian 12 has 1.29), clients created without an endpoint_url get
  AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL, so code reaches lambda-sim unchanged.
"""

import os
import sys
from importlib.machinery import PathFinder

_BOTO3_FAMILY = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"}


def install():
    directory = os.environ.pop("_LAMBDA_SIM_BOTO3_DIR", None)
    if directory:
        sys.meta_path.append(_borrowed_finder(directory))
    sys.meta_path.insert(0, _EndpointShim)


def _borrowed_finder(directory):
    class BorrowedBoto3Finder(object):
        @staticmethod
        def find_spec(name, path=None, target=None):
            return PathFinder.find_spec(name, [directory]) if name in _BOTO3_FAMILY else None

    return BorrowedBoto3Finder


class _EndpointShim(object):
    """Patches botocore.session as it is imported; costs nothing when boto3 is never imported."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "botocore.session":
            return None
        spec = PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch(module)

        loader.exec_module = exec_and_patch
        return spec


def _patch(session_module):
    try:
        version = tuple(int(x) for x in sys.modules["botocore"].__version__.split(".")[:2])
    except (KeyError, AttributeError, ValueError):
        return
    if version >= (1, 31):
        return
    create_client = session_module.Session.create_client

    def create_client_with_endpoint(self, service_name, *args, **kwargs):
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            specific = os.environ.get("AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_"))
            endpoint = specific or os.environ.get("AWS_ENDPOINT_URL")
            if endpoint:
                kwargs["endpoint_url"] = endpoint
        return create_client(self, service_name, *args, **kwargs)

    session_module.Session.create_client = create_client_with_endpoint
