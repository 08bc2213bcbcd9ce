"""Public DNS checks: whether a domain's parent delegates it to the name servers of its zone."""
