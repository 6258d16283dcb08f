// Overview: the log's size and checkpoint (and its witnesses), open findings by severity and
// rule, the white list at a glance.
import {allFindings, fetchOk, getText} from './api.js';
import {check} from './checks.js';
import {el, kv, later, link, row, severity, show, table} from './dom.js';
import {parseCheckpoint, verifyCheckpoint} from './verify.js';
import {whitelistPayload} from './whitelist.js';

const SEVERITIES = ['critical', 'high', 'medium'];

// A cosignature blob is key hash (4) || big-endian unix time (8) || Ed25519 signature (64).
function cosignedAt(blob) {
  if (blob.length !== 76) return null;
  const seconds = new DataView(blob.buffer, blob.byteOffset + 4, 8).getBigUint64(0);
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
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
      witnesses.length ?
          table(
              ['witness', 'key hash', 'cosigned at', 'size', 'behind the log'],
              witnesses.map(
                  (w) =>
                      row(w.name, el('span', {class: 'mono'}, w.keyHash), cosignedAt(w.blob),
                          cp.size, health.tree_size - cp.size))) :
          el('p', {class: 'muted'}, 'No witness cosignatures on the served checkpoint.'),
      check('Checkpoint signature', async (vkey) => {
        const verified = await verifyCheckpoint(note, vkey);
        return [`"${verified.origin}" at size ${verified.size} is signed by the pinned key ${
            vkey.keyHash}`];
      }));
}

function countBy(findings, key) {
  const counts = new Map();
  for (const f of findings) counts.set(f[key], (counts.get(f[key]) ?? 0) + 1);
  return counts;
}

function findingsSection({findings, truncated}) {
  const bySeverity = countBy(findings, 'severity');
  const byRule = [...countBy(findings, 'rule')].sort((a, b) => b[1] - a[1]);
  const sevOfRule = new Map(findings.map((f) => [f.rule, f.severity]));
  return el(
      'div', {},
      truncated && el('p', {class: 'error'}, 'Counted the first 20,000 open findings only.'),
      el('div', {class: 'two'},
         table(
             ['severity', 'open findings'],
             SEVERITIES.map(
                 (s) => row(
                     severity(s),
                     link(
                         `#/findings?status=open&severity=${s}`, String(bySeverity.get(s) ?? 0))))),
         table(
             ['rule', 'severity', 'open findings'],
             byRule.map(
                 ([rule, n]) =>
                     row(rule, severity(sevOfRule.get(rule)),
                         link(`#/findings?status=open&rule=${rule}`, String(n)))))));
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
    later(allFindings({status: 'open'}), findingsSection),
    el('h2', {}, 'White list'),
    later(whitelistPayload(), whitelistSection),
  ]);
}
