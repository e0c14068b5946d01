/* innograph explorer: suggestions as a name is typed, for every <input data-suggest>.
   data-suggest="City" limits them to a label ("" for all); data-suggest-go opens the chosen entity's page;
   data-suggest-multi completes the last of several comma-separated names. Asks GET /entities/suggest. */
"use strict";

(function () {
  const DELAY_MS = 120;
  const LIMIT = 8;
  const SEPARATORS = /[,，、;；]/;
  const stylesNode = document.getElementById("explorer-styles");
  const STYLES = stylesNode ? JSON.parse(stylesNode.textContent) : { labels: {}, other_label: {} };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function entityUrl(key) {
    return "/explore/entity/" + encodeURIComponent(key).replace(/%3A/gi, ":");
  }

  /* The part of the field being typed: all of it, or the last comma-separated name. */
  function typedPart(input) {
    if (!input.hasAttribute("data-suggest-multi")) return input.value.trim();
    const parts = input.value.split(SEPARATORS);
    return parts[parts.length - 1].trim();
  }

  function putChoice(input, name) {
    if (!input.hasAttribute("data-suggest-multi")) {
      input.value = name;
      return;
    }
    const parts = input.value.split(SEPARATORS).map(function (s) { return s.trim(); });
    parts[parts.length - 1] = name;
    input.value = parts.filter(Boolean).join(",") + ",";
  }

  function attach(input) {
    const list = el("ul", "suggest-list");
    list.setAttribute("role", "listbox");
    list.hidden = true;
    document.body.append(list);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-autocomplete", "list");
    let items = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    function place() {
      const box = input.getBoundingClientRect();
      list.style.left = box.left + window.scrollX + "px";
      list.style.top = box.bottom + window.scrollY + 2 + "px";
      list.style.minWidth = Math.max(box.width, 220) + "px";
    }

    function close() {
      list.hidden = true;
      active = -1;
    }

    function choose(item) {
      close();
      if (input.hasAttribute("data-suggest-go")) {
        window.location.href = entityUrl(item.key);
        return;
      }
      putChoice(input, item.name);
      input.focus();
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.classList.toggle("on", i === index);
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
    }

    function show(q, page) {
      list.replaceChildren();
      items = page.items || [];
      if (!items.length) {
        list.append(el("li", "suggest-empty", "No actor called “" + q + "” — try a shorter name or its pinyin (xuzhou)."));
      }
      items.forEach(function (item, i) {
        const li = el("li", "suggest-item");
        li.setAttribute("role", "option");
        li.dataset.key = item.key;
        const st = STYLES.labels[item.label] || STYLES.other_label || {};
        const badge = el("span", "badge", item.label);
        if (st.color) badge.style.setProperty("--c", st.color);
        li.append(el("span", "suggest-name", item.name), badge);
        const alias = (item.aliases || []).find(function (a) { return a.indexOf(q) >= 0; });
        if (alias && item.name.indexOf(q) < 0) li.append(el("span", "suggest-alias", alias));
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field until the choice is made
          choose(item);
        });
        li.addEventListener("mousemove", function () { highlight(i); });
        list.append(li);
      });
      place();
      list.hidden = false;
      active = -1;
    }

    function ask() {
      const q = typedPart(input);
      if (!q) {
        close();
        return;
      }
      const ticket = ++asked;
      const params = new URLSearchParams({ q: q, limit: String(LIMIT) });
      const label = input.getAttribute("data-suggest");
      if (label) params.set("label", label);
      fetch("/entities/suggest?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (page) {
          if (ticket === asked && document.activeElement === input) show(q, page);
        })
        .catch(function () { /* offline or Neo4j down: no suggestions, the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    window.addEventListener("resize", function () { if (!list.hidden) place(); });
  }

  function init() {
    document.querySelectorAll("input[data-suggest]").forEach(attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
