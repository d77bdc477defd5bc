/** Small helpers for Slack text: escaping, limits and dates. */

/** Block Kit limits the bot respects. */
export const LIMITS = { blocks: 50, sectionText: 3000, contextText: 2000, buttonValue: 2000, plainInput: 3000, fallbackText: 4000 } as const;

/**
 * THE escape for every user-derived string the bot sends to Slack (draft and edit
 * text, ids, tones, error messages quoting what someone typed): `&`, `<`, `>`
 * become entities, so `<!channel>`, `<!here>`, `<@U…>` and `<url|label>` show as
 * text and never notify anyone or become links.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts a string to at most `max` UTF-16 units, ending with … when cut (never splits a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A date Slack shows in each reader's own time zone, with the ISO time as fallback. */
export function slackDate(iso: string): string {
  const secs = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(secs)) return iso;
  return `<!date^${secs}^{date_short_pretty} at {time}|${iso}>`;
}

/** A link to a message inside Slack (works in the client without an API call). */
export function messageLink(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
