"""An HTTP proxy (on 127.0.0.1 unless told) that misbehaves on purpose, for fault-injection tests.

Each request is read whole, then, by a seeded random draw (and every fault kind at least once,
early), either forwarded to the real server or answered with a fault: the connection reset before any answer, a 500 or 503
SlowDown, a stall before forwarding, or (for GETs) a response cut off half-way. Faults other
than the cut-off happen before the server sees the request, the way an overloaded frontend
or a flaky network fails; every connection carries one request.

Requests matched by a rule given to drop_answer_once() are forwarded and the server's answer
thrown away, the connection reset instead: the request took effect and the client never
learns it did, as when a network fails on the way back. Each rule drops one answer; given
`then`, a (status, body) pair, it answers the next request to the same target with that
instead of forwarding it, as a server may answer a retry of what it did already (S3 answers
a completion retried after it completed NoSuchUpload; Swift happens to answer it 200).

Every request is recorded in `requests` (method, target, Range and x-amz-content-sha256
headers, and when it arrived and was answered), so tests can see how vodctl talks to the server.
"""

import random
import socket
import socketserver
import threading
import time
from urllib.parse import urlparse

FAULTS = ("reset", "500", "503", "stall", "truncate")

_ERROR_BODY = {
    "500": b"<?xml version='1.0'?><Error><Code>InternalError</Code>"
           b"<Message>injected</Message></Error>",
    "503": b"<?xml version='1.0'?><Error><Code>SlowDown</Code>"
           b"<Message>injected</Message></Error>",
}


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        piece = conn.recv(min(1 << 20, length - len(body)))
        if not piece:
            return None
        body += piece
    return head, body


class FaultProxy:
    def __init__(self, upstream, fault_rate=0.25, seed=5, stall_seconds=2.0, host="127.0.0.1"):
        target = urlparse(upstream)
        self.upstream = (target.hostname, target.port)
        self.fault_rate = fault_rate
        self.stall_seconds = stall_seconds
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = {name: 0 for name in FAULTS + ("forwarded",)}
        self.requests = []
        self.drawn = 0
        self.drop_rules = []  # [method, text in the target, then], each used once
        self.canned = {}  # (method, target): (status, body) to answer once, unforwarded
        self.dropped = []  # the targets whose answers were dropped
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy._handle(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def drop_answer_once(self, method, target_contains, then=None):
        """Drop the answer of the next METHOD request whose target contains TARGET_CONTAINS."""
        with self.lock:
            self.drop_rules.append([method, target_contains, then])

    def _take_drop_rule(self, method, target):
        with self.lock:
            for rule in self.drop_rules:
                if rule[0].encode() == method and rule[1].encode() in target:
                    self.drop_rules.remove(rule)
                    self.dropped.append(target.decode())
                    if rule[2] is not None:
                        self.canned[(method, target)] = rule[2]
                    return True
        return False

    def _take_canned(self, method, target):
        with self.lock:
            return self.canned.pop((method, target), None)

    def _draw(self, method):
        with self.lock:
            self.drawn += 1
            eligible = FAULTS if method == b"GET" else FAULTS[:-1]
            # Every kind of fault shows up at least once whatever order requests come in:
            # every fourth request injects a kind not seen yet, then the draws take over.
            unseen = [f for f in FAULTS if self.counts[f] == 0 and f in eligible]
            if self.fault_rate > 0 and unseen and self.drawn % 4 == 0:
                fault = unseen[0]
            elif self.random.random() >= self.fault_rate:
                fault = "forwarded"
            else:
                fault = self.random.choice(eligible)
            self.counts[fault] += 1
            return fault

    def _handle(self, conn):
        request = _read_request(conn)
        if request is None:
            return
        head, body = request
        method, target = head.split(b" ", 2)[:2]
        record = {"method": method.decode(), "target": target.decode(), "range": None,
                  "payload_hash": None, "arrived": time.monotonic(), "answered": None}
        recorded_headers = {b"range": "range", b"x-amz-content-sha256": "payload_hash"}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            field = recorded_headers.get(name.strip().lower())
            if field:
                record[field] = value.strip().decode()
        with self.lock:
            self.requests.append(record)
        self._answer(conn, head, body, method, target)
        record["answered"] = time.monotonic()

    def _answer(self, conn, head, body, method, target):
        canned = self._take_canned(method, target)
        if canned is not None:
            status, payload = canned
            conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\n"
                         f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
                         .encode() + payload)
            return
        drop = self._take_drop_rule(method, target)
        fault = "forwarded" if drop else self._draw(method)
        if fault == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return  # closing with linger 0 sends a TCP reset
        if fault in _ERROR_BODY:
            status = b"500 Internal Server Error" if fault == "500" else b"503 Slow Down"
            payload = _ERROR_BODY[fault]
            conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/xml\r\n"
                         b"Content-Length: " + str(len(payload)).encode() +
                         b"\r\nConnection: close\r\n\r\n" + payload)
            return
        if fault == "stall":
            time.sleep(self.stall_seconds)
        lines = [line for line in head.split(b"\r\n")
                 if not line.lower().startswith(b"connection:")]
        forwarded = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body
        with socket.create_connection(self.upstream, timeout=60) as upstream:
            upstream.sendall(forwarded)
            response = b""
            while True:
                piece = upstream.recv(1 << 20)
                if not piece:
                    break
                response += piece
        if drop:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return
        if fault == "truncate":
            head_end = response.find(b"\r\n\r\n") + 4
            cut = head_end + max(1, (len(response) - head_end) // 2)
            conn.sendall(response[:cut])
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return
        conn.sendall(response)
