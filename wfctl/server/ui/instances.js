// The instances page: counts by status (click to filter), filters held in the URL, a keyset
// paged table newest first, refreshed by polling without losing scroll, focus or filters.
"use strict";

(function () {
  const { el } = WF;
  const PAGE_SIZE = 50;
  const POLL_MS = 2000;
  const AGES = [["", "any age"], ["300", "last 5 min"], ["3600", "last hour"], ["86400", "last day"], ["604800", "last week"]];
  const FILTERS = ["status", "name", "idPrefix", "maxAge", "cursor"];

  function readFilters() {
    const q = new URLSearchParams(location.search);
    const f = {};
    for (const k of FILTERS) f[k] = q.get(k) || "";
    return f;
  }

  function urlFor(f) {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
    const s = q.toString();
    return "/" + (s ? "?" + s : "");
  }

  let view = null; // the page's live parts, rebuilt on each navigation

  WF.instancesPage = function instancesPage(main) {
    if (view) view.stop();
    const f = readFilters();
    const counts = el("div", { class: "counts", role: "group", "aria-label": "Instances by status" });
    const form = filterForm(f);
    const tbody = el("tbody");
    const table = el(
      "table",
      { class: "instances" },
      el("caption", { class: "sr-only" }, "Workflow instances, newest first"),
      el("thead", {}, el("tr", {}, ...["Name", "ID", "Status", "Custom status", "Created", "Age"].map((h, i) => el("th", { scope: "col", class: "c" + i }, h)))),
      tbody
    );
    const empty = el("p", { class: "muted empty", hidden: true }, "No instances match these filters.");
    const error = el("p", { class: "error", role: "alert" });
    const pager = el("nav", { class: "pager", "aria-label": "Pages" });
    const live = el("label", { class: "live" }, el("input", { type: "checkbox", id: "live", checked: true }), " live");
    main.replaceChildren(
      el("h1", {}, "Instances"),
      counts,
      form,
      el("div", { class: "toolbar" }, live, el("span", { id: "shown", class: "muted", "aria-live": "polite" })),
      error,
      el("div", { class: "scroll-x" }, table),
      empty,
      pager
    );
    let rows = new Map();
    let order = "";

    async function refresh() {
      const [c, p] = await Promise.all([
        WF.api("GET", "/wfctl/v1/counts"),
        WF.api("GET", "/wfctl/v1/page", {
          query: { status: f.status, name: f.name, idPrefix: f.idPrefix, maxAge: f.maxAge, cursor: f.cursor, limit: PAGE_SIZE },
        }),
      ]);
      error.textContent = "";
      drawCounts(counts, c, f);
      drawRows(p.instances);
      drawPager(pager, f, p.next);
      empty.hidden = p.instances.length > 0;
      document.getElementById("shown").textContent = `${p.instances.length} shown` + (f.cursor ? " (older page)" : "");
      if (refocus) {
        const again = main.querySelector(refocus);
        refocus = null;
        if (again) again.focus();
      }
      document.body.dataset.loaded = String(Date.now());
    }

    function drawRows(list) {
      const now = Date.now();
      const ids = list.map((s) => s.instanceID).join("\n");
      const next = new Map();
      for (const st of list) {
        let tr = rows.get(st.instanceID);
        if (!tr) tr = newRow(st.instanceID);
        fillRow(tr, st, now);
        next.set(st.instanceID, tr);
      }
      // Re-order only when the set or order changed: moving a focused row would blur it.
      if (ids !== order) tbody.replaceChildren(...next.values());
      rows = next;
      order = ids;
    }

    function newRow(id) {
      const link = el("a", { href: WF.instanceHref(id), class: "id" }, id);
      return el("tr", { "data-id": id }, el("td", { class: "c0" }), el("td", { class: "c1" }, link), el("td", { class: "c2" }), el("td", { class: "c3" }), el("td", { class: "c4" }), el("td", { class: "c5" }));
    }

    function fillRow(tr, st, now) {
      const cells = tr.children;
      setText(cells[0], st.workflowName || "");
      const status = st.runtimeStatus;
      if (cells[2].dataset.v !== status) {
        cells[2].dataset.v = status;
        cells[2].replaceChildren(WF.statusBadge(status));
      }
      setText(cells[3], WF.props(st)["dapr.workflow.custom_status"] ?? "");
      if (cells[4].dataset.v !== st.createdAt) {
        cells[4].dataset.v = st.createdAt;
        cells[4].replaceChildren(WF.timeEl(st.createdAt));
      }
      const created = WF.parseTime(st.createdAt);
      setText(cells[5], created === null ? "" : WF.duration(now - created));
    }

    function setText(node, text) {
      if (node.textContent !== text) node.textContent = text;
    }

    refresh().catch((err) => (error.textContent = err.shown || String(err)));
    let stop = WF.poll(refresh, POLL_MS);
    live.querySelector("input").addEventListener("change", (e) => {
      stop();
      stop = e.target.checked ? WF.poll(refresh, POLL_MS) : () => {};
    });
    view = { stop: () => stop() };
  };

  let refocus = null; // what had the focus when a filter changed, to focus again after

  function go(f) {
    const a = document.activeElement;
    if (a && a.dataset && a.dataset.status !== undefined) refocus = `.counts [data-status="${CSS.escape(a.dataset.status)}"]`;
    else if (a && a.id) refocus = "#" + CSS.escape(a.id);
    history.pushState(null, "", urlFor(f));
    WF.route();
  }

  function drawCounts(box, c, f) {
    const buttons = [["", "All", c.total]].concat(WF.STATUSES.filter((s) => c.counts[s]).map((s) => [s, s, c.counts[s]]));
    const key = JSON.stringify([buttons, f.status]);
    if (box.dataset.key === key) return;
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.status : undefined;
    box.dataset.key = key;
    box.replaceChildren(
      ...buttons.map(([s, label, n]) => {
        const b = el(
          "button",
          { type: "button", class: "count s-" + (s || "all").toLowerCase(), "aria-pressed": String(f.status === s), "data-status": s },
          el("span", { class: "label" }, label),
          " ",
          el("span", { class: "n" }, String(n))
        );
        b.addEventListener("click", () => go({ ...f, status: f.status === s ? "" : s, cursor: "" }));
        return b;
      })
    );
    if (focused !== undefined) {
      const again = box.querySelector(`[data-status="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  function filterForm(f) {
    const status = el("select", { id: "f-status", name: "status" }, el("option", { value: "" }, "any status"), ...WF.STATUSES.map((s) => el("option", { value: s }, s)));
    status.value = f.status;
    const name = el("input", { id: "f-name", name: "name", type: "search", placeholder: "workflow name", autocomplete: "off", spellcheck: "false" });
    name.value = f.name;
    const idPrefix = el("input", { id: "f-id", name: "idPrefix", type: "search", placeholder: "ID starts with", autocomplete: "off", spellcheck: "false" });
    idPrefix.value = f.idPrefix;
    const age = el("select", { id: "f-age", name: "maxAge" }, ...AGES.map(([v, t]) => el("option", { value: v }, t)));
    age.value = AGES.some(([v]) => v === f.maxAge) ? f.maxAge : "";
    const form = el(
      "form",
      { class: "filters", role: "search" },
      el("label", { for: "f-status" }, "Status"), status,
      el("label", { for: "f-name" }, "Name"), name,
      el("label", { for: "f-id" }, "ID prefix"), idPrefix,
      el("label", { for: "f-age" }, "Created"), age,
      el("button", { type: "submit", class: "primary" }, "Filter"),
      el("button", { type: "button", id: "f-clear" }, "Clear")
    );
    const apply = () => go({ status: status.value, name: name.value.trim(), idPrefix: idPrefix.value.trim(), maxAge: age.value, cursor: "" });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      apply();
    });
    status.addEventListener("change", apply);
    age.addEventListener("change", apply);
    form.querySelector("#f-clear").addEventListener("click", () => go({}));
    return form;
  }

  function drawPager(nav, f, next) {
    const key = JSON.stringify([f.cursor, next]);
    if (nav.dataset.key === key) return;
    nav.dataset.key = key;
    const parts = [];
    if (f.cursor) {
      const first = el("a", { href: urlFor({ ...f, cursor: "" }), id: "newest" }, "← Newest");
      first.addEventListener("click", (e) => {
        e.preventDefault();
        go({ ...f, cursor: "" });
      });
      parts.push(first);
    }
    if (next) {
      const older = el("a", { href: urlFor({ ...f, cursor: next }), id: "older" }, "Older →");
      older.addEventListener("click", (e) => {
        e.preventDefault();
        go({ ...f, cursor: next });
      });
      parts.push(older);
    }
    nav.replaceChildren(...parts);
  }

  WF.leaveInstances = () => {
    if (view) view.stop();
    view = null;
  };
})();
