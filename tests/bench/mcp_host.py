"""Drives a stdio MCP server as a host does, and measures it: the time from spawn to the
`initialize` answer, the median round trip of N tool calls, and the process's peak RSS
(VmHWM, read from /proc before stdin is closed). With `--direct URL`, measures the same
tool calls made straight to the server over one kept-alive connection instead.
Prints one JSON line."""
import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse

N = int(sys.argv[1])


def call(i):
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hi"}}}


INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "bench-host", "version": "1"}}}

if sys.argv[2] == "--direct":
    url = urllib.parse.urlsplit(sys.argv[3])
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Authorization": "Bearer bench-token", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}
    conn.request("POST", url.path, json.dumps(INIT), headers)
    answer = conn.getresponse()
    headers["Mcp-Session-Id"] = answer.getheader("Mcp-Session-Id")
    answer.read()
    times = []
    for i in range(1, N + 1):
        start = time.perf_counter()
        conn.request("POST", url.path, json.dumps(call(i)), headers)
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    print(json.dumps({"call_ms": statistics.median(times) * 1000}))
    sys.exit(0)

command = sys.argv[2:]
start = time.perf_counter()
child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, bufsize=1)
child.stdin.write(json.dumps(INIT) + "\n")
child.stdin.flush()
while True:
    line = child.stdout.readline()
    if not line:
        sys.exit("the server ended before answering initialize")
    if json.loads(line).get("id") == 0:
        break
init_ms = (time.perf_counter() - start) * 1000
child.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
times = []
for i in range(1, N + 1):
    begin = time.perf_counter()
    child.stdin.write(json.dumps(call(i)) + "\n")
    child.stdin.flush()
    while json.loads(child.stdout.readline()).get("id") != i:
        pass
    times.append(time.perf_counter() - begin)


def peak(pid):
    """The peak RSS of a process and its descendants, in KiB."""
    total = 0
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            total += int(line.split()[1])
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        children = []
    return total + sum(peak(int(c)) for c in children)


rss = peak(child.pid)
child.stdin.close()
child.wait(timeout=10)
print(json.dumps({"init_ms": init_ms, "call_ms": statistics.median(times) * 1000, "rss_kib": rss}))
