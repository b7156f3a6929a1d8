import * as vscode from 'vscode';
import { MAX_REQUEST_URLS, parseRequest, type ParseRequest } from '../../core/links/parseRequest';
import type { TaskRecord } from '../../core/tasks/task';
import type { CommandContext } from '../commandContext';
import { currentDestination } from '../flows/destination';
import { submitUrls } from '../flows/submitUrls';

/**
 * `vscode://mineru-community.mineru-document-parser/parse?url=…`: a bookmarklet, Zotero or a script
 * sends links to VS Code. Such a link is untrusted, so it may only name documents (see
 * src/core/links/parseRequest.ts), and nothing is sent before the user says "Parse" in a modal
 * dialog that names the documents and the service they go to.
 */
export function registerUriHandler(ctx: CommandContext): vscode.Disposable {
  return vscode.window.registerUriHandler({
    handleUri: async (uri) => {
      await handleParseUri(ctx, uri);
    },
  });
}

/** Handles one request URI; resolves to the tasks created, or undefined when refused or cancelled. */
export async function handleParseUri(
  ctx: CommandContext,
  uri: vscode.Uri,
): Promise<TaskRecord[] | undefined> {
  const request = parseRequest(uri.path, uri.query);
  if (!request.ok) {
    ctx.logger.warn(`Refused a link from outside VS Code: ${request.problem}.`);
    void vscode.window.showErrorMessage(
      vscode.l10n.t('MinerU refused a link from outside VS Code: {0}', refusalText(request)),
    );
    return undefined;
  }
  ctx.logger.info(`A link from outside VS Code asks to parse ${request.urls.length} document(s).`);
  const destination = await currentDestination(ctx);
  const parse = vscode.l10n.t('Parse');
  const list = request.urls.join('\n');
  const where = destination
    ? vscode.l10n.t('They will be sent to {0}.', destination.label)
    : vscode.l10n.t('No service is set up yet; you will be asked next.');
  const unknown =
    request.unsupported.length > 0
      ? '\n\n' +
        vscode.l10n.t(
          '{0} link(s) do not end in a known document type (.pdf, .docx, .pptx, .png, .jpg, .html …). MinerU may not parse them.',
          request.unsupported.length,
        )
      : '';
  const answer = await vscode.window.showWarningMessage(
    request.urls.length === 1
      ? vscode.l10n.t('A link from outside VS Code asks MinerU to parse a document. Parse it?')
      : vscode.l10n.t(
          'A link from outside VS Code asks MinerU to parse {0} documents. Parse them?',
          request.urls.length,
        ),
    {
      modal: true,
      detail: `${list}\n\n${where} ${vscode.l10n.t('Parse only links you trust.')}${unknown}`,
    },
    parse,
  );
  if (answer !== parse) {
    ctx.logger.info('The link from outside VS Code was not parsed (cancelled).');
    return undefined;
  }
  return submitUrls(
    ctx,
    request.urls.map((url) => ({ url })),
    ctx.settings().defaults,
    destination?.mode,
  );
}

function refusalText(refused: Extract<ParseRequest, { ok: false }>): string {
  const { name = '', text = '', count = 0 } = refused.params;
  switch (refused.problem) {
    case 'forbiddenParam':
      return vscode.l10n.t(
        'it sets "{0}". A link may name documents only; the token, the service and the output folder always come from your settings. Remove "{0}" from the link.',
        name,
      );
    case 'unknownParam':
      return vscode.l10n.t(
        'it has the parameter "{0}", which is not known. Use only url=…, e.g. vscode://mineru-community.mineru-document-parser/parse?url=https%3A%2F%2Fexample.com%2Fpaper.pdf.',
        name,
      );
    case 'unknownPath':
      return vscode.l10n.t('"{0}" is not a known action. Use /parse?url=… with an encoded link.', text);
    case 'noUrl':
      return vscode.l10n.t('it names no document. Add url= and an encoded http or https link.');
    case 'tooMany':
      return vscode.l10n.t(
        'it names {0} documents; at most {1} fit in one link. Send them in several links.',
        count,
        MAX_REQUEST_URLS,
      );
    case 'badUrl':
      return vscode.l10n.t(
        '"{0}" is not a full http or https link. Send the whole address, encoded with encodeURIComponent.',
        text,
      );
  }
}
