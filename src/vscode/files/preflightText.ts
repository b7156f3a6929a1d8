import * as vscode from 'vscode';
import { formatBytes, type PreflightProblem } from '../../core/files/preflight';
import type { TaskMode } from '../../core/tasks/task';

/** A translated sentence for one pre-flight problem. */
export function describeProblem(name: string, p: PreflightProblem, mode: TaskMode): string {
  switch (p.code) {
    case 'unsupported-type':
      return vscode.l10n.t(
        '"{0}" is not a type MinerU parses. Supported: .pdf .doc .docx .ppt .pptx .png .jpg .jpeg .html.',
        name,
      );
    case 'empty':
      return vscode.l10n.t('"{0}" is empty (0 bytes). Save the document again, then parse it.', name);
    case 'too-large':
      return mode === 'quick'
        ? vscode.l10n.t(
            '"{0}" is {1}, over the {2} limit of Quick mode. Set an API token to parse files up to 200 MB.',
            name,
            formatBytes(p.actual ?? 0),
            formatBytes(p.limit ?? 0),
          )
        : !/\.pdf$/i.test(name)
          ? vscode.l10n.t(
              '"{0}" is {1}, over the {2} limit (setting mineru.maxFileSizeMB). Only PDFs can be split into parts here: save it as PDF and parse the PDF, or compress its images.',
              name,
              formatBytes(p.actual ?? 0),
              formatBytes(p.limit ?? 0),
            )
          : vscode.l10n.t(
              '"{0}" is {1}, over the {2} limit (setting mineru.maxFileSizeMB). Split the document or compress its images.',
              name,
              formatBytes(p.actual ?? 0),
              formatBytes(p.limit ?? 0),
            );
    case 'too-many-pages':
      return vscode.l10n.t(
        '"{0}" has {1} pages, over the {2}-page limit (setting mineru.maxPages). Parse it in parts with page ranges, e.g. "1-{2}".',
        name,
        p.actual ?? 0,
        p.limit ?? 0,
      );
    default:
      return vscode.l10n.t('"{0}" could not be read. Check that it still exists.', name);
  }
}
