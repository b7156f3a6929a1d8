import * as vscode from 'vscode';
import type { ExtraFormat, ModelVersion, ParseOptions } from '../../core/api/types';
import { checkDataIdTemplate } from '../../core/options/dataId';
import { checkSubmitOptions } from '../../core/options/submitChecks';
import { parsePageRanges } from '../../core/options/pageRanges';
import { dataIdProblemText, submitProblemText } from '../optionsText';
import { pageRangesText } from '../pageRangeText';
import type { TaskMode } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { pickMany, pickOne, type ValuePick } from './quickPicks';
import { askSelfHostedOptions } from './selfHostedOptionsPrompt';

const LAST_OPTIONS_KEY = 'mineru.lastOptions';
const LAST_MODE_KEY = 'mineru.lastMode';

/** The service's OCR languages (pipeline and vlm), with a readable description. */
export const LANGUAGES: readonly { id: string; label: string }[] = [
  { id: 'ch', label: 'Chinese + English (default)' },
  { id: 'ch_server', label: 'Chinese, server model (handwriting, rare characters)' },
  { id: 'en', label: 'English' },
  { id: 'japan', label: 'Japanese' },
  { id: 'korean', label: 'Korean' },
  { id: 'chinese_cht', label: 'Traditional Chinese' },
  { id: 'ta', label: 'Tamil' },
  { id: 'te', label: 'Telugu' },
  { id: 'ka', label: 'Georgian' },
  { id: 'el', label: 'Greek' },
  { id: 'th', label: 'Thai' },
  { id: 'latin', label: 'Latin-script languages (French, German, Spanish …)' },
  { id: 'arabic', label: 'Arabic-script languages' },
  { id: 'cyrillic', label: 'Cyrillic-script languages' },
  { id: 'east_slavic', label: 'East Slavic (Russian, Ukrainian, Belarusian)' },
  { id: 'devanagari', label: 'Devanagari (Hindi, Marathi, Nepali …)' },
];

type Pick<T> = ValuePick<T>;

/** Per-run options: the wire options plus this run's data ID template (never sent as such). */
export type RunOptions = ParseOptions & { dataIdTemplate?: string };

/**
 * One quick flow for the per-run options: model, features, language, page ranges, extra formats.
 * Starts from the last choice (or the settings), proposes MinerU-HTML for .html, and returns
 * undefined when the user presses Escape at any step.
 */
export async function askForOptions(
  ctx: CommandContext,
  url: string,
  defaults: ParseOptions,
): Promise<{ options: ParseOptions; mode: TaskMode } | undefined> {
  const last = ctx.extension.globalState.get<RunOptions>(LAST_OPTIONS_KEY);
  const start: RunOptions = { dataIdTemplate: ctx.settings().dataIdTemplate, ...defaults, ...last };
  const isHtml = /\.html?(?:[?#]|$)/i.test(url);
  const proposedModel: ModelVersion = isHtml ? 'MinerU-HTML' : (start.modelVersion ?? 'vlm');
  const title = vscode.l10n.t('MinerU: Parse with Options');

  const hasToken = (await ctx.tokens.get()) !== undefined;
  const lastMode = ctx.extension.globalState.get<TaskMode>(LAST_MODE_KEY);
  const modes: Pick<TaskMode>[] = [
    {
      value: 'precise',
      label: vscode.l10n.t('Precise'),
      description: vscode.l10n.t('Token API: images, tables, formulas, extra formats; up to 200 MB'),
    },
    {
      value: 'quick',
      label: vscode.l10n.t('Quick'),
      description: vscode.l10n.t('No token: Markdown only, up to 10 MB and 20 pages'),
    },
  ];
  const server = ctx.settings().selfHostedUrl;
  if (server) {
    modes.push({
      value: 'selfHosted',
      label: vscode.l10n.t('Your MinerU server'),
      description: vscode.l10n.t('{0}: documents go to your own mineru-api or mineru-router', server),
    });
  }
  const mode = await pickOne(
    title,
    vscode.l10n.t('Mode (1/6)'),
    modes,
    lastMode ?? (hasToken ? 'precise' : 'quick'),
  );
  if (!mode) return undefined;
  await ctx.extension.globalState.update(LAST_MODE_KEY, mode);

  if (mode === 'selfHosted') {
    // The server's own options; the cloud-only ones (extra formats, cache, data ID, callback) are not offered.
    const options = await askSelfHostedOptions(title, start, LANGUAGES);
    if (!options) return undefined;
    // Remembered beside the cloud's last choice, which it leaves alone.
    await ctx.extension.globalState.update(LAST_OPTIONS_KEY, { ...last, selfHosted: options.selfHosted });
    return { options, mode };
  }

  const models: Pick<ModelVersion>[] = [
    {
      value: 'vlm',
      label: 'vlm',
      description: vscode.l10n.t('Vision-language model: best quality for most documents'),
    },
    {
      value: 'pipeline',
      label: 'pipeline',
      description: vscode.l10n.t('Classic pipeline: OCR, formula, table and language options apply'),
    },
    { value: 'MinerU-HTML', label: 'MinerU-HTML', description: vscode.l10n.t('For web pages (.html)') },
  ];
  const model = await pickOne(title, vscode.l10n.t('Model (2/6)'), models, proposedModel);
  if (!model) return undefined;

  const features: Pick<'ocr' | 'formula' | 'table' | 'noCache' | 'advanced'>[] = [
    {
      value: 'ocr',
      label: vscode.l10n.t('OCR'),
      description: vscode.l10n.t('Force OCR (scanned documents)'),
      picked: !!start.isOcr,
    },
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
    {
      value: 'noCache',
      label: vscode.l10n.t('No cache'),
      description: vscode.l10n.t("Fetch the URL again instead of using the service's cached copy"),
      picked: !!start.noCache,
    },
    {
      value: 'advanced',
      label: vscode.l10n.t('Data ID, callback and seed…'),
      description: vscode.l10n.t('Ask for them in the next steps'),
      picked: false,
    },
  ];
  const picked = await pickMany(title, vscode.l10n.t('Features (3/6)'), features);
  if (!picked) return undefined;

  const languages: Pick<string>[] = LANGUAGES.map((l) => ({
    value: l.id,
    label: l.id,
    description: l.label,
  }));
  const language = await pickOne(
    title,
    vscode.l10n.t('Document language (4/6)'),
    languages,
    start.language ?? 'ch',
  );
  if (!language) return undefined;

  const pages = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t(
      'Page ranges (5/6): leave empty for all pages. Example: 2,4-6 or 2--2 (page 2 to the second-to-last).',
    ),
    value: start.pageRanges ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return undefined;
      const r = parsePageRanges(v);
      return r.ok ? undefined : pageRangesText(r, vscode.l10n);
    },
  });
  if (pages === undefined) return undefined;

  const formats: Pick<ExtraFormat>[] = (['docx', 'html', 'latex'] as const).map((f) => ({
    value: f,
    label: f,
    picked: start.extraFormats?.includes(f) ?? false,
  }));
  const extra = await pickMany(title, vscode.l10n.t('Extra formats besides Markdown (6/6)'), formats);
  if (!extra) return undefined;

  let advanced: AdvancedChoice | undefined = {
    dataIdTemplate: start.dataIdTemplate ?? '',
    callback: start.callback,
    seed: start.seed,
  };
  if (picked.includes('advanced')) {
    advanced = await askAdvanced(title, advanced);
    if (!advanced) return undefined;
  }

  const range = pages.trim() ? parsePageRanges(pages) : undefined;
  const options: RunOptions = {
    modelVersion: model,
    isOcr: picked.includes('ocr'),
    enableFormula: picked.includes('formula'),
    enableTable: picked.includes('table'),
    language,
    ...(range?.ok ? { pageRanges: range.normalized } : {}),
    ...(extra.length ? { extraFormats: extra } : {}),
    ...(picked.includes('noCache') ? { noCache: true } : {}),
    ...(advanced.callback ? { callback: advanced.callback } : {}),
    ...(advanced.callback && advanced.seed ? { seed: advanced.seed } : {}),
    dataIdTemplate: advanced.dataIdTemplate,
  };
  await ctx.extension.globalState.update(LAST_OPTIONS_KEY, options);
  return { options, mode };
}

interface AdvancedChoice {
  dataIdTemplate: string;
  callback?: string | undefined;
  seed?: string | undefined;
}

/** Data ID template, callback URL and seed; the seed is required once a callback is given. */
async function askAdvanced(title: string, start: AdvancedChoice): Promise<AdvancedChoice | undefined> {
  const dataIdTemplate = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t(
      'Data ID template: {name}, {date}, {time}, {index}; letters, digits, _ . - only. Leave empty for none.',
    ),
    value: start.dataIdTemplate,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const problem = checkDataIdTemplate(v);
      return problem && dataIdProblemText(problem, vscode.l10n);
    },
  });
  if (dataIdTemplate === undefined) return undefined;
  const callback = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Callback URL the service calls when a document is done. Leave empty for none.'),
    value: start.callback ?? '',
    placeHolder: 'https://example.com/mineru-hook',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const problem = v.trim() ? checkSubmitOptions({ callback: v.trim(), seed: 'x' }) : undefined;
      return problem && submitProblemText(problem, vscode.l10n);
    },
  });
  if (callback === undefined) return undefined;
  let seed = start.seed;
  if (callback.trim()) {
    seed = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t(
        'Seed for the callback signature (required): letters, digits and underscores, up to 64.',
      ),
      value: start.seed ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => {
        if (!v.trim()) return vscode.l10n.t('A callback needs a seed.');
        const problem = checkSubmitOptions({ seed: v.trim() });
        return problem && submitProblemText(problem, vscode.l10n);
      },
    });
    if (seed === undefined) return undefined;
  }
  return { dataIdTemplate: dataIdTemplate.trim(), callback: callback.trim(), seed: seed?.trim() };
}
