// A chip: where it is now, how it was last seen, its custody timeline and its findings.
import {getJson} from './api.js';
import {el, kv, later, row, severity, show, table, to} from './dom.js';

export function findingsTable(findings) {
  if (!findings?.length) return el('p', {class: 'muted'}, 'No open findings.');
  return table(
      ['severity', 'rule', 'subject', 'message'],
      findings.map(
          (f) =>
              row(severity(f.severity), el('a', {href: `#/findings?rule=${f.rule}`}, f.rule),
                  to.subject(f.subject), f.message)));
}

export function historyTable(items) {
  return table(
      ['entry', 'type', 'agent', 'time', 'integrated'],
      items.map(
          (h) => row(to.entry(h.index), h.type, to.agent(h.agent), h.time, h.integrated_time)));
}

function render(chip) {
  const s = chip.state;
  const seen = s.last_seen;
  return el(
      'div', {}, el('h1', {}, `Chip ${chip.serial}`), kv([
        ['status', el('strong', {id: 'chip-status'}, s.status)],
        ['site', s.site && to.site(s.site)], ['host', s.host], ['model', s.model],
        ['license', s.license && to.license(s.license)],
        ['shipment', s.shipment && to.shipment(s.shipment)],
        [
          'last seen',
          seen &&
              [
                `${seen.type} at `, to.site(seen.site), ` on ${seen.time} (`, to.entry(seen.index),
                ')'
              ]
        ]
      ]),
      el('h2', {}, 'Open findings'), findingsTable(chip.open_findings),
      el('h2', {}, 'Custody timeline'), historyTable(chip.history));
}

export function chipPage(serial) {
  show(later(getJson(`/v1/chips/${encodeURIComponent(serial)}`), render));
}
