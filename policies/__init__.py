"""Policies: reactions to events (notifications, jobs), kept out of the projections.

A projection turns events into read-model rows and may be replayed at will (``parlo projections
rebuild``). A policy *acts* on events: its handlers receive an event and return the commands to
execute (``QueueOutboundMessage`` with a deterministic id) and the jobs to enqueue
(``DispatchOutbound``). It has its own tracking position (``policy_positions``, never touched by a
rebuild), so it processes each event once and a rebuild can never send a message.

Layer: policies may import ``aggregates`` (the event classes), ``commands`` and ``readmodels``;
never ``gateway``, ``agent``, ``infra`` or ``projections`` (import-linter contract "Policies act
only through commands and jobs"). What a policy needs from the outer layers (the WhatsApp
notifier that writes the Spanish texts) is injected by the composition root (infra/whatsapp.py).
"""
