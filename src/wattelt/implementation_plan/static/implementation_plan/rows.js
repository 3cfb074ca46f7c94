// Enhancement only: an "Add a row" button under each formset table. Without JavaScript
// the formset offers two empty rows on every save.
(function () {
  "use strict";
  document.querySelectorAll("table[data-rows]").forEach(function (table) {
    var form = table.closest("form");
    var template = form.querySelector("template[data-row-template]");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var body = table.querySelector("[data-rows-body]");
    if (!template || !total || !body) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "utrecht-button utrecht-button--secondary-action";
    button.textContent = table.dataset.addLabel || "+";
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    });
    var hint = form.querySelector(".hint");
    (hint || table).insertAdjacentElement(hint ? "beforebegin" : "afterend", button);
    if (hint) hint.hidden = true;
  });
})();
