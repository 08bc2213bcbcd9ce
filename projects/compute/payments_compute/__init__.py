"""The compute layer: ECS Fargate service, autoscaling, IAM roles, container logs."""
