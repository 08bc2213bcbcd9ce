"""What `invoke verify` checks of the edge layer on the live platform (read-only)."""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urljoin, urlsplit

from payments_edge.settings import EdgeSettings
from shared.lifecycle import CheckFailed, VerifyContext
from shared.tls import ACCEPTED_TLS_POLICIES


def check_target_health(p: VerifyContext) -> str:
    """Every target registered in the edge target group is healthy, and there are at least the floor."""
    targets = p.target_health(p.aws.client("elbv2"), p.exports["target_group_arn"])
    bad = [t for t in targets if t.state != "healthy"]
    healthy = len(targets) - len(bad)
    seen = f"{healthy} of {len(targets)} targets healthy (minimum {p.expect.min_tasks})"
    if bad:
        details = ", ".join(f"{t.target_id} {t.state}" + (f" ({t.reason})" if t.reason else "") for t in bad)
        raise CheckFailed(f"{seen}; not healthy: {details}")
    if healthy < p.expect.min_tasks:
        raise CheckFailed(seen)
    return seen


def check_https_listener(p: VerifyContext) -> str:
    """The :443 listener serves the exported certificate with a TLS 1.2+ policy."""
    e = p.exports
    listener = p.aws.client("elbv2").describe_listeners(ListenerArns=[e["https_listener_arn"]])["Listeners"][0]
    certs = [c["CertificateArn"] for c in listener.get("Certificates", [])]
    policy = listener.get("SslPolicy", "")
    where = f"{listener['Protocol']}:{listener['Port']}"
    seen = f"{where}, policy {policy or 'none'}, certificate {', '.join(certs) or 'none'}"
    wrong = []
    if listener["Protocol"] != "HTTPS" or listener["Port"] != 443:
        wrong.append("HTTPS on 443")
    if certs[:1] != [e["certificate_arn"]]:
        wrong.append(f"certificate {e['certificate_arn']}")
    if policy not in ACCEPTED_TLS_POLICIES:
        wrong.append("a TLS 1.2+ policy (" + ", ".join(ACCEPTED_TLS_POLICIES[:2]) + ", ...)")
    if wrong:
        raise CheckFailed(f"{seen}; expected {'; '.join(wrong)}")
    return seen


def _dns(name: str) -> str:
    # Route53 answers with a trailing dot, and often a `dualstack.` prefix on ALB aliases.
    name = name.lower().rstrip(".")
    return name.removeprefix("dualstack.")


def check_dns_alias(p: VerifyContext) -> str:
    """The domain's A alias record (and AAAA, if any) points at the load balancer."""
    e = p.exports
    domain = urlsplit(e["service_url"]).hostname
    if not domain:
        raise CheckFailed(f"service_url {e['service_url']!r} is not an https:// URL")
    paginator = p.aws.client("route53").get_paginator("list_resource_record_sets")
    records = [
        r
        for page in paginator.paginate(HostedZoneId=e["hosted_zone_id"])
        for r in page["ResourceRecordSets"]
        if _dns(r["Name"]) == domain and r["Type"] in ("A", "AAAA")
    ]
    targets = {r["Type"]: (r.get("AliasTarget") or {}).get("DNSName", "") for r in records}
    if "A" not in targets:
        raise CheckFailed(f"no A record for {domain} in zone {e['hosted_zone_id']}")
    seen = ", ".join(
        f"{kind} {domain} -> {target.rstrip('.') or 'not an alias'}" for kind, target in sorted(targets.items())
    )
    if any(_dns(t) != _dns(e["alb_dns_name"]) for t in targets.values()):
        raise CheckFailed(f"{seen}; expected an alias to {e['alb_dns_name']}")
    return seen


def healthy_statuses(matcher: str) -> set[int]:
    """The HTTP statuses a target-group matcher (`200`, `200,204`, `200-299`) counts as healthy."""
    codes: set[int] = set()
    for part in matcher.split(","):
        low, _, high = part.strip().partition("-")
        codes.update(range(int(low), int(high or low) + 1))
    return codes


def check_https_endpoint(p: VerifyContext) -> str:
    """The service answers over verified HTTPS on its health path with a status its health check accepts.

    The statuses are the target group's matcher (`edge:healthCheckMatcher`, default 200) when the
    environment's stack files are at hand, else 200: what the load balancer itself counts as healthy.
    """
    settings = p.settings("edge")
    matcher = settings.health_check_matcher if isinstance(settings, EdgeSettings) else "200"
    url = urljoin(p.exports["service_url"], p.expect.health_path)
    try:
        result = p.get(url)
    except ssl.SSLError as e:
        raise CheckFailed(f"{url}: TLS failed ({e.reason or e})") from None
    except (OSError, http.client.HTTPException) as e:
        raise CheckFailed(f"{url}: no answer ({type(e).__name__}: {e})") from None
    seen = f"{url}: HTTP {result.status} over {result.tls_version}"
    if result.status not in healthy_statuses(matcher):
        raise CheckFailed(f"{seen}; expected {matcher}, the status the health check counts as healthy")
    return seen
