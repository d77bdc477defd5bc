import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderSvg, barChart, lineChart, heatmap, histogram, sideBySide, tableHtml, notebookDisplay } from '../core/viz';
import { staleBuildFiles, assertFreshBuild } from '../apps/notebook/build';
import { isQuick } from '../apps/notebook/setup';

describe('core/viz: Vega-Lite rendered to SVG in Node', () => {
  it('renders a bar chart with its Chinese category labels and one bar per row', async () => {
    const svg = await renderSvg(barChart([{ cat: '雪纺', n: 3 }, { cat: '纯棉', n: 5 }, { cat: '真丝', n: 1 }], { x: 'cat', y: 'n', title: '材质' }));
    expect(svg).to.match(/^<svg[\s\S]*<\/svg>$/);
    for (const label of ['雪纺', '纯棉', '真丝', '材质']) expect(svg).to.include(label);
    const bars = svg.match(/<path[^>]*aria-roledescription="bar"/g) ?? [];
    expect(bars.length).to.equal(3);
  });

  it('renders line charts, histograms, heatmaps and side-by-side compositions', async () => {
    const line = lineChart([{ epoch: 1, loss: 2 }, { epoch: 2, loss: 1 }], { x: 'epoch', y: 'loss' });
    const hist = histogram([1, 2, 2, 3, 3, 3], { xTitle: 'value' });
    const heat = heatmap([{ t: 'pos', p: 'pos', n: 9 }, { t: 'pos', p: 'neg', n: 1 }], { x: 'p', y: 't', value: 'n' });
    const svg = await renderSvg(sideBySide([line, hist, heat], 'three'));
    expect(svg).to.include('three');
    expect(svg).to.include('epoch');
    expect(svg).to.include('>9<');
  });

  it('draws bars of positive height on a log scale', async () => {
    const svg = await renderSvg(barChart([{ k: 'pv', n: 75000 }, { k: 'buy', n: 1700 }], { x: 'k', y: 'n', logScale: true }));
    const bars = svg.match(/aria-roledescription="bar" d="[^"]*"/g) ?? [];
    expect(bars.length).to.equal(2);
    for (const b of bars) expect(b).not.to.match(/v0h/);
  });

  it('rejects an invalid spec', async () => {
    let err: unknown;
    try {
      await renderSvg({ mark: 'no-such-mark', data: { values: [] } });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(Error);
  });

  it('escapes table cells and summarises long tables', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ i, text: i === 0 ? '<script>alert(1)</script>' : 'a&b', x: i / 3 }));
    const html = tableHtml(rows, { maxRows: 5, digits: 2 });
    expect(html).not.to.include('<script>');
    expect(html).to.include('&lt;script&gt;');
    expect(html).to.include('a&amp;b');
    expect(html).to.include('0.33');
    expect(html).to.include('5 of 30 rows shown');
    expect(tableHtml({ columns: ['a', 'b'], values: [[1, null]] })).to.include('<i>NaN</i>');
  });

  it('shows charts as image/svg+xml through a tslab-like display', async () => {
    const shown: Array<[string, string]> = [];
    const show = notebookDisplay({ svg: (s) => shown.push(['svg', s]), html: (s) => shown.push(['html', s]), markdown: (s) => shown.push(['md', s]) });
    await show.chart(barChart([{ a: 'x', b: 1 }], { x: 'a', y: 'b' }));
    show.table([{ a: 1 }]);
    expect(shown.map((s) => s[0])).to.deep.equal(['svg', 'html']);
    expect(shown[0][1]).to.match(/^<svg/);
  });
});

describe('apps/notebook: quick mode and the dist/ freshness guard', () => {
  it('reads QUICK', () => {
    expect(isQuick({ QUICK: '1' })).to.equal(true);
    expect(isQuick({ QUICK: 'true' })).to.equal(true);
    expect(isQuick({ QUICK: '0' })).to.equal(false);
    expect(isQuick({})).to.equal(false);
  });

  it('reports sources whose compiled file is missing or older', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-build-'));
    try {
      fs.mkdirSync(path.join(root, 'core', 'a'), { recursive: true });
      fs.mkdirSync(path.join(root, 'dist', 'core', 'a'), { recursive: true });
      for (const f of ['fresh', 'old', 'missing']) fs.writeFileSync(path.join(root, 'core', 'a', `${f}.ts`), 'export {};');
      fs.writeFileSync(path.join(root, 'dist', 'core', 'a', 'fresh.js'), '');
      fs.writeFileSync(path.join(root, 'dist', 'core', 'a', 'old.js'), '');
      const past = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(root, 'dist', 'core', 'a', 'old.js'), past, past);
      expect(staleBuildFiles(root).sort()).to.deep.equal([path.join('core', 'a', 'missing.ts'), path.join('core', 'a', 'old.ts')]);
      expect(() => assertFreshBuild(root)).to.throw(/npm run build/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
