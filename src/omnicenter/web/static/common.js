// Shared by the desktop and the wallboard: the API client and the live event socket.
window.OC = (() => {
  const api = "/api/v1";
  // One map of channel -> label and icon (inline SVG: emoji are boxes where no emoji font
  // is installed). A new channel is one line here.
  const CHANNELS = {
    webchat: ["Web chat", "M2 3h12v8H7l-3 3v-3H2z"],
    email: ["Email", "M2 4h12v8H2zM2 4l6 5 6-5"],
    sms: ["SMS", "M5 1h6v14H5zM7 12h2"],
    form: ["Web form", "M3 2h10v12H3zM5 5h6M5 8h6M5 11h4"],
    voice: ["Phone", "M4 2l3 3-2 2a8 8 0 0 0 4 4l2-2 3 3-2 2C7 14 2 9 2 4z"],
    callback: ["Callback", "M4 2l3 3-2 2a8 8 0 0 0 4 4l2-2 3 3-2 2C7 14 2 9 2 4zM10 1l3 3-3 3"],
    messenger: ["Messenger", "M8 2a6 6 0 0 0-4 10.5V15l2.5-1.4A6 6 0 1 0 8 2zM4.5 9.5l2.5-3 2 2 2.5-3"],
    whatsapp: ["WhatsApp", "M8 2a6 6 0 0 0-5.2 9L2 14l3.1-.8A6 6 0 1 0 8 2zM6 6c0 2 2 4 4 4"],
    instagram: ["Instagram", "M3 3h10v10H3zM8 5.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM11 4.6v.1"],
    telegram: ["Telegram", "M2 8l12-5-2 10-4-3-2 3V9.5L12 5"],
  };
  const NOTE = ["Note", "M3 2h10v12H3zM5 5h6M5 8h6"];

  // The channel's icon with its name for screen readers (and as a tooltip).
  function channelIcon(channel) {
    const [label, path] = CHANNELS[channel] || NOTE;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "ch-icon-svg");
    const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", path);
    svg.append(line);
    const wrap = document.createElement("span");
    wrap.className = `ch-icon ch-${channel || "note"}`;
    wrap.title = label;
    const name = document.createElement("span");
    name.className = "sr-only";
    name.textContent = label;
    wrap.append(svg, name);
    return wrap;
  }
  const channelLabel = (channel) => (CHANNELS[channel] || [channel])[0];
  const token = () => sessionStorage.getItem("oc_token");

  async function call(path, opts = {}) {
    const headers = { Authorization: `Bearer ${token()}`, ...(opts.headers || {}) };
    if (opts.body && typeof opts.body === "string") headers["Content-Type"] = "application/json";
    const resp = await fetch(api + path, { ...opts, headers });
    if (resp.status === 401) { sessionStorage.removeItem("oc_token"); location.reload(); }
    if (resp.status === 204) return null;
    const data = await resp.json();
    if (!resp.ok) throw new Error(data.detail || resp.statusText);
    return data;
  }

  async function login(form, onReady) {
    if (token()) { onReady(); return; }
    form.hidden = false;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const resp = await fetch(`${api}/auth/token`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: form.querySelector("[name=username]").value,
                               password: form.querySelector("[name=password]").value }),
      });
      const data = await resp.json();
      if (!resp.ok) { form.querySelector("[role=alert]").textContent = data.detail; return; }
      sessionStorage.setItem("oc_token", data.token);
      form.hidden = true;
      onReady();
    });
  }

  // Numbered events with ack; after a drop we reconnect with queue_id + last_event_id and
  // the server resends what we missed. `paused` lets tests (and a flaky network) cut the line.
  function live(onEvent, onState) {
    const state = { queueId: null, last: 0, ws: null, paused: false, received: 0 };
    function open() {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      let url = `${proto}://${location.host}${api}/events/ws?token=${encodeURIComponent(token())}`;
      if (state.queueId) url += `&queue_id=${state.queueId}&last_event_id=${state.last}`;
      const ws = new WebSocket(url);
      state.ws = ws;
      ws.onmessage = (msg) => {
        const ev = JSON.parse(msg.data);
        if (ev.type === "hello") { state.queueId = ev.queue_id; onState("live"); return; }
        if (ev.type === "reload") { state.queueId = null; state.last = 0; onState("reload"); return; }
        if (ev.id <= state.last) return;  // already seen
        state.last = ev.id;
        state.received += 1;
        ws.send(JSON.stringify({ ack: ev.id }));
        onEvent(ev);
      };
      ws.onclose = () => {
        if (state.ws !== ws) return;
        onState("reconnecting");
        if (!state.paused) setTimeout(open, 1000);
      };
    }
    open();
    return {
      state,
      disconnect() { state.paused = true; state.ws.close(); },
      reconnect() { state.paused = false; open(); },
    };
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function ago(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d`;
  }

  return { api, channelIcon, channelLabel, call, login, live, el, ago, token };
})();
