// The booking form, live: the TEU total of the lines, the cut-off that applies to the chosen
// origin station, and the departure's free TEU, refreshed every 30 seconds. Every figure comes
// from the server (data attributes, availability.json); nothing here computes a rule.
(function () {
  "use strict";
  const form = document.getElementById("booking-form");
  if (!form) return;
  const cutoffs = JSON.parse(form.dataset.cutoffs || "{}");
  const departure = document.getElementById("departure_id");
  const station = document.getElementById("origin_station");
  const cutoffNote = document.getElementById("cutoff-note");
  const teuNote = document.getElementById("teu-total");
  const freeNote = document.getElementById("free-note");

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

  function showFree(free) {
    if (!freeNote || !departure) return;
    const option = departure.options[departure.selectedIndex];
    if (free !== undefined && option) option.dataset.free = free;
    freeNote.textContent = option && option.value
      ? fill(freeNote.dataset.label, "free", option.dataset.free) : "";
  }

  function refreshAvailability() {
    if (!departure || !form.dataset.availability) return;
    fetch(form.dataset.availability, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (rows) {
        rows.forEach(function (row) {
          const option = departure.querySelector('option[value="' + row.id + '"]');
          if (option) option.dataset.free = row.free_teu;
        });
        showFree();
      })
      .catch(function () { /* offline: keep the figures we have */ });
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

  // The price of the form as filled, from the server (it holds every tariff and rule), a
  // moment after the shipper stops typing; the newest answer wins.
  const quote = document.getElementById("quote");
  let quoteTimer = null;
  let quoteAsked = 0;
  function refreshQuote() {
    if (!quote || !quote.dataset.url) return;
    const asked = ++quoteAsked;
    fetch(quote.dataset.url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && asked === quoteAsked) quote.innerHTML = html; })
      .catch(function () { /* offline: keep the price shown */ });
  }
  function askQuote() {
    clearTimeout(quoteTimer);
    quoteTimer = setTimeout(refreshQuote, 400);
  }
  form.addEventListener("input", askQuote);
  form.addEventListener("change", askQuote);

  form.addEventListener("input", showTotal);
  form.addEventListener("change", function () {
    showTotal(); showCutoff(); showFree(); showDangerousGoods(); showDestinations();
  });
  showTotal(); showCutoff(); showFree(); showDangerousGoods(); showDestinations();
  setInterval(refreshAvailability, 30000);
})();
