/**
 * The drafts message: a header, then per draft a section (text), a context line
 * (tone · compliance badge · explanation; strategy ids stay in the store) and either the four
 * buttons (pending) or who decided and when. Rendered from the store, so every
 * `chat.update` shows the current truth. Respects Block Kit limits.
 */
import type { types } from '@slack/bolt';
import { compliance, type DraftRow } from '../../core/store/drafts';
import { LIMITS, escapeMrkdwn, slackDate, truncate } from './text';
import { TONE_LABEL } from '../../core/copywriter/pipeline';

type KnownBlock = types.KnownBlock;

export const ACTIONS = {
  approve: 'draft_approve',
  reject: 'draft_reject',
  regenerate: 'draft_regenerate',
  edit: 'draft_edit',
} as const;


export interface DraftsHeader {
  /** Slack user who asked. */
  requestedBy?: string | null;
  userPseudonym: string;
  itemId?: string | null;
  /** Shown above the drafts, e.g. "Regenerated draft". */
  title?: string;
}

export function complianceBadge(row: DraftRow): string {
  const c = compliance(row);
  if (!c.ok) return ':no_entry: withheld (广告法)';
  if (c.findings.length === 0) return ':white_check_mark: 广告法 OK';
  const terms = [...new Set(c.findings.map((f) => f.term))].slice(0, 5).join(', ');
  return `:hammer_and_wrench: rewritten for 广告法 (${escapeMrkdwn(terms)})`;
}

/** The tone as a marketer reads it (亲切语气 …); an unknown stored value is shown escaped. */
function toneLabel(tone: string): string {
  const label = (TONE_LABEL as Record<string, string | undefined>)[tone];
  return label ? `${label}语气` : escapeMrkdwn(tone);
}

function decisionLine(row: DraftRow): string {
  const who = row.decided_by ? `<@${row.decided_by}>` : 'someone';
  const when = row.decided_at ? slackDate(row.decided_at) : '';
  switch (row.status) {
    case 'approved': return `:white_check_mark: *Approved* by ${who} · ${when}`;
    case 'rejected': return `:x: *Rejected* by ${who} · ${when}`;
    case 'superseded': return `:arrows_counterclockwise: *Regenerated* by ${who} · ${when} (new draft in the thread)`;
    default: return '';
  }
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): types.Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...(style ? { style } : {}) };
}

export function draftBlocks(row: DraftRow, index: number): KnownBlock[] {
  const head = `*Draft ${index + 1}* · ${escapeMrkdwn(row.item_id)}${row.edited ? ` · :pencil2: edited (v${row.version})` : ''}\n`;
  const body = escapeMrkdwn(row.text);
  const struck = row.status === 'superseded' || row.status === 'rejected';
  const quoted = struck ? `~${truncate(body, LIMITS.sectionText - head.length - 2)}~` : truncate(body, LIMITS.sectionText - head.length);
  const meta = truncate(
    `${toneLabel(row.tone)} · ${complianceBadge(row)}\n${escapeMrkdwn(row.explanation)}`,
    LIMITS.contextText,
  );
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: `draft:${row.id}`, text: { type: 'mrkdwn', text: head + quoted } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: meta }] },
  ];
  if (row.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `actions:${row.id}`,
      elements: [
        button(':white_check_mark: Approve', ACTIONS.approve, row.id, 'primary'),
        { ...button(':x: Reject', ACTIONS.reject, row.id, 'danger') },
        button(':arrows_counterclockwise: Regenerate', ACTIONS.regenerate, row.id),
        button(':pencil2: Edit', ACTIONS.edit, row.id),
      ],
    });
  } else {
    blocks.push({ type: 'context', block_id: `decision:${row.id}`, elements: [{ type: 'mrkdwn', text: decisionLine(row) }] });
  }
  return blocks;
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The whole message for these drafts, within 50 blocks (drafts that do not fit are named in a note). */
export function draftsMessage(rows: DraftRow[], header: DraftsHeader): SlackMessage {
  const who = header.requestedBy ? ` · requested by <@${header.requestedBy}>` : '';
  const item = header.itemId ? ` · item \`${escapeMrkdwn(header.itemId)}\`` : '';
  const title = header.title ?? `:memo: ${rows.length} draft${rows.length === 1 ? '' : 's'}${who}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${title}\nCustomer \`${escapeMrkdwn(header.userPseudonym)}\`${item}`, LIMITS.sectionText) } },
  ];
  let shown = 0;
  for (const [i, row] of rows.entries()) {
    const next: KnownBlock[] = [{ type: 'divider' }, ...draftBlocks(row, i)];
    // Keep one block free for the "not shown" note.
    if (blocks.length + next.length > LIMITS.blocks - 1) break;
    blocks.push(...next);
    shown++;
  }
  if (shown < rows.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${rows.length - shown} more draft(s) not shown (Slack allows ${LIMITS.blocks} blocks per message): see the App Home or \`copydesk export\`.` }] });
  }
  const pending = rows.filter((r) => r.status === 'pending').length;
  const text = truncate(`${rows.length} draft(s) for ${escapeMrkdwn(header.userPseudonym)}${header.itemId ? ` (item ${escapeMrkdwn(header.itemId)})` : ''}: ${pending} waiting for review`, LIMITS.fallbackText);
  return { text, blocks };
}
