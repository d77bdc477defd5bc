/** Submit of the edit modal: 广告法 check, new version stored, message updated; problems shown in the modal. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { EDIT_VIEW, parseEditMetadata } from '../../blocks/edit-modal';
import type { BotDeps } from '../../deps';
import { saveEdit, type EditResult } from '../../services/decide';
import { refreshMessageOf } from '../../services/messages';

export type EditSubmitArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'> & Pick<AllMiddlewareArgs, 'client'>;

export function editSubmit(deps: BotDeps) {
  return async ({ ack, body, view, client }: EditSubmitArgs): Promise<EditResult> => {
    const meta = parseEditMetadata(view.private_metadata);
    const text = view.state.values[EDIT_VIEW.blockId]?.[EDIT_VIEW.actionId]?.value ?? '';
    const res: EditResult = meta ? await saveEdit(deps, body.user.id, meta.draftId, meta.version, text) : { ok: false, error: 'This editor is out of date; open it again from the message.' };
    if (!res.ok) {
      await ack({ response_action: 'errors', errors: { [EDIT_VIEW.blockId]: res.error } });
      return res;
    }
    await ack();
    await refreshMessageOf(deps, client, meta!.draftId);
    return res;
  };
}
