/** `copydesk check "文案…" [--json]`: ad-law findings of a text and the compliant rewrite. Exit code 1 when the text has findings. */
import { Command } from 'commander';
import * as fs from 'fs';
import { UsageError } from '../usage-error';
import { checkText } from '../../../core/compliance/check';

export function register(program: Command): void {
  program
    .command('check')
    .description('check copy against the advertising law terms, medical claims and the brand blacklist (exit 1 when it has findings)')
    .argument('[text...]', 'the copy to check (or --file, or "-" for stdin)')
    .option('--file <file>', 'read the copy from a file')
    .option('--json', 'print one JSON object')
    .action((words: string[], opts: { file?: string; json?: boolean }) => {
      let text = words.join(' ');
      if (opts.file) text = fs.readFileSync(opts.file, 'utf8');
      else if (text === '-') text = fs.readFileSync(0, 'utf8');
      if (text.trim() === '') throw new UsageError('nothing to check: give the copy as an argument, --file <file>, or "-" for stdin');
      const rep = checkText(text);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rep)}\n`);
      } else if (rep.ok) {
        process.stdout.write('✓ no findings\n');
      } else {
        process.stdout.write(`✗ ${rep.findings.length} finding(s)\n`);
        // A withheld text says so once, for every finding: no "term replaced" followed by "nothing is left".
        const what = { replaced: 'term replaced', dropped: 'clause dropped', withheld: 'not rewritable' } as const;
        for (const f of rep.findings) {
          process.stdout.write(`  「${f.found}」 ${f.category}: ${f.category_description}\n    …${f.context}… → ${what[f.action]}\n`);
        }
        process.stdout.write(rep.rewritten === null ? 'rewrite: withheld: nothing compliant is left once these are taken out\n' : `rewrite: ${rep.rewritten}\n`);
      }
      if (!rep.ok) process.exitCode = 1;
    });
}
