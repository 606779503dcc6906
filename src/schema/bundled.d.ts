// Types of dist/schema/bundled.js, which the build writes (scripts/build-schemas.js): the bundled schemas
// compiled by Ajv into standalone code, one validate function per record kind.
import type { ValidateFunction } from 'ajv';

export declare const conversation: ValidateFunction;
export declare const customer: ValidateFunction;
export declare const agent: ValidateFunction;
