// Read aloud with the device's own speech (Web Speech API). Every [data-read-aloud]
// button (templates/_read_aloud.html) speaks its data-text in its data-lang. A button
// stays hidden while the device has no voice for that language; voices often arrive
// late, so the buttons are checked again on "voiceschanged".
(() => {
  "use strict";
  const synth = window.speechSynthesis;
  const base = (lang) => String(lang || "").toLowerCase().replace("_", "-").split("-")[0];

  function voiceFor(lang) {
    if (!synth || typeof synth.getVoices !== "function") return null;
    const wanted = base(lang);
    return synth.getVoices().find((voice) => base(voice.lang) === wanted) || null;
  }

  function refresh() {
    for (const button of document.querySelectorAll("[data-read-aloud]")) {
      button.hidden = !voiceFor(button.dataset.lang);
    }
  }

  function speak(button) {
    const voice = voiceFor(button.dataset.lang);
    if (!voice || typeof window.SpeechSynthesisUtterance !== "function") return;
    const speaking = button.getAttribute("aria-pressed") === "true";
    synth.cancel();
    for (const other of document.querySelectorAll("[data-read-aloud][aria-pressed='true']")) {
      other.setAttribute("aria-pressed", "false");
    }
    if (speaking) return; // a second press stops
    const utterance = new window.SpeechSynthesisUtterance(button.dataset.text);
    utterance.lang = voice.lang || button.dataset.lang;
    utterance.voice = voice;
    const done = () => button.setAttribute("aria-pressed", "false");
    utterance.onend = done;
    utterance.onerror = done;
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-read-aloud]");
    if (button) speak(button);
  });
  // New buttons (htmx swaps, the board adding a card) are checked when they arrive.
  new MutationObserver(refresh).observe(document.documentElement, { childList: true, subtree: true });
  if (synth && typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", refresh);
  }
  refresh();
})();
