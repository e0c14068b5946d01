/* The Cypher console: POSTs the query to the API's /cypher, draws returned nodes/relationships, tabulates rows. */
"use strict";

(function () {
  const E = window.Explorer;
  const form = document.getElementById("cypher-form");
  const textarea = document.getElementById("query");
  const select = document.getElementById("example");
  const desc = document.getElementById("example-desc");
  const status = document.getElementById("status");
  const container = document.getElementById("cypher-graph");
  const table = document.getElementById("rows");
  const graphCount = document.getElementById("graph-count");
  const examples = JSON.parse(document.getElementById("examples-data").textContent);
  let network = null;

  function short(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  /* The label a Neo4j node is drawn as: its entity label, else Document/Evidence/first label. */
  function nodeKind(node) {
    const p = node.properties || {};
    if (p.label && E.styles.labels[p.label]) return p.label;
    const specific = (node.labels || []).filter(function (l) { return l !== "Entity"; });
    return specific[0] || (node.labels || [])[0] || "Node";
  }
  function nodeCaption(node) {
    const p = node.properties || {};
    return short(p.name || p.title || p.sentence || p.source || p.key || p.id || node.id, 24);
  }

  function toPayload(result) {
    const degree = {};
    (result.relationships || []).forEach(function (r) {
      degree[r.start] = (degree[r.start] || 0) + 1;
      degree[r.end] = (degree[r.end] || 0) + 1;
    });
    const nodes = (result.nodes || []).map(function (n) {
      const kind = nodeKind(n);
      const st = E.labelStyle(kind);
      return {
        id: n.id, label: nodeCaption(n), entityLabel: kind, shape: st.shape, degree: degree[n.id] || 0,
        color: { background: st.color, border: st.color, highlight: { background: st.color, border: "#1f2328" } },
        size: 12 + 5 * Math.log2(1 + (degree[n.id] || 0)), entityKey: (n.properties || {}).key || null,
      };
    });
    // A fact's evidence is stored apart from it (Evidence nodes under its key): /cypher returns it beside the rows.
    const evidence = {};
    const edges = (result.relationships || []).map(function (r) {
      const st = E.typeStyle(r.type);
      const amount = E.formatAmount((r.properties || {}).amount_cny);
      evidence[r.id] = (result.evidence || {})[(r.properties || {}).key] || [];
      return {
        id: r.id, from: r.start, to: r.end, relType: r.type, label: amount ? r.type + " " + amount : r.type, amount: amount,
        color: { color: st.color, highlight: "#1f2328", hover: "#1f2328" },
        arrows: { to: { enabled: st.shape === "arrow", scaleFactor: 0.6 } }, width: 1.5,
      };
    });
    return { nodes: nodes, edges: edges, options: E.styles.options, focus: null, evidence: evidence };
  }

  /* The reader page of a document at a span, scrolled to it and marking it (app/explorer/reader.py). */
  function readerUrl(documentId, start, end) {
    return "/explore/documents/" + encodeURIComponent(documentId) + "?at=" + start + "-" + end + "#at";
  }
  function isOffset(v) { return typeof v === "number" && Number.isInteger(v) && v >= 0; }
  /* Evidence (a node, or a map with its fields): its sentence, linked to the reader at its offsets. */
  function evidenceLink(p) {
    if (!p || typeof p.document_id !== "string" || !isOffset(p.start) || !isOffset(p.end)) return null;
    const a = E.el("a", "cite", short(p.sentence || (p.start + "–" + p.end), 160));
    a.href = readerUrl(p.document_id, p.start, p.end);
    a.title = "read it in its document, characters " + p.start + "–" + p.end;
    return a;
  }

  function cell(value) {
    const td = document.createElement("td");
    if (value === null || value === undefined) { td.textContent = "null"; td.className = "muted"; return td; }
    if (typeof value === "object") {
      const p = value.properties || value;
      const cite = evidenceLink(p);
      if (cite) { td.append(cite); return td; }
      if (p && p.key && p.name && p.label) {
        const a = document.createElement("a");
        a.href = "/explore/entity/" + encodeURIComponent(p.key);
        a.textContent = p.name;
        td.append(a, document.createTextNode(" "), E.el("span", "muted small", p.label));
        return td;
      }
      if (value.type && value.start !== undefined && value.end !== undefined) {
        const st = E.typeStyle(value.type);
        const badge = E.el("span", "rel-type", value.type);
        badge.style.setProperty("--c", st.color);
        td.append(badge);
        const amount = E.formatAmount((value.properties || {}).amount_cny);
        if (amount) td.append(document.createTextNode(" "), E.el("span", "amount", amount));
        return td;
      }
      if (Array.isArray(value.nodes) && Array.isArray(value.relationships)) {
        td.textContent = "path of " + value.relationships.length + " relationship" + (value.relationships.length === 1 ? "" : "s");
        return td;
      }
      td.textContent = short(JSON.stringify(value), 400);
      td.className = "mono";
      return td;
    }
    td.textContent = String(value);
    if (typeof value === "number") td.className = "num";
    return td;
  }

  /* A column of yuan amounts (amount_cny, f.amount_cny, …): shown as 20亿元 / 2000万元, the exact figure on hover. */
  function isAmountColumn(name) {
    return /(^|[._])amount(_cny)?$/i.test(name || "");
  }
  function amountCell(value) {
    if (typeof value !== "number") return cell(value);
    const td = E.el("td", "num amount-cell", E.formatAmount(value));
    td.title = value.toLocaleString("zh-CN") + " 元";
    return td;
  }

  /* Where a row cites evidence in columns of its own (ev.document_id, ev.start, ev.end; named so or
     `… AS document_id` …): the indices of those columns and of the cell to link (the sentence, else start). */
  function citationColumns(columns) {
    function find(name) {
      return columns.findIndex(function (c) { return c === name || c.endsWith("." + name); });
    }
    const doc = find("document_id"), start = find("start"), end = find("end");
    if (doc < 0 || start < 0 || end < 0) return null;
    const sentence = find("sentence");
    return { doc: doc, start: start, end: end, link: sentence >= 0 ? sentence : start };
  }

  function renderTable(result) {
    const thead = table.tHead, tbody = table.tBodies[0];
    thead.textContent = ""; tbody.textContent = "";
    const head = document.createElement("tr");
    const columns = result.columns || [];
    columns.forEach(function (c) { head.append(E.el("th", "", c)); });
    thead.append(head);
    const cite = citationColumns(columns);
    (result.rows || []).forEach(function (row) {
      const tr = document.createElement("tr");
      const values = Array.isArray(row) ? row : Object.values(row);
      values.forEach(function (v, i) {
        const td = isAmountColumn(columns[i]) ? amountCell(v) : cell(v);
        if (cite && i === cite.link) {
          const a = evidenceLink({ document_id: values[cite.doc], start: values[cite.start], end: values[cite.end], sentence: String(v) });
          if (a) { td.textContent = ""; td.className = ""; td.append(a); }
        }
        tr.append(td);
      });
      tbody.append(tr);
    });
  }

  function renderGraph(result) {
    if (network) { network.destroy(); network = null; }
    const payload = toPayload(result);
    window.explorer = null;
    if (!payload.nodes.length) {
      container.dataset.ready = "1";
      graphCount.textContent = "no nodes in the result";
      return;
    }
    container.dataset.ready = "";
    const controller = E.draw(container, payload, {});
    network = controller.network;
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      const node = controller.nodes.get(params.nodes[0]);
      if (node && node.entityKey) window.location.href = "/explore/entity/" + encodeURIComponent(node.entityKey);
    });
    window.explorer = controller;
    graphCount.textContent = payload.nodes.length + " nodes · " + payload.edges.length + " relationships";
  }

  /* After an error nothing of the previous query stays on screen: no rows, no drawing, no example's notes. */
  function clearResult() {
    table.tHead.textContent = "";
    table.tBodies[0].textContent = "";
    if (network) { network.destroy(); network = null; }
    window.explorer = null;
    container.dataset.ready = "";
    graphCount.textContent = "";
    forgetExample();
  }
  function forgetExample() {
    desc.textContent = "";
    select.value = "";
    history.replaceState(null, "", location.pathname);
  }

  async function run(event) {
    if (event) event.preventDefault();
    const started = performance.now();
    status.className = "status-line";
    status.textContent = "Running…";
    document.body.dataset.cypherState = "running";
    try {
      const response = await fetch("/cypher", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ query: textarea.value, params: {} }),
      });
      const body = await response.json().catch(function () { return { detail: response.statusText }; });
      if (!response.ok) {
        const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        throw new Error(response.status + " — " + detail);
      }
      renderTable(body);
      renderGraph(body);
      const ms = Math.round(performance.now() - started);
      status.textContent = (body.rows || []).length + " rows" + (body.truncated ? " (truncated at " + body.row_cap + ")" : "") +
        " · " + (body.nodes || []).length + " nodes · " + (body.relationships || []).length + " relationships · " + ms + " ms";
      document.body.dataset.cypherState = "done";
    } catch (err) {
      clearResult();
      status.className = "status-line err";
      status.textContent = String(err.message || err);
      document.body.dataset.cypherState = "error";
    }
  }

  select.addEventListener("change", function () {
    const ex = examples.find(function (e) { return e.name === select.value; });
    if (!ex) return;
    textarea.value = ex.query;
    desc.textContent = ex.description;
    history.replaceState(null, "", "?example=" + encodeURIComponent(ex.name));
    run();
  });
  form.addEventListener("submit", run);
  textarea.addEventListener("input", function () {
    const ex = examples.find(function (e) { return e.name === select.value; });
    if (ex && ex.query !== textarea.value) forgetExample();  // its notes no longer describe the query
  });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e);
  });
  if (textarea.value.trim()) run();
})();
