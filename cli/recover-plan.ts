import type { Pixel } from "../provider/client";
import { APPLIED_KEY, appliedRecord } from "../provider/core/applied";
import { canonical, changedFields, toDeclaredShape, toOutputs } from "../provider/core/mapping";
import { secretOutputs } from "../provider/core/postbacks";
import { DEFAULT_ACCOUNT } from "../provider/core/schema";
import { isSecretPath } from "../provider/core/secrecy";
import { coreValues, markedSecrets, PROVIDER_KEY, withMarks } from "../provider/dynamic/hidden-inputs";
import { isSecretValue, SECRET_SIG, SECRET_SIG_VALUE } from "./drift-report";
import { revealed } from "./drift-secrets";
import { NATIVE_POSTBACK_TYPE } from "./postback-types";

type Props = Record<string, unknown>;

/** A postback whose create was under way when `pulumi up` was killed: in state as a pending operation. */
export interface PendingCreate {
  urn: string;
  name: string;
  account: string;
  /**
   * The listing its candidates come from: one per account and place its credentials come from (the
   * stack's config, or a native provider's inputs; see credentials.ts).
   */
  listing: string;
  /** The declaration it was being created from (secrets revealed). */
  inputs: Props;
}

export interface RecoveryPlan {
  /** Created in Everflow before the interruption: to be recorded in state with this id. */
  imports: Array<{ urn: string; name: string; pixelId: number }>;
  /** No matching postback exists: the create never landed, the pending operation can go. */
  clears: Array<{ urn: string; name: string }>;
  /** More untracked matching postbacks than interrupted creates: a person has to choose. */
  ambiguous: Array<{ urn: string; name: string; candidates: number[] }>;
}

/**
 * Matches interrupted creates with the postbacks they left in Everflow. A candidate is a postback that
 * no resource of the stack tracks and whose every modelled field equals the declaration. Creates with
 * the same declaration share their candidates: as many as there are creates are adopted (lowest ids
 * first, the order Everflow assigned them in); more candidates than creates means some were made by
 * other hands, and nothing is decided for that group.
 */
export function planRecovery(
  pending: readonly PendingCreate[],
  liveByListing: ReadonlyMap<string, readonly Pixel[]>,
  trackedIds: ReadonlySet<number>,
): RecoveryPlan {
  const plan: RecoveryPlan = { imports: [], clears: [], ambiguous: [] };
  const groups = new Map<string, PendingCreate[]>();
  for (const op of pending) {
    const key = JSON.stringify([op.listing, op.account, canonical(op.inputs)]);
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  for (const ops of groups.values()) {
    const [first] = ops as [PendingCreate];
    const token = tokenOf(first.inputs);
    const candidates = (liveByListing.get(first.listing) ?? [])
      .filter((p) => !trackedIds.has(p.network_pixel_id))
      .filter(
        (p) => changedFields(first.inputs, toDeclaredShape(p, first.account, token) as Props).length === 0,
      )
      .map((p) => p.network_pixel_id)
      .sort((a, b) => a - b);
    if (candidates.length > ops.length) {
      for (const op of ops) plan.ambiguous.push({ urn: op.urn, name: op.name, candidates });
      continue;
    }
    ops.forEach((op, i) => {
      const pixelId = candidates[i];
      if (pixelId === undefined) plan.clears.push({ urn: op.urn, name: op.name });
      else plan.imports.push({ urn: op.urn, name: op.name, pixelId });
    });
  }
  return plan;
}

/**
 * Settles ambiguous creates with a person's choices (`name or URN` to postback id). A choice must be one
 * of that create's candidates; it is no longer a candidate for the others.
 */
export function withChoices(plan: RecoveryPlan, choices: ReadonlyMap<string, number>): RecoveryPlan | Error {
  const chosen = new Set<number>();
  const next: RecoveryPlan = { imports: [...plan.imports], clears: [...plan.clears], ambiguous: [] };
  for (const a of plan.ambiguous) {
    const pixelId = choices.get(a.urn) ?? choices.get(a.name);
    if (pixelId === undefined) {
      next.ambiguous.push(a);
      continue;
    }
    if (!a.candidates.includes(pixelId) || chosen.has(pixelId)) {
      return new Error(
        `postback ${pixelId} is not a free candidate for ${a.name} (candidates: ${a.candidates.join(", ")})`,
      );
    }
    chosen.add(pixelId);
    next.imports.push({ urn: a.urn, name: a.name, pixelId });
  }
  next.ambiguous = next.ambiguous.map((a) => ({
    ...a,
    candidates: a.candidates.filter((id) => !chosen.has(id)),
  }));
  return next;
}

export function accountOf(inputs: Props): string {
  return typeof inputs.account === "string" ? inputs.account : DEFAULT_ACCOUNT;
}

function tokenOf(inputs: Props): string | undefined {
  const fb = inputs.facebookPixel as { accessToken?: unknown } | undefined;
  return typeof fb?.accessToken === "string" ? fb.accessToken : undefined;
}

interface DeploymentOperation {
  type?: string;
  resource?: { urn?: string; type?: string; inputs?: Props } & Props;
}

export interface Deployment {
  resources?: Props[];
  pending_operations?: DeploymentOperation[];
  [key: string]: unknown;
}

/**
 * The state after a plan: each adopted create becomes a resource with the postback's id and the outputs
 * its create would have recorded, and its pending operation goes, as does each cleared one. Works on a
 * `stack export --show-secrets` deployment (secrets in plaintext form), which `stack import` encrypts
 * again.
 *
 * Why not `pulumi refresh --import-pending-creates`: the 3.259 engine turns those into pending imports
 * and then drops them without recording the resource, so `up` would create the postbacks again.
 */
export function applyPlan(
  deployment: Deployment,
  plan: RecoveryPlan,
  live: ReadonlyMap<number, Pixel>,
): Deployment {
  const imported = new Map(plan.imports.map((i) => [i.urn, i.pixelId]));
  const cleared = new Set(plan.clears.map((c) => c.urn));
  const resources = [...(deployment.resources ?? [])];
  const pending: DeploymentOperation[] = [];
  for (const op of deployment.pending_operations ?? []) {
    const urn = op.resource?.urn ?? "";
    const pixelId = op.type === "creating" ? imported.get(urn) : undefined;
    const pixel = pixelId === undefined ? undefined : live.get(pixelId);
    if (op.resource && pixel) {
      resources.push({
        ...op.resource,
        id: String(pixel.network_pixel_id),
        outputs: recoveredOutputs(op.resource, pixel),
      });
    } else if (!(op.type === "creating" && cleared.has(urn))) {
      pending.push(op);
    }
  }
  return { ...deployment, resources, pending_operations: pending };
}

/**
 * The outputs the interrupted create would have recorded, in its face's form: the live postback, the
 * record of the write (Everflow's answer is the live postback, which matched the declaration), and the
 * same values secret. The dynamic face keeps its hidden inputs (`secretInputs`, `__provider`) in the
 * outputs; the native face marks secret what derives from a secret input (core/secrecy.ts).
 */
export function recoveredOutputs(resource: { type?: string; inputs?: Props }, pixel: Pixel): Props {
  const stored = resource.inputs ?? {};
  const native = resource.type === NATIVE_POSTBACK_TYPE;
  const inputs = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, revealed(v)]));
  const marked = native
    ? new Set(Object.keys(stored).filter((k) => isSecretValue(stored[k])))
    : markedSecrets(inputs);
  const declared = coreValues(inputs);
  const answered: Props = { ...toOutputs(pixel, accountOf(declared), tokenOf(declared)) };
  answered[APPLIED_KEY] = appliedRecord(declared, answered);
  const secret = secretOutputs(answered, marked);
  const outputs: Props = native
    ? answered
    : { ...withMarks(answered, marked), [PROVIDER_KEY]: stored[PROVIDER_KEY] };
  for (const [key, value] of Object.entries(outputs)) {
    const isSecret = isSecretPath(key, secret) || [...secret].some((s) => s.startsWith(`${key}.`));
    if (isSecret && value !== undefined) outputs[key] = stateSecret(value);
  }
  return outputs;
}

/** A secret value in the form of a `stack export --show-secrets`, which `stack import` encrypts. */
function stateSecret(value: unknown): Props {
  return { [SECRET_SIG]: SECRET_SIG_VALUE, plaintext: JSON.stringify(value) };
}
