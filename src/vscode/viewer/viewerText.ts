import * as vscode from 'vscode';
import type { ViewerIssue } from '../../core/viewer/contentList';

/** Why a content list was refused, for the user: the core's reason code, worded through l10n. */
export function viewerIssueText(issue: ViewerIssue): string {
  const index = String(issue.params.index ?? '?');
  switch (issue.reason) {
    case 'contentList.notJson':
      return vscode.l10n.t('it is not valid JSON');
    case 'contentList.notArray':
      return vscode.l10n.t('it is not a list of blocks');
    case 'contentList.tooManyBlocks':
      return vscode.l10n.t('it has more than {0} blocks', String(issue.params.max ?? ''));
    case 'contentList.blockNotObject':
      return vscode.l10n.t('block {0} is not an object', index);
    case 'contentList.noType':
      return vscode.l10n.t('block {0} has no type', index);
    case 'contentList.badPage':
      return vscode.l10n.t('block {0} has no valid page_idx', index);
    case 'contentList.badBbox':
      return vscode.l10n.t('block {0} has an invalid bbox', index);
    case 'contentList.badField':
      return vscode.l10n.t('block {0} has an invalid {1}', index, String(issue.params.field ?? ''));
    default:
      return issue.reason;
  }
}
