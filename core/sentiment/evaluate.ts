/** Evaluation of a saved model on labelled rows: accuracy, macro-F1, throughput, predictions. */
import { LabelledText } from '../data/datasets';
import { SentimentClassifier } from './classifier';
import { binaryMetrics } from './metrics';

export interface EvalResult {
  metrics: { accuracy: number; macro_f1: number; n: number; rows_per_second: number };
  /** 0/1 per row, in order. */
  predictions: number[];
}

export function evaluateRows(classifier: SentimentClassifier, rows: LabelledText[]): EvalResult {
  classifier.logits(['预热一下，加载词典']); // warm-up: jieba's dictionary and the wasm kernels load on first use
  const t0 = process.hrtime.bigint();
  const logits = classifier.logits(rows.map((r) => r.text));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const predictions = [...logits].map((z) => (z > 0 ? 1 : 0));
  const m = binaryMetrics(predictions, rows.map((r) => r.label));
  return { metrics: { accuracy: m.accuracy, macro_f1: m.macro_f1, n: m.n, rows_per_second: Math.round(rows.length / Math.max(seconds, 1e-9)) }, predictions };
}

export async function evaluateFile(modelDir: string, rows: LabelledText[]): Promise<EvalResult> {
  return evaluateRows(await SentimentClassifier.load(modelDir), rows);
}
