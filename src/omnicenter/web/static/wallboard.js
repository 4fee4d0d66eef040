// Supervisor wallboard: queues by channel, charts, agents; live over the same event socket.
(() => {
  const { call, live, el, ago, channelIcon } = OC;
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  let board = null, agents = [], silentCase = null;
  const silent = new VList($("silent-log"), (e) => el("div", { class: `ev ${e.author_type}` },
    el("div", { class: "bubble" }, el("span", { class: "meta" }, channelIcon(e.channel), ` ${e.channel || e.kind} · ${e.author_type}`), e.body)),
    { estimate: 50, label: "Conversation events" });

  const svgEl = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  // A bar chart as inline SVG; `target` (0..max) draws a dashed line the bars are judged by.
  function bars(box, name, data, { max = null, fmt = (v) => v, color = "#1d4ed8", target = null } = {}) {
    const svg = svgEl("svg", { viewBox: "0 0 300 140", role: "img", "data-chart": name });
    const top = max ?? Math.max(1, ...data.map((d) => d.value));
    const w = data.length ? 280 / data.length : 280;
    const small = data.length > 12;  // quarter-hours: label every fourth bar
    data.forEach((d, i) => {
      const h = (d.value / top) * 100;
      svg.append(svgEl("rect", { x: 10 + i * w + 1, y: 110 - h, width: Math.max(1, w - 2), height: h,
        fill: d.color || color, "data-label": d.label, "data-value": d.value }, undefined));
      if (!small || i % 4 === 0) svg.append(svgEl("text", { x: 10 + i * w + w / 2, y: 126, "text-anchor": "middle", "font-size": 9 }, d.label));
      if (!small) svg.append(svgEl("text", { x: 10 + i * w + w / 2, y: 106 - h, "text-anchor": "middle", "font-size": 9 }, fmt(d.value)));
    });
    if (target !== null && data.length) {
      const y = 110 - (target / top) * 100;
      svg.append(svgEl("line", { x1: 8, x2: 292, y1: y, y2: y, stroke: "#111827", "stroke-dasharray": "4 3", "data-target": target }));
      svg.append(svgEl("text", { x: 292, y: y - 3, "text-anchor": "end", "font-size": 9 }, `target ${fmt(target)}`));
    }
    if (!data.length) svg.append(svgEl("text", { x: 100, y: 70 }, "no data yet"));
    svg.setAttribute("aria-label", data.map((d) => `${d.label}: ${fmt(d.value)}`).join(", ") || "no data yet");
    box.replaceChildren(svg);
  }
  const hhmm = (iso) => iso.slice(11, 16); // the server gives the center's local time
  function renderCharts(ch) {
    bars($("chart-sl"), "service-level", ch.service_level.map((p) => ({ label: hhmm(p.interval_start), value: p.service_level,
      color: p.service_level < ch.target ? "#b91c1c" : "#047857" })), { max: 1, fmt: pct, target: ch.target });
    bars($("chart-volume"), "volume", ch.channels.map((c) => ({ label: c.channel, value: c.offered, color: c.colour })));
    bars($("chart-breaches"), "breaches", ch.channels.map((c) => ({ label: c.channel, value: c.breaches, color: "#b91c1c" })));
    $("charts-updated").textContent = `${ch.day} (${ch.timezone})`;
    $("charts-updated").dataset.grain = ch.grain;
  }
  // As the server's formatting (metrics/format.py): one decimal, "—" for a share of nothing.
  const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);

  function render() {
    const chans = Object.entries(board.channels);
    const waiting = chans.reduce((a, [, c]) => a + c.waiting, 0);
    const tile = (k, v, id) => el("div", { class: "tile", "data-tile": id }, el("div", { class: "v" }, String(v)), el("div", { class: "k" }, k));
    const states = board.agents_by_state;
    $("totals").replaceChildren(
      tile("waiting", waiting, "waiting"),
      tile("longest wait", ago(Math.max(0, ...chans.map(([, c]) => c.longest_wait_s))), "longest"),
      tile("SLA breaches", board.breaches, "breaches"),
      tile("occupancy today", board.shown.occupancy, "occupancy"),
      tile("capacity in use", pct(board.capacity_in_use), "capacity"),
      ...["available", "busy", "wrap_up", "away", "offline"].map((s) => tile(`agents ${s.replace("_", "-")}`, states[s] || 0, `agents-${s}`)));
    $("channels").tBodies[0].replaceChildren(...chans.map(([name, c]) => el("tr", { "data-channel": name },
      el("td", {}, channelIcon(name), ` ${name}`), el("td", { "data-col": "waiting" }, String(c.waiting)),
      el("td", {}, ago(c.longest_wait_s)), el("td", { "data-col": "open" }, String(c.open)),
      el("td", { class: c.service_level !== null && c.service_level < 0.8 ? "bad" : "", "data-col": "service-level" }, c.shown.service_level),
      el("td", { "data-col": "abandon-rate" }, c.shown.abandon_rate), el("td", { class: c.breaches ? "bad" : "" }, String(c.breaches)))));
    $("queues").hidden = !board.queues;
    $("queues-table").tBodies[0].replaceChildren(...(board.queues || []).filter((q) => q.waiting || q.service_level !== null)
      .map((q) => el("tr", { "data-queue": `${q.queue}:${q.channel}` },
        el("td", {}, q.queue), el("td", {}, channelIcon(q.channel), ` ${q.channel}`),
        el("td", { "data-col": "waiting" }, String(q.waiting)), el("td", {}, ago(q.longest_wait_s)),
        el("td", {}, q.estimated_wait_s === null ? "nobody staffed" : ago(q.estimated_wait_s)),
        el("td", {}, pct(q.service_level)))));
    agents = board.agents;
    $("agents").tBodies[0].replaceChildren(...agents.map((a) => {
      const state = el("select", { "aria-label": `State of ${a.display_name}`, onchange: (ev) => setState(a, ev.target.value) },
        ...["available", "away", "wrap_up", "offline"].map((s) => el("option", { value: s, selected: s === a.presence }, s)));
      const work = a.case_ids.map((id) => el("span", {}, el("button", { type: "button", class: "ghost", "aria-label": `View case ${id} silently`,
        onclick: () => view(id) }, "👁 view"), " ", reassignBox(a, id)));
      return el("tr", { "data-agent": a.username },
        el("td", {}, `${a.display_name} (${a.role})`),
        el("td", { class: `state-${a.presence}`, "data-col": "state",
          title: a.routing_state ? `routing: ${a.routing_state}` : null }, a.presence + (a.presence_reason ? ` (${a.presence_reason})` : "")),
        el("td", {}, a.time_in_state_s === null ? "—" : ago(a.time_in_state_s)),
        el("td", {}, `${a.open_cases} open case(s)`), el("td", {}, state), el("td", {}, ...work));
    }));
    $("updated").textContent = `updated ${new Date(board.at).toLocaleTimeString()}`;
    document.body.dataset.ready = "1";
  }
  function reassignBox(a, caseId) {
    return el("select", { "aria-label": `Reassign case ${caseId}`, onchange: async (ev) => {
      if (!ev.target.value) return;
      await call(`/supervisor/cases/${caseId}/reassign`, { method: "POST", body: JSON.stringify({ agent_id: ev.target.value }) });
      refresh();
    } }, el("option", { value: "" }, "reassign to…"),
      ...agents.filter((x) => x.id !== a.id && x.role !== "admin").map((x) => el("option", { value: x.id }, x.display_name)));
  }
  async function setState(a, presence) {
    await call(`/agents/${a.id}/presence`, { method: "PUT", body: JSON.stringify({ presence, reason: presence === "away" ? "set by supervisor" : null }) });
    refresh();
  }
  async function view(caseId) {
    silentCase = caseId;
    $("silent").hidden = false;
    $("silent-title").textContent = caseId;
    silent.setItems(await call(`/cases/${caseId}/timeline?limit=5000`), { keepBottom: true });
  }
  $("silent-close").addEventListener("click", () => { silentCase = null; $("silent").hidden = true; });

  async function refresh() {
    const [b, ch] = await Promise.all([call("/supervisor/wallboard"), call(`/supervisor/charts?grain=${$("grain").value}`)]);
    board = b;
    render();
    renderCharts(ch);
  }
  $("grain").addEventListener("change", () => refresh());
  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, 200); };

  async function start() {
    $("board").hidden = false;
    await refresh();
    live((ev) => {
      if (["timeline_event", "case_updated", "agent_presence", "task_assigned", "task_offered", "offer_ended", "routing_decision"].includes(ev.type)) soon();
      if (ev.type === "timeline_event" && ev.case_id === silentCase) {
        silent.append({ id: ev.event_id, kind: ev.kind, channel: ev.channel, author_type: ev.author_type, body: ev.body });
      }
    }, (s) => { $("live").textContent = s === "live" ? "● live" : "reconnecting…"; if (s === "reload") refresh(); });
    setInterval(refresh, 15000);  // waiting times grow without any event
  }
  OC.login($("login"), start);
})();
