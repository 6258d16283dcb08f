// Building the page without innerHTML: every value from the ledger becomes a text node, so a
// record cannot inject markup (and the CSP forbids inline script anyway).

// el('a', {href: '#/x', class: 'mono'}, 'text', childNode, [more, children])
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on'))
      node.addEventListener(name.slice(2), value);
    else
      node.setAttribute(name, value === true ? '' : value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child))
      append(node, child);
    else
      node.append(child instanceof Node ? child : String(child));
  }
}

export function link(hash, text) {
  return el('a', {href: hash}, text);
}

// Links to the pages about each kind of thing the ledger names.
export const to = {
  chip: (serial) => link(`#/chip/${encodeURIComponent(serial)}`, serial),
  site: (id) => link(`#/site/${encodeURIComponent(id)}`, id),
  party: (id) => link(`#/record/parties/${encodeURIComponent(id)}`, id),
  agent: (id) => link(`#/record/agents/${encodeURIComponent(id)}`, id),
  license: (id) => link(`#/record/licenses/${encodeURIComponent(id)}`, id),
  shipment: (id) => link(`#/shipment/${encodeURIComponent(id)}`, id),
  entry: (index) => link(`#/entry/${index}`, `#${index}`),
  subject: (s) => (to[s.kind] ? to[s.kind](s.id) : `${s.kind} ${s.id}`),
};

export function table(headers, rows) {
  return el(
      'table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
      el('tbody', {}, rows));
}

export function row(...cells) {
  return el('tr', {}, cells.map((c) => el('td', {}, c)));
}

export function kv(pairs) {
  return el('dl', {class: 'kv'}, pairs.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]));
}

export function severity(s) {
  return el('span', {class: `sev-${s}`}, s);
}

export function show(node) {
  const main = document.getElementById('main');
  main.replaceChildren(...[node].flat());
}

// A page section that fills in when its data arrives, or says what failed.
export function later(promise, render) {
  const slot = el('div', {}, el('p', {class: 'muted'}, 'Loading…'));
  promise.then((data) => slot.replaceChildren(render(data)))
      .catch((e) => slot.replaceChildren(el('p', {class: 'error'}, e.message)));
  return slot;
}

// CSV (RFC 4180): every field quoted; a leading = + - @ is prefixed with ' so a spreadsheet
// never runs a value from the ledger as a formula.
export function downloadCsv(filename, headers, rows) {
  const quote = (v) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@]/.test(s)) s = `'${s}`;
    return `"${s.replaceAll('"', '""')}"`;
  };
  const text = [headers, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  const url = URL.createObjectURL(new Blob([text], {type: 'text/csv'}));
  const a = el('a', {href: url, download: filename});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function csvButton(label, make) {
  return el('button', {type: 'button', onclick: make, 'data-csv': label}, `CSV: ${label}`);
}
