// A voice note (templates/_voice.html): on the report and help forms, in
// the resident's reply on the case page, and in the officer's reply in the
// console.
//
// Without this script, or on a phone without MediaRecorder, the file input
// is the way: accept="audio/*" capture opens the phone's own recorder. With
// a recorder, <html> gets .voice-recorder and xadesk.css shows the Record
// button and folds the file input under "Or choose a recording from the
// phone": two ways side by side confused people who read little. Record
// records in the page, shows the time and stops by itself at 2:00 (the
// server's limit, helpdesk/voice.py).
//
// Where the recording goes: intake.js (the report) and reply.js (the reply)
// ask window.XaDeskVoice for it and keep it in the outbox. It is also put in
// the file input where the phone allows it (DataTransfer), so a form posted
// the plain way (no IndexedDB, or the outbox failed) sends it too, and
// live.js sees a form with something in it and does not replace it.
//
// The console's reply has no outbox: static/console/reply-voice.js.
//
// On the case page the reply form is a live part (static/js/live.js may put
// a new copy in place), so nothing of the box is held: every element is found
// when needed, clicks are caught on the document, and a new copy is brought
// up to date (a recording under way, one made, what was said).
(function () {
  "use strict";
  var LIMIT_S = 120;
  // The texts come from the per-language script (templates/pwa/texts.js.html).
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.form;
  // No box, and none to come (the case page's reply form may come with a push).
  if (!T || (!document.getElementById("voice-box") && !document.querySelector("[data-live-part]"))) { return; }
  var canRecord = Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  if (canRecord) { document.documentElement.classList.add("voice-recorder"); }

  var recorded = null;  // the recording made here (or given back by the outbox)
  var shown = null;     // what the preview plays: the recording, or the chosen file
  var said = "";        // the last status line, said again in a new copy of the box
  var time = "0:00";    // the timer, likewise
  var recorder = null, started = 0, previewUrl = null;

  function $(id) { return document.getElementById(id); }
  function box() { return $("voice-box"); }
  function input() { var b = box(); return b ? b.querySelector("input[type=file]") : null; }
  function recording() { return Boolean(recorder && recorder.state === "recording"); }

  function say(text) {
    said = text || "";
    var status = $("voice-status");
    if (status) { status.textContent = said; }
  }
  function clock(seconds) {
    seconds = Math.floor(seconds);
    return Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
  }
  function ready() { return box() && box().dataset.voiceFor === "message" ? T.voiceReadyMessage : T.voiceReady; }

  // The recording in the file input as well (see above). Not every phone can
  // set a file input's files: there it is sent from XaDeskVoice only.
  function putInInput(blob) {
    var field = input();
    if (!field) { return; }
    field.value = "";
    if (!blob || !window.DataTransfer) { return; }
    try {
      var type = (blob.type || "audio/webm").split(";")[0];
      var file = blob instanceof File ? blob : new File([blob], "voice." + (type.split("/")[1] || "webm"), { type: blob.type });
      var files = new DataTransfer();
      files.items.add(file);
      field.files = files.files;
    } catch (e) { /* left empty: XaDeskVoice still gives the recording */ }
  }

  function show(blob) {
    if ((blob || null) !== shown) {
      if (previewUrl) { URL.revokeObjectURL(previewUrl); }
      shown = blob || null;
      previewUrl = shown ? URL.createObjectURL(shown) : null;
    }
    var preview = $("voice-preview"), clear = $("voice-clear");
    if (!preview || !clear) { return; }
    if (!shown) { preview.hidden = true; preview.removeAttribute("src"); clear.hidden = true; return; }
    if (preview.getAttribute("src") !== previewUrl) { preview.src = previewUrl; }
    preview.hidden = false; clear.hidden = false;
  }

  function showButton() {
    var button = $("voice-record"), label = $("voice-record-label");
    if (!button || !label) { return; }
    button.setAttribute("aria-pressed", recording() ? "true" : "false");
    label.textContent = recording() ? T.voiceStop : T.voiceRecord;
  }

  function setTime(text) {
    time = text;
    var timer = $("voice-timer");
    if (timer) { timer.textContent = time; }
  }

  // The file input unfolded (a tap on "Or choose…", or the microphone refused).
  function unfold(open) {
    var b = box(), toggle = $("voice-choose");
    if (!b || !toggle) { return; }
    b.classList.toggle("voice-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function stop(byLimit) {
    if (!recording()) { return; }
    recorder.stop();
    if (byLimit) { say(T.voiceLimit); }
  }

  // Asking for the microphone: a second tap meanwhile started a second
  // recorder, whose microphone and timer ran on unseen.
  var starting = false;
  // Settled once the recording being made is stopped and kept (null: none):
  // Send while still recording waits for it, or the note was lost.
  var stopped = null;

  function record() {
    if (starting) { return; }
    starting = true;
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      starting = false;
      var chunks = [], mine, timer = null, settle = null;
      // Started before Send may wait on it (one that threw held Send forever).
      try {
        mine = new MediaRecorder(stream, MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? { mimeType: "audio/webm;codecs=opus" } : undefined);
        mine.start(1000);
      } catch (e) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        throw e;
      }
      stopped = new Promise(function (resolve) { settle = resolve; });
      recorder = mine;
      mine.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      mine.onstop = function () {
        clearInterval(timer);
        stream.getTracks().forEach(function (t) { t.stop(); });
        recorded = new Blob(chunks, { type: mine.mimeType || "audio/webm" });
        stopped = null;
        settle();
        putInInput(recorded);
        showButton();
        show(recorded);
        if (said !== T.voiceLimit) { say(ready().replace("%s", clock((Date.now() - started) / 1000))); }
      };
      started = Date.now();
      showButton();
      say(T.voiceRecording);
      setTime("0:00");
      timer = setInterval(function () {
        var elapsed = (Date.now() - started) / 1000;
        setTime(clock(Math.min(elapsed, LIMIT_S)));
        if (elapsed >= LIMIT_S) { stop(true); }
      }, 250);
    }).catch(function () {
      starting = false;
      // No microphone: the page is as one that cannot record, the file
      // input the way. Record and "Or choose…" left beside it folded the
      // input away again, and the words pointed at nothing (a phone walk).
      document.documentElement.classList.remove("voice-recorder");
      say(T.voiceDenied);
      unfold(true);
    });
  }

  function clear(words) {
    recorded = null; show(null); putInInput(null); say(words); setTime("0:00");
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest || !target.closest("#voice-box")) { return; }
    if (target.closest("#voice-record")) {
      if (!canRecord) { return; }
      if (recording()) { stop(false); } else { record(); }
    } else if (target.closest("#voice-clear")) {
      clear(T.voiceDeleted);
    } else if (target.closest("#voice-choose")) {
      unfold(!box().classList.contains("voice-open"));
    } else if (document.documentElement.classList.contains("voice-recorder") && target.closest(".voice-title") && !box().classList.contains("voice-open")) {
      event.preventDefault();  // the title would open the folded file picker: Record is the way
    }
  });
  document.addEventListener("change", function (event) {
    var field = input();
    if (event.target !== field) { return; }
    // A file chosen from the phone takes the place of a recording made here.
    if (field.files.length) { recorded = null; show(field.files[0]); say(""); }
  });

  // A new copy of the box (live.js after a push on the case page): as the
  // person left it. The observer only where a part can be replaced.
  var current = box();
  if (document.querySelector("[data-live-part]") && window.MutationObserver) {
    new MutationObserver(function () {
      var now = box();
      if (!now || now === current) { return; }
      current = now;
      if (recorded) { putInInput(recorded); }
      show(shown);
      showButton(); setTime(time); say(said);
    }).observe(document.body, { childList: true, subtree: true });
  }

  window.XaDeskVoice = {
    // The recording to send: the one made here, else the chosen file, else null.
    blob: function () {
      if (recorded) { return recorded; }
      var field = input();
      return field && field.files && field.files.length ? field.files[0] : null;
    },
    // A recording kept in the outbox, back in the form ("edit and send again").
    restore: function (blob) { recorded = blob; putInInput(blob); show(blob); },
    // The form emptied after sending: no recording left, nothing said.
    clear: function () { clear(""); },
    // The file input unfolded: a voice note the server refused (intake.js).
    unfold: function () { unfold(true); },
    // Whether a recording is being made (or stopped and not yet kept).
    busy: function () { return Boolean(stopped); },
    // Stop a recording being made and settle once it is kept: Send waits for it.
    finish: function () {
      if (!stopped) { return Promise.resolve(); }
      var waiting = stopped;
      if (recording()) { stop(false); }
      return waiting;
    },
  };
})();
