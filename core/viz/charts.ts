/**
 * Small Vega-Lite spec builders for the charts the notebooks draw again and again.
 * Each returns a plain spec (render it with renderSvg or show it with notebookDisplay);
 * anything unusual can still be written as a Vega-Lite spec directly.
 */
import type { ChartSpec } from './render';

/** One data row: any object (interfaces included); its fields are named in the encodings. */
export type Row = object;
type Encoding = Record<string, unknown>;

interface Common {
  title?: string;
  width?: number;
  height?: number;
}

interface AxisOpts extends Common {
  x: string;
  y: string;
  xTitle?: string;
  yTitle?: string;
  /** Field that splits the data into coloured series / groups. */
  color?: string;
}

const size = (o: Common, w = 420, h = 240) => ({ width: o.width ?? w, height: o.height ?? h });
const titled = (o: Common) => (o.title ? { title: o.title } : {});

/** Bars of one value per category (sorted by value unless `sort: 'x'`); horizontal by default when labels are long. */
export function barChart(
  rows: readonly Row[],
  o: AxisOpts & { horizontal?: boolean; sort?: 'value' | 'x' | 'none'; logScale?: boolean; /** Bars of each colour side by side (default) or one bar per category, coloured. */ group?: boolean },
): ChartSpec {
  const horizontal = o.horizontal ?? false;
  const sort = o.sort === 'x' ? 'ascending' : o.sort === 'none' ? null : horizontal ? '-x' : '-y';
  const cat = { field: o.x, type: 'nominal', sort, title: o.xTitle ?? o.x, ...(horizontal ? {} : { axis: { labelAngle: -40 } }) };
  const val = { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, ...(o.logScale ? { scale: { type: 'log' }, stack: null } : {}) };
  const encoding: Encoding = horizontal ? { y: cat, x: val } : { x: cat, y: val };
  if (o.color) {
    encoding.color = { field: o.color, type: 'nominal' };
    if (o.group !== false) encoding[horizontal ? 'yOffset' : 'xOffset'] = { field: o.color };
  }
  encoding.tooltip = [{ field: o.x }, { field: o.y }];
  return { ...titled(o), ...size(o), data: { values: rows }, mark: { type: 'bar' }, encoding };
}

/** Lines with points, one series per `color` value (loss curves, sweeps). */
export function lineChart(rows: readonly Row[], o: AxisOpts & { logY?: boolean; xType?: 'quantitative' | 'ordinal'; zeroY?: boolean }): ChartSpec {
  const xs = (rows as ReadonlyArray<Record<string, unknown>>).map((r) => r[o.x]);
  const integerX = (o.xType ?? 'quantitative') === 'quantitative' && xs.every((v) => Number.isInteger(v));
  const encoding: Encoding = {
    x: { field: o.x, type: o.xType ?? 'quantitative', title: o.xTitle ?? o.x, ...(integerX ? { axis: { format: 'd', tickMinStep: 1 } } : {}) },
    y: {
      field: o.y,
      type: 'quantitative',
      title: o.yTitle ?? o.y,
      scale: { ...(o.logY ? { type: 'log' } : {}), zero: o.zeroY ?? false },
    },
  };
  if (o.color) encoding.color = { field: o.color, type: 'nominal' };
  return { ...titled(o), ...size(o), data: { values: rows }, mark: { type: 'line', point: true }, encoding };
}

/** Histogram of numeric values. */
export function histogram(values: number[], o: Common & { xTitle?: string; maxBins?: number; logY?: boolean; field?: string }): ChartSpec {
  const field = o.field ?? 'value';
  const integers = values.every((v) => Number.isInteger(v));
  return {
    ...titled(o),
    ...size(o),
    data: { values: values.map((v) => ({ [field]: v })) },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field,
        type: 'quantitative',
        bin: { maxbins: o.maxBins ?? 40, ...(integers ? { minstep: 1 } : {}) },
        title: o.xTitle ?? field,
        ...(integers ? { axis: { format: 'd' } } : {}),
      },
      y: { aggregate: 'count', type: 'quantitative', title: 'count', ...(o.logY ? { scale: { type: 'symlog' } } : {}) },
    },
  };
}

/** A grid of cells coloured by value with the value written in each (confusion matrices, sweeps over two parameters). */
export function heatmap(rows: readonly Row[], o: Common & { x: string; y: string; value: string; xTitle?: string; yTitle?: string; format?: string }): ChartSpec {
  const cell = { field: o.value, type: 'quantitative' };
  return {
    ...titled(o),
    ...size(o, 260, 220),
    data: { values: rows },
    encoding: {
      x: { field: o.x, type: 'ordinal', title: o.xTitle ?? o.x, axis: { labelAngle: 0 } },
      y: { field: o.y, type: 'ordinal', title: o.yTitle ?? o.y },
    },
    layer: [
      { mark: 'rect', encoding: { color: { ...cell, scale: { scheme: 'blues' }, title: o.value } } },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { ...cell, format: o.format ?? '' },
          color: { condition: { test: `datum['${o.value}'] > ${midOf(rows, o.value)}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** Points, optionally coloured by a field. */
export function scatterChart(rows: readonly Row[], o: AxisOpts & { tooltip?: string[] }): ChartSpec {
  const encoding: Encoding = {
    x: { field: o.x, type: 'quantitative', title: o.xTitle ?? o.x, scale: { zero: false } },
    y: { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: { zero: false } },
    tooltip: (o.tooltip ?? [o.x, o.y]).map((field) => ({ field })),
  };
  if (o.color) encoding.color = { field: o.color, type: 'nominal' };
  return { ...titled(o), ...size(o), data: { values: rows }, mark: { type: 'point', filled: true }, encoding };
}

/** Each chart of a composition keeps its own colours and legend (they usually encode different things). */
const OWN_COLORS = { scale: { color: 'independent' }, legend: { color: 'independent' } };

/** Charts side by side. */
export function sideBySide(specs: ChartSpec[], title?: string): ChartSpec {
  return { ...(title ? { title } : {}), hconcat: specs.map(stripConfig), resolve: OWN_COLORS };
}

/** Charts stacked vertically. */
export function stacked(specs: ChartSpec[], title?: string): ChartSpec {
  return { ...(title ? { title } : {}), vconcat: specs.map(stripConfig), resolve: OWN_COLORS };
}

function stripConfig(s: ChartSpec): ChartSpec {
  const { config: _c, $schema: _s, ...rest } = s;
  return rest;
}

/** Midpoint of a field's range: cells above it are dark, so their text is white. */
function midOf(rows: readonly Row[], field: string): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows as ReadonlyArray<Record<string, unknown>>) {
    const v = Number(r[field]);
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return Number.isFinite(lo) ? (lo + hi) / 2 : 0;
}
