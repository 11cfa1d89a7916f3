import { pino } from 'pino';

/** A SQLSTATE (PostgreSQL's error codes: 23505, 40001, 57P01, P0001 …), not a Node code such as EPIPE. */
const SQLSTATE = /^(?:[0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/** The fields of an error (or anything thrown) this file looks at. */
interface Thrown {
  message?: unknown;
  code?: unknown;
  severity?: unknown;
  cause?: unknown;
  stack?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
}

/** `err` and its causes, outermost first. */
function causes(err: unknown): Thrown[] {
  const out: Thrown[] = [];
  for (let e = err; e !== null && typeof e === 'object' && out.length < 5; e = (e as Thrown).cause) out.push(e as Thrown);
  return out;
}

const className = (e: Thrown) => (e as object).constructor?.name ?? 'Error';
const sqlstate = (e: Thrown) => (typeof e.code === 'string' && SQLSTATE.test(e.code) ? e.code : undefined);

/**
 * A failed query: drizzle's wrapper (its message is the query with its parameters, which also sit
 * in its `params`), or an error PostgreSQL or PGlite answered with (its message and detail quote
 * the offending values).
 */
function fromQuery(e: Thrown): boolean {
  return className(e) === 'DrizzleQueryError' || (typeof e.message === 'string' && e.message.startsWith('Failed query:'))
    || sqlstate(e) !== undefined;
}

/**
 * What a log line may say about an error (pino's `err` serializer). When a query failed, the
 * message and the parameters are members' words (a note's title, a typed reply), so such an error
 * is logged by its classes, SQLSTATE, the constraint, table and column it names, and its stack
 * frames, never by its messages; a client-side cause without a SQLSTATE ("Connection terminated
 * unexpectedly") keeps its message. Any other error is logged as pino logs errors.
 */
export function loggableError(err: unknown): unknown {
  const chain = causes(err);
  if (!chain.some(fromQuery)) return err instanceof Error ? pino.stdSerializers.err(err) : err;
  const first = <K extends keyof Thrown>(key: K) => chain.map((e) => e[key]).find((v) => typeof v === 'string') as string | undefined;
  const clientSide = chain.find((e) => !fromQuery(e) && typeof e.message === 'string');
  const stack = typeof chain[0]!.stack === 'string' ? chain[0]!.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n') : undefined;
  return {
    type: chain.map(className).join(' ← '),
    sqlstate: chain.map(sqlstate).find((c) => c !== undefined),
    code: chain.map((e) => e.code).find((c) => typeof c === 'string' && !SQLSTATE.test(c)),
    constraint: first('constraint'), table: first('table'), column: first('column'),
    message: clientSide?.message,
    stack,
  };
}
