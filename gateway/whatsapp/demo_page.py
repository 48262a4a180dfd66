"""The demo web chat (development only): looks and behaves like WhatsApp, posts to the dev endpoint."""

DEMO_CHAT_HTML = """<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parlo · chat de prueba</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #efeae2; height: 100vh; display: flex; flex-direction: column; }
  header { background: #075e54; color: #fff; padding: 12px 16px; display: flex; gap: 12px; align-items: center; }
  header h1 { font-size: 17px; margin: 0; flex: 1; }
  header input { width: 11em; border: 0; border-radius: 6px; padding: 6px; font-size: 14px; }
  #log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 6px; }
  .msg { max-width: 82%; padding: 8px 10px; border-radius: 8px; white-space: pre-wrap; word-wrap: break-word; line-height: 1.35; box-shadow: 0 1px 1px rgba(0,0,0,.1); font-size: 15px; }
  .me { align-self: flex-end; background: #d9fdd3; }
  .them { align-self: flex-start; background: #fff; }
  .meta { font-size: 11px; color: #667781; margin-top: 3px; text-align: right; }
  .note { align-self: center; background: #fff3c4; font-size: 12px; padding: 4px 10px; border-radius: 6px; }
  form { display: flex; gap: 8px; padding: 8px; background: #f0f2f5; }
  form input { flex: 1; border: 0; border-radius: 20px; padding: 10px 14px; font-size: 16px; }
  form button { border: 0; border-radius: 20px; background: #00a884; color: #fff; padding: 0 18px; font-size: 16px; }
  form button:disabled { opacity: .5; }
</style>
</head>
<body>
<header>
  <h1 id="title">Parlo</h1>
  <label>Tu número <input id="phone" value="+5215599998888" inputmode="tel" autocomplete="off"></label>
</header>
<div id="log" aria-live="polite"></div>
<form id="form">
  <input id="text" placeholder="Escribe un mensaje" autocomplete="off" maxlength="4000" required>
  <button id="send">Enviar</button>
</form>
<script>
const CONFIG = __CONFIG__;
const log = document.getElementById("log");
const phone = document.getElementById("phone");
const text = document.getElementById("text");
const send = document.getElementById("send");
document.getElementById("title").textContent = CONFIG.name + " · " + CONFIG.to;
let after = 0;

function add(kind, body, meta) {
  const div = document.createElement("div");
  div.className = "msg " + kind;
  div.textContent = body;  // textContent: never HTML
  if (meta) { const m = document.createElement("div"); m.className = "meta"; m.textContent = meta; div.appendChild(m); }
  log.appendChild(div);
  log.scrollTop = log.scrollHeight;
}
function note(body) { const d = document.createElement("div"); d.className = "note"; d.textContent = body; log.appendChild(d); }
function hhmm() { return new Date().toLocaleTimeString("es-MX", {hour: "numeric", minute: "2-digit"}); }

async function poll() {
  try {
    const r = await fetch("/api/v1/dev/whatsapp/outbox?phone=" + encodeURIComponent(phone.value.trim()) + "&after=" + after);
    if (r.ok) {
      const data = await r.json();
      for (const m of data.messages) {
        after = Math.max(after, m.seq);
        add("them", (m.template ? "[plantilla " + m.template + "] " : "") + m.body, hhmm());
      }
    }
  } catch (e) { /* server restarting: try again */ }
}
setInterval(poll, 1200);
phone.addEventListener("change", () => { after = 0; log.textContent = ""; poll(); });

document.getElementById("form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = text.value.trim();
  if (!body) return;
  add("me", body, hhmm());
  text.value = "";
  send.disabled = true;
  try {
    const r = await fetch("/api/v1/dev/whatsapp/messages", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({phone: phone.value.trim(), text: body, to: CONFIG.to, wait: true}),
    });
    if (!r.ok) note("No se pudo enviar (" + r.status + ")");
  } catch (e) { note("Sin conexión con el servidor"); }
  send.disabled = false;
  text.focus();
  poll();
});
note("Chat de prueba: los mensajes entran por el mismo camino que los de WhatsApp.");
poll();
</script>
</body>
</html>
"""
