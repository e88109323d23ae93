// The entry page's audio and video players resume where the reader stopped and save the place
// as they play: every ~10 s of playing, on pause, at the end (back to 0) and when the page goes.
// The POST carries the page's CSRF token (the #state form's); keepalive lets the last one
// outlive the page.
(() => {
  const token = document.querySelector('#state input[name="csrf_token"]');
  if (!(token instanceof HTMLInputElement)) return;
  const EVERY = 10; // seconds of play between saves

  function save(player, seconds) {
    const body = new FormData();
    body.set("csrf_token", token.value);
    body.set("seconds", String(Math.max(0, Math.floor(seconds))));
    player.dataset.position = body.get("seconds");
    fetch(`/reader/enclosures/${player.dataset.enclosure}/progression`, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => {}); // a lost save costs a few seconds of place, nothing else
  }

  for (const player of document.querySelectorAll("audio[data-enclosure], video[data-enclosure]")) {
    if (!(player instanceof HTMLMediaElement)) continue;
    let saved = Number(player.dataset.position) || 0;
    const resume = saved;
    if (resume > 0) {
      // preload="none": the place can be set only once the file's length is known.
      player.addEventListener("loadedmetadata", () => {
        if (player.currentTime < 1 && resume < (player.duration || Infinity)) player.currentTime = resume;
      }, { once: true });
    }
    const keep = (seconds) => {
      saved = seconds;
      save(player, seconds);
    };
    player.addEventListener("timeupdate", () => {
      if (!player.paused && Math.abs(player.currentTime - saved) >= EVERY) keep(player.currentTime);
    });
    player.addEventListener("pause", () => {
      if (!player.ended && Math.floor(player.currentTime) !== Math.floor(saved)) keep(player.currentTime);
    });
    player.addEventListener("ended", () => keep(0));
    window.addEventListener("pagehide", () => {
      if (!player.paused && Math.floor(player.currentTime) !== Math.floor(saved)) keep(player.currentTime);
    });
  }
})();
