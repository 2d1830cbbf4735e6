/**
 * The internal gRPC API: the AppStore service bound to the service object,
 * bearer authentication from metadata (as REST does it), domain errors mapped
 * to status codes, server reflection (grpcurl list/describe/call) and the
 * standard health service.
 */
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { AppStoreService as AppStoreDefinition } from '../../../gen/appstore/v1/appstore.js';
import { DESCRIPTOR_SET_BASE64 } from '../../../gen/appstore/v1/descriptor-set.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { withRequestId } from '../../observability/request-scope.js';
import { boundedText } from '../../domain/error-text.js';
import { AppStoreError, invalidArgument } from '../../domain/errors.js';
import { MAX_VALUES_DEPTH } from '../../releases/values-checks.js';
import { callerToken, credentialsFrom, hasCredentials, type Authenticate } from '../credentials.js';
import { requestIdFrom } from '../request-id.js';
import type { AppStoreService } from './app-store-service.js';
import type { CallContext } from './call-context.js';
import { PUBLIC_METHODS } from './app-store-service.js';
import { reflectionPackage } from './reflection-descriptors.js';
import { toServiceError } from './status-codes.js';
import { unsafeStructKey } from './struct-keys.js';

export interface GrpcServerOptions {
  readonly service: AppStoreService;
  readonly authenticate: Authenticate;
  readonly log: Logger;
  /** Call counts and durations by method and code. */
  readonly metrics?: Metrics;
}

export interface GrpcServer {
  readonly server: Server;
  readonly health: HealthImplementation;
  listen(port: number, host?: string): Promise<number>;
  close(graceMs?: number): Promise<void>;
}

const SERVICE_NAME = 'appstore.v1.AppStore';

type Handler = (req: unknown, ctx: CallContext) => Promise<unknown>;

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  const implementation: UntypedServiceImplementation = {};
  for (const [key, def] of Object.entries(AppStoreDefinition)) {
    const method = (options.service as unknown as Record<string, unknown>)[key];
    // Methods the service does not offer yet are answered UNIMPLEMENTED by grpc-js.
    if (typeof method !== 'function') continue;
    const name = def.path.split('/').pop() ?? key;
    const handler = (method as Handler).bind(options.service);
    implementation[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      void handleUnary(options, name, handler, call, callback);
    };
  }
  server.addService(tolerantDecoding(AppStoreDefinition), implementation);

  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(reflectionPackage(DESCRIPTOR_SET_BASE64)).addToServer(server);

  return {
    server,
    health,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        );
      }),
    close: (graceMs = 10_000) =>
      new Promise((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

async function handleUnary(
  options: GrpcServerOptions,
  method: string,
  handler: Handler,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
): Promise<void> {
  const started = performance.now();
  const headers = metadataHeaders(call.metadata);
  const requestId = requestIdFrom(headers['x-request-id']);
  const log = options.log.child({ requestId, grpcMethod: method });
  try {
    if (call.request instanceof UndecodableRequest) throw call.request.error;
    const credentials = { ...credentialsFrom(headers), client: peerAddress(call.getPeer()) };
    const needsPrincipal = !PUBLIC_METHODS.has(method) || hasCredentials(credentials);
    const principal = needsPrincipal ? await withRequestId(requestId, () => options.authenticate(credentials)) : undefined;
    const response = await withRequestId(requestId, () => handler(call.request, { principal, requestId, log, callerToken: principal && callerToken(credentials) }));
    log.info({ code: 'OK', ms: Math.round(performance.now() - started) }, 'grpc call');
    options.metrics?.observeGrpc({ method, code: 'OK', seconds: (performance.now() - started) / 1000 });
    callback(null, response);
  } catch (err) {
    const serviceError = toServiceError(err);
    const level = serviceError.code === 13 ? 'error' : 'info';
    // Only internal errors are the store's own; details are bounded (toServiceError).
    log[level]({ code: serviceError.code, err: serviceError.details, ms: Math.round(performance.now() - started) }, 'grpc call failed');
    const code = GrpcStatus[serviceError.code ?? GrpcStatus.UNKNOWN] ?? 'UNKNOWN';
    options.metrics?.observeGrpc({ method, code, seconds: (performance.now() - started) / 1000 });
    callback(serviceError);
  }
}

/** grpc-js names the peer `address:port` (IPv6 unbracketed); failures are counted per address, not per connection. */
export function peerAddress(peer: string): string {
  const match = /^\[?(.+?)\]?:\d+$/.exec(peer);
  return match?.[1] ?? peer;
}

function metadataHeaders(metadata: Metadata): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (typeof values === 'string') headers[key.toLowerCase()] = values;
  }
  return headers;
}

/**
 * A request grpc-js could not decode. grpc-js answers a throwing deserializer
 * with INTERNAL, but a message that cannot be decoded (values nested past the
 * decoder's recursion limit, malformed bytes) is the caller's fault: the
 * deserializer returns this instead, and the call answers INVALID_ARGUMENT.
 */
class UndecodableRequest {
  constructor(readonly error: AppStoreError) {}
}

/** The Struct field holding values in the requests that carry them (see struct-keys.ts). */
const VALUES_FIELD: Readonly<Record<string, number>> = { installRelease: 6, upgradeRelease: 3, previewUpgradeRelease: 3 };

function tolerantDecoding<D extends Record<string, { requestDeserialize: (bytes: Buffer) => unknown }>>(definition: D): D {
  const wrapped: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const valuesField = VALUES_FIELD[key];
    wrapped[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          const unsafe = valuesField === undefined ? undefined : unsafeStructKey(bytes, valuesField);
          if (unsafe !== undefined) {
            const message = 'is a key gRPC\'s Struct cannot carry here (it would be lost); send these values over REST';
            return new UndecodableRequest(
              new AppStoreError('Unprocessable', `${boundedText(unsafe, 256)} ${message}`, { fields: [{ path: boundedText(unsafe, 256), message }] }),
            );
          }
          return method.requestDeserialize(bytes);
        } catch (err) {
          const reason = boundedText(err instanceof Error ? err.message : String(err), 200);
          return new UndecodableRequest(invalidArgument(`the request message could not be decoded (${reason}); values may nest at most ${MAX_VALUES_DEPTH} levels`));
        }
      },
    };
  }
  return wrapped as D;
}
