// The header's search box (overrides/partials/header.html). Served by `vouch serve`, it asks
// the API's search (GET graphql beside the site): every word must match, typos are
// forgiven, the API's ranking. Without the API (a static host, or the API away) it reads
// the site's own static index in vouch-search/ by the same rules (static-search.js), which
// fetches only the files a query needs. Text from either reaches the page through
// textContent only.
(function () {
  "use strict";
  var form = document.querySelector("form.vouch-search");
  if (!form || !document.currentScript) { return; }
  // This file is <root>/javascripts/search-box.js on every page.
  var root = new URL("..", document.currentScript.src);
  var input = form.querySelector(".vouch-search__input");
  var panel = form.querySelector(".vouch-search__results");
  var status = form.querySelector(".vouch-search__status");
  var list = form.querySelector(".vouch-search__list");
  var SHOWN = 10;
  var WAIT_MS = 200;
  var QUERY = "query SiteSearch($words: String!) { search(query: $words, first: " + SHOWN +
    ") { totalCount edges { node { slug name summary } } } }";
  var api = true; // until it fails once: then the static index for the rest of the page's life
  var latest = 0;
  var timer = 0;

  form.hidden = false;

  function fromApi(words) {
    var url = new URL("graphql", root);
    url.searchParams.set("query", QUERY);
    url.searchParams.set("variables", JSON.stringify({ words: words }));
    return fetch(url.href, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error("the API answered " + response.status); }
      return response.json();
    }).then(function (body) {
      var found = body && body.data && body.data.search;
      if (!found || body.errors) { throw new Error("the API did not search"); }
      return {
        total: found.totalCount,
        hits: found.edges.map(function (edge) {
          return {
            href: new URL("partners/" + encodeURIComponent(edge.node.slug) + ".html", root).href,
            name: edge.node.name,
            summary: edge.node.summary || ""
          };
        })
      };
    });
  }

  // The static index (static-search.js): the API's rules, in files fetched as needed.
  function fromStatic(words) {
    var module = import(new URL("javascripts/static-search.js", root).href);
    return module.then(function (found) {
      return found.search(new URL("vouch-search/", root).href, words, SHOWN);
    }).then(function (found) {
      return {
        total: found.total,
        hits: found.hits.map(function (record) {
          return {
            href: new URL(record.location, root).href,
            name: record.name,
            summary: record.summary || ""
          };
        })
      };
    });
  }

  function search(words) {
    if (!api) { return fromStatic(words); }
    return fromApi(words).catch(function () {
      api = false;
      return fromStatic(words);
    });
  }

  function hit(found) {
    var item = document.createElement("li");
    item.className = "vouch-search__hit";
    var link = document.createElement("a");
    link.href = found.href;
    link.textContent = found.name;
    item.appendChild(link);
    if (found.summary) {
      var line = document.createElement("span");
      line.className = "vouch-search__summary";
      line.textContent = found.summary;
      item.appendChild(line);
    }
    return item;
  }

  function show(found) {
    var hits = found.hits || [];
    if (found.error) {
      status.textContent = found.error;
    } else if (!found.total) {
      status.textContent = "No partner matches every word.";
    } else {
      var more = found.total > hits.length ? ", the first " + hits.length + " shown" : "";
      status.textContent = found.total + (found.total === 1 ? " partner" : " partners") + more;
    }
    list.replaceChildren.apply(list, hits.map(hit));
    panel.hidden = false;
  }

  function close() {
    panel.hidden = true;
  }

  function run() {
    var words = input.value.trim();
    var ticket = ++latest;
    if (!words) { close(); return; }
    search(words).catch(function () {
      return { error: "Search is unavailable just now.", total: 0, hits: [] };
    }).then(function (found) {
      if (ticket === latest) { show(found); } // an older answer never replaces a newer one
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, WAIT_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    run();
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); input.focus(); }
  });
  input.addEventListener("focus", function () {
    if (input.value.trim() && list.childElementCount) { panel.hidden = false; }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) { close(); }
  });
})();
