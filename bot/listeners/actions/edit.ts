/** `draft_edit`: open the edit modal prefilled with the draft's current text. */
import { audit } from '../../../core/store/db';
import { editModal } from '../../blocks/edit-modal';
import type { BotDeps } from '../../deps';
import { admitEdit } from '../../services/decide';
import { tryCall } from '../../services/slack';
import { actionContext } from './context';
import type { ButtonArgs } from './decide';

export function editAction(deps: BotDeps) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    const ctx = actionContext(body, action);
    const row = await admitEdit(deps, client, ctx);
    if (typeof row === 'string') return row;
    const view = editModal(row, { draftId: row.id, version: row.version, channel: row.channel ?? ctx.channel, messageTs: row.message_ts ?? undefined });
    const opened = await tryCall(deps, 'views.open', () => client.views.open({ trigger_id: body.trigger_id, view }), row.id);
    if (opened) audit(deps.db, { actor: ctx.actor, action: 'edit_opened', draftId: row.id, after: { version: row.version } });
    return opened ? 'opened' as const : 'failed' as const;
  };
}
