/* Parlo web: CSRF for htmx and fetch, the magic-link exchange, and the EventCalendar views.
   Everything shown from data is set with textContent (never as HTML). */
(function () {
  "use strict";
  var csrf = document.body ? document.body.getAttribute("data-csrf") || "" : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return {status: r.status, data: data}; });
    });
  }

  // ---- magic link: the token arrives in the fragment (#token=) or, older links, the query (?token=).
  function magicLogin() {
    var box = document.querySelector("[data-magic-login]");
    if (!box) { return; }
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var query = new URLSearchParams(window.location.search);
    var token = (fragment.get("token") || query.get("token") || "").trim();
    if (!token) { return; }
    try { window.history.replaceState(null, "", window.location.pathname); } catch (e) { /* sin historial */ }
    var status = document.getElementById("exchange-status");
    status.hidden = false;
    status.textContent = "Verificando tu enlace…";
    post("/app/session", {token: token}).then(function (answer) {
      if (answer.status === 200) {
        status.textContent = "Sesión iniciada. Entrando…";
        window.location.assign(answer.data.next || "/app/");
      } else {
        status.classList.add("flash", "error");
        status.textContent = (answer.data.detail || "Este enlace ya se usó, venció o no es válido.") +
          " Pide un enlace nuevo abajo.";
      }
    }).catch(function () {
      status.classList.add("flash", "error");
      status.textContent = "No pudimos conectar con Parlo. Revisa tu conexión e intenta de nuevo.";
    });
  }

  var DAYS = ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function wallClock(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // ---- the calendar (EventCalendar resource views); a drop asks the server, which may refuse.
  function calendars() {
    var el = document.querySelector("[data-calendar]");
    var optionsEl = document.querySelector("[data-calendar-options]");
    if (!el || !optionsEl || !window.EventCalendar) { return; }
    var given = JSON.parse(optionsEl.textContent);
    var verdict = document.querySelector("[data-calendar-verdict]");
    var narrow = window.matchMedia("(max-width: 700px)").matches;
    window.parloCalendar = EventCalendar.create(el, {
      view: given.view,
      date: given.date,
      resources: given.resources,
      events: given.events,
      // en-US gives the product's "3:00 PM" for times; day names are Spanish (dayHeaderFormat below).
      locale: "en-US",
      firstDay: 1,
      allDaySlot: false,
      headerToolbar: {start: "", center: "", end: ""},
      slotMinTime: "08:00",
      slotMaxTime: "21:00",
      slotDuration: "00:30",
      scrollTime: given.scrollTime || "09:00",
      height: narrow ? "560px" : "720px",
      editable: !!given.editable,
      eventStartEditable: !!given.editable,
      eventDurationEditable: false,
      eventTimeFormat: {hour: "numeric", minute: "2-digit", hour12: true},
      slotLabelFormat: {hour: "numeric", minute: "2-digit", hour12: true},
      dayHeaderFormat: function (d) { return DAYS[d.getDay()] + " " + d.getDate(); },
      eventClick: function (info) {
        var url = info.event.extendedProps && info.event.extendedProps.url;
        if (url) { window.location.assign(url); }
      },
      eventDrop: function (info) {
        var resource = info.newResource || null;
        var body = {start: wallClock(info.event.start)};
        if (resource) { body.staff_id = String(resource.id); }
        verdict.classList.remove("error");
        verdict.textContent = "Moviendo…";
        post("/app/appointments/" + encodeURIComponent(info.event.id) + "/move", body).then(function (answer) {
          if (!answer.data.ok) { info.revert(); verdict.classList.add("error"); }
          verdict.textContent = answer.data.detail || (answer.data.ok ? "Listo." : "No se pudo mover la cita.");
        }).catch(function () {
          info.revert();
          verdict.classList.add("error");
          verdict.textContent = "No pudimos conectar con Parlo; la cita no se movió.";
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { magicLogin(); calendars(); });
})();
