"""Events for the outside world (the webhook outbox replaces the placeholder at merge)."""
