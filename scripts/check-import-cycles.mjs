#!/usr/bin/env node
// @ts-check
// `npm run cycles`: fails when the TypeScript files of src/ and test/ import each other in a circle.
//
//   node scripts/check-import-cycles.mjs [--root <dir>] [--runtime-only] [--files-only] [dir ...]
//   (default dirs: src test)
//
// Every static `import … from`, `export … from` and `import x = require()` is resolved with the
// TypeScript compiler itself (the options of <root>/tsconfig.json, so paths resolve exactly as tsc
// resolves them); imports that leave <root> or land in node_modules are not followed. Type-only
// imports count too (a layering cycle through types is still a cycle) unless --runtime-only.
// Dynamic import() and require() calls are not edges: they do not run at load time.
// Each strongly connected group of files is reported once, with one concrete circle through it.
// Then the same check one level up, on folders (a file stands for its folder): layering cycles such
// as src/vscode/files -> src/vscode/commands -> src/vscode/files, even when no file circle exists
// (--files-only skips it).
// Exit code: 0 no cycle, 1 cycles (listed), 2 bad usage.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

/**
 * The import graph of the .ts/.tsx files under `dirs` (relative to `root`).
 * @param {string} root
 * @param {string[]} dirs
 * @param {{ runtimeOnly?: boolean }} [opts]
 * @returns {Map<string, Set<string>>} absolute file -> the files it imports
 */
export function importGraph(root, dirs, opts = {}) {
  const options = compilerOptions(root);
  const host = ts.sys;
  const files = dirs.flatMap((d) => listTs(path.resolve(root, d)));
  const inside = (/** @type {string} */ f) =>
    f.startsWith(`${path.resolve(root)}${path.sep}`) && !f.includes(`${path.sep}node_modules${path.sep}`);
  /** @type {Map<string, Set<string>>} */
  const graph = new Map();
  for (const file of files) {
    const edges = new Set();
    graph.set(file, edges);
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    for (const spec of staticImports(source, Boolean(opts.runtimeOnly))) {
      const resolved = ts.resolveModuleName(spec, file, options, host).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = path.resolve(resolved.resolvedFileName);
      if (inside(target) && !target.endsWith('.d.ts')) edges.add(target);
    }
  }
  return graph;
}

/**
 * The cycles of a graph: one per strongly connected group (2+ nodes, or a node importing itself):
 * its members, and one circle through them that starts and ends with the same node.
 * @param {Map<string, Set<string>>} graph
 * @returns {{ members: string[], circle: string[] }[]}
 */
export function findCycles(graph) {
  // Tarjan's algorithm, iterative (a deep import chain must not overflow the stack).
  let counter = 0;
  /** @type {Map<string, number>} */
  const index = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const groups = [];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    /** @type {{ node: string, next: Iterator<string> }[]} */
    const work = [{ node: start, next: sortedEdges(graph, start)[Symbol.iterator]() }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const step = frame.next.next();
      if (!step.done) {
        const to = step.value;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: sortedEdges(graph, to)[Symbol.iterator]() });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(to) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        /** @type {string[]} */
        const group = [];
        let member;
        do {
          member = stack.pop() ?? frame.node;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        const selfLoop = group.length === 1 && graph.get(frame.node)?.has(frame.node);
        if (group.length > 1 || selfLoop) groups.push(group.sort());
      }
    }
  }
  return groups
    .map((members) => ({ members, circle: circleThrough(graph, new Set(members), members[0] ?? '') }))
    .sort((a, b) => (a.circle.join() < b.circle.join() ? -1 : 1));
}

/**
 * The same graph one level up: each file replaced by its folder (imports within a folder dropped).
 * @param {Map<string, Set<string>>} graph
 * @returns {Map<string, Set<string>>}
 */
export function folderGraph(graph) {
  /** @type {Map<string, Set<string>>} */
  const folders = new Map();
  for (const [file, targets] of graph) {
    const from = path.dirname(file);
    const edges = folders.get(from) ?? new Set();
    folders.set(from, edges);
    for (const t of targets) if (path.dirname(t) !== from) edges.add(path.dirname(t));
  }
  return folders;
}

/** @param {Map<string, Set<string>>} graph @param {string} node */
function sortedEdges(graph, node) {
  return [...(graph.get(node) ?? [])].sort();
}

/**
 * A shortest circle from `start` back to itself inside `group` (breadth-first).
 * @param {Map<string, Set<string>>} graph
 * @param {Set<string>} group
 * @param {string} start
 */
function circleThrough(graph, group, start) {
  /** @type {Map<string, string>} */
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? start;
    for (const to of sortedEdges(graph, node)) {
      if (!group.has(to)) continue;
      if (to === start) {
        const circle = [start];
        for (let n = node; n !== start; n = cameFrom.get(n) ?? start) circle.unshift(n);
        circle.unshift(start);
        return circle;
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** @param {string} root @returns {ts.CompilerOptions} */
function compilerOptions(root) {
  const configFile = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(configFile)) return { moduleResolution: ts.ModuleResolutionKind.Node10 };
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
}

/** @param {string} dir @returns {string[]} */
function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => /\.tsx?$/.test(rel) && !rel.endsWith('.d.ts'))
    .filter((rel) => !rel.split(path.sep).includes('node_modules'))
    .map((rel) => path.join(dir, rel))
    .sort();
}

/**
 * The module names a file imports statically.
 * @param {ts.SourceFile} source
 * @param {boolean} runtimeOnly skip `import type` / `export type` (erased by the compiler)
 * @returns {string[]}
 */
function staticImports(source, runtimeOnly) {
  /** @type {string[]} */
  const specs = [];
  for (const stmt of source.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      if (runtimeOnly && stmt.importClause?.isTypeOnly) continue;
      specs.push(stmt.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(stmt) &&
      stmt.moduleSpecifier &&
      ts.isStringLiteral(stmt.moduleSpecifier)
    ) {
      if (runtimeOnly && stmt.isTypeOnly) continue;
      specs.push(stmt.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(stmt) &&
      ts.isExternalModuleReference(stmt.moduleReference) &&
      ts.isStringLiteral(stmt.moduleReference.expression)
    ) {
      if (runtimeOnly && stmt.isTypeOnly) continue;
      specs.push(stmt.moduleReference.expression.text);
    }
  }
  return specs;
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  const options = /** @type {const} */ ({
    root: { type: 'string' },
    'runtime-only': { type: 'boolean' },
    'files-only': { type: 'boolean' },
  });
  /** @type {{ values: { root?: string | string[], 'runtime-only'?: boolean | boolean[], 'files-only'?: boolean | boolean[] }, positionals: string[] }} */
  let parsed;
  try {
    parsed = parseArgs({ options, allowPositionals: true });
  } catch (err) {
    console.error(`[cycles] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const root = path.resolve(
    String(parsed.values.root ?? '') || path.join(path.dirname(new URL(import.meta.url).pathname), '..'),
  );
  const dirs = parsed.positionals.length > 0 ? parsed.positionals : ['src', 'test'];
  const files = importGraph(root, dirs, { runtimeOnly: Boolean(parsed.values['runtime-only']) });
  const rel = (/** @type {string} */ f) => path.relative(root, f) || '.';
  let failed = false;
  const levels = /** @type {const} */ ([
    ['files', files],
    ['folders', folderGraph(files)],
  ]);
  for (const [level, graph] of parsed.values['files-only'] ? levels.slice(0, 1) : levels) {
    const cycles = findCycles(graph);
    const edges = [...graph.values()].reduce((n, s) => n + s.size, 0);
    if (cycles.length === 0) {
      console.log(
        `[cycles] ${level}: no import cycle in ${dirs.join(', ')} (${graph.size} ${level}, ${edges} imports)`,
      );
      continue;
    }
    failed = true;
    console.error(`[cycles] ${level}: ${cycles.length} import cycle(s) in ${dirs.join(', ')}:`);
    for (const { circle, members } of cycles) {
      console.error(`  ${circle.map(rel).join(' -> ')}`);
      if (members.length > circle.length - 1)
        console.error(`    (all in the circle: ${members.map(rel).join(', ')})`);
    }
  }
  process.exit(failed ? 1 : 0);
}
