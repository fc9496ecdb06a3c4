// Bulk upload: the file is sent with a progress bar, then the page says that the rows are
// being checked (or booked) until the answer comes; the answer replaces the page as a plain
// form post would. Without JavaScript the forms post as usual.
(function () {
  var status = document.querySelector('.import-status');
  if (!status || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var bar = status.querySelector('progress');
  var phase = status.querySelector('.import-phase');

  function show(text, percent) {
    status.hidden = false;
    phase.textContent = text;
    if (percent === null) {
      bar.removeAttribute('value');  // indeterminate: the server is working
    } else {
      bar.value = percent;
    }
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute('data-progress')) {
      return;
    }
    event.preventDefault();
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    var request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        show(status.dataset.sending.replace('{percent}', percent), percent);
      }
    });
    request.upload.addEventListener('load', function () {
      show(status.dataset.checking, null);
    });
    request.addEventListener('load', function () {
      // Booked: the answer is the list of bookings (with its message), shown at its address.
      var shown = request.responseURL || form.action;
      document.open();
      document.write(request.responseText);
      document.close();
      if (shown !== window.location.href) {
        window.history.replaceState(null, '', shown);
      }
    });
    request.addEventListener('error', function () {
      buttons.forEach(function (b) { b.disabled = false; });
      show(status.dataset.failed, 0);
    });
    show(status.dataset.sending.replace('{percent}', 0), 0);
    request.send(new FormData(form));
  });
})();
