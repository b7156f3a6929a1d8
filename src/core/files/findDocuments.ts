import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_EXTENSIONS } from '../api/types';

export interface FindOptions {
  /** Folders not entered (absolute paths), e.g. the output folder of the results. */
  skip?: readonly string[];
  /** Stop after this many documents; `truncated` tells that more were there. */
  maxFiles: number;
  /** How deep below the folder to look (default 20). */
  maxDepth?: number;
  extensions?: readonly string[];
}

/** Folder names never entered: version control, dependencies, editor state. */
const SKIPPED_NAMES = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode', '__pycache__']);

/**
 * The documents under `root` (supported types, extension case ignored), sorted by path, without
 * following symbolic links and without entering hidden folders, skipped folders or `skip`.
 */
export async function findDocuments(
  root: string,
  options: FindOptions,
): Promise<{ files: string[]; truncated: boolean }> {
  const extensions = options.extensions ?? SUPPORTED_EXTENSIONS;
  const skip = (options.skip ?? []).map((p) => path.resolve(p));
  const maxDepth = options.maxDepth ?? 20;
  const files: string[] = [];
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folders are left out
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (truncated) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth >= maxDepth || entry.name.startsWith('.') || SKIPPED_NAMES.has(entry.name)) continue;
        if (skip.some((s) => full === s || full.startsWith(s + path.sep))) continue;
        await walk(full, depth + 1);
      } else if (entry.isFile() && extensions.includes(path.extname(entry.name).toLowerCase())) {
        if (files.length >= options.maxFiles) {
          truncated = true;
          return;
        }
        files.push(full);
      }
    }
  };
  await walk(path.resolve(root), 0);
  return { files, truncated };
}
