// The cluster chart of /links/cluster/…: reads the graph the page embeds as JSON (the
// Content-Security-Policy allows no inline script) and draws it with the vendored
// cytoscape.js. Each line says why two records are linked by its colour and its dash
// pattern (the key beside the chart doubles as the filter); a shared phone, email,
// handle or ad template can be drawn as a point of its own between the records that
// carry it, as analysts' link charts do; selecting a record shows it and can add its
// links from outside the cluster (fetched from /links/record/…json). The page lists the
// same links in a table, for keyboards, screen readers and anyone without script.
(function () {
  "use strict";

  // Colour and dash pattern per reason: never colour alone. The key's swatches in
  // links.css draw the same.
  var KINDS = {
    person:   { color: "#b0005a", dash: null,           width: 3 },
    phone:    { color: "#1f5fa8", dash: null,           width: 2 },
    email:    { color: "#2a7d2a", dash: [9, 4],         width: 2 },
    handle:   { color: "#6b3fa0", dash: [2, 4],         width: 2.5 },
    template: { color: "#b35900", dash: [12, 4, 3, 4],  width: 2 },
    device:   { color: "#5a5a5a", dash: [6, 3],         width: 2 },
    ip:       { color: "#007575", dash: [1, 3],         width: 2.5 },
    url:      { color: "#444444", dash: [14, 5],        width: 2 }
  };
  var NAMES = { person: "Same child", phone: "Phone", email: "Email", handle: "Handle",
    template: "Ad template", device: "Device", ip: "IP address", url: "Web address" };
  // Beyond these many records a chart names only what the reader is looking at (the
  // selection and its neighbours, what is pointed at, the start, identifiers shared by
  // several records), or everything once zoomed in, so names never pile up.
  var NAME_ALL_UP_TO = 25;
  var NAME_ALL_FROM_ZOOM = 1.5;
  // Names stay this many pixels high whatever the zoom.
  var FONT_PX = 11;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function draw() {
    var data = document.getElementById("cluster-data");
    var box = document.getElementById("cluster-graph");
    if (!data || !box || typeof window.cytoscape !== "function") { return; }
    var graph;
    try { graph = JSON.parse(data.textContent); } catch (e) { return; }

    // Everything known, grown by expansions; the chart is built from it in either mode.
    var records = {};
    var links = [];
    var linkKeys = {};
    function learn(g) {
      var added = [];
      g.nodes.forEach(function (n) {
        if (!records[n.data.id]) { records[n.data.id] = n.data; added.push(n.data.id); }
      });
      g.links.forEach(function (l) {
        var ends = [l.source, l.target].sort();
        var key = ends[0] + "|" + ends[1] + "|" + l.reason + "|" + l.value;
        if (!linkKeys[key]) { linkKeys[key] = true; links.push(l); }
      });
      return added;
    }
    learn(graph);

    var info = document.getElementById("graph-info");
    var asPoints = document.getElementById("as-points");
    var allLabels = document.getElementById("all-labels");
    var boxes = document.querySelectorAll("#graph-controls input[name=show]");
    Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (e) {
      e.hidden = false;
    });

    // The elements for the chart: records, and either one line per pair and reason, or
    // shared identifiers as points with a line to each record carrying them.
    function elements(points) {
      var out = [];
      Object.keys(records).forEach(function (id) {
        out.push({ group: "nodes", data: records[id] });
      });
      var edges = {};
      links.forEach(function (l) {
        if (points && l.via) {
          var vid = "via:" + l.via;
          if (!edges[vid]) {
            edges[vid] = true;
            out.push({ group: "nodes", data: { id: vid, kind: "via", reason: l.reason,
              label: l.value, short: l.value, value: l.value, carriers: 0 } });
          }
          [l.source, l.target].forEach(function (r) {
            var eid = "v|" + r + "|" + vid;
            var e = edges[eid];
            if (!e) {
              e = edges[eid] = { group: "edges", data: { id: eid, source: r, target: vid,
                reason: l.reason, label: l.label, short: l.short, texts: [], values: [l.value],
                weight: l.weight, strong: l.strong } };
              out.push(e);
            }
            e.data.strong = e.data.strong || l.strong;
            e.data.weight = Math.max(e.data.weight, l.weight);
          });
        } else {
          var ends = [l.source, l.target].sort();
          var pid = "p|" + ends[0] + "|" + ends[1] + "|" + l.reason;
          var p = edges[pid];
          if (!p) {
            p = edges[pid] = { group: "edges", data: { id: pid, source: ends[0], target: ends[1],
              reason: l.reason, label: l.label, short: l.short, texts: [], values: [],
              weight: l.weight, strong: l.strong } };
            out.push(p);
          }
          if (l.value && l.reason !== "person") { p.data.values.push(l.value); }
          if (l.text) { p.data.texts.push(l.text); }
          p.data.strong = p.data.strong || l.strong;
          p.data.weight = Math.max(p.data.weight, l.weight);
        }
      });
      return out;
    }

    function countEdges(points) {
      return elements(points).filter(function (e) { return e.group === "edges"; }).length;
    }
    // Identifiers as points by default when that draws fewer lines: a template shared by
    // 200 ads is one star rather than thousands of crossing lines.
    asPoints.checked = countEdges(true) < countEdges(false);

    var nRecords = Object.keys(records).length;
    var zoom = 1;
    function fontSize() { return FONT_PX / zoom; }
    function edgeFontSize() { return (FONT_PX - 1) / zoom; }
    function textWidth() { return 160 / zoom; }
    var style = [
      { selector: "node", style: {
        "label": "", "font-size": fontSize, "text-wrap": "ellipsis", "text-max-width": textWidth,
        "text-valign": "bottom", "text-margin-y": 3, "width": 20, "height": 20,
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1,
        "background-color": "#3b6ea5", "border-width": 1.5, "border-color": "#1f3f62" } },
      { selector: "node[kind = 'ad']", style: { "shape": "diamond", "width": 22, "height": 22,
        "background-color": "#c77d1a", "border-color": "#7a4a0a" } },
      { selector: "node[kind = 'case']", style: { "shape": "round-rectangle",
        "background-color": "#7a4fa0", "border-color": "#4a2c66" } },
      { selector: "node[kind = 'via']", style: { "shape": "round-rectangle", "width": 13, "height": 13,
        "background-color": "#fff", "border-width": 2.5, "color": "#333" } },
      { selector: "node.named", style: { "label": "data(short)" } },
      { selector: "node.named.full", style: { "label": "data(label)" } },
      { selector: "node[?start]", style: { "border-width": 4, "border-color": "#111", "label": "data(short)" } },
      { selector: "node.added", style: { "border-style": "dashed" } },
      { selector: "edge", style: {
        "width": 2, "line-color": "#888", "curve-style": "bezier", "opacity": 0.85,
        "font-size": edgeFontSize, "text-rotation": "autorotate", "color": "#222",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
      { selector: "edge[!strong]", style: { "opacity": 0.35 } },
      { selector: "edge.named", style: { "label": "data(short)" } },
      { selector: "node:selected", style: { "border-color": "#d00", "border-width": 4, "label": "data(label)", "z-index": 20 } },
      { selector: "node.hover", style: { "label": "data(label)", "z-index": 20 } },
      { selector: "edge:selected, edge.hover", style: { "label": "data(short)", "width": 4, "opacity": 1, "z-index": 20 } },
      { selector: ".faded", style: { "opacity": 0.15 } }
    ];
    Object.keys(KINDS).forEach(function (k) {
      var s = { "line-color": KINDS[k].color, "width": KINDS[k].width };
      if (KINDS[k].dash) { s["line-style"] = "dashed"; s["line-dash-pattern"] = KINDS[k].dash; }
      style.push({ selector: "edge[reason = '" + k + "']", style: s });
      style.push({ selector: "node[kind = 'via'][reason = '" + k + "']", style: { "border-color": KINDS[k].color } });
    });

    var cy = window.cytoscape({
      container: box,
      elements: elements(asPoints.checked),
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 3,
      style: style
    });
    // For tests and for anyone inspecting the chart from the console.
    window.clusterChart = cy;

    function layout(eles) {
      var n = eles.nodes().length;
      var big = n > 60;
      // cose is a force-directed layout: repulsion keeps points (and their names) apart,
      // springs keep linked ones near. These sizes make a chart of a few dozen points fit
      // its box at about its natural size, so names are readable without zooming; a
      // larger one gets shorter springs and fewer rounds (it is named on demand).
      var length = big ? 40 : 60, push = big ? 30000 : 80000;
      // An identifier or template shared by many records (a hub of the chart) pushes
      // harder and holds its records at a longer reach, so several hubs spread around
      // their records instead of piling their names up in the middle.
      function hub(n) { return n.data("kind") === "via" && n.degree() >= 10; }
      return eles.layout({
        name: "cose", animate: false, fit: true, padding: 24, randomize: true,
        idealEdgeLength: function (e) { return hub(e.source()) || hub(e.target()) ? 2 * length : length; },
        edgeElasticity: function () { return 100; },
        nodeRepulsion: function (n) { return hub(n) ? 12 * push : push; },
        nodeOverlap: 16, gravity: 60, numIter: big ? 1000 : 1500, componentSpacing: 60,
        initialTemp: 1000, coolingFactor: 0.99, minTemp: 1.0
      });
    }

    function hidden() {
      var off = {};
      Array.prototype.forEach.call(boxes, function (b) { if (!b.checked) { off[b.value] = true; } });
      return off;
    }

    // Names: all of them in a small chart, or on request; otherwise the start, the
    // selection and its neighbours, and what is pointed at.
    function name() {
      var small = nRecords <= NAME_ALL_UP_TO;
      var all = allLabels.checked || cy.zoom() >= NAME_ALL_FROM_ZOOM;
      cy.batch(function () {
        cy.nodes().removeClass("named full");
        cy.edges().removeClass("named");
        var sel = cy.$(":selected");
        if (all || small) {
          cy.nodes().addClass("named");
          if (nRecords <= 12) { cy.nodes().addClass("full"); }
        } else {
          var around = sel.closedNeighborhood().nodes();
          (around.length <= 20 ? around : sel.nodes()).addClass("named");
          cy.nodes("[kind = 'via']").filter(function (v) { return v.degree() >= 3; }).addClass("named");
        }
        // A line to an identifier's point needs no name: the point has it.
        var direct = cy.edges(":visible").filter(function (e) { return e.target().data("kind") !== "via"; });
        // More than a dozen named lines overlap in the middle of a force layout; the key
        // and the colours say the reason, and selecting shows the name.
        if (direct.length <= 12) { direct.addClass("named"); }
        sel.edges().addClass("named");
        if (sel.nodes().length && sel.connectedEdges().length <= 8) { sel.connectedEdges().addClass("named"); }
      });
    }

    function applyFilter() {
      var off = hidden();
      cy.batch(function () {
        cy.elements().forEach(function (e) {
          var r = e.data("reason");
          if (r && (e.isEdge() || e.data("kind") === "via")) {
            e.style("display", off[r] ? "none" : "element");
          }
        });
      });
      name();
    }

    function rebuild() {
      cy.elements().remove();
      cy.add(elements(asPoints.checked));
      applyFilter();
      layout(cy.elements()).run();
      zoom = cy.zoom();
      cy.style().update();
      name();
    }

    function show(target) {
      while (info.firstChild) { info.removeChild(info.firstChild); }
      if (!target) { info.appendChild(el("p", "Select a record or a line.", "muted")); return; }
      var d = target.data();
      if (target.isEdge()) {
        var a = cy.getElementById(d.source).data(), b = cy.getElementById(d.target).data();
        info.appendChild(el("h3", d.label));
        info.appendChild(el("p", a.label + " — " + b.label));
        var ul = el("ul", null, "evidence");
        (d.values || []).forEach(function (v) { ul.appendChild(el("li", v)); });
        (d.texts || []).forEach(function (t) { ul.appendChild(el("li", t)); });
        if (ul.firstChild) { info.appendChild(ul); }
        info.appendChild(el("p", "Weight " + d.weight.toFixed(2) + (d.strong ? "" : " (weak)"), "muted"));
        return;
      }
      if (d.kind === "via") {
        info.appendChild(el("h3", (NAMES[d.reason] || "Shared") + ": " + d.value));
        var carriers = target.neighborhood("node");
        info.appendChild(el("p", "Shared by " + carriers.length + " record" + (carriers.length === 1 ? "" : "s") + " in the chart."));
        if (d.reason !== "template") {
          var ia = el("a", "Every record carrying it");
          ia.href = "/links/identifier/" + encodeURIComponent(d.reason) + "/" + encodeURIComponent(d.value);
          info.appendChild(el("p")).appendChild(ia);
        }
        return;
      }
      info.appendChild(el("h3", d.label));
      var facts = [d.date, d.states].filter(Boolean).join(" · ");
      if (facts) { info.appendChild(el("p", facts, "muted")); }
      var byKind = {};
      target.connectedEdges(":visible").forEach(function (e) {
        var k = NAMES[e.data("reason")] || "Other";
        byKind[k] = (byKind[k] || 0) + 1;
      });
      var kinds = Object.keys(byKind).map(function (k) { return k.toLowerCase() + " " + byKind[k]; });
      if (kinds.length) { info.appendChild(el("p", "Lines in the chart: " + kinds.join(", ") + ".")); }
      var open = el("a", d.href !== d.links ? "Open it" : "Its links and why");
      open.href = d.href;
      var why = el("a", "Why linked");
      why.href = d.links;
      var p = el("p");
      p.appendChild(open);
      if (d.href !== d.links) { p.appendChild(document.createTextNode(" · ")); p.appendChild(why); }
      info.appendChild(p);
      var btn = el("button", "Add its links", "secondary");
      btn.type = "button";
      btn.addEventListener("click", function () { expand(target, btn); });
      info.appendChild(el("p")).appendChild(btn);
    }

    // Adds a record's links (weak ones and those beyond the cluster too) around it.
    function expand(node, btn) {
      btn.disabled = true;
      btn.textContent = "Adding…";
      fetch(node.data("around"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (g) {
          var before = {};
          cy.elements().forEach(function (e) { before[e.id()] = true; });
          var addedRecords = learn(g);
          nRecords = Object.keys(records).length;
          var fresh = elements(asPoints.checked).filter(function (e) { return !before[e.data.id]; });
          var added = cy.add(fresh);
          var newNodes = added.nodes();
          var c = node.position();
          var r = 70 + 6 * newNodes.length;
          newNodes.forEach(function (n, i) {
            var t = 2 * Math.PI * i / Math.max(1, newNodes.length);
            n.position({ x: c.x + r * Math.cos(t), y: c.y + r * Math.sin(t) });
            if (addedRecords.indexOf(n.id()) >= 0) { n.addClass("added"); }
          });
          applyFilter();
          btn.textContent = addedRecords.length
            ? "Added " + addedRecords.length + " record" + (addedRecords.length === 1 ? "" : "s")
            : "No other links";
          cy.animate({ fit: { eles: node.closedNeighborhood().union(newNodes), padding: 40 } }, { duration: 300 });
        })
        .catch(function () { btn.disabled = false; btn.textContent = "Could not add its links; try again"; });
    }

    // Names keep their size on screen, and a chart zoomed in far enough names everything.
    var pending = false;
    cy.on("zoom", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        zoom = cy.zoom();
        cy.style().update();
        name();
      });
    });
    cy.on("mouseover", "node, edge", function (e) { e.target.addClass("hover"); });
    cy.on("mouseout", "node, edge", function (e) { e.target.removeClass("hover"); });
    cy.on("select", "node, edge", function (e) { show(e.target); name(); });
    cy.on("unselect", "node, edge", function () { if (!cy.$(":selected").length) { show(null); } name(); });
    Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", applyFilter); });
    asPoints.addEventListener("change", rebuild);
    allLabels.addEventListener("change", name);
    document.getElementById("graph-fit").addEventListener("click", function () { cy.fit(undefined, 24); });

    applyFilter();
    layout(cy.elements()).run();
    zoom = cy.zoom();
    cy.style().update();
    name();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
