// Devices. On the registration result page: read the device's attributes from the address
// the endpoint redirected to, show them, and keep the UDID in this browser (localStorage,
// never sent anywhere). On ad hoc and development build pages: compute the keyed hash of
// that UDID with the salt of the build's devices.json (HMAC-SHA-256, WebCrypto) and say
// whether the build's profile lists the device.
(function () {
  "use strict";
  var KEY = "otasite.device";
  var UDID = /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16})$/;
  var PRODUCT = /^[A-Za-z]{2,12}[0-9]{1,3},[0-9]{1,3}$/;
  var VERSION = /^[0-9A-Za-z.]{1,16}$/;

  /** The catalog text of `key` in the visitor's language (static/i18n.js). */
  function word(key, args) {
    var i18n = window.otasiteI18n;
    return i18n && i18n.text ? i18n.text(key, args || {}) : key;
  }

  /** Shows the catalog text of `key` in an element, in the visitor's language. */
  function say(el, key) {
    var i18n = window.otasiteI18n;
    if (i18n && i18n.set) { i18n.set(el, key, {}); } else { el.textContent = word(key); }
  }

  function canonical(id) {
    id = (id || "").trim();
    return UDID.test(id) ? id.toUpperCase() : null;
  }

  function stored() {
    try {
      var device = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (device && canonical(device.udid)) {
        return device;
      }
    } catch (e) {
      // No storage (private browsing, blocked): nothing registered here.
    }
    return null;
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function hmac(salt, message) {
    var encoder = new TextEncoder();
    return window.crypto.subtle
      .importKey("raw", encoder.encode(salt), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return window.crypto.subtle.sign("HMAC", key, encoder.encode(message));
      })
      .then(hex);
  }

  function fromAddress() {
    var text = window.location.hash.replace(/^#/, "") || window.location.search.replace(/^\?/, "");
    var params = new URLSearchParams(text);
    var udid = canonical(params.get("udid"));
    if (!udid) {
      return null;
    }
    var product = params.get("product") || "";
    var version = params.get("version") || "";
    return {
      udid: udid,
      product: PRODUCT.test(product) ? product : "",
      version: VERSION.test(version) ? version : ""
    };
  }

  function showRegistered(found) {
    var device = fromAddress();
    if (device) {
      try {
        window.localStorage.setItem(KEY, JSON.stringify(device));
      } catch (e) {
        // Shown all the same; build pages just cannot tell.
      }
      // The identifier leaves the address bar and the history entry.
      window.history.replaceState(null, "", window.location.pathname);
    } else {
      device = stored();
    }
    if (!device) {
      return;
    }
    var models = {};
    try {
      models = JSON.parse(document.getElementById("otasite-models").textContent) || {};
    } catch (e) {
      models = {};
    }
    var model = models[device.product] || device.product || word("devices.unknown");
    document.getElementById("device-udid").textContent = device.udid;
    document.getElementById("device-model").textContent = model;
    var version = document.getElementById("device-version");
    if (device.version) { version.textContent = device.version; } else { say(version, "devices.unknown"); }
    document.getElementById("device-missing").hidden = true;
    found.hidden = false;

    var mail = document.getElementById("device-mail");
    var body = word("devices.mail_request") + "\n\n" + word("devices.udid") + ": " + device.udid +
      "\n" + word("devices.model") + ": " + model + (device.product ? " (" + device.product + ")" : "") +
      "\n" + word("devices.ios_build") + ": " + (device.version || word("devices.unknown")) + "\n";
    mail.href = "mailto:" + encodeURIComponent(mail.getAttribute("data-email") || "").replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent(word("devices.mail_subject", { model: model })) +
      "&body=" + encodeURIComponent(body);

    var status = document.getElementById("device-copy-status");
    document.getElementById("device-copy").addEventListener("click", function () {
      if (!navigator.clipboard) {
        say(status, "devices.copy_by_hand");
        return;
      }
      navigator.clipboard.writeText(device.udid).then(
        function () { say(status, "devices.copied"); },
        function () { say(status, "devices.copy_by_hand"); }
      );
    });
    document.getElementById("device-forget").addEventListener("click", function () {
      try {
        window.localStorage.removeItem(KEY);
      } catch (e) {
        // Nothing was kept.
      }
      found.hidden = true;
      document.getElementById("device-missing").hidden = false;
    });
  }

  function showCheck(box) {
    var device = stored();
    if (!device || !window.crypto || !window.crypto.subtle || !window.fetch) {
      return;
    }
    window.fetch(box.getAttribute("data-devices"), { cache: "no-cache" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (file) {
        if (!file || file.algorithm !== "HMAC-SHA-256" || typeof file.salt !== "string" ||
            !Array.isArray(file.hashes)) {
          return null;
        }
        return hmac(file.salt, canonical(device.udid)).then(function (hash) {
          var listed = file.hashes.indexOf(hash) !== -1;
          document.getElementById(listed ? "device-listed" : "device-unlisted").hidden = false;
          box.setAttribute("data-listed", String(listed));
          box.hidden = false;
        });
      })
      .catch(function () {
        // A build without the file (kept from a deployed catalog) says nothing.
      });
  }

  function start() {
    var found = document.getElementById("device-found");
    if (found) {
      showRegistered(found);
    }
    var box = document.getElementById("device-check");
    if (box) {
      showCheck(box);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
