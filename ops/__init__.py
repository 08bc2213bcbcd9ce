"""Tooling around the four Pulumi projects: offline plan, orchestration, preflight, reports.

Nothing here is imported by a Pulumi program; `tasks.py` is a thin CLI over these modules.
"""
