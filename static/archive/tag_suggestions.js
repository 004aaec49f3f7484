// Tag suggestions on the article's change page (archive/tagging_admin.py). Without this
// script, "Add" posts the small form and the server adds the tag at once. With it, a form the
// editor has already changed keeps its edits: the tag goes into the tags field instead, to be
// saved with them. An unchanged form still takes the server's path (one click, saved).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("article_form");
  const select = document.getElementById("id_tags");
  if (!form || !select) return;
  const state = () => new URLSearchParams(new FormData(form)).toString();
  const opened = state();
  for (const button of document.querySelectorAll(".tag-suggestion-add")) {
    button.addEventListener("click", (event) => {
      if (state() === opened) return; // nothing unsaved: the server adds it
      event.preventDefault();
      const id = button.value;
      let option = Array.from(select.options).find((o) => o.value === id);
      if (!option) {
        option = new Option(button.dataset.label, id, true, true);
        select.add(option);
      }
      option.selected = true;
      if (window.django && window.django.jQuery) window.django.jQuery(select).trigger("change");
      else select.dispatchEvent(new Event("change", { bubbles: true }));
      button.closest(".tag-suggestion").classList.add("added");
      button.disabled = true;
      const note = document.querySelector(".tag-suggestion-added-note");
      if (note) note.hidden = false;
    });
  }
});
