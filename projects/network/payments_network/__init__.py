"""The network layer: VPC over two AZs, gateways, routes, flow logs, security groups."""
