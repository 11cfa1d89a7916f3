import { parseArgs } from '../core/input.js';
import type { Command } from './types.js';

/** The command's words parsed by its zod schema; a failure names the problem and the usage. */
export function parseCommandArgs<A>(command: Command<A>, tokens: string[]): A {
  if (!command.args) return tokens as unknown as A;
  return parseArgs(command.args, tokens, command.usageKey);
}
