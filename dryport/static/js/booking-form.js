// The booking form, live: the TEU total of the lines, the cut-off that applies to the chosen
// origin station, and the room on the departure for that station (its quota and the open
// pool), refreshed as the form changes and every 30 seconds. Every figure comes from the
// server (data attributes, the /bookings/room and /bookings/quote fragments); nothing here
// computes a rule.
(function () {
  "use strict";
  const form = document.getElementById("booking-form");
  if (!form) return;
  const cutoffs = JSON.parse(form.dataset.cutoffs || "{}");
  const departure = document.getElementById("departure_id");
  const station = document.getElementById("origin_station");
  const cutoffNote = document.getElementById("cutoff-note");
  const teuNote = document.getElementById("teu-total");

  function fill(template, name, value) {
    return template.replace("%(" + name + ")s", value);
  }

  function showTotal() {
    let total = 0;
    form.querySelectorAll(".line").forEach(function (line) {
      const size = line.querySelector("[data-line=size]");
      const qty = parseInt(line.querySelector("[data-line=qty]").value, 10);
      const option = size.options[size.selectedIndex];
      if (option && option.dataset.teu && qty > 0) total += parseFloat(option.dataset.teu) * qty;
    });
    teuNote.textContent = total ? fill(teuNote.dataset.label, "teu", String(total)) : "";
  }

  function showCutoff() {
    if (!departure || !station || !cutoffNote) return;
    const times = cutoffs[departure.value] || {};
    const entry = times[station.value];
    if (!entry) { cutoffNote.textContent = ""; return; }
    cutoffNote.textContent = entry.passed ? cutoffNote.dataset.late
      : fill(cutoffNote.dataset.label, "time", entry.at);
    cutoffNote.classList.toggle("late", entry.passed);
  }

  // The dangerous-goods inputs show only on "yes"; without this script they are always shown.
  const dgFields = document.getElementById("dg-fields");
  function showDangerousGoods() {
    const yes = form.querySelector("[data-dg-answer][value=true]");
    if (dgFields && yes) dgFields.hidden = !yes.checked;
  }

  // The destinations of the chosen departure's route only (the server checks it anyway).
  const destination = document.getElementById("destination");
  function showDestinations() {
    if (!departure || !destination) return;
    const option = departure.options[departure.selectedIndex];
    const route = option && option.dataset.route;
    destination.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = Boolean(route) && group.label !== route;
    });
  }

  // Parts of the page the server renders from the form as filled (it holds every tariff,
  // quota and rule): the price and the room, a moment after the shipper stops typing; the
  // newest answer wins.
  function fragment(id) {
    const box = document.getElementById(id);
    let asked = 0;
    return function refresh() {
      if (!box || !box.dataset.url) return;
      const mine = ++asked;
      fetch(box.dataset.url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null && mine === asked) box.innerHTML = html; })
        .catch(function () { /* offline: keep what is shown */ });
    };
  }
  const refreshQuote = fragment("quote");
  const refreshRoom = fragment("room");
  let timer = null;
  function askServer() {
    clearTimeout(timer);
    timer = setTimeout(function () { refreshQuote(); refreshRoom(); }, 400);
  }
  form.addEventListener("input", askServer);
  form.addEventListener("change", askServer);

  form.addEventListener("input", showTotal);
  form.addEventListener("change", function () {
    showTotal(); showCutoff(); showDangerousGoods(); showDestinations();
  });
  showTotal(); showCutoff(); showDangerousGoods(); showDestinations();
  setInterval(refreshRoom, 30000);
})();
