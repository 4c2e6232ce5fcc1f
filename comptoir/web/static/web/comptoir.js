/* Comptoir's few behaviours, as listeners rather than inline handlers, so the Content-Security-Policy
   can forbid inline script (settings.CONTENT_SECURITY_POLICY):
   - <form data-confirm="Question ?">: asks before submitting;
   - <button data-remove-row>: removes its table row (an editor's line); with data-remove-row="change",
     the form is then told it changed, so htmx recomputes the totals. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-remove-row]") : null;
    if (!button) return;
    var form = button.closest("form");
    var row = button.closest("tr");
    if (row) row.remove();
    if (button.dataset.removeRow === "change" && form && window.htmx) window.htmx.trigger(form, "change");
  });
})();

/* The global search: "/" anywhere (outside a field) puts the cursor in the box; Escape closes its results. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    var target = event.target;
    var typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape" && target === box) {
      var results = document.getElementById("global-search-results");
      if (results) results.innerHTML = "";
      box.blur();
    }
  });
})();

/* <div data-dropzone> around a file input (Commandes reçues): files dropped on the zone go into the input,
   their names are shown in its [data-dropzone-names]; the form is then sent as any multipart form. */
(function () {
  "use strict";
  function zoneOf(event) {
    return event.target instanceof Element ? event.target.closest("[data-dropzone]") : null;
  }
  function showNames(zone, input) {
    var names = zone.querySelector("[data-dropzone-names]");
    if (!names) return;
    names.textContent = Array.prototype.map.call(input.files || [], function (file) { return file.name; }).join(", ");
  }
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = zoneOf(event);
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("is-over");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
  });
  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("is-over");
    var input = zone.querySelector("input[type=file]");
    if (input && event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showNames(zone, input);
    }
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var zone = input.closest("[data-dropzone]");
    if (zone) showNames(zone, input);
  });
})();
