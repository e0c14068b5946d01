/* innograph explorer: draws the graph data a page embeds (built server-side with pyvis) with vis-network,
   applies the label / relation-type filters client-side, and links nodes, edges and the relationship list. */
"use strict";

(function () {
  const STYLES = JSON.parse(document.getElementById("explorer-styles").textContent);
  const MAX_FIT_SCALE = 0.8;
  const DOUBLE_CLICK_MS = 300;
  const FIT_MARGIN = 0.92;

  function labelStyle(label) {
    return STYLES.labels[label] || STYLES.other_label;
  }
  function typeStyle(type) {
    return STYLES.types[type] || STYLES.other_type;
  }

  function formatAmount(amount) {
    if (amount === null || amount === undefined) return "";
    if (amount >= 1e12) return +(amount / 1e12).toPrecision(4) + "万亿元";
    if (amount >= 1e8) return +(amount / 1e8).toPrecision(4) + "亿元";
    if (amount >= 1e4) return +(amount / 1e4).toPrecision(4) + "万元";
    return Math.round(amount) + "元";
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* A tooltip element (text only, never HTML) for an edge: the fact, then each evidence sentence and its document. */
  function edgeTooltip(edge, names, evidence) {
    const box = el("div", "tip");
    const head = el("div", "tip-head");
    head.append(
      el("span", "tip-node", names[edge.from] || edge.from),
      el("span", "tip-type", " —" + edge.relType + "→ "),
      el("span", "tip-node", names[edge.to] || edge.to)
    );
    box.append(head);
    if (edge.amount) box.append(el("div", "tip-amount", "金额 " + edge.amount));
    const items = evidence || [];
    if (!items.length) box.append(el("div", "tip-empty", "no evidence stored"));
    items.slice(0, 4).forEach(function (ev) {
      const item = el("div", "tip-ev");
      item.append(el("div", "tip-sentence", "“" + ev.sentence + "”"));
      const where = (ev.source || (ev.document_id || "").slice(0, 12)) + (ev.start !== null && ev.start !== undefined ? "  @" + ev.start + "–" + ev.end : "");
      item.append(el("div", "tip-doc", where));
      box.append(item);
    });
    if (items.length > 4) box.append(el("div", "tip-more", "+ " + (items.length - 4) + " more"));
    return box;
  }

  function nodeTooltip(node) {
    const box = el("div", "tip");
    const head = el("div", "tip-head");
    head.append(el("span", "tip-node", node.label), el("span", "tip-type", "  " + node.entityLabel));
    const degree = node.degree === undefined ? "" : "degree " + node.degree + " · ";
    box.append(head, el("div", "tip-doc", degree + "click to open" + (node.expandable ? " · double-click to expand here" : "")));
    return box;
  }

  /* Draw `payload` ({nodes, edges, options, focus, evidence}) into `container`; returns a controller. */
  function draw(container, payload, opts) {
    opts = opts || {};
    const names = {};
    const evidence = Object.assign({}, payload.evidence || {});
    payload.nodes.forEach(function (n) { names[n.id] = n.label; });
    const nodes = new vis.DataSet(payload.nodes.map(function (n) {
      return Object.assign({}, n, { title: nodeTooltip(n) });
    }));
    const edges = new vis.DataSet(payload.edges.map(function (e) {
      return Object.assign({}, e, { title: edgeTooltip(e, names, evidence[e.id]) });
    }));
    const state = {
      labels: new Set(payload.nodes.map(function (n) { return n.entityLabel; })),
      types: new Set(payload.edges.map(function (e) { return e.relType; })),
    };
    const hasEdges = new Set();
    payload.edges.forEach(function (e) { hasEdges.add(e.from); hasEdges.add(e.to); });

    function edgeVisible(e) {
      const s = nodes.get(e.from), t = nodes.get(e.to);
      return state.types.has(e.relType) && !!s && !!t &&
        (s.id === payload.focus || state.labels.has(s.entityLabel)) &&
        (t.id === payload.focus || state.labels.has(t.entityLabel));
    }
    let visibleEnds = new Set();
    function recompute() {
      visibleEnds = new Set();
      edges.forEach(function (e) {
        if (edgeVisible(e)) { visibleEnds.add(e.from); visibleEnds.add(e.to); }
      });
    }
    /* A node is drawn when its label is on and it still touches a drawn edge (the focus always is). */
    function nodeVisible(n) {
      if (n.id === payload.focus) return true;
      if (!state.labels.has(n.entityLabel)) return false;
      return !hasEdges.has(n.id) || visibleEnds.has(n.id);
    }
    recompute();
    const nodeView = new vis.DataView(nodes, { filter: nodeVisible });
    const edgeView = new vis.DataView(edges, { filter: edgeVisible });
    const network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, payload.options);

    const controller = {
      network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, state: state,
      names: names, evidence: evidence, focus: payload.focus, ready: false,
      visibleNodeCount: function () { return nodeView.length; },
      visibleEdgeCount: function () { return edgeView.length; },
      drawnNodeCount: function () { return Object.keys(network.getPositions()).length; },
      isEdgeVisible: function (id) { return !!edgeView.get(id); },
      setLabel: function (label, on) { if (on) state.labels.add(label); else state.labels.delete(label); controller.refresh(); },
      setType: function (type, on) { if (on) state.types.add(type); else state.types.delete(type); controller.refresh(); },
      refresh: function () {
        // keep the laid-out positions: nodes a filter brings back return where they were, not to the origin
        const positions = network.getPositions();
        nodes.update(Object.keys(positions).map(function (id) {
          return { id: id, x: positions[id].x, y: positions[id].y };
        }));
        recompute();
        nodeView.refresh();
        edgeView.refresh();
        fit();
        if (opts.onFilter) opts.onFilter(controller);
      },
      /* Add nodes and edges (vis-network items built like the payload's) to the drawing; returns the ids of
         the nodes that were new. */
      add: function (newNodes, newEdges, newEvidence) {
        Object.assign(evidence, newEvidence || {});
        const fresh = newNodes.filter(function (n) { return !nodes.get(n.id); });
        fresh.forEach(function (n) { names[n.id] = n.label; state.labels.add(n.entityLabel); });
        nodes.add(fresh.map(function (n) { return Object.assign({}, n, { title: nodeTooltip(n) }); }));
        const more = newEdges.filter(function (e) { return !edges.get(e.id); });
        more.forEach(function (e) { hasEdges.add(e.from); hasEdges.add(e.to); });
        edges.add(more.map(function (e) {
          return Object.assign({}, e, { title: edgeTooltip(e, names, evidence[e.id]) });
        }));
        controller.refresh();
        return fresh.map(function (n) { return n.id; });
      },
    };
    /* Fit the drawn nodes to the canvas, but never blow a small graph up past a reading size. */
    function fit() {
      network.fit({ animation: false });
      // a margin for the status lines over the canvas' corners
      const scale = Math.min(network.getScale() * FIT_MARGIN, MAX_FIT_SCALE);
      network.moveTo({ position: network.getViewPosition(), scale: scale, animation: false });
    }
    function settled() {
      // stop the simulation once laid out: the page stays still and light on CPU, nodes remain draggable
      network.setOptions({ physics: { enabled: false } });
      if (payload.focus && nodes.get(payload.focus)) nodes.update({ id: payload.focus, fixed: false });
      fit();
      controller.ready = true;
      container.dataset.ready = "1";
    }
    const physics = !payload.options.physics || payload.options.physics.enabled !== false;
    if (!payload.nodes.length) { controller.ready = true; container.dataset.ready = "1"; }
    else if (physics) network.once("stabilizationIterationsDone", settled);
    else settled();  // placed on the server (app/explorer/layout.py): nothing to settle

    // A click on a node opens its page, unless a second click makes it a double-click (opts.onDoubleClick).
    let pending = null;
    network.on("click", function (params) {
      if (params.nodes.length && opts.nodeUrl) {
        const href = opts.nodeUrl + encodeURIComponent(params.nodes[0]).replace(/%3A/g, ":");
        if (!opts.onDoubleClick) { window.location.href = href; return; }
        clearTimeout(pending);
        pending = setTimeout(function () { window.location.href = href; }, DOUBLE_CLICK_MS);
      } else if (params.edges.length && opts.onEdge) {
        opts.onEdge(params.edges[0]);
      }
    });
    network.on("doubleClick", function (params) {
      if (!params.nodes.length || !opts.onDoubleClick) return;
      clearTimeout(pending);
      opts.onDoubleClick(params.nodes[0], controller);
    });
    return controller;
  }

  /* Wire the filter checkboxes and the relationship list of an entity or path page to a drawn graph. */
  function wirePage(controller) {
    const list = document.getElementById("rel-list");
    const counter = document.getElementById("drawn-count");
    const cap = document.getElementById("cap-note");
    const own = new Set(list ? Array.from(list.querySelectorAll("[data-edge]"), function (r) { return r.dataset.edge; }) : []);
    function sync() {
      if (list) {
        let shown = 0;
        list.querySelectorAll("[data-edge]").forEach(function (row) {
          const on = controller.isEdgeVisible(row.dataset.edge);
          row.hidden = !on;
          if (on) shown += 1;
        });
        const empty = document.getElementById("rel-empty-filter");
        if (empty) empty.hidden = shown !== 0;
      }
      if (counter) {
        counter.textContent = controller.visibleNodeCount() + " nodes · " + controller.visibleEdgeCount() + " relationships drawn";
      }
      if (cap) cap.textContent = capNote(controller, own, +cap.dataset.total);
      syncFilterCounts(controller);
    }
    controller.sync = sync;
    document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
      box.addEventListener("change", function () { controller.setLabel(box.dataset.filterLabel, box.checked); sync(); });
    });
    document.querySelectorAll("input[data-filter-type]").forEach(function (box) {
      box.addEventListener("change", function () { controller.setType(box.dataset.filterType, box.checked); sync(); });
    });
    if (list) list.querySelectorAll("[data-edge]").forEach(function (row) { wireRow(controller, row); });
    sync();
  }

  /* "67 in view", "showing 20 of 67", then what the page's own filters hide and what expanding added. */
  function capNote(controller, own, total) {
    let visible = 0, hidden = 0, added = 0;
    controller.edges.forEach(function (e) {
      const on = controller.isEdgeVisible(e.id);
      if (!own.has(e.id)) { if (on) added += 1; return; }
      if (on) visible += 1; else hidden += 1;
    });
    let text = own.size < total ? "showing " + visible + " of " + total : visible + " in view";
    if (hidden) text += " · " + hidden + " hidden by the filters";
    if (added) text += " · " + added + " more from expanding";
    return text;
  }

  /* The small count beside each filter: how many loaded nodes have that label, edges that type. */
  function syncFilterCounts(controller) {
    const labels = {}, types = {};
    controller.nodes.forEach(function (n) { if (n.id !== controller.focus) labels[n.entityLabel] = (labels[n.entityLabel] || 0) + 1; });
    controller.edges.forEach(function (e) { types[e.relType] = (types[e.relType] || 0) + 1; });
    document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
      const small = box.parentElement.querySelector("small");
      if (small) small.textContent = labels[box.dataset.filterLabel] || 0;
    });
    document.querySelectorAll("input[data-filter-type]").forEach(function (box) {
      const small = box.parentElement.querySelector("small");
      if (small) small.textContent = types[box.dataset.filterType] || 0;
    });
  }

  function wireRow(controller, row) {
    row.addEventListener("mouseenter", function () { controller.network.selectEdges([row.dataset.edge]); });
    row.addEventListener("mouseleave", function () { controller.network.unselectAll(); });
    if (controller.expandable) addExpandButton(controller, row);
  }

  /* A row's "expand" button: draws the relationships of its end that is not the page's entity. */
  function addExpandButton(controller, row) {
    const edge = controller.edges.get(row.dataset.edge);
    if (!edge) return;
    const other = edge.from === controller.focus ? edge.to : edge.from;
    if (other === controller.focus || row.querySelector(".expand")) return;
    const button = el("button", "expand btn-ghost btn-sm", "⊕");
    button.type = "button";
    button.dataset.expand = other;
    button.title = "draw the relationships of " + (controller.names[other] || other) + " here";
    button.setAttribute("aria-label", button.title);
    button.addEventListener("click", function () { expand(controller, other); });
    const head = row.querySelector(".rel-head");
    (head || row).append(button);
  }

  /* Expand a node in place (Bloom's habit): fetch its relationships from the JSON API and add those of the
     page's types and labels, with their evidence, to the drawing and the list. */
  async function expand(controller, key) {
    if (controller.expanded.has(key)) return [];
    controller.expanded.add(key);
    document.body.dataset.expandState = "running";
    const params = new URLSearchParams({ limit: "200" });
    const least = document.getElementById("min-confidence");
    if (least && least.value.trim()) params.set("min_confidence", least.value.trim());
    try {
      const response = await fetch("/entities/" + encodeURIComponent(key) + "/relationships?" + params, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      const body = await response.json();
      const fresh = addRelationships(controller, key, body.items || []);
      document.body.dataset.expandState = "done";
      return fresh;
    } catch (err) {
      controller.expanded.delete(key);
      document.body.dataset.expandState = "error";
      const counter = document.getElementById("drawn-count");
      if (counter) counter.textContent = "could not expand " + (controller.names[key] || key) + ": " + (err.message || err);
      return [];
    }
  }

  function allowed(kind) {
    return new Set(Array.from(document.querySelectorAll("input[data-filter-" + kind + "]"), function (b) {
      return kind === "label" ? b.dataset.filterLabel : b.dataset.filterType;
    }));
  }

  function addRelationships(controller, key, items) {
    const labels = allowed("label"), types = allowed("type");
    const wanted = items.filter(function (r) { return types.has(r.type) && labels.has(r.other.label); });
    const centre = controller.network.getPositions([key])[key] || { x: 0, y: 0 };
    const newcomers = wanted.filter(function (r) { return !controller.nodes.get(r.other.key); });
    const places = arc(controller, centre, newcomers.length);
    const nodes = newcomers.map(function (r, i) { return nodeItem(r.other, places[i]); });
    const evidence = {};
    const edges = wanted.map(function (r) { evidence[r.key] = r.evidence || []; return edgeItem(r); });
    const fresh = controller.add(nodes, edges, evidence);
    const list = document.getElementById("rel-list");
    if (list) {
      edges.forEach(function (e) {
        if (list.querySelector('[data-edge="' + CSS.escape(e.id) + '"]')) return;
        const row = relationRow(controller, e, evidence[e.id]);
        list.append(row);
        wireRow(controller, row);
      });
    }
    if (controller.sync) controller.sync();
    return fresh;
  }

  /* Spots for n new nodes just outside the drawing, on an arc facing the node they come from (the page's
     entity is at the origin), two rows deep so they stay close together. */
  function arc(controller, centre, n) {
    const positions = controller.network.getPositions();
    let outer = 0;
    Object.keys(positions).forEach(function (id) { outer = Math.max(outer, Math.hypot(positions[id].x, positions[id].y)); });
    const facing = Math.atan2(centre.y, centre.x) || 0;
    const places = [];
    for (let i = 0; i < n; i += 1) {
      const radius = outer + 150 + (i % 2) * 90;
      const step = 190 / radius;
      const a = facing + (Math.floor(i / 2) - (Math.ceil(n / 2) - 1) / 2) * step;
      places.push({ x: radius * Math.cos(a), y: radius * Math.sin(a) });
    }
    return places;
  }

  function nodeItem(ref, at) {
    const known = !!STYLES.labels[ref.label];
    const st = labelStyle(ref.label);
    return { id: ref.key, label: ref.name, entityLabel: known ? ref.label : "Other", group: known ? ref.label : "Other",
      shape: st.shape, size: 21, x: at.x, y: at.y, expandable: true };
  }

  function edgeItem(r) {
    const st = typeStyle(r.type);
    return {
      id: r.key, from: r.source, to: r.target, relType: r.type, amount: formatAmount(r.amount_cny),
      color: { color: st.color, highlight: "#1f2328", hover: "#1f2328" },
      arrows: { to: { enabled: st.shape === "arrow", scaleFactor: 0.6 } },
      width: 1.5 + Math.min((r.evidence || []).length, 4) * 0.5,
    };
  }

  /* A list row for an edge added by expanding, like the server's (templates/_macros.html relationship_list). */
  function relationRow(controller, edge, evidence) {
    const row = el("li", "rel rel-added");
    row.dataset.edge = edge.id;
    row.dataset.type = edge.relType;
    const head = el("div", "rel-head");
    const badge = el("span", "rel-type", edge.relType + (typeStyle(edge.relType).shape === "line" ? " ↔" : " →"));
    badge.style.setProperty("--c", typeStyle(edge.relType).color);
    head.append(entityLink(controller, edge.from), badge, entityLink(controller, edge.to));
    if (edge.amount) head.append(el("span", "amount", edge.amount));
    row.append(head);
    const first = (evidence || [])[0];
    if (first) {
      const quote = el("blockquote", "evidence");
      quote.append(el("p", "", first.sentence));
      const cite = el("cite");
      const a = el("a", "cite", (first.source || first.document_id.slice(0, 12)) + " · 字符 " + first.start + "–" + first.end);
      a.href = "/explore/documents/" + encodeURIComponent(first.document_id) + "?at=" + first.start + "-" + first.end + "#at";
      cite.append(a);
      quote.append(cite);
      row.append(quote);
    } else {
      row.append(el("p", "muted small", "No evidence stored for this fact."));
    }
    return row;
  }

  function entityLink(controller, key) {
    if (key === controller.focus) return el("strong", "", controller.names[key] || key);
    const a = el("a", "ent", controller.names[key] || key);
    a.href = "/explore/entity/" + encodeURIComponent(key).replace(/%3A/g, ":");
    return a;
  }

  function highlightRow(edgeId) {
    const row = document.querySelector('[data-edge="' + CSS.escape(edgeId) + '"]');
    if (!row) return;
    document.querySelectorAll(".rel.active").forEach(function (r) { r.classList.remove("active"); });
    row.classList.add("active");
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  window.Explorer = {
    draw: draw, wirePage: wirePage, labelStyle: labelStyle, typeStyle: typeStyle, formatAmount: formatAmount,
    el: el, highlightRow: highlightRow, styles: STYLES, expand: expand,
  };

  document.addEventListener("DOMContentLoaded", function () {
    const dataEl = document.getElementById("graph-data");
    const container = document.getElementById("graph");
    if (!dataEl || !container) return;
    const payload = JSON.parse(dataEl.textContent);
    const expandable = container.dataset.expand === "1";
    const controller = draw(container, payload, {
      nodeUrl: container.dataset.nodeUrl, onEdge: highlightRow,
      onDoubleClick: expandable ? function (key, c) { expand(c, key); } : null,
    });
    controller.expandable = expandable;
    controller.expanded = new Set(payload.focus ? [payload.focus] : []);
    if (expandable) controller.nodes.update(controller.nodes.get().filter(function (n) { return n.id !== payload.focus; }).map(function (n) {
      return { id: n.id, title: nodeTooltip(Object.assign({}, n, { expandable: true })) };
    }));
    window.explorer = controller;
    wirePage(controller);
  });
})();
