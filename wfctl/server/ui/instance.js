// One instance's page: status block (what it waits for), payloads, the timeline, the
// history table and the actions. Refreshed by polling; redrawn only when something changed.
"use strict";

(function () {
  const { el } = WF;
  const POLL_MS = 2000;
  let view = null;

  function legend() {
    const item = (cls, text) => el("li", {}, el("span", { class: "swatch " + cls, "aria-hidden": "true" }), text);
    return el(
      "ul",
      { class: "legend", "aria-label": "Timeline legend" },
      item("k-run", "workflow run"),
      item("k-activity", "activity"),
      item("k-child", "child workflow (click to open)"),
      item("k-timer", "timer"),
      item("k-event", "waiting for an event"),
      item("failed", "failed"),
      item("open", "still going"),
      el("li", {}, "↻n retry attempt n")
    );
  }

  // History times: time of day with milliseconds in the viewer's zone (UTC on hover).
  function clockEl(iso) {
    const ms = WF.parseTime(iso);
    if (ms === null) return "";
    const d = new Date(ms);
    const text = WF.localText(ms).slice(11) + "." + String(d.getMilliseconds()).padStart(3, "0");
    return el("time", { datetime: d.toISOString(), title: WF.utcText(ms) }, text);
  }

  WF.instancePage = function instancePage(main, id) {
    if (view) view.stop();
    const enc = encodeURIComponent(id);
    const title = el("h1", {}, el("span", { class: "muted" }, "Instance "), el("span", { id: "iid" }, id));
    const error = el("p", { class: "error", role: "alert", id: "page-error" });
    const notice = el("p", { class: "notice", role: "status", id: "notice" });
    const actions = el("div", { class: "actions", role: "toolbar", "aria-label": "Actions" });
    const status = el("section", { class: "status", "aria-label": "Status" });
    const payloads = el("section", { class: "payloads", "aria-label": "Input and output" });
    const tlInfo = el("p", { class: "muted small", id: "tl-info" });
    const tlBox = el("div", { class: "timeline", id: "timeline" });
    const historyBox = el("div", { class: "scroll-x" });
    main.replaceChildren(
      el("p", { class: "crumbs" }, el("a", { href: "/" }, "← Instances")),
      title,
      error,
      notice,
      actions,
      status,
      payloads,
      el("h2", {}, "Timeline"),
      tlInfo,
      tlBox,
      legend(),
      el("h2", {}, "History"),
      historyBox
    );
    const s = { state: null, events: [], waits: {}, waiting: [], picked: null, canRerun: false, key: "" };

    async function refresh() {
      let st;
      try {
        st = await WF.api("GET", `${WF.BETA}/${enc}`);
      } catch (err) {
        if (err.status === 404) {
          error.textContent = err.shown;
          actions.replaceChildren();
          stop();
          return;
        }
        throw err;
      }
      const [h, w] = await Promise.all([
        WF.api("GET", `/wfctl/v1/instances/${enc}/history`),
        WF.api("GET", `/wfctl/v1/instances/${enc}/waiting`).catch(() => ({ events: [] })),
      ]);
      error.textContent = "";
      const key = JSON.stringify([st, h.events.length, w]);
      if (key === s.key) {
        // Unchanged; an active instance's open bars still grow with the clock.
        if (WF.ACTIVE.has(st.runtimeStatus)) drawTimeline();
        return;
      }
      s.key = key;
      s.state = st;
      s.events = h.events;
      s.waits = w;
      s.waiting = WF.ACTIVE.has(st.runtimeStatus) ? w.events || [] : [];
      draw();
      document.body.dataset.loaded = String(Date.now());
    }

    function draw() {
      const began = performance.now();
      title.replaceChildren(el("span", { class: "muted" }, (s.state.workflowName || "instance") + " "), el("span", { id: "iid" }, id), " ", WF.statusBadge(s.state.runtimeStatus));
      drawActions();
      drawStatus();
      drawPayloads();
      drawTimeline();
      drawHistory();
      document.body.dataset.drawMs = (performance.now() - began).toFixed(1);
    }

    function drawTimeline() {
      const tl = WF.deriveTimeline(s.events, { now: Date.now(), active: WF.ACTIVE.has(s.state.runtimeStatus), waiting: s.waiting });
      const ms = WF.drawTimeline(tlBox, tl, {
        canPick: s.canRerun && !WF.ACTIVE.has(s.state.runtimeStatus),
        picked: s.picked,
        onPick: (bar) => {
          s.picked = bar.eventId;
          drawTimeline();
          drawActions();
        },
      });
      tlBox.dataset.drawMs = ms.toFixed(1);
      tlBox.dataset.bars = String(tl.bars.length);
      tlInfo.textContent = `${tl.bars.length} bars, drawn in ${ms.toFixed(0)} ms` + (s.canRerun && !WF.ACTIVE.has(s.state.runtimeStatus) ? " · pick an activity or child bar to rerun from it" : "");
    }

    function drawStatus() {
      const st = s.state;
      const rows = [
        ["Status", WF.statusBadge(st.runtimeStatus)],
        ["Custom status", WF.props(st)["dapr.workflow.custom_status"] ?? el("span", { class: "muted" }, "—")],
        ["Created", WF.timeEl(st.createdAt)],
        ["Last updated", WF.timeEl(st.lastUpdatedAt)],
      ];
      const active = WF.ACTIVE.has(st.runtimeStatus);
      const children = s.events.filter((e) => e.type === "ChildWorkflowCreated").map((e) => (e.details || "").split(" ")[0]);
      if (active) {
        // The server's derivation (wfctl.waiting.derive, as `wfctl status` shows it).
        const w = s.waits;
        const waits = [];
        for (const name of w.events || []) waits.push(el("li", {}, "event ", el("code", {}, name)));
        const timers = (w.timers || []).map(WF.parseTime).filter((t) => t !== null);
        if (timers.length) waits.push(el("li", {}, "timer at ", el("time", { title: WF.utcText(timers[0]) }, WF.localText(timers[0])), timers.length > 1 ? ` (+${timers.length - 1} more)` : ""));
        for (const name of w.activities || []) waits.push(el("li", {}, "activity ", el("code", {}, name)));
        for (const c of w.children || []) waits.push(el("li", {}, "child ", el("a", { href: WF.instanceHref(c.instanceID) }, c.instanceID), c.name ? ` (${c.name})` : ""));
        if (st.runtimeStatus === "SUSPENDED") waits.unshift(el("li", {}, "resume (paused)"));
        rows.push(["Waiting for", waits.length ? el("ul", { class: "waits", id: "waiting-for" }, ...waits) : el("span", { class: "muted", id: "waiting-for" }, "nothing known (working)")]);
      }
      if (children.length) rows.push(["Children", el("ul", { class: "children" }, ...children.map((c) => el("li", {}, el("a", { href: WF.instanceHref(c) }, c))))]);
      status.replaceChildren(el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
    }

    function payloadBlock(label, text, cls) {
      const shown = WF.pretty(text);
      if (shown === null) return null;
      const pre = el("pre", { class: "payload " + (cls || ""), tabindex: "0", "aria-label": label }, shown);
      return el("div", { class: "payload-box" }, el("div", { class: "payload-head" }, el("h3", {}, label), WF.copyButton(pre, label)), pre);
    }

    function drawPayloads() {
      const p = WF.props(s.state);
      const fail = p["dapr.workflow.failure.error_type"] || p["dapr.workflow.failure.error_message"] ? [p["dapr.workflow.failure.error_type"], p["dapr.workflow.failure.error_message"], p["dapr.workflow.failure.stack_trace"]].filter(Boolean).join("\n") : null;
      const parts = [payloadBlock("Input", p["dapr.workflow.input"]), payloadBlock("Output", p["dapr.workflow.output"]), fail === null ? null : payloadBlock("Failure", fail, "failed")].filter(Boolean);
      payloads.replaceChildren(...parts);
    }

    // Long histories are added in slices, each its own task, so the page keeps answering
    // input while 2,000 rows go in; a redraw abandons the slices of the previous one.
    const SLICE = 300;
    let historyRun = 0;

    function historyRow(ev) {
      let details = ev.details || "";
      if (ev.type === "ChildWorkflowCreated") {
        const child = details.split(" ")[0];
        details = el("span", {}, el("a", { href: WF.instanceHref(child) }, child), details.slice(child.length));
      }
      const failed = ev.type.endsWith("Failed") || ev.status === "FAILED";
      return el("tr", { class: failed ? "failed" : "" }, el("td", { class: "eid" }, String(ev.eventId)), el("td", { class: "type" }, ev.type + (ev.status ? ` (${ev.status})` : "")), el("td", { class: "when" }, clockEl(ev.timestamp)), el("td", {}, ev.name || ""), el("td", {}, ev.taskId ?? ""), el("td", { class: "details" }, details));
    }

    function drawHistory() {
      const run = ++historyRun;
      const head = el("thead", {}, el("tr", {}, ...["#", "Type", "Time", "Name", "Task", "Details"].map((h) => el("th", { scope: "col" }, h))));
      const events = s.events;
      const body = el("tbody", {}, ...events.slice(0, SLICE).map(historyRow));
      historyBox.replaceChildren(el("table", { class: "history" }, el("caption", { class: "sr-only" }, "History events"), head, body));
      historyBox.dataset.rows = String(Math.min(SLICE, events.length));
      const more = (from) => {
        if (run !== historyRun || from >= events.length) return;
        body.append(...events.slice(from, from + SLICE).map(historyRow));
        historyBox.dataset.rows = String(Math.min(from + SLICE, events.length));
        setTimeout(() => more(from + SLICE), 0);
      };
      setTimeout(() => more(SLICE), 0);
    }

    // ------------------------------------------------------------ actions

    function drawActions() {
      const st = s.state.runtimeStatus;
      const active = WF.ACTIVE.has(st);
      const buttons = [];
      const add = (label, spec) => buttons.push(el("button", { type: "button", id: "act-" + label.toLowerCase().replace(/\W+/g, "-"), class: spec.danger ? "danger" : "", onclick: () => act(spec) }, label));
      if (active) add("Raise event", raiseSpec());
      if (st === "RUNNING" || st === "PENDING") add("Pause", simple("pause", "Pause", `Pause instance ${id}? Its events wait until it is resumed.`));
      if (st === "SUSPENDED") add("Resume", simple("resume", "Resume", `Resume instance ${id}?`));
      if (active) add("Terminate", { ...simple("terminate", "Terminate", `Terminate instance ${id}? This cannot be undone.`), danger: true });
      if (!active) add("Purge", { ...simple("purge", "Purge", `Purge instance ${id} and its history? This cannot be undone.`), danger: true, after: () => (location.href = "/") });
      if (s.canRerun && !active) {
        const picked = s.events.find((e) => e.eventId === s.picked);
        if (picked) add(`Rerun from #${picked.eventId}`, rerunSpec(picked));
      }
      actions.replaceChildren(...buttons);
    }

    async function act(spec) {
      notice.textContent = "";
      const ok = await WF.confirmAction(spec);
      if (ok) {
        notice.textContent = spec.done || `${spec.title}: accepted.`;
        if (spec.after) return spec.after(ok);
        s.key = "";
        await refresh().catch(() => {});
      }
    }

    function simple(op, label, text) {
      return { title: label, text, ok: label, run: () => WF.api("POST", `${WF.BETA}/${enc}/${op}`) };
    }

    function raiseSpec() {
      const name = el("input", { id: "ev-name", type: "text", required: true, autocomplete: "off", spellcheck: "false" });
      if (s.waiting.length) name.value = s.waiting[0];
      const data = el("textarea", { id: "ev-data", rows: "5", spellcheck: "false", placeholder: '{"approved": true}   (empty: no payload)' });
      const hint = el("p", { class: "muted small", id: "ev-hint" }, "Data must be JSON, or empty for no payload.");
      data.addEventListener("input", () => (hint.textContent = jsonProblem(data.value) || "Valid JSON."));
      const extra = el("div", { class: "stack" }, el("label", { for: "ev-name" }, "Event name"), name, el("label", { for: "ev-data" }, "Data (JSON)"), data, hint);
      return {
        title: "Raise event",
        text: `Send an event to instance ${id}.`,
        ok: "Send",
        extra,
        focus: name,
        validate: () => (!name.value.trim() ? "Give the event a name." : jsonProblem(data.value)),
        run: () => WF.api("POST", `${WF.BETA}/${enc}/raiseEvent/${encodeURIComponent(name.value.trim())}`, { body: data.value.trim() ? data.value : undefined }),
      };
    }

    function rerunSpec(ev) {
      const newId = el("input", { id: "rerun-id", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "empty: a new random ID" });
      const input = el("textarea", { id: "rerun-input", rows: "3", spellcheck: "false", placeholder: "empty: the step's recorded input" });
      const extra = el("div", { class: "stack" }, el("label", { for: "rerun-id" }, "New instance ID"), newId, el("label", { for: "rerun-input" }, "New input for that step (JSON)"), input);
      return {
        title: "Rerun",
        text: `Rerun instance ${id} from event #${ev.eventId} (${ev.type} ${ev.name || ""}) as a new instance? The history before it is kept; this instance is left as it is.`,
        ok: "Rerun",
        extra,
        focus: newId,
        validate: () => jsonProblem(input.value),
        run: async () => {
          const body = { eventID: ev.eventId };
          if (newId.value.trim()) body.newInstanceID = newId.value.trim();
          if (input.value.trim()) {
            body.overwriteInput = true;
            body.input = input.value;
          }
          const r = await WF.api("POST", `/wfctl/v1/instances/${enc}/rerun`, { body: JSON.stringify(body) });
          return (r && r.instanceID) || true;
        },
        after: (r) => {
          if (typeof r === "string") location.href = WF.instanceHref(r);
        },
      };
    }

    function jsonProblem(text) {
      if (!text.trim()) return "";
      try {
        JSON.parse(text);
        return "";
      } catch (err) {
        return "Not JSON: " + err.message;
      }
    }

    // A POST-only rerun route answers GET with 405; no such route answers 404.
    async function probeRerun() {
      try {
        await WF.api("GET", `/wfctl/v1/instances/${enc}/rerun`);
      } catch (err) {
        s.canRerun = err.status === 405;
        if (s.canRerun && s.state) draw();
      }
    }

    let stop = () => {};
    refresh()
      .then(() => {
        if (s.state) stop = WF.poll(refresh, POLL_MS);
        probeRerun();
      })
      .catch((err) => (error.textContent = err.shown || String(err)));
    let resizeTimer = null;
    const onResize = () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => s.state && drawTimeline(), 150);
    };
    window.addEventListener("resize", onResize);
    view = {
      stop: () => {
        stop();
        window.removeEventListener("resize", onResize);
      },
    };
  };
})();
