// novastub's console viewer: a small RFB 3.8 client over WebSocket, the
// project's own. It connects where noVNC would (the page's "path"
// parameter, else websockify?token=...), draws Raw and CopyRect updates on
// a canvas, and sends keys and the pointer.
(function () {
  "use strict";
  var canvas = document.getElementById("screen");
  var ctx = canvas.getContext("2d");
  var statusText = document.getElementById("status-text");
  var statusDot = document.getElementById("status-dot");
  var overlay = document.getElementById("overlay");

  // The WebSocket's URL: noVNC's path parameter (Nova's
  // path=%3Ftoken%3D...) resolved against this page, else websockify
  // beside this page with the token parameter.
  function target() {
    var params = new URLSearchParams(location.search);
    var path = params.get("path");
    var url;
    if (path) {
      url = new URL(path, location.href);
    } else {
      url = new URL("websockify", location.href);
      var token = params.get("token");
      if (token) url.searchParams.set("token", token);
    }
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    return url.href;
  }

  function setStatus(text, kind) {
    statusText.textContent = text;
    statusDot.className = "dot " + kind;
    document.body.dataset.state = kind;
  }

  var ws = new WebSocket(target());
  ws.binaryType = "arraybuffer";
  var api = { state: "connecting", name: "", width: 0, height: 0, updates: 0, canvas: canvas };
  window.novastubConsole = api;

  // The bytes received and not yet parsed.
  var q = new Uint8Array(0), pos = 0;
  function push(chunk) {
    var rest = q.length - pos, n = new Uint8Array(rest + chunk.length);
    n.set(q.subarray(pos));
    n.set(chunk, rest);
    q = n;
    pos = 0;
  }
  function have(n) { return q.length - pos >= n; }
  function peek32(at) { return ((q[at] << 24) >>> 0) + (q[at + 1] << 16) + (q[at + 2] << 8) + q[at + 3]; }
  function u16() { var v = (q[pos] << 8) | q[pos + 1]; pos += 2; return v; }
  function u32() { var v = peek32(pos); pos += 4; return v; }
  function take(n) { var b = q.subarray(pos, pos + n); pos += n; return b; }
  function text(b) { return new TextDecoder().decode(b); }
  function send(bytes) { if (ws.readyState === WebSocket.OPEN) ws.send(new Uint8Array(bytes)); }
  function u16be(v) { return [(v >> 8) & 255, v & 255]; }
  function s32be(v) { return [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255]; }

  function request(incremental) {
    send([3, incremental ? 1 : 0].concat(u16be(0), u16be(0), u16be(api.width), u16be(api.height)));
  }

  var failed = false;
  function fail(why) {
    failed = true;
    setStatus("Failed: " + why, "error");
    ws.close();
    return false;
  }

  var rects = 0, rect = null;
  var state = version;

  function version() {
    if (!have(12)) return false;
    var v = text(take(12));
    if (!/^RFB \d{3}\.\d{3}\n$/.test(v)) return fail("not an RFB server");
    send(Array.from("RFB 003.008\n", function (c) { return c.charCodeAt(0); }));
    state = security;
    return true;
  }
  function security() {
    if (!have(1)) return false;
    var n = q[pos];
    if (n === 0) {
      if (!have(5) || !have(5 + peek32(pos + 1))) return false;
      pos += 1;
      return fail("the server refused: " + text(take(u32())));
    }
    if (!have(1 + n)) return false;
    pos += 1;
    var types = Array.from(take(n));
    if (types.indexOf(1) < 0) return fail("no security type None (" + types.join(", ") + ")");
    send([1]);
    state = securityResult;
    return true;
  }
  function securityResult() {
    if (!have(4)) return false;
    if (peek32(pos) !== 0) {
      if (!have(8) || !have(8 + peek32(pos + 4))) return false;
      pos += 4;
      return fail("security failed: " + text(take(u32())));
    }
    pos += 4;
    send([1]); // ClientInit: shared
    state = serverInit;
    return true;
  }
  function serverInit() {
    if (!have(24) || !have(24 + peek32(pos + 20))) return false;
    var w = u16(), h = u16();
    pos += 16; // the server's pixel format: we ask for ours below
    var name = text(take(u32()));
    resize(w, h);
    api.name = name;
    document.title = name + " - console";
    // 32 bits per pixel, depth 24, little-endian, true colour, red at
    // bit 0, green at 8, blue at 16: the bytes R G B x, as ImageData has them.
    send([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    var encodings = [1, 0, -223]; // CopyRect, Raw, DesktopSize
    var msg = [2, 0].concat(u16be(encodings.length));
    encodings.forEach(function (e) { msg = msg.concat(s32be(e)); });
    send(msg);
    request(false);
    api.state = "connected";
    setStatus("Connected to " + name, "connected");
    overlay.hidden = true;
    canvas.focus();
    state = message;
    return true;
  }
  function message() {
    if (!have(1)) return false;
    switch (q[pos]) {
      case 0: // FramebufferUpdate
        if (!have(4)) return false;
        pos += 2;
        rects = u16();
        state = rectHeader;
        return true;
      case 2: // Bell
        pos += 1;
        return true;
      case 3: // ServerCutText
        if (!have(8) || !have(8 + peek32(pos + 4))) return false;
        pos += 4;
        take(u32());
        return true;
    }
    return fail("unexpected server message " + q[pos]);
  }
  function rectHeader() {
    if (rects === 0) {
      api.updates++;
      request(true);
      state = message;
      return true;
    }
    if (!have(12)) return false;
    rect = { x: u16(), y: u16(), w: u16(), h: u16(), encoding: u32() | 0 };
    rects--;
    switch (rect.encoding) {
      case 0: state = raw; return true;
      case 1: state = copyRect; return true;
      case -223: resize(rect.w, rect.h); return true;
    }
    return fail("unexpected encoding " + rect.encoding);
  }
  function raw() {
    var n = rect.w * rect.h * 4;
    if (!have(n)) return false;
    if (n > 0) {
      var img = ctx.createImageData(rect.w, rect.h), d = img.data;
      d.set(take(n));
      for (var i = 3; i < n; i += 4) d[i] = 255;
      ctx.putImageData(img, rect.x, rect.y);
    }
    state = rectHeader;
    return true;
  }
  function copyRect() {
    if (!have(4)) return false;
    var sx = u16(), sy = u16();
    if (rect.w > 0 && rect.h > 0) ctx.drawImage(canvas, sx, sy, rect.w, rect.h, rect.x, rect.y, rect.w, rect.h);
    state = rectHeader;
    return true;
  }
  function resize(w, h) {
    api.width = w;
    api.height = h;
    canvas.width = w;
    canvas.height = h;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, w, h);
  }

  ws.onopen = function () { setStatus("Connected, waiting for the server", "connecting"); };
  ws.onmessage = function (e) {
    push(new Uint8Array(e.data));
    while (!failed && state()) { /* parse what is there */ }
  };
  ws.onclose = function (e) {
    api.state = "closed";
    api.closeCode = e.code;
    api.closeReason = e.reason;
    if (failed) return;
    var why = e.reason ? e.reason + " (" + e.code + ")" : e.code === 1006
      ? "the proxy closed the connection (1006): the token may be invalid or expired"
      : "code " + e.code;
    setStatus("Disconnected: " + why, "error");
    overlay.textContent = "Disconnected";
    overlay.hidden = false;
  };

  // Keys: X11 keysyms, as RFB wants them.
  var named = {
    Backspace: 0xff08, Tab: 0xff09, Enter: 0xff0d, Escape: 0xff1b, Delete: 0xffff,
    Home: 0xff50, ArrowLeft: 0xff51, ArrowUp: 0xff52, ArrowRight: 0xff53, ArrowDown: 0xff54,
    PageUp: 0xff55, PageDown: 0xff56, End: 0xff57, Insert: 0xff63, CapsLock: 0xffe5
  };
  var sided = { Shift: [0xffe1, 0xffe2], Control: [0xffe3, 0xffe4], Alt: [0xffe9, 0xffea], Meta: [0xffe7, 0xffe8] };
  function keysym(e) {
    var k = e.key;
    if (Array.from(k).length === 1) {
      var cp = k.codePointAt(0);
      return cp < 0x100 ? cp : (0x01000000 | cp) >>> 0;
    }
    if (named[k] !== undefined) return named[k];
    if (sided[k]) return sided[k][/Right$/.test(e.code) ? 1 : 0];
    var f = /^F(\d{1,2})$/.exec(k);
    if (f && +f[1] >= 1 && +f[1] <= 12) return 0xffbe + (+f[1] - 1);
    return null;
  }
  function key(down, sym) { send([4, down ? 1 : 0, 0, 0].concat(s32be(sym))); }
  var pressed = {};
  canvas.addEventListener("keydown", function (e) {
    var sym = keysym(e);
    if (sym === null) return;
    e.preventDefault();
    pressed[e.code] = sym;
    key(true, sym);
  });
  canvas.addEventListener("keyup", function (e) {
    var sym = pressed[e.code] !== undefined ? pressed[e.code] : keysym(e);
    if (sym === null) return;
    e.preventDefault();
    delete pressed[e.code];
    key(false, sym);
  });
  canvas.addEventListener("blur", function () {
    Object.keys(pressed).forEach(function (c) { key(false, pressed[c]); });
    pressed = {};
  });

  // The pointer: RFB's buttons are left 1, middle 2, right 4, wheel 8 and 16.
  var buttons = 0;
  function pointer(e, mask) {
    if (!api.width) return;
    var r = canvas.getBoundingClientRect();
    var x = Math.min(api.width - 1, Math.max(0, Math.floor((e.clientX - r.left) * api.width / r.width)));
    var y = Math.min(api.height - 1, Math.max(0, Math.floor((e.clientY - r.top) * api.height / r.height)));
    send([5, mask].concat(u16be(x), u16be(y)));
  }
  function mask(e) { return (e.buttons & 1) | ((e.buttons & 4) >> 1) | ((e.buttons & 2) << 1); }
  canvas.addEventListener("mousedown", function (e) { canvas.focus(); buttons = mask(e); pointer(e, buttons); });
  canvas.addEventListener("mouseup", function (e) { buttons = mask(e); pointer(e, buttons); });
  canvas.addEventListener("mousemove", function (e) { pointer(e, buttons); });
  canvas.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var b = e.deltaY < 0 ? 8 : 16;
    pointer(e, buttons | b);
    pointer(e, buttons);
  }, { passive: false });
})();
