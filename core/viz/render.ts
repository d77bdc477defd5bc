/**
 * Vega-Lite → Vega → SVG, entirely in Node (no browser, no canvas): the one place
 * charts are rendered. Notebooks, benches and reports all go through here.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite spec. Kept as a plain object type at the boundary so callers (notebooks,
 * compiled by tslab's own TypeScript) need not load vega-lite's large type definitions;
 * it is checked by vega-lite's compiler at render time.
 */
export type ChartSpec = { [key: string]: unknown };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The look shared by every chart: readable on GitHub's white background, CJK-capable fonts. */
export const DEFAULT_CONFIG = {
  font: 'Noto Sans CJK SC, PingFang SC, Microsoft YaHei, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: 'transparent' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8', labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' as const },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
};

/** Wide (full-width) characters: CJK ideographs, kana, hangul, full-width forms and punctuation. */
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;

/**
 * Without a canvas, vega estimates every character as 0.8 em, so Chinese labels (1 em each) come out
 * wider than their reserved space and get clipped at the chart's edge. Count them as 1 em.
 */
export function estimateTextWidth(text: unknown, fontSize: number): number {
  let em = 0;
  for (const ch of text == null ? '' : String(text)) em += WIDE.test(ch) ? 1 : 0.8;
  return Math.ceil(em * fontSize);
}

const metrics = (vega as unknown as { textMetrics: { width: unknown; estimateWidth: unknown } }).textMetrics;
if (metrics.width === metrics.estimateWidth) {
  metrics.width = (item: { fontSize?: number }, text: unknown) => estimateTextWidth(text, item.fontSize ?? 11);
}

/** Renders a Vega-Lite spec to an SVG document string. Throws on an invalid spec. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const full = {
    $schema: VEGA_LITE_SCHEMA,
    ...spec,
    config: { ...DEFAULT_CONFIG, ...((spec.config as object | undefined) ?? {}) },
  } as unknown as TopLevelSpec;
  const vgSpec = compile(full).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
