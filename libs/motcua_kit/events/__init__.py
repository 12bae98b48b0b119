"""Domain events: a transactional outbox, signed webhook delivery, subscriptions, idempotent consumers.

- :mod:`.envelope`: the CloudEvents 1.0 JSON envelope.
- :mod:`.models`: table mixins a service combines with its own declarative base.
- :mod:`.outbox`: ``record_event`` writes an event and its deliveries in the caller's transaction.
- :mod:`.dispatcher`: delivers pending deliveries at least once, in order per subject, with backoff
  and a dead-letter state; several replicas share the work without delivering one event twice at once.
- :mod:`.subscriptions`: the admin API for subscriptions and dead letters.
- :mod:`.consumer`: receiving signed events from another service, once per event id.
"""
