#!/usr/bin/env python3
"""etcd side of bench/store.sh: the same updates as `gitopsd-bench store`, through etcd's gRPC gateway.

Writers are separate processes (no GIL between them), each with one keep-alive HTTP connection doing
sequential puts, as the gitopsd benchmark's writer tasks wait for each write. Watchers are processes
reading one `/v3/watch` stream each. Latency = watcher receive time - the monotonic send time carried in
the value (CLOCK_MONOTONIC is system-wide). Prints one JSON line like gitopsd-bench.
"""
import argparse, base64, http.client, json, multiprocessing as mp, time
from urllib.parse import urlparse

def value(index, sequence, size, sent_at):
    data = {"sequence": str(sequence), "sentAt": str(sent_at)}
    line = "x" * 60
    entry = 0
    while len(data) * 78 < size - 200:
        data[f"key-{entry}"] = f"{line}-{entry}"
        entry += 1
    obj = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": f"bench-{index}", "namespace": "default",
                        "labels": {"app.kubernetes.io/managed-by": "gitopsd", "app": "bench"},
                        "annotations": {"gitopsd.io/commit": "0123456789abcdef0123456789abcdef01234567"}},
           "data": data}
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))

def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()

def connect(endpoint):
    url = urlparse(endpoint)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)

def put(conn, key, val):
    body = json.dumps({"key": b64(key), "value": b64(val)})
    conn.request("POST", "/v3/kv/put", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(payload)

def writer(endpoint, first, step, updates, objects, size, start_barrier):
    conn = connect(endpoint)
    start_barrier.wait()
    sequence = first
    while sequence < updates:
        put(conn, f"/bench/bench-{sequence % objects}", value(sequence % objects, sequence + 1, size, time.monotonic_ns()))
        sequence += step

def watcher(endpoint, updates, ready, results):
    conn = connect(endpoint)
    request = {"create_request": {"key": b64("/bench/"), "range_end": b64("/bench0")}}
    conn.request("POST", "/v3/watch", json.dumps(request), {"Content-Type": "application/json"})
    response = conn.getresponse()
    decoder = json.JSONDecoder()
    buffer = ""
    samples = []
    created = False
    while len(samples) < updates:
        chunk = response.read1(65536)
        if not chunk:
            break
        buffer += chunk.decode()
        while True:
            buffer = buffer.lstrip()
            if not buffer:
                break
            try:
                message, end = decoder.raw_decode(buffer)
            except json.JSONDecodeError:
                break
            buffer = buffer[end:]
            result = message.get("result", {})
            if not created and result.get("created"):
                created = True
                ready.release()
            now = time.monotonic_ns()
            for event in result.get("events", []):
                sent = int(json.loads(base64.b64decode(event["kv"]["value"]))["data"]["sentAt"])
                samples.append(now - sent)
    results.put(samples)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default="http://127.0.0.1:23790")
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--watchers", type=int, default=1)
    parser.add_argument("--size", type=int, default=1500)
    args = parser.parse_args()
    conn = connect(args.endpoint)
    for index in range(args.objects):
        put(conn, f"/bench/bench-{index}", value(index, 0, args.size, 0))
    ready = mp.Semaphore(0)
    results = mp.Queue()
    watchers = [mp.Process(target=watcher, args=(args.endpoint, args.updates, ready, results)) for _ in range(args.watchers)]
    for process in watchers:
        process.start()
    for _ in watchers:
        ready.acquire()
    barrier = mp.Barrier(args.writers + 1)
    writers = [mp.Process(target=writer, args=(args.endpoint, w, args.writers, args.updates, args.objects, args.size, barrier))
               for w in range(args.writers)]
    for process in writers:
        process.start()
    barrier.wait()
    began = time.monotonic()
    for process in writers:
        process.join()
    seconds = time.monotonic() - began
    samples = sorted(s for _ in watchers for s in results.get())
    for process in watchers:
        process.join()
    def percentile(p):
        return samples[min(len(samples) - 1, int(len(samples) * p))] / 1e6 if samples else 0.0
    print(json.dumps({"system": "etcd", "watchers": args.watchers, "writers": args.writers, "updates": args.updates,
                      "size": len(value(0, 0, args.size, 0)), "updates_per_s": round(args.updates / seconds),
                      "p50_ms": round(percentile(0.5), 3), "p99_ms": round(percentile(0.99), 3)}))

if __name__ == "__main__":
    main()
