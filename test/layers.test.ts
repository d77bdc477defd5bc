/**
 * The layer check (issue 18), in `npm test`: walks the import graph of core/, apps/ and bot/
 * with the TypeScript parser (import, export … from, import x = require, require(), import())
 * and fails on an import circle, on an arrow from a lower layer to a higher one, and on a
 * module loaded through a path string (a loop no import reader sees) unless it is a
 * worker-thread entry listed below.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../core/util/paths';

/** The folders whose sources the graph covers. */
const ROOTS = ['core', 'apps', 'bot'];

/** Lower layers and what they must never import, with the reason. */
const FORBIDDEN: Array<{ from: string[]; to: string[]; why: string }> = [
  { from: ['core/'], to: ['apps/', 'bot/'], why: 'the core is usable without the apps' },
  {
    from: ['core/domain/', 'core/data/', 'core/compliance/', 'core/text/', 'core/tf/', 'core/native/', 'core/store/', 'core/mf/', 'core/sentiment/', 'core/seq2seq/', 'core/util/', 'core/privacy/'],
    to: ['core/copywriter/', 'core/campaign/'],
    why: 'data, compliance, the store and the models sit below the copywriter (they share core/domain/)',
  },
  { from: ['core/domain/'], to: ['core/'], why: 'core/domain/ is the bottom: types, ports and errors only' },
];

/**
 * Modules another module starts by their file path, because Node or BullMQ needs a file to run on
 * a thread; each is an entry point, not a way around the import graph.
 */
const PATH_ENTRIES: Array<{ from: string; to: string; why: string }> = [
  { from: 'core/campaign/queue.ts', to: 'core/campaign/processor.js', why: 'BullMQ sandboxed processor file' },
  { from: 'core/campaign/runner.ts', to: 'core/campaign/thread.js', why: 'worker-thread entry of the embedded campaign run' },
  { from: 'core/copywriter/worker-pool.ts', to: 'core/copywriter/draft-worker.ts', why: 'worker-thread entry of the drafting pool' },
  { from: 'apps/cli/commands/campaign.ts', to: 'apps/cli/copydesk.js', why: 'resumes a campaign in a child process of the copydesk command' },
  { from: 'apps/bench/campaign.ts', to: 'apps/cli/copydesk.js', why: 'benchmarks the copydesk command as a process' },
  { from: 'bot/listeners/campaign.ts', to: 'apps/cli/copydesk.js', why: 'runs a campaign in a child process of the copydesk command' },
];

/** Files allowed a require() of a computed path, because what they load is not a project source. */
const COMPUTED_REQUIRES: Array<{ file: string; why: string }> = [
  { file: 'apps/cli/copydesk.js', why: 'runs the compiled CLI from dist/ when fresh, else the sources' },
  { file: 'apps/cli/main.ts', why: "reads package.json's version from the project root (source or dist/)" },
  { file: 'core/native/build.js', why: 'loads the freshly built native addon (.node)' },
  { file: 'core/native/index.ts', why: 'loads the native addon (.node), COPYDESK_NATIVE_ADDON or the build' },
];

const CODE = /\.(ts|js)$/;

interface Edge {
  from: string;
  to: string;
  line: number;
  kind: 'import' | 'path';
}

interface Graph {
  files: string[];
  edges: Edge[];
  /** require()/import() of something that is not a string literal: file:line. */
  computed: string[];
}

function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const dir = path.join(root, rel);
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'build') walk(r);
      } else if (CODE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  for (const r of ROOTS) walk(r);
  return out.sort();
}

/** The project file a specifier or path names (a file, the file plus an extension, or a folder's index), or undefined. */
function resolveTarget(root: string, target: string, kind: Edge['kind'] = 'import'): string | undefined {
  // a path to a data folder (migrations, dictionaries) names no module
  const exact = path.join(root, target);
  if (kind === 'path' && fs.existsSync(exact) && fs.statSync(exact).isDirectory() && !fs.existsSync(path.join(exact, 'index.ts'))) return undefined;
  for (const cand of [target, `${target}.ts`, `${target}.js`, `${target}/index.ts`, `${target}/index.js`]) {
    const abs = path.join(root, cand);
    if (CODE.test(cand) && fs.existsSync(abs) && fs.statSync(abs).isFile()) return path.posix.normalize(cand);
  }
  return undefined;
}

function literalText(n: ts.Node | undefined): string | undefined {
  if (!n) return undefined;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  // `draft-worker${path.extname(__filename)}`: the head names the module, the tail picks .ts or .js
  if (ts.isTemplateExpression(n)) return n.head.text;
  return undefined;
}

/** Builds the import graph of the project at `root`. */
export function importGraph(root: string = PROJECT_ROOT): Graph {
  const files = listSources(root);
  const edges: Edge[] = [];
  const computed: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
    const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const addSpec = (spec: string, n: ts.Node) => {
      if (!spec.startsWith('.')) return; // a package
      const to = resolveTarget(root, path.posix.join(path.posix.dirname(file), spec));
      if (to) edges.push({ from: file, to, line: lineOf(n), kind: 'import' });
    };
    const visit = (n: ts.Node): void => {
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
        addSpec(n.moduleSpecifier.text, n);
      } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
        addSpec(n.moduleReference.expression.text, n);
      } else if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
        const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
        if (isRequire || isImport) {
          const arg = n.arguments[0];
          if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) addSpec(arg.text, n);
          else computed.push(`${file}:${lineOf(n)}`);
        }
        // path.join(__dirname | PROJECT_ROOT, 'a', 'b'…) naming a source module: a path-string reference
        if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'path' && ['join', 'resolve'].includes(callee.name.text)) {
          const [base, ...rest] = n.arguments;
          const parts = rest.map(literalText);
          if (base && ts.isIdentifier(base) && ['__dirname', 'PROJECT_ROOT'].includes(base.text) && parts.every((p) => p !== undefined)) {
            const start = base.text === '__dirname' ? path.posix.dirname(file) : '';
            const to = resolveTarget(root, path.posix.join(start, ...(parts as string[])), 'path');
            if (to) edges.push({ from: file, to, line: lineOf(n), kind: 'path' });
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { files, edges, computed };
}

/**
 * Every import circle (strongly connected component of more than one file, or a file importing
 * itself), type-only imports included. A worker entry started by its path runs in its own thread,
 * with its own modules, so a path arrow closes no circle.
 */
export function importCircles(g: Graph): string[][] {
  const adj = new Map<string, string[]>(g.files.map((f) => [f, []]));
  for (const e of g.edges) if (e.kind === 'import') adj.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (adj.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of g.files) if (!idx.has(f)) strong(f);
  return out;
}

/** Arrows from a lower layer to a higher one, as "from:line → to (why)". */
export function layerViolations(g: Graph): string[] {
  const out: string[] = [];
  for (const e of g.edges) {
    for (const rule of FORBIDDEN) {
      const lower = rule.from.find((p) => e.from.startsWith(p));
      if (!lower) continue;
      // a folder may import itself; core/domain/ imports only core/domain/
      const hit = rule.to.find((p) => e.to.startsWith(p) && !e.to.startsWith(lower));
      if (hit) out.push(`${e.from}:${e.line} → ${e.to} (${rule.why})`);
    }
  }
  return out;
}

/** Path-string references to a source module that are not a listed worker entry. */
export function pathRequires(g: Graph): string[] {
  return g.edges
    .filter((e) => e.kind === 'path' && !PATH_ENTRIES.some((p) => p.from === e.from && p.to === e.to))
    .map((e) => `${e.from}:${e.line} → ${e.to}`);
}

describe('layers: the import graph of core/, apps/ and bot/', () => {
  const g = importGraph();

  it('reads the whole tree (every root, hundreds of arrows)', () => {
    for (const r of ROOTS) expect(g.files.some((f) => f.startsWith(`${r}/`)), r).to.equal(true);
    expect(g.edges.length).to.be.greaterThan(300);
  });

  it('has no import circles', () => {
    expect(importCircles(g).map((c) => c.join(' ⇄ '))).to.deep.equal([]);
  });

  it('has no arrow from a lower layer to a higher one (core never imports apps/ or bot/; data, compliance, store and models never import the copywriter)', () => {
    expect(layerViolations(g)).to.deep.equal([]);
  });

  it('loads no module through a path string except the listed worker-thread entries, and every require() names a literal module', () => {
    expect(pathRequires(g)).to.deep.equal([]);
    expect(g.computed.filter((c) => !COMPUTED_REQUIRES.some((r) => c.startsWith(`${r.file}:`)))).to.deep.equal([]);
    for (const p of PATH_ENTRIES) expect(g.edges.some((e) => e.kind === 'path' && e.from === p.from && e.to === p.to), `${p.from} → ${p.to}`).to.equal(true);
  });

  it('catches a circle, an upward arrow and a path-string require in a small tree', () => {
    const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'layers-'));
    try {
      const put = (f: string, s: string) => {
        fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        fs.writeFileSync(path.join(root, f), s);
      };
      put('core/data/a.ts', "import { b } from './b';\nimport type { T } from '../copywriter/types';\nexport const a = 1;\n");
      put('core/data/b.ts', "import { a } from './a';\nexport const b = a;\n");
      put('core/copywriter/types.ts', "import '../../apps/cli/main';\nexport type T = 1;\n");
      put('core/copywriter/load.ts', "import * as path from 'path';\nconst m = require(path.join(__dirname, '..', 'data', 'a'));\nexport default m;\n");
      put('apps/cli/main.ts', 'export {};\n');
      const small = importGraph(root);
      expect(importCircles(small)).to.deep.equal([['core/data/a.ts', 'core/data/b.ts']]);
      expect(layerViolations(small)).to.have.members([
        'core/data/a.ts:2 → core/copywriter/types.ts (data, compliance, the store and the models sit below the copywriter (they share core/domain/))',
        'core/copywriter/types.ts:1 → apps/cli/main.ts (the core is usable without the apps)',
      ]);
      expect(pathRequires(small)).to.deep.equal(['core/copywriter/load.ts:2 → core/data/a.ts']);
      expect(small.computed).to.deep.equal(['core/copywriter/load.ts:2']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
