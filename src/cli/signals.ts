import { ExitCode } from './exit.js';

/**
 * First SIGINT/SIGTERM: the run stops reading and finishes the requests in flight (--drain-timeout).
 * Second: every finished row still buffered is written to the report (`flush`), and the process exits.
 */
export function interruptSignal(): { signal: AbortSignal; onFlush: (flush: () => void) => void; dispose: () => void } {
  const controller = new AbortController();
  let flush: (() => void) | undefined;
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      flush?.();
      process.stderr.write(`bulk-submit: ${name} again, exiting now; the report holds every row finished so far\n`);
      process.exit(name === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    }
    process.stderr.write(`bulk-submit: ${name}: finishing requests in flight (send it again to exit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    onFlush: (f) => (flush = f),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
