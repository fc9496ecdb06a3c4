// A refused form: the focus goes to the first field marked invalid, so a keyboard or
// screen-reader user lands on what to correct (the error summary says so too).
(function () {
  var first = document.querySelector('[aria-invalid="true"]');
  if (first) {
    first.focus();
  }
})();
