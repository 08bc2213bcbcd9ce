"""CrossGuard policy pack of the payments platform: `pulumi preview --policy-pack ../../policy`.

Every rule is mandatory; the rules themselves live in `payments_policy.rules`, shared with
the offline plan (`invoke plan`).
"""

import sys
from pathlib import Path

# The rules take their limits (log retention, task size, TLS policies, tags) from the repository's
# `shared` package, one folder up, so the pack and the settings can never disagree. The pack's own
# virtualenv holds only the libraries in requirements.txt, not this repository.
REPOSITORY = str(Path(__file__).resolve().parent.parent)
if REPOSITORY not in sys.path:
    sys.path.insert(1, REPOSITORY)

from payments_policy.pack import PACK_NAME, policies  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
