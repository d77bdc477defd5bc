/**
 * The App Home: recent requests, the drafts waiting for the viewing reviewer, recent campaigns,
 * approval rates per tone and strategy over the last 30 days, model versions.
 */
import type { types } from '@slack/bolt';
import type { ApprovalRate, DraftRow, RecentRequest } from '../../core/store/drafts';
import type { ModelVersion } from '../models';
import { LIMITS, escapeMrkdwn, messageLink, slackDate, truncate } from './text';

export interface HomeData {
  viewer: string;
  isReviewer: boolean;
  recent: RecentRequest[];
  pending: DraftRow[];
  pendingTotal: number;
  byTone: ApprovalRate[];
  byStrategy: ApprovalRate[];
  models: ModelVersion[];
  /** Recent campaigns the viewer may see (reviewers: all; others: their own). */
  campaigns: HomeCampaign[];
}

export interface HomeCampaign {
  id: string;
  items: string[];
  segment: string;
  status: string;
  createdAt: string;
  users: number;
  drafted: number;
  approved: number;
  pendingReview: number;
}

const md = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });
const pct = (r: ApprovalRate) => `${Math.round(r.rate * 100)}% (${r.approved}/${r.approved + r.rejected})`;

function rateLines(rates: ApprovalRate[]): string {
  return rates.length ? rates.map((r) => `• \`${escapeMrkdwn(r.key)}\` ${pct(r)}`).join('\n') : '_no decisions yet_';
}

export function homeView(d: HomeData): types.HomeView {
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Copydesk' } },
    md('Ask for copy with `/copy user:<id> item:<id> tone:<tone> n:<1-5>` or mention me. Reviewers approve, reject, edit or regenerate drafts with the buttons.'),
    { type: 'divider' },
    md(d.isReviewer ? '*Recent requests* (yours, and those in channels)' : '*Your recent requests*'),
  ];
  blocks.push(md(d.recent.length
    ? d.recent.map((r) => `• ${slackDate(r.created_at)} ${r.requested_by ? `<@${r.requested_by}>` : r.source}: customer \`${escapeMrkdwn(r.user_pseudonym ?? '—')}\`${r.item_id ? ` · item \`${escapeMrkdwn(r.item_id)}\`` : ''} · ${escapeMrkdwn(r.tone ?? 'auto')} · ${r.drafts} draft(s), ${r.approved} approved, ${r.pending} pending`).join('\n')
    : '_no requests yet_'));
  blocks.push({ type: 'divider' });
  if (d.isReviewer) {
    blocks.push(md(`*Waiting for your review* (${d.pendingTotal})`));
    blocks.push(md(d.pending.length
      ? d.pending.map((p) => `• ${p.channel && p.message_ts ? `<${messageLink(p.channel, p.message_ts)}|${escapeMrkdwn(p.item_id)}>` : escapeMrkdwn(p.item_id)} · ${escapeMrkdwn(p.tone)}: ${escapeMrkdwn(truncate(p.text, 60))}`).join('\n')
      : '_nothing pending: all caught up_'));
  } else {
    blocks.push(md('_You are not a reviewer, so drafts are not waiting for you. Ask an admin to add your Slack ID to COPYDESK_REVIEWERS._'));
  }
  blocks.push({ type: 'divider' });
  blocks.push(md(`*Campaigns*\n${d.campaigns.length
    ? d.campaigns.map((c) => `• ${slackDate(c.createdAt)} \`${escapeMrkdwn(c.id)}\` · ${c.items.map((i) => `\`${escapeMrkdwn(i)}\``).join(', ')} → ${escapeMrkdwn(c.segment)} · ${escapeMrkdwn(c.status)} · ${c.users} users, ${c.drafted} drafted, ${c.pendingReview} awaiting review, ${c.approved} approved`).join('\n')
    : '_no campaigns yet: `/copy campaign item:<id> segment:<spec>` starts one_'}`));
  blocks.push({ type: 'divider' });
  blocks.push(md(`*Approval rate, last 30 days*\n*By tone*\n${rateLines(d.byTone)}`));
  blocks.push(md(`*By strategy*\n${rateLines(d.byStrategy.slice(0, 15))}`));
  blocks.push({ type: 'divider' });
  blocks.push(md(`*Models*\n${d.models.length ? d.models.map((m) => `• *${escapeMrkdwn(m.name)}* ${escapeMrkdwn(m.version)}`).join('\n') : '_no shipped models found_'}`));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
