// @ts-check
// The self-hosted section of the benchmark (issue 14): the extension against the self-hosted fake
// (mineru-api 3.4.4, living in this process). Requests per document: one submit, polls spaced by
// the poller's backoff (the cloud's), one result download. A large upload (multipart POST /tasks,
// streamed from disk): resident memory above idle, and wall time against `curl -F` to the same server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MB, NOISE, check, driverJson, figure, measure, ratioWithin, stallFigures } from './lib.mjs';

/** The poller's first interval (src/core/tasks/poller.ts DEFAULT tuning): no poll comes sooner. */
const MIN_POLL_INTERVAL_MS = 2_000;

/** Writes a file of `bytes` that the server sniffs as a PDF: a PDF header, then incompressible bytes. */
async function writePdfNoise(file, bytes) {
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const header = Buffer.from('%PDF-1.7\n', 'latin1');
  const out = fs.createWriteStream(file);
  out.write(header);
  let left = bytes - header.length;
  while (left > 0) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    left -= piece.length;
    if (!out.write(piece)) await /** @type {Promise<void>} */ (new Promise((r) => out.once('drain', r)));
  }
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
  );
}

export async function selfHostedSection(ctx, { runs, uploadMb, stepMs, pages, log }) {
  const { startFakeSelfHosted } = await import(
    path.join(ctx.repoRoot, 'out', 'test', 'fake-mineru', 'selfHosted', 'server.js')
  );
  /** @type {ReturnType<typeof figure>[]} */
  const figures = [];
  /** @type {{ doc: any[], upload: { ours: any[], curl: any[] } }} */
  const raw = { doc: [], upload: { ours: [], curl: [] } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mineru-bench-selfhosted-'));
  try {
    // ---- requests per document ----
    const fake = await startFakeSelfHosted({ stepMs, pages });
    try {
      const doc = path.join(dir, `bench-own-pages-${pages}.pdf`);
      await writePdfNoise(doc, 64 * 1024);
      for (let run = 0; run < runs; run++) {
        fake.reset();
        const out = fs.mkdtempSync(path.join(dir, 'out-'));
        const r = await measure('node', [
          ctx.out('selfHostedDriver.js'),
          '--mode',
          'doc',
          '--url',
          fake.baseUrl,
          '--file',
          doc,
          '--out',
          out,
        ]);
        const j = driverJson(r, 'self-hosted document');
        const reqs = fake.requests;
        const submits = reqs.filter((q) => q.method === 'POST' && q.path === '/tasks').length;
        const polls = reqs.filter((q) => q.method === 'GET' && /^\/tasks\/[^/]+$/.test(q.path));
        const results = reqs.filter(
          (q) => q.method === 'GET' && /^\/tasks\/[^/]+\/result$/.test(q.path),
        ).length;
        const start = reqs.find((q) => q.method === 'POST')?.time ?? 0;
        const times = [start, ...polls.map((q) => q.time)];
        const gaps = times.slice(1).map((t, i) => t - times[i]);
        raw.doc.push({
          ms: j.ms,
          submits,
          polls: polls.length,
          results,
          gaps,
          other: reqs.length - submits - polls.length - results,
        });
        log(
          `self-hosted doc run ${run + 1}: ${submits} submit, ${polls.length} polls (gaps ${gaps.join(', ')} ms), ${results} result, ${j.ms} ms`,
        );
        fs.rmSync(out, { recursive: true, force: true });
      }
    } finally {
      await fake.close();
    }
    const each = (k) => raw.doc.map((d) => d[k]);
    const minGaps = raw.doc.map((d) => Math.min(...d.gaps));
    figures.push(
      figure({
        section: 'selfHosted',
        name: 'self-hosted: submits per document',
        unit: 'req',
        ours: each('submits'),
        goal: '1',
        pass: ({ ours }) => ours.max === 1 && ours.min === 1,
      }),
      figure({
        section: 'selfHosted',
        name: 'self-hosted: result downloads per document',
        unit: 'req',
        ours: each('results'),
        goal: '1',
        pass: ({ ours }) => ours.max === 1 && ours.min === 1,
      }),
      figure({
        section: 'selfHosted',
        name: 'self-hosted: other requests per document',
        unit: 'req',
        ours: each('other'),
        goal: '0',
        pass: ({ ours }) => ours.max === 0,
      }),
      figure({
        section: 'selfHosted',
        name: 'self-hosted: polls per document',
        unit: 'req',
        ours: each('polls'),
        note: `gaps between polls (ms), per run: ${raw.doc.map((d) => d.gaps.join('/')).join('; ')}`,
      }),
      figure({
        section: 'selfHosted',
        name: 'self-hosted: shortest gap between polls',
        unit: 'ms',
        ours: minGaps,
        goal: `≥ ${MIN_POLL_INTERVAL_MS} ms (the cloud's first interval)`,
        pass: ({ ours }) => ours.min >= MIN_POLL_INTERVAL_MS * 0.95,
      }),
      figure({
        section: 'selfHosted',
        name: 'self-hosted: time to the result, 1 doc',
        unit: 'ms',
        ours: each('ms'),
      }),
    );

    // ---- a large upload ----
    const server = await startFakeSelfHosted({ progress: 'manual' });
    try {
      const file = path.join(dir, `upload-${uploadMb}.pdf`);
      await writePdfNoise(file, uploadMb * MB);
      const samples = raw.upload;
      for (let run = 0; run < runs; run++) {
        const pair = [
          async () => {
            const r = await measure('node', [
              ctx.out('selfHostedDriver.js'),
              '--mode',
              'upload',
              '--url',
              server.baseUrl,
              '--file',
              file,
            ]);
            const j = driverJson(r, `self-hosted upload (${uploadMb} MB)`);
            samples.ours.push({
              ms: j.ms,
              peakKb: j.peakKb,
              idleKb: j.idleKb,
              stallMaxMs: j.stallMaxMs,
              stallP99Ms: j.stallP99Ms,
              stallCpuMaxMs: j.stallCpuMaxMs,
            });
          },
          async () => {
            const r = check(
              await measure('curl', [
                '-sS',
                '--fail',
                '-o',
                '/dev/null',
                '-F',
                `files=@${file};type=application/pdf`,
                '-F',
                'return_md=true',
                '-F',
                'response_format_zip=true',
                `${server.baseUrl}/tasks`,
              ]),
              'curl -F',
            );
            samples.curl.push({ ms: r.wallMs, peakKb: r.peakKb });
          },
        ];
        if (run % 2) pair.reverse();
        for (const step of pair) await step();
        const last = server.requests.filter((q) => q.method === 'POST').slice(-2);
        if (!last.every((q) => q.status === 202 && q.files[0]?.size === uploadMb * MB))
          throw new Error(
            `an upload did not deliver every byte: ${JSON.stringify(last.map((q) => [q.status, q.files[0]?.size]))}`,
          );
        server.reset();
        log(
          `self-hosted upload ${uploadMb} MB run ${run + 1}: ours ${Math.round(samples.ours.at(-1).ms)} ms, curl -F ${Math.round(samples.curl.at(-1).ms)} ms, ours +${Math.round((samples.ours.at(-1).peakKb - samples.ours.at(-1).idleKb) / 1024)} MB over idle`,
        );
      }
      fs.rmSync(file, { force: true });
      figures.push(
        figure({
          section: 'selfHosted',
          name: `self-hosted upload ${uploadMb} MB: wall vs curl -F`,
          unit: 'ms',
          ours: samples.ours.map((s) => s.ms),
          ref: samples.curl.map((s) => s.ms),
          refName: 'curl -F',
          goal: '≤ 1.2×',
          pass: ({ ratio }) => ratio <= 1.2,
          check: ratioWithin(1.2),
        }),
        figure({
          section: 'selfHosted',
          name: `self-hosted upload ${uploadMb} MB: peak RSS above idle`,
          unit: 'MB',
          ours: samples.ours.map((s) => (s.peakKb - s.idleKb) / 1024),
          ref: samples.curl.map((s) => s.peakKb / 1024),
          refName: 'curl peak RSS',
          goal: '≤ 60 MB',
          pass: ({ ours }) => ours.max <= 60,
          check: ({ ours }) => ours.median <= 60 * NOISE.memory,
          note: `idle RSS ${Math.round(samples.ours[0].idleKb / 1024)} MB`,
        }),
        ...stallFigures('selfHosted', `self-hosted upload ${uploadMb} MB`, samples.ours),
      );
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { figures, raw };
}
