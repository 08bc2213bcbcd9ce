"""The rules as CrossGuard policies: what `policy/__main__.py` hands to `PolicyPack`.

Resource-scoped rules become `ResourceValidationPolicy` objects; the rules that must see
another resource of the stack (which group an ingress rule opens, which bucket a load balancer
logs to, which web ACL guards a load balancer) become `StackValidationPolicy` objects, fed the
stack's resources with their property dependencies so references read as they do offline.
Either way the rule function is the one in `payments_policy.rules`, the same the offline plan runs.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from payments_policy.engine_props import policy_input, stack_of
from payments_policy.model import PolicyContext, Rule
from payments_policy.rules import RULES

PACK_NAME = "payments-platform"


def resource_policy(rule: Rule) -> ResourceValidationPolicy:
    """`rule` checked on each resource as the engine registers it."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = policy_input(args.resource_type, args.name, args.props)
        if not rule.applies_to(resource):
            return
        ctx = PolicyContext(stack=stack_of(args.urn), config=dict(args.get_config() or {}))
        for message in rule.check(resource, ctx):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def stack_policy(rule: Rule) -> StackValidationPolicy:
    """`rule` checked on each resource with the whole stack in view."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        pairs = [
            (
                res.urn,
                policy_input(
                    res.resource_type,
                    res.name,
                    res.props,
                    {key: [dep.name for dep in deps] for key, deps in res.property_dependencies.items()},
                ),
            )
            for res in args.resources
        ]
        if not pairs:
            return
        ctx = PolicyContext(
            stack=stack_of(pairs[0][0]), resources=tuple(r for _, r in pairs), config=dict(args.get_config() or {})
        )
        for urn, resource in pairs:
            if rule.applies_to(resource):
                for message in rule.check(resource, ctx):
                    report_violation(message, urn)

    return StackValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def policies() -> list[Policy]:
    """One mandatory CrossGuard policy per rule, in rule order."""
    return [stack_policy(r) if r.scope == "stack" else resource_policy(r) for r in RULES]
