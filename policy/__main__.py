"""CrossGuard policy pack of the payments platform: `pulumi preview --policy-pack ../../policy`.

Every rule is mandatory; the rules themselves live in `payments_policy.rules`, shared with
the offline plan (`invoke plan`).
"""

from payments_policy.pack import PACK_NAME, policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
