/** Reads KEY=VALUE lines from a .env file into the environment (existing variables win; empty values are skipped). */
import * as fs from 'fs';

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '').trim();
    if (v) out[m[1]] = v;
  }
  return out;
}

/** Returns true when the file existed. */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!fs.existsSync(file)) return false;
  for (const [k, v] of Object.entries(parseEnvFile(fs.readFileSync(file, 'utf8')))) if (env[k] === undefined || env[k] === '') env[k] = v;
  return true;
}
