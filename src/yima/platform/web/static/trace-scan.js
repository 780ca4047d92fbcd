// The logistics scan list (/m/trace/…): progressive enhancement of the codes textarea, which
// stays the form's field. A scanner types a code and Enter; the code joins the list (each once),
// is looked up for its level (托/箱/瓶) and any problem, and the list is kept in sessionStorage
// until the operation is recorded. The camera button appears only where BarcodeDetector exists.
(function () {
  "use strict";

  var STORE = "yima-scan:";
  var LEVELS = { pallet: "托", case: "箱", bottle: "瓶" };

  // The answer page of a recorded operation: forget the saved list.
  if (document.querySelector("[data-scan-done]")) {
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(STORE) === 0) { sessionStorage.removeItem(key); }
      });
    } catch (e) { /* storage unavailable: nothing saved */ }
    return;
  }

  var form = document.querySelector("[data-scan-form]");
  if (!form) { return; }
  var textarea = form.querySelector("[data-codes]");
  var ui = form.querySelector("[data-scan-ui]");
  var input = form.querySelector("[data-scan-input]");
  var note = form.querySelector("[data-scan-note]");
  var list = form.querySelector("[data-scan-list]");
  var summary = form.querySelector("[data-scan-summary]");
  var clear = form.querySelector("[data-scan-clear]");
  var key = STORE + form.getAttribute("action");
  var codes = [];      // in scan order
  var facts = {};      // code → {level, ok, problem} once known

  function save() {
    textarea.value = codes.join("\n");
    try { sessionStorage.setItem(key, textarea.value); } catch (e) { /* private mode */ }
  }

  function render() {
    var counts = {};
    var bad = 0;
    list.textContent = "";
    codes.slice().reverse().forEach(function (code) {
      var fact = facts[code];
      var li = document.createElement("li");
      li.className = "row scan-row";
      li.setAttribute("data-code", code);
      var badge = document.createElement("span");
      badge.className = "badge" + (fact ? (fact.ok ? " is-info" : " is-danger") : "");
      badge.textContent = fact ? (fact.level ? (LEVELS[fact.level] || fact.level) : "?") : "…";
      var text = document.createElement("span");
      text.className = "grow";
      var codeEl = document.createElement("code");
      codeEl.textContent = code;
      text.appendChild(codeEl);
      if (fact && fact.problem) {
        var why = document.createElement("small");
        why.className = "error";
        why.textContent = fact.problem;
        text.appendChild(why);
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "scan-remove";
      remove.setAttribute("aria-label", "移除 " + code);
      remove.textContent = "×";
      remove.addEventListener("click", function () { drop(code); });
      li.appendChild(badge);
      li.appendChild(text);
      li.appendChild(remove);
      list.appendChild(li);
      if (fact && fact.level) { counts[fact.level] = (counts[fact.level] || 0) + 1; }
      if (fact && !fact.ok) { bad += 1; }
    });
    if (!codes.length) {
      summary.textContent = "清单为空";
    } else {
      var parts = ["pallet", "case", "bottle"].filter(function (l) { return counts[l]; }).map(function (l) {
        return LEVELS[l] + " " + counts[l];
      });
      summary.textContent = "共 " + codes.length + " 个码" + (parts.length ? "：" + parts.join(" · ") : "") +
        (bad ? "，其中 " + bad + " 个有问题" : "");
    }
    clear.hidden = !codes.length;
  }

  function check(code) {
    if (!window.fetch) { return; }
    fetch("/m/trace/check?code=" + encodeURIComponent(code), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer) { facts[code] = answer; render(); }
      })
      .catch(function () { /* offline: the server checks again on submit */ });
  }

  function add(text) {
    text.split(/\s+/).forEach(function (code) {
      if (!code) { return; }
      if (codes.indexOf(code) >= 0) {
        note.textContent = "已在清单中：" + code;
        return;
      }
      codes.push(code);
      note.textContent = "已加入：" + code;
      check(code);
    });
    save();
    render();
  }

  function drop(code) {
    codes = codes.filter(function (c) { return c !== code; });
    delete facts[code];
    save();
    render();
    input.focus();
  }

  // Start from what the server sent back (a refused submission), else from what was saved.
  var start = textarea.value;
  if (!start.trim()) {
    try { start = sessionStorage.getItem(key) || ""; } catch (e) { start = ""; }
  }
  form.querySelector("[data-codes-field]").hidden = true;
  ui.hidden = false;
  add(start);
  note.textContent = "逐个扫描，回车加入清单";

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();  // Enter adds the code; only the button submits
      add(input.value);
      input.value = "";
    }
  });
  clear.addEventListener("click", function () {
    if (window.confirm("清空全部 " + codes.length + " 个码？")) {
      codes = [];
      facts = {};
      save();
      render();
      input.focus();
    }
  });
  form.addEventListener("submit", function (event) {
    if (input.value.trim()) { add(input.value); input.value = ""; }
    if (!codes.length) {
      event.preventDefault();
      note.textContent = "请先扫描至少一个码";
      input.focus();
    }
  });
  if (!form.querySelector("[data-problems]") && !document.querySelector("[data-problems]")) { input.focus(); }

  // The camera, where the browser can read codes itself.
  var camera = form.querySelector("[data-camera]");
  var video = form.querySelector("[data-camera-video]");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  camera.hidden = false;
  var stream = null;
  var timer = null;

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    camera.textContent = "用相机扫码";
  }

  camera.addEventListener("click", function () {
    if (stream) { stop(); return; }
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code", "data_matrix", "code_128"] });
    } catch (e) {
      note.textContent = "此浏览器无法用相机识别条码";
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      camera.textContent = "停止相机扫码";
      return video.play();
    }).then(function () {
      timer = setInterval(function () {
        if (!stream || video.readyState < 2) { return; }
        detector.detect(video).then(function (found) {
          found.forEach(function (code) {
            if (code.rawValue && codes.indexOf(code.rawValue.trim()) < 0) { add(code.rawValue.trim()); }
          });
        }).catch(function () { /* a frame it could not read */ });
      }, 300);
    }).catch(function () {
      stop();
      note.textContent = "无法打开相机，请检查权限";
    });
  });
  window.addEventListener("pagehide", stop);
})();
