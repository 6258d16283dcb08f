// A shipment: its license, consignee and destination, dispatch and receipt, its chips (each
// linking to its chip page) and its open findings (GET /v1/shipments/{id}).
import {getJson} from './api.js';
import {findingsTable} from './chip.js';
import {el, kv, later, show, to} from './dom.js';

function chipList(serials) {
  if (!serials?.length) return el('p', {class: 'muted'}, 'No chips.');
  return el('p', {id: 'shipment-chips'}, serials.map((s, n) => [n ? ', ' : '', to.chip(s)]));
}

function render(shipment) {
  const s = shipment.state;
  return el(
      'div', {}, el('h1', {}, `Shipment ${shipment.id}`), kv([
        ['status', el('strong', {id: 'shipment-status'}, s.status)],
        ['license', s.license && to.license(s.license)],
        ['consignee', s.consignee && to.party(s.consignee)],
        ['destination site', s.destination_site && to.site(s.destination_site)],
        ['dispatched', s.dispatched && [`${s.dispatched} (`, to.entry(s.dispatched_index), ')']],
        ['received', s.received && [`${s.received} (`, to.entry(s.received_index), ')']],
      ]),
      el('h2', {}, 'Open findings'), findingsTable(shipment.open_findings),
      el('h2', {}, `Chips (${s.chips?.length ?? 0})`), chipList(s.chips));
}

export function shipmentPage(id) {
  show(later(getJson(`/v1/shipments/${encodeURIComponent(id)}`), render));
}
