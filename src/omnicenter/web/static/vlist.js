// A virtualised list: only the rows in (or near) the viewport are in the DOM, so a
// 5,000-event timeline renders as fast as a 20-event one. Row heights are measured
// after rendering and cached; unmeasured rows use an estimate.
window.VList = class VList {
  constructor(scroller, renderRow, { estimate = 56, overscan = 6, label = "" } = {}) {
    this.scroller = scroller;
    this.renderRow = renderRow;
    this.estimate = estimate;
    this.overscan = overscan;
    this.items = [];
    this.heights = [];
    this.offsets = [0];
    this.inner = document.createElement("div");
    this.inner.className = "vlist-inner";
    this.inner.setAttribute("role", "list");
    if (label) this.inner.setAttribute("aria-label", label);
    scroller.replaceChildren(this.inner);
    let queued = false;
    scroller.addEventListener("scroll", () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; this.render(); });
    });
  }
  setItems(items, { keepBottom = false } = {}) {
    this.items = items;
    this.heights = items.map(() => this.estimate);
    this.measured = new Map();
    this.reflow();
    if (keepBottom) this.scrollToBottom(); else this.render();
  }
  append(item) {
    const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.total() - 40;
    this.items.push(item);
    this.heights.push(this.estimate);
    this.offsets.push(this.total() + this.estimate);
    this.inner.style.height = `${this.total()}px`;
    if (atBottom) this.scrollToBottom(); else this.render();
  }
  replace(index, item) { this.items[index] = item; this.render(); }
  total() { return this.offsets[this.offsets.length - 1]; }
  reflow() {
    const o = new Array(this.heights.length + 1);
    o[0] = 0;
    for (let i = 0; i < this.heights.length; i++) o[i + 1] = o[i] + this.heights[i];
    this.offsets = o;
    this.inner.style.height = `${this.total()}px`;
  }
  indexAt(y) {
    let lo = 0, hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1] <= y) lo = mid + 1; else hi = mid;
    }
    return Math.max(0, lo);
  }
  render() {
    const top = this.scroller.scrollTop, view = this.scroller.clientHeight || 600;
    if (!this.items.length) { this.inner.replaceChildren(); return; }
    const first = Math.max(0, this.indexAt(top) - this.overscan);
    let last = this.indexAt(top + view);
    last = Math.min(this.items.length - 1, last + this.overscan);
    const nodes = [];
    for (let i = first; i <= last; i++) {
      const node = this.renderRow(this.items[i], i);
      node.style.position = "absolute";
      node.style.top = `${this.offsets[i]}px`;
      node.style.left = "0";
      node.style.right = "0";
      node.dataset.index = i;
      node.setAttribute("role", "listitem");
      node.setAttribute("aria-setsize", this.items.length);
      node.setAttribute("aria-posinset", i + 1);
      nodes.push(node);
    }
    this.inner.replaceChildren(...nodes);
    // Measure what was rendered; if heights changed, lay out again keeping the view steady.
    let changed = false, shiftAbove = 0;
    for (const node of nodes) {
      const i = +node.dataset.index, h = node.offsetHeight + 6;
      if (h !== this.heights[i]) {
        if (this.offsets[i] < top) shiftAbove += h - this.heights[i];
        this.heights[i] = h;
        changed = true;
      }
    }
    if (changed) {
      this.reflow();
      for (const node of nodes) node.style.top = `${this.offsets[+node.dataset.index]}px`;
      if (shiftAbove) this.scroller.scrollTop = top + shiftAbove;
    }
  }
  scrollToBottom() {
    for (let pass = 0; pass < 3; pass++) {
      this.scroller.scrollTop = this.total();
      this.render();
    }
  }
};
