// One script tag on a shop's page: <script src="https://HOST/static/embed.js" data-widget-key="KEY" async></script>
// Adds a launcher button that opens the chat widget in an iframe (same origin as the API).
(() => {
  const me = document.currentScript;
  const origin = new URL(me.src).origin;
  const key = me.dataset.widgetKey || "demo-widget-key";
  const button = document.createElement("button");
  button.type = "button";
  // a speech bubble drawn inline: emoji are boxes where no emoji font is installed
  button.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" ' +
    'style="vertical-align:-3px;fill:none;stroke:currentColor;stroke-width:1.5">' +
    '<path d="M2 3h12v8H7l-3 3v-3H2z"/></svg> Chat with us';
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:12px 18px;border:0;border-radius:24px;background:#1d4ed8;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer";
  const frame = document.createElement("iframe");
  frame.title = "Chat with customer service";
  frame.src = `${origin}/widget?key=${encodeURIComponent(key)}`;
  frame.hidden = true;
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 96px));border:1px solid #d1d5db;border-radius:12px;z-index:2147483000;background:#fff";
  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.append(frame, button);
})();
