// Overview: the log's size and checkpoint (and its witnesses), open findings by severity and
// rule, the white list at a glance.
import {fetchOk, getJson, getText} from './api.js';
import {check} from './checks.js';
import {el, kv, later, link, row, severity, show, table} from './dom.js';
import {pinnedWitnessKeys} from './key.js';
import {parseCheckpoint, verifyCheckpoint, verifyCosignature} from './verify.js';
import {whitelistPayload} from './whitelist.js';

const SEVERITIES = ['critical', 'high', 'medium'];

const ago = (seconds) => {
  const minutes = Math.round(seconds / 60);
  if (minutes < 2) return `${Math.max(0, Math.round(seconds))} s ago`;
  return minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
};

// One cosignature line checked against the pinned witness keys: verified, FAILED (why) or key
// not pinned (then its time is read, not proved).
async function witnessVerdict(cp, line, wkeys) {
  const wkey = wkeys.find((k) => k.name === line.name && k.keyHash === line.keyHash);
  const unproved = line.blob.length === 76 ?
      Number(new DataView(line.blob.buffer, line.blob.byteOffset + 4, 8).getBigUint64(0)) :
      null;
  if (!wkey) return {state: 'unpinned', text: 'key not pinned', time: unproved};
  try {
    return {state: 'pass', text: 'verified', time: await verifyCosignature(cp, line, wkey)};
  } catch (err) {
    return {state: 'fail', text: `FAILED: ${err.message}`, time: null};
  }
}

function witnessRow(line, verdict, behind) {
  const at = verdict.time === null ?
      '—' :
      `${new Date(verdict.time * 1000).toISOString().replace('.000Z', 'Z')} (${
          ago(Date.now() / 1000 - verdict.time)})`;
  return el(
      'tr', {class: `witness ${verdict.state}`, 'data-witness': line.name}, el('td', {}, line.name),
      el('td', {class: 'mono'}, line.keyHash),
      el('td', {class: 'verdict'},
         el('span', {class: verdict.state === 'fail' ? 'error' : ''}, verdict.text)),
      el('td', {}, at), el('td', {}, `${behind.toLocaleString('en')} entries`));
}

// Every cosignature on the served checkpoint, each verified in the browser against the witness
// keys pinned in this tab; a pinned witness that did not cosign is listed too.
async function witnessesTable(cp, treeSize) {
  const [, ...lines] = cp.signatures;
  const wkeys = await pinnedWitnessKeys();
  const verdicts = await Promise.all(lines.map((line) => witnessVerdict(cp, line, wkeys)));
  const absent =
      wkeys.filter((k) => !lines.some((l) => l.name === k.name && l.keyHash === k.keyHash));
  if (!lines.length && !absent.length) {
    return el('p', {class: 'muted'}, 'No witness cosignatures on the served checkpoint.');
  }
  const behind = treeSize - cp.size;  // each cosigned this checkpoint: as far behind as it is
  return table(['witness', 'key hash', 'cosignature', 'cosigned at', 'behind the log'], [
    lines.map((line, i) => witnessRow(line, verdicts[i], behind)),
    absent.map(
        (k) => witnessRow(
            {name: k.name, keyHash: k.keyHash},
            {state: 'fail', text: 'FAILED: no cosignature by this pinned witness', time: null},
            behind)),
  ]);
}

function checkpointSection([note, health]) {
  const cp = parseCheckpoint(note);
  const [, ...witnesses] = cp.signatures;
  return el(
      'div', {},
      el('div', {class: 'cards'},
         el('div', {class: 'card'}, el('div', {class: 'muted'}, 'Entries in the log'),
            el('div', {class: 'value', id: 'tree-size'}, health.tree_size.toLocaleString('en'))),
         el('div', {class: 'card'}, el('div', {class: 'muted'}, 'Served checkpoint'),
            el('div', {class: 'value'}, cp.size.toLocaleString('en')),
            el('div', {class: 'muted'},
               `${(health.tree_size - cp.size).toLocaleString('en')} entries behind`)),
         el('div', {class: 'card'}, el('div', {class: 'muted'}, 'Witness cosignatures'),
            el('div', {class: 'value'}, String(witnesses.length)))),
      kv([['origin', cp.origin], ['root hash', el('span', {class: 'mono'}, cp.rootHex)]]),
      el('div', {id: 'witnesses'}, later(witnessesTable(cp, health.tree_size), (t) => t)),
      check('Checkpoint signature', async (vkey) => {
        const verified = await verifyCheckpoint(note, vkey);
        return [`"${verified.origin}" at size ${verified.size} is signed by the pinned key ${
            vkey.keyHash}`];
      }));
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(item[key], (counts.get(item[key]) ?? 0) + 1);
  return counts;
}

// GET /v1/findings/counts?status=open: the server counts every open finding (no paging, so the
// overview stays exact on a log with millions of findings).
function findingsSection({total, by_severity: bySeverity, by_rule: byRule}) {
  const rules = Object.entries(byRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return el(
      'div', {}, el('p', {id: 'open-total'}, `${total.toLocaleString('en')} open findings.`),
      el('div', {class: 'two'},
         table(
             ['severity', 'open findings'],
             SEVERITIES.map(
                 (s) =>
                     row(severity(s),
                         link(
                             `#/findings?status=open&severity=${s}`,
                             (bySeverity[s] ?? 0).toLocaleString('en'))))),
         table(
             ['rule', 'open findings'],
             rules.map(
                 ([rule, n]) =>
                     row(rule,
                         link(
                             `#/findings?status=open&rule=${encodeURIComponent(rule)}`,
                             n.toLocaleString('en')))))));
}

function whitelistSection(payload) {
  const counts = countBy(payload.end_users, 'status');
  return el(
      'div', {},
      el('p', {}, [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'No end users.', ' — ',
         link('#/whitelist', 'open the signed white list')));
}

export function overviewPage() {
  show([
    el('h1', {}, 'Overview'),
    later(
        Promise.all([getText('/checkpoint'), fetchOk('/healthz', false).then((r) => r.json())]),
        checkpointSection),
    el('h2', {}, 'Open findings'),
    later(getJson('/v1/findings/counts?status=open'), findingsSection),
    el('h2', {}, 'White list'),
    later(whitelistPayload(), whitelistSection),
  ]);
}
