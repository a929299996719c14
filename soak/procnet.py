"""Which TCP connections a process group holds to a port, read from /proc (Linux).

Before a worker is killed the soak notes the local ports of its connections to the SMTP
server; a message later accepted twice whose first copy came over one of them was in flight in
the killed worker (accepted, but its outcome never recorded).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.worker.stack import group_members


def connection_ports(pgid: int, remote_port: int) -> set[int]:
    """Local ports of the group's TCP connections to ``remote_port``."""
    inodes: set[str] = set()
    for pid in group_members(pgid):
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue  # gone meanwhile
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == remote_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports
