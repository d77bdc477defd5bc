/**
 * `copydesk bot` (what `npm start` runs) as a child process: reads a .env file,
 * starts in HTTP mode, serves a signed /copy with the real pipeline, logs no
 * secret, stops on SIGTERM. Needs the shipped models (skipped, and says so, when
 * they are not in models/).
 */
import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FakeSlack, send, slashCommandBody, tempDbFile, testCopywriter, realPipelineAvailable, SECRETS, REVIEWER } from './bot-harness';

const CLI = path.join(__dirname, '..', 'apps', 'cli', 'copydesk.js');

describe('copydesk bot (npm start) as a process', function () {
  this.timeout(120_000);

  it('refuses to start without settings, naming each missing one and no secret', async () => {
    const env = { ...process.env, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: SECRETS.signingSecret, COPYDESK_REVIEWERS: '' };
    const out = await new Promise<{ code: number | null; stderr: string }>((ok) => {
      const p = spawn('node', [CLI, 'bot', '--env', '/nonexistent/.env'], { env });
      let stderr = '';
      p.stderr.on('data', (d) => { stderr += d; });
      p.on('close', (code) => ok({ code, stderr }));
    });
    expect(out.code).to.equal(2);
    expect(out.stderr).to.match(/SLACK_BOT_TOKEN is missing/).and.to.match(/COPYDESK_REVIEWERS is missing/);
    expect(out.stderr).to.not.include(SECRETS.signingSecret);
  });

  it('starts from a .env file in HTTP mode and serves /copy with the real pipeline', async function () {
    if (!realPipelineAvailable()) this.skip();
    const CW = testCopywriter();
    const fake = new FakeSlack();
    await fake.start();
    const dir = path.dirname(tempDbFile());
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, [`SLACK_BOT_TOKEN=${SECRETS.botToken}`, `SLACK_SIGNING_SECRET=${SECRETS.signingSecret}`, `SLACK_API_URL=${fake.apiUrl}`,
      `COPYDESK_REVIEWERS=${REVIEWER}`, `COPYDESK_DB=${path.join(dir, 'copydesk.db')}`, 'PORT=0', 'COPYDESK_LOG_LEVEL=debug', 'COPYDESK_PSEUDONYM_KEY=start-test-key'].join('\n'));
    const env = { ...process.env };
    for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'COPYDESK_REVIEWERS', 'COPYDESK_DB', 'PORT']) delete env[k];
    const p = spawn('node', [CLI, 'bot', '--env', envFile], { env });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    try {
      const port = await fake.waitFor(() => Number(/HTTP on port (\d+)/.exec(out)?.[1]) || undefined, 90_000, 'the bot to start');
      const res = await send(port, slashCommandBody(fake, `user:${CW.user} item:${CW.item} n:1`));
      expect(res.status).to.equal(200);
      await fake.waitFor(() => fake.of('chat.postMessage')[0], 60_000, 'drafts posted');
    } finally {
      p.kill('SIGTERM');
      await new Promise((ok) => p.once('close', ok));
      await fake.stop();
    }
    expect(out).to.match(/Copydesk bot running: HTTP on port/);
    for (const s of Object.values(SECRETS)) expect(out).to.not.include(s);
  });
});
