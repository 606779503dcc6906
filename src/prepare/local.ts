import type { Readable } from 'node:stream';
import { AHEAD, localFlow } from './flow.js';
import { MapStage } from './map-stage.js';
import type { Parcel } from './parcel.js';
import { openParseStage } from './parse-stage.js';
import type { ParsedChunk } from './parse-stage.js';
import type { PrepareSettings, SourceInfo } from './settings.js';
import { loadRowTools } from './tools.js';

/** The preparing stage as the sending side sees it. */
export interface PreparedInput {
  /** The inputs, opened (CSV headers read and resolved): parcels name them by index. */
  readonly sources: readonly SourceInfo[];
  /** The parcels, in input order; one consumer. Throws what stopped the stage, after the parcels before it. */
  parcels(): AsyncGenerator<Parcel>;
  /** Stops reading and ends the stage; safe to call at any time, more than once. */
  close(): Promise<void>;
}

/** The stage on the main thread, for small inputs: the same two stages, joined by an in-thread flow. */
export async function prepareHere(settings: PrepareSettings, stdin: Readable | undefined): Promise<PreparedInput> {
  const parse = await openParseStage(settings, stdin);
  let map: MapStage;
  try {
    map = new MapStage(settings, parse.sources, await loadRowTools(settings));
  } catch (error) {
    parse.close();
    throw error;
  }
  const chunks = localFlow<ParsedChunk>(AHEAD);
  const parcels = localFlow<Parcel>(AHEAD);
  const reading = parse.run(chunks.outlet).catch((error: unknown) => chunks.outlet.fail(error));
  const mapping = map.run(chunks.inlet, parcels.outlet).catch((error: unknown) => parcels.outlet.fail(error));
  let closed: Promise<void> | undefined;
  return {
    sources: parse.sources,
    parcels: () => parcels.inlet.items(),
    close: () =>
      (closed ??= (async () => {
        parcels.inlet.stop();
        chunks.inlet.stop();
        parse.close();
        await Promise.all([reading, mapping]);
      })()),
  };
}
