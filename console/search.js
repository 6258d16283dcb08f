// One box for any identifier: every kind the ledger knows is asked at once, and what exists is
// listed (a serial and a site may share a name).
import {getJson} from './api.js';
import {el, later, link, row, show, table} from './dom.js';

const enc = encodeURIComponent;

const KINDS = [
  ['chip', (q) => getJson(`/v1/chips/${enc(q)}`), (q) => `#/chip/${enc(q)}`],
  ['site', (q) => getJson(`/v1/sites/${enc(q)}`), (q) => `#/site/${enc(q)}`],
  ['party', (q) => getJson(`/v1/parties/${enc(q)}`), (q) => `#/record/parties/${enc(q)}`],
  ['license', (q) => getJson(`/v1/licenses/${enc(q)}`), (q) => `#/record/licenses/${enc(q)}`],
  ['agent', (q) => getJson(`/v1/agents/${enc(q)}`), (q) => `#/record/agents/${enc(q)}`],
  ['shipment', (q) => getJson(`/v1/shipments/${enc(q)}`), (q) => `#/shipment/${enc(q)}`],
];

async function lookUp(q) {
  const answers = await Promise.all(KINDS.map(async ([kind, get, page]) => {
    try {
      await get(q);
      return [kind, page(q)];
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }));
  return answers.filter(Boolean);
}

function hits(q, found) {
  if (!found.length) return el('p', {id: 'no-hits'}, `Nothing in the ledger is called "${q}".`);
  return table(['kind', 'identifier'], found.map(([kind, hash]) => row(kind, link(hash, q))));
}

export function searchPage(query) {
  const q = query.get('q') ?? '';
  const submit = (e) => {
    e.preventDefault();
    location.hash = `#/search?q=${enc(e.target.q.value.trim())}`;
  };
  show([
    el('h1', {}, 'Search'),
    el('form', {class: 'inline', onsubmit: submit},
       el('label', {}, 'Chip serial, site, party, license, shipment or agent id',
          el('input', {name: 'q', id: 'search-q', size: 40, value: q, autofocus: true})),
       el('button', {class: 'primary', type: 'submit'}, 'Search')),
    q && later(lookUp(q), (found) => hits(q, found)),
  ]);
}
