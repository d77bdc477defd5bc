/** Model versions for the App Home, from models/<name>/VERSION or the model card. */
import * as fs from 'fs';
import * as path from 'path';
import { modelsDir } from '../core/util/paths';

export interface ModelVersion { name: string; version: string }

/** One line describing a model card: its `version:` line, else its first heading, else the file date. */
function fromCard(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const v = /^\s*[-*]?\s*\**version\**\s*[:：]\s*(.+)$/im.exec(text);
  if (v) return v[1].trim();
  const h = /^#\s+(.+)$/m.exec(text);
  const date = fs.statSync(file).mtime.toISOString().slice(0, 10);
  return h ? `${h[1].trim()} (${date})` : date;
}

export function modelVersions(dir: string = modelsDir()): ModelVersion[] {
  if (!fs.existsSync(dir)) return [];
  const out: ModelVersion[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const base = path.join(dir, name);
    if (!fs.statSync(base).isDirectory()) continue;
    const versionFile = ['VERSION', 'version', 'version.txt'].map((f) => path.join(base, f)).find((f) => fs.existsSync(f));
    const card = path.join(base, 'model_card.md');
    if (versionFile) out.push({ name, version: fs.readFileSync(versionFile, 'utf8').trim().split('\n')[0] });
    else if (fs.existsSync(card)) out.push({ name, version: fromCard(card) });
  }
  return out;
}
