/* Mijn Wat telt: register a passkey (after an invitation) or sign in with one.
   A button with data-passkey="register" or "sign-in", data-options (URL of the options)
   and data-verify (URL that checks the answer). The server answers {next} or {error}. */
(function () {
  "use strict";
  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf(), "Content-Type": "application/json"},
      body: body ? JSON.stringify(body) : "{}"
    }).then(function (response) { return response.json(); });
  }
  function creation(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return navigator.credentials.create({publicKey: options}).then(function (cred) {
      return {
        id: cred.id, rawId: toText(cred.rawId), type: cred.type,
        response: {
          clientDataJSON: toText(cred.response.clientDataJSON),
          attestationObject: toText(cred.response.attestationObject),
          transports: cred.response.getTransports ? cred.response.getTransports() : []
        },
        clientExtensionResults: cred.getClientExtensionResults()
      };
    });
  }
  function request(options) {
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return navigator.credentials.get({publicKey: options}).then(function (cred) {
      return {
        id: cred.id, rawId: toText(cred.rawId), type: cred.type,
        response: {
          clientDataJSON: toText(cred.response.clientDataJSON),
          authenticatorData: toText(cred.response.authenticatorData),
          signature: toText(cred.response.signature),
          userHandle: cred.response.userHandle ? toText(cred.response.userHandle) : null
        },
        clientExtensionResults: cred.getClientExtensionResults()
      };
    });
  }
  function start(button) {
    var status = document.getElementById(button.dataset.status);
    var ceremony = button.dataset.passkey === "register" ? creation : request;
    function say(text) { if (status) { status.textContent = text; status.hidden = false; } }
    button.addEventListener("click", function () {
      if (!window.PublicKeyCredential) { say(button.dataset.unsupported); return; }
      button.disabled = true;
      post(button.dataset.options)
        .then(function (answer) {
          if (answer.error) { throw new Error(answer.error); }
          return ceremony(answer);
        })
        .then(function (credential) { return post(button.dataset.verify, credential); })
        .then(function (answer) {
          if (answer.error) { throw new Error(answer.error); }
          window.location.assign(answer.next);
        })
        .catch(function (problem) {
          button.disabled = false;
          say(problem && problem.name === "NotAllowedError" ? button.dataset.cancelled : (problem.message || button.dataset.cancelled));
        });
    });
    button.disabled = false;
  }
  document.querySelectorAll("[data-passkey]").forEach(start);
})();
