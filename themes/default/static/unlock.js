// Opens a password-locked page (templates/locked.html). The page holds an AES-256-GCM
// ciphertext of the real page; its key is PBKDF2-SHA-256 of the password (salt and rounds are
// in the page) or comes ready-made in a share link's fragment (#k=…, never sent to a server).
// On success the real page's body replaces the form; on failure nothing is shown but a message.
// Its messages come from the catalogs (locked.html loads i18n.js), in the visitor's language.
(function () {
  "use strict";

  var locked = document.getElementById("locked");
  var form = document.getElementById("unlock-form");
  var message = document.getElementById("unlock-message");
  if (!locked || !form || !message) { return; }

  /** The catalog text of `key` in the visitor's language (static/i18n.js). */
  function word(key) {
    var i18n = window.otasiteI18n;
    return i18n && i18n.text ? i18n.text(key, {}) : key;
  }

  function say(key) {
    var i18n = window.otasiteI18n;
    if (i18n && i18n.set) { i18n.set(message, key, {}); } else { message.textContent = key; }
  }

  function bytes(base64) {
    var text = atob(base64.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { out[i] = text.charCodeAt(i); }
    return out;
  }

  function base64url(buffer) {
    var array = new Uint8Array(buffer), text = "";
    for (var i = 0; i < array.length; i++) { text += String.fromCharCode(array[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function derive(password) {
    var subtle = window.crypto.subtle;
    return subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"])
      .then(function (base) {
        return subtle.deriveBits({
          name: "PBKDF2",
          hash: "SHA-256",
          salt: bytes(locked.getAttribute("data-salt")),
          iterations: Number(locked.getAttribute("data-iterations"))
        }, base, 256);
      });
  }

  function open(rawKey) {
    var subtle = window.crypto.subtle;
    return subtle.importKey("raw", rawKey, "AES-GCM", false, ["decrypt"])
      .then(function (key) {
        return subtle.decrypt(
          { name: "AES-GCM", iv: bytes(locked.getAttribute("data-nonce")) },
          key,
          bytes(locked.getAttribute("data-payload")));
      })
      .then(function (plain) { show(new TextDecoder().decode(plain), rawKey); });
  }

  function show(html, rawKey) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    var main = document.getElementById("main");
    if (main) {
      var share = document.createElement("p");
      share.className = "share-link";
      var link = document.createElement("a");
      link.id = "share-link";
      link.href = location.href.split("#")[0] + "#k=" + base64url(rawKey);
      link.textContent = word("locked.share_link");
      share.appendChild(link);
      share.appendChild(document.createTextNode(" " + word("locked.share_link_note")));
      main.appendChild(share);
    }
    if (window.otasite && window.otasite.setup) { window.otasite.setup(); }
  }

  if (!window.crypto || !window.crypto.subtle) {
    say("locked.unsupported");
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var password = document.getElementById("unlock-password").value;
    say("locked.unlocking");
    derive(password).then(open).catch(function () {
      say("locked.wrong_password");
    });
  });

  var fragment = /(?:^#|&)k=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (fragment) {
    say("locked.opening_share_link");
    open(bytes(fragment[1])).catch(function () {
      say("locked.share_link_failed");
    });
  }
})();
