import { ExitCode } from './exit.js';

/** After a second signal, how long the run may take to write its report's last lines and its outputs before the process exits anyway. */
const LAST_WRITES_MS = 5_000;

/**
 * First SIGINT/SIGTERM: the run stops reading and finishes the requests in flight (--drain-timeout).
 * Second: those requests are cut off at once (`hurry`), and the run ends as it always does, writing its
 * summary, metrics, page and releasing its report lock: the second signal skips the drain, not the small
 * writes after it. If they have not finished within LAST_WRITES_MS (or on a third signal), every
 * finished row still buffered is written to the report (`flush`), and the process exits.
 */
export function interruptSignal(): { signal: AbortSignal; hurry: AbortSignal; onFlush: (flush: () => void) => void; dispose: () => void } {
  const controller = new AbortController();
  const hurry = new AbortController();
  let flush: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const exitNow = (name: NodeJS.Signals): never => {
    flush?.();
    process.stderr.write(`bulk-submit: exiting now; the report holds every row finished so far\n`);
    process.exit(name === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  };
  const handler = (name: NodeJS.Signals): void => {
    if (hurry.signal.aborted) exitNow(name);
    if (controller.signal.aborted) {
      process.stderr.write(`bulk-submit: ${name} again: cutting off the requests in flight, then writing the outputs (send it a third time to exit at once)\n`);
      hurry.abort(name);
      timer = setTimeout(() => exitNow(name), LAST_WRITES_MS);
      return;
    }
    process.stderr.write(`bulk-submit: ${name}: finishing requests in flight (send it again to cut them off)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    hurry: hurry.signal,
    onFlush: (f) => (flush = f),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      clearTimeout(timer);
    },
  };
}
