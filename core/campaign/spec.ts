/**
 * What a campaign is, as given on the command line or in Slack: item(s), a segment spec
 * (`all`, `taste:甜美`, `category:裙`, `csv:path`), a limit, a holdout share and strategy
 * settings. Parsing refuses bad specs with one line naming what is wrong (CampaignSpecError).
 * Holdout membership is a hash of campaign × user: deterministic, the same on every worker.
 */
import { createHash } from 'crypto';
import { TONES, LENGTHS, Tone, LengthBucket } from '../domain/types';

export type SegmentSpec =
  | { kind: 'all' }
  | { kind: 'taste'; value: string }
  | { kind: 'category'; value: string }
  | { kind: 'csv'; file: string };

export interface StrategySettings {
  /** A fixed tone for everyone (default: the user's doubt → reassuring, else the bandit per segment). */
  tone?: Tone;
  length?: LengthBucket;
}

export interface CampaignSpec {
  items: string[];
  segment: SegmentSpec;
  /** At most this many users of the segment (first in store order). */
  limit?: number;
  /** Share of the segment kept out (no message), for measuring lift: 0 … 0.9. */
  holdout: number;
  strategy: StrategySettings;
}

export const DEFAULT_HOLDOUT = 0.1;
export const MAX_HOLDOUT = 0.9;

/** A campaign request that cannot be served as asked (bad segment, unknown item…): one line, exit 2. */
export class CampaignSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignSpecError';
  }
}

export function parseSegment(raw: string): SegmentSpec {
  const s = (raw ?? '').trim();
  if (s === 'all') return { kind: 'all' };
  const at = s.indexOf(':');
  const kind = at < 0 ? s : s.slice(0, at);
  const value = at < 0 ? '' : s.slice(at + 1).trim();
  if (!['taste', 'category', 'csv'].includes(kind)) throw new CampaignSpecError(`segment "${s.slice(0, 60)}": expected all, taste:<value>, category:<category> or csv:<file>`);
  if (value === '') throw new CampaignSpecError(`segment "${s.slice(0, 60)}": ${kind}: needs a value (e.g. ${kind === 'taste' ? 'taste:甜美' : kind === 'category' ? 'category:裙' : 'csv:users.csv'})`);
  if (kind === 'csv') return { kind: 'csv', file: value };
  return { kind: kind as 'taste' | 'category', value };
}

export function formatSegment(s: SegmentSpec): string {
  return s.kind === 'all' ? 'all' : s.kind === 'csv' ? `csv:${s.file}` : `${s.kind}:${s.value}`;
}

export function parseHoldout(raw: string | number | undefined): number {
  if (raw === undefined) return DEFAULT_HOLDOUT;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_HOLDOUT) throw new CampaignSpecError(`--holdout must be a share from 0 to ${MAX_HOLDOUT} (got "${raw}")`);
  return n;
}

export function parseLimit(raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1) throw new CampaignSpecError(`--limit must be a positive integer (got "${raw}")`);
  return n;
}

export function parseItems(raw: string | string[]): string[] {
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter((x) => x !== '');
  if (list.length === 0) throw new CampaignSpecError('--item needs at least one item id (e.g. SKU-1042, or SKU-1042,SKU-1043)');
  return [...new Set(list)];
}

export function parseStrategySettings(o: { tone?: string; length?: string }): StrategySettings {
  const out: StrategySettings = {};
  if (o.tone !== undefined && o.tone !== 'auto') {
    if (!TONES.includes(o.tone as Tone)) throw new CampaignSpecError(`--tone must be auto or one of ${TONES.join(', ')} (got "${o.tone}")`);
    out.tone = o.tone as Tone;
  }
  if (o.length !== undefined) {
    if (!LENGTHS.includes(o.length as LengthBucket)) throw new CampaignSpecError(`--length must be one of ${LENGTHS.join(', ')} (got "${o.length}")`);
    out.length = o.length as LengthBucket;
  }
  return out;
}

/** A number in [0, 1) from a string: the first 48 bits of its SHA-256. */
export function unitHash(s: string): number {
  return parseInt(createHash('sha256').update(s).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

/** Whether a user is in the campaign's holdout group (deterministic per campaign × user). */
export function isHoldout(campaignId: string, userId: string, share: number): boolean {
  return share > 0 && unitHash(`holdout\u0000${campaignId}\u0000${userId}`) < share;
}

/** The id of a campaign draft: one per campaign × user, so a redelivered job writes the same row. */
export function campaignDraftId(campaignId: string, userId: string, generation = 1): string {
  return `d_${createHash('sha256').update(`${campaignId}\u0000${userId}\u0000${generation}`).digest('hex').slice(0, 16)}`;
}
