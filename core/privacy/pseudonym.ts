/**
 * Pseudonyms for user identifiers that leave the core (CLI output, Slack, logs):
 * a keyed HMAC-SHA256 of the id with the secret in `COPYDESK_PSEUDONYM_KEY`.
 * The same id and key always give the same pseudonym, so a team can follow a
 * user across drafts without ever seeing the raw id; without the key it cannot
 * be reversed or recomputed.
 *
 * When the variable is unset, a clearly-labelled development key is used and a
 * warning is printed once (on stderr): fine for the demo store, not for real data.
 */
import { createHmac } from 'crypto';

export const DEV_PSEUDONYM_KEY = 'copydesk-DEV-ONLY-pseudonym-key-set-COPYDESK_PSEUDONYM_KEY';

let warned = false;

/** The key from the environment, or the dev default (warned about once). */
export function pseudonymKey(env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): string {
  const key = env.COPYDESK_PSEUDONYM_KEY;
  if (key && key.trim() !== '') return key;
  if (!warned) {
    warned = true;
    warn('copydesk: warning: COPYDESK_PSEUDONYM_KEY is not set; using the DEVELOPMENT pseudonym key (set a secret before using real user data)');
  }
  return DEV_PSEUDONYM_KEY;
}

/** `u_` + the first 12 hex digits of HMAC-SHA256(key, id): short enough to read, 48 bits against collisions. */
export function pseudonymize(userId: string, key: string): string {
  return `u_${createHmac('sha256', key).update(userId, 'utf8').digest('hex').slice(0, 12)}`;
}

/** Longest review quote that may leave the core as evidence. */
export const MAX_SNIPPET_CHARS = 16;

/** A short evidence snippet of a review (never the whole review). */
export function snippet(text: string, max = MAX_SNIPPET_CHARS): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
