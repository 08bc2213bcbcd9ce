"""The TLS policies an internet-facing HTTPS listener may use: one list for config and policy.

Only the ELB security policies that negotiate TLS 1.2 or 1.3 with AEAD (GCM) ciphers and
forward secrecy: the `TLS13-1-2-Res` ("restricted") family and the TLS 1.3-only policies, each
also in its FIPS and hybrid post-quantum (PQ) variants (AWS "Security policies for your
Application Load Balancer"). Left out on purpose: `TLS13-1-2-2021-06` and its Ext/FIPS
siblings, which also offer CBC-mode suites (e.g. ECDHE-RSA-AES128-SHA256), and every
`ELBSecurityPolicy-2016-08`-era policy that still accepts TLS 1.0/1.1.
"""

from __future__ import annotations

DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"

ACCEPTED_TLS_POLICIES: tuple[str, ...] = (
    DEFAULT_TLS_POLICY,
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)
