"""A client of the Lambda Runtime API (2018-06-01, aws-facts 2.1) over one keep-alive connection.

The only place the Python runtime talks to the simulator: GET /invocation/next, then one POST of a
response or an error per event, and /init/error. Plain HTTP/1.1 over the C socket module rather
than http.client or socket.py, whose imports (email parsing, enum conversions) cost milliseconds of
every cold start. The simulator always answers with a Content-Length.
"""

import _socket

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

    def post_response(self, request_id, body, content_type="application/json"):
        return self._request("POST", "%s/invocation/%s/response" % (_BASE, request_id), body, {"Content-Type": content_type})[0]

    def post_error(self, request_id, error_json, error_type):
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
