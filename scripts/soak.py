#!/usr/bin/env python3
"""Soak test: redis-emu and redis-server side by side under the same mixed random load.

Each server gets the same traffic from CLIENTS client threads for SECONDS: random commands of
every type over a bounded keyspace (so the dataset stops growing), pipelines, pub/sub, blocking
pops with short timeouts, and abuse: requests cut off halfway, connections dropped in the middle
of a pipeline, clients that never read. Every 10 s the resident memory (RSS, from /proc) of both
processes is sampled, with INFO's used_memory (the dataset's own size). At the end it prints the
samples side by side and a verdict: both processes alive, and mean RSS at the end no more than
GROWTH_LIMIT above the mean after the warm-up.

Only loopback addresses are used; every loop is bounded by the deadline.

Usage: scripts/soak.py [--seconds 1800] [--clients 32] [--emu PATH] [--redis PATH]
"""

import argparse
import atexit
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

KEYSPACE = 5000
GROWTH_LIMIT = 0.10  # mean RSS at the end may exceed the mean after the warm-up by 10 % at most


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def random_command(rng):
    k = "k:%d" % rng.randrange(KEYSPACE)
    v = "v" * rng.randrange(1, 200)
    m = "m%d" % rng.randrange(50)
    choice = rng.randrange(22)
    return [
        ("SET", k, v),
        ("GET", k),
        ("SET", k, v, "EX", rng.randrange(1, 30)),
        ("INCR", "counter:%d" % rng.randrange(100)),
        ("APPEND", "a:%d" % rng.randrange(200), "x"),
        ("DEL", k),
        ("LPUSH", "l:%d" % rng.randrange(200), v),
        ("RPOP", "l:%d" % rng.randrange(200)),
        ("LTRIM", "l:%d" % rng.randrange(200), 0, 50),
        ("HSET", "h:%d" % rng.randrange(200), m, v),
        ("HGETALL", "h:%d" % rng.randrange(200)),
        ("SADD", "s:%d" % rng.randrange(200), m),
        ("SREM", "s:%d" % rng.randrange(200), m),
        ("ZADD", "z:%d" % rng.randrange(200), rng.random() * 100, m),
        ("ZRANGE", "z:%d" % rng.randrange(200), 0, 10, "WITHSCORES"),
        ("XADD", "x:%d" % rng.randrange(50), "MAXLEN", "~", 100, "*", "f", v),
        ("XRANGE", "x:%d" % rng.randrange(50), "-", "+", "COUNT", 10),
        ("PFADD", "hll:%d" % rng.randrange(20), m),
        ("EXPIRE", k, rng.randrange(1, 60)),
        ("PUBLISH", "ch:%d" % rng.randrange(5), v),
        ("BLPOP", "bl:%d" % rng.randrange(20), "0.05"),
        ("EVAL", "return redis.call('GET', KEYS[1])", 1, k),
    ][choice]


def drain(sock):
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except (BlockingIOError, ConnectionError, OSError):
        pass
    sock.setblocking(True)


def client(port, seed, deadline, stats):
    rng = random.Random(seed)
    sock = None
    while time.time() < deadline:
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            kind = rng.randrange(100)
            if kind < 2:
                # A request cut off halfway, then the connection dropped.
                request = encode(*random_command(rng))
                sock.sendall(request[: rng.randrange(1, len(request))])
                sock.close()
                sock = None
                stats["abrupt"] += 1
                continue
            if kind < 4:
                # A pipeline whose replies are never read, then the connection dropped.
                sock.sendall(b"".join(encode(*random_command(rng)) for _ in range(200)))
                sock.close()
                sock = None
                stats["abrupt"] += 1
                continue
            if kind < 5:
                # A subscriber that reads one message and leaves.
                sock.sendall(encode("SUBSCRIBE", "ch:%d" % rng.randrange(5)))
                sock.recv(1024)
                sock.close()
                sock = None
                continue
            count = rng.randrange(1, 50)
            sock.sendall(b"".join(encode(*random_command(rng)) for _ in range(count)))
            # Read until every reply line arrived (roughly: a reply per command at least).
            got = b""
            sock.settimeout(5)
            while got.count(b"\r\n") < count:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                got += chunk
            stats["commands"] += count
            if rng.randrange(20) == 0:
                sock.close()
                sock = None
        except (OSError, ConnectionError):
            stats["errors"] += 1
            if sock is not None:
                sock.close()
            sock = None
            time.sleep(0.01)
    if sock is not None:
        sock.close()


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def used_memory(port):
    """INFO memory's used_memory: the dataset's own size, to tell it from allocator retention."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(encode("INFO", "memory"))
            data = b""
            while b"used_memory:" not in data or not data.endswith(b"\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            for line in data.split(b"\r\n"):
                if line.startswith(b"used_memory:"):
                    return int(line.split(b":")[1]) // 1024
    except (OSError, ValueError):
        return None
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Every server started, so that they are stopped however the soak ends (Ctrl-C, SIGTERM, an
# error): a soak must never leave servers running behind it.
STARTED = []


def stop_servers(*_):
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop_on_signal(signum, _frame):
    stop_servers()
    sys.exit(128 + signum)


def start(name, argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    STARTED.append(proc)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.02)
    proc.kill()
    sys.exit("%s did not start" % name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=1800)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--emu", default="target/release/redis-emu")
    parser.add_argument("--redis", default="redis-server")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="soak-")
    servers = []
    emu_port, redis_port = free_port(), free_port()
    servers.append(("redis-emu", start("redis-emu", [args.emu, "--port", str(emu_port), "--save", ""], emu_port), emu_port))
    servers.append(("redis-server", start("redis-server", [args.redis, "--port", str(redis_port), "--bind", "127.0.0.1",
                                                         "--save", "", "--dir", work], redis_port), redis_port))
    deadline = time.time() + args.seconds
    stats = {name: {"commands": 0, "errors": 0, "abrupt": 0} for name, _, _ in servers}
    threads = []
    for name, _, port in servers:
        for i in range(args.clients):
            t = threading.Thread(target=client, args=(port, i, deadline, stats[name]), daemon=True)
            t.start()
            threads.append(t)
    samples = []
    print("  time  redis-emu RSS (used_memory)  redis-server RSS (used_memory)   (KB)")
    while time.time() < deadline:
        time.sleep(min(10, max(0, deadline - time.time())))
        row = [rss_kb(proc.pid) if proc.poll() is None else None for _, proc, _ in servers]
        used = [used_memory(port) for _, _, port in servers]
        samples.append(row)
        print("%5ds  %13s (%11s)  %16s (%11s)" % (len(samples) * 10, row[0], used[0], row[1], used[1]), flush=True)
    for t in threads:
        t.join(timeout=10)
    verdict = True
    for i, (name, proc, _) in enumerate(servers):
        alive = proc.poll() is None
        series = [s[i] for s in samples if s[i] is not None]
        # RSS moves up and down with connection buffers and the allocator's caches, so growth is
        # the mean of the last fifth of the samples against the mean of the second fifth (the
        # first fifth is the warm-up, while the keyspace fills).
        fifth = max(1, len(series) // 5)
        mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
        warm = mean(series[fifth:2 * fifth])
        late = mean(series[-fifth:])
        growth = (late - warm) / warm if warm else 0.0
        ok = alive and growth <= GROWTH_LIMIT
        verdict &= ok
        print("%s: %s, %d commands, %d abrupt disconnects, %d client-side errors, RSS mean after warm-up "
              "%.0f KB, at the end %.0f KB (%+.1f %%), peak %s KB -> %s" % (
                  name, "alive" if alive else "DEAD", stats[name]["commands"], stats[name]["abrupt"],
                  stats[name]["errors"], warm, late, growth * 100, max(series) if series else None,
                  "ok" if ok else "FAILED"))
        proc.kill()
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    atexit.register(stop_servers)
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    main()
