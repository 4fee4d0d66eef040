// The chat widget: one visitor session kept in localStorage, so a reload resumes the chat.
(() => {
  const params = new URLSearchParams(location.search);
  const widgetKey = params.get("key") || document.documentElement.dataset.widgetKey || "demo-widget-key";
  const api = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const log = $("log"), status = $("status"), text = $("text");
  const MAX_BYTES = 5 * 1048576;
  // Inside a shop's page the widget is a third-party frame: a browser that blocks
  // third-party storage throws on localStorage, and the chat then lives as long as the page.
  const store = (() => {
    try { const s = window.localStorage; s.getItem("oc_visitor_token"); return s; } catch (e) {
      const mem = new Map();
      return { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, v) };
    }
  })();
  let token = store.getItem("oc_visitor_token");
  let ws = null, started = false, lastTyping = 0, typingTimer = null, altKind = null;
  const pending = new Map();
  const auth = () => ({ Authorization: `Bearer ${token}` });

  // The visitor's language: ?lang=, else their earlier choice, else the browser's first
  // language the widget speaks. Texts live in /static/i18n/<lang>.json; the page's English
  // stays when a file cannot be read. The session carries the language to the bot.
  const LANGS = ["pl", "en"];
  const primary = (tag) => String(tag || "").toLowerCase().split("-")[0];
  let lang = [params.get("lang"), store.getItem("oc_lang"), ...(navigator.languages || [navigator.language])]
    .map(primary).find((l) => LANGS.includes(l)) || "en";
  let texts = {};
  const t = (key, vars = {}) =>
    (texts[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));

  async function translate(chosen) {
    const resp = await fetch(`/static/i18n/${chosen}.json`);
    if (!resp.ok) return;
    texts = await resp.json();
    lang = chosen;
    store.setItem("oc_lang", lang);
    document.documentElement.lang = lang;
    $("pc-lang").value = lang;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-attr]")) {
      for (const pair of el.dataset.i18nAttr.split(";")) {
        const [attr, key] = pair.split(":");
        el.setAttribute(attr, t(key));
      }
    }
  }
  // A text that stays translatable: a change of language re-renders it.
  function say(el, key) { el.dataset.i18n = key; el.textContent = t(key); }

  function add(author, body, id, buttons) {
    if (id && log.querySelector(`[data-event="${id}"]`)) return null;
    const li = document.createElement("li");
    li.className = author;
    const who = document.createElement("span");
    who.className = "sr-only";
    who.textContent = t(author === "customer" ? "you" : author === "bot" ? "assistant" : "agent");
    li.append(who, document.createTextNode(body));
    if (buttons && buttons.length) {
      // The bot's choices: a click sends the option's value as the visitor's answer.
      const group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", t("choose_answer"));
      for (const b of buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.label;
        btn.addEventListener("click", async () => {
          await begin();
          if (ws && ws.readyState === WebSocket.OPEN) sendText(b.value);
        });
        group.appendChild(btn);
      }
      li.appendChild(group);
    }
    if (id) li.dataset.event = id;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  async function session(extra = {}) {
    const body = { widget_key: widgetKey, visitor_token: token, lang, ...extra };
    const name = $("pc-name").value.trim(), email = $("pc-email").value.trim();
    if (name && !body.name) body.name = name;
    if (email && !body.email) body.email = email;
    const resp = await fetch(`${api}/webchat/sessions`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!resp.ok) throw new Error((await resp.json()).detail);
    const data = await resp.json();
    token = data.visitor_token;
    store.setItem("oc_visitor_token", token);
    return data;
  }

  async function transcript() {
    const resp = await fetch(`${api}/webchat/transcript`, { headers: auth() });
    if (!resp.ok) return;
    for (const e of await resp.json()) add(e.author_type, e.body, e.event_id, e.buttons);
    if (log.children.length) { started = true; $("prechat").hidden = true; }
  }

  async function estimate() {
    const resp = await fetch(`${api}/webchat/wait`, { headers: auth() });
    if (!resp.ok) return;
    const w = await resp.json();
    $("wait").textContent = w.estimated_wait_s === null ? t("no_agent")
      : t("estimated_wait", { minutes: Math.max(1, Math.round(w.estimated_wait_s / 60)) });
    $("alternatives").hidden = !w.long_wait;
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}${api}/webchat/ws?token=${encodeURIComponent(token)}`);
    ws.onopen = () => { say(status, "online"); document.body.dataset.ready = "1"; };
    ws.onclose = () => { say(status, "reconnecting"); setTimeout(connect, 1000); };
    ws.onmessage = (msg) => {
      const data = JSON.parse(msg.data);
      if (data.type === "ack") {
        const li = pending.get(data.client_id);
        if (li) { li.classList.remove("pending"); li.dataset.event = data.event_id; pending.delete(data.client_id); }
      } else if (data.type === "message") {
        $("typing").textContent = "";
        add(data.author_type || "agent", data.body, data.event_id, data.buttons);
      } else if (data.type === "typing") {
        $("typing").textContent = t("agent_typing");
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { $("typing").textContent = ""; }, 5000);
      } else if (data.type === "error") {
        $("error").textContent = data.detail;
      }
    };
  }

  async function begin() {
    if (started) return;
    started = true;
    await session();  // pass the pre-chat details once
    $("prechat").hidden = true;
  }

  function sendText(body) {
    const clientId = `c${Date.now()}${Math.random().toString(36).slice(2, 8)}`;
    const li = add("customer", body);
    li.classList.add("pending");
    pending.set(clientId, li);
    ws.send(JSON.stringify({ type: "message", text: body, client_id: clientId }));
  }

  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    if (!ws || ws.readyState !== WebSocket.OPEN) { $("error").textContent = t("not_connected"); return; }
    $("error").textContent = "";
    await begin();
    sendText(body);
    text.value = "";
  });
  text.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("send").click(); }
  });
  text.addEventListener("input", () => {
    if (!started || Date.now() - lastTyping < 3000) return;
    lastTyping = Date.now();
    fetch(`${api}/webchat/typing`, { method: "POST", headers: auth() }).catch(() => {});
  });

  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    $("file").value = "";
    if (!file) return;
    if (file.size > MAX_BYTES) { $("error").textContent = t("too_large", { name: file.name }); return; }
    await begin();
    const form = new FormData();
    form.append("file", file);
    const resp = await fetch(`${api}/webchat/attachments`, { method: "POST", headers: auth(), body: form });
    const data = await resp.json();
    if (!resp.ok) { $("error").textContent = data.detail; return; }
    $("error").textContent = "";
    add("customer", data.filename, data.event_id);
  });

  for (const [btn, kind] of [["want-callback", "phone"], ["want-email", "email"]]) {
    $(btn).addEventListener("click", () => {
      altKind = kind;
      $("alt-form").hidden = false;
      say($("alt-label"), kind === "phone" ? "phone_number" : "email_address");
      $("alt-input").type = kind === "phone" ? "tel" : "email";
      $("alt-input").focus();
    });
  }
  $("alt-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = $("alt-input").value.trim();
    try {
      started = true;
      $("prechat").hidden = true;
      await session({ [altKind]: value });
      if (altKind === "phone") {
        // A promise in routing, not only a message: the chat's place becomes the callback's.
        const resp = await fetch(`${api}/webchat/callback`, {
          method: "POST", headers: { ...auth(), "Content-Type": "application/json" },
          body: JSON.stringify({ phone: value }),
        });
        const data = await resp.json();
        if (!resp.ok) throw new Error(typeof data.detail === "string" ? data.detail : t("request_failed"));
        add("customer", data.text, data.event_id);
      } else {
        sendText(t("answer_by_email", { email: value }));
      }
      $("alternatives").hidden = true;
    } catch (e) { $("error").textContent = e.message; }
  });

  $("end").addEventListener("click", () => {
    $("ending").hidden = false;
    const email = $("pc-email").value.trim();
    if (email) $("transcript-email").value = email;
    $("ending").querySelector("input[name=score]").focus();
  });
  $("csat").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const picked = $("csat").querySelector("input[name=score]:checked");
    if (!picked) { $("ending-status").textContent = t("pick_score"); return; }
    const resp = await fetch(`${api}/webchat/csat`, {
      method: "POST", headers: { ...auth(), "Content-Type": "application/json" },
      body: JSON.stringify({ score: +picked.value, comment: $("csat-comment").value || null }) });
    $("ending-status").textContent = resp.ok ? t("thanks_rating") : (await resp.json()).detail;
    if (resp.ok) $("csat").hidden = true;
  });
  $("transcript").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const resp = await fetch(`${api}/webchat/transcript/email`, {
      method: "POST", headers: { ...auth(), "Content-Type": "application/json" },
      body: JSON.stringify({ email: $("transcript-email").value.trim() }) });
    $("ending-status").textContent = resp.ok ? t("transcript_sent") : (await resp.json()).detail;
  });

  $("pc-lang").addEventListener("change", async () => {
    await translate($("pc-lang").value);
    await session();  // the session, and so the bot, speak the new language from now on
    estimate();
  });

  translate(lang).catch(() => {}).then(() => session()).then(transcript).then(connect).then(estimate)
    .catch((e) => { status.textContent = t("error", { message: e.message }); });
})();
