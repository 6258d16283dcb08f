// The signed white list (SPEC §9): the DSSE envelope's signature and the checkpoint it names are
// checked in the browser with the pinned key; the table shows the verified payload.
import {getText} from './api.js';
import {check} from './checks.js';
import {csvButton, downloadCsv, el, later, row, show, table, to} from './dom.js';
import {fromBase64, verifyCheckpoint, verifyDsse} from './verify.js';

const TYPE = 'application/vnd.chipledger.whitelist.v1+json';

// The envelope as served, parsed once per call.
async function envelope() {
  return JSON.parse(await getText('/v1/whitelist'));
}

const decode = (env) => JSON.parse(new TextDecoder().decode(fromBase64(env.payload)));

// The payload without checking it (the overview's summary; the page itself checks).
export async function whitelistPayload() {
  return decode(await envelope());
}

async function prove(env, vkey) {
  const payload = JSON.parse(new TextDecoder().decode(await verifyDsse(env, vkey, TYPE)));
  const cp = await verifyCheckpoint(payload.checkpoint, vkey);
  return [
    `the DSSE signature over the payload verifies with the pinned key (key id ${
        vkey.keyId.slice(0, 16)}…)`,
    `it was computed as of ${payload.as_of} on checkpoint "${cp.origin}" size ${cp.size}, ` +
        'whose signature verifies with the same key'
  ];
}

const counts = (c) =>
    Object.entries(c ?? {}).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(', ');

function exportCsv(payload) {
  downloadCsv(
      'whitelist.csv',
      [
        'party', 'status', 'sites', 'licenses', 'chips_installed', 'last_inspection',
        'open_findings'
      ],
      payload.end_users.map(
          (u) =>
              [u.party, u.status, u.sites.join(' '), u.licenses.join(' '), u.chips_installed,
               u.last_inspection, counts(u.open_findings)]));
}

function render(env) {
  const payload = decode(env);
  return el(
      'div', {}, check('White list signature', (vkey) => prove(env, vkey)),
      el('p', {class: 'muted'}, `As of ${payload.as_of}.`),
      csvButton('white list', () => exportCsv(payload)),
      table(
          [
            'end user', 'status', 'sites', 'licenses', 'chips installed', 'last inspection',
            'open findings'
          ],
          payload.end_users.map(
              (u) =>
                  row(to.party(u.party), el('strong', {}, u.status),
                      u.sites.map((s) => [to.site(s), ' ']),
                      u.licenses.map((l) => [to.license(l), ' ']), u.chips_installed,
                      u.last_inspection ?? 'never', counts(u.open_findings) || 'none'))));
}

export function whitelistPage() {
  show([el('h1', {}, 'White list'), later(envelope(), render)]);
}
