// Adapts the install page to the visitor's device. Without JavaScript every block stays
// visible: the install link, the Safari fallback and the QR code.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function setup() {
    var install = document.getElementById("install");
    if (!install) { return; }
    var button = document.getElementById("copy-link");
    var status = document.getElementById("copy-status");
    if (button) {
      button.addEventListener("click", function () {
        copyText(button.getAttribute("data-url")).then(function () {
          status.textContent = "Link copied. Paste it into Safari.";
        }, function () {
          status.textContent = "Copy failed: select the address above and copy it.";
        });
      });
    }
    var ua = navigator.userAgent;
    var touchMac = /Macintosh/.test(ua) && navigator.maxTouchPoints > 1;
    var ios = /iPhone|iPad|iPod/.test(ua) || touchMac;
    var show = function (id) { var el = document.getElementById(id); if (el) { el.classList.add("show"); } };
    if (ios) { show("safari-fallback"); } else { show("desktop"); show("safari-fallback"); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
