/*
 * What the pages need beyond Bootstrap and htmx, kept out of the templates: the
 * Content-Security-Policy (burden/security_headers.py) forbids inline scripts, event
 * handler attributes and style="" attributes, while a script of ours may still set
 * an element's style through the CSSOM.
 *
 *   data-progress="42"        a progress bar's width, in per cent
 *   data-indent="2"           a row's indentation, in em (a unit's depth in the tree)
 *   <form data-confirm="…">   asks before it is sent
 *   <button data-print>       prints the page (a case's letter)
 *   <input data-select-all="case">  ticks or unticks every check box named "case" in its form
 *
 * Content that htmx swaps in (a job's progress) gets the same treatment.
 */
(function () {
  "use strict";

  function applySizes(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = Number(bar.dataset.progress) + "%";
    });
    root.querySelectorAll("[data-indent]").forEach(function (element) {
      element.style.paddingLeft = Number(element.dataset.indent) + "em";
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:load", function (event) {
    applySizes(event.detail.elt);
  });
  applySizes(document);
})();

(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();

(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var all = event.target.closest("input[data-select-all]");
    if (!all || !all.form) {
      return;
    }
    all.form.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      if (box.name === all.dataset.selectAll && !box.disabled) {
        box.checked = all.checked;
      }
    });
  });
})();
