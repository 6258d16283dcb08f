// A registered party, agent or license: its record as registered, its state and its entries.
import {getJson} from './api.js';
import {findingsTable, historyTable} from './chip.js';
import {el, later, show, to} from './dom.js';

const NOUN = {
  parties: 'Party',
  agents: 'Agent',
  licenses: 'License'
};

// `events` is a list of indices (older servers) or of event summaries.
function eventsSection(events) {
  if (!events?.length) return el('p', {class: 'muted'}, 'No entries.');
  if (typeof events[0] === 'number') {
    return el('p', {}, events.map((i, n) => [n ? ', ' : '', to.entry(i)]));
  }
  return historyTable(events);
}

function render(kind, r) {
  return el(
      'div', {}, el('h1', {}, `${NOUN[kind]} ${r.id}`),
      el('p', {}, 'Registered by entry ', to.entry(r.registered_at), '.'),
      el('div', {class: 'two'},
         el('div', {}, el('h2', {}, 'Record'), el('pre', {}, JSON.stringify(r.record, null, 2))),
         el('div', {}, el('h2', {}, 'State'), el('pre', {}, JSON.stringify(r.state, null, 2)))),
      el('h2', {}, 'Open findings'), findingsTable(r.open_findings), el('h2', {}, 'Entries'),
      eventsSection(r.events));
}

export function recordPage(kind, id) {
  if (!NOUN[kind]) return show(el('p', {class: 'error'}, `No such page: ${kind}`));
  show(later(getJson(`/v1/${kind}/${encodeURIComponent(id)}`), (r) => render(kind, r)));
}
