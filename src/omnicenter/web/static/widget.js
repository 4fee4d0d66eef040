// The chat widget: one visitor session kept in localStorage, so a reload resumes the chat.
(() => {
  const params = new URLSearchParams(location.search);
  const widgetKey = params.get("key") || document.documentElement.dataset.widgetKey || "demo-widget-key";
  const api = "/api/v1";
  const log = document.getElementById("log");
  const status = document.getElementById("status");
  const text = document.getElementById("text");
  let token = localStorage.getItem("oc_visitor_token");
  let ws = null;
  let started = false;
  const pending = new Map();

  function add(author, body, id) {
    if (id && document.querySelector(`[data-event="${id}"]`)) return null;
    const li = document.createElement("li");
    li.className = author;
    li.textContent = body;
    if (id) li.dataset.event = id;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  async function session() {
    const body = { widget_key: widgetKey, visitor_token: token };
    const name = document.getElementById("pc-name").value.trim();
    const email = document.getElementById("pc-email").value.trim();
    if (name) body.name = name;
    if (email) body.email = email;
    const resp = await fetch(`${api}/webchat/sessions`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (!resp.ok) throw new Error((await resp.json()).detail);
    const data = await resp.json();
    token = data.visitor_token;
    localStorage.setItem("oc_visitor_token", token);
    return data;
  }

  async function transcript() {
    const resp = await fetch(`${api}/webchat/transcript`, { headers: { Authorization: `Bearer ${token}` } });
    if (!resp.ok) return;
    for (const e of await resp.json()) add(e.author_type, e.body, e.event_id);
    if (log.children.length) { started = true; document.getElementById("prechat").hidden = true; }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}${api}/webchat/ws?token=${encodeURIComponent(token)}`);
    ws.onopen = () => { status.textContent = "online"; };
    ws.onclose = () => { status.textContent = "reconnecting…"; setTimeout(connect, 1000); };
    ws.onmessage = (msg) => {
      const data = JSON.parse(msg.data);
      if (data.type === "ack") {
        const li = pending.get(data.client_id);
        if (li) { li.classList.remove("pending"); li.dataset.event = data.event_id; pending.delete(data.client_id); }
      } else if (data.type === "message") {
        add(data.author_type || "agent", data.body, data.event_id);
      } else if (data.type === "error") {
        status.textContent = data.detail;
      }
    };
  }

  document.getElementById("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = text.value.trim();
    if (!body || !ws || ws.readyState !== WebSocket.OPEN) return;
    if (!started) {
      started = true;
      await session();  // pass the pre-chat details once
      document.getElementById("prechat").hidden = true;
    }
    const clientId = `c${Date.now()}${Math.random().toString(36).slice(2, 8)}`;
    const li = add("customer", body);
    li.classList.add("pending");
    pending.set(clientId, li);
    ws.send(JSON.stringify({ type: "message", text: body, client_id: clientId }));
    text.value = "";
  });
  text.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); document.getElementById("send").click(); }
  });

  session().then(transcript).then(connect).catch((e) => { status.textContent = `error: ${e.message}`; });
})();
