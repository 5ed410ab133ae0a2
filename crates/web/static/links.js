// The cluster graph of /links/cluster/…: reads the graph the page embeds as JSON (the
// Content-Security-Policy allows no inline script) and draws it with the vendored
// cytoscape.js. Selecting a record opens it. The page lists the same records and links
// in tables, for keyboards and screen readers.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("cluster-data");
    var box = document.getElementById("cluster-graph");
    if (!data || !box || typeof window.cytoscape !== "function") { return; }
    var graph;
    try { graph = JSON.parse(data.textContent); } catch (e) { return; }
    // A large graph shows short names; the full one appears on the record under the
    // pointer or selected.
    var large = graph.nodes.length > 15;
    var cy = window.cytoscape({
      container: box,
      elements: { nodes: graph.nodes, edges: graph.edges },
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "label": large ? "data(short)" : "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120,
          "text-valign": "bottom", "text-margin-y": 4, "width": 22, "height": 22,
          "background-color": "#3b6ea5", "border-width": 1, "border-color": "#1f3f62" } },
        { selector: "node[kind = 'ad']", style: { "shape": "diamond", "background-color": "#c77d1a", "border-color": "#7a4a0a" } },
        { selector: "node[kind = 'case']", style: { "shape": "round-rectangle", "background-color": "#7a4fa0", "border-color": "#4a2c66" } },
        { selector: "node[?start]", style: { "border-width": 4, "border-color": "#111" } },
        { selector: "edge", style: {
          "width": "mapData(weight, 0, 1, 1, 5)", "line-color": "#8a8f98", "curve-style": "haystack", "opacity": 0.8 } },
        { selector: "edge[!strong]", style: { "line-style": "dotted", "opacity": 0.35 } },
        { selector: "edge:selected", style: { "label": "data(label)", "font-size": 9, "text-wrap": "wrap",
          "text-max-width": 200, "line-color": "#222" } },
        { selector: "node:selected, node.hover", style: { "label": "data(label)", "z-index": 10,
          "text-background-color": "#fff", "text-background-opacity": 0.9, "font-size": 11 } },
        { selector: "node:selected", style: { "border-color": "#d00", "border-width": 4 } }
      ],
      layout: graph.nodes.length > 120
        ? { name: "concentric", animate: false, padding: 20 }
        : { name: "cose", animate: false, padding: 20, nodeRepulsion: function () { return 12000; },
            idealEdgeLength: function () { return 70; }, randomize: false }
    });
    cy.on("mouseover", "node", function (e) { e.target.addClass("hover"); });
    cy.on("mouseout", "node", function (e) { e.target.removeClass("hover"); });
    cy.on("tap", "node", function (e) {
      var href = e.target.data("href");
      if (href && href.charAt(0) === "/") { window.location.assign(href); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
