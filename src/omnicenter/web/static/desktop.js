// Agent desktop: open cases, the customer's whole timeline across channels, replies.
(() => {
  const api = "/api/v1";
  let token = sessionStorage.getItem("oc_token");
  let current = null;  // {caseId, customerId, interactions}
  const $ = (id) => document.getElementById(id);
  const icons = { webchat: "💬", email: "✉️", sms: "📱", form: "📝", voice: "📞" };

  async function call(path, opts = {}) {
    const resp = await fetch(api + path, {
      ...opts,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...(opts.headers || {}) },
    });
    if (resp.status === 401) { sessionStorage.removeItem("oc_token"); location.reload(); }
    const data = await resp.json();
    if (!resp.ok) throw new Error(data.detail || resp.statusText);
    return data;
  }

  $("login").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const resp = await fetch(`${api}/auth/token`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }),
    });
    const data = await resp.json();
    if (!resp.ok) { $("login-error").textContent = data.detail; return; }
    token = data.token;
    sessionStorage.setItem("oc_token", token);
    start();
  });

  async function loadCases() {
    const cases = await call("/cases?status=open");
    const ul = $("cases");
    ul.replaceChildren();
    for (const c of cases) {
      const li = document.createElement("li");
      li.tabIndex = 0;
      li.dataset.case = c.id;
      if (current && current.caseId === c.id) li.classList.add("active");
      li.innerHTML = `<span class="ch"></span><div class="subj"></div><div class="ch who"></div>`;
      li.querySelector(".ch").textContent = `${icons[c.origin] || ""} ${c.origin} · ${c.status}`;
      li.querySelector(".subj").textContent = c.subject;
      li.querySelector(".who").textContent = c.customer_name || c.customer_id;
      li.onclick = () => openCase(c.id);
      li.onkeydown = (e) => { if (e.key === "Enter") openCase(c.id); };
      ul.appendChild(li);
    }
  }

  async function openCase(caseId) {
    const c = await call(`/cases/${caseId}`);
    current = { caseId, customerId: c.customer_id, interactions: c.interactions };
    $("case-title").textContent = c.subject;
    $("reply").hidden = false;
    const sel = $("reply-channel");
    sel.replaceChildren();
    for (const ch of ["webchat", "email", "sms"]) {
      const opt = document.createElement("option");
      opt.value = ch; opt.textContent = `${icons[ch]} ${ch}`;
      sel.appendChild(opt);
    }
    const last = c.interactions[c.interactions.length - 1];
    if (last && ["webchat", "email", "sms"].includes(last.channel)) sel.value = last.channel;
    document.querySelectorAll("#cases li").forEach((li) => li.classList.toggle("active", li.dataset.case === caseId));
    await Promise.all([loadTimeline(), loadCustomer()]);
  }

  async function loadTimeline() {
    if (!current) return;
    const events = await call(`/customers/${current.customerId}/timeline?limit=5000`);
    const ol = $("timeline");
    ol.replaceChildren();
    for (const e of events) {
      const li = document.createElement("li");
      li.className = e.kind === "note" ? "note" : e.author_type;
      if (e.case_id === current.caseId) li.classList.add("current");
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = `${icons[e.channel] || "🗒"} ${e.channel || e.kind} · ${new Date(e.created_at).toLocaleString()}`;
      li.append(meta, document.createTextNode(e.body));
      ol.appendChild(li);
    }
    ol.scrollTop = ol.scrollHeight;
  }

  async function loadCustomer() {
    const c = await call(`/customers/${current.customerId}`);
    const box = $("customer");
    box.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = c.display_name || c.id;
    const ul = document.createElement("ul");
    for (const i of c.identities) {
      const li = document.createElement("li");
      li.textContent = `${i.kind}: ${i.address}`;
      ul.appendChild(li);
    }
    box.append(h, ul);
    if (c.merge_suggestions.length) {
      const p = document.createElement("p");
      p.textContent = `${c.merge_suggestions.length} possible duplicate(s)`;
      box.appendChild(p);
    }
  }

  $("reply").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = $("reply-body").value.trim();
    if (!body || !current) return;
    await call(`/cases/${current.caseId}/messages`, {
      method: "POST", body: JSON.stringify({ channel: $("reply-channel").value, body }),
    }).catch((e) => alert(e.message));
    $("reply-body").value = "";
  });
  $("note").addEventListener("click", async () => {
    const body = $("reply-body").value.trim();
    if (!body || !current) return;
    await call(`/cases/${current.caseId}/notes`, { method: "POST", body: JSON.stringify({ body }) });
    $("reply-body").value = "";
  });
  $("resolve").addEventListener("click", async () => {
    if (!current) return;
    await call(`/cases/${current.caseId}`, { method: "PATCH", body: JSON.stringify({ status: "resolved" }) });
    loadCases();
  });
  $("presence").addEventListener("change", (ev) =>
    call("/agents/me/presence", { method: "PUT", body: JSON.stringify({ presence: ev.target.value }) }));

  function live(queueId, lastId) {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    let url = `${proto}://${location.host}${api}/events/ws?token=${encodeURIComponent(token)}`;
    if (queueId) url += `&queue_id=${queueId}&last_event_id=${lastId}`;
    const ws = new WebSocket(url);
    let q = queueId, last = lastId;
    ws.onmessage = (msg) => {
      const ev = JSON.parse(msg.data);
      if (ev.type === "hello") { q = ev.queue_id; $("live").textContent = "live"; return; }
      if (ev.type === "reload") { location.reload(); return; }
      last = ev.id;
      ws.send(JSON.stringify({ ack: last }));
      if (ev.type === "timeline_event" || ev.type === "case_updated") {
        loadCases();
        if (current && ev.customer_id === current.customerId) loadTimeline();
      }
    };
    ws.onclose = () => { $("live").textContent = "reconnecting…"; setTimeout(() => live(q, last), 1000); };
  }

  async function start() {
    $("login").hidden = true;
    $("app").hidden = false;
    const me = await call("/me");
    $("me").textContent = `${me.display_name} (${me.role})`;
    $("presence").value = me.presence === "busy" ? "available" : me.presence;
    await loadCases();
    live(null, 0);
  }
  if (token) start();
})();
