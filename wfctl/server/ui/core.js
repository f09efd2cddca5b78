// wfctl web view: shared helpers. Plain JavaScript, no build step, no other origin.
// Safety rule: every value from the server is inserted as text (textContent or a text
// node), never as HTML. The token lives in sessionStorage and travels only as a header.
"use strict";

const WF = (window.WF = window.WF || {});

WF.STATUSES = ["RUNNING", "PENDING", "SUSPENDED", "COMPLETED", "FAILED", "TERMINATED", "CANCELED"];
WF.ACTIVE = new Set(["RUNNING", "PENDING", "SUSPENDED"]);
WF.BETA = "/v1.0-beta1/workflows/dapr";
const TOKEN_KEY = "wfctl.apiToken";

// el("a", {href: u, class: "x"}, "text", child) - attributes via setAttribute, children as
// nodes or text; never innerHTML.
WF.el = function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  WF.setAttrs(node, attrs);
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
};

WF.setAttrs = function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
};

const SVGNS = "http://www.w3.org/2000/svg";
WF.svg = function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVGNS, tag);
  WF.setAttrs(node, attrs);
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
};

WF.instanceHref = (id) => "/instances/" + encodeURIComponent(id);
WF.props = (st) => (st && st.properties) || {};

// ---------------------------------------------------------------- time

WF.parseTime = function parseTime(text) {
  if (!text || text.startsWith("0001-01-01")) return null;
  let t = String(text);
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(t)) t += "Z"; // naive times from the engine are UTC
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
};

const pad = (n, w = 2) => String(n).padStart(w, "0");
WF.utcText = (ms) => {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(d.getUTCMilliseconds(), 3)} UTC`
  );
};
WF.localText = (ms) => {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
};

// A <time> in the viewer's zone, UTC in its title (shown on hover).
WF.timeEl = function timeEl(iso) {
  const ms = WF.parseTime(iso);
  if (ms === null) return WF.el("span", { class: "muted" }, "—");
  return WF.el("time", { datetime: new Date(ms).toISOString(), title: WF.utcText(ms) }, WF.localText(ms));
};

WF.duration = function duration(ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)}s`;
  const units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  const parts = [];
  for (const [u, n] of units) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${u}`);
      s %= n;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  // The server's own words: HTTP status, errorCode and message exactly as sent.
  get shown() {
    return `${this.status}${this.code ? " " + this.code : ""}: ${this.message}`;
  }
}
WF.ApiError = ApiError;

WF.token = () => sessionStorage.getItem(TOKEN_KEY) || "";

let tokenAsk = null;
// Ask once for the token (one dialog however many requests were refused at once).
function askToken(wrong) {
  if (tokenAsk) return tokenAsk;
  const dialog = document.getElementById("token-dialog");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  document.getElementById("token-error").textContent = wrong ? "That token was refused." : "";
  input.value = "";
  tokenAsk = new Promise((resolve) => {
    form.addEventListener(
      "submit",
      () => {
        sessionStorage.setItem(TOKEN_KEY, input.value);
        input.value = "";
        tokenAsk = null;
        updateTokenButton();
        resolve();
      },
      { once: true }
    );
  });
  dialog.addEventListener("cancel", (e) => e.preventDefault()); // nothing works without it
  dialog.showModal();
  input.focus();
  return tokenAsk;
}

function updateTokenButton() {
  document.getElementById("forget-token").hidden = !WF.token();
}

// api("GET", "/wfctl/v1/page", {query: {...}, body: "..."}) -> parsed JSON (or null).
// A 401 asks for the token and retries; any other failure throws ApiError.
WF.api = async function api(method, path, opts = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(opts.query || {})) {
    for (const one of [].concat(v)) if (one !== "" && one !== null && one !== undefined) url.searchParams.append(k, one);
  }
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    const token = WF.token();
    if (token) headers["dapr-api-token"] = token;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    let resp;
    try {
      resp = await fetch(url, { method, headers, body: opts.body, credentials: "omit", cache: "no-store" });
    } catch (err) {
      WF.setConn("offline: " + err.message, true);
      throw new ApiError(0, "", "the server did not answer (" + err.message + ")");
    }
    WF.setConn("", false);
    if (resp.status === 401 && attempt < 5) {
      await askToken(Boolean(token));
      continue;
    }
    const text = await resp.text();
    if (!resp.ok) {
      let code = "";
      let message = text.trim();
      try {
        const body = JSON.parse(text);
        code = body.errorCode || "";
        message = body.message ?? message;
      } catch (_) {
        /* plain-text error body: shown as it is */
      }
      throw new ApiError(resp.status, code, message);
    }
    if (!text) return null;
    return JSON.parse(text);
  }
};

WF.setConn = function setConn(text, bad) {
  const node = document.getElementById("conn");
  if (!node) return;
  node.textContent = text;
  node.classList.toggle("bad", Boolean(bad));
};

// ---------------------------------------------------------------- confirm dialog

// confirmAction({title, text, ok, extra: node, validate: () => error|"" , run: async () => {}})
// Shows the dialog; OK runs `run` once (the button stays disabled until it settles) and shows
// the server's error exactly in the dialog, or closes it on success.
WF.confirmAction = function confirmAction(spec) {
  const dialog = document.getElementById("confirm-dialog");
  const form = document.getElementById("confirm-form");
  const ok = document.getElementById("confirm-ok");
  const cancel = document.getElementById("confirm-cancel");
  const error = document.getElementById("confirm-error");
  const extra = document.getElementById("confirm-extra");
  document.getElementById("confirm-title").textContent = spec.title;
  document.getElementById("confirm-text").textContent = spec.text;
  extra.replaceChildren(...(spec.extra ? [spec.extra] : []));
  error.textContent = "";
  ok.textContent = spec.ok || "OK";
  ok.classList.toggle("danger", Boolean(spec.danger));
  ok.disabled = false;
  let busy = false;
  return new Promise((resolve) => {
    const done = (result) => {
      form.removeEventListener("submit", onSubmit);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      resolve(result);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (busy) return; // never twice
      const problem = spec.validate ? spec.validate() : "";
      if (problem) {
        error.textContent = problem;
        return;
      }
      busy = true;
      ok.disabled = true;
      cancel.disabled = true;
      error.textContent = "";
      try {
        const result = await spec.run();
        done(result === undefined ? true : result);
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.shown : String(err);
      } finally {
        busy = false;
        ok.disabled = false;
        cancel.disabled = false;
      }
    };
    const onCancel = () => {
      if (!busy) done(false);
    };
    const onClose = () => done(false);
    form.addEventListener("submit", onSubmit);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    (spec.focus || ok).focus();
  });
};

// Pretty-print a stored payload: JSON indented, anything else as it is.
WF.pretty = function pretty(text) {
  if (text === undefined || text === null) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return String(text);
  }
};

// A Copy button for `node`'s text. Where the clipboard API is refused (plain http on another
// host is not a secure context), the text is selected instead, ready for Ctrl+C.
WF.copyButton = function copyButton(node, label) {
  const button = WF.el("button", { type: "button", class: "small copy", "aria-label": "Copy " + label }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(node.textContent);
      button.textContent = "Copied";
    } catch (_) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      button.textContent = "Selected: Ctrl+C";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
  return button;
};

WF.statusBadge = (status) => WF.el("span", { class: "badge s-" + String(status).toLowerCase() }, status);

// Poll `fn` every `ms` while the tab is visible; returns a stop function.
WF.poll = function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
      } catch (err) {
        WF.setConn(err instanceof ApiError ? err.shown : String(err), true);
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
};

document.addEventListener("DOMContentLoaded", () => {
  const forget = document.getElementById("forget-token");
  forget.addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    updateTokenButton();
  });
  updateTokenButton();
});
