// Progressive enhancement only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen readers announce it and keyboard users start there.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }

  // "Select all / none" for lists of checkboxes (the import preview).
  document.querySelectorAll("[data-check-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const group = document.querySelectorAll(button.dataset.checkAll);
      const allChecked = Array.from(group).every((box) => box.checked);
      group.forEach((box) => { box.checked = !allChecked; });
    });
  });

  // Ask before destructive buttons (they still work without JavaScript).
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
});
