/** Charts and tables for notebooks and reports. */
export { renderSvg, VEGA_LITE_SCHEMA, type ChartSpec } from './render';
export { barChart, lineChart, histogram, heatmap, scatterChart, sideBySide, stacked, type Row } from './charts';
export { tableHtml, tableRows, type FrameLike, type TableInput, type TableOptions } from './table';
export { notebookDisplay, type NotebookDisplay, type RichDisplay } from './notebook';
