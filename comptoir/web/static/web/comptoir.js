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

/* Pickers (web/_picker.html, comptoir/web/pickers.py): a text box with role="combobox" beside a hidden
   input holding the chosen id. Typing asks the server for the top matches (JSON) and lists them; ArrowDown
   and ArrowUp move in the list, Enter chooses, Escape closes (a second Escape clears nothing); the mouse
   works too. Listeners sit on the document, so rows added by htmx work without setting up. Typing clears
   the hidden id: what is posted is then the text, which the server resolves (as without JavaScript). */
(function () {
  "use strict";
  var counter = 0;
  var DELAY = 120;

  function partsOf(input) {
    var box = input.closest("[data-picker]");
    if (!box) return null;
    var list = box.querySelector("[role=listbox]");
    if (!list.id) {
      counter += 1;
      list.id = "picker-list-" + counter + "-" + Math.random().toString(36).slice(2, 8);
    }
    input.setAttribute("aria-controls", list.id);
    return { box: box, list: list, hidden: box.querySelector("[data-picker-value]"), input: input };
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function close(p) {
    p.list.hidden = true;
    p.list.textContent = "";
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }

  function activeIndex(p) {
    var id = p.input.getAttribute("aria-activedescendant");
    return options(p).findIndex(function (o) { return o.id === id; });
  }

  function activate(p, index) {
    var all = options(p);
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    p.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function choose(p, option) {
    p.hidden.value = option.dataset.value;
    p.input.value = option.dataset.label;
    close(p);
    // The line editor recomputes its totals on "change" from its form.
    p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function show(p, results) {
    p.list.textContent = "";
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = p.list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.value = r.id;
      li.dataset.label = r.label;
      li.textContent = r.label;
      if (r.detail) {
        var detail = document.createElement("span");
        detail.className = "picker-detail";
        detail.textContent = r.detail;
        li.appendChild(detail);
      }
      p.list.appendChild(li);
    });
    if (!results.length) {
      var empty = document.createElement("li");
      empty.className = "picker-empty";
      empty.textContent = p.box.dataset.pickerEmpty || "";
      p.list.appendChild(empty);
    }
    p.list.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
    p.input.removeAttribute("aria-activedescendant");
  }

  function ask(p, then) {
    var asked = p.input.value;
    p.box.dataset.asked = asked;
    var url = p.box.dataset.picker + "?q=" + encodeURIComponent(asked);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        // An answer to an older text is dropped: only the last one typed is shown.
        if (p.box.dataset.asked !== asked || document.activeElement !== p.input) return;
        show(p, data.results || []);
        if (then) then();
      })
      .catch(function () { /* offline or server error: the text box still posts what was typed */ });
  }

  var timers = new WeakMap();
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    var p = partsOf(input);
    if (!p) return;
    p.hidden.value = "";
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { ask(p); }, DELAY));
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    var p = partsOf(input);
    if (!p) return;
    var open = !p.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var down = event.key === "ArrowDown";
      if (!open) {
        ask(p, function () { activate(p, down ? 0 : -1); });
      } else {
        var index = activeIndex(p);
        activate(p, index < 0 ? (down ? 0 : -1) : index + (down ? 1 : -1));
      }
    } else if (event.key === "Enter" && open) {
      var all = options(p);
      var current = activeIndex(p);
      // Enter on an open list chooses the highlighted match, or the only one; never submits the form.
      event.preventDefault();
      if (current >= 0) choose(p, all[current]);
      else if (all.length === 1) choose(p, all[0]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      close(p);
    } else if (event.key === "Tab" && open) {
      close(p);
    }
  });

  // mousedown rather than click: the text box keeps the focus, so the list is still there to click.
  document.addEventListener("mousedown", function (event) {
    var option = event.target instanceof Element ? event.target.closest("[data-picker] [role=option]") : null;
    if (!option) return;
    event.preventDefault();
    var input = option.closest("[data-picker]").querySelector("[data-picker-input]");
    choose(partsOf(input), option);
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    var p = partsOf(input);
    if (p && !p.box.contains(event.relatedTarget)) close(p);
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

/* Scrollable boxes reachable by keyboard (WCAG 2.1.1): a wide table or chart scrolls inside its box
   (.table-wrap, .chart-scroll, and on small screens every .card) instead of widening the page. When the box
   holds nothing focusable, a keyboard user could not scroll it: it then takes the focus (tabindex="0") as a
   region named after its table's caption, its chart's title or its heading. Whether a box scrolls depends
   on the screen's width, so this is checked again when the window is resized and after htmx swaps; a box
   that no longer scrolls gives the focus back. */
(function () {
  "use strict";
  var BOXES = ".table-wrap, .card, .chart-scroll";
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([data-scroll-region])";
  var pending = false;

  function nameOf(box) {
    var caption = box.querySelector("caption, svg title");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var holder = box.closest("section, .card") || box;
    var heading = box.querySelector("h2, h3") || holder.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : "";
  }

  function scrolls(box) {
    if (box.scrollWidth <= box.clientWidth + 1) return false;
    var overflow = window.getComputedStyle(box).overflowX;
    return overflow === "auto" || overflow === "scroll";
  }

  function release(box) {
    box.removeAttribute("tabindex");
    if (box.dataset.scrollRegion === "role") box.removeAttribute("role");
    if (box.dataset.scrollLabel !== undefined) box.removeAttribute("aria-label");
    delete box.dataset.scrollRegion;
    delete box.dataset.scrollLabel;
  }

  function update() {
    pending = false;
    document.querySelectorAll(BOXES).forEach(function (box) {
      var marked = box.dataset.scrollRegion !== undefined;
      if (scrolls(box) && !box.querySelector(FOCUSABLE)) {
        if (marked || box.hasAttribute("tabindex")) return;
        box.setAttribute("tabindex", "0");
        box.dataset.scrollRegion = "";
        var named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
        var name = named ? "" : nameOf(box);
        if (name) {
          box.setAttribute("aria-label", name);
          box.dataset.scrollLabel = "";
        }
        if ((named || name) && !box.hasAttribute("role") && box.tagName !== "SECTION") {
          box.setAttribute("role", "region");
          box.dataset.scrollRegion = "role";
        }
      } else if (marked) {
        release(box);
      }
    });
  }

  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(update);
  }

  update();
  // A chart of months that scrolls (a phone) opens on its latest months, the ones read first.
  document.querySelectorAll(".chart-scroll").forEach(function (box) { box.scrollLeft = box.scrollWidth; });
  window.addEventListener("load", schedule);
  window.addEventListener("resize", schedule);
  document.addEventListener("htmx:afterSettle", schedule);
})();
