import type { EngineEvent } from '../steps/types.js';
import { planLines, restoreTestLines, sanitize, seconds } from './format.js';

/**
 * One plain line per event, no escape codes: for pipes, CI logs and `--yes` runs.
 * Workflow run updates print only what changed; a job's steps and the secrets' count, their
 * final state.
 */
export function plainReporter(write: (line: string) => void, opts: { deployUser: string }): (e: EngineEvent) => void {
  const seen = new Map<string, string>();
  let lastProgress = -1;
  return (e) => {
    switch (e.type) {
      case 'step-start':
        write(`... ${e.title}`);
        break;
      case 'step-end':
        write(`${e.status === 'fail' ? 'FAIL' : e.status === 'done' ? 'done' : e.status.padEnd(4)} ${e.id}: ${e.detail} (${seconds(e.ms)})`);
        break;
      case 'output':
        write(`    | ${sanitize(e.line)}`);
        break;
      case 'progress':
        // A log keeps the final count, not one line per secret.
        if (e.done === e.total && e.total !== lastProgress) write(`    ${e.done}/${e.total} secrets`);
        lastProgress = e.done === e.total ? e.total : lastProgress;
        break;
      case 'plan':
        for (const l of planLines(e.plan)) write(l);
        break;
      case 'warning':
        write(`warning: ${e.message}`);
        break;
      case 'host-key':
        if (e.recorded) write(`trusted new host key ${e.info.type} ${e.info.fingerprint}`);
        break;
      case 'run': {
        const head = `run ${e.status}${e.conclusion ? ` (${e.conclusion})` : ''} ${e.url}`;
        if (seen.get('run') !== head) write(head);
        seen.set('run', head);
        for (const j of e.jobs) {
          const jl = `  job ${j.name}: ${j.conclusion ?? j.status}`;
          if (seen.get(`j${j.id}`) !== jl) write(jl);
          seen.set(`j${j.id}`, jl);
          for (const s of j.steps) {
            // Each step once, when it has its outcome.
            if (s.status !== 'completed') continue;
            const sl = `    step ${s.name}: ${s.conclusion ?? s.status}`;
            const k = `s${j.id}.${s.number}`;
            if (seen.get(k) !== sl) write(sl);
            seen.set(k, sl);
          }
        }
        break;
      }
      case 'summary': {
        const s = e.summary;
        write('Summary:');
        if (!s.changed.length && !s.verified) write('  nothing to change: host and repository were already set up');
        for (const c of s.changed) write(`  ${c}`);
        if (s.rotated?.length) write(`  rotated: ${s.rotated.join(', ')}`);
        if (s.runUrl) write(`  release: ${s.conclusion} ${s.runUrl}`);
        for (const v of s.verified ?? []) write(`  checked: ${v}`);
        write(`  site: ${s.siteUrl}`);
        for (const m of s.manual) write(`  to do by hand: ${m}`);
        // A passed drill is the restore test; without one, how to make it by hand.
        if (!s.drilled) for (const l of restoreTestLines(s.ssh)) write(`  ${l}`);
        write(`  the proxy's compose file: ${s.proxyFile}`);
        write('  Rotate credentials later: npx create-litestream-host --rotate');
        break;
      }
      default:
        break;
    }
  };
}
