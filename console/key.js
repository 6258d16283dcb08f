// The log's verifier key, pinned by the user (localStorage: it is public, and must come from
// somewhere other than the server it verifies — the operator's published key, the demo's output).
import {el, show} from './dom.js';
import {parseVerifierKey} from './verify.js';

const KEY = 'chipledger.logkey';

export const pinnedKeyText = () => localStorage.getItem(KEY);

// The pinned key parsed for Web Crypto, or null when none is pinned.
export async function pinnedKey() {
  const text = pinnedKeyText();
  return text ? parseVerifierKey(text) : null;
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
  ]);
}
