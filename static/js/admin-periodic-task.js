/*
 * The admin's periodic task form (templates/admin/djcelery/change_periodictask_form.html):
 * under the crontab field, the chosen schedule in words, read from the JSON that
 * django-celery-beat puts on the page; its separate read-only "translation" row is hidden.
 */
(function () {
  "use strict";

  var source = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  if (!source || !select) {
    return;
  }
  var readable = JSON.parse(source.textContent);
  var translationRow = document.querySelector(".field-crontab_translation");
  if (translationRow) {
    translationRow.style.display = "none";
  }
  var help = document.querySelector(".field-crontab .help");
  if (!help) {
    return;
  }
  var words = document.createElement("div");
  words.className = "crontab-in-words";
  help.append(words);

  function show() {
    words.textContent = readable[select.value] || "";
  }

  select.addEventListener("change", show);
  show();
})();
