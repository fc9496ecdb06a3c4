// Pasting a yard sheet's numbers fills the container rows at once; without this script the
// "Fill the rows" button does the same on the server.
(function () {
  "use strict";
  const pasted = document.getElementById("numbers");
  if (!pasted) return;
  pasted.addEventListener("input", function () {
    // As the server's "Fill the rows" reads a yard sheet (services/containers.py,
    // number_from_line): the number, spaced or not, before any other column.
    const numbers = pasted.value.split(/\r?\n/).map(function (line) {
      return line.trim().split(/\t|,|;|\s{2,}/)[0].replace(/\s+/g, "").toUpperCase();
    }).filter(Boolean);
    numbers.forEach(function (number, index) {
      const field = document.getElementById("containers." + index + ".number");
      if (field) field.value = number;
    });
  });
})();

// The running weighed total, Σ (VGM − tare), beside the declared gross while rows are typed:
// as the page computes it on the server (web/station.py, _typed_weighed_kg) and as the
// confirmation checks it. Method 2 rows count cargo plus packing.
(function () {
  "use strict";
  const form = document.getElementById("check-form");
  const total = document.getElementById("weighed-total");
  const masses = document.getElementById("masses");
  if (!form || !total || !masses) return;
  const declared = Number(masses.dataset.declared);
  const tolerance = Number(masses.dataset.tolerance);
  function whole(name) {
    const field = form.elements[name];
    const value = field ? field.value.trim() : "";
    return /^[0-9]+$/.test(value) ? Number(value) : null;
  }
  function update() {
    let sum = 0;
    for (let index = 0; form.elements["containers." + index + ".size_type"]; index += 1) {
      const p = "containers." + index + ".";
      const method = form.elements[p + "vgm_method"];
      if (method && method.value === "METHOD_2") {
        sum += (whole(p + "cargo_kg") || 0) + (whole(p + "packing_kg") || 0);
      } else if (whole(p + "vgm_kg") !== null && whole(p + "tare_kg") !== null) {
        sum += whole(p + "vgm_kg") - whole(p + "tare_kg");
      }
    }
    total.value = sum.toLocaleString("en-US");
    const apart = declared > 0 && Math.abs(sum - declared) * 100 > tolerance * declared;
    total.classList.toggle("apart", apart);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
