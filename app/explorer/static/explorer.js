/* innograph explorer: draws the graph data a page embeds (built server-side with pyvis) with vis-network,
   applies the label / relation-type filters client-side, and links nodes, edges and the relationship list. */
"use strict";

(function () {
  const STYLES = JSON.parse(document.getElementById("explorer-styles").textContent);
  const MAX_FIT_SCALE = 0.8;

  function labelStyle(label) {
    return STYLES.labels[label] || STYLES.other_label;
  }
  function typeStyle(type) {
    return STYLES.types[type] || STYLES.other_type;
  }

  function formatAmount(amount) {
    if (amount === null || amount === undefined) return "";
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
    box.append(head, el("div", "tip-doc", "degree " + (node.degree || 0) + " · click to open"));
    return box;
  }

  /* Draw `payload` ({nodes, edges, options, focus, evidence}) into `container`; returns a controller. */
  function draw(container, payload, opts) {
    opts = opts || {};
    const names = {};
    payload.nodes.forEach(function (n) { names[n.id] = n.label; });
    const nodes = new vis.DataSet(payload.nodes.map(function (n) {
      return Object.assign({}, n, { title: nodeTooltip(n) });
    }));
    const edges = new vis.DataSet(payload.edges.map(function (e) {
      const ev = (payload.evidence || {})[e.id];
      return Object.assign({}, e, { title: edgeTooltip(e, names, ev) });
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
      ready: false,
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
        if (opts.onFilter) opts.onFilter(controller);
      },
    };
    network.once("stabilizationIterationsDone", function () {
      // stop the simulation once laid out: the page stays still and light on CPU, nodes remain draggable
      network.setOptions({ physics: { enabled: false } });
      if (payload.focus && nodes.get(payload.focus)) nodes.update({ id: payload.focus, fixed: false });
      network.fit({ animation: false });
      // a small graph would be blown up to fill the canvas: keep labels at a reading size instead
      if (network.getScale() > MAX_FIT_SCALE) {
        network.moveTo({ position: network.getViewPosition(), scale: MAX_FIT_SCALE, animation: false });
      }
      controller.ready = true;
      container.dataset.ready = "1";
    });
    if (!payload.nodes.length) { controller.ready = true; container.dataset.ready = "1"; }

    network.on("click", function (params) {
      if (params.nodes.length && opts.nodeUrl) {
        window.location.href = opts.nodeUrl + encodeURIComponent(params.nodes[0]).replace(/%3A/g, ":");
      } else if (params.edges.length && opts.onEdge) {
        opts.onEdge(params.edges[0]);
      }
    });
    return controller;
  }

  /* Wire the filter checkboxes and the relationship list of an entity or path page to a drawn graph. */
  function wirePage(controller) {
    const list = document.getElementById("rel-list");
    const counter = document.getElementById("drawn-count");
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
    }
    document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
      box.addEventListener("change", function () { controller.setLabel(box.dataset.filterLabel, box.checked); sync(); });
    });
    document.querySelectorAll("input[data-filter-type]").forEach(function (box) {
      box.addEventListener("change", function () { controller.setType(box.dataset.filterType, box.checked); sync(); });
    });
    if (list) {
      list.querySelectorAll("[data-edge]").forEach(function (row) {
        row.addEventListener("mouseenter", function () { controller.network.selectEdges([row.dataset.edge]); });
        row.addEventListener("mouseleave", function () { controller.network.unselectAll(); });
      });
    }
    sync();
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
    el: el, highlightRow: highlightRow, styles: STYLES,
  };

  document.addEventListener("DOMContentLoaded", function () {
    const dataEl = document.getElementById("graph-data");
    const container = document.getElementById("graph");
    if (!dataEl || !container) return;
    const payload = JSON.parse(dataEl.textContent);
    const controller = draw(container, payload, { nodeUrl: container.dataset.nodeUrl, onEdge: highlightRow });
    window.explorer = controller;
    wirePage(controller);
  });
})();
