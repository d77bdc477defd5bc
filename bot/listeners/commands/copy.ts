/** `/copy …`: ack at once (usage if the text is invalid), then draft and post. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { parseCopyRequest } from '../../parse';
import { auditInvalid, draftAndPost, usageText, type RequestOutcome } from '../../services/request-copy';
import { afterAck } from '../../services/slack';
import { isCampaignText } from '../campaign';

export type CopyCommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'> & Pick<AllMiddlewareArgs, 'client'>;

export function copyCommand(deps: BotDeps) {
  return async ({ command, ack, respond, client }: CopyCommandArgs): Promise<RequestOutcome | { kind: 'elsewhere'; by: 'campaign' }> => {
    if (isCampaignText(command.text)) return { kind: 'elsewhere', by: 'campaign' }; // `/copy campaign …` is ../campaign.ts's
    const parsed = parseCopyRequest(command.text);
    if (!parsed.ok) {
      auditInvalid(deps, command.user_id, parsed.error);
      await ack({ response_type: 'ephemeral', text: usageText(parsed.error) });
      return { kind: 'invalid', error: parsed.error };
    }
    const r = parsed.request;
    // The customer id is not echoed: outside the core, customers appear only as pseudonyms.
    await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Writing ${r.n} draft(s)${r.itemId ? ` about \`${r.itemId}\`` : ''}…` });
    await afterAck();
    const reply = async (text: string) => {
      await respond({ response_type: 'ephemeral', text }).catch((e) => deps.logger.warn(`respond failed: ${(e as Error).message}`));
    };
    return draftAndPost(deps, client, r, { requestedBy: command.user_id, channel: command.channel_id }, reply);
  };
}
