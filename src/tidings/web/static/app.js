// Progressive enhancement only: every page works without this file.
"use strict";

// Ask before a form marked data-confirm is sent (without script, such actions are plain posts).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// j / k move between entries, as in most feed readers.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key !== "j" && event.key !== "k") return;
  const entries = Array.from(document.querySelectorAll("article.entry"));
  if (entries.length === 0) return;
  const current = entries.findIndex((entry) => entry.classList.contains("current"));
  const next = Math.min(entries.length - 1, Math.max(0, current + (event.key === "j" ? 1 : -1)));
  if (current >= 0) entries[current].classList.remove("current");
  const entry = entries[current < 0 ? 0 : next];
  entry.classList.add("current");
  entry.scrollIntoView({ block: "start" });
  const link = entry.querySelector(".entry-title a");
  if (link instanceof HTMLElement) link.focus({ preventScroll: true });
});
