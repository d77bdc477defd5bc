/**
 * `/copy …`: the request is journaled (once per signed body: a replay changes
 * nothing), acked at once (usage if the text is invalid; "queued, N ahead" when
 * every drafting slot is busy), then drafted off the main thread and posted.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { bodyKey } from '../../http-guard';
import { parseCopyRequest } from '../../parse';
import { acceptCopy, acceptedText, auditInvalid, runCopyJob, usageText, type RequestOutcome } from '../../services/request-copy';

export type CopyCommandArgs = Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'> & Pick<AllMiddlewareArgs, 'client'> & { context?: Record<string, unknown> };

/**
 * First words of `/copy` that another listener file handles (e.g. `campaign`): for
 * those this listener neither acks nor answers. A new subcommand adds its word here
 * and registers its own listener for COMMAND in listeners/index.ts.
 */
export const COPY_SUBCOMMANDS: string[] = ['campaign'];

export function isSubcommand(text: string): boolean {
  const first = text.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  return COPY_SUBCOMMANDS.includes(first);
}

export function copyCommand(deps: BotDeps) {
  return async ({ command, ack, respond, client, context }: CopyCommandArgs): Promise<RequestOutcome | { kind: 'subcommand' }> => {
    if (isSubcommand(command.text)) return { kind: 'subcommand' };
    const parsed = parseCopyRequest(command.text);
    if (!parsed.ok) {
      auditInvalid(deps, command.user_id, parsed.error);
      await ack({ response_type: 'ephemeral', text: usageText(parsed.error) });
      return { kind: 'invalid', error: parsed.error };
    }
    const r = parsed.request;
    // Over HTTP the key is the hash of the signed body (the front door computes it); in Socket Mode, of the payload.
    const key = `command:${(context?.bodyKey as string | undefined) ?? bodyKey(JSON.stringify(command))}`;
    const accepted = acceptCopy(deps, { key, kind: 'command', reply: 'ephemeral', requestedBy: command.user_id, channel: command.channel_id, request: r });
    if (!accepted) {
      await ack();
      return { kind: 'duplicate' };
    }
    // The customer id is not echoed: outside the core, customers appear only as pseudonyms.
    await ack({ response_type: 'ephemeral', text: acceptedText(r, accepted.ahead, deps.copywriter.capacity ?? 1) });
    const reply = async (text: string) => {
      await respond({ response_type: 'ephemeral', text }).catch((e) => deps.logger.warn(`respond failed: ${(e as Error).message}`));
    };
    return runCopyJob(deps, client, accepted.id, reply);
  };
}
