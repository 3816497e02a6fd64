"""Minimal syslog receiver: Cyrus logs only through syslog(3).

CI machines and containers usually run no syslog daemon, so /dev/log does not
exist and every Cyrus message is lost. The harness starts this on /dev/log
(only when nothing else owns it) and writes each datagram to a file.

Usage: python syslog_sink.py SOCKET_PATH LOG_FILE
"""

import datetime
import os
import signal
import socket
import sys


def main() -> None:
    path, logfile = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    sock.bind(path)
    # Cyrus children run as the cyrus user and must be able to send.
    os.chmod(path, 0o666)

    def bye(*_args):
        try:
            os.unlink(path)
        finally:
            sys.exit(0)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)
    with open(logfile, "a", buffering=1, encoding="utf-8", errors="replace") as out:
        while True:
            data = sock.recv(65536)
            msg = data.decode("utf-8", "replace").rstrip("\n\x00")
            # Strip the "<PRI>" prefix; keep the rest (it has the program[pid]).
            if msg.startswith("<") and ">" in msg[:6]:
                msg = msg[msg.index(">") + 1 :]
            stamp = datetime.datetime.now().isoformat(timespec="milliseconds")
            out.write(f"{stamp} {msg}\n")


if __name__ == "__main__":
    main()
