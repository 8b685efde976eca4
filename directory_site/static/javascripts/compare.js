// Compare two to four partners side by side: reads data/compare/<slug>.json and builds the
// table with textContent only (no HTML from the data ever reaches the page as markup).
(function () {
  "use strict";
  var root = document.getElementById("vouch-compare");
  if (!root) { return; }
  var base = root.getAttribute("data-base") || "";
  var params = new URLSearchParams(window.location.search);
  var picked = (params.get("p") || "").split(",").filter(function (s) { return /^[a-z0-9-]{1,80}$/.test(s); }).slice(0, 4);
  var input = document.getElementById("vouch-compare-add");
  var form = document.getElementById("vouch-compare-form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var slug = (input.value || "").trim().toLowerCase();
    var chosen = names[slug] || slug;
    if (picked.indexOf(chosen) < 0 && picked.length < 4) { picked.push(chosen); }
    window.location.search = "?p=" + picked.join(",");
  });
  var names = {};
  fetch(base + "data/names.json").then(function (r) { return r.json(); }).then(function (all) {
    var list = document.getElementById("vouch-partner-names");
    all.forEach(function (item) {
      names[item.name.toLowerCase()] = item.slug;
      var option = document.createElement("option");
      option.value = item.name;
      list.appendChild(option);
    });
  });
  if (!picked.length) { return; }
  Promise.all(picked.map(function (slug) {
    return fetch(base + "data/compare/" + slug + ".json").then(function (r) { return r.ok ? r.json() : null; });
  })).then(function (found) {
    var partners = found.filter(Boolean);
    var table = document.createElement("table");
    table.className = "vouch-compare";
    var head = table.createTHead().insertRow();
    var corner = document.createElement("th");
    corner.textContent = "Figure";
    corner.scope = "col";
    head.appendChild(corner);
    partners.forEach(function (p) {
      var th = document.createElement("th");
      th.scope = "col";
      var a = document.createElement("a");
      a.href = base + "partners/" + p.slug + ".html";
      a.textContent = p.name;
      th.appendChild(a);
      head.appendChild(th);
    });
    var body = table.createTBody();
    var rows = partners.length ? Object.keys(partners[0].rows) : [];
    rows.forEach(function (label) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      row.appendChild(th);
      partners.forEach(function (p) { row.insertCell().textContent = p.rows[label]; });
    });
    root.appendChild(table);
  });
})();
