// The review page's CSS and JavaScript, as the page embeds them. Kept small and free of any
// library: a reviewer's browser may be old, offline, or both. Without JavaScript the page still
// shows everything; the script only sorts, searches, and reports its own errors in the page.
#include "review_assets.hpp"

namespace cohort_sync::review {

const std::string_view k_review_style = R"css(
:root{--add:#1a7f37;--remove:#c62828;--muted:#57606a;--line:#d8dee4;--bg:#f6f8fa;--danger-bg:#fdecea;--ok-bg:#e6f4ea;--warn-bg:#fff4e5}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;color:#1f2328;background:#fff}
header,main,footer{max-width:76rem;margin:0 auto;padding:0 1rem}
h1{font-size:1.6rem;margin:1.2rem 0 .2rem}
h2{font-size:1.25rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
.subtitle,.origin{color:var(--muted);margin:.2rem 0}
.verdict{font-weight:600;padding:.7rem 1rem;border-radius:6px;margin:1rem 0}
.verdict.refused{background:var(--danger-bg);color:#8a1c1c;border-left:5px solid var(--remove)}
.verdict.forced{background:var(--warn-bg);border-left:5px solid #b26a00}
.verdict.ok{background:var(--ok-bg);border-left:5px solid var(--add)}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem;min-width:9rem;background:var(--bg)}
.tile b{display:block;font-size:1.5rem}
.tile.add b{color:var(--add)}
.tile.remove b,.tile.danger b{color:var(--remove)}
.tile.danger{background:var(--danger-bg)}
.notice{background:var(--warn-bg);padding:.5rem .8rem;border-radius:6px}
.danger{background:var(--danger-bg)}
p.danger{padding:.5rem .8rem;border-radius:6px;font-weight:600}
#js-errors{background:var(--danger-bg);white-space:pre-wrap;padding:.5rem}
nav{position:sticky;top:0;z-index:1;background:#fff;border-bottom:1px solid var(--line);padding:.4rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;justify-content:center}
nav a{color:#0b57d0;text-decoration:none}
nav input{font:inherit;padding:.2rem .5rem;width:18rem}
#search-count{color:var(--muted)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg)}
td{overflow-wrap:anywhere}
table.members{table-layout:fixed}
table.members th:nth-child(1){width:12rem}
table.members th:nth-child(2){width:10rem}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" \25B2"}
table.sortable th[aria-sort=descending]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.plus{color:var(--add);font-weight:600}
.minus{color:var(--remove);font-weight:600}
tr.tripped td{background:var(--danger-bg);font-weight:600}
details{margin:.3rem 0}
summary{cursor:pointer}
details.cohort{border:1px solid var(--line);border-radius:6px;padding:.3rem .6rem}
details.cohort[open]{background:#fcfcfd}
.cid{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.cname,.sizes,.rename,.left-out,.note{color:var(--muted)}
.sizes,.note{font-size:.9em}
.rename,.left-out{font-style:italic}
.badge{background:#ddf4ff;color:#0550ae;border-radius:1em;padding:0 .5em;font-size:.85em}
.chart{margin:1rem 0}
.chart figcaption{font-weight:600;margin-bottom:.3rem}
.bar-row{display:grid;grid-template-columns:minmax(8rem,16rem) 1fr 9rem;gap:.6rem;align-items:center;margin:.15rem 0}
.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
.bar-track{display:flex;height:.9rem;background:var(--bg);border-radius:3px;overflow:hidden}
.bar-add{background:var(--add)}
.bar-remove{background:var(--remove)}
.sort button{font:inherit;margin-left:.3rem}
footer{color:var(--muted);margin-top:3rem;margin-bottom:2rem;border-top:1px solid var(--line);padding-top:1rem}
[hidden]{display:none!important}
@media print{nav,.sort,#js-errors{display:none}}
)css";

const std::string_view k_review_script = R"js(
(function () {
  "use strict";
  var body = document.body;
  var errors = document.getElementById("js-errors");
  // An error shows in the page itself (and in the DOM the tests read), not only in a console
  // that nobody reviewing the plan opens.
  window.addEventListener("error", function (event) {
    errors.hidden = false;
    errors.textContent += "JavaScript: " + event.message + "\n";
    body.setAttribute("data-js-error", "yes");
  });

  function moveInOrder(parent, children) {
    var fragment = document.createDocumentFragment();
    children.forEach(function (child) { fragment.appendChild(child); });
    parent.appendChild(fragment);
  }

  // Tables: a click on a heading sorts by that column; numbers (data-v) largest first.
  function cellValue(row, column) {
    var cell = row.cells[column];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-v");
    return value === null ? cell.textContent.toLowerCase() : Number(value);
  }
  function sortTable(table, heading) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    if (rows.length === 0) { return; }
    var column = heading.cellIndex;
    var current = heading.getAttribute("aria-sort");
    var descending = current ? current === "ascending" : typeof cellValue(rows[0], column) === "number";
    rows.sort(function (a, b) {
      var x = cellValue(a, column), y = cellValue(b, column);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    var headings = heading.parentNode.cells;
    for (var i = 0; i < headings.length; i++) { headings[i].removeAttribute("aria-sort"); }
    heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
    moveInOrder(table.tBodies[0], rows);
  }
  document.addEventListener("click", function (event) {
    var heading = event.target.closest("table.sortable th");
    if (heading) { sortTable(heading.closest("table"), heading); }
  });
  var tables = document.querySelectorAll("table.sortable");
  for (var t = 0; t < tables.length; t++) { tables[t].setAttribute("data-sortable", "ready"); }

  // The cohorts: sorted by removals, additions, size after the plan, or name.
  var list = document.getElementById("cohort-list");
  if (list) {
    var buttons = document.querySelectorAll("button[data-sort]");
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener("click", function () {
        var key = this.getAttribute("data-sort");
        var cohorts = Array.prototype.slice.call(list.children);
        cohorts.sort(function (x, y) {
          if (key === "name") {
            var p = x.getAttribute("data-name"), q = y.getAttribute("data-name");
            return p < q ? -1 : p > q ? 1 : 0;
          }
          return Number(y.getAttribute("data-" + key)) - Number(x.getAttribute("data-" + key));
        });
        moveInOrder(list, cohorts);
      });
    }
    list.setAttribute("data-sortable", "ready");
  }

  // Search: by login, student number or étape, in every list of the page.
  var search = document.getElementById("search");
  var count = document.getElementById("search-count");
  var rows = document.querySelectorAll("tr[data-k]");
  var groups = document.querySelectorAll("details.cohort, details.list");
  function filter() {
    var query = search.value.trim().toLowerCase();
    var matches = 0;
    for (var r = 0; r < rows.length; r++) {
      var hit = query === "" || rows[r].getAttribute("data-k").indexOf(query) >= 0;
      rows[r].hidden = !hit;
      if (hit && query !== "") { matches++; }
    }
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      var key = group.getAttribute("data-k");
      var named = query !== "" && key !== null && key.indexOf(query) >= 0;
      if (named) {
        var inside = group.querySelectorAll("tr[data-k]");
        for (var k = 0; k < inside.length; k++) { inside[k].hidden = false; }
      }
      var holds = query !== "" && group.querySelector("tr[data-k]:not([hidden])") !== null;
      if (group.classList.contains("cohort")) { group.hidden = query !== "" && !named && !holds; }
      if (holds) { group.open = true; }
    }
    count.textContent = query === "" ? "" : count.getAttribute("data-template").replace("{}", matches);
  }
  var pending = 0;
  search.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(filter, 150);
  });
  search.disabled = false;
  // page.html#q=22800123 opens on that student's lines: a link a reviewer can mail.
  var linked = /^#q=(.+)$/.exec(window.location.hash);
  if (linked) {
    search.value = decodeURIComponent(linked[1]);
    filter();
  }
  // How long the page took to open (parsing, this script, a first layout), for bench/run.
  void body.offsetHeight;
  body.setAttribute("data-ready-ms", String(Math.round(window.performance.now())));
  body.setAttribute("data-review-ready", "yes");
})();
)js";

} // namespace cohort_sync::review
