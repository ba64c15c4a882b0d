#!/usr/bin/env python3
"""The bench's client, run inside a namespace the bench made. One measurement per run, one JSON
line on stdout; an error prints {"error": ...} and exits 1.

  client.py upload HOST PORT BYTES [S]   send BYTES to discard, half-close, wait for the server's FIN
  client.py download HOST PORT BYTES [S] read BYTES from chargen, then close
                                         (S: a time bound; reaching it ends the transfer with
                                         "partial": true and the goodput until then)
  client.py echo HOST PORT COUNT SIZE    COUNT round trips of SIZE bytes on one connection (median us)
  client.py connect HOST PORT SECONDS    sequential connect + close for SECONDS (per second)
  client.py serve HOST                   echo 7, discard 9, chargen 19 on the Linux kernel's TCP
                                         (the veth row); prints "serving" and runs until killed
"""
import json
import os
import socket
import statistics
import sys
import time

TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "60"))


def conn(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def upload(host, port, total, bound):
    import fcntl
    import struct
    import termios
    chunk = memoryview(os.urandom(65536))
    t0 = time.perf_counter()
    end = t0 + bound
    s = conn(host, port)
    sent = 0
    try:
        while sent < total:
            s.settimeout(max(0.001, end - time.perf_counter()))
            sent += s.send(chunk[:min(len(chunk), total - sent)])
        s.shutdown(socket.SHUT_WR)
        s.settimeout(max(0.001, end - time.perf_counter()))
        while s.recv(65536):  # discard sends nothing; its FIN says every byte was taken
            pass
    except socket.timeout:
        # Bytes the server acknowledged: those sent less those still in our send queue.
        queued = struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        dt = time.perf_counter() - t0
        s.close()
        return {"bytes": sent - queued, "seconds": dt, "mbps": (sent - queued) / 1e6 / dt, "partial": True}
    dt = time.perf_counter() - t0
    s.close()
    return {"bytes": total, "seconds": dt, "mbps": total / 1e6 / dt}


def download(host, port, total, bound):
    buf = bytearray(262144)
    t0 = time.perf_counter()
    end = t0 + bound
    s = conn(host, port)
    got = 0
    try:
        while got < total:
            s.settimeout(max(0.001, end - time.perf_counter()))
            n = s.recv_into(buf, min(len(buf), total - got))
            if n == 0:
                raise RuntimeError(f"stream ended after {got} bytes")
            got += n
    except socket.timeout:
        dt = time.perf_counter() - t0
        s.close()
        return {"bytes": got, "seconds": dt, "mbps": got / 1e6 / dt, "partial": True}
    dt = time.perf_counter() - t0
    s.close()
    return {"bytes": got, "seconds": dt, "mbps": got / 1e6 / dt}


def echo(host, port, count, size):
    s = conn(host, port)
    msg = bytes((i * 7) & 255 for i in range(size))
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        s.sendall(msg)
        got = b""
        while len(got) < size:
            d = s.recv(size - len(got))
            if not d:
                raise RuntimeError("echo closed early")
            got += d
        times.append((time.perf_counter() - t0) * 1e6)
        if got != msg:
            raise RuntimeError("echo returned other bytes")
    s.close()
    return {"count": count, "median_us": statistics.median(times), "min_us": min(times), "max_us": max(times)}


def connect(host, port, seconds):
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        s = socket.create_connection((host, port), timeout=TIMEOUT)
        s.close()
        n += 1
    dt = time.perf_counter() - t0
    return {"count": n, "seconds": dt, "per_second": n / dt}


def serve(host):
    """One thread, non-blocking sockets: accepting never waits behind a handler, so the
    connect/close column measures the kernel rather than this script."""
    import selectors

    line = bytes(range(32, 127)) * 2
    block = b"".join(line[i:i + 72] + b"\r\n" for i in range(95)) * 8
    sel = selectors.DefaultSelector()
    buf = bytearray(262144)

    def listen(port):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port))
        ls.listen(1024)
        ls.setblocking(False)
        sel.register(ls, selectors.EVENT_READ, ("listen", port))

    def drop(s):
        sel.unregister(s)
        s.close()

    for port in (7, 9, 19):
        listen(port)
    print("serving", flush=True)
    while True:
        for key, ev in sel.select():
            kind, port = key.data
            s = key.fileobj
            try:
                if kind == "listen":
                    while True:
                        try:
                            c, _ = s.accept()
                        except BlockingIOError:
                            break
                        c.setblocking(False)
                        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        mask = selectors.EVENT_READ | (selectors.EVENT_WRITE if port == 19 else 0)
                        sel.register(c, mask, ("conn", port))
                elif ev & selectors.EVENT_READ:
                    n = s.recv_into(buf)
                    if n == 0:
                        drop(s)
                    elif port == 7:
                        s.setblocking(True)  # an echo is small; waiting for room is fine
                        s.sendall(memoryview(buf)[:n])
                        s.setblocking(False)
                elif ev & selectors.EVENT_WRITE:
                    s.send(block)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                drop(s)


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "upload":
            r = upload(a[1], int(a[2]), int(a[3]), float(a[4]) if len(a) > 4 else TIMEOUT)
        elif a[0] == "download":
            r = download(a[1], int(a[2]), int(a[3]), float(a[4]) if len(a) > 4 else TIMEOUT)
        elif a[0] == "echo":
            r = echo(a[1], int(a[2]), int(a[3]), int(a[4]))
        elif a[0] == "serve":
            return serve(a[1])
        elif a[0] == "connect":
            r = connect(a[1], int(a[2]), float(a[3]))
        else:
            raise ValueError(f"unknown measurement {a[0]}")
    except Exception as e:  # one line, non-zero exit
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
