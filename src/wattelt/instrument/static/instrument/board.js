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

  function clamp(v) { return Math.max(0, Math.min(100, Math.round(v))); }
  function activePerspective() {
    var checked = form.querySelector("input[name=perspective]:checked");
    return checked ? checked.value : "resident";
  }
  function bandText(v) { return v <= 33 ? text.textBad : v <= 66 ? text.textFair : text.textGood; }

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
      ghost.style.left = row.dataset.ghost + "%";
      this.track.appendChild(ghost);
    }
    this.track.addEventListener("pointerdown", function (e) {
      var p = activePerspective();
      // A chip of the active perspective drags itself; on another perspective's chip
      // (the professional agreeing with the resident) the active chip is placed there.
      if (e.target.classList.contains("chip") && e.target.dataset.perspective === p) return;
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
    return clamp(((clientX - rect.left) / rect.width) * 100);
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
    chip.addEventListener("pointerdown", function (e) { if (p === activePerspective()) self.drag(p, e); });
    chip.addEventListener("keydown", function (e) {
      var v = self.values[p], step = e.shiftKey ? BIG_STEP : STEP;
      var next = { ArrowLeft: v - step, ArrowDown: v - step, ArrowRight: v + step, ArrowUp: v + step,
                   PageDown: v - BIG_STEP, PageUp: v + BIG_STEP, Home: 0, End: 100 }[e.key];
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
      chip.style.left = v + "%";
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
  var goalsEl = form.querySelector("[data-goals]");
  var template = form.querySelector("[data-goal-template]");
  function nextGoalIndex() {
    var max = -1;
    goalsEl.querySelectorAll("[data-goal]").forEach(function (g) { max = Math.max(max, parseInt(g.dataset.goal, 10)); });
    return max + 1;
  }
  function isBlank(goal) {
    return !goal.querySelector("[data-goal-id]").value &&
      !Array.prototype.some.call(goal.querySelectorAll("textarea, input[type=date]"), function (f) { return f.value; }) &&
      !goal.querySelector("input[type=checkbox]:checked");
  }
  function addGoal(domainKey) {
    var goal = goalsEl.lastElementChild;
    if (!goal || !isBlank(goal)) {
      goalsEl.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__n__/g, String(nextGoalIndex())));
      goal = goalsEl.lastElementChild;
    }
    if (domainKey) {
      var box = goal.querySelector("input[type=checkbox][value=" + domainKey + "]");
      if (box) box.checked = true;
    }
    showChosen();
    goal.querySelector("[data-own-words]").focus();
  }
  form.querySelectorAll("[data-add-goal]").forEach(function (button) {
    button.addEventListener("click", function () { addGoal(button.dataset.addGoal); });
  });
  var plainAdd = form.querySelector("[data-add-goal-plain]");
  if (plainAdd) plainAdd.addEventListener("click", function (e) { e.preventDefault(); addGoal(null); });
  goalsEl.addEventListener("click", function (e) {
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
    if (!box.hidden) box.scrollIntoView({ block: "center" });
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
  function save() {
    if (saving) { pending = true; return inflight; }
    saving = true;
    dirty = false;
    setState(text.textSaving);
    inflight = post("save").then(function (result) {
      if (result.status === 200) {
        applySaved(result.body);
        showErrors({});
        setState(text.textSaved.replace("%s", result.body.saved_at));
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
      setState(error.message || text.textNotSaved);
    }).then(function () {
      saving = false;
      if (pending) { pending = false; return save(); }
    });
    return inflight;
  }
  function changed() {
    dirty = true;
    if (!autosave) return;
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
    if (action !== "confirm") return;
    setState(text.textSaving);
    pending = false; // the confirmation posts everything on the board
    // Wait for an autosave under way: its answer brings the revision to confirm.
    inflight.then(function () { return post("confirm"); }).then(function (result) {
      if (result.status === 200 && result.body.redirect) {
        dirty = false;
        window.location.assign(result.body.redirect);
      } else if (result.status === 409) {
        form.querySelector("input[name=revision]").dataset.theirs = result.body.revision;
        showConflict(result.body.message);
      } else {
        showErrors(result.body.errors);
        setState(text.textNotSaved);
      }
    }).catch(function (error) { setState(error.message); });
  });
  // Closing the tab or the browser: send what is not saved yet.
  window.addEventListener("pagehide", function () {
    if (!dirty || !autosave) return;
    var data = new FormData(form);
    data.set("action", "save");
    navigator.sendBeacon(form.getAttribute("action"), data);
  });
})();
