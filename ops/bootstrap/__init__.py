"""What a team needs before its first deploy: a shared state backend, and the right account."""
