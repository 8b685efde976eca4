"""Webhooks: an outbox written with each change (events.py), URLs that never reach the
server's own network (urls.py), signatures (signing.py), and the worker that delivers
(delivery.py)."""
