"""Command line of the payments platform: `invoke --list` shows every task.

Each group of tasks lives in an `ops.cli` module; this file only assembles them.
"""

import atexit
import gc

from invoke.collection import Collection

from ops.cli.bootstrap import bootstrap
from ops.cli.cost import cost
from ops.cli.dns import dns
from ops.cli.drift import drift
from ops.cli.offline import diagram, docs, plan
from ops.cli.stacks import cancel, deploy, deploy_all, destroy, destroy_all, outputs, preview, status
from ops.cli.verify import verify

# While it shuts down, Python walks every live object more than once; after a plan (pulumi, botocore
# and the programs' own objects) that takes 1-1.5 s of a 3-5 s run. Frozen objects are skipped, and
# the operating system takes the memory back at exit all the same.
atexit.register(gc.freeze)

namespace = Collection(
    plan,
    cost,
    diagram,
    docs,
    bootstrap,
    deploy,
    deploy_all,
    preview,
    destroy,
    destroy_all,
    outputs,
    status,
    cancel,
    verify,
    dns,
    drift,
)
