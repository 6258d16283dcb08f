// A site: inventory, material balance against the latest inspection, heartbeat coverage over the
// last 48 hours, checks due, findings; CSV of its chips.
import {allEvents, getJson} from './api.js';
import {siteBook} from './book.js';
import {coverageChart} from './chart.js';
import {findingsTable} from './chip.js';
import {csvButton, downloadCsv, el, kv, later, row, show, table, to} from './dom.js';

const HOURS = 48;

function serialList(serials, id) {
  if (!serials.length) return el('span', {class: 'muted', id}, 'none');
  return el('span', {id}, serials.map((s, i) => [i ? ', ' : '', to.chip(s)]));
}

function balanceSection(b) {
  if (!b) return el('p', {class: 'muted'}, 'No inspection of this site yet.');
  return el(
      'div', {id: 'balance'},
      el('p', {}, 'Against inspection ', to.entry(b.inspection), b.time ? ` of ${b.time}` : '',
         ': book inventory − observed ',
         b.missing.length ? el('strong', {class: 'sev-critical'}, `= ${b.missing.length} missing`) :
                            '= 0'),
      kv([
        ['missing', serialList(b.missing, 'missing')],
        ['unexpected', serialList(b.unexpected, 'unexpected')],
        ['observed', `${b.observed.length} chips`]
      ]));
}

// The live audit's own balance (report.json's material_balance line) when the server gives it.
function serverBalance(record) {
  const b = record.state?.balance;
  return b && Array.isArray(b.missing) && b.inspection !== null ? b : null;
}

function chipsSection(site, chips) {
  const installed = chips.filter((c) => c.status === 'installed').length;
  return el(
      'div', {},
      el('p', {}, `${chips.length} chips on the books (${installed} installed). `,
         csvButton(
             'chips of this site',
             () => downloadCsv(
                 `${site}-chips.csv`, ['serial', 'status'],
                 chips.map((c) => [c.serial, c.status])))),
      el('details', {}, el('summary', {}, 'Serials'),
         table(['serial', 'status'], chips.map((c) => row(to.chip(c.serial), c.status)))));
}

function dueSection(checks) {
  if (!checks.length) return el('p', {class: 'muted'}, 'No requested check is outstanding.');
  const now = new Date().toISOString();
  return table(
      ['check', 'kind', 'due', 'requested'],
      checks.map(
          (c) =>
              row(c.check, c.kind, el('span', {class: c.due < now ? 'sev-critical' : ''}, c.due),
                  to.entry(c.index))));
}

function render(site, record, book) {
  const r = record.record;
  return el(
      'div', {}, el('h1', {}, `Site ${r.name ?? site} (${site})`), kv([
        ['operator', to.party(r.party)], ['country', r.country], ['position', `${r.lat}, ${r.lon}`],
        ['declared capacity', r.power_kw ? `${r.power_kw} kW` : '—']
      ]),
      book.truncated &&
          el('p', {class: 'error'}, 'This site has more entries than the console reads.'),
      el('h2', {}, 'Material balance'), balanceSection(serverBalance(record) ?? book.balance),
      el('h2', {}, 'Inventory'), chipsSection(site, book.chips),
      el('h2', {}, `Heartbeat coverage, last ${HOURS} hours`),
      later(
          allEvents({
            site,
            type: 'monitor.heartbeat',
            since: new Date(Date.now() - HOURS * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z')
          }),
          ({events}) => coverageChart(
              events, book.chips.filter((c) => c.status === 'installed').length, HOURS)),
      el('h2', {}, 'Checks due'), dueSection(book.checksDue), el('h2', {}, 'Open findings'),
      findingsTable(record.open_findings));
}

export function sitePage(site) {
  const id = encodeURIComponent(site);
  show(later(
      Promise.all([getJson(`/v1/sites/${id}`), siteBook(site)]),
      ([record, book]) => render(site, record, book)));
}
