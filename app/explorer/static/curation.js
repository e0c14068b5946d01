/* innograph explorer: the curator's buttons on an entity page. Each sends one correction to /curation/...
   with the API key in the X-API-Key header; the key is asked for once per browser session (sessionStorage)
   and asked again when the server refuses it. On success the page reloads to show the corrected graph. */
"use strict";

(function () {
  const KEY_ITEM = "innograph-api-key";
  const panel = document.getElementById("curate");
  if (!panel) return;
  const focus = panel.dataset.key;
  const status = document.getElementById("curate-status");

  function say(text, isError) {
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("error", !!isError);
    if (isError) panel.open = true;
  }

  function apiKey(askAgain) {
    let key = askAgain ? null : sessionStorage.getItem(KEY_ITEM);
    if (!key) {
      key = window.prompt("API key (the INNOGRAPH_API_KEY of this server) — asked once per browser session");
      if (!key) return null;
      sessionStorage.setItem(KEY_ITEM, key.trim());
    }
    return sessionStorage.getItem(KEY_ITEM);
  }

  function detail(data, fallback) {
    if (typeof data.detail === "string") return data.detail;
    if (Array.isArray(data.detail)) {
      return data.detail.map(function (d) { return (d.loc || []).slice(1).join(".") + ": " + d.msg; }).join("; ");
    }
    return fallback;
  }

  /* POST a correction; resolves to the server's answer, or null when the user gave no key. */
  async function send(path, body) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const key = apiKey(attempt > 0);
      if (!key) return null;
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": key },
        body: JSON.stringify(body),
      });
      const data = await response.json().catch(function () { return {}; });
      if (response.status === 401) {
        sessionStorage.removeItem(KEY_ITEM);
        continue;
      }
      if (!response.ok) throw new Error(detail(data, response.status + " " + response.statusText));
      return data;
    }
    throw new Error("the server refused the API key twice: check INNOGRAPH_API_KEY");
  }

  function entityPage(key) {
    return "/explore/entity/" + encodeURIComponent(key).replace(/%3A/g, ":");
  }

  async function run(path, body, after) {
    say("sending the correction …");
    try {
      const answer = await send(path, body);
      if (answer === null) return say("nothing sent: the API key is needed", true);
      say("done: " + answer.summary + " — reloading");
      window.location.assign(after(answer));
    } catch (e) {
      say("not done: " + e.message, true);
    }
  }

  function number(value) {
    return value === "" ? null : Number(value);
  }

  function field(form, name) {
    return form.elements.namedItem(name).value;
  }

  const builders = {
    merge: function (f) {
      const keys = field(f, "merge").split(/[,，、\s]+/).filter(Boolean);
      return ["/curation/merge", { into: focus, merge: keys, note: field(f, "note") }, function () { return entityPage(focus); }];
    },
    rename: function (f) {
      const body = { key: focus, name: field(f, "name"), label: field(f, "label"), note: field(f, "note") };
      return ["/curation/rename", body, function (a) { return entityPage(a.correction.new_key); }];
    },
    add: function (f) {
      const here = field(f, "role") === "source";
      const other = field(f, "other").trim();
      return ["/curation/add", {
        type: field(f, "type"), source: here ? focus : other, target: here ? other : focus,
        amount_cny: number(field(f, "amount_cny")), note: field(f, "note"),
        document_id: field(f, "document_id").trim(), start: number(field(f, "start")), end: number(field(f, "end")),
      }, function () { return entityPage(focus); }];
    },
  };

  panel.querySelectorAll("form[data-curate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const [path, body, after] = builders[form.dataset.curate](form);
      run(path, body, after);
    });
  });

  document.querySelectorAll(".curate-reject").forEach(function (button) {
    button.addEventListener("click", function () {
      const fact = button.dataset.fact;
      const note = window.prompt("Reject " + fact + "?\nWhy is it wrong (a note kept with the correction)?", "");
      if (note === null) return;
      button.disabled = true;
      run("/curation/reject", { fact: fact, note: note }, function () { return window.location.href; })
        .finally(function () { button.disabled = false; });
    });
  });
})();
