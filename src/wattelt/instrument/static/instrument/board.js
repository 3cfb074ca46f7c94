/* The Wat telt board: choose cards, place chips on the line by touch, mouse or keyboard,
 * add goals, and save the draft as you go. Without this script the board is a plain form
 * posting the very same fields. */
(function () {
  "use strict";
  var form = document.getElementById("board");
  if (!form) return;
  form.classList.add("js");
  var text = form.dataset;
  // The perspectives the organisation offers: those the form has fields for.
  var PERSPECTIVES = ["resident", "professional", "carer"].filter(function (p) {
    return form.querySelector("[data-chip=" + p + "]");
  });
  var STEP = 5, BIG_STEP = 20;
  var autosave = text.autosave === "true";
  var saveTimer = null, saving = false, pending = false, dirty = false;
  var inflight = Promise.resolve(); // the autosave under way, if any
  var stateEl = form.querySelector("[data-save-state]");
  var barStateEl = form.querySelector("[data-bar-state]") || stateEl;
  var rtl = getComputedStyle(form).direction === "rtl";
  var STORE_KEY = "wattelt-board-" + text.measurement;
  var offline = false; // the last save failed for want of a connection

  /* ---------- kept in the browser until the server has it ---------- */
  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function keepLocally() {
    var s = store();
    if (!s) return;
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
    });
    s.setItem(STORE_KEY, JSON.stringify({ fields: fields, at: Date.now() }));
  }
  function comparable(fields) {
    return JSON.stringify(fields.filter(function (f) {
      return f[0] !== "revision" && f[0] !== "perspective" && !/^goal-\d+-id$/.test(f[0]);
    }).map(function (f) { return f[0] + "=" + f[1]; }).sort());
  }
  function sameAsServer(fields) {
    var server = [], data = new FormData(form);
    form.querySelectorAll("[data-chip=resident][data-unplaced]").forEach(function (range) { data.delete(range.name); });
    data.forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") server.push([name, value]);
    });
    return comparable(fields) === comparable(server);
  }
  function forgetLocally() { var s = store(); if (s) s.removeItem(STORE_KEY); }
  function restoreLocally() {
    // A draft kept in this browser that never reached the server (the connection or the
    // page went away): put it back, then send it. The revision it carries still guards
    // against overwriting a second editor (HTTP 409, "save my version" or "load theirs").
    var s = store(), kept = s && s.getItem(STORE_KEY);
    if (!kept) return false;
    var fields;
    try { fields = JSON.parse(kept).fields; } catch (e) { forgetLocally(); return false; }
    // The page closed while offline may still have sent it (the beacon at pagehide):
    // then the server has exactly this already, and nothing is sent twice.
    if (sameAsServer(fields)) { forgetLocally(); return false; }
    var values = {};
    fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Object.keys(values).forEach(function (name) {
      var m = /^goal-(\d+)-/.exec(name);
      if (m && !form.querySelector('[data-goal="' + m[1] + '"]')) {
        goalsEl.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__n__/g, m[1]));
      }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "perspective" || el.type === "submit") return;
      var given = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = !!given && given.indexOf(el.value) !== -1;
      } else if (el.type === "range") {
        if (given) { el.value = given[0]; el.disabled = false; el.removeAttribute("data-unplaced"); }
        else if (el.dataset.chip === "resident") { el.setAttribute("data-unplaced", ""); }
      } else if (given) {
        el.value = given[0];
      }
    });
    return true;
  }
  var goalsEl = form.querySelector("[data-goals]");
  var template = form.querySelector("[data-goal-template]");
  var restored = autosave && restoreLocally();

  function clamp(v) { return Math.max(0, Math.min(100, Math.round(v))); }
  function activePerspective() {
    var checked = form.querySelector("input[name=perspective]:checked");
    return checked ? checked.value : "resident";
  }
  function bandText(v) { return v <= 33 ? text.textBad : v <= 66 ? text.textFair : text.textGood; }
  // The line runs from "not going well" to "going well" in reading direction: right to
  // left in Arabic. A stored position means the same in every language.
  var START = rtl ? "right" : "left";
  var TOWARDS_GOOD = rtl ? "ArrowLeft" : "ArrowRight", TOWARDS_BAD = rtl ? "ArrowRight" : "ArrowLeft";
  var SWIPE = 10; // px a finger moves before we know whether it scrolls or slides

  /* ---------- one line per domain ---------- */
  function Line(row) {
    this.row = row;
    this.key = row.dataset.row;
    this.label = row.dataset.label;
    this.track = row.querySelector("[data-track]");
    this.ranges = {};
    this.placed = {};
    this.values = {};
    this.chips = {};
    var self = this;
    PERSPECTIVES.forEach(function (p) {
      var range = row.querySelector("[data-chip=" + p + "]");
      var box = row.querySelector("[data-placed=" + p + "]");
      self.ranges[p] = range;
      self.placed[p] = box;
      var isPlaced = p === "resident" ? !range.hasAttribute("data-unplaced") : box.checked;
      self.values[p] = isPlaced ? parseInt(range.value, 10) : null;
    });
    this.track.tabIndex = 0;
    // A group, not a button: the chips inside it are controls of their own (sliders),
    // and a button may not hold controls (axe: nested-interactive).
    this.track.setAttribute("role", "group");
    this.updateTrackLabel();
    if (row.dataset.ghost !== undefined) {
      var ghost = document.createElement("span");
      ghost.className = "chip chip--ghost";
      ghost.setAttribute("aria-hidden", "true");
      ghost.title = text.textGhost;
      ghost.style[START] = row.dataset.ghost + "%";
      this.track.appendChild(ghost);
    }
    this.track.addEventListener("pointerdown", function (e) {
      var p = activePerspective();
      // A chip of the active perspective drags itself; on another perspective's chip
      // (the professional agreeing with the resident) the active chip is placed there.
      if (e.target.classList.contains("chip") && e.target.dataset.perspective === p) return;
      if (e.pointerType === "touch") { self.touch(p, e); return; }
      self.set(p, self.valueAt(e.clientX));
      self.drag(p, e);
    });
    this.track.addEventListener("keydown", function (e) {
      if (e.target !== self.track) return;
      if (["Enter", " ", "ArrowLeft", "ArrowRight"].indexOf(e.key) === -1) return;
      e.preventDefault();
      var p = activePerspective();
      if (self.values[p] === null) self.set(p, 50);
      self.chips[p].focus();
    });
    this.render();
  }
  Line.prototype.updateTrackLabel = function () {
    this.track.setAttribute("aria-label", text.textPlace.replace("%s", this.label));
  };
  Line.prototype.valueAt = function (clientX) {
    var rect = this.track.getBoundingClientRect();
    var fromStart = rtl ? rect.right - clientX : clientX - rect.left;
    return clamp((fromStart / rect.width) * 100);
  };
  /* A finger on the line: a tap places the chip, a sideways slide moves it, and a swipe
   * up or down scrolls the page (touch-action: pan-y) and places nothing. */
  Line.prototype.touch = function (p, e) {
    var self = this, x0 = e.clientX, y0 = e.clientY, decided = false, target = this.track;
    function done() {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
      target.removeEventListener("pointercancel", done);
    }
    function move(ev) {
      if (decided) return;
      var dx = Math.abs(ev.clientX - x0), dy = Math.abs(ev.clientY - y0);
      if (dy > SWIPE && dy >= dx) { done(); return; } // scrolling: the browser takes over
      if (dx > SWIPE) {
        decided = true;
        done();
        self.set(p, self.valueAt(ev.clientX));
        self.drag(p, ev);
      }
    }
    function up(ev) {
      done();
      if (!decided && Math.abs(ev.clientY - y0) <= SWIPE) self.set(p, self.valueAt(ev.clientX));
    }
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
    target.addEventListener("pointercancel", done);
  };
  Line.prototype.drag = function (p, e) {
    var self = this, chip = this.chips[p];
    if (!chip) return;
    chip.setPointerCapture(e.pointerId);
    chip.focus();
    function move(ev) { self.set(p, self.valueAt(ev.clientX)); }
    function up() {
      chip.removeEventListener("pointermove", move);
      chip.removeEventListener("pointerup", up);
      chip.removeEventListener("pointercancel", up);
    }
    chip.addEventListener("pointermove", move);
    chip.addEventListener("pointerup", up);
    chip.addEventListener("pointercancel", up);
    e.preventDefault();
  };
  Line.prototype.set = function (p, value) {
    this.values[p] = value === null ? null : clamp(value);
    var range = this.ranges[p];
    if (value === null) {
      if (p === "resident") range.disabled = true; else this.placed[p].checked = false;
    } else {
      range.value = this.values[p];
      range.disabled = false;
      if (p !== "resident") this.placed[p].checked = true;
    }
    this.render();
    changed();
  };
  Line.prototype.chipFor = function (p) {
    var self = this, chip = this.chips[p];
    if (chip) return chip;
    chip = document.createElement("span");
    chip.className = "chip chip--" + p;
    chip.tabIndex = 0;
    chip.setAttribute("role", "slider");
    chip.setAttribute("aria-valuemin", "0");
    chip.setAttribute("aria-valuemax", "100");
    chip.setAttribute("aria-label", text["text" + p.charAt(0).toUpperCase() + p.slice(1)] + ": " + this.label);
    chip.dataset.perspective = p;
    chip.addEventListener("pointerdown", function (e) {
      if (p !== activePerspective()) return;
      if (e.pointerType === "touch") { e.stopPropagation(); self.touch(p, e); return; }
      self.drag(p, e);
    });
    chip.addEventListener("keydown", function (e) {
      var v = self.values[p], step = e.shiftKey ? BIG_STEP : STEP;
      var moves = { ArrowDown: v - step, ArrowUp: v + step, PageDown: v - BIG_STEP, PageUp: v + BIG_STEP, Home: 0, End: 100 };
      moves[TOWARDS_BAD] = v - step;
      moves[TOWARDS_GOOD] = v + step;
      var next = moves[e.key];
      if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        self.set(p, null);
        self.track.focus();
      } else if (next !== undefined) {
        e.preventDefault();
        self.set(p, next);
      }
    });
    this.track.appendChild(chip);
    this.chips[p] = chip;
    return chip;
  };
  Line.prototype.render = function () {
    var self = this;
    PERSPECTIVES.forEach(function (p) {
      var v = self.values[p];
      if (v === null) {
        if (self.chips[p]) { self.chips[p].remove(); delete self.chips[p]; }
        if (p === "resident") self.ranges[p].disabled = true;
        return;
      }
      var chip = self.chipFor(p);
      chip.style[START] = v + "%";
      chip.setAttribute("aria-valuenow", String(v));
      chip.setAttribute("aria-valuetext", bandText(v));
      chip.title = bandText(v);
    });
  };

  var lines = {};
  form.querySelectorAll("[data-row]").forEach(function (row) { lines[row.dataset.row] = new Line(row); });

  /* ---------- choosing domains ---------- */
  function chosenKeys() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=chosen]:checked"), function (i) { return i.value; });
  }
  function showChosen() {
    var chosen = chosenKeys();
    Object.keys(lines).forEach(function (key) { lines[key].row.hidden = chosen.indexOf(key) === -1; });
    form.querySelectorAll("[data-goal-domain]").forEach(function (label) {
      label.hidden = chosen.indexOf(label.dataset.goalDomain) === -1;
    });
  }
  form.querySelectorAll("input[name=chosen]").forEach(function (box) {
    box.addEventListener("change", function () { showChosen(); changed(); });
  });
  showChosen();

  /* ---------- goals ---------- */
  function nextGoalIndex() {
    var max = -1;
    form.querySelectorAll("[data-goal]").forEach(function (g) { max = Math.max(max, parseInt(g.dataset.goal, 10)); });
    return max + 1;
  }
  function isBlank(goal) {
    return !goal.querySelector("[data-goal-id]").value &&
      !Array.prototype.some.call(goal.querySelectorAll("textarea, input[type=date]"), function (f) { return f.value; }) &&
      !goal.querySelector("input[type=checkbox]:checked");
  }
  function addGoal(domainKey) {
    var goal = Array.prototype.filter.call(goalsEl.querySelectorAll("[data-goal]"), isBlank)[0];
    if (!goal) {
      goalsEl.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__n__/g, String(nextGoalIndex())));
      goal = goalsEl.lastElementChild;
    }
    if (domainKey) {
      var box = goal.querySelector("input[type=checkbox][value=" + domainKey + "]");
      if (box) box.checked = true;
      // The goal opens beside its domain, not at the bottom of the board; a goal for a
      // domain means the resident wants to work on it.
      lines[domainKey].row.appendChild(goal);
      var priority = lines[domainKey].row.querySelector("input[name=priority]");
      if (priority) priority.checked = true;
      changed();
    }
    showChosen();
    goal.querySelector("[data-own-words]").focus();
  }
  form.querySelectorAll("[data-add-goal]").forEach(function (button) {
    button.addEventListener("click", function () { addGoal(button.dataset.addGoal); });
  });
  var plainAdd = form.querySelector("[data-add-goal-plain]");
  if (plainAdd) plainAdd.addEventListener("click", function (e) { e.preventDefault(); addGoal(null); });
  form.addEventListener("click", function (e) {
    if (e.target.matches("[data-remove-goal]")) {
      e.target.closest("[data-goal]").remove();
      changed();
    }
  });

  /* ---------- saving ---------- */
  function setState(message) { if (stateEl) stateEl.textContent = message; }
  function showErrors(errors) {
    var box = form.querySelector("[data-errors]"), list = form.querySelector("[data-error-list]");
    list.innerHTML = "";
    Object.keys(errors || {}).forEach(function (field) {
      var li = document.createElement("li");
      li.dataset.field = field;
      li.textContent = errors[field];
      list.appendChild(li);
    });
    box.hidden = !list.children.length;
    if (!box.hidden && !firstMissing(errors)) box.scrollIntoView({ block: "center" });
  }
  /* The first answer still missing, in the order of the board; null when none is known. */
  function firstMissing(errors) {
    var found = [];
    Object.keys(errors || {}).forEach(function (field) {
      var el = null;
      if (field === "chosen") {
        var unplaced = Object.keys(lines).map(function (k) { return lines[k]; }).filter(function (line) {
          return !line.row.hidden && line.values.resident === null;
        })[0];
        el = unplaced ? unplaced.track : form.querySelector("input[name=chosen]");
      } else if (/^review-\d+-status$/.test(field)) {
        el = form.querySelector("input[name=" + field + "]");
      } else if (/^goal-\d+-/.test(field)) {
        var n = parseInt(field.split("-")[1], 10);
        el = form.querySelector('[name="' + field + '"]') || form.querySelectorAll("[data-goal] [data-own-words]")[n] || null;
        if (el && el.type === "hidden") el = el.closest("[data-goal]").querySelector("[data-own-words]");
        if (el && el.name && /-domains$/.test(el.name)) el = el.closest("fieldset");
      } else if (field !== "general") {
        el = form.querySelector('[name="' + field + '"]');
      }
      if (el && el.type !== "hidden") found.push(el);
    });
    found.sort(function (a, b) { return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1; });
    return found[0] || null;
  }
  function showFirstMissing(errors) {
    var el = firstMissing(errors);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    if (el.tagName === "FIELDSET") el = el.querySelector("input") || el;
    el.focus({ preventScroll: true });
  }
  function notConfirmed(body) {
    // The confirmation stored nothing; the draft itself is saved (now, or as it went).
    var title = form.querySelector("[data-errors-title]");
    if (title && text.textConfirmTitle) title.textContent = text.textConfirmTitle;
    showErrors(body.errors);
    showFirstMissing(body.errors);
    var told = function (at) { barStateEl.textContent = text.textNotConfirmed.replace("%s", at); };
    if (body.revision !== undefined) { applySaved(body); dirty = false; forgetLocally(); told(body.saved_at); return; }
    save().then(function () { if (!dirty) told(lastSavedAt); });
  }
  function showConflict(message) {
    var box = form.querySelector("[data-conflict]");
    form.querySelector("[data-conflict-message]").textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }
  function post(action) {
    var data = new FormData(form);
    data.set("action", action);
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).catch(function () {
      var error = new Error(text.textOffline);
      error.offline = true;
      throw error;
    }).then(function (response) {
      if (response.redirected || (response.headers.get("Content-Type") || "").indexOf("json") === -1) {
        // The session ended (login page) or the server failed: tell, do not lose the input.
        throw new Error(text.textSessionEnded);
      }
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }
  function applySaved(body) {
    form.querySelector("input[name=revision]").value = body.revision;
    Object.keys(body.goal_ids || {}).forEach(function (index) {
      var goal = goalsEl.querySelector('[data-goal="' + index + '"] [data-goal-id]');
      if (goal) goal.value = body.goal_ids[index];
    });
  }
  var lastSavedAt = "";
  function save() {
    if (saving) { pending = true; return inflight; }
    saving = true;
    dirty = false;
    setState(text.textSaving);
    inflight = post("save").then(function (result) {
      if (result.status === 200) {
        applySaved(result.body);
        showErrors({});
        lastSavedAt = result.body.saved_at;
        if (!dirty && !pending) forgetLocally();
        setState((offline ? text.textSent : text.textSaved).replace("%s", result.body.saved_at));
        offline = false;
        if (stateEl) stateEl.classList.remove("is-offline");
      } else if (result.status === 409) {
        dirty = true;
        form.querySelector("input[name=revision]").dataset.theirs = result.body.revision;
        showConflict(result.body.message);
        setState(text.textConflict);
      } else {
        dirty = true;
        showErrors(result.body.errors);
        setState(text.textNotSaved);
      }
    }).catch(function (error) {
      dirty = true;
      offline = !!error.offline;
      setState(error.message || text.textNotSaved);
      if (stateEl) stateEl.classList.toggle("is-offline", offline);
    }).then(function () {
      saving = false;
      if (pending) { pending = false; return save(); }
    });
    return inflight;
  }
  function changed() {
    dirty = true;
    if (!autosave) return;
    keepLocally();
    setState(text.textUnsaved);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 600);
  }
  form.addEventListener("input", function (e) {
    if (e.target.name && e.target.name !== "perspective") changed();
  });
  form.addEventListener("change", function (e) {
    if (e.target.name === "priority" || e.target.name === "quality_of_life" || /^review-/.test(e.target.name)) changed();
  });
  form.querySelector("[data-keep-mine]").addEventListener("click", function () {
    var revision = form.querySelector("input[name=revision]");
    revision.value = revision.dataset.theirs;
    form.querySelector("[data-conflict]").hidden = true;
    save();
  });
  form.querySelector("[data-load-theirs]").addEventListener("click", function () {
    dirty = false;
    window.location.reload();
  });
  form.addEventListener("submit", function (e) {
    var action = e.submitter ? e.submitter.value : "save";
    if (!autosave) return; // corrections post as a plain form
    e.preventDefault();
    clearTimeout(saveTimer);
    if (action === "save") { save(); return; }
    if (action !== "confirm" && action !== "review") return;
    setState(text.textSaving);
    pending = false; // the confirmation posts everything on the board
    // Wait for an autosave under way: its answer brings the revision to confirm.
    inflight.then(function () { return post(action); }).then(function (result) {
      if (result.status === 200 && result.body.redirect) {
        dirty = false;
        if (result.body.revision !== undefined) applySaved(result.body);
        forgetLocally();
        window.location.assign(result.body.redirect);
      } else if (result.status === 409) {
        form.querySelector("input[name=revision]").dataset.theirs = result.body.revision;
        showConflict(result.body.message);
      } else {
        notConfirmed(result.body);
      }
    }).catch(function (error) { offline = !!error.offline; setState(error.message); barStateEl.textContent = error.message; });
  });
  // The connection is back: send what was kept in the browser meanwhile.
  window.addEventListener("online", function () { if (dirty && autosave) save(); });
  if (restored) changed();
  // Closing the tab or the browser: send what is not saved yet.
  window.addEventListener("pagehide", function () {
    if (!dirty || !autosave) return;
    var data = new FormData(form);
    data.set("action", "save");
    navigator.sendBeacon(form.getAttribute("action"), data);
  });
})();
