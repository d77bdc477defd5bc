/** Small synthetic data for the MF tests (no shared data needed). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrainRng } from '../core/mf/rng';

export function tmpDir(prefix = 'mf-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A rank-`rank` rating matrix with biases, on a 1–5 scale; returns observed and held-out triples. */
export function lowRankRatings(nU: number, nI: number, rank: number, observed: number, seed = 1): { train: Array<{ user: string; item: string; value: number }>; test: Array<{ user: string; item: string; value: number }> } {
  const rng = new TrainRng(seed);
  const U = Array.from({ length: nU }, () => Array.from({ length: rank }, () => rng.normal() * 0.7));
  const V = Array.from({ length: nI }, () => Array.from({ length: rank }, () => rng.normal() * 0.7));
  const bu = Array.from({ length: nU }, () => rng.normal() * 0.3);
  const bi = Array.from({ length: nI }, () => rng.normal() * 0.3);
  const train: Array<{ user: string; item: string; value: number }> = [];
  const test: Array<{ user: string; item: string; value: number }> = [];
  for (let u = 0; u < nU; u++) for (let i = 0; i < nI; i++) {
    let r = 3 + bu[u] + bi[i];
    for (let k = 0; k < rank; k++) r += U[u][k] * V[i][k];
    const row = { user: `u${u}`, item: `i${i}`, value: r };
    (rng.next() < observed ? train : test).push(row);
  }
  return { train, test };
}

/**
 * A tiny store folder: 3 categories × attribute values; each user likes one colour and one
 * material and views/buys items with them far more often.
 */
export function writeTinyStore(dir: string, nUsers = 60, seed = 3): { tastes: Map<string, string[]> } {
  const rng = new TrainRng(seed);
  const cats = ['裙', '裤', '上衣'];
  const colors = ['白色', '黑色', '红色', '蓝色'];
  const materials = ['棉', '雪纺', '牛仔'];
  const items: string[] = ['item_id,title,category,attributes,price'];
  const attrs: Array<{ id: string; color: string; material: string }> = [];
  let n = 0;
  for (const c of cats) for (const col of colors) for (const m of materials) {
    const id = `SKU-${++n}`;
    items.push(`${id},${col}${m}${c},${c},类型#${c}*颜色#${col}*材质#${m},${100 + n}`);
    attrs.push({ id, color: col, material: m });
  }
  const users = ['user_id,segment'];
  const events = ['user_id,item_id,event,value,timestamp'];
  const tastes = new Map<string, string[]>();
  let t = 1_700_000_000;
  for (let u = 0; u < nUsers; u++) {
    const id = `u${u}`;
    const col = colors[u % colors.length];
    const mat = materials[Math.floor(u / colors.length) % materials.length];
    tastes.set(id, [`颜色#${col}`, `材质#${mat}`]);
    users.push(`${id},seg${u % 2}`);
    for (let e = 0; e < 25; e++) {
      const liked = attrs.filter((a) => a.color === col || a.material === mat);
      const it = rng.next() < 0.8 ? liked[rng.int(liked.length)] : attrs[rng.int(attrs.length)];
      events.push(`${id},${it.id},view,1,${(t += 60)}`);
      const likes = it.color === col && it.material === mat ? 0.8 : it.color === col || it.material === mat ? 0.4 : 0.05;
      if (rng.next() < likes) events.push(`${id},${it.id},cart,1,${(t += 60)}`);
      if (rng.next() < likes / 2) events.push(`${id},${it.id},buy,1,${(t += 60)}`);
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'items.csv'), `${items.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'users.csv'), `${users.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'events.csv'), `${events.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'reviews.csv'), 'user_id,item_id,text,rating,timestamp\n');
  return { tastes };
}

/** MovieLens-format lines (user<TAB>item<TAB>rating<TAB>ts) from triples, ratings rounded into 1–5. */
export function movielensLines(rows: Array<{ user: string; item: string; value: number }>): string {
  return rows.map((r, k) => `${r.user.replace(/\D/g, '')}\t${r.item.replace(/\D/g, '')}\t${Math.min(5, Math.max(1, Math.round(r.value)))}\t${880000000 + k}`).join('\n') + '\n';
}
