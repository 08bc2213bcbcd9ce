"""Command line of the payments platform: `invoke --list` shows every task.

Each group of tasks lives in an `ops.tasks_*` module; this file only assembles them.
"""

from invoke.collection import Collection

from ops.tasks_cost import cost
from ops.tasks_offline import diagram, docs, plan
from ops.tasks_stacks import cancel, deploy, deploy_all, destroy, destroy_all, outputs, preview, status
from ops.tasks_verify import verify

namespace = Collection(
    plan, cost, diagram, docs, deploy, deploy_all, preview, destroy, destroy_all, outputs, status, cancel, verify
)
