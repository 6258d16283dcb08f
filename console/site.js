// A site: inventory, material balance against the latest inspection, heartbeat coverage over the
// last 48 hours, inspection and checks due, findings; CSV of its chips. Everything but the
// coverage chart is the live audit's state (GET /v1/sites/{id}, /v1/chips?site=), the same
// numbers as the audit report, so the page costs the same on any size of log.
import {allEvents, allItems, getJson} from './api.js';
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

function dueSection({inspection, checks}) {
  const overdue = (item) => el('span', {class: item.overdue ? 'sev-critical' : ''}, item.due);
  return el(
      'div', {id: 'due'},
      el('p', {},
         'Next inspection due: ', inspection.due ? overdue(inspection) : 'none (no chips held)',
         inspection.last ?
             ['; last inspected ', inspection.last, ' (', to.entry(inspection.last_index), ')'] :
             '; never inspected'),
      checks.length ? table(['check', 'due'], checks.map((c) => row(c.check, overdue(c)))) :
                      el('p', {class: 'muted'}, 'No requested check is outstanding.'));
}

function render(site, record, chips) {
  const r = record.record;
  const state = record.state;
  const books = chips.items.filter((c) => c.status !== 'in_transit');
  return el(
      'div', {}, el('h1', {}, `Site ${r.name ?? site} (${site})`), kv([
        ['operator', to.party(r.party)], ['country', r.country], ['position', `${r.lat}, ${r.lon}`],
        ['declared capacity', r.power_kw ? `${r.power_kw} kW` : '—'],
        ['in transit to it', `${state.inventory.in_transit} chips`]
      ]),
      chips.truncated &&
          el('p', {class: 'error'}, 'This site holds more chips than the console lists.'),
      el('h2', {}, 'Material balance'),
      balanceSection(state.balance.inspection === null ? null : state.balance),
      el('h2', {}, 'Inventory'), chipsSection(site, books),
      el('h2', {}, `Heartbeat coverage, last ${HOURS} hours`),
      later(
          allEvents({
            site,
            type: 'monitor.heartbeat',
            since: new Date(Date.now() - HOURS * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z')
          }),
          ({events}) => coverageChart(events, state.inventory.installed, HOURS)),
      el('h2', {}, 'Inspection and checks due'), dueSection(state), el('h2', {}, 'Open findings'),
      findingsTable(record.open_findings));
}

export function sitePage(site) {
  const id = encodeURIComponent(site);
  show(later(
      Promise.all([getJson(`/v1/sites/${id}`), allItems('/v1/chips', {site})]),
      ([record, chips]) => render(site, record, chips)));
}
