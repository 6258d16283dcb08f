// Findings: filters, paging (the server's cursor when it pages, else 50 rows at a time), each
// finding's evidence entries inline, CSV of what the filters select.
import {allFindings, getJson} from './api.js';
import {csvButton, downloadCsv, el, later, row, severity, show, table, to} from './dom.js';

const FILTERS = ['status', 'severity', 'rule', 'site', 'party'];
const PAGE = 50;

function filterForm(query) {
  const field = (name, options) =>
      el('label', {}, name,
         options ?
             el('select', {name},
                options.map(
                    (o) => el('option', {value: o, selected: query.get(name) === o}, o || 'any'))) :
             el('input', {name, value: query.get(name) ?? '', size: 12}));
  const apply = (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.target))
      if (v) q.set(k, v);
    location.hash = `#/findings?${q}`;
  };
  return el(
      'form', {class: 'inline', onsubmit: apply}, field('status', ['', 'open', 'resolved']),
      field('severity', ['', 'critical', 'high', 'medium']), field('rule'), field('site'),
      field('party'), el('button', {class: 'primary'}, 'Filter'));
}

function evidenceRow(finding) {
  const cells =
      el('td', {colspan: 6},
         later(
             Promise.all(finding.evidence.slice(0, 20).map((i) => getJson(`/v1/entries/${i}`))),
             (views) => table(
                 ['entry', 'type', 'agent', 'time', 'site'],
                 views.map(
                     (v) =>
                         row(to.entry(v.index), v.event.type, to.agent(v.event.agent), v.event.time,
                             v.event.site ?? '—'))),
             ));
  return el('tr', {class: 'evidence'}, cells);
}

function findingRow(f) {
  let open = null;
  const toggle = (e) => {
    const tr = e.target.closest('tr');
    if (open) {
      open.remove();
      open = null;
    } else {
      open = evidenceRow(f);
      tr.after(open);
    }
  };
  return row(
      severity(f.severity), f.rule, to.subject(f.subject), f.message, f.status,
      el('button', {type: 'button', onclick: toggle, 'data-evidence': f.id},
         `evidence (${f.evidence.length})`));
}

// Every finding the filters select (not only this page), up to allFindings' bound.
async function exportCsv(filters) {
  const {findings} = await allFindings(Object.fromEntries(filters));
  downloadCsv(
      'findings.csv',
      [
        'id', 'rule', 'severity', 'status', 'subject_kind', 'subject_id', 'site', 'party',
        'message', 'evidence'
      ],
      findings.map(
          (f) =>
              [f.id, f.rule, f.severity, f.status, f.subject.kind, f.subject.id, f.site, f.party,
               f.message, f.evidence.join(' ')]));
}

function results(query, filters, answer) {
  const offset = Number(query.get('offset') ?? 0);
  const paged = answer.next_cursor !== undefined;  // the server pages
  const shown = paged ? answer.findings : answer.findings.slice(offset, offset + PAGE);
  const next = new URLSearchParams(query);
  if (paged)
    next.set('cursor', answer.next_cursor ?? '');
  else
    next.set('offset', offset + PAGE);
  const more = paged ? Boolean(answer.next_cursor) : offset + PAGE < answer.findings.length;
  return el(
      'div', {},
      el('div', {class: 'pager'},
         el('span', {class: 'muted'},
            paged ? `${shown.length} findings on this page` :
                    `${offset + 1}–${offset + shown.length} of ${answer.findings.length}`),
         more && el('a', {href: `#/findings?${next}`}, 'next page →'),
         csvButton('findings', () => exportCsv(filters))),
      table(['severity', 'rule', 'subject', 'message', 'status', ''], shown.map(findingRow)));
}

export function findingsPage(query) {
  const api = new URLSearchParams();
  for (const name of FILTERS)
    if (query.get(name)) api.set(name, query.get(name));
  const filters = new URLSearchParams(api);
  if (query.get('cursor')) api.set('cursor', query.get('cursor'));
  show([
    el('h1', {}, 'Findings'), filterForm(query),
    later(getJson(`/v1/findings?${api}`), (answer) => results(query, filters, answer))
  ]);
}
