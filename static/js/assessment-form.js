/* The assessment form's enhancements (issue 15). Without JavaScript the form works as is.
 *
 * - Leaving the page with changes not saved asks first (beforeunload); saving, submitting,
 *   attaching or removing a file posts the form and does not ask.
 * - A submission is sent once: the buttons are disabled as it leaves (the pressed button's
 *   name and value are kept in a hidden field, since a disabled button is not sent).
 * - "3 of 5 indicators filled" follows what is typed.
 * - The environmental impact score is typed or computed with the checklist: only the chosen
 *   way is shown.
 * No inline script or style: the page's CSP allows this file only.
 */
(function () {
  "use strict";

  const ENV = "environmental_impact_score";

  function setUp(form) {
    let dirty = false;
    let sending = false;
    const owned = () => Array.from(form.elements);

    function markDirty(event) {
      if (event.target && event.target.name && event.target.name !== "csrfmiddlewaretoken") {
        dirty = true;
      }
      update();
    }
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    // Fields outside the <form> element that belong to it (form="assessment-form").
    document.querySelectorAll('[form="' + form.id + '"]').forEach((field) => {
      field.addEventListener("input", markDirty);
      field.addEventListener("change", markDirty);
    });

    window.addEventListener("beforeunload", (event) => {
      if (dirty && !sending) {
        event.preventDefault();
        event.returnValue = form.dataset.unsavedWarning || "";
        return event.returnValue;
      }
      return undefined;
    });

    form.addEventListener("submit", (event) => {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      const submitter = event.submitter;
      if (submitter && submitter.name) {
        const kept = document.createElement("input");
        kept.type = "hidden";
        kept.name = submitter.name;
        kept.value = submitter.value;
        form.appendChild(kept);
      }
      owned().concat(Array.from(document.querySelectorAll('button[form="' + form.id + '"]')))
        .filter((el) => el.tagName === "BUTTON" && el.type === "submit")
        .forEach((button) => {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
    });

    const progress = document.getElementById("form-progress");
    const bar = progress && progress.querySelector("progress");
    const text = document.getElementById("form-progress-text");
    const radios = owned().filter((el) => el.name === "env_mode");
    const typed = document.getElementById("env-typed");
    const checklist = [document.getElementById("env-checklist"), document.getElementById("checklist-live")];

    function value(name) {
      const field = form.elements.namedItem(name);
      if (!field) return "";
      if (field.type === "checkbox") return field.checked ? "on" : "";
      return (field.value || "").trim();
    }

    function mode() {
      const chosen = radios.find((radio) => radio.checked);
      return chosen ? chosen.value : "typed";
    }

    function update() {
      const byChecklist = mode() === "checklist";
      if (typed) typed.hidden = byChecklist;
      checklist.forEach((part) => { if (part) part.hidden = !byChecklist; });
      if (!progress) return;
      const total = Number(progress.dataset.total);
      let filled = 0;
      const codes = owned()
        .filter((el) => el.name && el.name.startsWith("na_"))
        .map((el) => el.name.slice(3));
      codes.forEach((code) => {
        if (code === ENV && byChecklist) {
          const shares = ["green_packaging_pct", "low_carbon_shipping_pct", "renewable_electricity_pct"];
          if (shares.every((key) => value("checklist_" + key) !== "")) filled += 1;
        } else if (value("na_" + code) || value(code) !== "") {
          filled += 1;
        }
      });
      if (bar) bar.value = filled;
      if (text) {
        text.textContent = progress.dataset.format
          .replace("%(filled)s", String(filled))
          .replace("%(total)s", String(total));
      }
    }
    update();
  }

  function start() {
    const form = document.getElementById("assessment-form");
    if (form && !form.dataset.ready) {
      form.dataset.ready = "1";
      setUp(form);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
