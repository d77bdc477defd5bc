/** Posting and re-rendering drafts messages from the store. */
import { draftsMessage, type DraftsHeader } from '../blocks/drafts';
import type { BotDeps, SlackClient } from '../deps';
import { draftsOfMessage, getDraft, getRequest, setMessageLocation, type DraftRow } from '../../core/store/drafts';
import { tryCall } from './slack';

export function headerFor(deps: BotDeps, rows: DraftRow[], title?: string): DraftsHeader {
  const req = getRequest(deps.db, rows[0]?.request_id ?? null);
  return { requestedBy: req?.requested_by, userPseudonym: rows[0]?.user_pseudonym ?? '—', itemId: rows.every((r) => r.item_id === rows[0].item_id) ? rows[0]?.item_id : undefined, title };
}

/** Metadata type of a drafts message; its payload names the outbox job, so recovery can find a message posted before a crash. */
export const DRAFTS_EVENT_TYPE = 'copydesk_drafts';

/** Posts drafts (by id, from the store) and remembers where. Returns the message ts; throws when Slack refused. */
export async function postDrafts(deps: BotDeps, client: SlackClient, ids: string[], where: { channel: string; threadTs?: string; title?: string; jobId?: string }): Promise<string | undefined> {
  const rows = ids.map((id) => getDraft(deps.db, id)).filter((r): r is DraftRow => !!r);
  const msg = draftsMessage(rows, headerFor(deps, rows, where.title));
  const metadata = where.jobId ? { event_type: DRAFTS_EVENT_TYPE, event_payload: { job_id: where.jobId } } : undefined;
  const res = await client.chat.postMessage({ channel: where.channel, thread_ts: where.threadTs, text: msg.text, blocks: msg.blocks, unfurl_links: false, ...(metadata ? { metadata } : {}) });
  const ts = res.ts as string;
  setMessageLocation(deps.db, rows.map((r) => r.id), (res.channel as string) ?? where.channel, ts);
  return ts;
}

/** Re-renders the message that shows this draft (best effort: failures are logged and audited). Returns true when updated. */
export async function refreshMessageOf(deps: BotDeps, client: SlackClient, draftId: string): Promise<boolean> {
  const row = getDraft(deps.db, draftId);
  if (!row?.channel || !row.message_ts) return false;
  const rows = draftsOfMessage(deps.db, row.channel, row.message_ts);
  const title = rows.length === 1 && rows[0].supersedes ? ':arrows_counterclockwise: Regenerated draft' : undefined;
  const msg = draftsMessage(rows, headerFor(deps, rows, title));
  const res = await tryCall(deps, 'chat.update', () => client.chat.update({ channel: row.channel!, ts: row.message_ts!, text: msg.text, blocks: msg.blocks }), draftId);
  return !!res;
}
