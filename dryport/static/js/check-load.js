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
