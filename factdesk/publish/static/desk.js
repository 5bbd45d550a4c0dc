/* factdesk newsroom: keep typed text (autosave), and confirm grave actions.
   Served from our origin (the CSP allows no inline script). No build step. */
(function () {
  "use strict";
  var DELAY = 1500; // ms after the last keystroke

  function key(form) {
    return "factdesk:draft:" + location.pathname + ":" + form.dataset.form;
  }

  function fields(form) {
    var out = {};
    ["rating_label", "summary", "title", "explanation", "note"].forEach(function (name) {
      if (form.elements[name]) out[name] = form.elements[name].value;
    });
    return out;
  }

  function say(form, text) {
    var status = form.querySelector(".autosave-status");
    if (status) status.textContent = text;
  }

  function save(form) {
    var body = new FormData(form);
    body.set("form", form.dataset.form);
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var when = /data-saved="([^"]*)"/.exec(html);
        localStorage.removeItem(key(form));
        var status = form.querySelector(".autosave-status");
        say(form, (status ? status.dataset.savedLabel : "") + " " + (when ? when[1] : ""));
      })
      .catch(function () {
        try { localStorage.setItem(key(form), JSON.stringify(fields(form))); } catch (e) { /* full */ }
        var status = form.querySelector(".autosave-status");
        say(form, status ? status.dataset.failedLabel : "");
      });
  }

  function restoreLocal(form) {
    var stored = localStorage.getItem(key(form));
    if (!stored) return;
    try {
      var values = JSON.parse(stored);
      Object.keys(values).forEach(function (name) {
        if (form.elements[name]) form.elements[name].value = values[name];
      });
      save(form); // signed in again: keep it on the server too
    } catch (e) { localStorage.removeItem(key(form)); }
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, DELAY);
    });
    form.addEventListener("submit", function () { clearTimeout(timer); });
    restoreLocal(form);
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
