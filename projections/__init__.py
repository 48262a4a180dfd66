"""Projections: events -> read-model rows, exactly once (tracking position in the same transaction).

- ``projections.base``: the ``Projection`` base class and ``@handles`` (how to write one).
- ``projections.runner``: ``ProjectionRunner`` (batches, locking, ``wait_for``, ``rebuild``, ``status``).
- ``projections.registry``: ``all_projections()``, the list the container and the CLI run.
- One module per area: organizations, people (staff, customers), appointments (appointments,
  staff blocks), audit (appointment history), activity, conversations (gateway).
"""
