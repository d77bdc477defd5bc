/**
 * The preference model's parts and their save and load: model.json (ids, metadata, histories, the array table)
 * and weights.bin (every array as Float32, one after another). Bad files are a DataError naming
 * the file and field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../data/errors';
import type { ItemMeta, EventKind } from './data';
import type { EventWeights } from './implicit';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const FORMAT_VERSION = 1;

/** What a model was trained on and how (kept in model.json and shown in the model card). */
export interface ModelInfo {
  format: string;
  data: string;
  algorithm: string;
  options: Record<string, unknown>;
  trainSeconds: number;
  trainedAt: string;
  metrics?: Record<string, unknown>;
}

export interface HistoryEntry {
  item: string;
  event: EventKind;
}

export interface ModelParts {
  kind: 'explicit' | 'implicit';
  users: string[];
  items: string[];
  factors: number;
  mu: number;
  P: Float64Array | Float32Array;
  V: Float64Array | Float32Array;
  bu: Float64Array | Float32Array;
  bi: Float64Array | Float32Array;
  /** Attribute/category embeddings and biases (implicit hybrid models). */
  featureNames: string[];
  E: Float64Array | Float32Array;
  d: Float64Array | Float32Array;
  popularity: Float64Array | Float32Array;
  /** Per item: its `key#value` / `category#c` feature names. */
  itemMeta: Map<string, ItemMeta>;
  history: Map<string, HistoryEntry[]>;
  /** User → group (the store's `segment` column), for the taste profile's prior. */
  userGroups?: Map<string, string>;
  weights: EventWeights;
  ratingRange?: [number, number];
  /**
   * Weight γ of the user's own attribute/category history in ranking (implicit models):
   * score += γ · mean over the item's features f of log(1 + w_uf), w_uf the user's event
   * weight on items with f. Captures "comes back to what they browsed", which low-rank
   * factors cannot hold for thousands of categories. Chosen on a validation split.
   */
  affinity?: number;
  info: ModelInfo;
}

/** Writes a model's parts into `dir`; returns the files and their total size. */
export function saveModel(p: ModelParts, dir: string): { files: string[]; bytes: number } {
  fs.mkdirSync(dir, { recursive: true });
  const arrays: Array<[string, ArrayLike<number>]> = [['P', p.P], ['V', p.V], ['bu', p.bu], ['bi', p.bi], ['E', p.E], ['d', p.d], ['popularity', p.popularity]];
  const table: Record<string, { offset: number; length: number }> = {};
  let offset = 0;
  for (const [name, a] of arrays) {
    table[name] = { offset, length: a.length };
    offset += a.length;
  }
  const buf = new Float32Array(offset);
  for (const [name, a] of arrays) buf.set(a, table[name].offset);
  const itemIndex = new Map(p.items.map((id, i) => [id, i]));
  const json = {
    format: 'copydesk-mf',
    version: FORMAT_VERSION,
    kind: p.kind,
    factors: p.factors,
    mu: p.mu,
    ratingRange: p.ratingRange,
    affinity: p.affinity,
    weights: p.weights,
    info: p.info,
    users: p.users,
    items: p.items,
    featureNames: p.featureNames,
    arrays: table,
    itemMeta: Object.fromEntries([...p.itemMeta].filter(([id]) => itemIndex.has(id)).map(([id, m]) => [id, [m.category ?? '', m.attributes.map(([k, v]) => `${k}#${v}`).join('*')]])),
    history: Object.fromEntries([...p.history].map(([u, h]) => [u, h.map((e) => `${e.item}|${e.event}`).join(' ')])),
    userGroups: p.userGroups ? Object.fromEntries(p.userGroups) : undefined,
  };
  const mj = path.join(dir, MODEL_FILE);
  const wb = path.join(dir, WEIGHTS_FILE);
  fs.writeFileSync(mj, JSON.stringify(json));
  fs.writeFileSync(wb, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  return { files: [mj, wb], bytes: fs.statSync(mj).size + fs.statSync(wb).size };
}

/** Reads and checks the parts of a model saved in `dir`. */
export function loadModelParts(dir: string): ModelParts {
  const mj = path.join(dir, MODEL_FILE);
  const wb = path.join(dir, WEIGHTS_FILE);
  if (!fs.existsSync(mj)) throw new DataError(mj, undefined, undefined, `no preference model here (train one with: copydesk train mf --data <file> --out ${dir})`);
  let j: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    j = JSON.parse(fs.readFileSync(mj, 'utf8'));
  } catch (e) {
    throw new DataError(mj, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (j.format !== 'copydesk-mf') throw new DataError(mj, undefined, 'format', 'not a Copydesk preference model');
  if (j.version !== FORMAT_VERSION) throw new DataError(mj, undefined, 'version', `model format ${j.version}, this code reads ${FORMAT_VERSION}`);
  if (!fs.existsSync(wb)) throw new DataError(wb, undefined, undefined, 'weights file missing');
  const raw = fs.readFileSync(wb);
  const total = Object.values(j.arrays as Record<string, { offset: number; length: number }>).reduce((s, a) => s + a.length, 0);
  if (raw.byteLength !== total * 4) throw new DataError(wb, undefined, undefined, `has ${raw.byteLength} bytes, model.json expects ${total * 4}`);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const arr = (name: string) => {
    const a = j.arrays[name];
    return all.subarray(a.offset, a.offset + a.length);
  };
  const itemMeta = new Map<string, ItemMeta>();
  for (const [id, [category, attrs]] of Object.entries(j.itemMeta as Record<string, [string, string]>)) {
    itemMeta.set(id, { category: category || undefined, attributes: attrs ? attrs.split('*').map((kv) => kv.split('#') as [string, string]) : [] });
  }
  const history = new Map<string, HistoryEntry[]>();
  for (const [u, s] of Object.entries(j.history as Record<string, string>)) {
    history.set(u, s ? s.split(' ').map((x) => {
      const at = x.lastIndexOf('|');
      return { item: x.slice(0, at), event: x.slice(at + 1) as EventKind };
    }) : []);
  }
  return {
    kind: j.kind,
    users: j.users,
    items: j.items,
    factors: j.factors,
    mu: j.mu,
    P: arr('P'),
    V: arr('V'),
    bu: arr('bu'),
    bi: arr('bi'),
    featureNames: j.featureNames,
    E: arr('E'),
    d: arr('d'),
    popularity: arr('popularity'),
    itemMeta,
    history,
    userGroups: j.userGroups ? new Map(Object.entries(j.userGroups as Record<string, string>)) : undefined,
    weights: j.weights,
    ratingRange: j.ratingRange,
    affinity: j.affinity,
    info: j.info,
  };
}
