"""What the tooling costs on top of the engine: `python -m tests.e2e.benchmark [--rounds N]` (not a test).

In a sandbox of the journeys (the real Pulumi CLI, the test provider, moto), dev is deployed once;
then, alternately, each round times

- `invoke deploy-all --env dev` with nothing to change, and
- the raw critical path of the same work with the plain CLI: `pulumi up` of network, then data and
  edge at once, then compute (once without the policy pack, once with it, as the tooling runs it),

and prints each figure's median and the ratio, then how many Pulumi CLI calls each task makes
(every call passes through the sandbox's logging `pulumi`). Needs the Pulumi CLI on PATH.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.harness import Sandbox, pulumi_cli


def raw_critical_path(sb: Sandbox, *, policy: bool) -> float:
    """`pulumi up` of network, then data and edge in parallel, then compute: seconds."""
    extra = ("--policy-pack", "../../policy", "--policy-pack-config", "../../policy/config.json") if policy else ()

    def up(layer: str) -> None:
        done = sb.pulumi(layer, "up", "-s", "dev", "--yes", "--skip-preview", *extra)
        if done.returncode:
            raise SystemExit(f"pulumi up of {layer} failed:\n{done.stdout}\n{done.stderr}")

    start = time.monotonic()
    up("network")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(up, ["data", "edge"]))
    up("compute")
    return time.monotonic() - start


def timed_invoke(sb: Sandbox, *args: str) -> Callable[[], float]:
    def run() -> float:
        done = sb.invoke(*args)
        if done.returncode:
            raise SystemExit(str(done))
        return done.seconds

    return run


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (default 3)")
    rounds = parser.parse_args(argv).rounds
    if pulumi_cli() is None:
        raise SystemExit("the benchmark needs the Pulumi CLI on PATH")
    with tempfile.TemporaryDirectory(prefix="payments-benchmark-") as folder:
        sb = Sandbox.create(Path(folder) / "sandbox")
        try:
            sb.seed_account("dev")
            sb.delegate("dev")
            first = sb.invoke("deploy-all", "--env", "dev")
            if first.returncode:
                raise SystemExit(str(first))
            print(f"first deploy-all of dev: {first.seconds:.1f} s")
            figures: dict[str, list[float]] = {"deploy-all (no-op)": [], "raw": [], "raw + policy pack": []}
            for _ in range(rounds):
                figures["deploy-all (no-op)"].append(timed_invoke(sb, "deploy-all", "--env", "dev")())
                figures["raw"].append(raw_critical_path(sb, policy=False))
                figures["raw + policy pack"].append(raw_critical_path(sb, policy=True))
            for name, values in figures.items():
                print(
                    f"{name:20} median {statistics.median(values):5.1f} s  (min {min(values):.1f}, max {max(values):.1f})"
                )
            ours = statistics.median(figures["deploy-all (no-op)"])
            print(
                f"ratio to raw: {ours / statistics.median(figures['raw']):.2f}; "
                f"to raw with the pack: {ours / statistics.median(figures['raw + policy pack']):.2f}"
            )
            print("\nPulumi CLI calls per task (dev deployed, nothing to change):")
            for task in (
                ("deploy-all", "--env", "dev"),
                ("deploy", "--layer", "compute", "--env", "dev"),
                ("preview", "--env", "dev"),
                ("outputs", "--env", "dev", "--json"),
                ("status", "--env", "dev"),
                ("drift", "--env", "dev"),
            ):
                before = len(sb.cli_calls())
                sb.invoke(*task)
                print(f"  invoke {' '.join(task):32} {len(sb.cli_calls()) - before:3d}")
        finally:
            sb.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
