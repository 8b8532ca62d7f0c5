/* msglint report: popovers, filters and table sorting. Progressive enhancement only: with the
   script off, every finding is still listed and linked. Reads the DOM only; never parses HTML
   from strings (no innerHTML), so the copy it shows stays text. */
(function () {
  "use strict";
  var doc = document;
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); };
  doc.documentElement.classList.add("js");
  $$("[data-filters], .js-only").forEach(function (el) { el.hidden = false; });

  /* ---------------------------------------------------------------- popover */
  var pop = doc.createElement("div");
  pop.className = "pop";
  pop.hidden = true;
  pop.setAttribute("aria-hidden", "true"); /* a visual copy; markers are aria-describedby the list */
  doc.body.appendChild(pop);
  var pinned = null, shownFor = null, timer = 0;

  function detailOf(fid) { return doc.getElementById("d" + fid.slice(1)); }
  function idsOf(el) { return (el.getAttribute("data-refs") || el.getAttribute("data-finding-id") || "").split(" ").filter(Boolean); }
  function clearHot() { $$("mark.hot").forEach(function (m) { m.classList.remove("hot"); }); }

  function show(el) {
    clearTimeout(timer);
    var cards = idsOf(el).map(detailOf).filter(function (d) { return d && !d.hidden; });
    var drivers = doc.body.classList.contains("no-drivers") ? [] : el.msglintDrivers || [];
    if (!cards.length && !drivers.length) { return; }
    while (pop.firstChild) { pop.removeChild(pop.firstChild); }
    if (pinned) {
      var close = doc.createElement("button");
      close.type = "button"; close.className = "pop-close"; close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Close");
      close.tabIndex = -1; /* the popover is a visual copy; keyboard users press Escape */
      close.addEventListener("click", function () { hide(true); });
      pop.appendChild(close);
    }
    cards.forEach(function (card) {
      var copy = card.cloneNode(true);
      copy.removeAttribute("id");
      copy.removeAttribute("data-detail");
      copy.removeAttribute("data-finding");
      copy.removeAttribute("data-finding-id");
      $$("[id]", copy).forEach(function (n) { n.removeAttribute("id"); });
      pop.appendChild(copy);
    });
    drivers.forEach(function (line) {
      var note = doc.createElement("p");
      note.className = "pop-drv";
      note.textContent = line;
      pop.appendChild(note);
    });
    clearHot();
    if (el.classList.contains("mk")) {
      var fid = el.getAttribute("data-finding-id");
      $$("mark[data-refs]").forEach(function (m) {
        if ((" " + m.getAttribute("data-refs") + " ").indexOf(" " + fid + " ") >= 0) { m.classList.add("hot"); }
      });
    }
    pop.hidden = false;
    shownFor = el;
    var r = el.getBoundingClientRect();
    var width = pop.offsetWidth, vw = doc.documentElement.clientWidth;
    var left = Math.max(8, Math.min(r.left, vw - width - 8));
    var top = r.bottom + 6;
    if (top + pop.offsetHeight > window.innerHeight && r.top - pop.offsetHeight - 6 > 0) {
      top = r.top - pop.offsetHeight - 6;
    }
    pop.style.left = (left + window.scrollX) + "px";
    pop.style.top = (top + window.scrollY) + "px";
  }
  function hide(force) {
    if (pinned && !force) { return; }
    if (pinned) { pinned.classList.remove("open"); }
    pinned = null; shownFor = null;
    pop.hidden = true;
    clearHot();
  }
  function later() { clearTimeout(timer); timer = setTimeout(function () { hide(false); }, 250); }

  $$("a.mk").forEach(function (mk) {
    mk.addEventListener("click", function (ev) {
      ev.preventDefault();
      if (pinned === mk) { hide(true); return; }
      if (pinned) { hide(true); }
      pinned = mk; mk.classList.add("open");
      show(mk);
    });
    mk.addEventListener("focus", function () { if (!pinned) { show(mk); } });
    mk.addEventListener("blur", function () { if (!pinned) { later(); } });
    mk.addEventListener("mouseenter", function () { if (!pinned) { show(mk); } });
    mk.addEventListener("mouseleave", function () { if (!pinned) { later(); } });
  });
  $$("mark[data-refs], mark[data-role=driver]").forEach(function (m) {
    /* the popover replaces the native tooltip; it keeps the tooltip's driver mentions. Where a
       driver mention starts, the mark is a Tab stop (aria-describedby its note): focus shows it */
    m.msglintDrivers = (m.getAttribute("title") || "").split("; ").filter(function (t) {
      return t.indexOf("Driver: ") === 0;
    });
    m.removeAttribute("title");
    m.addEventListener("mouseenter", function () { if (!pinned) { show(m); } });
    m.addEventListener("mouseleave", function () { if (!pinned) { later(); } });
    m.addEventListener("focus", function () { if (!pinned) { show(m); } });
    m.addEventListener("blur", function () { if (!pinned) { later(); } });
    m.addEventListener("click", function () {
      var first = idsOf(m).map(function (f) { return doc.getElementById("m" + f.slice(1)); })
        .filter(function (x) { return x && !x.hidden; })[0];
      if (first) { first.focus(); first.click(); }
    });
  });
  pop.addEventListener("mouseenter", function () { clearTimeout(timer); });
  pop.addEventListener("mouseleave", function () { if (!pinned) { later(); } });
  doc.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !pop.hidden) {
      var back = pinned || shownFor;
      hide(true);
      if (back && back.focus) { back.focus(); }
    }
  });
  doc.addEventListener("click", function (ev) {
    if (pinned && !pop.contains(ev.target) && !pinned.contains(ev.target)) { hide(true); }
  });
  window.addEventListener("resize", function () { if (!pop.hidden && shownFor) { show(shownFor); } });

  /* ---------------------------------------------------------------- filters */
  var filters = doc.querySelector("[data-filters]");
  var sevOf = {};
  $$("a.mk, [data-finding]").forEach(function (el) { sevOf[el.getAttribute("data-finding-id")] = el.getAttribute("data-severity"); });
  var rank = { info: 0, warning: 1, error: 2 };

  var note = doc.querySelector(".filter-note");

  function apply() {
    var sev = {}, rule = "", theme = "", drivers = true, said = [], sevOn = [], sevAll = 0;
    $$("[data-filter]", filters).forEach(function (c) {
      var kind = c.getAttribute("data-filter");
      if (kind === "severity") { sev[c.value] = c.checked; sevAll += 1; if (c.checked) { sevOn.push(c.value); } }
      else if (kind === "rule") { rule = c.value; if (rule) { said.push("check: " + c.options[c.selectedIndex].text); } }
      else if (kind === "theme") { theme = c.value; if (theme) { said.push("theme: " + c.options[c.selectedIndex].text); } }
      else if (kind === "drivers") { drivers = c.checked; }
    });
    if (sevOn.length < sevAll) { said.unshift("severity: " + (sevOn.join(", ") || "none")); }
    var visible = {}, total = 0, shown = 0;
    $$("[data-finding-id]").forEach(function (el) {
      var ok = !!sev[el.getAttribute("data-severity")] &&
        (!rule || (el.getAttribute("data-finding") || el.getAttribute("data-detail")) === rule) &&
        (!theme || el.getAttribute("data-theme") === theme);
      el.hidden = !ok;
      var fid = el.getAttribute("data-finding-id");
      if (ok) { visible[fid] = true; }
    });
    Object.keys(sevOf).forEach(function (fid) { total += 1; if (visible[fid]) { shown += 1; } });
    $$("mark[data-refs]").forEach(function (m) {
      var best = "";
      m.getAttribute("data-refs").split(" ").forEach(function (fid) {
        if (visible[fid] && (!best || rank[sevOf[fid]] > rank[best])) { best = sevOf[fid]; }
      });
      m.classList.remove("s-error", "s-warning", "s-info");
      if (best) { m.classList.add("s-" + best); }
    });
    /* a file's counts (its findings, those in the copy) follow the filters and say so */
    $$(".n-of").forEach(function (n) {
      if (n.msglintText === undefined) { n.msglintText = n.textContent; }
      var cards = $$("li.det", n.closest("section") || n.closest("article"));
      var seen = cards.filter(function (c) { return !c.hidden; }).length;
      n.textContent = seen === cards.length ? n.msglintText : seen + " of " + n.msglintText + " match the filters";
    });
    $$(".none-match").forEach(function (p) {
      p.hidden = $$("li.det", p.parentNode).some(function (c) { return !c.hidden; });
    });
    doc.body.classList.toggle("no-drivers", !drivers);
    $$("mark[data-role=driver][tabindex]").forEach(function (m) { m.tabIndex = drivers ? 0 : -1; });
    var out = filters.querySelector("[data-filter-count]");
    if (out) { out.textContent = shown === total ? total + (total === 1 ? " finding" : " findings") : "Showing " + shown + " of " + total + " findings"; }
    /* The filter bar is not printed: paper says what the filters leave out (nothing when none is on) */
    var noDrivers = !drivers && !!doc.querySelector("mark[data-role=driver]");
    if (noDrivers) { said.push("driver highlights hidden"); }
    if (note) {
      note.hidden = shown === total && !noDrivers;
      note.textContent = note.hidden ? "" : "Filtered: showing " + (shown === total ? "all " + total : shown + " of " + total) +
        (total === 1 ? " finding" : " findings") + " (" + said.join("; ") + ")";
    }
    hide(true);
  }
  /* From 900 px up the filter bar sticks to the top of the window: keep the target of a jump
     (a file from the nav or the files table, a card) below it, not under it. */
  function padForFilters() {
    var sticky = filters && getComputedStyle(filters).position === "sticky";
    doc.documentElement.style.scrollPaddingTop = sticky ? (filters.offsetHeight + 8) + "px" : "";
  }
  if (filters) {
    $$("[data-filter]", filters).forEach(function (c) { c.addEventListener("change", apply); });
    padForFilters();
    window.addEventListener("resize", padForFilters);
  }

  /* ---------------------------------------------------------------- sortable tables */
  $$("table[data-sortable]").forEach(function (table) {
    var heads = $$("thead th", table);
    heads.forEach(function (th, col) {
      var btn = th.querySelector("button[data-sort]");
      if (!btn) { return; }
      btn.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.getAttribute("data-type") === "number";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (r, i) { r._i = i; });
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-sort-value") || "";
          var y = b.cells[col].getAttribute("data-sort-value") || "";
          if (x === "" || y === "") { return x === y ? a._i - b._i : (x === "" ? 1 : -1); } /* blanks last */
          var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
          return (asc ? c : -c) || a._i - b._i;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
