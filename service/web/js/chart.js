// One horizontal bar chart in SVG, drawn by the page: a row per label, stacked segments.
import { h, s } from './dom.js';

const ROW = 20;
const LABEL_WIDTH = 64;
const WIDTH = 400;

// rows: [{label, parts: [{value, kind}]}]; max: the full bar's value; kinds: [{kind, text}].
export function barChart({ title, rows, max, kinds, format = String }) {
  const height = rows.length * ROW + 10;
  const span = WIDTH - LABEL_WIDTH - 48;
  const chart = s('svg', {
    class: 'chart', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': title,
  }, s('title', {}, title));
  rows.forEach((row, i) => {
    const y = 5 + i * ROW;
    chart.append(s('text', { x: LABEL_WIDTH - 6, y: y + 14, 'text-anchor': 'end' }, row.label));
    let x = LABEL_WIDTH;
    let total = 0;
    for (const part of row.parts) {
      const width = max > 0 ? (Math.max(0, part.value) / max) * span : 0;
      chart.append(s('rect', { x, y: y + 3, width: Math.max(0, width), height: ROW - 8, class: `bar-${part.kind}` }));
      x += width;
      total += part.value;
    }
    chart.append(s('text', { x: x + 4, y: y + 14 }, format(total)));
  });
  const legend = kinds && kinds.length > 1
    ? h('p', { class: 'legend' }, kinds.map((k) => h('span', {}, h('span', { class: `swatch ${k.kind === 'fill' ? '' : k.kind}` }), k.text)))
    : null;
  return h('figure', {}, chart, legend, h('figcaption', { class: 'muted' }, title));
}
