// The booking form's address book pickers: choosing an entry fills the party's name and
// address at once, so the "Fill in" buttons (which send the form back filled in by the
// server, for a browser without script) are not needed and are hidden.
(function () {
  "use strict";
  document.querySelectorAll("select[data-pick]").forEach(function (select) {
    const party = select.dataset.pick;
    const button = select.closest(".picker").querySelector("[data-fill]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      const option = select.options[select.selectedIndex];
      if (!option || !option.value) return;
      [["name", option.dataset.name], ["address", option.dataset.address]].forEach(function (pair) {
        const input = document.getElementById(party + "." + pair[0]);
        if (!input) return;
        input.value = pair[1];
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  });
})();
