/**
 * Saving and loading the classifier without tfjs-node: our own tf.io handlers write
 * `model.json` (topology + weights manifest) and `weights.bin`. Large float tensors
 * (the embedding table) are stored as uint8 with an affine scale (tf.io's own
 * quantisation format, so tf.io dequantises them on load): 4× smaller, accuracy checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf/runtime';
import { DataError } from '../data/errors';

type Spec = tf.io.WeightsManifestEntry;

/** Tensors with more elements than this are quantised to uint8. */
export const QUANTIZE_ABOVE = 100_000;

function toArrayBuffer(data: tf.io.ModelArtifacts['weightData']): ArrayBuffer {
  if (!data) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

function quantize(specs: Spec[], data: ArrayBuffer): { specs: Spec[]; data: Buffer } {
  const parts: Buffer[] = [];
  const out: Spec[] = [];
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = n * 4; // float32 / int32
    const chunk = data.slice(offset, offset + bytes);
    offset += bytes;
    if (s.dtype !== 'float32' || n <= QUANTIZE_ABOVE) {
      parts.push(Buffer.from(chunk));
      out.push(s);
      continue;
    }
    const v = new Float32Array(chunk);
    let min = Infinity;
    let max = -Infinity;
    for (const x of v) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const scale = max > min ? (max - min) / 255 : 1;
    const q = Buffer.alloc(n);
    for (let i = 0; i < n; i++) q[i] = Math.round((v[i] - min) / scale);
    parts.push(q);
    out.push({ ...s, quantization: { dtype: 'uint8', min, scale } });
  }
  return { specs: out, data: Buffer.concat(parts) };
}

/** Writes model.json + weights.bin into `dir`; returns the bytes written. */
export async function saveLayersModel(model: tf.LayersModel, dir: string, opts: { quantize?: boolean } = {}): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const raw = toArrayBuffer(artifacts.weightData);
      const { specs, data } = opts.quantize === false ? { specs: artifacts.weightSpecs!, data: Buffer.from(raw) } : quantize(artifacts.weightSpecs!, raw);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      };
      // Write to temporary names, then rename: a crash never leaves a half-written model.
      fs.writeFileSync(path.join(dir, 'weights.bin.tmp'), data);
      fs.writeFileSync(path.join(dir, 'model.json.tmp'), JSON.stringify(json));
      fs.renameSync(path.join(dir, 'weights.bin.tmp'), path.join(dir, 'weights.bin'));
      fs.renameSync(path.join(dir, 'model.json.tmp'), path.join(dir, 'model.json'));
      bytes = data.length;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.length } };
    }),
  );
  return bytes;
}

export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = path.join(dir, 'model.json');
  const binPath = path.join(dir, 'weights.bin');
  for (const f of [jsonPath, binPath]) if (!fs.existsSync(f)) throw new DataError(f, undefined, undefined, 'missing (is this a trained sentiment model folder?)');
  let json: { modelTopology: object; weightsManifest: Array<{ weights: Spec[] }> };
  try {
    json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new DataError(jsonPath, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
  const specs = json.weightsManifest.flatMap((m) => m.weights);
  const buf = fs.readFileSync(binPath);
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data as ArrayBuffer }));
}

/** Bytes of a model folder: every file under it except the model card. */
export function folderBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((a, e) => {
    const p = path.join(dir, e.name);
    return a + (e.isDirectory() ? folderBytes(p) : e.name === 'model_card.md' ? 0 : fs.statSync(p).size);
  }, 0);
}
