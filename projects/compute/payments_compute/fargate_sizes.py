"""The task sizes Fargate accepts (Linux): CPU units -> the memory values (MiB) allowed with it.

From the AWS documentation "Task CPU and memory" for Amazon ECS on Fargate. A pair outside this
table is rejected by `RegisterTaskDefinition`; checking it here fails at preview instead.
"""

from __future__ import annotations


def _gib(start: int, stop: int, step: int) -> tuple[int, ...]:
    return tuple(range(start * 1024, stop * 1024 + 1, step * 1024))


FARGATE_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _gib(1, 4, 1),
    1024: _gib(2, 8, 1),
    2048: _gib(4, 16, 1),
    4096: _gib(8, 30, 1),
    8192: _gib(16, 60, 4),
    16384: _gib(32, 120, 8),
}


def allowed_memory(cpu: int) -> tuple[int, ...]:
    """Memory values (MiB) Fargate accepts with `cpu` units; empty for an unknown CPU value."""
    return FARGATE_MEMORY_BY_CPU.get(cpu, ())
