"""What the WhatsApp channel itself says (natural Mexican Spanish). The agent writes its own replies."""

from __future__ import annotations

CENTRAL_WELCOME = (
    "¡Hola! Soy Parlo 👋 Muy pronto vas a poder registrar tu negocio directamente por este chat "
    "y tener tu asistente de citas por WhatsApp en minutos. Te avisamos en cuanto esté listo."
)
CENTRAL_ONE_BUSINESS = (
    "¡Hola, {name}! 👋 Muy pronto vas a poder administrar {business} desde este chat. "
    "Mientras tanto, puedes escribirle directo al WhatsApp del negocio ({number}) o usar el panel web."
)
CENTRAL_MANY_BUSINESSES = (
    "¡Hola, {name}! Estás registrado en varios negocios, así que para administrarlos "
    "escríbele directo al WhatsApp de cada uno:\n{lines}"
)
STAFF_PLACEHOLDER = (
    "¡Hola, {name}! 👋 Ya estás registrado en el equipo de {business}. "
    "El modo equipo por WhatsApp (ver tu agenda, bloquear horarios, agendar clientes) llega muy pronto. "
    "Mientras tanto, puedes revisar todo en el panel web."
)
AGENT_TROUBLE = "Perdón, tuve un problema para responderte 🙏 ¿Me lo repites en un momento, por favor?"
HANDOFF_NOTICE = (
    "🙋 Un cliente necesita ayuda en {business}.\n"
    "Cliente: {customer}\n"
    "Teléfono: {phone}\n"
    "Su mensaje: «{question}»\n"
    "Motivo: {reason}\n\n"
    "Escríbele directo; dejé de responderle automáticamente. Cuando termines, contesta aquí "
    "«listo {phone_digits}» y vuelvo a atenderlo."
)
HANDOFF_HOLDING = (
    "¡Gracias por escribir! 🙏 Ya le pasé tu mensaje al equipo de {business} y te van a responder "
    "por aquí en cuanto puedan."
)
HANDOFF_RELAY = "💬 {customer} ({phone}) escribió: «{text}»\nCuando termines, contesta aquí «listo {phone_digits}»."
RELAY_NO_TEXT = "(mandó una foto, audio o archivo sin texto)"
RELAY_REASON = "El cliente sigue escribiendo mientras lo atiendes."
MEDIA_ONLY = (
    "¡Gracias por tu mensaje! 🙌 Por ahora solo puedo leer texto, así que no pude ver ni escuchar lo que "
    "me mandaste. Escríbeme y con gusto te ayudo a agendar, cambiar o cancelar una cita, o a consultar "
    "precios y horarios."
)
HANDOFF_RESOLVED = "Listo ✅ Vuelvo a atender a {phone} automáticamente."
HANDOFF_NOTHING = "No tengo ninguna conversación pendiente con ese número."
HANDOFF_WHICH = "Tengo varias conversaciones pendientes; dime cuál con «listo» y el teléfono del cliente, por ejemplo «listo {example}»."
NOTIFY_NEW = "📅 Nueva cita: {customer} · {service} · {when}{staff}"
NOTIFY_MOVED = "🔄 Cita cambiada: {customer} · {service} · ahora el {when}{staff} (antes: {before})"
NOTIFY_CANCELLED = "❌ Cita cancelada: {customer} · {service} · {when}{staff}{reason}"
