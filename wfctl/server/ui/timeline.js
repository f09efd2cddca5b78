// The timeline: a Gantt of an instance's activities, timers, child workflows and event
// waits, derived from its history rows (GET /wfctl/v1/instances/{id}/history), drawn in SVG.
// One track per kind and name; repeated calls and retries of one activity share its track
// (overlapping ones get sub-rows), so a 1,000-step workflow stays a few hundred elements tall.
"use strict";

(function () {
  const { svg } = WF;

  // derive(events, {now, active, waiting}) -> {start, end, bars: [...]}
  // bar: {kind, name, start, end, open, failed, retry, attempt, eventId, child, detail}
  WF.deriveTimeline = function deriveTimeline(events, opts) {
    const bars = [];
    const byTask = new Map();
    const failedNames = new Map();
    let start = null;
    let last = null;
    let lastQuiet = null; // the last time the workflow did something other than receive
    let runBar = null;
    for (const ev of events) {
      const t = WF.parseTime(ev.timestamp);
      if (t === null) continue;
      if (start === null) start = t;
      last = t;
      const key = ev.taskId;
      switch (ev.type) {
        case "ExecutionStarted":
          runBar = { kind: "run", name: ev.name || "workflow", start: t, end: null, open: true, eventId: ev.eventId, detail: "" };
          bars.push(runBar);
          break;
        case "TaskScheduled": {
          const attempt = (failedNames.get(ev.name) || 0) + 1;
          const bar = { kind: "activity", name: ev.name, start: t, end: null, open: true, eventId: ev.eventId, attempt, retry: attempt > 1, detail: ev.details };
          byTask.set(key, bar);
          bars.push(bar);
          break;
        }
        case "TaskCompleted":
        case "TaskFailed":
        case "ChildWorkflowCompleted":
        case "ChildWorkflowFailed":
        case "TimerFired": {
          const bar = byTask.get(key);
          if (bar) {
            bar.end = t;
            bar.open = false;
            if (ev.type.endsWith("Failed")) {
              bar.failed = true;
              bar.detail = ev.details;
              failedNames.set(bar.name, (failedNames.get(bar.name) || 0) + 1);
            } else if (bar.kind === "activity") {
              failedNames.delete(bar.name);
            }
          }
          break;
        }
        case "TimerCreated": {
          const m = /fires at (\S+)/.exec(ev.details || "");
          const due = m ? WF.parseTime(m[1]) : null;
          const bar = { kind: "timer", name: "timer", start: t, end: null, due, open: true, eventId: ev.eventId, detail: ev.details };
          byTask.set(key, bar);
          bars.push(bar);
          break;
        }
        case "ChildWorkflowCreated": {
          const child = (ev.details || "").split(" ")[0];
          const bar = { kind: "child", name: ev.name, start: t, end: null, open: true, eventId: ev.eventId, child, detail: ev.details };
          byTask.set(key, bar);
          bars.push(bar);
          break;
        }
        case "EventRaised":
          // The wait is shown from when the workflow last acted until the event came.
          bars.push({ kind: "event", name: ev.name, start: lastQuiet ?? t, end: t, open: false, eventId: ev.eventId, detail: ev.details });
          break;
        case "ExecutionCompleted":
        case "ExecutionTerminated":
          if (runBar) {
            runBar.end = t;
            runBar.open = false;
            runBar.failed = ev.status === "FAILED" || ev.type === "ExecutionTerminated";
            runBar.detail = ev.details;
          }
          break;
        default:
          break;
      }
      if (ev.type !== "EventRaised") lastQuiet = t;
    }
    const now = opts && opts.active ? Math.max(opts.now, last ?? opts.now) : last;
    for (const name of (opts && opts.active && opts.waiting) || []) {
      bars.push({ kind: "event", name, start: lastQuiet ?? now, end: null, open: true, eventId: null, detail: "waiting" });
    }
    let end = now ?? start;
    for (const b of bars) {
      if (b.end === null) b.end = b.kind === "timer" && b.due !== null && !(opts && opts.active) ? b.due : end;
      if (b.kind === "timer" && b.due) end = Math.max(end, b.due);
    }
    return { start, end, bars };
  };

  const KIND_ORDER = { run: 0, activity: 1, child: 2, timer: 3, event: 4 };
  const KIND_LABEL = { run: "workflow", activity: "activity", child: "child", timer: "timer", event: "event" };

  // Tracks: one per (kind, name); bars that overlap within a track go to sub-rows.
  function tracks(bars) {
    const byKey = new Map();
    for (const b of bars) {
      const k = b.kind + "\u0000" + b.name;
      if (!byKey.has(k)) byKey.set(k, { kind: b.kind, name: b.name, first: b.start, rows: [] });
      const tr = byKey.get(k);
      let row = tr.rows.find((r) => r.lastEnd <= b.start);
      if (!row) {
        row = { lastEnd: -Infinity, bars: [] };
        tr.rows.push(row);
      }
      row.bars.push(b);
      row.lastEnd = Math.max(b.end, b.start);
    }
    return [...byKey.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.first - b.first);
  }

  function niceStep(span, target) {
    const raw = span / target;
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 216e5, 432e5, 864e5];
    return steps.find((s) => s >= raw) || Math.ceil(raw / 864e5) * 864e5;
  }

  // draw(container, timeline, {onPick(bar), picked}) -> milliseconds it took
  WF.drawTimeline = function drawTimeline(box, tl, opts) {
    const began = performance.now();
    if (tl.start === null || !tl.bars.length) {
      box.replaceChildren(WF.el("p", { class: "muted" }, "No history yet."));
      return performance.now() - began;
    }
    const width = Math.max(320, box.clientWidth || 800);
    const labelW = width < 600 ? 96 : 190;
    const rowH = 20;
    const top = 24;
    const span = Math.max(tl.end - tl.start, 1);
    const plotW = width - labelW - 12;
    const x = (t) => labelW + ((t - tl.start) / span) * plotW;
    const groups = tracks(tl.bars);
    let rowCount = 0;
    for (const g of groups) rowCount += g.rows.length;
    const height = top + rowCount * rowH + 8;
    const root = svg("svg", { class: "gantt", width, height, viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": "Timeline" });
    const axis = svg("g", { class: "axis" });
    const step = niceStep(span, Math.max(2, Math.floor(plotW / 110)));
    for (let t = 0; t <= span + 1; t += step) {
      const px = x(tl.start + t);
      axis.append(svg("line", { x1: px, x2: px, y1: top - 6, y2: height, class: "tick" }));
      if (px > width - 48) continue; // no room for its label at the right edge
      const label = svg("text", { x: px + 2, y: 12, class: "tick-label" }, "+" + WF.duration(t));
      label.append(svg("title", {}, WF.utcText(tl.start + t)));
      axis.append(label);
    }
    root.append(axis);
    const frag = document.createDocumentFragment();
    let y = top;
    for (const g of groups) {
      const name = g.name || KIND_LABEL[g.kind];
      const label = svg("text", { x: 4, y: y + 14, class: "track-label k-" + g.kind }, (g.kind === "run" || name === KIND_LABEL[g.kind] ? "" : KIND_LABEL[g.kind] + " ") + name);
      label.append(svg("title", {}, `${KIND_LABEL[g.kind]} ${name}`));
      frag.append(label);
      for (const row of g.rows) {
        for (const b of row.bars) frag.append(barNode(b, x, y, rowH, opts));
        y += rowH;
      }
    }
    root.append(frag);
    root.addEventListener("mouseover", withTitle);
    root.addEventListener("focusin", withTitle);
    box.replaceChildren(root);
    return performance.now() - began;
  };

  function barWhat(b) {
    return `${KIND_LABEL[b.kind]} ${b.name}` + (b.attempt > 1 ? ` (attempt ${b.attempt})` : "") + (b.failed ? " FAILED" : "") + (b.open ? " (in progress)" : "");
  }

  // Tooltips (an SVG <title>) are made when a bar is first hovered or focused: building
  // 1,000 of them up front would double the nodes and the time to draw.
  function withTitle(e) {
    const g = e.target.closest && e.target.closest("g.bar");
    if (!g || !g.wfBar || g.wfTitled) return;
    const b = g.wfBar;
    g.wfTitled = true;
    const when = `${WF.utcText(b.start)} → ${b.open ? "now" : WF.utcText(b.end)} (${WF.duration(b.end - b.start)})`;
    const text = `${barWhat(b)}\n${when}` + (b.detail ? `\n${b.detail}` : "") + (b.eventId !== null ? `\nevent #${b.eventId}` : "");
    g.prepend(svg("title", {}, text));
  }

  function barNode(b, x, y, rowH, opts) {
    const x0 = x(b.start);
    const w = Math.max(2, x(b.end) - x0);
    const cls = ["bar", "k-" + b.kind];
    if (b.failed) cls.push("failed");
    if (b.open) cls.push("open");
    if (b.retry) cls.push("retry");
    const pickable = opts && opts.canPick && (b.kind === "activity" || b.kind === "child") && b.eventId !== null;
    if (pickable) cls.push("pickable");
    if (opts && opts.picked === b.eventId && pickable) cls.push("picked");
    const g = svg("g", { class: cls.join(" "), "data-event-id": b.eventId ?? "", "data-kind": b.kind });
    const rect = svg("rect", { x: x0, y: y + 3, width: w, height: rowH - 6, rx: 2 });
    g.append(rect);
    g.wfBar = b; // its tooltip is built on first hover or focus (see withTitle)
    if (b.retry) g.append(svg("text", { x: x0 + 2, y: y + rowH - 6, class: "retry-mark" }, "↻" + b.attempt));
    if (pickable) {
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", `${barWhat(b)}, event ${b.eventId}: pick to rerun from here`);
      const pick = () => opts.onPick(b);
      g.addEventListener("click", pick);
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          pick();
        }
      });
    } else if (b.kind === "child" && b.child) {
      g.addEventListener("click", () => (location.href = WF.instanceHref(b.child)));
    }
    return g;
  }
})();
