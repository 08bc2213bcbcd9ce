"""The ports of the platform's traffic path: one definition for every layer."""

HTTP_PORT = 80
HTTPS_PORT = 443
APP_PORT = 3000  # the Node.js payment API inside its container
DB_PORT = 5432  # PostgreSQL
