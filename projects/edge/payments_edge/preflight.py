"""What preflight checks for the edge layer before a deploy: a new zone is delegated before it exists.

ACM validates the certificate through the zone's DNS records, and only once the parent domain
delegates to the zone's name servers. A zone created by the deploy itself gets four servers
nobody could have delegated to yet, so the deploy would sit out the whole validation wait and
fail. The journey is therefore: reserve the servers (`invoke dns --env E --reserve`, a Route53
reusable delegation set), add the NS record at the parent, set `edge:delegationSetId`, wait for
public DNS to show it (`invoke dns --env E --wait 30`), and only then deploy; preflight stops a
deploy that would start before that, with nothing created.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from payments_edge.settings import EdgeSettings
from shared.lifecycle import Grant, GrantContext, PreflightContext
from shared.route53 import public_zone_ids


def check_new_zone_delegated(ctx: PreflightContext) -> str | None:
    """Preflight hook: a zone this deploy would create has its (reserved) name servers delegated already."""
    settings = ctx.settings("edge")
    if not isinstance(settings, EdgeSettings) or not settings.creates_zone or not settings.creates_certificate:
        return None  # an existing zone or an existing certificate: nothing waits on a new delegation
    where = f"edge:domainName = {settings.domain_name!r}"
    route53 = ctx.aws.client("route53")
    try:
        if public_zone_ids(route53, settings.domain_name):
            return None  # deployed before: `invoke dns` checks its delegation
        if not settings.delegation_set_id:
            return (
                f"{where}: the first deploy would create a zone whose name servers nobody has delegated to, and "
                f"the certificate would wait {settings.certificate_validation_timeout_minutes} minutes for a "
                f"validation that cannot resolve: run `invoke dns --env {ctx.env} --reserve`, add the NS record "
                "it prints at the parent domain, set edge:delegationSetId, then deploy again (nothing was created)"
            )
        found = route53.get_reusable_delegation_set(Id=settings.delegation_set_id)["DelegationSet"]
    except (ClientError, BotoCoreError) as e:
        code = e.response.get("Error", {}).get("Code", "") if isinstance(e, ClientError) else type(e).__name__
        needs = "route53:ListHostedZonesByName and route53:GetReusableDelegationSet"
        return f"{where}: cannot read its Route53 zone or delegation set ({code}): these credentials need {needs}"
    problem = ctx.delegation(settings.domain_name, found.get("NameServers", []))
    if problem is None:
        return None
    return (
        f"{where}: {problem}; the certificate cannot validate until it is: wait for it with "
        f"`invoke dns --env {ctx.env} --wait 30`, then deploy again (nothing was created)"
    )


def new_zone_grants(ctx: GrantContext) -> list[Grant]:
    """What `check_new_zone_delegated` reads: zones by name (no resource type) and the reserved delegation set."""
    grants = [Grant(("route53:ListHostedZonesByName",), ("*",))]
    settings = ctx.settings("edge")
    if isinstance(settings, EdgeSettings) and settings.delegation_set_id:
        arn = f"arn:{ctx.partition}:route53:::delegationset/{settings.delegation_set_id}"
        grants.append(Grant(("route53:GetReusableDelegationSet",), (arn,)))
    return grants
