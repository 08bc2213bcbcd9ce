"""Command line of the payments platform: `invoke --list` shows every task.

Each group of tasks lives in an `ops.tasks_*` module; this file only assembles them.
"""

from invoke.collection import Collection

from ops.tasks_offline import diagram, plan

namespace = Collection(plan, diagram)
