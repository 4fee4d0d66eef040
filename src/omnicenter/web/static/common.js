// Shared by the desktop and the wallboard: the API client and the live event socket.
window.OC = (() => {
  const api = "/api/v1";
  const icons = { webchat: "💬", email: "✉️", sms: "📱", form: "📝", voice: "📞", messenger: "💭" };
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

  return { api, icons, call, login, live, el, ago, token };
})();
