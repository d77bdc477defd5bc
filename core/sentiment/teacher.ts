/**
 * The teacher's side of distillation (`train sentiment --recipe student`): the shipped model's
 * calibrated logits over the training texts, computed once and cached under the work folder
 * (git-ignored); an interrupted run continues where the cache file ends.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { createProgress } from '../util/progress';
import { SentimentClassifier, withoutCascade } from './classifier';

/** A cache key of a teacher folder and a list of texts: a change in either is a new cache. */
export function teacherCacheKey(teacherDir: string, texts: string[]): string {
  const h = crypto.createHash('sha1');
  for (const f of ['config.json', 'linear.bin', 'weights.bin', 'char-gru/weights.bin', 'word-gru/weights.bin']) {
    const p = path.join(teacherDir, f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  for (const t of texts) h.update(t).update('\u0000');
  return h.digest('hex').slice(0, 16);
}

/**
 * The teacher's calibrated logits (z / T) for `texts`, cached in `cacheDir/<key>.f32`
 * (little-endian float32, one per text, appended chunk by chunk: an interrupted run resumes).
 */
export async function teacherLogits(teacherDir: string, texts: string[], cacheDir: string, log: (l: string) => void, chunk = 2000): Promise<Float32Array> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${teacherCacheKey(teacherDir, texts)}.f32`);
  const have = fs.existsSync(file) ? Math.floor(fs.statSync(file).size / 4) : 0;
  if (have >= texts.length) {
    log(`teacher logits: ${texts.length} from the cache ${file}`);
    return readF32(file, texts.length);
  }
  if (have > 0) {
    fs.truncateSync(file, have * 4); // drop a half-written float
    log(`teacher logits: ${have} of ${texts.length} cached, continuing`);
  }
  const teacher = withoutCascade(await SentimentClassifier.load(teacherDir)); // the whole ensemble, not its early exit
  const bar = createProgress('teacher logits', texts.length);
  const t0 = Date.now();
  for (let s = have; s < texts.length; s += chunk) {
    const part = texts.slice(s, s + chunk);
    const z = teacher.logits(part).map((x) => x / teacher.config.temperature);
    fs.appendFileSync(file, Buffer.from(z.buffer, z.byteOffset, z.byteLength));
    bar.update(Math.min(texts.length, s + chunk), { per_s: Math.round((s + part.length - have) / Math.max(1e-3, (Date.now() - t0) / 1000)) });
    await new Promise((r) => setImmediate(r));
  }
  bar.stop();
  log(`teacher logits: ${texts.length - have} computed in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${file}`);
  return readF32(file, texts.length);
}

function readF32(file: string, n: number): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + n * 4));
}
