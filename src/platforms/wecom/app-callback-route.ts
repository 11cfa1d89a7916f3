/**
 * The self-built app's callback URL (接收消息服务器) as a fastify plugin. GET is WeCom's URL
 * verification (answered with the decrypted echostr); POST carries a member's message or event.
 * Every request is checked by callback-security.ts; a genuine POST is answered "success" at
 * once and handled afterwards, because WeCom retries callbacks not answered within 5 seconds;
 * such a retry (the same request again) is answered "success" too and not handled again.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from '../../core/logger.js';
import { CallbackRejected, MAX_CALLBACK_BYTES, type CallbackMessage, type CallbackSecurity } from './callback-security.js';

export const DEFAULT_CALLBACK_PATH = '/wecom/callback';

export interface CallbackRouteOptions {
  security: CallbackSecurity;
  /** Takes an opened message; called after the answer left, must not throw. */
  accept(message: CallbackMessage): void;
  logger: Logger;
  /** Default /wecom/callback. */
  path?: string;
}

const STATUS: Record<CallbackRejected['reason'], number> = {
  repeat: 200,
  'bad-signature': 403,
  stale: 403,
  replay: 403,
  'bad-receiver': 403,
  'bad-body': 400,
  'too-large': 413,
};

/**
 * The plugin. Register it on the HTTP server as it is (`app.register(route)`); it reads its own
 * raw bodies and does not change how the rest of the server parses them.
 */
export function wecomCallbackRoute(options: CallbackRouteOptions): FastifyPluginAsync {
  const { security, accept, logger } = options;
  const path = options.path ?? DEFAULT_CALLBACK_PATH;

  function refuse(reply: FastifyReply, err: unknown): FastifyReply {
    if (err instanceof CallbackRejected && err.reason === 'repeat') {
      // WeCom did not get our first answer and sent the same again: it was handled, say so.
      logger.debug('wecom callback repeated; answered again, not acted on again');
      return reply.code(200).type('text/plain').send('success');
    }
    if (err instanceof CallbackRejected) {
      logger.warn({ reason: err.reason }, 'wecom callback refused');
      return reply.code(STATUS[err.reason]).type('text/plain').send('refused');
    }
    // Redis down (nonce store) and the like: a 5xx makes WeCom try again later.
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'wecom callback could not be checked');
    return reply.code(503).type('text/plain').send('try later');
  }

  return async (fastify) => {
    // Encapsulated: these parsers apply to this plugin's routes only.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CALLBACK_BYTES }, (_request, body, done) => done(null, body));

    fastify.get(path, async (request, reply) => {
      try {
        const echo = await security.verifyUrl(request.query as Record<string, unknown>);
        return reply.type('text/plain').send(echo);
      } catch (err) {
        return refuse(reply, err);
      }
    });

    fastify.post(path, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let message: CallbackMessage;
      try {
        message = await security.openCallback(request.query as Record<string, unknown>, body);
      } catch (err) {
        return refuse(reply, err);
      }
      setImmediate(() => {
        try {
          accept(message);
        } catch (err) {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'wecom callback handling failed');
        }
      });
      return reply.type('text/plain').send('success');
    });
  };
}
