// The console's shell: sign-in, hash routing (#/page/args?query), the live findings banner.
import {ApiError, fetchOk, session} from './api.js';
import {chipPage} from './chip.js';
import {el, show, to} from './dom.js';
import {entryPage} from './entry.js';
import {findingsPage} from './findings.js';
import {settingsPage} from './key.js';
import {overviewPage} from './overview.js';
import {recordPage} from './record.js';
import {searchPage} from './search.js';
import {shipmentPage} from './shipment.js';
import {sitePage} from './site.js';
import {followFindings} from './stream.js';
import {whitelistPage} from './whitelist.js';

const ROUTES = {
  '': overviewPage,
  search: (args, q) => searchPage(q),
  findings: (args, q) => findingsPage(q),
  whitelist: whitelistPage,
  settings: settingsPage,
  chip: ([serial]) => chipPage(serial),
  site: ([id]) => sitePage(id),
  shipment: ([id]) => shipmentPage(id),
  record: ([kind, id]) => recordPage(kind, id),
  entry: ([index]) => entryPage(Number(index)),
};

let stopStream = null;

function signInPage(message) {
  const input =
      el('input', {id: 'token', type: 'password', size: 72, autocomplete: 'off', class: 'mono'});
  const status =
      el('p', {class: message ? 'error' : 'muted', id: 'signin-status'},
         message ?? 'The token is kept for this browser tab only and sent only to this server.');
  const submit = async (e) => {
    e.preventDefault();
    session.signIn(input.value);
    try {
      await fetchOk('/v1/findings?status=open&severity=critical');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 403) {
        session.signOut();
        status.className = 'error';
        status.textContent = err.message;
        return;
      }
      // A witness token: it may read checkpoints and consistency proofs only; pages say so.
    }
    start();
  };
  show([
    el('h1', {}, 'Sign in'),
    el('p', {}, 'Enter a reader token (role regulator or auditor) issued by the ledger operator ',
       'with ', el('code', {}, 'chipledgerd token create'), '.'),
    el('form', {class: 'inline', onsubmit: submit}, el('label', {}, 'Bearer token', input),
       el('button', {class: 'primary', type: 'submit', id: 'signin'}, 'Sign in')),
    status
  ]);
}

function route() {
  if (!session.token()) return signInPage();
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, ...args] = path.split('/').map(decodeURIComponent);
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('current', a.getAttribute('href').slice(2).split('?')[0] === page);
  }
  const render = ROUTES[page];
  if (!render) return show(el('p', {class: 'error'}, `No such page: ${page}`));
  render(args, new URLSearchParams(query ?? ''));
}

// A finding that opens while the console is open appears at once, critical and high in a banner.
function onFinding({event, data}) {
  if (event !== 'finding' || data.change === 'updated') return;
  const f = data.finding;
  window.dispatchEvent(new CustomEvent('chipledger:finding', {detail: data}));
  if (data.change !== 'opened' || !['critical', 'high'].includes(f.severity)) return;
  const alerts = document.getElementById('alerts');
  const close =
      el('button', {type: 'button', onclick: (e) => e.target.parentNode.remove()}, 'dismiss');
  alerts.prepend(
      el('div', {class: 'alert', 'data-rule': f.rule, 'data-severity': f.severity},
         el('strong', {}, `New ${f.severity} finding ${f.rule}: `), to.subject(f.subject),
         ` — ${f.message} `,
         el('a', {href: `#/findings?status=open&rule=${f.rule}`}, 'see findings'), ' ', close));
}

function start() {
  document.getElementById('logout').hidden = false;
  stopStream?.();
  const live = document.getElementById('live');
  stopStream = followFindings(null, onFinding, (on) => {
    live.className = on ? 'live on' : 'live';
    live.textContent = on ? 'live' : 'reconnecting…';
  });
  route();
}

function signOut(message) {
  session.signOut();
  stopStream?.();
  stopStream = null;
  document.getElementById('logout').hidden = true;
  document.getElementById('live').textContent = '';
  signInPage(message);
}

window.addEventListener('hashchange', route);
window.addEventListener(
    'chipledger:signed-out', () => signOut('The token was refused: sign in again.'));
document.getElementById('logout').addEventListener('click', () => signOut());
if (session.token())
  start();
else
  signInPage();
