// The call bar: the agent's live phone call (ringing, connected, held, consulting) with its
// caller and case, and the controls hold/resume, transfer, consult, complete, cancel, hang up.
// The call lives on the agent's softphone; these buttons steer it through /api/v1/calls.
// It refreshes on every call event of the live stream (timeline events with meta.call).
(() => {
  const { call, el, live } = OC;
  const bar = document.getElementById("callbar");
  if (!bar) return;
  const st = { calls: [], agents: [], queues: [], busy: false, error: "", meId: null };
  window.ocCallbar = st;  // for tests: inspection

  async function refresh() {
    try {
      st.calls = await call("/me/calls");
      st.error = "";
    } catch (e) {
      st.calls = [];  // a hiccup: the next call event refreshes again
    }
    render();
  }

  async function act(callId, verb, body) {
    st.busy = true;
    render();
    try {
      await call(`/calls/${callId}/${verb}`, body ? { method: "POST", body: JSON.stringify(body) } : { method: "POST" });
      st.error = "";
    } catch (e) {
      st.error = e.message;
    }
    st.busy = false;
    await refresh();
  }

  function targetBody() {
    const v = document.getElementById("callbar-target").value;
    if (!v) { st.error = "choose an agent or a queue"; render(); return null; }
    return v.startsWith("queue:") ? { to_queue: v.slice(6) } : { to_agent_id: v };
  }

  function targets(me) {
    const agents = st.agents.filter((a) => a.id !== me && a.role !== "admin");
    return el("select", { id: "callbar-target", "aria-label": "Transfer or consult to" },
      el("option", { value: "" }, "transfer to…"),
      ...agents.map((a) => el("option", { value: a.id }, `${a.display_name} (${a.presence})`)),
      ...st.queues.map((q) => el("option", { value: `queue:${q}` }, `queue ${q}`)));
  }

  function render() {
    const c = st.calls.find((x) => x.role === "agent") || st.calls[0];
    bar.dataset.state = c ? c.state : "idle";
    bar.hidden = !c;
    if (!c) { bar.replaceChildren(); st.error = ""; return; }
    const btn = (label, verb, extra = {}) => el("button", {
      type: "button", "data-action": verb, disabled: st.busy || null,
      onclick: () => {
        const body = extra.needsTarget ? targetBody() : null;
        if (extra.needsTarget && !body) return;
        if (verb === "consult" && body && !body.to_agent_id) { st.error = "consult needs an agent"; render(); return; }
        act(c.call_id, verb, body);
      },
    }, label);
    const who = c.caller_name ? `${c.caller_name} ${c.caller}` : c.caller;
    const caseLink = c.case_id ? el("a", {
      href: "#", class: "callbar-case",
      onclick: (e) => { e.preventDefault(); window.ocDesktop && window.ocDesktop.openCase(c.case_id); },
    }, `case ${c.case_id}`) : null;
    const controls = [];
    if (c.role === "consulted") {
      controls.push(el("span", {}, "consultation"));
    } else if (c.state === "connected") {
      controls.push(btn("Hold", "hold"), targets(st.meId), btn("Transfer", "transfer", { needsTarget: true }),
        btn("Consult", "consult", { needsTarget: true }));
    } else if (c.state === "held") {
      controls.push(btn("Resume", "resume"), targets(st.meId), btn("Transfer", "transfer", { needsTarget: true }),
        btn("Consult", "consult", { needsTarget: true }));
    } else if (c.state === "consulting") {
      controls.push(btn("Complete transfer", "complete-transfer"), btn("Cancel consult", "cancel-consult"));
    }
    if (c.role !== "consulted" && c.state !== "ringing") controls.push(btn("Hang up", "hangup"));
    bar.replaceChildren(
      el("strong", { class: "callbar-state", role: "status" }, OC.channelIcon("voice"), ` ${c.state}`),
      el("span", { class: "callbar-caller" }, who),
      caseLink,
      ...controls,
      st.error ? el("span", { class: "error", role: "alert" }, st.error) : null,
    );
  }

  function onEvent(ev) {
    if (ev.type === "timeline_event" && ev.meta && ev.meta.call) refresh();
    else if (ev.type === "agent_presence") loadAgents();
  }

  async function loadAgents() {
    try { st.agents = await call("/agents"); } catch (e) { st.agents = []; }
    if (st.calls.length) render();
  }

  async function start() {
    const me = await call("/me");
    st.meId = me.id;
    try { st.queues = await call("/voice/queues"); } catch (e) { return; }  // voice is off here
    await Promise.all([loadAgents(), refresh()]);
    st.socket = live(onEvent, () => {});
  }

  // The desktop logs in first; start once it says it is ready.
  function whenReady() {
    if (document.body.dataset.ready === "1") { start(); return; }
    const seen = new MutationObserver(() => {
      if (document.body.dataset.ready === "1") { seen.disconnect(); start(); }
    });
    seen.observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
  }
  whenReady();
})();
