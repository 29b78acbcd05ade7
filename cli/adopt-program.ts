import type { Pixel } from "../provider/client";
import { toDeclaredShape } from "../provider/core/mapping";
import { DEFAULT_ACCOUNT, PostbackInputsSchema } from "../provider/core/schema";
import {
  DEFAULT_PROJECT,
  FIELD_ORDER,
  type Declaration,
  type Language,
  type ProgramModel,
  type SecretConfig,
} from "./adopt-model";
import { pythonProgram } from "./adopt-python";
import { typescriptProgram } from "./adopt-typescript";
import { yamlProgram } from "./adopt-yaml";

/**
 * The stack program that `adopt` writes: pure text generation from listed pixels, deterministic (sorted
 * by id, fixed key order, no timestamps), every string escaped for its language. Facebook access tokens
 * never reach the text: each is read from secret stack config under its own key. The declarations are
 * built here; adopt-typescript.ts, adopt-yaml.ts and adopt-python.ts write them in their language.
 */

export { DEFAULT_PROJECT, LANGUAGES, type Language, type SecretConfig } from "./adopt-model";

export interface AdoptOptions {
  /** The account the pixels belong to; a named account is written into every postback. */
  account: string;
  /** Leave inactive postbacks out (default: they are declared with pixelStatus "inactive"). */
  activeOnly?: boolean;
  /** Default typescript. */
  language?: Language;
  /** YAML: the project name of the written Pulumi.yaml (default {@link DEFAULT_PROJECT}). */
  project?: string;
}

export interface AdoptProgram {
  text: string;
  /** Ids of the declared postbacks, ascending. */
  ids: number[];
  /** Inactive postbacks declared (0 with activeOnly). */
  inactive: number;
  /** Inactive postbacks left out (activeOnly). */
  skipped: number;
  /** Config the user must set (secret) before `pulumi up`. */
  secrets: SecretConfig[];
  /** Postbacks whose live values would not pass the provider's check, one line each. */
  warnings: string[];
}

/** Left out when they hold the schema's default. */
const DEFAULTS: Record<string, unknown> = {
  delayMs: 0,
  networkOfferPayoutRevenueId: 0,
  account: DEFAULT_ACCOUNT,
};

export const accessTokenKey = (pixelId: number) => `facebookAccessToken${pixelId}`;

/**
 * A query parameter or attribute that carries a credential (`api_key=`, `token=`, `secret=`...), or a
 * URL with a password: such a value is as secret as an access token, and a program file is committed
 * to version control. The program reads it from secret stack config instead.
 */
const CREDENTIAL =
  /[?&;](?:[\w.-]*(?:key|token|secret|passw(?:or)?d|auth\w*|signature|sig|credential)s?)=[^&#\s"'<>]+|:\/\/[^/@\s"']*:[^/@\s"']+@/i;

export function holdsCredential(value: string): boolean {
  return CREDENTIAL.test(value);
}

const SECRET_TEXT_FIELDS: Record<string, { key: (id: number) => string; what: SecretConfig["what"] }> = {
  postbackUrl: { key: (id) => `postbackUrl${id}`, what: "postback URL" },
  htmlCode: { key: (id) => `htmlCode${id}`, what: "HTML code" },
};

export function generateProgram(pixels: readonly Pixel[], options: AdoptOptions): AdoptProgram {
  const sorted = [...pixels].sort((a, b) => a.network_pixel_id - b.network_pixel_id);
  const chosen = options.activeOnly ? sorted.filter((p) => p.pixel_status !== "inactive") : sorted;
  const secrets: SecretConfig[] = [];
  const warnings: string[] = [];
  const declarations: Declaration[] = [];

  for (const pixel of chosen) {
    const id = pixel.network_pixel_id;
    const declared = toDeclaredShape(pixel, options.account) as Record<string, unknown>;
    const fields: Declaration["fields"] = [];
    for (const field of FIELD_ORDER) {
      const value = declared[field];
      if (value === undefined || (field in DEFAULTS && DEFAULTS[field] === value)) continue;
      if (field === "facebookPixel") {
        const fb = value as { pixelId: string; eventName: string };
        const key = accessTokenKey(id);
        secrets.push({ key, pixelId: id, what: "access token" });
        fields.push({
          field,
          value: { kind: "facebook", pixelId: fb.pixelId, eventName: fb.eventName, tokenKey: key },
        });
      } else if (field in SECRET_TEXT_FIELDS && typeof value === "string" && holdsCredential(value)) {
        const { key, what } = SECRET_TEXT_FIELDS[field]!;
        secrets.push({ key: key(id), pixelId: id, what });
        fields.push({ field, value: { kind: "config", key: key(id) } });
      } else {
        fields.push({ field, value: { kind: "literal", value: value as string | number } });
      }
    }
    warnings.push(...checkWarnings(id, declared));
    declarations.push({ name: `postback-${id}`, id, fields });
  }

  const model: ProgramModel = {
    account: options.account,
    activeOnly: options.activeOnly === true,
    declarations,
    secrets,
    project: options.project ?? DEFAULT_PROJECT,
  };
  return {
    text: WRITERS[options.language ?? "typescript"](model),
    ids: chosen.map((p) => p.network_pixel_id),
    inactive: chosen.filter((p) => p.pixel_status === "inactive").length,
    skipped: sorted.length - chosen.length,
    secrets,
    warnings,
  };
}

const WRITERS: Record<Language, (model: ProgramModel) => string> = {
  typescript: typescriptProgram,
  yaml: yamlProgram,
  python: pythonProgram,
};

/** The provider's check, run on the generated declaration (with a stand-in token): one line per problem. */
function checkWarnings(id: number, declared: Record<string, unknown>): string[] {
  const fb = declared.facebookPixel as Record<string, unknown> | undefined;
  const candidate = { ...declared, ...(fb ? { facebookPixel: { ...fb, accessToken: "stand-in" } } : {}) };
  const parsed = PostbackInputsSchema.safeParse(candidate);
  if (parsed.success) return [];
  return parsed.error.issues.map(
    (issue) => `postback ${id}: ${issue.path.join(".") || "(postback)"} ${issue.message}`,
  );
}
