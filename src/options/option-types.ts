/**
 * The options' types, derived from the table (table.ts) and written nowhere else, as npm-check-updates
 * derives its own from cli-options: the flags commander hands each command, and the library's options
 * under the same names. Adding a row to the table adds the option to both.
 */
import type { CommandName, TableRow } from './table.js';

/** An option's long name, as in its flags: `concurrency`, `no-trim`, `max-record-size`. */
type LongName<F> = F extends `${string}--${infer L} ${string}` ? L : F extends `${string}--${infer L}` ? L : never;
export type OptionName = LongName<TableRow['flags']>;

type Camel<S> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** The key an option has in flags and options: `--max-record-size` → maxRecordSize, `--no-trim` → trim. */
type Key<F> = Camel<LongName<F> extends `no-${infer Rest}` ? Rest : LongName<F>>;

/** What an option's value is: its parser's result, one of its choices, text, or on/off. */
type ValueOf<R> = R extends { parse: (...args: never[]) => infer T } ? T : R extends { choices: readonly (infer C)[] } ? C : R extends { flags: `${string}<${string}` } ? string : boolean;

/** The rows of command `C`'s options. */
type Of<C extends CommandName, R = TableRow> = R extends { commands: readonly (infer K)[] } ? (C extends K ? R : never) : never;
/** Options with a default commander applies: always there in the flags. */
type Given<R> = R extends { defaultValue: unknown } ? (R extends { appliedByRun: true } ? never : R) : never;

/** What commander hands command `C`'s action: every option of the command, parsed; those with a default always there. */
export type Flags<C extends CommandName> = { [R in Given<Of<C>> as Key<R['flags']>]: ValueOf<R> } & {
  [R in Exclude<Of<C>, Given<Of<C>>> as Key<R['flags']>]?: ValueOf<R> | undefined;
};

/** The library's options for command `C` (src/index.ts): the command's options but the command line's own, all optional. */
export type LibraryOptions<C extends CommandName> = {
  readonly [R in Exclude<Of<C>, { cliOnly: true }> as Key<R['flags']>]?: ValueOf<R> | undefined;
};

/** The library's options with every default of the table applied (resolveOptions). */
export type ResolvedOptions<C extends CommandName> = LibraryOptions<C> & {
  readonly [R in Exclude<Given<Of<C>>, { cliOnly: true }> as Key<R['flags']>]: ValueOf<R>;
};
