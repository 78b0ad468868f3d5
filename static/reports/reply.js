// The resident's message to the commune (the case page's reply form,
// templates/reports/_case_forms.html), through the outbox (static/js/offline.js)
// like a report: put on the phone first, then sent to the case's reply address
// with the form's key. With no signal it waits there, even with the page
// closed, and is sent once when the signal returns (the key makes a second
// send harmless: the server gives the first message back). A refusal (the
// case closed meanwhile, a bad recording) keeps it with the reason, to edit
// here and send again. Without IndexedDB, or if anything here fails, the
// plain form posts as before.
//
// The form is a live part (static/js/live.js puts a new one in place after a
// push), so it is found by delegation, never held.
(function () {
  "use strict";
  var O = window.XaDeskOutbox;
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.reply;
  if (!O || !O.add || !T || !window.indexedDB) { return; }
  var editing = null;  // the key of a refused message opened here to edit

  function form() { return document.querySelector("form[data-outbox-reply]"); }
  function field(f, name) { return f.elements[f.dataset.prefix + "-" + name]; }

  function say(f, text, isError) {
    var status = f.querySelector("[data-reply-status]");
    if (!status) { return; }
    status.textContent = text || "";
    status.className = isError ? "error" : "hint";
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function clear(f) {
    field(f, "body").value = "";
    var voice = field(f, "voice");
    if (voice) { voice.value = ""; }
    // The next message is another one: a key of its own.
    field(f, "idempotency_key").value = O.newKey();
  }

  // A key no message in the outbox has: a copy of this page opened offline
  // carries the key of the message sent from it before.
  function keyFor(f) {
    var key = field(f, "idempotency_key").value;
    if (editing || !key) { return Promise.resolve(O.newKey()); }
    return O.get(key).then(function (there) { return there ? O.newKey() : key; });
  }

  function done(result) {
    var f = form();
    var button = f && f.querySelector("button[type=submit]");
    if (button) { button.disabled = false; }
    if (!f) { return; }
    if (result.rejected) {
      // Still in the form (the page may have been opened again since).
      O.get(result.key).then(function (item) {
        if (!item) { return; }
        editing = item.key;
        field(f, "body").value = item.fields.body || "";
        say(f, item.reason, true);
      });
      return;
    }
    // Sent, or kept on the phone to be sent later: the form is free for the next one.
    clear(f);
    say(f, result.sent ? T.sent : T.kept);
  }

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.matches || !f.matches("form[data-outbox-reply]")) { return; }
    var body = field(f, "body").value.trim();
    var voiceInput = field(f, "voice");
    var voice = voiceInput && voiceInput.files && voiceInput.files[0] ? voiceInput.files[0] : null;
    // Nothing to send: the server's form says what is missing.
    if (!body && !voice) { return; }
    event.preventDefault();
    var button = f.querySelector("button[type=submit]");
    if (button) { button.disabled = navigator.onLine; }
    say(f, navigator.onLine ? T.sending : T.kept);
    var before = editing ? O.remove(editing) : Promise.resolve();
    before.then(function () { return keyFor(f); }).then(function (key) {
      editing = null;
      var item = {
        key: key, kind: "reply", url: f.dataset.outboxUrl, caseNumber: f.dataset.caseNumber,
        fields: { body: body }, photos: [], voice: voice, formUrl: window.location.pathname,
      };
      return O.add(item, { done: done });
    }).then(function () {
      // With no signal nothing was sent, so done() has not run: it is kept.
      if (!navigator.onLine) { clear(f); say(f, T.kept); if (button) { button.disabled = false; } }
    }).catch(function () {
      if (button) { button.disabled = false; }
      f.submit();
    });
  });

  // "Edit and send again" (the outbox's link): the refused message back in the form.
  var draftKey = new URLSearchParams(window.location.search).get("draft");
  var f = form();
  if (draftKey && f) {
    O.get(draftKey).then(function (item) {
      if (!item || item.owner !== O.person || item.kind !== "reply") { return; }
      editing = item.key;
      field(f, "body").value = item.fields.body || "";
      say(f, item.reason, true);
    });
  }
})();
