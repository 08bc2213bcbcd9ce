"""The data layer: RDS PostgreSQL Multi-AZ, its KMS key and parameter group."""
