import type { Readable } from 'node:stream';
import { localFlow } from './hand-over.js';
import { MapStage } from './map-stage.js';
import type { Parcel } from './parcel.js';
import { openParseStage } from './parse-stage.js';
import type { ParsedChunk } from './parse-stage.js';
import type { PrepareSettings } from './prepare-settings.js';
import { loadRowTools } from './row-tools.js';
import type { RowTools } from './row-tools.js';

/** The stage (a PreparedInput, index.ts) on the main thread, for small inputs: the same two stages, joined by an in-thread hand-over. */
export async function prepareHere(settings: PrepareSettings, stdin: Readable | undefined, ahead: number) {
  const parse = await openParseStage(settings, stdin);
  let map: MapStage;
  let tools: RowTools;
  try {
    tools = await loadRowTools(settings);
    map = new MapStage(settings, parse.sources, tools);
  } catch (error) {
    parse.close();
    throw error;
  }
  const chunks = localFlow<ParsedChunk>(ahead);
  const parcels = localFlow<Parcel>(ahead);
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
        tools.ledger?.close();
      })()),
  };
}
