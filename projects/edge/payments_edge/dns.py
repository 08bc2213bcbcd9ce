"""The service domain's DNS: `HostedZone` (its public zone), `AliasRecords` (the domain -> the ALB)
and `IssuerRestriction` (the CAA record that lets only Amazon issue certificates for it)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.adoption import adopting
from shared.naming import Namer

# The CA domains ACM issues under (ACM "(Optional) Configure a CAA record"): a CAA record that
# names none of them stops ACM from issuing or renewing a certificate for the domain.
AMAZON_CAA_ISSUERS: tuple[str, ...] = ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com")


def caa_records(issuers: tuple[str, ...] = AMAZON_CAA_ISSUERS) -> list[str]:
    """CAA values `0 issue "<ca>"`, one per issuer: only these CAs may issue (wildcards included,
    since no `issuewild` record overrides them)."""
    return [f'0 issue "{issuer}"' for issuer in issuers]


def domain_key(domain: str) -> str:
    """A domain as a name part (`api.payments.example.com` -> `api-payments-example-com`)."""
    return domain.replace(".", "-")


@dataclass(frozen=True)
class HostedZoneArgs:
    namer: Namer
    domain_name: str
    protected: bool
    tags: dict[str, str]
    # A reusable delegation set's ID: the zone then uses those (already delegated) name servers.
    delegation_set_id: str = ""
    # The id of the zone an earlier teardown kept (`shared.adoption.kept_zone`): imported, not created.
    kept_zone_id: str = ""


class HostedZone(pulumi.ComponentResource):
    """A public hosted zone for the service domain, whose name servers the parent must delegate to.

    ACM's DNS validation (and the alias record) only resolve once the parent domain has NS
    records pointing here, so the name servers are printed as soon as AWS assigns them.

    In a protected environment the zone outlives the stack (`retain_on_delete`, no force
    destroy): the parent domain's delegation then never points at a deleted zone, which anyone
    could re-create in their own account and answer for the domain. The next deploy adopts that
    zone (`kept_zone_id`) instead of asking Route53 for a second one of the name.
    """

    zone: aws.route53.Zone

    def __init__(self, name: str, args: HostedZoneArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:HostedZone", name, None, opts)
        self.zone = aws.route53.Zone(
            args.namer("zone"),
            name=args.domain_name,
            delegation_set_id=args.delegation_set_id or None,
            comment=f"Public zone of the payment API ({args.domain_name}); managed by Pulumi",
            # An unprotected teardown must not stop at leftover records (validation CNAMEs).
            force_destroy=not args.protected,
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(
                pulumi.ResourceOptions(parent=self, retain_on_delete=args.protected), adopting(args.kept_zone_id)
            ),
        )
        self.zone.name_servers.apply(
            lambda servers: pulumi.log.info(
                f"delegate {args.domain_name} to these name servers in the parent domain "
                f"(NS record), or certificate validation cannot finish: {', '.join(servers)}",
                resource=self,
            )
        )
        self.register_outputs({"zone_id": self.zone.zone_id, "name_servers": self.zone.name_servers})


@dataclass(frozen=True)
class AliasRecordsArgs:
    namer: Namer
    zone_id: pulumi.Input[str]
    domain_name: str
    target_dns_name: pulumi.Input[str]
    target_zone_id: pulumi.Input[str]
    dual_stack: bool


class AliasRecords(pulumi.ComponentResource):
    """Alias A (and AAAA when the load balancer is dual-stack) records for the domain."""

    records: dict[str, aws.route53.Record]

    def __init__(self, name: str, args: AliasRecordsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:AliasRecords", name, None, opts)
        self.records = {}
        for record_type in ("A", "AAAA") if args.dual_stack else ("A",):
            key = f"{domain_key(args.domain_name)}-{record_type.lower()}"
            self.records[record_type] = aws.route53.Record(
                args.namer("dns", key),
                zone_id=args.zone_id,
                name=args.domain_name,
                type=record_type,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=args.target_dns_name,
                        zone_id=args.target_zone_id,
                        # With a single record Route53 answers with the ALB even when it is
                        # unhealthy; evaluating health matters once a failover record is added.
                        evaluate_target_health=True,
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({t: r.fqdn for t, r in self.records.items()})


@dataclass(frozen=True)
class IssuerRestrictionArgs:
    namer: Namer
    zone_id: pulumi.Input[str]
    domain_name: str


class IssuerRestriction(pulumi.ComponentResource):
    """A CAA record on the service domain allowing only Amazon's CAs (ACM) to issue certificates.

    Any other public CA must refuse a certificate for the domain, so a mis-issued certificate
    for the payment API cannot come from a CA tricked by a DNS or HTTP validation attack.
    """

    record: aws.route53.Record

    def __init__(self, name: str, args: IssuerRestrictionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:IssuerRestriction", name, None, opts)
        self.record = aws.route53.Record(
            args.namer("dns", f"{domain_key(args.domain_name)}-caa"),
            zone_id=args.zone_id,
            name=args.domain_name,
            type="CAA",
            ttl=3600,
            records=caa_records(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"fqdn": self.record.fqdn})
