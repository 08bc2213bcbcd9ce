"""Names shared by the data tests."""

INSTANCE = "aws:rds/instance:Instance"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROD_SECRET = "payments/prod/db-master"
DEV_SECRET = "payments/dev/db-master"
