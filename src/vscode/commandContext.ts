import type * as vscode from 'vscode';
import type { ParseOptions } from '../core/api/types';
import type { ParseEngine, UrlItem } from '../core/tasks/engine';
import type { TaskMode, TaskRecord } from '../core/tasks/task';
import type { TaskStore } from '../core/tasks/taskStore';
import type { EndpointConsent } from './endpointConsent';
import type { OutputLogger } from './log';
import type { SelfHostedCredentialStore } from './selfHostedCredential';
import type { MinerUSettings } from './settings';
import type { TokenStore } from './tokenStore';
import type { TaskTreeProvider } from './taskTree';

/** What every command needs, built once in extension.ts. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  engine: ParseEngine;
  store: TaskStore;
  tokens: TokenStore;
  /** The credential of the reverse proxy in front of the user's own MinerU server. */
  serverCredential: SelfHostedCredentialStore;
  consent: EndpointConsent;
  logger: OutputLogger;
  tree: TaskTreeProvider;
  treeView: vscode.TreeView<unknown>;
  settings: () => MinerUSettings;
  /**
   * True only in a test host (ExtensionMode Development or Test): commands then accept a URL to
   * submit without the input box and return what they created. Never true in production, where
   * any other extension could run our commands.
   */
  automation: boolean;
  /** Downloads URLs here and uploads them (set by the file commands, used by "always upload"). */
  uploadUrls?: (request: UploadUrlsRequest) => Promise<TaskRecord[] | undefined>;
}

/** URLs to download here and upload, with the run's options and output folder. */
export interface UploadUrlsRequest {
  urls: UrlItem[];
  options: ParseOptions;
  outputDir: string;
  mode?: TaskMode;
}
