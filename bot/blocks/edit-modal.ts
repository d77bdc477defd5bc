/** The modal a reviewer edits a draft in, prefilled with its current text. */
import type { types } from '@slack/bolt';
import type { DraftRow } from '../../core/store/drafts';
import { LIMITS, escapeMrkdwn, truncate } from './text';

export const EDIT_VIEW = { callbackId: 'draft_edit_modal', blockId: 'draft_text', actionId: 'text' } as const;

/** What the modal carries between opening and submit (Slack returns it untouched). */
export interface EditMetadata {
  draftId: string;
  version: number;
  channel?: string;
  messageTs?: string;
}

export function editModal(row: DraftRow, meta: EditMetadata): types.ModalView {
  return {
    type: 'modal',
    callback_id: EDIT_VIEW.callbackId,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Edit draft' },
    submit: { type: 'plain_text', text: 'Save edit' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Item \`${escapeMrkdwn(row.item_id)}\` · tone ${escapeMrkdwn(row.tone)} · version ${row.version}. Your edit is checked against 广告法 and kept as a new version; the original stays in the history.` }] },
      {
        type: 'input',
        block_id: EDIT_VIEW.blockId,
        label: { type: 'plain_text', text: 'Copy' },
        element: {
          type: 'plain_text_input',
          action_id: EDIT_VIEW.actionId,
          multiline: true,
          initial_value: truncate(row.text, LIMITS.plainInput),
          max_length: LIMITS.plainInput,
        },
      },
    ],
  };
}

export function parseEditMetadata(raw: string | undefined): EditMetadata | undefined {
  try {
    const m = JSON.parse(raw ?? '');
    return typeof m?.draftId === 'string' && Number.isInteger(m?.version) ? m : undefined;
  } catch {
    return undefined;
  }
}
