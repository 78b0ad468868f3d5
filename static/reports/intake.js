// Progressive enhancement of the report and help forms. Without this script
// the forms post as plain multipart forms and the server does everything.
// With it: photos are downscaled before upload, a progress bar shows, the map
// loads lazily, nearby reports and help answers appear while typing, and the
// case goes through the outbox (static/js/offline.js): kept on the phone and
// sent with the SAME submission key when the signal returns — never lost,
// never sent twice; a refused one comes back here to edit (?draft=<key>).
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  // The texts come in a script of their own (config/pwa.py), loaded before.
  var T = self.XADESK_TEXTS && self.XADESK_TEXTS.form;
  if (!form || !T || !window.FormData || !window.XMLHttpRequest) { return; }
  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });

  var kind = form.dataset.intake;
  var DRAFT = "xadesk:draft:" + kind;
  // The refused case the form holds (its key in the outbox), kept with the
  // draft: reloaded, the form showed the draft but forgot the case, so a send
  // filed it and the outbox still offered the refused copy: "Edit and send
  // again" filed it a second time (a helper's walk).
  var HELD = "xadesk:held:" + kind;
  var MAX_SIDE = 1600;
  var el = form.elements;
  // Not form.action: the buttons named "action" shadow that property.
  var ACTION = form.getAttribute("action") || window.location.pathname;

  function $(id) { return document.getElementById(id); }
  function say(node, text) { if (node) { node.textContent = text; } }
  function fmt(text, value) { return text.replace("%s", value); }
  function csrf() { return el.csrfmiddlewaretoken.value; }
  function attr(v) { return String(v).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }

  // --- Draft text survives a reload or a closed tab ---------------------------
  var TEXT_FIELDS = ["service", "description", "lat", "lon", "location_source", "accuracy_m",
    "province", "commune", "address_text", "on_behalf_name", "on_behalf_phone", "on_behalf_village"];

  function fields() {
    var out = {};
    TEXT_FIELDS.forEach(function (name) {
      var input = el[name];
      if (!input) { return; }
      if (input.length !== undefined && input.tagName === undefined) {  // radio list
        var checked = Array.prototype.filter.call(input, function (r) { return r.checked; })[0];
        out[name] = checked ? checked.value : "";
      } else { out[name] = input.value; }
    });
    var consent = form.querySelector("input[name=consent]:checked");
    out.consent = consent ? consent.value : "";
    return out;
  }

  function store(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private mode */ } }
  function load(key) { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function drop(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  function fill(values) {
    ["description", "address_text", "lat", "lon", "location_source", "accuracy_m",
      "on_behalf_name", "on_behalf_phone", "on_behalf_village"].forEach(function (n) {
      if (el[n] && values[n] && !el[n].value) { el[n].value = values[n]; }
    });
  }
  var draft = load(DRAFT);
  var sameService = !el.service || el.service.type !== "hidden" || (draft && draft.service === el.service.value);
  var refilled = Boolean(draft && sameService && !$("form-error") && !el.description.value);
  if (refilled) { fill(draft); }
  form.addEventListener("input", function () { store(DRAFT, fields()); });

  // --- Photos: downscale to ~1600 px JPEG before sending ---------------------
  var photoInput = el.photos;
  if (photoInput) {
    var photoCount = function () {
      say($("photo-count"), photoInput.files.length ? fmt(T.photos, photoInput.files.length) : "");
    };
    photoInput.addEventListener("change", photoCount);
    // A photo picked before this script ran (the form shows first on a slow
    // phone, or a reload that kept the file) is counted too.
    photoCount();
  }

  function downscale(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.HTMLCanvasElement) { resolve(file); return; }
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        if (scale === 1 && file.size < 1500000) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) { resolve(blob && blob.size < file.size ? blob : file); }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  function preparePhotos() {
    var files = photoInput ? Array.prototype.slice.call(photoInput.files) : [];
    // Without a point, the first photo goes as taken: the server reads its GPS.
    // The commune a team member's form started with (data-team-commune,
    // reports/views/intake.py) is not one they chose: the photo's own place
    // still comes first. One shown again after a refusal is the person's.
    var communeChosen = !!el.commune.value && el.commune.value !== el.commune.dataset.teamCommune;
    var keepFirst = !el.lat.value && !communeChosen;
    return Promise.all(files.map(function (file, i) {
      return keepFirst && i === 0 ? file : downscale(file);
    }));
  }

  // --- Sending: through the outbox (static/js/offline.js) ----------------------
  // The case is put in IndexedDB first, then sent: with no signal it waits
  // there (even if this page is closed) and is sent when the signal returns.
  var O = window.XaDeskOutbox;
  var pendingBox = $("pending");
  var progress = $("progress");
  var sendButton = $("send");
  var editing = null;  // the key of a refused case opened here to edit
  // The key of the case this page put in the outbox: a second tap on Send
  // (the first said "saved, will be sent") is the same case, not a new one.
  var queuedHere = null;
  var queuedContent = null;  // what it held, to tell a changed form from a second tap

  // A refusal about one field (the API's details.fields) is said beside it,
  // which gets the focus; the top line links to it: at the top of a long form
  // alone it was missed. reports/views/refusal.py does the same without this
  // script, and names the place step's fields (data-refusal-fields).
  function refusedSpot(path) {
    // The schema's own 422s name a field by its path ("form.payload.lat").
    var name = String(path || "").split(".").pop();
    var place = $("place");
    if (place && (place.dataset.refusalFields || "").split(" ").indexOf(name) !== -1) {
      return { after: place.querySelector("legend"), focus: place, marked: place };
    }
    var input = el[name];
    if (input && input.tagName === undefined && input.length) {  // radios: the group
      var group = $("id_" + name) || input[0].parentNode;
      return { after: group, focus: input[0], marked: group };
    }
    if (!input || input.type === "hidden") { return null; }
    return { after: input, focus: input, marked: input };
  }

  function clearRefusals() {
    // The marks of an earlier refusal, this script's or the server's (a send
    // that fell back to the plain post): a new send starts clean.
    var top = $("form-error");
    if (top) { (top.closest(".error-summary") || top).remove(); }
    Array.prototype.forEach.call(form.querySelectorAll("#place-error, #photos-error, #voice-error, .errorlist, [data-refusal]"), function (n) { n.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
    // Nor described by a sentence that is gone (the server's marks too).
    Array.prototype.forEach.call(form.querySelectorAll("[data-refused], [aria-describedby]"), function (n) {
      n.removeAttribute("data-refused");
      var kept = (n.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("refusal-") !== 0 && $(id);
      });
      if (kept.length) { n.setAttribute("aria-describedby", kept.join(" ")); } else { n.removeAttribute("aria-describedby"); }
    });
  }

  function link(spot, text) {
    var a = document.createElement("a");
    a.href = "#" + (spot.focus.id || "");
    a.textContent = text;
    a.addEventListener("click", function (e) { e.preventDefault(); spot.focus.focus(); });
    return a;
  }

  // The line at the top, as the server's page has it (templates/_error_summary.html):
  // one refused input, its sentence as a link to it; several, every one, in
  // the page's order (not the answer's: the photos' came before the place's).
  function showError(message, refused, code) {
    clearRefusals();
    var summary = document.createElement("div");
    summary.className = "error-summary"; summary.tabIndex = -1;
    var spots = [];
    (refused || []).forEach(function (item) {
      var spot = item && refusedSpot(item.field);
      if (!spot || !spot.after || spot.marked.hasAttribute("data-refused")) { return; }
      var note = document.createElement("p");
      note.className = "error"; note.id = "refusal-" + String(item.field).split(".").pop(); note.dataset.refusal = "";
      // Each input's own sentence when the case core refused it, all at once
      // (core/errors.py Refusals); a schema check's "problem" is pydantic's
      // English, so there the answer's sentence.
      note.textContent = code && code !== "invalid_input" && item.problem ? item.problem : message;
      spot.after.insertAdjacentElement("afterend", note);
      // A voice note refused: its folded file input opens (static/js/voice.js).
      if (window.XaDeskVoice && spot.marked.closest && spot.marked.closest(".voice")) {
        window.XaDeskVoice.unfold();
      }
      spot.marked.setAttribute("aria-invalid", "true"); spot.marked.dataset.refused = "";
      var described = spot.marked.getAttribute("aria-describedby");
      spot.marked.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
      spot.said = note.textContent;
      spots.push(spot);
    });
    spots.sort(function (a, b) {
      return a.marked.compareDocumentPosition(b.marked) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    var box = document.createElement(spots.length > 1 ? "div" : "p");
    box.id = "form-error"; box.className = "error"; box.setAttribute("role", "alert");
    if (spots.length > 1) {
      var title = document.createElement("p");
      title.textContent = T.check;
      var list = document.createElement("ul");
      spots.forEach(function (spot) {
        list.appendChild(document.createElement("li")).appendChild(link(spot, spot.said));
      });
      box.appendChild(title); box.appendChild(list);
    } else if (spots.length) {
      box.appendChild(link(spots[0], message));
    } else {
      box.textContent = message;
    }
    summary.appendChild(box);
    form.parentNode.insertBefore(summary, form);
    // The focus goes to the first refused input on the page, scrolled to
    // (its sentence is read with it); the line at the top is an alert, read
    // as it appears. Nothing to go to: the line itself.
    var first = spots.length ? spots[0].focus : summary;
    if (first === $("place")) { first.setAttribute("tabindex", "-1"); }
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  }

  // The API's names (reports/api.py CaseFormIn): the commune by its code.
  function apiFields(values) {
    var out = {};
    Object.keys(values).forEach(function (name) {
      if (name !== "province" && name !== "commune") { out[name] = values[name]; }
    });
    out.commune_code = values.commune || "";
    return out;
  }

  function formUrl() {
    return kind === "report" && el.service ? ACTION + "?service=" + encodeURIComponent(el.service.value) : ACTION;
  }

  function done(result) {
    sendButton.disabled = false; progress.hidden = true;
    if (result.sent) {
      drop(DRAFT); drop(HELD);
      window.location.assign(form.dataset.submittedUrl.replace("NUMBER", encodeURIComponent(result.number)));
      return;
    }
    if (result.rejected) {
      pendingBox.hidden = true;
      O.get(result.key).then(function (item) {
        showError(item ? item.reason : "", item && item.refused, item && item.code);
        // Nothing the person made is in it (Send on an empty form): the reason
        // is said here; a "not sent" warning on every page would keep nothing.
        if (item && !madeByThePerson(item)) {
          return O.remove(result.key).then(function () { if (O.render) { O.render(); } });
        }
        editing = result.key;
        store(HELD, result.key);
        O.heldHere = result.key;  // its "Edit" / "Discard" entry is this form: not listed again
        if (O.render) { O.render(); }
      });
      return;
    }
    say(pendingBox, T.offline);  // kept: sent again by itself
  }

  // Words, photos, a voice note or the name of a resident filed for: what is
  // worth keeping on the phone when the server refuses the case.
  function madeByThePerson(item) {
    var f = item.fields || {};
    return Boolean((f.description || "").trim() || (f.on_behalf_name || "").trim() ||
      (item.photos && item.photos.length) || item.voice);
  }

  // A key no case in the outbox has: a copy of this form opened offline
  // carries the key of the case sent from it before.
  // null: nothing to store (the same report again, already on its way).
  function keyFor(values, blobs) {
    var key = el.idempotency_key.value;
    if (editing || !key) { return Promise.resolve(O.newKey()); }
    if (key === queuedHere) {
      return O.get(key).then(function (there) {
        // Still waiting: stored again under its key, with what the form holds
        // now (one case of one key). Not once it is being sent: the sender
        // would delete or overwrite the edit when it finishes.
        if (there && there.state === "waiting") { return key; }
        return contentOf(values, blobs) === queuedContent ? null : O.newKey();
      });
    }
    return O.get(key).then(function (there) { return there ? O.newKey() : key; });
  }

  function contentOf(values, blobs) { return JSON.stringify([apiFields(values), blobs.length]); }

  function voiceBlob() { return window.XaDeskVoice ? window.XaDeskVoice.blob() : null; }

  function queue(values, blobs) {
    var before = editing ? O.remove(editing) : Promise.resolve();
    return before.then(function () { return keyFor(values, blobs); }).then(function (key) {
      if (key === null) { say(pendingBox, T.offline); return; }
      editing = null;
      O.heldHere = null;
      drop(HELD);
      el.idempotency_key.value = key;
      queuedHere = key;
      queuedContent = contentOf(values, blobs);
      progress.hidden = !navigator.onLine; progress.value = 0;
      sendButton.disabled = navigator.onLine;
      return O.add({ key: key, kind: kind, fields: apiFields(values), photos: blobs, voice: voiceBlob(), formUrl: formUrl() }, {
        done: done,
        progress: function (pct) { progress.value = pct; },
      });
    }).then(function () {
      if (!navigator.onLine) { say(pendingBox, T.offline); drop(DRAFT); }
    });
  }

  // A reloaded form whose draft is a refused case: that case again, so that
  // sending replaces it (queue) and the outbox does not list it beside the form.
  function heldAgain() {
    var key = load(HELD);
    if (!key || editing || !refilled) { return; }
    O.draft([kind], key).then(function (item) {
      if (!item || item.state !== "rejected") { drop(HELD); return; }
      if (editing) { return; }
      editing = key;
      O.heldHere = key;
      if (O.render) { O.render(); }
    }).catch(function () { /* the form still sends a new case */ });
  }

  var lastButton = null;
  form.addEventListener("click", function (e) { lastButton = e.target.closest("button[type=submit]"); });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter || lastButton;
    if (submitter && submitter.value !== "submit") { return; }  // check / province / me too
    if (!O || !O.add) { return; }  // no IndexedDB: the plain form posts
    event.preventDefault();
    clearRefusals();
    say(pendingBox, T.sending); pendingBox.hidden = false;
    // Send while still recording: the note is stopped and kept first, not lost.
    var recorded = window.XaDeskVoice ? window.XaDeskVoice.finish() : Promise.resolve();
    recorded.then(function () {
      var values = fields();
      return preparePhotos().then(function (blobs) { return queue(values, blobs); });
    }).catch(function () { sendButton.disabled = false; form.submit(); });
  });

  // The "check" button without leaving the page. It posted the whole form,
  // photos included: megabytes up a weak line for a list, and the page that
  // came back had lost the photos already chosen (a file input cannot be
  // given them back), so the resident chose them again. Now the form's words
  // go as the button sends them, without its files (photos, voice note), and
  // the list of the page the server answers replaces this one: one rule of
  // where it looks (reports_open_check), one way of showing it
  // (_nearby.html). An answer without that list (a refusal, a 5xx) gets the
  // plain post, as without this script, so its sentence shows; no answer at
  // all (no signal, a line that stalls: navigator.onLine stays true on a weak
  // one) is said in the box, and the photos stay.
  var plainCheck = false, checks = 0;
  var CHECK_WAIT_MS = 25000;
  function noSignalForCheck(box) {
    // "It is kept on this phone" only where the outbox keeps it.
    say(box, O && O.add ? T.checkOffline + " " + T.checkKept : T.checkOffline);
  }
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter || lastButton;
    var box = $("nearby");
    if (!submitter || submitter.value !== "check" || plainCheck || !box || !T.checkOffline ||
        !window.DOMParser || !window.fetch || !FormData.prototype.delete) { return; }
    event.preventDefault();
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      data.delete(input.name);
    });
    data.append("action", "check");
    var asked = ++checks;  // only the answer to the latest check may fill the box
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, CHECK_WAIT_MS) : null;
    say(box, T.checking);
    fetch(ACTION, { method: "POST", body: data, credentials: "same-origin", signal: abort ? abort.signal : undefined })
      .then(function (r) {
        clearTimeout(timer);
        if (asked !== checks) { return; }
        if (r.redirected) { window.location.assign(r.url); return; }  // signed out: the log-in page
        var plain = function () {
          if (!pendingBox.hidden) { return; }  // the report is being sent: stay
          plainCheck = true; submitter.click(); plainCheck = false;
        };
        if (!r.ok) { return plain(); }
        return r.text().then(function (html) {
          var list = new DOMParser().parseFromString(html, "text/html").getElementById("nearby");
          if (asked !== checks) { return; }
          if (list) { box.innerHTML = list.innerHTML; } else { plain(); }
        });
      }, function () {
        clearTimeout(timer);
        if (asked === checks) { noSignalForCheck(box); }
      });
  });

  // "Edit and send again" (the outbox's link): the refused case back in the form.
  if (O && O.draft) {
    O.draft([kind]).then(function (item) {
      if (!item) { return heldAgain(); }
      editing = item.key;
      var v = item.fields;
      ["description", "address_text", "lat", "lon", "location_source", "accuracy_m",
        "on_behalf_name", "on_behalf_phone", "on_behalf_village"].forEach(function (n) {
        if (el[n] && v[n] !== undefined) { el[n].value = v[n]; }
      });
      if (photoInput && item.photos && item.photos.length && window.DataTransfer) {
        var files = new DataTransfer();
        item.photos.forEach(function (blob, i) {
          files.items.add(new File([blob], "photo-" + (i + 1) + ".jpg", { type: blob.type || "image/jpeg" }));
        });
        photoInput.files = files.files;
        say($("photo-count"), fmt(T.photos, files.files.length));
      }
      if (v.consent) {
        Array.prototype.forEach.call(form.querySelectorAll("input[name=consent]"), function (r) {
          r.checked = r.value === v.consent;
        });
      }
      if (item.voice && window.XaDeskVoice) { window.XaDeskVoice.restore(item.voice); }
      O.heldHere = item.key;
      if (O.render) { O.render(); }
      showError(item.reason, item.refused, item.code);
    });
  }

  // --- Commune list of the chosen province ------------------------------------
  var province = el.province, commune = el.commune;
  if (province && commune && form.dataset.communesUrl) {
    // The empty choice's words ("Choose the commune") come from the server, in the page's language.
    var chooseCommune = commune.dataset.emptyLabel || "";
    province.addEventListener("change", function () {
      // Arrow keys move through the provinces one change at a time: only the
      // answer for the province still chosen may fill the list.
      var asked = province.value;
      fetch(form.dataset.communesUrl + "?province=" + encodeURIComponent(asked))
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (province.value !== asked) { return; }
          commune.innerHTML = '<option value="">' + attr(chooseCommune) + "</option>" + body.communes.map(function (c) {
            return '<option value="' + attr(c[0]) + '">' + attr(c[1]) + "</option>";
          }).join("");
          say($("commune-status"), fmt(T.communes, body.communes.length));  // heard by screen readers
        }).catch(function () { /* the "show communes" button still works */ });
    });
  }

  // --- Place: the device's GPS, the map, nearby open reports ------------------
  var map = null, marker = null;

  function setPoint(lat, lon, source, accuracy) {
    el.lat.value = lat.toFixed(6); el.lon.value = lon.toFixed(6);
    el.location_source.value = source;
    el.accuracy_m.value = accuracy === undefined ? "" : String(Math.round(accuracy));
    if (map) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = window.L.marker([lat, lon]).addTo(map); }
      map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
    store(DRAFT, fields());
    checkLabel();
    nearby();
  }

  var gps = $("use-gps");
  var P = window.XaDeskPlace;  // static/geo/place.js
  if (gps) {
    if (!navigator.geolocation || !P) { gps.hidden = true; }
    gps.addEventListener("click", function () {
      P.locate(function (text) { say($("gps-status"), text); },
        { wait: T.gpsWait, done: T.gpsDone, fail: T.gpsFail },
        function (lat, lon, meters) {
          setPoint(lat, lon, "gps", meters);
          placeName(lat, lon, fmt(T.gpsPlace, meters));
        });
    });
  }

  // Which commune the place is in, beside the button: "Location found" alone
  // left the lists below looking unfilled. Offline it stays unsaid.
  // ``sentence``: what was found, with %s for the place's name. An answer
  // that comes after the point moved again is not said: a late one named the
  // commune of the point before (a second read).
  function placeName(lat, lon, sentence) {
    var status = $("gps-status");
    if (!form.dataset.lookupUrl || !navigator.onLine || !sentence) { return; }
    var asked = lat.toFixed(6) + "," + lon.toFixed(6);
    fetch(form.dataset.lookupUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon),
      { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) {
        if (!b || !b.commune || !b.province || asked !== el.lat.value + "," + el.lon.value) { return; }
        // Names in the page's language: "Phan Dinh Phung Ward" in English.
        var place = P.unitName(b.commune) + ", " + P.unitName(b.province);
        say(status, fmt(sentence, place));
      }).catch(function () { /* the point alone is enough to file */ });
  }

  function nearby() {
    var box = $("nearby");
    if (!box || !form.dataset.nearbyUrl || !el.lat.value || !el.lon.value) { return; }
    var url = form.dataset.nearbyUrl + "?service=" + encodeURIComponent(el.service.value) +
      "&lat=" + encodeURIComponent(el.lat.value) + "&lon=" + encodeURIComponent(el.lon.value);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        if (!rows.length) { box.innerHTML = "<p>" + attr(T.nearbyNone) + "</p>"; return; }
        box.innerHTML = "<p><strong>" + attr(T.nearbyTitle) + "</strong></p><ul class=nearby>" +
          rows.map(function (n) {
            // The photo and words the public page shows: enough to tell whether it is the same problem.
            return "<li>" + (n.photo ? '<img src="' + attr(n.photo) + '" alt="' + attr(T.photoAlt) + '" width=64 loading=lazy>' : "") +
              (n.summary ? "<q>" + attr(n.summary) + "</q>" : "") +
              "<span>" + attr(fmt(T.meters, n.distance_m)) + " · " + attr(fmt(T.supporters, n.supporters + 1)) + "</span>" +
              '<button type=button data-public-id="' + attr(n.public_id) + '">' + attr(T.metoo) + "</button></li>";
          }).join("") + "</ul>";
      }).catch(function () { /* the "check" button still works */ });
  }

  // The "check" button says where the server will look: near the point when
  // the form holds one, else in the chosen commune (reports/selectors.py
  // reports_open_check). Typed, picked, located or brought back with a draft.
  var checkButton = form.querySelector("button[name=action][value=check]");
  function checkLabel() {
    var label = el.lat.value && el.lon.value ? T.checkNear : T.checkCommune;
    // A texts script cached before these words came has none: keep the page's.
    if (checkButton && label) { checkButton.textContent = label; }
  }
  if (checkButton) {
    ["lat", "lon"].forEach(function (n) {
      el[n].addEventListener("input", checkLabel);
      el[n].addEventListener("change", checkLabel);
    });
    checkLabel();
  }

  var nearbyBox = $("nearby");
  if (nearbyBox) {
    nearbyBox.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-public-id]");
      if (!button) { return; }
      event.preventDefault();
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf());
      fetch(form.dataset.supportUrl.replace("PUBLIC_ID", encodeURIComponent(button.dataset.publicId)), {
        method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) { return r.json(); }).then(function (b) {
        var done = document.createElement("span");
        // Counted as the list above counts them, the reporter included (the
        // answer counts the others; "1" beside a list of 2 read as a lost voice).
        done.textContent = b.supporters !== undefined ? fmt(T.metooDone, b.supporters + 1) : b.message;
        button.replaceWith(done);
      }).catch(function () { /* offline: the resident can still file */ });
    });
    ["lat", "lon"].forEach(function (n) { el[n].addEventListener("change", nearby); });
  }

  var mapBox = $("map"), showMap = $("show-map");
  var mapAsked = false;  // by a tap, or by the page itself on a good connection
  function mapNote() {  // "the map pictures could not be loaded"
    var note = $("map-note");
    note.textContent = T.mapNote;
    note.className = "hint";  // no longer the words for a page without this script
  }
  function openMap() {
    if (map || !mapBox || !P) { return; }
    mapAsked = true;
    // The button hides: its focus goes to the map once it is there, not to
    // the page's start (a keyboard walk took 21 Tabs back to the map).
    var focused = document.activeElement === showMap;
    if (showMap) { showMap.hidden = true; }
    P.loadLeaflet(mapBox, function () {
      if (map) { return; }  // asked twice while Leaflet came
      var L = window.L;
      mapBox.hidden = false;
      var lat = parseFloat(el.lat.value), lon = parseFloat(el.lon.value);
      var known = isFinite(lat) && isFinite(lon);
      map = L.map(mapBox).setView(known ? [lat, lon] : [21.59, 105.84], known ? 16 : 9);
      var failures = 0;
      P.tiles(map, 19)
        .on("tileerror", function () { if (++failures === 3) { mapNote(); } }).addTo(map);
      if (known) { marker = L.marker([lat, lon]).addTo(map); }
      var pick = function (at) {
        say($("gps-status"), "");  // what was said of the point before
        setPoint(at.lat, at.lng, "map");
        placeName(at.lat, at.lng, T.mapPlace);
      };
      map.on("click", function (e) { pick(e.latlng); });
      P.keyPick(mapBox, map, T.mapKeys, pick);  // from the keyboard
      if (focused) { mapBox.focus(); }
    }, function () {  // no map: "use my location" and the commune list still work
      if (showMap) { showMap.hidden = false; if (focused) { showMap.focus(); } }
      mapNote();
    });
  }
  if (mapBox && showMap) {
    showMap.addEventListener("click", openMap);
    // Open the map by itself only on a good connection that is not metered.
    var c = navigator.connection;
    if (c && c.effectiveType === "4g" && !c.saveData) {
      // Not once the person has asked (or a try failed): a second try of its
      // own hid the button they had just been given back.
      window.addEventListener("load", function () { setTimeout(function () { if (!mapAsked) { openMap(); } }, 300); });
    }
  }
  if (el.lat.value && el.lon.value && nearbyBox && !nearbyBox.querySelector("ul")) { nearby(); }

  // --- Help: answers while typing ---------------------------------------------
  var suggestBox = $("suggestions");
  if (suggestBox && form.dataset.suggestUrl) {
    var timer = null, last = "";
    var topic = function () { var t = form.querySelector("input[name=service]:checked"); return t ? t.value : ""; };
    var ask = function () {
      var text = el.description.value.trim();
      if (text.length < 6 || text + topic() === last) { return; }
      last = text + topic();
      fetch(form.dataset.suggestUrl + "?text=" + encodeURIComponent(text) + "&topic=" + encodeURIComponent(topic()))
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (b) {
          suggestBox.innerHTML = b.results.length ? "<ul class=answers>" + b.results.map(function (h) {
            return '<li><a href="' + attr(form.dataset.articleUrl.replace("SLUG", h.slug)) + '">' + attr(h.title) + "</a>" +
              '<p class=hint>' + attr(h.snippet) + '</p><a class=button href="' + attr(form.dataset.answeredUrl) +
              "?article=" + encodeURIComponent(h.slug) + '">' + attr(T.answered) + "</a></li>";
          }).join("") + "</ul>" : "";
        }).catch(function () { /* the "find an answer" button still works */ });
    };
    el.description.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 600); });
    form.addEventListener("change", function (e) { if (e.target.name === "service") { ask(); } });
  }
})();
