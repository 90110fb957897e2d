// Autosave for long forms (progressive enhancement: without JavaScript the Save buttons still work).
//
// A form marked data-autosave="<key>" keeps what is typed in sessionStorage as the person types,
// and posts it to data-autosave-url every 20 seconds while there are changes. The server
// answers 204 and the new version of its copy in
// X-ECM-Saved-At; 401 or 403 when the person has been signed out, and then the local copy stays.
//
// Versions, not clocks: each local copy records the server version it was typed over
// (data-autosave-saved-at). On load the copy is put back only if the server still holds that
// version, i.e. the server copy is older than what was typed. So a session that expires mid-form
// loses nothing: after signing in again, next= brings the person back and the text returns.
//
// Optional, per form (the formulation report's editor uses them):
// - data-autosave-on-leave: also post unsaved changes when the person leaves the page or tab.
// - an input marked data-autosave-version: kept at the server's current version, so the form's own
//   Save button names the version it was typed over; a Save pressed while a background save is on
//   its way waits for it, so the two never collide.
// - an element marked data-autosave-conflict (hidden): shown when the server answers 409 (someone
//   else changed the same part). Autosave then stops, so nothing is ever overwritten in the background.
// - data-autosave-merge, with hidden inputs marked data-autosave-base="<field>": per part, the text
//   its box started from. The server merges per part (a part only one side changed keeps that
//   side's text); it answers 200 with {"fields": {...}} for parts someone else changed meanwhile,
//   and the boxes this person has not touched since take that text.
// - with data-autosave-on-leave, a link clicked on the page waits for the unsaved text to reach
//   the server before the next page is asked for, so that page shows it.
//
// Forms with no draft on the server (contact, consultation and meeting notes, review steps) are
// marked data-autosave-local="<person's id>": what is typed is kept in this tab's sessionStorage,
// keyed by person and form address, and put back with a notice ("We restored what you typed on
// ...") and a button to discard it. A session that times out loses nothing: saving sends the person
// to sign in, next= brings them back to the form and the text returns. The copy is dropped once a
// save goes through (init.js, on the page with the success message) and at sign-out.
//
// Every form gets a status line that stays in view (position: sticky) and is announced politely.

const INTERVAL_MS = 20000;
const PREFIX = "ecm-autosave:";
const DRAFT_PREFIX = "ecm-draft:"; // init.js drops these once saved, and at sign-out

function read(key) {
  try {
    return JSON.parse(window.sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage is full or switched off: the server copy still works.
  }
}

function forget(key) {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    // Nothing to do.
  }
}

function keysFor(referral) {
  const keys = [];
  try {
    for (let index = 0; index < window.sessionStorage.length; index += 1) {
      const key = window.sessionStorage.key(index);
      if (key && key.startsWith(`${PREFIX}referral-${referral}:`)) {
        keys.push(key);
      }
    }
  } catch {
    // No storage: nothing kept.
  }
  return keys;
}

function isField(element) {
  return (
    element.name &&
    element.tagName !== "BUTTON" &&
    element.type !== "hidden" &&
    element.type !== "submit" &&
    element.type !== "file"
  );
}

function snapshot(form) {
  const fields = {};
  for (const element of form.elements) {
    if (!isField(element)) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      fields[element.name] = fields[element.name] || [];
      if (element.checked) fields[element.name].push(element.value);
    } else {
      fields[element.name] = element.value;
    }
  }
  return fields;
}

// Has the person changed this field from what the page came with?
function touched(element) {
  if (element.type === "checkbox" || element.type === "radio") return element.checked !== element.defaultChecked;
  if (element.tagName === "SELECT") return [...element.options].some((option) => option.selected !== option.defaultSelected);
  return element.value !== element.defaultValue;
}

// The names of the fields typed in before this script ran (a page slow to load its scripts).
function typedAlready(form) {
  return new Set([...form.elements].filter((element) => isField(element) && touched(element)).map((element) => element.name));
}

// Put a copy's values into the form. `keep`: names of fields left as they are (what the person has
// typed on this page already wins over an older copy).
function restore(form, fields, keep = new Set()) {
  let changed = false;
  for (const element of form.elements) {
    if (!isField(element) || !(element.name in fields) || keep.has(element.name)) continue;
    const value = fields[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      const checked = Array.isArray(value) && value.includes(element.value);
      if (element.checked !== checked) {
        element.checked = checked;
        changed = true;
      }
    } else if (typeof value === "string" && element.value !== value) {
      element.value = value;
      changed = true;
    }
  }
  return changed;
}

function timeNow() {
  return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function when(milliseconds) {
  const moment = new Date(milliseconds);
  const day = moment.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  const time = moment.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return `${day} at ${time}`;
}

// One value of a field as text: radios and checkboxes snapshot as lists.
function asText(value) {
  return Array.isArray(value) ? value.join(",") : typeof value === "string" ? value : "";
}

function labelOf(form, name) {
  const element = form.elements.namedItem(name);
  const first = element && "length" in element && !("tagName" in element) ? element[0] : element;
  if (first && first.id) {
    const label = form.querySelector(`label[for="${first.id}"]`);
    const fieldset = first.closest("fieldset");
    if (first.type !== "radio" && label) return label.textContent.trim();
    if (fieldset && fieldset.querySelector("legend")) return fieldset.querySelector("legend").textContent.trim();
  }
  return name;
}

// The status line: in view while the form is (sticky at the bottom of the window), announced politely.
function statusLine(form) {
  let status = form.querySelector("[data-autosave-status]");
  if (!status) {
    status = document.createElement("p");
    status.className = "govuk-body-s";
    status.dataset.autosaveStatus = "";
    const buttons = form.querySelector(".govuk-button-group");
    if (buttons && buttons.parentNode === form) form.insertBefore(status, buttons);
    else form.append(status);
  }
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  // Styled from script (the Content-Security-Policy allows no inline styles in the markup); the
  // bar shows once there is something to say.
  Object.assign(status.style, { position: "sticky", bottom: "0", zIndex: "1", background: "#ffffff" });
  // A field reached with the keyboard is scrolled clear of the bar, never hidden behind it (WCAG 2.4.11).
  document.documentElement.style.scrollPaddingBottom = "80px";
  return (text) => {
    if (status.textContent === text) return;
    status.textContent = text;
    if (text) Object.assign(status.style, { margin: "0 0 20px", padding: "10px 0", borderTop: "1px solid #b1b4b6" });
  };
}

// A notice above the form that text was put back, with a button that puts the page's own text back.
function restoredNotice(form, at, discard) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", "autosave-restored-title");
  banner.dataset.autosaveRestoredNotice = "";
  banner.innerHTML = `
    <div class="govuk-notification-banner__header">
      <h2 class="govuk-notification-banner__title" id="autosave-restored-title">Important</h2>
    </div>
    <div class="govuk-notification-banner__content">
      <p class="govuk-notification-banner__heading"></p>
      <p class="govuk-body">It is not saved yet: check it, then save.</p>
      <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">Discard what was restored</button>
    </div>`;
  banner.querySelector(".govuk-notification-banner__heading").textContent = `We restored what you typed on ${when(at)}.`;
  banner.querySelector("button").addEventListener("click", () => {
    discard();
    banner.remove();
  });
  const column = form.closest(".govuk-grid-column-two-thirds, .govuk-grid-column-full, main") || form.parentNode;
  const summary = column.querySelector(".govuk-error-summary");
  if (summary && summary.parentNode === column) summary.after(banner);
  else column.prepend(banner);
}

function localKey(form) {
  const address = new URL(form.getAttribute("action") || window.location.href, window.location.href);
  return `${DRAFT_PREFIX}${form.dataset.autosaveLocal}:${address.pathname}${address.search}`;
}

// A form with no draft on the server: keep what is typed in this tab, put it back on return.
function setUpLocal(form) {
  const key = localKey(form);
  const say = statusLine(form);
  const original = snapshot(form);
  const typed = typedAlready(form);
  const button = form.querySelector("button[type=submit], button:not([type])");
  const buttonText = button ? button.textContent.trim() : "Save";
  let stored = read(key);
  if (stored && stored.submitted && document.querySelector(".govuk-notification-banner--success")) {
    forget(key); // saved, and this page says so
    stored = null;
  }
  if (stored && stored.fields) {
    if (restore(form, stored.fields, typed)) {
      restoredNotice(form, stored.at || Date.now(), () => {
        restore(form, original);
        forget(key);
        say("What was restored has been discarded.");
      });
      say(`We restored what you typed on ${when(stored.at || Date.now())}. It is not saved yet.`);
    }
    // This page came back (the save did not go through, or was refused): keep the copy.
    if (stored.submitted) write(key, { ...stored, submitted: false });
  }
  const remember = () => {
    write(key, { fields: snapshot(form), at: Date.now() });
    say(`What you type is kept in this browser (${timeNow()}). It is saved when you press “${buttonText}”.`);
  };
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);
  if (typed.size) remember(); // typed before this script ran: keep it too
  form.addEventListener("submit", () => {
    const current = read(key);
    if (current) write(key, { ...current, submitted: true });
  });
}

function setUp(form) {
  const key = form.dataset.autosave;
  const url = form.dataset.autosaveUrl;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  const versionInput = form.querySelector("[data-autosave-version]");
  const conflict = document.querySelector("[data-autosave-conflict]");
  const merging = "autosaveMerge" in form.dataset;
  const baseInputs = new Map([...form.querySelectorAll("[data-autosave-base]")].map((i) => [i.dataset.autosaveBase, i]));
  let serverVersion = Number(form.dataset.autosaveSavedAt);
  let edits = 0;
  let sentEdits = 0;
  let sending = null; // the background save on its way, if any
  let leaving = false;
  let stopped = false;
  let submitAfterSend = null;

  const say = statusLine(form);
  const bases = () => Object.fromEntries([...baseInputs].map(([name, input]) => [name, input.value]));

  const stored = read(key);
  const typed = typedAlready(form);
  let restored = false;
  if (stored && merging && stored.bases && !(stored.submitted && stored.base < serverVersion)) {
    // Per part: put back only the parts typed over and not saved, with the text each started from,
    // so the next save merges them with whatever has been saved since.
    const fields = {};
    for (const [name, value] of Object.entries(stored.fields || {})) {
      if (name in stored.bases && asText(value) !== stored.bases[name] && !typed.has(name)) {
        fields[name] = value;
        if (baseInputs.has(name)) baseInputs.get(name).value = stored.bases[name];
      }
    }
    restored = restore(form, fields, typed);
  } else if (stored && stored.base === serverVersion) {
    restored = restore(form, stored.fields || {}, typed);
  }
  if (restored) {
    const banner = document.querySelector("[data-autosave-restored]");
    if (banner) banner.hidden = false;
    edits = 1; // the restored text is not on the server yet
  } else if (stored) {
    forget(key);
  }

  const remember = () => {
    edits += 1;
    write(key, { base: serverVersion, fields: snapshot(form), bases: bases() });
    if (edits === 1 && url) say("Not saved yet: your draft saves by itself within 20 seconds.");
  };
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);
  if (typed.size) remember(); // typed before this script ran: keep it, and save it with the next round
  form.addEventListener("submit", (event) => {
    if (sending && versionInput) {
      // A background save is on its way: send this one when it is back, over the version it made.
      event.preventDefault();
      submitAfterSend = event.submitter || form;
      return;
    }
    leaving = true; // the person's own save goes now; no background save races it
    // Cleared on the next page if the save went through (see clearSaved); kept if it did not.
    const current = read(key);
    if (current) write(key, { ...current, submitted: true });
  });

  const body = () => {
    const data = new FormData(form);
    data.delete("action");
    data.set("version", String(serverVersion)); // the server saves only over the copy this was typed on
    return data;
  };

  const headers = () => ({ "X-CSRFToken": token ? token.value : "", "X-Requested-With": "XMLHttpRequest" });

  // keepalive: the request outlives the page when it is sent as the person leaves.
  function send(keepalive = false) {
    if (sending || leaving || stopped || edits === sentEdits || !url) return sending || Promise.resolve();
    sending = post(keepalive);
    return sending;
  }

  // After a save: each part's base is what was sent; parts someone else changed meanwhile take
  // their text where this person has not typed since.
  function caughtUp(sent, theirs) {
    for (const [name, input] of baseInputs) {
      if (name in sent) input.value = asText(sent[name]);
    }
    const now = snapshot(form);
    const shown = [];
    for (const [name, value] of Object.entries(theirs)) {
      if (!(name in now) || asText(now[name]) !== asText(sent[name])) continue;
      restore(form, { [name]: Array.isArray(now[name]) ? (value ? [value] : []) : value });
      if (baseInputs.has(name)) baseInputs.get(name).value = value;
      shown.push(`“${labelOf(form, name)}”`);
    }
    return shown;
  }

  async function post(keepalive) {
    const editsAtSend = edits;
    const sent = snapshot(form);
    try {
      const response = await fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        redirect: "manual",
        keepalive,
        headers: headers(),
      });
      // Read the answer to its end, so leaving the page later does not cut it off mid-way.
      const answer = await response.text().catch(() => "");
      if (response.status === 204 || response.status === 200) {
        sentEdits = editsAtSend;
        serverVersion = Number(response.headers.get("X-ECM-Saved-At")) || serverVersion;
        form.dataset.autosaveSavedAt = String(serverVersion);
        if (versionInput) versionInput.value = String(serverVersion);
        let theirs = {};
        try {
          theirs = response.status === 200 ? JSON.parse(answer).fields || {} : {};
        } catch {
          theirs = {};
        }
        const shown = caughtUp(sent, theirs);
        if (edits === editsAtSend) {
          forget(key);
        } else {
          write(key, { base: serverVersion, fields: snapshot(form), bases: bases() });
        }
        const others = shown.length ? ` Someone else's changes to ${shown.join(", ")} are saved and shown.` : "";
        say(`Draft saved at ${timeNow()}.${others}`);
      } else if (response.status === 409) {
        stopped = true; // never save over someone else's version in the background
        if (conflict) conflict.hidden = false;
        say("This draft has been saved from somewhere else. What you type is kept in this browser tab.");
      } else if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
        say("You have been signed out. What you type is kept in this browser tab: sign in again, then save.");
      } else {
        say("Your draft could not be saved just now. What you type is kept in this browser tab.");
      }
    } catch {
      say("Your draft could not be saved just now. What you type is kept in this browser tab.");
    } finally {
      sending = null;
      if (submitAfterSend) {
        const submitter = submitAfterSend;
        submitAfterSend = null;
        form.requestSubmit(submitter === form ? undefined : submitter);
      }
    }
  }

  // Everything typed so far on the server: waits for a save on its way, then sends what is left.
  async function flush() {
    if (sending) await sending;
    await send();
  }

  // Leaving the page (a link, closing the tab, switching to another app): send what is unsaved.
  // A link on the page waits for the save (at most a few seconds), so the next page shows the text.
  // If that request is lost, this tab's copy is put back the next time the page opens.
  if ("autosaveOnLeave" in form.dataset) {
    window.addEventListener("pagehide", () => send(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") send(true);
    });
    document.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      if ((link.target && link.target !== "_self") || link.hasAttribute("download")) return;
      const target = new URL(link.href, window.location.href);
      if (target.origin !== window.location.origin) return;
      if (target.pathname === window.location.pathname && target.search === window.location.search) return;
      if (leaving || stopped || (edits === sentEdits && !sending)) return;
      event.preventDefault();
      say("Saving your draft before you leave…");
      const go = () => window.location.assign(link.href);
      Promise.race([flush(), new Promise((resolve) => window.setTimeout(resolve, 5000))]).then(go, go);
    });
  }

  window.setInterval(() => send(), INTERVAL_MS);
}

// Pages about one referral drop local copies the server has caught up with: those of forms that
// were submitted (the save went through: the server version moved on), and all of them once the
// referral itself has been submitted.
function clearSaved(element) {
  const referral = element.dataset.autosaveReferral;
  const serverVersion = Number(element.dataset.autosaveSavedAt);
  const done = "autosaveDone" in element.dataset;
  for (const key of keysFor(referral)) {
    const stored = read(key);
    if (done || !stored || (stored.submitted && stored.base < serverVersion)) forget(key);
  }
}

document.querySelectorAll("[data-autosave-referral]").forEach(clearSaved);
document.querySelectorAll("form[data-autosave]").forEach(setUp);
document.querySelectorAll("form[data-autosave-local]").forEach(setUpLocal);
