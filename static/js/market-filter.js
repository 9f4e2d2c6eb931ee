/* A search box over a long list of tick boxes (the enterprise form's target markets, issue 15).
 *
 * Progressive: without JavaScript the list is a scrolling list of tick boxes and works as is.
 * With it, a search box above the list hides the boxes whose label does not contain what is
 * typed (case and accents ignored; the country code matches too), and a line says which are
 * ticked. No inline script or style: the page's CSP allows this file only.
 */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUp(picker) {
    const fieldset = picker.querySelector("fieldset");
    const list = fieldset && fieldset.querySelector("legend + div");
    if (!list || picker.dataset.ready) return;
    picker.dataset.ready = "1";
    const options = Array.from(list.querySelectorAll(".form-check")).map((item) => {
      const input = item.querySelector("input");
      const label = item.querySelector("label");
      return { item, input, text: fold(label.textContent + " " + input.value), name: label.textContent.trim() };
    });

    const search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm mb-2 market-search";
    search.placeholder = picker.dataset.searchPlaceholder || "";
    search.setAttribute("aria-label", picker.dataset.searchLabel || search.placeholder);
    search.setAttribute("aria-controls", list.id || "");
    const chosen = document.createElement("p");
    chosen.className = "small text-body-secondary mb-1 market-chosen";
    chosen.setAttribute("aria-live", "polite");
    const none = document.createElement("p");
    none.className = "small text-body-secondary mb-0 market-none";
    none.textContent = picker.dataset.noMatch || "";
    none.hidden = true;
    fieldset.insertBefore(search, list);
    fieldset.insertBefore(chosen, list);
    list.after(none);

    function showChosen() {
      const names = options.filter((o) => o.input.checked).map((o) => o.name);
      const prefix = picker.dataset.chosenLabel || "";
      chosen.textContent = names.length ? prefix + " " + names.join(", ") : picker.dataset.noneChosen || "";
    }

    function filter() {
      const wanted = fold(search.value);
      let shown = 0;
      for (const option of options) {
        const match = !wanted || option.text.includes(wanted);
        option.item.hidden = !match;
        if (match) shown += 1;
      }
      none.hidden = shown > 0;
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // Enter in the search box never submits
    });
    list.addEventListener("change", showChosen);
    showChosen();
  }

  function init() {
    document.querySelectorAll(".market-picker").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
