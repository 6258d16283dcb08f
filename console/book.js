// A site's books as its entries state them: the chips it holds, the latest inspection's material
// balance (book inventory − observed, SPEC §8 D5/D6) and the checks still due. Computed from the
// site's custody and inspection entries (never its heartbeats, which can be many).
import {allEvents} from './api.js';

const TYPES = [
  'shipment.received', 'chip.installed', 'chip.transferred', 'chip.decommissioned',
  'inspection.performed', 'check.requested'
];

function apply(book, site, {index, event: e}) {
  const serials = (list) => list.map((c) => (typeof c === 'string' ? c : c.serial));
  switch (e.type) {
    case 'shipment.received':
      if (e.site === site)
        for (const s of e.chips) book.held.set(s, 'received');
      break;
    case 'chip.installed':
      if (e.site === site)
        for (const s of serials(e.chips)) book.held.set(s, 'installed');
      break;
    case 'chip.transferred':
      for (const s of e.chips) {
        if (e.from_site === site) book.held.delete(s);
        if (e.to_site === site) book.held.set(s, 'received');
      }
      break;
    case 'chip.decommissioned':
      if (e.site === site)
        for (const s of e.chips) book.held.delete(s);
      break;
    case 'inspection.performed':
      if (e.site !== site) break;
      book.inspection = {index, event: e, books: new Set(book.held.keys())};
      if (e.check) book.performed.add(e.check);
      break;
    case 'check.requested':
      if (e.site === site) book.checks.push({index, ...e});
      break;
  }
}

function balance(inspection) {
  if (!inspection) return null;
  const observed = new Set(inspection.event.observed.map((o) => o.serial));
  const sampled = inspection.event.sampled?.length ? inspection.event.sampled : null;
  const covered = sampled ? sampled.filter((s) => inspection.books.has(s)) : [...inspection.books];
  return {
    inspection: inspection.index,
    time: inspection.event.time,
    observed: [...observed].sort(),
    missing: covered.filter((s) => !observed.has(s)).sort(),
    unexpected: [...observed].filter((s) => !inspection.books.has(s)).sort(),
  };
}

export async function siteBook(site) {
  const pages = await Promise.all(TYPES.map((type) => allEvents({site, type})));
  const events = pages.flatMap((p) => p.events).sort((a, b) => a.index - b.index);
  const book = {held: new Map(), inspection: null, checks: [], performed: new Set()};
  for (const e of events) apply(book, site, e);
  return {
    chips: [...book.held].sort().map(([serial, status]) => ({serial, status})),
    balance: balance(book.inspection),
    checksDue: book.checks.filter((c) => !book.performed.has(c.check)),
    truncated: pages.some((p) => p.truncated),
  };
}
