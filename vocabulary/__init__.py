"""The shared vocabulary: rules every layer states the same way (issue #9).

One small package below everything: aggregates, commands, projections, read models, the gateway
and the agent may all import it; it imports none of them. No state, no I/O, no clock.

Submodules and what they may import (enforced by import-linter, see pyproject.toml):

* ``vocabulary.weekdays``  — weekday keys and Spanish day/month names (standard library only).
* ``vocabulary.statuses``  — appointment and organization statuses and their transitions.
* ``vocabulary.settings``  — the business settings, their defaults and allowed ranges.
* ``vocabulary.hours``     — "HH:MM" parsing, weekly opening hours → UTC intervals, overlaps,
  "naive datetime means UTC", epoch seconds, ``spread``.
* ``vocabulary.spanish``   — Spanish date/time/price/duration text and the business-hours listing.
* ``vocabulary.phones``    — Mexican phone display, the ONE submodule with an outside dependency
  (``phonenumbers``).

Decision on "standard library only" vs "phones via phonenumbers": the package is standard library
only except ``vocabulary.phones``. This ``__init__`` imports nothing, so importing any other
submodule never pulls ``phonenumbers`` in. Aggregates import only the standard-library
submodules; the "Aggregates import no other layer" contract forbids ``phonenumbers`` (directly or
indirectly) and the "Vocabulary is standard library only" contract forbids every non-phone
submodule from importing it. Errors are plain ``ValueError`` subclasses with a Spanish message,
so each layer wraps them in its own error type (``InvalidInput``, ``AvailabilityError``).
"""
