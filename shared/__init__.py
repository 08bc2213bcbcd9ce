"""What every layer of the payments platform shares.

- `layers`: the one layer graph (network -> data, edge -> compute) every task orders by.
- `settings`: loading stack config into one frozen, validated object; `ConfigError` for bad input.
- `guardrails`: the platform's fixed values both the settings and the policy pack enforce.
- `aws_catalog`: what exists per region (AZs, RDS instance classes), and its live confirmation.
- `naming`: `{type}-{service}-{purpose}-{env}` names checked against AWS length limits.
- `tags`: the tags every taggable resource carries.
- `provider`: the explicit AWS provider, region from config.
- `contracts`: each layer's exports, and how consumers read them through StackReference.
"""
