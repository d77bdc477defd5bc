/**
 * The notebooks' display helper: charts (Vega-Lite → SVG) and tables shown inline
 * through tslab's display API. The notebook passes `tslab.display` in, so this module
 * works with whichever tslab kernel is running (and with any object of that shape).
 */
import { renderSvg, type ChartSpec } from './render';
import { tableHtml, type TableInput, type TableOptions } from './table';

/** The part of tslab's `Display` this helper uses. */
export interface RichDisplay {
  svg(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
}

export interface NotebookDisplay {
  /** Renders a Vega-Lite spec to SVG and shows it (`image/svg+xml` output). */
  chart(spec: ChartSpec): Promise<void>;
  /** Shows rows or a danfojs DataFrame as an HTML table. */
  table(t: TableInput, o?: TableOptions): void;
  markdown(s: string): void;
}

export function notebookDisplay(display: RichDisplay): NotebookDisplay {
  return {
    async chart(spec) {
      display.svg(await renderSvg(spec));
    },
    table(t, o) {
      display.html(tableHtml(t, o));
    },
    markdown(s) {
      display.markdown(s);
    },
  };
}
