"""Command line of the payments platform: `invoke --list` shows every task.

Each group of tasks lives in an `ops.cli` module; this file only assembles them.
"""

from invoke.collection import Collection

from ops.cli.bootstrap import bootstrap
from ops.cli.cost import cost
from ops.cli.dns import dns
from ops.cli.drift import drift
from ops.cli.offline import diagram, docs, plan
from ops.cli.stacks import cancel, deploy, deploy_all, destroy, destroy_all, outputs, preview, status
from ops.cli.verify import verify

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
