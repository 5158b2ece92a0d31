// The bureau's reports as a station sees them: coverage against the year's targets, and
// compliance per district; each a table and one chart.
import { describe, get } from '../api.js';
import { barChart } from '../chart.js';
import { h, replace, table } from '../dom.js';
import { label } from '../labels.js';

const percent = (ratio) => `${Math.round(ratio * 1000) / 10}%`;

async function coverage(section, year) {
  const report = await get('/v1/reports/coverage', { year });
  replace(section,
    h('h2', { id: 'coverage-title' }, `工作站覆盖率（${report.year} 年目标）`),
    table('目标进度', ['指标', '目标', '实际', '完成'], report.targets.map((t) => [
      t.label_zh, String(t.target), String(t.actual), t.met ? '已达成' : percent(t.ratio)]), [1, 2, 3]),
    table('各区县覆盖情况', ['区县', '需设站乡镇(街道)', '工作站', '运营中', '示范站', '社工室', '覆盖率'],
      report.districts.map((d) => [d.district_name, String(d.townships_needing_station), String(d.stations),
        String(d.operating_stations), String(d.demonstration_stations), String(d.offices), percent(d.coverage_ratio)]),
      [1, 2, 3, 4, 5, 6]),
    barChart({
      title: '各区县工作站覆盖率',
      rows: report.districts.map((d) => ({ label: d.district_name, parts: [{ value: d.coverage_ratio, kind: 'fill' }] })),
      max: 1, format: percent,
    }));
}

async function compliance(section) {
  const report = await get('/v1/reports/compliance');
  const count = (overall, verdict) => Number((overall || {})[verdict] || 0);
  replace(section,
    h('h2', { id: 'compliance-report-title' }, `合规情况（截至 ${report.as_of}）`),
    table('各区县工作站总体评价', ['区县', '工作站', label('verdict', 'pass'), label('verdict', 'advisory'), label('verdict', 'fail')],
      report.districts.map((d) => [d.district_name, String(d.stations), String(count(d.overall, 'pass')),
        String(count(d.overall, 'advisory')), String(count(d.overall, 'fail'))]), [1, 2, 3, 4]),
    barChart({
      title: '各区县工作站总体评价',
      rows: report.districts.map((d) => ({
        label: d.district_name,
        parts: [{ value: count(d.overall, 'pass'), kind: 'fill' }, { value: count(d.overall, 'advisory'), kind: 'warn' },
          { value: count(d.overall, 'fail'), kind: 'bad' }],
      })),
      max: Math.max(1, ...report.districts.map((d) => d.stations)),
      kinds: [{ kind: 'fill', text: label('verdict', 'pass') }, { kind: 'warn', text: label('verdict', 'advisory') }, { kind: 'bad', text: label('verdict', 'fail') }],
    }));
}

export async function showReports(main) {
  const year = h('select', { id: 'coverage-year' }, [2021, 2023, 2025].map((y) => h('option', { value: String(y), selected: y === 2025 }, `${y} 年`)));
  const coverageSection = h('section', { 'aria-labelledby': 'coverage-title' });
  const complianceSection = h('section', { 'aria-labelledby': 'compliance-report-title' });
  const guarded = (run, section, title) => run().catch((failure) => {
    replace(section, h('h2', { id: title }, '报表'), h('p', { class: 'notice bad' }, describe(failure)));
  });
  year.addEventListener('change', () => guarded(() => coverage(coverageSection, year.value), coverageSection, 'coverage-title'));
  replace(main, h('h1', {}, '报表'),
    h('div', { class: 'field' }, h('label', { for: 'coverage-year' }, '目标年份'), year),
    coverageSection, complianceSection);
  await Promise.all([
    guarded(() => coverage(coverageSection, year.value), coverageSection, 'coverage-title'),
    guarded(() => compliance(complianceSection), complianceSection, 'compliance-report-title'),
  ]);
}
