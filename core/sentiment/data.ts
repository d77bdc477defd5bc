/**
 * The sentiment corpora and their fixed splits. online_shopping_10_cats is split 8:1:1,
 * stratified by category and label, with a fixed seed; ChnSentiCorp dev is evaluation only.
 * Any training text equal (after normalisation) to an evaluation text is dropped from training.
 */
import * as fs from 'fs';
import { loadAdvertiseGen, loadLabelledTexts, loadTaoDescribe, sharedPath, SHARED, LabelledText } from '../data/datasets';
import { DataError } from '../data/errors';
import { SkippedRow } from '../data/errors';
import { rng, shuffle } from './train';
import { normalizeText } from './text';

export const SPLIT_SEED = 20261127;

export interface Split {
  train: LabelledText[];
  val: LabelledText[];
  test: LabelledText[];
}

/** Stratified (by cat+label) seeded split into train/val/test with the given fractions of val and test. */
export function stratifiedSplit(rows: LabelledText[], valFrac: number, testFrac: number, seed = SPLIT_SEED): Split {
  const groups = new Map<string, LabelledText[]>();
  for (const r of rows) {
    const k = `${r.cat ?? ''}|${r.label}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out: Split = { train: [], val: [], test: [] };
  const rand = rng(seed);
  for (const k of [...groups.keys()].sort()) {
    const g = shuffle([...groups.get(k)!], rand);
    const nv = Math.round(g.length * valFrac);
    const nt = Math.round(g.length * testFrac);
    out.val.push(...g.slice(0, nv));
    out.test.push(...g.slice(nv, nv + nt));
    out.train.push(...g.slice(nv + nt));
  }
  return out;
}

export interface Corpus {
  name: string;
  rows: LabelledText[];
  skipped: SkippedRow[];
  file: string;
}

export function loadCorpus(file: string, name = file): Corpus {
  const d = loadLabelledTexts(file, { skipBad: true });
  return { name, rows: d.rows, skipped: d.skipped, file };
}

/** Drops training rows whose normalised text appears in any evaluation set. */
export function withoutLeaks(train: LabelledText[], evalSets: LabelledText[][]): { rows: LabelledText[]; dropped: number } {
  const key = (t: string) => normalizeText(t).replace(/\s+/g, '');
  const held = new Set<string>();
  for (const s of evalSets) for (const r of s) held.add(key(r.text));
  const rows = train.filter((r) => !held.has(key(r.text)));
  return { rows, dropped: train.length - rows.length };
}

/**
 * Unlabelled Chinese text for self-training: the copy of an AdvertiseGen JSONL (`summary`) or
 * the descriptions of a KOBE TaoDescribe JSONL (`description`), told apart by the first row.
 */
export function loadUnlabelledTexts(file: string): string[] {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(first);
  } catch {
    throw new DataError(file, 1, undefined, 'not JSONL (expected AdvertiseGen {"content","summary"} or KOBE {"title","description"} rows)');
  }
  if ('summary' in o) return loadAdvertiseGen(file).rows.map((r) => r.summary);
  if ('description' in o) return loadTaoDescribe(file).rows.map((r) => r.description);
  throw new DataError(file, 1, undefined, 'has neither "summary" (AdvertiseGen) nor "description" (KOBE TaoDescribe)');
}
