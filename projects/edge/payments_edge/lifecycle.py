"""What the tooling needs to know about the edge layer beyond its place in the graph."""

from __future__ import annotations

from payments_edge.ephemeral import check_own_domain
from payments_edge.preflight import check_new_zone_delegated, new_zone_grants
from payments_edge.settings import EdgeSettings
from payments_edge.verify import check_dns_alias, check_https_endpoint, check_https_listener, check_target_health
from shared.contracts.edge import EdgeContract
from shared.lifecycle import DnsZone, LayerLifecycle, PreflightCheck, Teardown, VerifyCheck
from shared.ownership import Ownership

LIFECYCLE = LayerLifecycle(
    contract=EdgeContract,
    settings=EdgeSettings,
    # prod is deployed by its GitHub environment only; in dev the team's engineers may assume the role too.
    owner=Ownership(team="@payments/edge", principals={"dev": ("role/payments-edge-engineers",)}),
    preflight=(
        PreflightCheck("new-zone-delegated", check_new_zone_delegated, when="deploy-only", grants=new_zone_grants),
    ),
    teardown=Teardown(
        config=(("albDeletionProtection", "false"), ("teardown", "true")),
        targets=("aws:lb/loadBalancer:LoadBalancer",),
        properties=("enableDeletionProtection",),
        leaves_in_protected=(
            "the load balancer's access-log bucket (s3-<service>-alblogs-<env>-<suffix>) and the hosted zone of the "
            "domain (on its reusable delegation set, edge:delegationSetId) stay, as audit evidence and so the parent's "
            "delegation never points at a deleted zone; the next deploy of the edge layer finds both and takes them "
            "back into the stack (an import: no second zone, no second bucket, the delegation keeps working); to "
            "remove them for good, remove the parent's NS record first, then `aws route53 delete-hosted-zone` and "
            "`aws s3 rb s3://<bucket> --force`",
        ),
    ),
    verify=(
        VerifyCheck(
            "target-health", "all load balancer targets healthy", check_target_health, needs=("target_group_arn",)
        ),
        VerifyCheck(
            "https-listener",
            "HTTPS listener: exported certificate, TLS 1.2+ policy",
            check_https_listener,
            needs=("https_listener_arn", "certificate_arn"),
        ),
        VerifyCheck(
            "dns-alias",
            "DNS alias of the domain points at the load balancer",
            check_dns_alias,
            needs=("hosted_zone_id", "alb_dns_name", "service_url"),
        ),
        VerifyCheck(
            "https-endpoint", "service answers over verified HTTPS", check_https_endpoint, needs=("service_url",)
        ),
    ),
    ephemeral=check_own_domain,
    # A copy serves a domain of its own (check_own_domain): the source's zone, the name servers reserved
    # for it and its certificate are not the copy's.
    not_copied=("hostedZoneId", "delegationSetId", "certificateArn"),
    dns_zone=DnsZone(
        domain_key="domainName",
        zone_id_key="hostedZoneId",
        name_servers_output="name_servers",
        delegation_set_key="delegationSetId",
    ),
    held_by_downstream=("aws:lb/targetGroup:TargetGroup",),
    diagram_colors=("#fff1dc", "#c77700"),
)
