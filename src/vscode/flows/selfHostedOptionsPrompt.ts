import * as vscode from 'vscode';
import type { ParseOptions, SelfHostedParseOptions } from '../../core/api/types';
import { parsePageRanges } from '../../core/options/pageRanges';
import {
  SELF_HOSTED_BACKENDS,
  SELF_HOSTED_PARSE_METHODS,
  isHttpClientBackend,
  pageWindows,
} from '../../core/services/selfHosted/serverOptions';
import { pageRangesText } from '../pageRangeText';
import { pickMany, pickOne, type ValuePick } from './quickPicks';

/**
 * "with Options…" for the user's own server: the options its `POST /tasks` takes (backend, with
 * `server_url` for the http-client backends, effort for hybrid, parse method, formulas, tables,
 * image analysis, language, page range). The cloud-only options (extra formats, cache, data ID,
 * callback and seed) are not asked: the server has none of them. Undefined on Escape.
 */
export async function askSelfHostedOptions(
  title: string,
  start: ParseOptions,
  languages: readonly { id: string; label: string }[],
): Promise<ParseOptions | undefined> {
  const last: SelfHostedParseOptions = start.selfHosted ?? {};
  const backends: ValuePick<string>[] = SELF_HOSTED_BACKENDS.map((b) => ({
    value: b,
    label: b,
    description: backendDescription(b),
  }));
  const backend = await pickOne(
    title,
    vscode.l10n.t('Your server: backend'),
    backends,
    last.backend ?? 'hybrid-engine',
  );
  if (!backend) return undefined;

  let serverUrl: string | undefined;
  if (isHttpClientBackend(backend)) {
    serverUrl = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t(
        'Your server: the OpenAI-compatible model server that {0} calls (server_url), e.g. http://127.0.0.1:30000',
        backend,
      ),
      value: last.serverUrl ?? '',
      ignoreFocusOut: true,
      validateInput: (v) =>
        isHttpUrl(v.trim()) ? undefined : vscode.l10n.t('Enter an http or https address.'),
    });
    if (serverUrl === undefined) return undefined;
    serverUrl = serverUrl.trim();
  }

  let effort: string | undefined;
  if (backend.startsWith('hybrid')) {
    const efforts: ValuePick<string>[] = [
      { value: 'medium', label: 'medium', description: vscode.l10n.t('The server default') },
      { value: 'high', label: 'high', description: vscode.l10n.t('Slower, for hard layouts') },
    ];
    effort = await pickOne(title, vscode.l10n.t('Your server: effort'), efforts, last.effort ?? 'medium');
    if (!effort) return undefined;
  }

  // The vlm backends read the page images themselves: no parse method, no OCR language.
  const vlm = backend.startsWith('vlm');
  let parseMethod: string | undefined;
  if (!vlm) {
    const methods: ValuePick<string>[] = SELF_HOSTED_PARSE_METHODS.map((m) => ({
      value: m,
      label: m,
      description: parseMethodDescription(m),
    }));
    parseMethod = await pickOne(
      title,
      vscode.l10n.t('Your server: parse method'),
      methods,
      last.parseMethod ?? (start.isOcr ? 'ocr' : 'auto'),
    );
    if (!parseMethod) return undefined;
  }

  const features: ValuePick<'formula' | 'table' | 'images'>[] = [
    {
      value: 'formula',
      label: vscode.l10n.t('Formulas'),
      description: vscode.l10n.t('Recognise formulas as LaTeX'),
      picked: start.enableFormula !== false,
    },
    {
      value: 'table',
      label: vscode.l10n.t('Tables'),
      description: vscode.l10n.t('Recognise tables'),
      picked: start.enableTable !== false,
    },
  ];
  if (backend !== 'pipeline') {
    features.push({
      value: 'images',
      label: vscode.l10n.t('Image analysis'),
      description: vscode.l10n.t('Describe images and charts (image_analysis)'),
      picked: last.imageAnalysis !== false,
    });
  }
  const picked = await pickMany(title, vscode.l10n.t('Your server: features'), features);
  if (!picked) return undefined;

  let language: string | undefined;
  if (!vlm) {
    const items: ValuePick<string>[] = languages.map((l) => ({
      value: l.id,
      label: l.id,
      description: l.label,
    }));
    language = await pickOne(
      title,
      vscode.l10n.t('Your server: document language (lang_list)'),
      items,
      start.language ?? 'ch',
    );
    if (!language) return undefined;
  }

  const pages = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t(
      'Your server: page ranges, empty for all pages. Example: 1-3,7 (one server task per piece, merged in page order) or 5--1 (page 5 to the end).',
    ),
    value: start.pageRanges ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? serverPageRangeProblem(v) : undefined),
  });
  if (pages === undefined) return undefined;
  const range = pages.trim() ? parsePageRanges(pages) : undefined;

  const selfHosted: SelfHostedParseOptions = {
    backend,
    ...(effort ? { effort } : {}),
    ...(parseMethod ? { parseMethod } : {}),
    ...(backend !== 'pipeline' ? { imageAnalysis: picked.includes('images') } : {}),
    ...(serverUrl ? { serverUrl } : {}),
  };
  return {
    isOcr: parseMethod === 'ocr',
    enableFormula: picked.includes('formula'),
    enableTable: picked.includes('table'),
    ...(language ? { language } : {}),
    ...(range?.ok ? { pageRanges: range.normalized } : {}),
    selfHosted,
  };
}

/** Why the server cannot take this page range, or undefined when it can. */
function serverPageRangeProblem(value: string): string | undefined {
  const parsed = parsePageRanges(value);
  if (!parsed.ok) return pageRangesText(parsed, vscode.l10n);
  try {
    pageWindows(value);
    return undefined;
  } catch {
    return vscode.l10n.t(
      'Your server counts pages from the start: use numbers such as 1-20,25, and 5--1 only for the last piece.',
    );
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function backendDescription(backend: string): string {
  switch (backend) {
    case 'hybrid-engine':
      return vscode.l10n.t('The server default: layout pipeline with a vision-language model');
    case 'pipeline':
      return vscode.l10n.t('Classic pipeline: no GPU needed; OCR and language options apply');
    case 'vlm-engine':
      return vscode.l10n.t('Vision-language model on the server');
    default:
      return vscode.l10n.t('Calls another model server (asks for its server_url next)');
  }
}

function parseMethodDescription(method: string): string {
  if (method === 'txt') return vscode.l10n.t('Take the text layer of the PDF');
  if (method === 'ocr') return vscode.l10n.t('Force OCR (scanned documents)');
  return vscode.l10n.t('The server default: text layer where there is one, else OCR');
}
