/* Documents in and out: the upload form of the documents list and the reader's delete button. Both send the
   API key (INNOGRAPH_API_KEY) as X-API-Key, asked for once per browser session and kept in sessionStorage;
   a refused key is forgotten and asked for again. */
"use strict";

(function () {
  const KEY = "innograph-api-key";

  function apiKey(askAgain) {
    if (askAgain) sessionStorage.removeItem(KEY);
    let key = sessionStorage.getItem(KEY);
    if (!key) {
      key = (window.prompt("API key (the one set in INNOGRAPH_API_KEY); asked once per browser session:") || "").trim();
      if (!key) return null;
      sessionStorage.setItem(KEY, key);
    }
    return key;
  }

  /* The JSON answer of an authorised request, or null after saying on `say` what went wrong. */
  async function send(method, url, body, say) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const key = apiKey(attempt > 0);
      if (!key) { say("Nothing sent: the API key is needed to change the graph.", true); return null; }
      let response;
      try {
        response = await fetch(url, { method, body, headers: { "X-API-Key": key } });
      } catch (e) {
        say("The server cannot be reached: is innograph still running?", true);
        return null;
      }
      const data = await response.json().catch(() => ({}));
      if (response.status === 401) {
        sessionStorage.removeItem(KEY);
        if (attempt === 0) continue;  // a mistyped or stale key: ask once more
        say("The API key was refused: ask whoever runs innograph for the key set in INNOGRAPH_API_KEY.", true);
        return null;
      }
      if (!response.ok) { say(data.detail || `The server answered ${response.status}.`, true); return null; }
      return data;
    }
    return null;
  }

  function teller(node) {
    return (text, bad) => { node.textContent = text; node.classList.toggle("bad", !!bad); };
  }

  const form = document.getElementById("upload-form");
  if (form) {
    const say = teller(document.getElementById("upload-status"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = form.querySelector("input[type=file]");
      if (!input.files.length) { say("Choose a file first.", true); return; }
      const button = form.querySelector("button");
      button.disabled = true;
      say(`Reading and extracting ${input.files[0].name} …`);
      const data = await send("POST", form.action, new FormData(form), say);
      button.disabled = false;
      if (!data) return;
      say(`Stored: ${data.entities} entities, ${data.relations} relations. Opening it …`);
      window.location.href = `${form.dataset.reader}/${encodeURIComponent(data.document_id)}`;
    });
  }

  const remove = document.getElementById("delete-document");
  if (remove) {
    const say = teller(document.getElementById("delete-status"));
    remove.addEventListener("click", async () => {
      const title = remove.dataset.title;
      if (!window.confirm(`Delete “${title}” from the graph, with its evidence and the facts only it states?`)) return;
      remove.disabled = true;
      const data = await send("DELETE", remove.dataset.url, null, say);
      remove.disabled = false;
      if (!data) return;
      window.location.href = `${remove.dataset.back}?${new URLSearchParams({ deleted: title })}`;
    });
  }
})();
