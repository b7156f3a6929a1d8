/** The user's text of a self-hosted MinerU server's errors (src/core/services/selfHosted/serverErrors.ts). */
import type { ErrorReason } from '../core/errors';
import { num, str, type Texts } from './l10nText';

export const SELF_HOSTED_TEXTS = {
  'selfHosted.notConfigured': {
    message: (_p, l10n) => l10n.t('No self-hosted MinerU server is set'),
    hint: (_p, l10n) =>
      l10n.t(
        'Set mineru.selfHosted.url to your mineru-api or mineru-router server, e.g. http://127.0.0.1:8000',
      ),
  },
  'selfHosted.badUrl': {
    message: (p, l10n) =>
      l10n.t('The self-hosted server URL must be http or https: {0}', str(p, 'url') ?? ''),
    hint: (_p, l10n) => l10n.t('Set mineru.selfHosted.url to the server, e.g. http://127.0.0.1:8000'),
  },
  'selfHosted.unreachable': {
    message: (p, l10n) =>
      l10n.t(
        'The MinerU server at {0} could not be reached ({1})',
        str(p, 'host') ?? '',
        str(p, 'code') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t(
        'Check that mineru-api (or mineru-router) is running there and that mineru.selfHosted.url is right, then Retry',
      ),
  },
  'selfHosted.credential': {
    message: (p, l10n) =>
      num(p, 'set') === 1
        ? l10n.t(
            'The server at {0} refused the credential (HTTP {1})',
            str(p, 'host') ?? '',
            num(p, 'status'),
          )
        : l10n.t(
            'The server at {0} asks for a credential (HTTP {1})',
            str(p, 'host') ?? '',
            num(p, 'status'),
          ),
    hint: (_p, l10n) =>
      l10n.t('Check the credential for this server (MinerU: Set Self-Hosted Server Credential)'),
  },
  'selfHosted.busy': {
    message: (p, l10n) => {
      const detail = str(p, 'detail') ?? '';
      return detail
        ? l10n.t('The server at {0} is busy or not ready (HTTP 503: {1})', str(p, 'host') ?? '', detail)
        : l10n.t('The server at {0} is busy or not ready (HTTP 503)', str(p, 'host') ?? '');
    },
    hint: (_p, l10n) => l10n.t('It is tried again with growing waits; check the server if it stays busy'),
  },
  'selfHosted.taskNotFound': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} no longer knows this task (it was restarted, or the task expired)',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) => l10n.t('Retry to submit the document again'),
  },
  'selfHosted.noRoute': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} has no route {1} (HTTP {2})',
        str(p, 'host') ?? '',
        str(p, 'path') ?? '',
        num(p, 'status'),
      ),
    hint: (_p, l10n) =>
      l10n.t(
        'Check mineru.selfHosted.url: it must point at a MinerU 3.x server (mineru-api or mineru-router)',
      ),
  },
  'selfHosted.invalidOption': {
    message: (p, l10n) =>
      l10n.t('The server refused the option {0}: {1}', str(p, 'field') ?? '', str(p, 'detail') ?? ''),
    hint: (_p, l10n) => l10n.t('Change this option in "with Options…" or the settings, then parse again'),
  },
  'selfHosted.tooLarge': {
    message: (p, l10n) =>
      l10n.t('The server at {0} refused the upload as too large (HTTP 413)', str(p, 'host') ?? ''),
    hint: (_p, l10n) =>
      l10n.t(
        'Raise the body size limit of the reverse proxy in front of the server (client_max_body_size for nginx)',
      ),
  },
  'selfHosted.redirect': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} redirected to {1}; redirects are not followed',
        str(p, 'host') ?? '',
        str(p, 'location') || '(nowhere)',
      ),
    hint: (_p, l10n) => l10n.t('Set mineru.selfHosted.url to the address the server redirects to'),
  },
  'selfHosted.http': {
    message: (p, l10n) => {
      const detail = str(p, 'detail') ?? '';
      return detail
        ? l10n.t('The server at {0} answered HTTP {1}: {2}', str(p, 'host') ?? '', num(p, 'status'), detail)
        : l10n.t('The server at {0} answered HTTP {1}', str(p, 'host') ?? '', num(p, 'status'));
    },
    hint: (p, l10n) =>
      num(p, 'status') >= 500
        ? l10n.t('See the server log; Retry when it is fixed')
        : l10n.t('Check mineru.selfHosted.url'),
  },
  'selfHosted.badAnswer': {
    message: (p, l10n) =>
      l10n.t(
        'The server at {0} answered without a task status; is it a MinerU 3.x server?',
        str(p, 'host') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('Check mineru.selfHosted.url: it must point at mineru-api or mineru-router 3.x'),
  },
  'selfHosted.pageRange': {
    message: (p, l10n) =>
      l10n.t(
        'A self-hosted server counts pages from the start; "{0}" counts from the end',
        str(p, 'ranges') ?? '',
      ),
    hint: (_p, l10n) =>
      l10n.t('Use page numbers such as "1-20,25", and "5--1" only for the last piece (page 5 to the end)'),
  },
} satisfies Partial<Record<ErrorReason, Texts>>;
