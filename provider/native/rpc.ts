// The gRPC side of the native face: unary handlers that run an async function and answer its result
// or its error, in the forms the engine reads. No domain here.

import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";

type Props = Record<string, unknown>;

/**
 * A failure after the postback became the resource's: the engine records `id` with `properties` (and
 * `inputs`) instead of losing track of it, and shows `reasons`.
 */
export interface InitFailure {
  message: string;
  id: string;
  properties: Props;
  inputs?: Props;
  reasons: string[];
}

/** A struct as plain JavaScript (values in the engine's encoding: secrets wrapped, unknowns marked). */
export function fromStruct(struct: structproto.Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

export function toStruct(props: Props): structproto.Struct {
  return structproto.Struct.fromJavaScript(withoutUndefined(props) as Record<string, never>);
}

/** Struct.fromJavaScript refuses undefined; an absent value and an undefined one are the same here. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  );
}

/**
 * A unary handler around `run`: its result answers the call, its error fails it (an initialisation
 * failure with the details the engine needs to record the resource). `served` counts the call from
 * its start until it answers.
 */
export function unary<Req, Res>(
  run: (request: Req) => Promise<Res>,
  served?: { begin(): () => void },
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const answered = served?.begin();
    run(call.request).then(
      (response) => {
        answered?.();
        callback(null, response);
      },
      (error: unknown) => {
        answered?.();
        callback(serviceError(error));
      },
    );
  };
}

/** What the engine reads of a failed call: the message, and the details of an initialisation failure. */
function serviceError(error: unknown): Partial<grpc.ServiceError> {
  const message = error instanceof Error ? error.message : String(error);
  const init = asInitFailure(error);
  if (!init) return { code: grpc.status.UNKNOWN, details: message };
  const detail = new provproto.ErrorResourceInitFailed();
  detail.setId(init.id);
  detail.setProperties(toStruct(init.properties));
  if (init.inputs) detail.setInputs(toStruct(init.inputs));
  detail.setReasonsList(init.reasons);
  const packed = new anyproto.Any();
  packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusproto.Status();
  status.setCode(grpc.status.UNKNOWN);
  status.setMessage(message);
  status.addDetails(packed);
  // The structured details travel in this trailer, as the Go gRPC implementation reads them.
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

function asInitFailure(error: unknown): InitFailure | undefined {
  const e = error as Partial<InitFailure> | null;
  return e && typeof e.id === "string" && typeof e.properties === "object" && Array.isArray(e.reasons)
    ? (e as InitFailure)
    : undefined;
}
