// The alert's SMS counter (templates/console/alert_new.html): "N characters ·
// M SMS" under the SMS text, kept up to date as the officer types. Without
// this script the page still shows the count of the text it was made with
// (and, after a refusal, of the text that was sent), written by the server.
//
// One rule: the alphabet and the limits come from the server (core/sms.py
// sms_rule, in data-sms-rule), and the count is the one sms_size makes
// there: septets of GSM-7 when every character is in its alphabet (160 in
// one SMS, 153 a part), else UCS-2 units (70, 67 a part; a Vietnamese mark
// is enough). The text is counted as it is sent (alerts/services.py
// alert_sms_text: invisible marks removed, spaces collapsed). The texts come from the per-language
// script (templates/pwa/texts.js.html). Small and plain for old phones.
(function () {
  "use strict";
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.sms;
  var line = document.querySelector("[data-sms-count]");
  if (!T || !line) { return; }
  var box = document.getElementById(line.getAttribute("data-sms-count"));
  var text = line.querySelector("[data-sms-text]");
  var over = line.querySelector("[data-sms-over]");
  var said = document.querySelector("[data-sms-said]");
  var rule;
  try { rule = JSON.parse(line.getAttribute("data-sms-rule")); } catch (e) { return; }
  if (!box || !text || !over) { return; }

  function size(value) {
    var septets = 0, gsm = true, i, c;
    for (i = 0; i < value.length; i += 1) {
      c = value.charAt(i);
      if (rule.basic.indexOf(c) !== -1) { septets += 1; }
      else if (rule.extension.indexOf(c) !== -1) { septets += 2; }
      else { gsm = false; break; }
    }
    // A JavaScript string is UTF-16, as UCS-2 counts it: an emoji is two.
    var length = gsm ? septets : value.length;
    var limits = gsm ? rule.gsm : rule.ucs2;
    return [length, length <= limits[0] ? 1 : Math.ceil(length / limits[1])];
  }

  // Without the invisible marks sending removes (rule.removed): a zero-width
  // space pasted from Zalo made this count 70 a message where the server
  // counts 160.
  function visible(value) {
    var kept = "", i, c;
    for (i = 0; i < value.length; i += 1) {
      c = value.charAt(i);
      if (rule.removed.indexOf(c) === -1) { kept += c; }
    }
    return kept;
  }

  var parts = -1;
  function show() {
    var counted = size(visible(box.value).replace(/\s+/g, " ").replace(/^ | $/g, ""));
    var sentence = (counted[0] === 1 ? T.one : T.many)
      .replace("%s", counted[0]).replace("%s", counted[1]);
    text.textContent = sentence;
    over.hidden = counted[1] <= 1;
    if (said && counted[1] !== parts && parts !== -1) {
      said.textContent = sentence + (over.hidden ? "" : " " + over.textContent);
    }
    parts = counted[1];
  }

  box.addEventListener("input", show);
  show();
}());
