// The router: "/" is the instances page, "/instances/<ID>" one instance's page.
// Filters live in the URL (pushState), so links are shareable and Back works.
"use strict";

WF.route = function route() {
  const main = document.getElementById("main");
  const m = /^\/instances\/([^/]+)$/.exec(location.pathname);
  if (m) {
    WF.leaveInstances();
    let id;
    try {
      id = decodeURIComponent(m[1]);
    } catch (_) {
      id = m[1];
    }
    document.title = `${id} · wfctl`;
    WF.instancePage(main, id);
  } else {
    document.title = "Instances · wfctl";
    WF.instancesPage(main);
  }
};

window.addEventListener("popstate", () => WF.route());
document.addEventListener("DOMContentLoaded", () => WF.route());
