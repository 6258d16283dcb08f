// A verification shown on the page: pending, then what was proved or exactly what failed.
import {el} from './dom.js';
import {pinnedKey} from './key.js';

export function check(title, run) {
  const verdict = el('span', {class: 'verdict'}, 'checking…');
  const detail = el('div', {class: 'detail'});
  const box =
      el('div', {class: 'check pending', 'data-check': title}, el('div', {}, `${title}: `, verdict),
         detail);
  (async () => {
    const vkey = await pinnedKey();
    if (!vkey) throw new Error('no verifier key pinned: pin the log\'s key under "Verifier key"');
    return run(vkey);
  })()
      .then((proved) => {
        box.className = 'check pass';
        verdict.textContent = 'verified';
        detail.replaceChildren(...proved.map((line) => el('div', {}, '✓ ', line)));
      })
      .catch((err) => {
        box.className = 'check fail';
        verdict.textContent = 'FAILED';
        detail.replaceChildren(el('div', {class: 'error'}, err.message));
      });
  return box;
}
