// Heartbeat coverage as inline SVG (no chart library: nothing to load from elsewhere): one bar
// per heartbeat window, its height the share of installed chips the heartbeat listed online.
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function coverageChart(heartbeats, installed, hours) {
  const width = 960;
  const height = 120;
  const end = Date.now();
  const start = end - hours * 3600e3;
  const x = (t) => ((Date.parse(t) - start) / (end - start)) * width;
  const chart = svg('svg', {
    class: 'chart',
    id: 'coverage',
    viewBox: `0 0 ${width} ${height + 20}`,
    width: '100%',
    role: 'img',
    'aria-label': `${heartbeats.length} heartbeats in the last ${hours} hours`
  });
  chart.append(svg('rect', {class: 'off', x: 0, y: 0, width, height}));
  for (const hb of heartbeats) {
    const e = hb.event;
    const share = installed ? Math.min(1, e.online.length / installed) : 0;
    const left = Math.max(0, x(e.window_start));
    const bar = svg('rect', {
      class: 'on',
      x: left,
      width: Math.max(1, x(e.window_end) - left),
      y: height * (1 - share),
      height: height * share
    });
    bar.append(
        svg('title', {},
            `${e.window_start} – ${e.window_end}: ${e.online.length} of ${installed} online`));
    chart.append(bar);
  }
  for (let h = 0; h <= hours; h += 12) {
    chart.append(
        svg('text', {
          x: (h / hours) * width,
          y: height + 14,
          'text-anchor': h === 0 ? 'start' :
              h === hours        ? 'end' :
                                   'middle'
        },
            h === hours ? 'now' : `−${hours - h} h`));
  }
  return chart;
}
