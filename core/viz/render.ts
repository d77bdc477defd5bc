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
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  title: { fontSize: 14, anchor: 'start' as const },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

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
