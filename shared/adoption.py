"""Taking back what a protected environment's teardown kept, instead of colliding with it.

A protected environment's teardown leaves some resources in the account on purpose
(`retain_on_delete`): they are evidence, or the target of the parent domain's delegation. They
keep their names, and AWS keeps those names taken: a bucket name belongs to its bucket, a KMS
alias name to its alias, and Route53 refuses a second hosted zone of a name on the same reusable
delegation set (`ConflictingDomainExists`, Route53 API reference, CreateHostedZone). A rebuild
that created them again would stop at the first, or, where AWS lets it (an auto-named bucket),
split the evidence across two copies.

So the program looks each kept resource up with a data source (no AWS SDK in a program) and,
when it finds one, registers it with `import_` set to its id (`adopting`). Pulumi imports it
instead of creating it: it reads the resource, and where it differs from the program (retagged
while the platform was down, or code changed since the teardown) the engine follows the import
with an update to the program's inputs (the engine's current behaviour: pulumi/pulumi#16397,
pulumi/docs#18198; older CLIs refused such an import with "inputs to import do not match the
existing resource"). Every later deploy finds the same id again, and the engine treats a
resource already in the stack under that id as an ordinary one (Pulumi, "import" resource
option), so the lookup never needs to know whether this is the rebuild. Outside protected
environments nothing is kept and nothing is looked up.

Why import rather than only looking the resource up and using its id: an adopted resource is
managed again exactly as before (its policy, tags and configuration follow the code, drift shows,
and the next teardown keeps it again), where a looked-up one would be frozen as the teardown left
it. Why in the program rather than in the tooling: the layer knows what it keeps and under which
name; the tooling stays generic, and a team deploying its layer with the plain CLI gets the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from shared.route53 import dns_name


class KeptResourceError(pulumi.RunError):
    """What the teardown kept cannot be adopted as it is: one line says what was found and what to do."""


def adopting(found_id: str | None) -> pulumi.ResourceOptions:
    """Options importing the kept resource `found_id`; none when nothing was kept."""
    return pulumi.ResourceOptions(import_=found_id) if found_id else pulumi.ResourceOptions()


def autonamed(logical_name: str, bucket: str) -> bool:
    """Whether `bucket` is Pulumi's auto-name of `logical_name` (`<logical name>-<random suffix>`)."""
    return re.fullmatch(re.escape(logical_name) + r"-[a-z0-9]+", bucket) is not None


def kept_bucket(logical_name: str, *, region: str, opts: pulumi.InvokeOptions) -> str | None:
    """The auto-named bucket of `logical_name` in `region`, or None; more than one is an error.

    `ListBuckets` filtered by prefix and region (`aws.s3.get_buckets`): the bucket a teardown
    kept, or, on every later deploy, the stack's own. Two would mean an earlier rebuild made a
    second one, and which holds the evidence is for a person to decide.
    """
    listed = aws.s3.get_buckets(prefix=f"{logical_name}-", bucket_region=region, opts=opts)
    names = sorted(b.name for b in listed.buckets or () if autonamed(logical_name, b.name))
    if len(names) > 1:
        raise KeptResourceError(
            f"{len(names)} buckets named {logical_name}-* in {region} ({', '.join(names)}): expected at most one, "
            "the one a teardown kept; keep the one holding the evidence, empty and delete the other, then deploy again"
        )
    return names[0] if names else None


def kept_zone(
    domain: str, *, tags: Mapping[str, str], delegation_set_id: str, opts: pulumi.InvokeOptions
) -> str | None:
    """The id of the public hosted zone of `domain` this layer made (it carries `tags`), or None.

    Every zone id of the account (`aws.route53.get_zones`), each read once (`get_zone`). Only a
    public zone of exactly that name carrying the layer's tags counts: someone else's zone of the
    same name is not ours to adopt. Of several, the one on `delegation_set_id` (its name servers
    are the set's) is the one the parent delegates to.
    """
    ours = []
    for zone_id in sorted(aws.route53.get_zones(opts=opts).ids or ()):
        zone = aws.route53.get_zone(zone_id=zone_id, opts=opts)
        if zone.private_zone or dns_name(zone.name) != dns_name(domain):
            continue
        if all((zone.tags or {}).get(k) == v for k, v in tags.items()):
            ours.append(zone)
    if len(ours) > 1 and delegation_set_id:
        reserved_set = aws.route53.get_delegation_set(id=delegation_set_id, opts=opts)
        reserved = sorted(dns_name(s) for s in reserved_set.name_servers)
        ours = [z for z in ours if sorted(dns_name(s) for s in z.name_servers) == reserved]
    if len(ours) > 1:
        ids = ", ".join(z.zone_id for z in ours)
        raise KeptResourceError(
            f"{len(ours)} public hosted zones of {domain} carry this stack's tags ({ids}): expected at most one; "
            "keep the one the parent domain delegates to (`invoke dns` shows it), delete the other, then deploy again"
        )
    return ours[0].zone_id if ours else None


def key_of_alias(alias_name: str, *, kept_with: str, opts: pulumi.InvokeOptions) -> str:
    """The id of the KMS key `alias_name` points at; the alias was kept together with `kept_with`.

    Called only once `kept_with` was found: the teardown keeps the two together, so a missing
    alias means someone removed it, and the key that can read the kept objects must be named again.
    """
    try:
        return aws.kms.get_alias(name=alias_name, opts=opts).target_key_id
    except Exception as e:  # not found or not readable: either way a person restores the alias
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise KeptResourceError(
            f"{kept_with} was kept, but its key's alias {alias_name} cannot be read ({first_line}): "
            f"point the alias at the key that encrypts it again (`aws kms create-alias --alias-name {alias_name} "
            "--target-key-id <key id>`), then deploy again"
        ) from None
