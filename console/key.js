// The log's verifier key, pinned by the user (localStorage: it is public, and must come from
// somewhere other than the server it verifies — the operator's published key, the demo's output),
// and the witnesses' keys (sessionStorage: this tab only, each session names whom it trusts).
import {el, show} from './dom.js';
import {parseVerifierKey, parseWitnessKey} from './verify.js';

const KEY = 'chipledger.logkey';
const WITNESS_KEYS = 'chipledger.witnesskeys';

export const pinnedKeyText = () => localStorage.getItem(KEY);

// The pinned key parsed for Web Crypto, or null when none is pinned.
export async function pinnedKey() {
  const text = pinnedKeyText();
  return text ? parseVerifierKey(text) : null;
}

const witnessKeyLines = () =>
    (sessionStorage.getItem(WITNESS_KEYS) ?? '').split('\n').filter(Boolean);

// The pinned witness keys parsed for Web Crypto (none pinned: an empty list).
export function pinnedWitnessKeys() {
  return Promise.all(witnessKeyLines().map(parseWitnessKey));
}

function witnessKeysForm() {
  const input = el('textarea', {
    id: 'witnesskeys',
    rows: 3,
    cols: 90,
    class: 'mono',
    placeholder: 'name+keyhash+base64key, one witness a line'
  });
  input.value = witnessKeyLines().join('\n');
  const status = el('p', {id: 'witness-status', class: 'muted'});
  const save = async (e) => {
    e.preventDefault();
    const lines = input.value.split('\n').map((l) => l.trim()).filter(Boolean);
    try {
      const keys = await Promise.all(lines.map(parseWitnessKey));
      sessionStorage.setItem(WITNESS_KEYS, lines.join('\n'));
      status.className = '';
      status.textContent = keys.length ?
          `Pinned ${keys.length} witness keys: ${keys.map((k) => k.name).join(', ')}.` :
          'No witness keys pinned: cosignatures are shown, not verified.';
    } catch (err) {
      status.className = 'error';
      status.textContent = err.message;
    }
  };
  return [
    el('h2', {}, 'Witness keys'),
    el('p', {}, 'The overview verifies the checkpoint\'s cosignatures against these keys (C2SP ',
       'witness verifier keys, as chipledger-witness init prints them). Take them from the ',
       'witnesses\' operators, never from the log. They are kept for this browser tab only.'),
    el('form', {onsubmit: save}, el('label', {}, 'Witness verifier keys', input),
       el('button', {class: 'primary', type: 'submit', id: 'pin-witnesses'}, 'Pin witness keys')),
    status,
  ];
}

export function settingsPage() {
  const input = el('input', {
    id: 'logkey',
    size: 90,
    class: 'mono',
    value: pinnedKeyText() ?? '',
    placeholder: 'origin+keyhash+base64key'
  });
  const status = el('p', {id: 'key-status', class: 'muted'});
  const save = async (e) => {
    e.preventDefault();
    try {
      const vkey = await parseVerifierKey(input.value);
      localStorage.setItem(KEY, input.value.trim());
      status.className = '';
      status.textContent =
          `Pinned: origin ${vkey.name}, key hash ${vkey.keyHash}, key id ${vkey.keyId}.`;
    } catch (err) {
      status.className = 'error';
      status.textContent = err.message;
    }
  };
  const forget = () => {
    localStorage.removeItem(KEY);
    input.value = '';
    status.textContent = 'No key pinned: nothing will be verified.';
  };
  show([
    el('h1', {}, 'Log verifier key'),
    el('p', {}, 'The console checks checkpoints, inclusion proofs and the white list against this ',
       'key. Take it from the ledger operator\'s published key (chipledgerd init prints it), ',
       'never from the server you are checking. It is kept in this browser.'),
    el('form', {class: 'inline', onsubmit: save}, el('label', {}, 'Note verifier key', input),
       el('button', {class: 'primary', type: 'submit'}, 'Pin key'),
       el('button', {type: 'button', onclick: forget}, 'Forget')),
    status,
    ...witnessKeysForm(),
  ]);
}
