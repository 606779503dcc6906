export { fieldsOf } from './fields.js';
export type { Field, FieldKind } from './fields.js';
export { resolveHeader, normalizeName, closestProperty, PREVIOUS_EVENT_ID } from './header.js';
export type { Column, ColumnMap, HeaderOptions, OtherKind } from './header.js';
export { mapCells, mapObject } from './record.js';
export { DIGEST_LENGTH, digestOf, generateEventId, rowHash } from './event-id.js';
export type { Mapped } from './record.js';
export { loadColumnMap } from './map-file.js';
