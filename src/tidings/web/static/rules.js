// The rules page: the preview follows the form as it is edited (the Preview button does the
// same without this file).
(() => {
  const form = document.querySelector("form[data-rule-form]");
  const region = () => document.getElementById("rule-preview");
  if (!(form instanceof HTMLFormElement)) return;
  let timer = 0;
  let asked = 0;
  async function refresh() {
    const data = new FormData(form);
    data.set("do", "preview");
    const mine = ++asked;
    // getAttribute: the form's "action" checkboxes shadow its .action property.
    const response = await fetch(form.getAttribute("action") || "", {
      method: "POST",
      body: data,
      headers: { Accept: "text/html-fragment" },
      credentials: "same-origin",
    });
    if (!response.ok || mine !== asked) return; // a newer preview is on its way
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.firstElementChild;
    const old = region();
    if (fresh && old) old.replaceWith(fresh);
  }
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => refresh().catch(() => {}), 300);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
