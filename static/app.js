// builder-web: small progressive enhancements. Every page works without this
// file; it adds the theme toggle, copy buttons and visible htmx errors.
// Loaded in <head> without defer so the saved theme applies before first paint.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js"); // CSS shows .js-only controls only when this ran

  // --- Theme: Pico follows the system unless <html data-theme> is set. ---
  function storedTheme() {
    try { return localStorage.getItem("theme"); } catch (e) { return null; } // storage may be disabled
  }
  function effectiveTheme() {
    var t = root.getAttribute("data-theme");
    if (t === "light" || t === "dark") return t;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function applyTheme(t) {
    if (t === "light" || t === "dark") root.setAttribute("data-theme", t);
    var btn = document.getElementById("theme-toggle");
    if (btn) {
      var dark = effectiveTheme() === "dark";
      btn.setAttribute("aria-pressed", dark ? "true" : "false");
      btn.textContent = dark ? "\u2600\uFE0E" : "\u25D0"; // sun / half-disc: glyphs common fonts have
      btn.title = dark ? "Switch to light theme" : "Switch to dark theme";
    }
  }
  applyTheme(storedTheme());

  // --- Copy to clipboard: <button class="copy" data-copy="text">. ---
  function fallbackCopy(text) {
    // navigator.clipboard needs a secure context; plain-HTTP installs use this.
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  function flash(btn, label) {
    var old = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", old);
    btn.textContent = label;
    setTimeout(function () { btn.textContent = old; }, 1500);
  }

  // --- htmx errors: show them next to the target with a retry link. ---
  function clearError(target) {
    var id = target && target.getAttribute && target.getAttribute("data-error-box");
    var box = id && document.getElementById(id);
    if (box) box.remove();
  }
  var errorCount = 0;
  function showError(evt, message) {
    var d = evt.detail || {};
    var elt = d.elt, target = d.target || elt;
    if (!target || !target.isConnected) target = document.querySelector("main") || document.body;
    clearError(target);
    var cfg = d.requestConfig || {};
    var verb = (cfg.verb || "get").toUpperCase();
    var path = cfg.path || (d.pathInfo && d.pathInfo.requestPath) || window.location.href;

    var box = document.createElement("p");
    box.className = "htmx-error";
    box.setAttribute("role", "alert");
    box.id = "htmx-error-" + (++errorCount);
    box.appendChild(document.createTextNode(message + " "));
    var retry = document.createElement("a");
    // A real link, so opening it in a new tab or without htmx also works.
    retry.href = verb === "GET" ? path : window.location.href;
    retry.textContent = "Retry";
    retry.addEventListener("click", function (e) {
      if (!window.htmx || !elt || !elt.isConnected) return; // plain navigation
      e.preventDefault();
      box.remove();
      if (verb === "GET") {
        window.htmx.ajax("GET", path, { source: elt, target: target });
      } else {
        var trig = cfg.triggeringEvent && cfg.triggeringEvent.type;
        window.htmx.trigger(elt, trig || (elt.tagName === "FORM" ? "submit" : "click"));
      }
    });
    box.appendChild(retry);
    target.setAttribute("data-error-box", box.id);
    // Inside a table the box would be invalid markup; put it after the table.
    var anchor = target.closest ? (target.closest("table") || target) : target;
    if (anchor === document.body || anchor.tagName === "MAIN") anchor.prepend(box);
    else anchor.insertAdjacentElement("afterend", box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme(storedTheme()); // the button exists now: set its label
    if (window.matchMedia) {
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
        applyTheme(storedTheme());
      });
    }
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("#theme-toggle, [data-copy]");
    if (!btn) return;
    if (btn.id === "theme-toggle") {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      try { localStorage.setItem("theme", next); } catch (err) { /* not remembered, still applied */ }
      applyTheme(next);
      return;
    }
    copy(btn.getAttribute("data-copy")).then(
      function () { flash(btn, "Copied"); },
      function () { flash(btn, "Copy failed"); }
    );
  });

  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail && e.detail.xhr;
    showError(e, "Request failed" + (xhr ? " (" + xhr.status + (xhr.statusText ? " " + xhr.statusText : "") + ")." : "."));
  });
  document.addEventListener("htmx:sendError", function (e) {
    showError(e, "Could not reach the server.");
  });
  document.addEventListener("htmx:timeout", function (e) {
    showError(e, "The server took too long to answer.");
  });
  // --- History while typing in a filter ([data-history=typing], whose
  // requests replace the URL): the first keystroke of a burst pushes one
  // entry, the rest replace it, so Back returns to the state before typing
  // instead of stepping through "?q=ser", "?q=series". A pause or leaving
  // the box ends the burst; the next one pushes again.
  var typing = null, typingTimer = 0;
  function endTyping() { typing = null; clearTimeout(typingTimer); }
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("[data-history=typing]")) return;
    if (typing !== el) {
      typing = el;
      try {
        history.replaceState({ htmx: true }, "", location.href); // htmx restores only its own entries
        history.pushState({ htmx: true }, "", location.href);
      } catch (err) { /* history unavailable: the URL is still replaced */ }
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(endTyping, 1500);
  });
  document.addEventListener("focusout", function (e) { if (e.target === typing) endTyping(); });

  // --- Empty filter fields stay out of GET URLs (no "&platform="). ---
  document.addEventListener("htmx:configRequest", function (e) {
    var d = e.detail || {};
    if ((d.verb || "").toLowerCase() !== "get" || !d.formData || !d.formData.forEach) return;
    var empty = [];
    d.formData.forEach(function (v, k) { if (v === "") empty.push(k); });
    empty.forEach(function (k) { d.formData.delete(k); });
  });

  document.addEventListener("htmx:beforeRequest", function (e) {
    clearError(e.detail && e.detail.target);
  });
})();
