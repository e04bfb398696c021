#!/usr/bin/env python3
"""A small fake Attio for the benchmark: GET /v2/self and POST /oauth/token (refresh
grant with rotation). It counts refresh requests; GET /_stats returns the count.
Usage: fake_attio.py PORT_FILE  (binds 127.0.0.1 on a free port and writes it there)."""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

LOCK = threading.Lock()
STATE = {"refreshes": 0, "counter": 0}
IDENTITY = {
    "active": True, "scope": "record_permission:read list_entry:read", "client_id": "bench-client",
    "token_type": "Bearer", "exp": None, "iat": 0, "sub": "ws-bench", "aud": "bench-client",
    "iss": "attio.com", "authorized_by_workspace_member_id": "member-bench", "workspace_id": "ws-bench",
    "workspace_name": "Bench", "workspace_slug": "bench", "workspace_logo_url": None,
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out in two writes: without TCP_NODELAY the second waits for
    # the client's delayed ACK (40 ms), which would swamp every figure on a kept-alive
    # connection.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v2/self":
            self.reply(200, IDENTITY)
        elif self.path == "/_stats":
            self.reply(200, {"refreshes": STATE["refreshes"]})
        else:
            self.reply(404, {"message": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        if self.path != "/oauth/token" or form.get("grant_type") != ["refresh_token"]:
            self.reply(400, {"error": "unsupported_grant_type"})
            return
        with LOCK:
            STATE["refreshes"] += 1
            STATE["counter"] += 1
            n = STATE["counter"]
        self.reply(200, {"access_token": f"at_refreshed_{n}_{time.time_ns()}", "token_type": "Bearer",
                         "expires_in": 3600, "refresh_token": f"rt_{n}_{time.time_ns()}"})


class Server(ThreadingHTTPServer):
    # The proxy's burst opens 100 connections at once.
    request_queue_size = 256
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
