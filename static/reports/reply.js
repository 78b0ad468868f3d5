// The resident's message to the commune (the case page's reply form,
// templates/reports/_case_forms.html), through the outbox (static/js/offline.js)
// like a report: put on the phone first, then sent to the case's reply address
// with a key of its own. With no signal it waits there, even with the page
// closed, and is sent once when the signal returns (the key makes a second
// send harmless: the server gives the first message back). A refusal (the
// case closed meanwhile, a bad recording) keeps it with the reason, to edit
// here and send again. Without IndexedDB, or if storing it fails, the plain
// form posts as before. A voice note recorded in the page comes from
// static/js/voice.js (window.XaDeskVoice), loaded before this script.
//
// The form is a live part (static/js/live.js puts a new one in place after a
// push), so it is found by delegation, never held; what the script says is
// outside it (templates/reports/case_detail.html), so a new form does not
// wipe it.
(function () {
  "use strict";
  var O = window.XaDeskOutbox;
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.reply;
  var status = document.getElementById("reply-status");
  var alertBox = document.getElementById("reply-error");
  if (!O || !O.add || !T || !window.indexedDB || !status || !alertBox) { return; }
  var editing = null;   // the key of a refused message opened here to edit
  var storing = false;  // a message is being put on the phone: a second tap waits
  var queued = null;    // {key, body}: the last message this page queued

  function form() { return document.querySelector("form[data-outbox-reply]"); }
  function field(f, name) { return f.elements[f.dataset.prefix + "-" + name]; }

  function say(text) {
    alertBox.hidden = true; alertBox.textContent = "";
    status.textContent = text || "";
    var f = form();
    if (f) { field(f, "body").removeAttribute("aria-invalid"); }
  }
  // The message box is marked and described by the sentence; on a Send just
  // pressed (``focus``) it takes the focus too, as on the report form
  // (static/reports/intake.js): it stayed on the button, or, from the
  // server's page, went to the top of the page.
  function refuse(text, focus) {
    status.textContent = "";
    alertBox.textContent = text || ""; alertBox.hidden = !text;
    var f = form();
    if (f) {
      var body = field(f, "body");
      body.setAttribute("aria-invalid", "true");
      body.setAttribute("aria-describedby", alertBox.id);
      if (focus) { body.focus(); }
    }
  }

  // A new send starts clean: the server's marks of a refused post go.
  function unmark(f) {
    var box = document.querySelector(".error-summary");
    if (box) { box.remove(); }
    Array.prototype.forEach.call(f.querySelectorAll(".errorlist"), function (n) { n.remove(); });
    field(f, "body").removeAttribute("aria-describedby");
  }

  function emptyForm(f) {
    field(f, "body").value = "";
    var voice = field(f, "voice");
    if (voice) { voice.value = ""; }
    if (window.XaDeskVoice) { window.XaDeskVoice.clear(); }
  }

  // The voice note to send: the one recorded in the page (static/js/voice.js,
  // not in the file input on a phone that cannot put it there), else the chosen file.
  function voiceOf(f) {
    if (window.XaDeskVoice) { return window.XaDeskVoice.blob(); }
    var voice = field(f, "voice");
    return voice && voice.files && voice.files[0] ? voice.files[0] : null;
  }

  function putBack(f, item) {
    field(f, "body").value = item.fields.body || "";
    var voice = field(f, "voice");
    // Back in the recorder, to hear before sending again; it also fills the file input.
    if (voice && item.voice && window.XaDeskVoice) {
      window.XaDeskVoice.restore(item.voice);
    } else if (voice && item.voice && window.DataTransfer) {
      var files = new DataTransfer();
      files.items.add(item.voice instanceof File ? item.voice : new File([item.voice], "voice", { type: item.voice.type }));
      voice.files = files.files;
    }
  }

  function done(result) {
    var f = form();
    if (result.rejected) {
      O.get(result.key).then(function (item) {
        if (!item) { return; }
        editing = item.key;
        // Back in the form only if the person is not writing another one.
        if (f && !field(f, "body").value) { putBack(f, item); }
        refuse(item.reason);
      });
      return;
    }
    // Sent, or kept to be sent later. The form was emptied when the message
    // was stored, unless the page was online then: empty it now, but only if
    // it still holds that message (not a new one typed since).
    if (f && queued && queued.key === result.key && field(f, "body").value === queued.body) {
      emptyForm(f);
    }
    say(result.sent ? T.sent : T.kept);
  }

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.matches || !f.matches("form[data-outbox-reply]")) { return; }
    if (window.XaDeskVoice && window.XaDeskVoice.busy()) {
      // Send while still recording: stop and keep the note, then send it
      // with the message (it was sent without it, or lost with the page).
      event.preventDefault();
      window.XaDeskVoice.finish().then(function () {
        if (f.requestSubmit) { f.requestSubmit(); } else { f.dispatchEvent(new Event("submit", { cancelable: true })); }
      });
      return;
    }
    var body = field(f, "body").value.trim();
    var voice = voiceOf(f);
    if (storing) { event.preventDefault(); return; }  // a second tap while the first is stored
    event.preventDefault();
    if (!body && !voice) {
      // Said here, online or not, with the server's sentence (reports/forms.py
      // ReplyForm): posting it cost a round trip, and the page came back at
      // the form's address.
      refuse(T.empty, true);
      return;
    }
    unmark(f);
    storing = true;
    say(navigator.onLine ? T.sending : T.kept);
    // A key of its own, in the form too, so the fallback post below sends
    // the same one. Never the page's: a copy of the page opened offline
    // carries the key of a message already sent from it.
    var key = O.newKey();
    field(f, "idempotency_key").value = key;
    var before = editing ? O.remove(editing) : Promise.resolve();
    before.then(function () {
      editing = null;
      queued = { key: key, body: field(f, "body").value };
      return O.add({
        key: key, kind: "reply", url: f.dataset.outboxUrl, caseNumber: f.dataset.caseNumber,
        fields: { body: body }, photos: [], voice: voice, formUrl: window.location.pathname,
      }, { done: done });
    }).then(function () {
      storing = false;
      // With no signal nothing was sent, so done() has not run: it is kept,
      // and the form is free for the next message.
      if (!navigator.onLine) { emptyForm(f); say(T.kept); }
    }, function () {
      storing = false;
      f.submit();
    });
  });

  // "Edit and send again" (the outbox's link): the refused message back in the form.
  var f = form();
  if (f && O.draft) {
    O.draft(["reply"]).then(function (item) {
      if (!item) { return; }
      editing = item.key;
      putBack(f, item);
      refuse(item.reason);
    });
  }
})();
