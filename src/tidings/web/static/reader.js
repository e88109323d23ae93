// Keyboard shortcuts and in-place read/star toggles for the reading pages.
// Progressive enhancement only: every action is a link or a form that works without this file.
"use strict";

(() => {
  // The keys work from here on: "Press ? for shortcuts" may show (not on touch screens: CSS).
  document.documentElement.classList.add("has-keys");
  const items = () => Array.from(document.querySelectorAll("[data-items] > [data-entry]"));
  const current = () => document.querySelector("[data-items] > .current");
  const dialog = document.getElementById("keys-help");

  // The entry the keys act on: the selected one in a list, or the entry of an entry page.
  const target = () => current() || document.querySelector("article.reading[data-entry]");

  function select(item) {
    const before = current();
    if (before) before.classList.remove("current");
    item.classList.add("current");
    item.scrollIntoView({ block: "nearest" });
    const link = item.querySelector(".item-open");
    if (link instanceof HTMLElement) link.focus({ preventScroll: true });
  }

  function move(step) {
    const all = items();
    if (all.length === 0) {
      // On an entry page, j and k go to the older and newer entry.
      const link = document.querySelector(step > 0 ? 'a[rel="next"]' : 'a[rel="prev"]');
      if (link instanceof HTMLAnchorElement) window.location.assign(link.href);
      return;
    }
    const at = all.indexOf(current());
    if (step > 0 && at === all.length - 1 && follow("next")) return; // j at the last: next page
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  // Go where the page's pager (or other) link of relation `rel` points; false if there is none.
  function follow(rel) {
    const link = document.querySelector(`a[rel="${rel}"]`);
    if (!(link instanceof HTMLAnchorElement)) return false;
    window.location.assign(link.href);
    return true;
  }

  // Mark the list read: the page's own "Mark all read" form (it asks first, as a click does).
  function markPageRead() {
    const form = document.querySelector("form.mark-all");
    if (form instanceof HTMLFormElement) form.requestSubmit();
  }

  // "g" then a letter goes to a place, as in mail readers.
  const places = { u: "/reader", s: "/reader?show=starred", f: "/reader/subscriptions" };
  let pendingG = 0;

  // Keep the sidebar's unread counts in step: the entry's feed, its categories, the total.
  function count(holder, change) {
    const feed = document.querySelector(`[data-unread-feed="${holder.dataset.feed}"]`);
    const counters = [document.querySelector("[data-unread-total]")];
    if (feed instanceof HTMLElement) {
      counters.push(feed);
      for (const id of (feed.dataset.categories || "").split(" ").filter(Boolean)) {
        counters.push(document.querySelector(`[data-unread-category="${id}"]`));
      }
    }
    for (const counter of counters) {
      if (counter) counter.textContent = String(Math.max(0, Number(counter.textContent) + change));
    }
    // The tab title's "(12) " counts this list's unread entries, which the entry belongs to.
    const shown = /^\((\d+)\) /.exec(document.title);
    if (shown && document.querySelector("[data-items]")) {
      const left = Math.max(0, Number(shown[1]) + change);
      document.title = (left ? `(${left}) ` : "") + document.title.slice(shown[0].length);
    }
  }

  function labels(holder, state) {
    const id = holder.dataset.entry;
    const wasRead = holder.classList.contains("is-read");
    if (wasRead !== state.read) count(holder, state.read ? -1 : 1);
    holder.classList.toggle("is-read", state.read);
    holder.classList.toggle("is-starred", state.starred);
    const read = holder.querySelector('button[data-toggle="read"]');
    if (read instanceof HTMLButtonElement) {
      read.setAttribute("formaction", `/reader/entries/${id}/${state.read ? "unread" : "read"}`);
      read.textContent = state.read ? "Mark unread" : "Mark read";
    }
    const star = holder.querySelector('button[data-toggle="star"]');
    if (star instanceof HTMLButtonElement) {
      star.setAttribute("formaction", `/reader/entries/${id}/${state.starred ? "unstar" : "star"}`);
      star.textContent = state.starred ? "★ Unstar" : "☆ Star";
    }
  }

  // Send a read/star button's form in the background and update the page; on failure, send
  // it normally (to the button's action, with its way back).
  async function toggle(button) {
    const form = button.form; // the page's one #state form, named by the button's form=""
    if (!(form instanceof HTMLFormElement)) return;
    const holder = button.closest("[data-entry]");
    const action = button.getAttribute("formaction") || "";
    try {
      const response = await fetch(action, {
        method: "POST",
        body: new FormData(form, button),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      labels(holder, await response.json());
    } catch {
      const back = document.createElement("input");
      back.type = "hidden";
      back.name = button.name;
      back.value = button.value;
      form.append(back);
      form.setAttribute("action", action);
      form.submit();
    }
  }

  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button instanceof HTMLButtonElement && button.dataset.toggle) {
      event.preventDefault();
      toggle(button);
    }
  });

  function submitToggle(kind) {
    const holder = target();
    const button = holder && holder.querySelector(`button[data-toggle="${kind}"]`);
    if (button instanceof HTMLButtonElement) toggle(button);
  }

  function open() {
    const holder = current();
    const link = holder && holder.querySelector(".item-open");
    if (link instanceof HTMLAnchorElement) window.location.assign(link.href);
  }

  function original() {
    const holder = target();
    const link = holder && holder.querySelector("a.item-original");
    if (link instanceof HTMLAnchorElement) window.open(link.href, "_blank", "noopener,noreferrer");
  }

  // Keys d (full article, as in Miniflux) and S (send to integrations): the entry page's
  // forms marked data-key, plain POSTs.
  function submitKeyed(key) {
    const form = document.querySelector(`form[data-key="${key}"]`);
    if (form instanceof HTMLFormElement) form.requestSubmit();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-close-dialog]");
    if (button && dialog instanceof HTMLDialogElement) dialog.close();
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const where = event.target;
    if (where instanceof HTMLElement && where.closest("input, textarea, select, [contenteditable]")) return;
    if (dialog instanceof HTMLDialogElement && dialog.open) return; // Esc closes it natively
    if (pendingG) {
      window.clearTimeout(pendingG);
      pendingG = 0;
      const place = places[event.key];
      if (place) {
        event.preventDefault();
        window.location.assign(place);
        return;
      }
    }
    const actions = {
      g: () => {
        pendingG = window.setTimeout(() => (pendingG = 0), 1500);
      },
      n: () => follow("next"),
      p: () => follow("prev"),
      A: markPageRead,
      R: () => {
        const form = document.querySelector("form[data-refresh]");
        if (form instanceof HTMLFormElement) form.submit();
      },
      j: () => move(1),
      k: () => move(-1),
      o: open,
      v: original,
      d: () => submitKeyed("d"),
      S: () => submitKeyed("S"),
      m: () => submitToggle("read"),
      s: () => submitToggle("star"),
      r: () => window.location.reload(),
      "/": () => {
        const box = document.getElementById("search-box");
        if (box instanceof HTMLInputElement) box.focus();
      },
      "?": () => {
        if (dialog instanceof HTMLDialogElement) dialog.showModal();
      },
    };
    // Enter on a focused link or button already does its job; elsewhere it opens the entry.
    if (event.key === "Enter" && !(where instanceof HTMLElement && where.closest("a, button"))) {
      if (current()) {
        event.preventDefault();
        open();
      }
      return;
    }
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
})();

// Phones: the sidebar (search first, then the feeds) opens as a drawer over the page; Close,
// Escape or a tap beside it closes it. Without this file the link jumps to the sidebar below.
(() => {
  const reader = document.querySelector(".reader");
  const opener = document.querySelector(".to-sidebar a");
  const side = document.getElementById("sidebar");
  if (!reader || !(opener instanceof HTMLAnchorElement) || !side) return;
  const narrow = window.matchMedia("(max-width: 50rem)");
  const isOpen = () => reader.classList.contains("drawer-open");
  function setOpen(open) {
    reader.classList.toggle("drawer-open", open);
    opener.setAttribute("aria-expanded", String(open));
    // The drawer itself takes focus, not the search box: a phone's keyboard would cover it.
    if (open) side.focus();
    else opener.focus();
  }
  opener.setAttribute("aria-expanded", "false");
  opener.addEventListener("click", (event) => {
    if (!narrow.matches) return;
    event.preventDefault();
    setOpen(!isOpen());
  });
  side.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-close-drawer]")) setOpen(false);
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && event.target instanceof Node && !side.contains(event.target) && !opener.contains(event.target)) {
      setOpen(false);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      setOpen(false);
    }
  });
})();
