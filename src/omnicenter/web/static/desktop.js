// Agent desktop: one inbox for every channel, the customer's whole timeline, replies on any
// channel, notes, wrap-up, transfer, offers from the routing engine, live over WebSocket.
(() => {
  const { call, live, el, ago, channelIcon, channelLabel } = OC;
  const $ = (id) => document.getElementById(id);
  const REPLY_CHANNELS = ["webchat", "email", "sms", "whatsapp", "messenger", "instagram", "telegram"];
  const st = {
    me: null, cases: [], byId: new Map(), current: null, customer: null, canned: [],
    offers: new Map(), agents: [], seenEvents: new Set(), typingTimer: null, lastTypingSent: 0,
    withFiles: new Set(),
  };
  window.ocDesktop = st;  // for tests and the benchmark: inspection, openCase, the socket

  // ---- inbox ---------------------------------------------------------------------------
  const inbox = new VList($("cases"), renderCaseRow, { estimate: 65, label: "Cases" });
  function slaText(c, now) {
    if (!c.sla_due_at) return el("span", {}, "");
    const left = (Date.parse(c.sla_due_at) - now) / 1000;
    const cls = left < 0 ? "sla-late" : left < 300 ? "sla-soon" : "";
    return el("span", { class: cls, "data-sla": "" }, left < 0 ? `SLA −${ago(-left)}` : `SLA ${ago(left)}`);
  }
  function renderCaseRow(c) {
    const now = Date.now();
    const row = el("div", {
      class: `row${st.current && st.current.caseId === c.id ? " active" : ""}`, tabindex: 0,
      "data-case": c.id, "aria-label": `${c.origin} case ${c.subject} from ${c.customer_name || "customer"}`,
      onclick: () => openCase(c.id),
      onkeydown: (e) => { if (e.key === "Enter") openCase(c.id); },
    },
      el("div", { class: "top-line" },
        el("span", {}, channelIcon(c.origin), ` ${c.origin} · ${c.status}${c.owner_agent_id === st.me.id ? " · mine" : ""}`),
        el("span", { title: "waiting" }, `⏱ ${ago((now - Date.parse(c.created_at)) / 1000)}`)),
      el("div", { class: "subj" }, c.subject),
      el("div", { class: "top-line" }, el("span", {}, c.customer_name || "customer"), slaText(c, now)));
    return row;
  }
  function visibleCases() {
    return $("mine-only").checked ? st.cases.filter((c) => c.owner_agent_id === st.me.id) : st.cases;
  }
  function showCases() {
    const list = visibleCases();
    $("inbox-count").textContent = `(${list.length})`;
    inbox.setItems(list);
    showCapacity();
  }
  async function loadCases() {
    st.cases = await call("/cases?status=open&limit=500");
    st.byId = new Map(st.cases.map((c) => [c.id, c]));
    showCases();
  }
  let casesTimer = null;
  function reloadCasesSoon() {
    clearTimeout(casesTimer);
    casesTimer = setTimeout(loadCases, 250);
  }
  $("mine-only").addEventListener("change", showCases);
  setInterval(() => inbox.render(), 1000);  // waiting times and SLA countdowns tick

  function showCapacity() {
    const cap = st.me.capacity || {};
    const used = {};
    for (const c of st.cases) if (c.owner_agent_id === st.me.id) used[c.origin] = (used[c.origin] || 0) + 1;
    const parts = Object.entries(cap).map(([ch, n]) => `${channelLabel(ch)} ${used[ch] || 0}/${n}`);
    $("capacity").textContent = parts.length ? parts.join(" · ") : `${Object.values(used).reduce((a, b) => a + b, 0)} open`;
  }

  // ---- offers (routing engine) ---------------------------------------------------------
  function showOffers() {
    const box = $("offers");
    box.replaceChildren();
    for (const o of st.offers.values()) {
      const left = Math.max(0, (Date.parse(o.expires_at) - Date.now()) / 1000);
      box.append(el("div", { class: "offer", "data-offer": offerKey(o), "data-case": o.case_id || "" },
        el("strong", {}, channelIcon(o.channel), ` New ${o.channel} from queue ${o.queue}`),
        el("div", { class: "meta" }, `expires in ${ago(left)}`),
        el("div", { class: "buttons" },
          el("button", { type: "button", onclick: () => answerOffer(o, "accept") }, "Accept"),
          el("button", { type: "button", class: "ghost", onclick: () => answerOffer(o, "reject") }, "Reject"))));
    }
  }
  // The routing API names offers by task id; offer_id is accepted too (older contract).
  const offerKey = (o) => o.task_id || o.offer_id;
  async function answerOffer(o, verb) {
    try {
      await call(`/offers/${offerKey(o)}/${verb}`, { method: "POST", body: "{}" });
    } catch (e) { $("reply-error").textContent = e.message; }
    st.offers.delete(offerKey(o));
    showOffers();
    if (verb === "accept" && o.case_id) { await loadCases(); openCase(o.case_id); }
  }
  setInterval(() => {
    for (const [id, o] of st.offers) if (Date.parse(o.expires_at) < Date.now()) st.offers.delete(id);
    if (st.offers.size || $("offers").children.length) showOffers();
  }, 1000);

  // ---- conversation --------------------------------------------------------------------
  const timeline = new VList($("timeline"), renderEvent, { estimate: 58, label: "Timeline events" });
  function renderEvent(e) {
    const who = e.kind === "message_in" || e.kind === "message_out" ? e.author_type : e.kind;
    const current = st.current && e.case_id === st.current.caseId;
    const when = new Date(e.created_at).toLocaleString();
    const label = e.kind === "note" ? "internal note" : e.channel || e.kind.replace("_", " ");
    const bubble = el("div", { class: "bubble" },
      el("span", { class: "meta" }, channelIcon(e.channel), ` ${label} · ${e.author_type} · ${when}`),
      e.body);
    for (const a of e.attachments || []) {
      bubble.append(el("div", {}, el("a", { href: "#", "data-attachment": a.id,
        onclick: (ev) => { ev.preventDefault(); download(a); } }, `📎 ${a.filename} (${Math.ceil(a.size / 1024)} kB)`)));
    }
    return el("div", { class: `ev ${who}${current ? " current" : ""}`, "data-event": e.id }, bubble);
  }
  async function download(a) {
    const resp = await fetch(`${OC.api}/attachments/${a.id}`, { headers: { Authorization: `Bearer ${OC.token()}` } });
    const url = URL.createObjectURL(await resp.blob());
    el("a", { href: url, download: a.filename }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // The case's contacts, one per channel conversation; a contact that joined this case but
  // is another matter is split off into a case of its own with one click (audited).
  function showContacts(c) {
    const box = $("case-contacts");
    const many = c.interactions.length > 1;
    box.replaceChildren(...c.interactions.map((i) => {
      const split = el("button", { type: "button", title: "Make this contact a case of its own" }, "Split off");
      split.addEventListener("click", async () => {
        try {
          const moved = await call(`/interactions/${i.id}/split`, { method: "POST", body: "{}" });
          await openCase(moved.case_id);
        } catch (e) { $("reply-error").textContent = e.message; }
      });
      return el("span", { class: "contact" }, channelIcon(i.channel), ` ${i.channel}`, ...(many ? [split] : []));
    }));
  }

  async function openCase(caseId) {
    const t0 = performance.now();
    performance.mark("open-case-start");
    const c = await call(`/cases/${caseId}`);
    st.current = { caseId, customerId: c.customer_id, case: c, interactions: c.interactions };
    $("case-title").textContent = c.subject;
    $("case-meta").replaceChildren(channelIcon(c.origin), ` ${c.origin} · ${c.status} · priority ${c.priority}`);
    $("case-actions").hidden = false;
    $("reply").hidden = false;
    $("reply-error").textContent = "";
    showContacts(c);
    // the customer's own prices; answers in the language of the case's bot (Polish by default)
    OCKnowledge.mount($("knowledge"), () => st.current && st.current.customerId,
                      () => (st.current && st.current.case.fields && st.current.case.fields.lang) || "pl");
    const sel = $("reply-channel");
    sel.replaceChildren(...REPLY_CHANNELS.map((ch) => el("option", { value: ch }, channelLabel(ch))));
    const last = [...c.interactions].reverse().find((i) => REPLY_CHANNELS.includes(i.channel));
    if (last) sel.value = last.channel;
    inbox.render();
    const [events, customer, consents] = await Promise.all([
      call(`/customers/${c.customer_id}/timeline?limit=5000`), call(`/customers/${c.customer_id}`),
      call(`/customers/${c.customer_id}/consents`)]);
    customer.consents = consents;
    st.seenEvents = new Set(events.map((e) => e.id));
    st.events = events;
    timeline.setItems(events, { keepBottom: true });
    showCustomer(customer, events);
    performance.mark("open-case-end");
    performance.measure("open-case", "open-case-start", "open-case-end");
    st.lastOpenMs = performance.now() - t0;
    document.body.dataset.openedCase = caseId;
  }

  function addLiveEvent(ev) {
    if (!st.current || ev.customer_id !== st.current.customerId || st.seenEvents.has(ev.event_id)) return;
    st.seenEvents.add(ev.event_id);
    const e = { id: ev.event_id, customer_id: ev.customer_id, case_id: ev.case_id,
      interaction_id: ev.interaction_id, kind: ev.kind, channel: ev.channel, author_type: ev.author_type,
      author_id: ev.author_id, body: ev.body, created_at: ev.created_at, meta: ev.meta, attachments: [] };
    timeline.append(e);
    if (ev.author_type === "customer") $("typing").textContent = "";
    if (ev.body.startsWith("📎 ") || st.withFiles.has(ev.event_id)) refreshAttachments(ev);
  }
  async function refreshAttachments(ev) {
    // The upload stores the file just after the message: fetch it once so the link shows.
    const events = await call(`/cases/${ev.case_id}/timeline?limit=5000`);
    const found = events.find((e) => e.id === ev.event_id);
    const idx = timeline.items.findIndex((e) => e.id === ev.event_id);
    if (found && idx >= 0 && found.attachments.length) timeline.replace(idx, found);
  }

  function showCustomer(c, events) {
    st.customer = c;
    const box = $("customer");
    const section = (title, ...children) => el("section", { "aria-label": title }, el("h4", {}, title), ...children);
    const list = (items) => el("ul", {}, ...items.map((x) => el("li", {}, x)));
    const promises = events.filter((e) => e.meta && e.meta.callback_at)
      .map((e) => `callback ${new Date(e.meta.callback_at).toLocaleString()}`);
    const orders = [...new Set(c.open_cases.map((k) => k.fields && k.fields.order).filter(Boolean))];
    box.replaceChildren(
      el("h3", {}, c.shown_name || c.display_name || "customer"),
      el("div", {}, el("span", { class: "tag" }, `segment: ${c.segment}`), " ",
        c.value !== undefined ? el("span", { class: "tag" }, `value: ${c.value}`) : null),
      section("Identities", list(c.identities.map((i) => `${i.kind}: ${i.address}${i.verified ? " ✓" : ""}`))),
      section("Possible duplicates", c.merge_suggestions.length
        ? el("ul", {}, ...c.merge_suggestions.map((s) => el("li", {}, `${s.reason} (${Math.round(s.score * 100)}%) `,
            el("button", { type: "button", onclick: () => decide(s.id, "accept") }, "Merge"), " ",
            el("button", { type: "button", class: "ghost", onclick: () => decide(s.id, "reject") }, "Not the same"))))
        : el("p", {}, "none")),
      section("Open cases", list(c.open_cases.map((k) => `${channelLabel(k.origin)}: ${k.subject} (${k.status})`))),
      section("Orders", orders.length ? list(orders.map((o) => `order ${o}`)) : el("p", {}, "none on open cases")),
      section("Promises", promises.length ? list(promises) : el("p", {}, "none pending")),
      section("Consent", consentTable(c)),
    );
  }
  // Consent per channel and purpose: "—" not recorded, yes granted, no withdrawn.
  const CONSENT_CHANNELS = ["email", "sms", "voice", "messenger", "webchat"];
  const CONSENT_PURPOSES = ["marketing", "service", "surveys"];
  function consentTable(c) {
    const found = new Map(c.consents.map((x) => [`${x.channel}:${x.purpose}`, x]));
    const cell = (ch, p) => {
      const cur = found.get(`${ch}:${p}`);
      const value = cur ? (cur.granted ? "yes" : "no") : "";
      return el("td", {}, el("select", {
        "aria-label": `Consent ${p} by ${ch}`, "data-consent": `${ch}:${p}`,
        title: cur ? `${cur.source}, ${new Date(cur.updated_at).toLocaleString()}` : "not recorded",
        onchange: (ev) => saveConsent(c.id, ch, p, ev.target.value),
      }, ...[["", "—"], ["yes", "yes"], ["no", "no"]].map(([v, t]) =>
        el("option", { value: v, selected: v === value, disabled: v === "" && value !== "" }, t))));
    };
    return el("table", { class: "consents" },
      el("thead", {}, el("tr", {}, el("th", {}, ""), ...CONSENT_PURPOSES.map((p) => el("th", {}, p)))),
      el("tbody", {}, ...CONSENT_CHANNELS.map((ch) => el("tr", {}, el("th", {}, ch), ...CONSENT_PURPOSES.map((p) => cell(ch, p))))));
  }
  async function saveConsent(customerId, channel, purpose, value) {
    if (!value) return;
    try {
      st.customer.consents = await call(`/customers/${customerId}/consents`, { method: "PUT",
        body: JSON.stringify({ consents: [{ channel, purpose, granted: value === "yes", source: `agent ${st.me.username}` }] }) });
      $("reply-error").textContent = "";
    } catch (e) { $("reply-error").textContent = e.message; }
  }
  async function decide(id, decision) {
    await call(`/merge-suggestions/${id}/${decision}`, { method: "POST", body: "{}" }).catch((e) => alert(e.message));
    if (st.current) openCase(st.current.caseId);
  }

  // ---- replying ------------------------------------------------------------------------
  function fill(template) {
    const c = st.current ? st.current.case : {};
    const vars = { customer_name: (st.customer && st.customer.display_name) || "there",
      agent_name: st.me.display_name, case_ref: c.id || "", case_subject: c.subject || "" };
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));
  }
  $("canned").addEventListener("change", (ev) => {
    const item = st.canned.find((x) => x.id === ev.target.value);
    if (item) { $("reply-body").value = fill(item.body); $("reply-body").focus(); }
    ev.target.value = "";
  });
  async function send() {
    const body = $("reply-body").value.trim();
    if (!body || !st.current) return;
    $("reply-error").textContent = "";
    const files = [...$("reply-files").files];
    try {
      if (files.length) {
        // Files go with the message (multipart); the link shows once the event is on the timeline.
        const form = new FormData();
        form.append("channel", $("reply-channel").value);
        form.append("body", body);
        for (const f of files) form.append("file", f, f.name);
        const sent = await call(`/cases/${st.current.caseId}/replies`, { method: "POST", body: form });
        $("reply-files").value = "";
        st.withFiles.add(sent.event_id);
        if (st.seenEvents.has(sent.event_id)) refreshAttachments({ event_id: sent.event_id, case_id: sent.case_id });
      } else {
        await call(`/cases/${st.current.caseId}/messages`, {
          method: "POST",
          body: JSON.stringify({ channel: $("reply-channel").value, body, facts: OCKnowledge.take() }) });
      }
      $("reply-body").value = "";
    } catch (e) { $("reply-error").textContent = e.message; }
  }
  async function note() {
    const body = $("reply-body").value.trim();
    if (!body || !st.current) return;
    await call(`/cases/${st.current.caseId}/notes`, { method: "POST", body: JSON.stringify({ body }) });
    $("reply-body").value = "";
  }
  $("reply").addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  $("note").addEventListener("click", note);
  $("reply-body").addEventListener("input", () => {
    // Tell a chatting visitor we are typing, at most every 3 s.
    if (!st.current || $("reply-channel").value !== "webchat" || Date.now() - st.lastTypingSent < 3000) return;
    const chat = [...st.current.interactions].reverse().find((i) => i.channel === "webchat");
    if (!chat) return;
    st.lastTypingSent = Date.now();
    call(`/interactions/${chat.id}/typing`, { method: "POST", body: "{}" }).catch(() => {});
  });

  // ---- wrap-up and transfer ------------------------------------------------------------
  function openWrapUp() { if (st.current) $("wrapup").showModal(); }
  $("wrapup-btn").addEventListener("click", openWrapUp);
  $("wrapup").addEventListener("close", async () => {
    if ($("wrapup").returnValue !== "ok" || !st.current) return;
    const at = $("callback-at").value;
    const payload = { disposition: $("disposition").value, status: $("wrap-status").value,
      note: $("wrap-note").value || null, callback_at: at ? new Date(at).toISOString() : null };
    try {
      await call(`/cases/${st.current.caseId}/wrap-up`, { method: "POST", body: JSON.stringify(payload) });
      $("case-meta").textContent = `wrapped up: ${payload.disposition} · ${payload.status}`;
      loadCases();
    } catch (e) { $("reply-error").textContent = e.message; }
  });
  async function openTransfer() {
    if (!st.current) return;
    const [agents, queues] = await Promise.all([call("/agents"), call("/desktop/queues")]);
    st.agents = agents;
    const sel = $("transfer-to");
    sel.replaceChildren(
      el("optgroup", { label: "Agents" }, ...st.agents.filter((a) => a.id !== st.me.id && a.role !== "admin")
        .map((a) => el("option", { value: `agent:${a.id}` }, `${a.display_name} (${a.role}, ${a.presence})`))),
      el("optgroup", { label: "Queues" }, ...queues
        .map((q) => el("option", { value: `queue:${q}` }, `queue ${q}`))));
    $("transfer").showModal();
  }
  $("transfer-btn").addEventListener("click", openTransfer);
  $("transfer").addEventListener("close", async () => {
    if ($("transfer").returnValue !== "ok" || !st.current) return;
    const [kind, id] = $("transfer-to").value.split(":");
    const body = kind === "agent" ? { to_agent_id: id } : { queue: id };
    try {
      await call(`/cases/${st.current.caseId}/transfer`, { method: "POST", body: JSON.stringify(body) });
      loadCases();
    } catch (e) { $("reply-error").textContent = e.message; }
  });

  // ---- presence ------------------------------------------------------------------------
  async function setPresence() {
    const presence = $("presence").value;
    $("away-box").hidden = presence !== "away";
    const reason = presence === "away" ? $("away-reason").value : null;
    await call("/agents/me/presence", { method: "PUT", body: JSON.stringify({ presence, reason }) });
  }
  $("presence").addEventListener("change", setPresence);
  $("away-reason").addEventListener("change", setPresence);

  // ---- keyboard shortcuts --------------------------------------------------------------
  function moveCase(step) {
    const list = visibleCases();
    if (!list.length) return;
    const i = st.current ? list.findIndex((c) => c.id === st.current.caseId) : -1;
    const next = list[Math.min(list.length - 1, Math.max(0, i + step))];
    openCase(next.id).then(() => $("reply-body").focus());
  }
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter" && document.activeElement === $("reply-body")) { e.preventDefault(); send(); return; }
    if (e.key === "?" && !["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement.tagName)) { $("help").showModal(); return; }
    if (!e.altKey) return;
    const first = st.offers.values().next().value;
    const actions = { j: () => moveCase(1), k: () => moveCase(-1), r: () => $("reply-body").focus(),
      n: note, w: openWrapUp, t: openTransfer,
      a: () => first && answerOffer(first, "accept"), x: () => first && answerOffer(first, "reject") };
    const act = actions[e.key.toLowerCase()];
    if (act) { e.preventDefault(); act(); }
  });
  $("help-btn").addEventListener("click", () => $("help").showModal());

  // ---- live events ---------------------------------------------------------------------
  function onEvent(ev) {
    switch (ev.type) {
      case "timeline_event":
        addLiveEvent(ev);
        if (!st.byId.has(ev.case_id) || ev.new_case) reloadCasesSoon();
        break;
      case "case_updated": {
        const c = st.byId.get(ev.case_id);
        if (c && ["new", "open", "pending"].includes(ev.status)) {
          Object.assign(c, { status: ev.status, priority: ev.priority, owner_agent_id: ev.owner_agent_id, subject: ev.subject });
          showCases();
        } else reloadCasesSoon();
        break;
      }
      case "typing":
        if (st.current && st.current.interactions.some((i) => i.id === ev.interaction_id)) {
          $("typing").textContent = "Customer is typing…";
          clearTimeout(st.typingTimer);
          st.typingTimer = setTimeout(() => { $("typing").textContent = ""; }, 5000);
        }
        break;
      case "task_offered":
        if (ev.to_agent && ev.to_agent !== st.me.id) break;
        st.offers.set(offerKey(ev), ev);
        showOffers();
        break;
      case "offer_ended":
      case "offer_expired":
        st.offers.delete(offerKey(ev));
        showOffers();
        break;
      case "task_assigned":
        reloadCasesSoon();
        break;
      case "agent_presence":
        if (ev.agent_id === st.me.id) { $("presence").value = ev.presence === "busy" ? "available" : ev.presence; }
        break;
      default:
    }
  }
  function onState(s) {
    $("live").textContent = s === "live" ? "● live" : s === "reload" ? "reloading…" : "reconnecting…";
    document.body.dataset.live = s;
    if (s === "reload") { loadCases(); if (st.current) openCase(st.current.caseId); }
  }

  async function start() {
    performance.mark("desktop-start");
    $("app").hidden = false;
    const me = await call("/me");
    st.me = me;
    $("me").textContent = `${me.display_name} (${me.role})`;
    $("presence").value = me.presence === "busy" ? "available" : me.presence;
    $("away-box").hidden = me.presence !== "away";
    $("wallboard-link").hidden = !["supervisor", "admin"].includes(me.role);
    const [canned, dispositions] = await Promise.all([
      call("/desktop/canned-responses"), call("/desktop/dispositions"), loadCases()]);
    st.canned = canned;
    $("canned").append(...canned.map((c) => el("option", { value: c.id }, c.title)));
    $("disposition").replaceChildren(...dispositions.map((d) => el("option", { value: d }, d.replaceAll("_", " "))));
    st.socket = live(onEvent, onState);
    performance.mark("desktop-ready");
    performance.measure("first-render", "desktop-start", "desktop-ready");
    document.body.dataset.ready = "1";
  }
  st.openCase = openCase;
  OC.login($("login"), start);
})();
