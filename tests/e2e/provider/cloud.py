"""The test provider's cloud: every resource it holds, in one JSON file that several processes share.

The engine starts one provider process per stack operation, and `deploy-all` runs two stacks at
once (data and edge), so every change is a read-modify-write under an exclusive `flock` on a lock
file beside the state. Tests read the same file (`Cloud(folder).resources()`) to assert what
exists, and change it (`Cloud(folder).edit(...)`) to make a change outside Pulumi.

Every call the engine makes is appended to `calls.jsonl` (one JSON object per line, written with
O_APPEND, so concurrent writers never interleave inside a line): a test asserts the order of
operations, and the absence of any change, from it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE = "cloud.json"
CALLS = "calls.jsonl"
LOCK = "cloud.lock"


def key(type_: str, resource_id: str) -> str:
    """Where a resource is kept: ids are unique per type only (an S3 bucket's policy has the bucket's name)."""
    return f"{type_}|{resource_id}"


# Operations that change the cloud, as recorded in the call log.
CHANGES = frozenset({"create", "update", "delete"})


@dataclass(frozen=True)
class Resource:
    """One live resource: its type, its provider id, the URN that made it, and every property it has now."""

    type: str
    id: str
    urn: str
    props: dict[str, Any]

    @property
    def name(self) -> str:
        """The logical name (last part of the URN)."""
        return self.urn.rsplit("::", 1)[-1]


class Cloud:
    """The shared state file of one test's cloud (see the module docstring)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    # reading -----------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        path = self.folder / STATE
        if not path.exists():
            return {"seq": 0, "resources": {}}
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def resources(self, type_: str | None = None) -> list[Resource]:
        """The live resources (of one type), sorted by type then id."""
        with self._locked():
            data = self._read()
        found = [Resource(r["type"], r["id"], r["urn"], r["props"]) for r in data["resources"].values()]
        return sorted((r for r in found if type_ in (None, r.type)), key=lambda r: (r.type, r.id))

    def get(self, type_: str, resource_id: str) -> Resource | None:
        """One resource by type and id, or None when the cloud holds none."""
        return next((r for r in self.resources(type_) if r.id == resource_id), None)

    def calls(self) -> list[dict[str, Any]]:
        """Every call recorded so far, in order."""
        path = self.folder / CALLS
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def changes(self, since: int = 0) -> list[dict[str, Any]]:
        """The calls that changed the cloud (create, update, delete; not previews), from call `since` on."""
        return [c for c in self.calls()[since:] if c["op"] in CHANGES and not c.get("preview")]

    # writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.folder / LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """The whole state, locked; what the block leaves in it is written back atomically."""
        with self._locked():
            data = self._read()
            yield data
            tmp = self.folder / f"{STATE}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
            tmp.replace(self.folder / STATE)

    def edit(self, type_: str, resource_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Change a live resource's properties outside Pulumi (what a console user would do)."""
        with self.transaction() as data:
            change(data["resources"][key(type_, resource_id)]["props"])

    def remove(self, type_: str, resource_id: str) -> None:
        """Delete a live resource outside Pulumi."""
        with self.transaction() as data:
            del data["resources"][key(type_, resource_id)]

    def record(self, op: str, **fields: Any) -> None:
        """Append one call to the log."""
        line = json.dumps({"op": op, "at": time.time(), "pid": os.getpid(), **fields}, sort_keys=True) + "\n"
        fd = os.open(self.folder / CALLS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
