import { describe, expect, it } from 'vitest';
import { errcodeFailure, robotFailure } from '../../../src/platforms/wecom/errors.js';

describe('WeCom errcodes in the delivery engine’s terms (90455, 101463)', () => {
  it('retries what WeCom asks to retry, and gives up only on what cannot change', () => {
    const robot = (errcode: number) => robotFailure({ headers: { req_id: 'r' }, errcode, errmsg: 'x' }).failure;
    // 846607: 30 a minute / 1000 an hour per chat — a notice that hits it waits, it is not lost.
    expect(robot(846607)).toEqual({ kind: 'rate-limited', retryAfterMs: 60_000 });
    for (const errcode of [846605, 846606, 846608]) expect(robot(errcode)).toMatchObject({ kind: 'rejected' });
    expect(errcodeFailure(-1, 'system busy')).toEqual({ kind: 'rate-limited', retryAfterMs: 5_000 });
    for (const errcode of [60020, 48002, 40056]) expect(errcodeFailure(errcode, 'x')).toEqual({ kind: 'rate-limited', retryAfterMs: 300_000 });
    expect(errcodeFailure(60102, 'userid existed')).toMatchObject({ kind: 'rejected' });
    for (const errcode of [81013, 60111, 86003]) expect(errcodeFailure(errcode, 'x')).toMatchObject({ kind: 'unreachable' });
  });
});
