// The officer's reply in the console (templates/console/ticket_detail.html)
// records with static/js/voice.js but has no outbox: the form is posted the
// plain way, so the file input is the recording's only way to the server.
// Where the browser cannot put a file in an input, Record is not offered
// (the file input is the way, as without a microphone); and Send tapped
// while recording waits for the recording, which went missing otherwise.
(function () {
  "use strict";
  var form = document.querySelector("form[data-voice-plain]");
  var voice = window.XaDeskVoice;
  if (!form || !voice) { return; }
  var carries = false;
  try { carries = Boolean(new DataTransfer().files); } catch (e) { carries = false; }
  if (!carries) { document.documentElement.classList.remove("voice-recorder"); return; }
  form.addEventListener("submit", function (event) {
    if (!voice.busy()) { return; }
    event.preventDefault();
    var submitter = event.submitter || null;
    voice.finish().then(function () {
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });
})();
