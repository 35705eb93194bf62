"""A private PostgreSQL server for the tests: initdb in a temporary folder, a unix socket only.

As root the server runs as the ``postgres`` user (PostgreSQL refuses root); otherwise as the
caller. Debian's ``postgresql`` package provides the binaries
(``scripts/install_grading_deps.sh`` installs it); without them the tests that need a
server are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


class Server:
    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL is not installed (run scripts/install_grading_deps.sh)")
        self.dir = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user, self.user)
        self.data = self.dir / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "-o",
                  f"-k {self.dir} -c listen_addresses='' -p 5432 -c fsync=off", "start")

    def _run(self, tool: str, *args: str) -> str:
        cmd = [str(self.bin / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode:
            raise RuntimeError(f"{tool} failed: {proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def create_database(self, name: str) -> str:
        """A new database; returns its SQLAlchemy URL."""
        self._run("createdb", "-h", str(self.dir), "-p", "5432", "-U", "postgres", name)
        return f"postgresql://postgres@/{name}?host={self.dir}&port=5432"      # the URL autograder/README.md documents

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
