"""`DnsValidatedCertificate`: an ACM certificate for the service domain, validated through Route53."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from payments_edge.dns import domain_key
from shared.naming import Namer


@dataclass(frozen=True)
class DnsValidatedCertificateArgs:
    namer: Namer
    domain_name: str
    zone_id: pulumi.Input[str]
    validation_timeout_minutes: int
    tags: dict[str, str]


def validation_record(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption], domain: str
) -> dict[str, str]:
    """The CNAME ACM asks for to validate `domain`: its name, type and value."""
    option = next(o for o in options if o.domain_name == domain)
    return {
        "name": str(option.resource_record_name),
        "type": str(option.resource_record_type),
        "value": str(option.resource_record_value),
    }


class DnsValidatedCertificate(pulumi.ComponentResource):
    """Certificate + one validation CNAME per domain + a bounded wait for ISSUED.

    `certificate_arn` resolves only after validation succeeded, so the HTTPS listener never
    references a certificate that is still pending.
    """

    certificate: aws.acm.Certificate
    certificate_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DnsValidatedCertificateArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("payments:edge:DnsValidatedCertificate", name, None, opts)
        n = args.namer
        child = pulumi.ResourceOptions(parent=self)
        self.certificate = aws.acm.Certificate(
            n("cert"),
            domain_name=args.domain_name,
            validation_method="DNS",
            key_algorithm="RSA_2048",  # the widest client support for a public API
            options=aws.acm.CertificateOptionsArgs(certificate_transparency_logging_preference="ENABLED"),
            tags=args.tags,
            opts=child,
        )
        # Records are keyed by the configured domain (known now); only their values come from
        # the certificate's outputs, so no resource is ever created inside an apply.
        records: list[aws.route53.Record] = []
        for domain in (args.domain_name,):
            cname = self.certificate.domain_validation_options.apply(
                functools.partial(validation_record, domain=domain)
            )
            records.append(
                aws.route53.Record(
                    n("dns", f"certvalidation-{domain_key(domain)}"),
                    zone_id=args.zone_id,
                    name=cname.apply(lambda r: r["name"]),
                    type=cname.apply(lambda r: r["type"]),
                    records=[cname.apply(lambda r: r["value"])],
                    ttl=60,
                    # A replacement certificate for the same domain asks for the same CNAME;
                    # overwriting lets create-before-destroy proceed instead of failing.
                    allow_overwrite=True,
                    opts=child,
                )
            )
        validation = aws.acm.CertificateValidation(
            n("certvalidation"),
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[r.fqdn for r in records],
            opts=pulumi.ResourceOptions(
                parent=self,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{args.validation_timeout_minutes}m"),
            ),
        )
        self.certificate_arn = validation.certificate_arn
        self.register_outputs({"certificate_arn": self.certificate_arn})
