"""A client of the Lambda Runtime API (2018-06-01, aws-facts 2.1) over one keep-alive connection.

The only place the Python runtime talks to the simulator: GET /invocation/next, then one POST of a
response or an error per event, and /init/error. Plain HTTP/1.1 over the C socket module rather
than http.client or socket.py, whose imports (email parsing, enum conversions) cost milliseconds of
every cold start. The simulator always answers with a Content-Length.

When lambda-sim gives the process its private channel (two inherited sockets, events in and
answers out, whose fd numbers are in _LAMBDA_SIM_RUNTIME_FD; packages/core/src/runtime/runtime-channel.ts
describes the frames),
connect() returns a RuntimeChannelClient instead: the same exchanges as framed messages, with no
HTTP and no acknowledgement for an answer that also asks for the next event.
"""

import _socket
import json
import os
import struct

_BASE = "/2018-06-01/runtime"


class Invocation:
    __slots__ = ("request_id", "headers", "body")

    def __init__(self, headers, body):
        self.headers = headers
        self.body = body
        self.request_id = headers.get("lambda-runtime-aws-request-id", "")


class RuntimeApiError(Exception):
    pass


class RuntimeApiClient:
    def __init__(self, host_port):
        host, _, port = host_port.rpartition(":")
        self._address = (host or "127.0.0.1", int(port))
        self._sock = None
        self._buffer = b""

    def next(self):
        """Blocks until the next event; no timeout, since the environment may be frozen meanwhile."""
        status, headers, body = self._request("GET", _BASE + "/invocation/next", None, None)
        if status != 200:
            raise RuntimeApiError("Runtime API GET /invocation/next answered %d: %s" % (status, body.decode("utf-8", "replace")))
        return Invocation(headers, body)

    def post_response(self, request_id, body, content_type="application/json", then_next=False):
        return self._request("POST", "%s/invocation/%s/response" % (_BASE, request_id), body, {"Content-Type": content_type})[0]

    def post_error(self, request_id, error_json, error_type, then_next=False):
        headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type}
        return self._request("POST", "%s/invocation/%s/error" % (_BASE, request_id), error_json.encode("utf-8"), headers)[0]

    def post_init_error(self, error_json, error_type):
        headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type}
        return self._request("POST", _BASE + "/init/error", error_json.encode("utf-8"), headers)[0]

    def _request(self, method, path, body, headers):
        head = "%s %s HTTP/1.1\r\nHost: %s:%d\r\n" % (method, path, self._address[0], self._address[1])
        if body is not None:
            head += "Content-Length: %d\r\n" % len(body)
        for name, value in (headers or {}).items():
            head += "%s: %s\r\n" % (name, value)
        data = (head + "\r\n").encode("latin-1") + (body or b"")
        reused = self._sock is not None
        try:
            return self._exchange(data)
        except (ConnectionError, OSError):
            self._close()
            # The connection went idle and was closed just as we reused it: the request never
            # arrived, so send it once more on a new one.
            if not reused:
                raise
            return self._exchange(data)

    def _exchange(self, data):
        if self._sock is None:
            sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            try:
                sock.connect(self._address)
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            except OSError:
                sock.close()
                raise
            self._sock = sock
            self._buffer = b""
        self._sock.sendall(data)
        end = self._read_until(b"\r\n\r\n")
        head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            self._receive()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _read_until(self, marker):
        while True:
            end = self._buffer.find(marker)
            if end >= 0:
                return end
            self._receive()

    def _receive(self):
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("Runtime API closed the connection")
        self._buffer += chunk

    def _close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buffer = b""


_PREFIX = struct.Struct(">II")


class RuntimeChannelClient:
    """The Runtime API's exchanges over lambda-sim's private channel, blocking like the HTTP client."""

    def __init__(self, fd, answer_fd):
        """Events are read from `fd`, answers written to `answer_fd` (one socket per direction)."""
        self._fd = fd
        self._answer_fd = answer_fd
        self._asked = False
        self._buffer = b""
        # Not for the handler's child processes.
        os.set_inheritable(fd, False)
        os.set_inheritable(answer_fd, False)

    def next(self):
        if not self._asked:
            self._write({"t": "next"}, b"")
        self._asked = False
        headers, body = self._read()
        return Invocation(headers, body)

    def post_response(self, request_id, body, content_type="application/json", then_next=False):
        return self._answer({"t": "response", "id": request_id, "next": then_next}, body, then_next)

    def post_error(self, request_id, error_json, error_type, then_next=False):
        return self._answer({"t": "error", "id": request_id, "errorType": error_type, "next": then_next}, error_json.encode("utf-8"), then_next)

    def post_init_error(self, error_json, error_type):
        return self._answer({"t": "init-error", "errorType": error_type}, error_json.encode("utf-8"), False)

    def _answer(self, header, body, then_next):
        self._write(header, body)
        self._asked = then_next
        if not then_next:
            # Wait until the simulator has recorded it: the caller may exit next.
            self._read()
        return 202

    def _write(self, header, body):
        head = json.dumps(header).encode("utf-8")
        data = memoryview(_PREFIX.pack(len(head), len(body)) + head + body)
        while data:
            data = data[os.write(self._answer_fd, data) :]

    def _read(self):
        self._fill(_PREFIX.size)
        head_length, body_length = _PREFIX.unpack_from(self._buffer)
        end = _PREFIX.size + head_length + body_length
        self._fill(end)
        headers = json.loads(self._buffer[_PREFIX.size : _PREFIX.size + head_length])
        body, self._buffer = self._buffer[_PREFIX.size + head_length : end], self._buffer[end:]
        return headers, body

    def _fill(self, size):
        while len(self._buffer) < size:
            chunk = os.read(self._fd, max(65536, size - len(self._buffer)))
            if not chunk:
                raise RuntimeApiError("lambda-sim closed the runtime channel")
            self._buffer += chunk


def connect():
    """The private channel when lambda-sim gave one (its variable removed before user code runs), else HTTP."""
    channel = open_channel(os.environ.pop("_LAMBDA_SIM_RUNTIME_FD", None))
    return channel or RuntimeApiClient(os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"))


def open_channel(fds):
    """The channel the private variable (`events,answers`: two fd numbers) names, if both are still
    its sockets: an AWS_LAMBDA_EXEC_WRAPPER script may have closed or reused them, and HTTP then
    serves instead."""
    try:
        events, answers = (int(fd) for fd in (fds or "").split(","))
    except ValueError:
        return None
    return RuntimeChannelClient(events, answers) if _is_socket(events) and _is_socket(answers) else None


def _is_socket(fd):
    try:
        return (os.fstat(fd).st_mode & 0o170000) == 0o140000
    except OSError:
        return False
