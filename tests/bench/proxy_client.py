#!/usr/bin/env python3
"""The benchmark's client for `exec --proxy`: requests GET $BASE/self with the bearer
$KEY, where BASE and KEY come from ATTIO_BASE_URL and ATTIO_API_KEY (as exec --proxy
sets them) unless given as arguments.
  proxy_client.py latency N [BASE KEY]  N requests one after another on one kept-alive
                                        connection; prints the median time of one, in s
  proxy_client.py burst N [BASE KEY]    N requests at once, each on its own connection;
                                        prints how many did not answer 200
"""

import http.client
import os
import statistics
import sys
import threading
import time
import urllib.parse


def connection(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30), url.path


def latency(n, base, key):
    conn, prefix = connection(base)
    headers = {"Authorization": f"Bearer {key}"}
    times = []
    for _ in range(n):
        started = time.perf_counter()
        conn.request("GET", prefix + "/self", headers=headers)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            sys.exit(f"HTTP {response.status}")
    print(statistics.median(times))


def burst(n, base, key):
    start = threading.Barrier(n)
    failed = []

    def one():
        conn, prefix = connection(base)
        start.wait()
        try:
            conn.request("GET", prefix + "/self", headers={"Authorization": f"Bearer {key}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failed.append(response.status)
        except OSError as e:
            failed.append(str(e))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(failed))


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    base = sys.argv[3] if len(sys.argv) > 3 else os.environ["ATTIO_BASE_URL"]
    key = sys.argv[4] if len(sys.argv) > 4 else os.environ["ATTIO_API_KEY"]
    {"latency": latency, "burst": burst}[mode](n, base, key)


if __name__ == "__main__":
    main()
