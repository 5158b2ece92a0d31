// The volunteer hours ledger of the station (民政部令第67号's fields), from the API's CSV: the
// table shows what the download holds.
import { text } from '../api.js';
import { h, replace, table } from '../dom.js';

// RFC 4180 fields: quoted fields may hold commas, quotes and line breaks.
export function parseCsv(source) {
  const rows = [];
  let row = [];
  let value = '';
  let quoted = false;
  const input = source.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i += 1) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') { value += '"'; i += 1; } else if (c === '"') quoted = false; else value += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(value); value = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i += 1;
      row.push(value); rows.push(row); row = []; value = '';
    } else value += c;
  }
  if (value || row.length) { row.push(value); rows.push(row); }
  return rows;
}

export async function showLedger(main, session) {
  const csv = await text('/v1/service-records.csv', { station_id: session.stationId }, 'text/csv');
  const [heads = [], ...rows] = parseCsv(csv);
  const hours = heads.findIndex((head) => head.includes('时长'));
  const total = rows.reduce((sum, row) => sum + (Number(row[hours]) || 0), 0);
  const file = new Blob([csv], { type: 'text/csv;charset=utf-8' });
  const download = h('a', { href: URL.createObjectURL(file), download: 'volunteer-service-records.csv', id: 'download-csv' }, '下载 CSV');
  replace(main,
    h('h1', {}, '志愿服务时长'),
    h('p', {}, `共 ${rows.length} 条记录，合计 ${total} 小时。`, ' ', download),
    rows.length ? table('志愿服务记录', heads, rows, [hours]) : h('p', { class: 'muted' }, '尚无服务记录。'));
  return () => URL.revokeObjectURL(download.href);
}
