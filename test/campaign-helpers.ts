/** Helpers of the campaign tests: run the CLI as a child process, read its error lines. */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

const exec = promisify(execFile);
const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

/** Runs the CLI; resolves with its exit code and output (never rejects). */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [CLI, ...args], { env: { ...process.env, COPYDESK_PSEUDONYM_KEY: 'test-key', ...env }, timeout, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** stderr without the runtime's notices (backend line, dev pseudonym key): what a user reads as the error. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[copydesk]') && !l.includes('pseudonym key'));
}

