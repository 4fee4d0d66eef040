// The knowledge panel: the single source of truth at the agent's hand. It asks the same
// knowledge the bot answers from, for the customer in view; "Insert" puts the answer in the
// reply and sends the fact with it, so the answer audit covers what agents tell too.
window.OCKnowledge = (() => {
  const told = [];  // facts inserted into the reply being written
  const kinds = {
    price: { label: "Price (SKU)", path: (q, c) => `/knowledge/price?sku=${q}${c ? `&customer_id=${c}` : ""}` },
    stock: { label: "Stock (SKU)", path: (q) => `/knowledge/stock?sku=${q}` },
    product: { label: "Find product", path: (q) => `/knowledge/products?q=${q}` },
    order: { label: "Order status", path: (q) => `/knowledge/orders/${q}` },
    returns: { label: "Return deadline", path: (q) => `/knowledge/returns/${q}` },
    hours: { label: "Opening hours", path: () => "/knowledge/hours" },
    faq: { label: "FAQ", path: (q) => `/knowledge/faq?q=${q}` },
  };

  function mount(root, customerId, lang) {
    root.replaceChildren();
    const select = document.createElement("select");
    select.setAttribute("aria-label", "Question");
    for (const [key, k] of Object.entries(kinds)) select.append(new Option(k.label, key));
    const input = document.createElement("input");
    input.placeholder = "SKU, order number or question";
    input.setAttribute("aria-label", "What to look up");
    const ask = document.createElement("button");
    ask.type = "button";
    ask.textContent = "Look up";
    const out = document.createElement("div");
    out.className = "knowledge-answer";
    out.setAttribute("aria-live", "polite");
    ask.addEventListener("click", async () => {
      const q = encodeURIComponent(input.value.trim());
      const base = kinds[select.value].path(q, customerId());
      const path = `${base}${base.includes("?") ? "&" : "?"}lang=${lang()}`;
      out.replaceChildren();
      try {
        const a = await window.OC.call(path);
        const p = document.createElement("p");
        p.textContent = a.summary || (a.found ? "" : `Not found (${a.reason})`);
        out.append(p);
        if (a.found) {
          const src = document.createElement("small");
          src.textContent = `source: ${a.fact.sources.join(", ")} · version ${a.fact.revision}`;
          const insert = document.createElement("button");
          insert.type = "button";
          insert.textContent = "Insert";
          insert.addEventListener("click", () => {
            const body = document.getElementById("reply-body");
            body.value = body.value ? `${body.value}\n${a.summary}` : a.summary;
            told.push(a.fact);
            body.focus();
          });
          out.append(src, insert);
        }
      } catch (e) { out.textContent = e.message; }
    });
    root.append(select, input, ask, out);
  }

  // the facts to send with the reply; the list empties for the next one
  function take() { return told.splice(0, told.length); }

  return { mount, take };
})();
