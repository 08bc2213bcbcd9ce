"""The edge layer: Route53 zone, ACM certificate, HTTPS load balancer, target group."""
