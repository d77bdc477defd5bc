/** Binary classification metrics. */
export function binaryMetrics(pred: number[], gold: number[]): { accuracy: number; macro_f1: number; n: number } {
  if (pred.length !== gold.length) throw new Error(`${pred.length} predictions for ${gold.length} labels`);
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  pred.forEach((p, i) => {
    if (p === 1 && gold[i] === 1) c.tp++;
    else if (p === 1) c.fp++;
    else if (gold[i] === 1) c.fn++;
    else c.tn++;
  });
  const f1 = (tp: number, fp: number, fn: number) => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  const n = gold.length;
  return { accuracy: n ? (c.tp + c.tn) / n : 0, macro_f1: (f1(c.tp, c.fp, c.fn) + f1(c.tn, c.fn, c.fp)) / 2, n };
}

/** Precision / recall / F1 of predicted items against gold items (sets of strings per example). */
export function setPRF(pred: Array<Set<string>>, gold: Array<Set<string>>): { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  pred.forEach((p, i) => {
    for (const x of p) (gold[i].has(x) ? tp++ : fp++);
    for (const x of gold[i]) if (!p.has(x)) fn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, tp, fp, fn };
}
