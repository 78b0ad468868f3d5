// A voice note on the report and help forms (templates/reports/_voice.html).
//
// Without this script, or on a phone without MediaRecorder, the file input
// stays: accept="audio/*" capture opens the phone's own recorder. With it, a
// Record button records in the page, shows the time and stops by itself at
// 2:00 (the server's limit, helpdesk/voice.py). intake.js asks
// window.XaDeskVoice for the recording and keeps it in the outbox with the
// photos, so it is sent with the report when the signal returns.
(function () {
  "use strict";
  var LIMIT_S = 120;
  var box = document.getElementById("voice-box");
  // The texts come from the per-language script (templates/pwa/texts.js.html).
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.form;
  if (!box || !T) { return; }
  var input = document.getElementById("voice");
  var button = document.getElementById("voice-record");
  var label = document.getElementById("voice-record-label");
  var timer = document.getElementById("voice-timer");
  var preview = document.getElementById("voice-preview");
  var clear = document.getElementById("voice-clear");
  var status = document.getElementById("voice-status");
  var recorded = null, recorder = null, ticking = null, started = 0, previewUrl = null;

  function say(text) { status.textContent = text || ""; }
  function clock(seconds) {
    seconds = Math.floor(seconds);
    return Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
  }
  function show(blob) {
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    if (!blob) { preview.hidden = true; preview.removeAttribute("src"); clear.hidden = true; return; }
    previewUrl = URL.createObjectURL(blob);
    preview.src = previewUrl; preview.hidden = false; clear.hidden = false;
  }

  function stop(byLimit) {
    if (!recorder || recorder.state === "inactive") { return; }
    recorder.stop();
    if (byLimit) { say(T.voiceLimit); }
  }

  function record() {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream, MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? { mimeType: "audio/webm;codecs=opus" } : undefined);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        clearInterval(ticking);
        stream.getTracks().forEach(function (t) { t.stop(); });
        recorded = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        if (input) { input.value = ""; }
        button.setAttribute("aria-pressed", "false"); label.textContent = T.voiceRecord;
        show(recorded);
        if (status.textContent !== T.voiceLimit) { say(T.voiceReady.replace("%s", clock((Date.now() - started) / 1000))); }
      };
      started = Date.now();
      recorder.start(1000);
      button.setAttribute("aria-pressed", "true"); label.textContent = T.voiceStop;
      say(T.voiceRecording); timer.textContent = "0:00";
      ticking = setInterval(function () {
        var elapsed = (Date.now() - started) / 1000;
        timer.textContent = clock(Math.min(elapsed, LIMIT_S));
        if (elapsed >= LIMIT_S) { stop(true); }
      }, 250);
    }).catch(function () { say(T.voiceDenied); });
  }

  if (button && window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { stop(false); } else { record(); }
    });
  } else if (button) {
    button.parentNode.hidden = true;  // the file input below does the job
  }
  if (clear) {
    clear.addEventListener("click", function () {
      recorded = null; show(null); timer.textContent = "0:00"; say(T.voiceDeleted);
      if (input) { input.value = ""; }
    });
  }
  if (input) {
    input.addEventListener("change", function () {
      if (input.files.length) { recorded = null; show(input.files[0]); say(""); }
    });
  }

  window.XaDeskVoice = {
    // The recording to send: the one made here, else the chosen file, else null.
    blob: function () {
      if (recorded) { return recorded; }
      return input && input.files.length ? input.files[0] : null;
    },
    // A recording kept in the outbox, back in the form ("edit and send again").
    restore: function (blob) { recorded = blob; show(blob); },
  };
})();
