"""lambda-sim's Python runtime bootstrap: what /var/runtime/bootstrap.py and AWS's runtime interface
client (awslambdaric) do in a python3.12 / python3.13 / python3.14 environment. It sets up logging,
imports the handler named by _HANDLER, then loops on the Runtime API (aws-facts 2.1) until the
process is killed. Standard library only; it imports nothing from the simulator and talks HTTP to
AWS_LAMBDA_RUNTIME_API, or the same exchanges over lambda-sim's private channel when it is given one
(both in lambda_sim_runtime/runtime_api_client.py).

The file must stay named bootstrap.py: as in the RIC, traceback frames of files ending in
/bootstrap.py are cut from the stack traces reported for the user's errors.
"""

import importlib
import json
import os
import sys

from lambda_sim_runtime import boto3_support, logs
from lambda_sim_runtime.lambda_context import LambdaContext
from lambda_sim_runtime.runtime_api_client import connect

# AWS's search path: the function's code, then the layers' Python directories (aws-facts 2.3;
# "Working with .zip file archives for Python": /var/task, /opt/python/lib/python3.x/site-packages,
# /opt/python). The bootstrap's own directory (sys.path[0]) is not left visible to the handler.
# python3.x is the runtime's version (AWS_EXECUTION_ENV, AWS_Lambda_python3.12), as on AWS, where
# layers are built for it; when this machine's interpreter is another version, its own
# site-packages comes next, for a layer built with that interpreter.
_TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
_RUNTIME = os.environ.get("AWS_EXECUTION_ENV", "")
_INTERPRETER = "python%d.%d" % sys.version_info[:2]
_VERSIONS = [_RUNTIME[len("AWS_Lambda_") :]] if _RUNTIME.startswith("AWS_Lambda_python") else []
if _INTERPRETER not in _VERSIONS:
    _VERSIONS.append(_INTERPRETER)
sys.path[0:1] = [_TASK_ROOT] + ["/opt/python/lib/%s/site-packages" % v for v in _VERSIONS] + ["/opt/python"]

_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare cases, "
    "a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, runtime updates "
    "can be triggered by a function change, or can be applied automatically. To determine if the runtime has been updated, "
    "check the runtime version in the INIT_START log entry. If this error correlates with a change in the runtime version, "
    "you may be able to mitigate this error by temporarily rolling back to the previous runtime version. For more "
    "information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


class Fault(Exception):
    """An error the runtime itself reports, typed `Runtime.<Name>` (awslambdaric FaultException)."""

    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=None):
    """The error body AWS's Python runtime posts: requestId is "" for init errors (aws-facts 1.5)."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def fault_result(exc, request_id=None):
    """An exception as AWS reports it: its class name, str() and the traceback from the first frame
    outside the bootstrap, each frame formatted as traceback.format_list does."""
    import traceback  # on errors only: not at every cold start

    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if not frame[0].endswith("/bootstrap.py"):
            frames = frames[i:]
            break
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def load_handler(handler):
    """`module.function` or `path/to/module.function`, with the RIC's errors and messages."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % module_name)
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))


class _Encoder(json.JSONEncoder):
    """Results as the RIC encodes them: Decimal (DynamoDB numbers) as numbers, NaN as NaN.
    (AWS writes a Decimal's own digits with simplejson's RawJSON; the standard library cannot, so
    an integral Decimal becomes an int and any other a float.)"""

    def default(self, o):
        # decimal is imported by whoever made the Decimal; not at every cold start here.
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            return int(o) if o == o.to_integral_value() else float(o)
        return json.JSONEncoder.default(self, o)


# python3.12's RIC writes non-ASCII characters as they are; the later ones escape them.
_ENCODER = _Encoder(ensure_ascii=os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12")


def marshal(result):
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return _ENCODER.encode(result).encode("utf-8"), "application/json"
    except Exception as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)


def parse_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse %s JSON: %s" % (name, e))


def handle(client, handler, invocation):
    headers = invocation.headers
    request_id = invocation.request_id
    try:
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(
            request_id,
            parse_header(client_context, "Client Context") if client_context else None,
            parse_header(identity, "Cognito Identity") if identity else None,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        if headers.get("content-type", "application/json") == "application/json":
            try:
                event = json.loads(invocation.body)
            except Exception as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        else:
            event = invocation.body
        body, content_type = marshal(handler(event, context))
    except Fault as e:
        error = make_error(e.message, e.error_type, e.trace, request_id)
    except Exception as e:
        error = fault_result(e, request_id)
    else:
        client.post_response(request_id, body, content_type, then_next=True)
        return
    logs.log_error(error)
    client.post_error(request_id, _ENCODER.encode(error), error["errorType"], then_next=True)


def main():
    logs.setup_logging()
    boto3_support.install()
    client = connect()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        error = make_error(e.message, e.error_type, e.trace) if isinstance(e, Fault) else fault_result(e)
        import logging

        logging.warning(_UNHANDLED_WARNING)
        logs.log_error(error)
        client.post_init_error(_ENCODER.encode(error), error["errorType"])
        sys.exit(1)
    while True:
        invocation = client.next()
        logs.current["request_id"] = invocation.request_id
        logs.current["tenant_id"] = invocation.headers.get("lambda-runtime-aws-tenant-id")
        # Stock runtimes copy the trace header into _X_AMZN_TRACE_ID, and drop it when absent.
        trace_id = invocation.headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle(client, handler, invocation)


if __name__ == "__main__":
    main()
