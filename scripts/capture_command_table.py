#!/usr/bin/env python3
"""Records what a running Redis 7.0 server says about its commands.

The engine's command table (names, arity, flags, key positions, ACL categories, groups,
since-versions, complexity, summaries and argument syntax) is taken from the answers of a real
redis-server to COMMAND INFO and COMMAND DOCS, so that COMMAND, HELP, hints and completion answer
exactly as Redis does. Run it against Debian's redis-server 7.0:

    redis-server --port 7777 --save '' --appendonly no --daemonize yes
    scripts/capture_command_table.py 7777 > emulator/commands/redis-7.0.json
"""
import json
import socket
import sys


def read_reply(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind in (b"$", b"="):
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2].decode()
        return data[4:] if kind == b"=" else data
    if kind in (b"*", b"~", b">"):
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    if kind == b"%":
        return {read_reply(f): read_reply(f) for _ in range(int(rest))}
    if kind == b"_":
        return None
    if kind == b"#":
        return rest == b"t"
    if kind == b",":
        return float(rest)
    raise ValueError(f"unexpected reply {line!r}")


def command(sock, f, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)
    return read_reply(f)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    sock = socket.create_connection(("127.0.0.1", port))
    f = sock.makefile("rb")
    command(sock, f, "HELLO", "3")
    info = command(sock, f, "COMMAND", "INFO")
    docs = command(sock, f, "COMMAND", "DOCS")
    infos = {}

    def add_info(entry):
        infos[entry[0]] = {
            "arity": entry[1],
            "flags": entry[2],
            "first_key": entry[3],
            "last_key": entry[4],
            "step": entry[5],
            "acl_categories": entry[6],
            "tips": entry[7],
            "key_specs": entry[8],
        }
        for sub in entry[9]:
            add_info(sub)

    for entry in info:
        add_info(entry)

    def merge(name, doc):
        out = {"name": name}
        out.update(infos[name])
        out.update({k: v for k, v in doc.items() if k != "subcommands"})
        subs = doc.get("subcommands") or {}
        out["subcommands"] = [merge(s, subs[s]) for s in sorted(subs)]
        return out

    table = [merge(name, docs[name]) for name in sorted(docs)]
    # Key order is kept as Redis sends it: COMMAND DOCS replies list fields in that order.
    json.dump(table, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
