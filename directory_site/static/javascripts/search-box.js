// The header's search box (overrides/partials/header.html). Served by `vouch serve`, it asks
// the API's search (GET graphql beside the site): every word must match, typos are
// forgiven, the API's ranking. Without the API (a static host, or the API away) it reads
// Pagefind's chunked index in pagefind/ (directory_site/search_box.py), which fetches only
// the chunks a query needs. Text from either reaches the page through textContent only.
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
  var api = true; // until it fails once: then Pagefind for the rest of the page's life
  var pagefind = null;
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

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return Promise.resolve(module.options({ basePath: new URL("pagefind/", root).href }))
          .then(function () { return module; });
      });
    }
    return pagefind;
  }

  // Pagefind leaves out of a search a word no partner has (not even its first letters), so
  // "qqqzzz digital" would find every "digital" partner: each word is searched alone first
  // (from the same chunks), and a word that finds no one means no partner has every word.
  function fromPagefind(words) {
    return loadPagefind().then(function (module) {
      var each = words.replace(/"/g, " ").split(/\s+/).filter(Boolean);
      return Promise.all(each.map(function (word) { return module.search(word); }))
        .then(function (alone) {
          var missing = alone.some(function (found) { return !found || !found.results.length; });
          return missing ? { results: [] } : module.search(words);
        });
    }).then(function (found) {
      var results = found ? found.results : [];
      return Promise.all(results.slice(0, SHOWN).map(function (result) { return result.data(); }))
        .then(function (records) {
          return {
            total: results.length,
            hits: records.map(function (record) {
              return {
                // Records name their page from the site's root ("/partners/x.html").
                href: new URL(String(record.url).replace(/^\/+/, ""), root).href,
                name: record.meta.title || "",
                summary: record.meta.summary || ""
              };
            })
          };
        });
    });
  }

  function search(words) {
    if (!api) { return fromPagefind(words); }
    return fromApi(words).catch(function () {
      api = false;
      return fromPagefind(words);
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
