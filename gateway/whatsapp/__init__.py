"""WhatsApp (Twilio) channel: webhook, routing, inbound processing, outbound dispatch, notifications."""
