// The entry page: the decoded event, who signed it, and proof in the browser that exactly these
// bytes are entry i of the log the pinned key signed.
import {getBytes, getJson, getText} from './api.js';
import {check} from './checks.js';
import {el, kv, later, row, show, table, to} from './dom.js';
import {signerNames} from './signers.js';
import * as v from './verify.js';

// What the API shows must be what the verified bytes say.
function compareView(view, entry) {
  for (const field of ['index', 'integrated_time', 'prev']) {
    if (JSON.stringify(view[field]) !== JSON.stringify(entry[field])) {
      throw new v.VerifyError(
          `the API's ${field} (${view[field]}) is not the logged entry's ` +
          `(${entry[field]})`);
    }
  }
  if (view.envelope.payload !== entry.envelope.payload) {
    throw new v.VerifyError('the API\'s event payload differs from the logged entry\'s');
  }
}

export async function proveEntry(index, view, vkey) {
  const note = await getText('/checkpoint');
  const cp = await v.verifyCheckpoint(note, vkey);
  if (cp.size <= index) {
    throw new v.VerifyError(
        `the served checkpoint (size ${cp.size}) does not cover entry ${index} ` +
        'yet; retry in a moment');
  }
  const bundle = await getBytes(v.entryBundlePath(index, cp.size));
  const bytes = v.entryFromBundle(bundle, index);
  const leaf = await v.leafHash(bytes);
  if (v.toHex(leaf) !== view.leaf_hash) {
    throw new v.VerifyError(
        `leaf hash of the logged bytes (${v.toHex(leaf)}) is not the API's ` +
        `leaf_hash (${view.leaf_hash})`);
  }
  compareView(view, JSON.parse(new TextDecoder().decode(bytes)));
  const proof = await getJson(`/v1/proofs/inclusion?index=${index}&tree_size=${cp.size}`);
  const root = await v.rootFromInclusion(index, cp.size, leaf, proof.hashes);
  if (root !== cp.rootHex) {
    throw new v.VerifyError(
        `inclusion proof: yields root ${root}, the checkpoint's is ${cp.rootHex}`);
  }
  return [
    `checkpoint "${cp.origin}" at size ${cp.size} signed by the pinned key ${vkey.keyHash}`,
    `entry bytes (${bytes.length} B, from the log's tiles) hash to leaf ${v.toHex(leaf)}`,
    `inclusion proof (${proof.hashes.length} hashes) leads from that leaf to the checkpoint's ` +
        `root ${cp.rootHex}`,
    'the event shown below is the one in those bytes',
  ];
}

function signersTable(view, names) {
  return table(
      ['', 'key id', 'agent'],
      view.envelope.signatures.map(
          (s, i) =>
              row(i === 0 ? 'submitted by' : 'co-signed by', el('span', {class: 'mono'}, s.keyid),
                  names.get(s.keyid) ? to.agent(names.get(s.keyid)) : 'unknown key')));
}

export function entryPage(index) {
  show(later(
      getJson(`/v1/entries/${index}`),
      (view) =>
          el('div', {}, el('h1', {}, `Entry #${view.index}: ${view.event.type}`), kv([
               ['agent', to.agent(view.event.agent)], ['time (agent)', view.event.time],
               ['integrated', view.integrated_time], ['seq', view.event.seq],
               ['leaf hash', el('span', {class: 'mono'}, view.leaf_hash)],
               ['previous entry', view.index > 0 ? to.entry(view.index - 1) : '—']
             ]),
             el('h2', {}, 'Verification'),
             check('Inclusion in the signed log', (vkey) => proveEntry(view.index, view, vkey)),
             el('h2', {}, 'Signatures'), later(signerNames(), (names) => signersTable(view, names)),
             el('h2', {}, 'Event'),
             el('pre', {id: 'event-json'}, JSON.stringify(view.event, null, 2)))));
}
