import type { EngineRoles } from './engine.js';

/** The process roles of a deployment (ROLE): `all` in one process, or split. */
export type ProcessRole = 'all' | 'bot' | 'worker' | 'scheduler';

/**
 * Which parts of the delivery engine a role runs. The bot relays the outbox and sends with the
 * adapters it holds (the WeCom robot lives there); workers relay and send; the scheduler plans
 * reminders and runs the recurring jobs. Every process sweeps what it runs.
 */
export function engineRoles(role: ProcessRole): EngineRoles {
  switch (role) {
    case 'all':
      return { relay: true, outbound: true, scheduler: true, sweep: true };
    case 'bot':
    case 'worker':
      return { relay: true, outbound: true, scheduler: false, sweep: true };
    case 'scheduler':
      return { relay: false, outbound: false, scheduler: true, sweep: true };
  }
}

/** Whether a role takes updates from the platforms (polling, webhooks, the WeCom robot). */
export const takesUpdates = (role: ProcessRole): boolean => role === 'all' || role === 'bot';
