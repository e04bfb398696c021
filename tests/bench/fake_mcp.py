"""A minimal Streamable HTTP MCP server for the bridge benchmark: any bearer token is
taken; `initialize` opens a session, `tools/call` echoes, notifications get 202, GET has
no stream (405), DELETE ends the session. Writes its port to argv[1]."""
import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sessions = set()
ids = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, each answer waits 40 ms for
    # a delayed ACK (Nagle), on every path alike, hiding the differences measured.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(405)

    def do_DELETE(self):
        sessions.discard(self.headers.get("Mcp-Session-Id"))
        self.answer(200)

    def do_POST(self):
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            self.answer(401)
            return
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        method = message.get("method")
        if method == "initialize":
            session = f"s{next(ids)}"
            sessions.add(session)
            result = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                      "serverInfo": {"name": "bench-mcp", "version": "1"}}
            body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result})
            self.answer(200, body.encode(), [("Content-Type", "application/json"), ("Mcp-Session-Id", session)])
            return
        if "id" not in message:
            self.answer(202)
            return
        result = {"content": [{"type": "text", "text": "ok"}]} if method == "tools/call" else {}
        body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result})
        self.answer(200, body.encode(), [("Content-Type", "application/json")])


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
